/* Backend types: each kind of backend (api, self_hosted, ...) is one file
 * behind a small table of functions, in the manner of GSL's gsl_rng_type.
 *
 * A type reads its own settings from the scenario file (load), draws its
 * random paths for one future (draw), states what one request of each
 * workload costs and loads it with (serve), and books its monthly costs for
 * one strategy (monthly_cost).  The model (future.c, strategy.c) does the
 * rest the same way for every type: demand, routing, exclusions, adoption of
 * platforms, quality costs from success rates, events, discounting.
 *
 * Adding a type is one file models/backend_<name>.c defining a
 * tco_backend_type, one line in tco_backend_types (backend.c) with its
 * declaration below, one line in the Makefile's LIB_SRC, and its tests: see
 * docs/backends.md.
 *
 * Dependencies: the scenario loader (sim/scenario.c) finds a type by name
 * in the registry and calls its load, which reads keys with the schema
 * helpers (sim/schema.h); the model (future.c, strategy.c) calls the rest.
 *
 * Call order for one scenario:
 *   load (once per backend, while the scenario is read), then per thread
 *   alloc; per future draw, then serve (and serve again, for a type with
 *   random_inputs, when only unmarked inputs change); per strategy start, then
 *   monthly_cost for t = 1 .. T (and retire, before month t's monthly_cost,
 *   when the strategy retires the platform); at the end free_paths, and free_spec when
 *   the scenario is freed.  Nothing is shared between threads but the
 *   scenario (read-only): a type keeps no static mutable state. */
#ifndef TCO_BACKEND_H
#define TCO_BACKEND_H

#include <stddef.h>

#include "../sim/error.h"
#include "../sim/rng.h"
#include "../sim/scenario.h"
#include "../sim/schema.h"
#include "../sim/yamldoc.h"
#include "model.h"

/* One backend's values in one drawn future: what the model reads in its
 * cost loop, plus the type's own workspace.  The model allocates index,
 * unit_cost and unit_load (T, K, K values) before calling the type's alloc. */
typedef struct {
    int T;              /* horizon */
    size_t K;           /* workloads */
    double *index;      /* T: price index, index[t - 1] for month t (M_t or G_t of MODEL.md
                           4.1, 4.2); price_multiplier events multiply it after draw */
    int priced;         /* 1: unit_cost is charged per request (category api) */
    double *unit_cost;  /* K: cost of one request of workload k at index 1 */
    double *unit_load;  /* K: what one request of workload k adds to the month's load,
                           the load that monthly_cost receives */
    int setup;          /* platforms: months from adoption to production (drawn) */
    /* Platforms, a setup that fails (MODEL.md 17): draw sets setup_failure,
     * the probability that the setup fails in this future (0: it cannot),
     * and abandon, the months A of base staff that a failed adoption pays;
     * the model then draws the failure itself into setup_failed (shared by
     * all strategies), before any strategy is costed. */
    double setup_failure;
    int abandon;
    int setup_failed;
    /* Platforms: the GPUs in service in the month monthly_cost last booked,
     * n_t of MODEL.md 4.2 (0 when not in production that month); the
     * model reads it after month T (samples.csv's gpus column). */
    double gpus;
    void *data;         /* the type's per-future workspace (alloc), owned by the type */
} tco_backend_paths;

struct tco_backend_type {
    /* The value of `type:` in a scenario file, e.g. "api". */
    const char *name;
    /* 0: the backend serves from any month it is routed to, and may be a
     *    strategy's fallback (api).
     * 1: a platform: adopted by a strategy the first month it is routed to,
     *    then set up for `setup` months (served meanwhile by the fallback),
     *    then in production (MODEL.md 4.2), until the strategy retires it
     *    (16); or its setup fails (17). */
    int platform;
    /* Reads the backend's own keys from the mapping spec (path prefix
     * "backends.NAME") into be->spec, registering its quantities with
     * tco_schema_quantity.  Must refuse unknown keys; the keys "type" and
     * "success_rate" belong to every type and are read by the loader (the
     * latter after load, so inputs keep their order).  On error be->spec may
     * be partly filled: free_spec frees it. */
    tco_status (*load)(tco_schema *c, const tco_ynode *spec, const char *prefix,
                       tco_backend *be);
    /* Reads the type's keys of model version 2 into be->spec, after every
     * backend, strategy and event of the file is read, so that their static
     * inputs come after version 1's and a version-1 file samples exactly as
     * before.  load has already accepted the keys.  NULL: none. */
    tco_status (*load_late)(tco_schema *c, const tco_ynode *spec, const char *prefix,
                            tco_backend *be);
    /* Frees be->spec (accepts NULL). */
    void (*free_spec)(void *spec);
    /* Platforms: the longest setup, in whole months, the backend can draw
     * (a strategy routing to it needs a fallback when this is >= 1).
     * NULL for non-platforms. */
    double (*max_setup_months)(const tco_scenario *sc, const tco_backend *be);
    /* Allocates the type's per-future workspace into p->data, once per
     * thread (NULL: the type keeps nothing beyond tco_backend_paths). */
    tco_status (*alloc)(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be);
    /* Frees p->data (accepts NULL; may be NULL when alloc is). */
    void (*free_paths)(void *data);
    /* Draws the future's paths from rng with static inputs x: p->index
     * (index[0] = 1), p->setup, and whatever the type keeps in p->data.
     * Clamped fresh draws are counted in clamped[input] (clamped may be NULL).
     * A type with random_inputs draws here only what depends on the stream,
     * reading only the inputs random_inputs marks, and leaves the rest to
     * serve. */
    void (*draw)(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                 const double *x, tco_rng *rng, unsigned *clamped);
    /* Fills p->priced, p->unit_cost and p->unit_load from x, after draw.  A
     * type with random_inputs also fills here everything of the future that
     * draw left (p->setup, p->setup_failure, p->abandon, and p->index where
     * it draws nothing), from x and what draw drew, without the stream:
     * the model may call serve again on the same draw with other values of
     * the inputs random_inputs does not mark (sweeps and sensitivity). */
    void (*serve)(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                  const double *x);
    /* Sets mark[input] for each input whose value draw reads: the inputs
     * that shape the random paths.  NULL: the type does not split its draw,
     * and every input may shape its paths (then no future is served again
     * without drawing it again). */
    void (*random_inputs)(const tco_backend *be, unsigned char *mark);
    /* Resets the per-strategy state in p->data before a strategy is costed
     * (NULL when the type has none). */
    void (*start)(tco_backend_paths *p);
    /* Adds month t's costs of the backend to c (TCO_NCAT categories):
     * adopted is the month a platform was adopted by the strategy, in its
     * current adoption (0: not adopted, or retired; always 0 for
     * non-platforms); when setup_failed, the month of the failed adoption,
     * for which only the setup and A months of base staff are due.  load is
     * the sum of unit_load over
     * the requests it served in month t.  Called for t = 1 .. T in order,
     * for every backend the strategy can reach.  The per-request costs
     * (unit_cost) are already booked. */
    void (*monthly_cost)(tco_backend_paths *p, int t, int adopted, double load, double *c);
    /* The backend's part of a run-rate (MODEL.md 18): what month t would
     * cost, beyond the per-request prices (unit_cost), if it were in
     * production serving this load, with expected counts in place of the
     * month's draws.  NULL: nothing beyond the per-request prices. */
    double (*run_rate)(const tco_backend_paths *p, int t, double load);
    /* Platforms: the strategy retires the backend at the start of month t
     * (MODEL.md 16).  Adds what retiring costs or earns in month t to c (an
     * owned fleet is sold) and resets the strategy's state of the backend,
     * so that a later adoption starts afresh.  NULL: nothing to do.  When
     * the setup failed (setup_failed) the model never calls it. */
    void (*retire)(tco_backend_paths *p, int t, double *c);
    /* The per-strategy state that start resets, saved and restored so that
     * a strategy's costing can resume at a month (runs with and without
     * risk events, engine.c): state_size is the doubles it needs at most,
     * save writes them, restore reads them back, exactly.  NULL (all three)
     * when the type has no per-strategy state (start NULL); a type with a
     * start but no save makes every costing start from month 1. */
    size_t (*state_size)(const tco_backend_paths *p);
    void (*save)(const tco_backend_paths *p, double *buf);
    void (*restore)(tco_backend_paths *p, const double *buf);
};

/* The registered types, NULL-terminated, in the order error messages list
 * them. */
extern const tco_backend_type *const tco_backend_types[];

extern const tco_backend_type tco_backend_api;
extern const tco_backend_type tco_backend_selfhost;

/* The registered type called name, or NULL. */
const tco_backend_type *tco_backend_type_find(const char *name);

/* Reads backend be (its `type` already resolved into be->type) from the
 * mapping spec: the type's own keys, then success_rate (MODEL.md 4.3). */
tco_status tco_backend_load(tco_schema *c, const tco_ynode *spec, const char *prefix,
                            tco_backend *be);

/* Reads the keys of MODEL.md 12 that any backend may have, after every
 * version-1 input is registered (so a version-1 file samples as before):
 * failure_rate_trend_annual (a quantity > -1, or a mapping workload ->
 * quantity) and fine_tuning.failure_rate_multiplier (a quantity >= 0, or a
 * mapping; only a type that accepts a fine_tuning section gets one).  The
 * type's load has already checked that the keys are its own. */
tco_status tco_backend_load_capability(tco_schema *c, const tco_ynode *spec, const char *prefix,
                                       tco_backend *be);

/* A quantity per workload at map[key] (MODEL.md 12, 14.1): a plain
 * quantity (path prefix.key, one input for every workload), or a mapping
 * workload -> quantity (paths prefix.key.K), -1 for a workload it does not
 * name; values in dom.  Absent: *out stays NULL.  *out is malloc'ed (K). */
tco_status tco_backend_load_per_workload(tco_schema *c, const tco_ynode *map, const char *prefix,
                                         const char *key, const tco_domain *dom, int **out);

/* Frees what tco_backend_load allocated in be (not be itself). */
void tco_backend_clear(tco_backend *be);

#endif
