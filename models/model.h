/* The cost model of MODEL.md sections 3 to 7: one future's random paths
 * (demand, prices, operations counts, events) and the monthly cost of each
 * strategy on them.
 *
 * A tco_model holds what does not change between futures and is shared
 * read-only by all threads.  A tco_future is one thread's workspace: draw a
 * future into it with tco_future_draw, then cost every strategy on it with
 * tco_future_cost, strategy 0 (the baseline) first. */
#ifndef TCO_MODEL_H
#define TCO_MODEL_H

#include <stddef.h>

#include "../sim/error.h"
#include "../sim/rng.h"
#include "../sim/scenario.h"

#define TCO_HOURS_PER_MONTH 730.0

typedef enum {
    TCO_CAT_API,
    TCO_CAT_COMPUTE,
    TCO_CAT_FACILITY,
    TCO_CAT_STAFF,
    TCO_CAT_SETUP,
    TCO_CAT_OPERATIONS,
    TCO_CAT_QUALITY,
    TCO_CAT_EVENTS,
    TCO_CAT_VALUE, /* MODEL.md 19: minus the value of the requests served */
    TCO_NCAT
} tco_category;

/* The category's name in results ("api", "compute", ...). */
const char *tco_category_name(tco_category c);

typedef struct tco_model tco_model;
typedef struct tco_future tco_future;

/* What one strategy costs on one future. */
typedef struct {
    double npv;            /* discounted total */
    double nominal;        /* undiscounted total */
    double cat[TCO_NCAT];  /* discounted, per category */
    double tokens;         /* tokens served over the horizon (MODEL.md 15: without those
                              of unserved requests) */
    double unserved;       /* requests unserved over the horizon (MODEL.md 15) */
    int switches;          /* route changes made by switch or review (MODEL.md 20) */
    int first_switch;      /* the month from which the first new route applies; 0 = none */
    double gpus;           /* GPUs in service in month T: n_T of MODEL.md 4.2 summed over the
                              self-hosted backends the strategy can reach (0 for one not in
                              production in month T: never adopted, in setup, failed, retired) */
} tco_cost;

/* Builds the model of sc (which must outlive it). */
tco_status tco_model_alloc(tco_model **out, const tco_scenario *sc, tco_error *err);
void tco_model_free(tco_model *m);

tco_future *tco_future_alloc(const tco_model *m);
void tco_future_free(tco_future *f);

/* Draws one future's paths from rng, given its static inputs x.  Clamped
 * fresh draws (price shock sizes) are counted in clamped[input index]. */
void tco_future_draw(tco_future *f, const tco_model *m, const double *x, tco_rng *rng,
                     unsigned *clamped);

/* Sets mark[j] (ninputs bytes) for each static input j that shapes a
 * future's random paths: the growth of a volatile demand, the inputs each
 * backend type's draw reads (its random_inputs), the events'
 * probabilities.  Returns 1, or 0 with every input marked when a type
 * does not say which inputs its draw reads. */
int tco_paths_inputs(const tco_scenario *sc, unsigned char *mark);

/* Whether inputs x and y give the same random paths from the same stream:
 * equal in every input tco_paths_inputs marks (0 when it marks all). */
int tco_future_same_paths(const tco_model *m, const double *x, const double *y);

/* After static inputs have changed in the drawn future's x (the x given
 * to tco_future_draw, which the future reads), none of them shaping the
 * random paths (tco_future_same_paths of the old and new values), computes
 * the rest of the future again from the same random paths: the same bits
 * as drawing it again from the same stream with these inputs (sweeps and
 * sensitivity cost one drawn future at many values). */
void tco_future_serve_again(tco_future *f, const tco_model *m);

/* tco_future_serve_again when only the n inputs changed[] changed: what
 * they enter alone is computed again (a backend's own settings its serve,
 * an event's effect the events', a strategy's setting nothing), the same
 * bits. */
void tco_future_serve_inputs(tco_future *f, const tco_model *m, const int *changed, size_t n);

/* Whether a change of static input `input` that shapes no random path can
 * change strategy s's cost: a backend's setting only the strategies that
 * reach the backend (tco_model_alloc's use), an event's effect those it
 * reaches (tco_model_event_reaches), a strategy's setting that strategy;
 * demand and workload settings every strategy. */
int tco_model_input_reaches(const tco_model *m, size_t input, size_t s);

/* After the value of the volume input (demand.requests_per_month) has
 * changed in the drawn future's static inputs (the x given to
 * tco_future_draw, which the future reads), recomputes the demand paths
 * from the same random steps: the same bits as drawing the future again
 * from the same stream with that volume, since the volume enters no other
 * path and no draw (sweeps re-cost one drawn future at many volumes). */
void tco_future_redraw_demand(tco_future *f, const tco_model *m);

/* Costs strategy s on the drawn future.  monthly (T values, may be NULL)
 * receives each month's nominal total; bycat (T x TCO_NCAT, may be NULL)
 * each month's nominal cost per category.  Strategies are independent of
 * each other: any order gives the same costs. */
void tco_future_cost(tco_future *f, const tco_model *m, size_t s, double *monthly,
                     double *bycat, tco_cost *out);

/* Read access to a drawn future, for tests and traces. */
const double *tco_future_volume(const tco_future *f);     /* V_t, T values */
/* The backend's price index, T values: M_t of an api backend, G_t of a
 * self-hosted one (events included). */
const double *tco_future_price_index(const tco_future *f, size_t backend);
int tco_future_event_month(const tco_future *f, size_t event); /* 0 = never */

/* Events left out (MODEL.md 7, with and without risk events): applies the
 * drawn future's events again, those with mask[e] non-zero never
 * happening (mask NULL: every event as drawn).  The events' months and
 * factors stay those drawn, and so do every other input and path: only the
 * events' effects (price indices, one-off costs, exclusions) change, so
 * the strategies can be costed again on the same future.  The price
 * indices are rebuilt from their values before any event, multiplied in
 * event order as the draw did: a mask of zeros gives the same bits. */
void tco_future_mask_events(tco_future *f, const tco_model *m, const unsigned char *mask);

/* Whether event e can change what strategy s costs: a one-off cost
 * reaches every strategy, a price multiplier or an exclusion only those
 * that can reach its backend.  In a future where e does not happen, or for
 * a strategy it cannot reach, leaving e out changes no cost. */
int tco_model_event_reaches(const tco_model *m, size_t e, size_t s);

/* From now on, costing a strategy on f with every event as drawn records
 * which price indices it reads in which months, for
 * tco_future_event_matters (a little slower: only for runs that leave
 * events out).  TCO_ENOMEM when out of memory. */
tco_status tco_future_track_reads(tco_future *f, const tco_model *m);

/* Whether leaving event e out can change strategy s's cost in the drawn
 * future; valid once s has been costed on it with every event as drawn
 * (no mask in force).  Without tco_future_track_reads, whether e happens
 * and can reach s.  0 when e does not happen, when e cannot reach s
 * (tco_model_event_reaches), or when e multiplies a price index from
 * month E on that s never read from month E on (its costs then follow
 * the same path, read for read, with e or without it). */
int tco_future_event_matters(const tco_future *f, const tco_model *m, size_t e, size_t s);

/* An event whose only effect is a cost charged to every strategy
 * (one_off_cost) adds D_E times that cost to every strategy's NPV and
 * changes nothing else, since no rule of the model reads event costs:
 * returns that amount in the drawn future (0 when the event does not
 * happen).  NaN for an event of any other kind. */
double tco_future_event_npv(const tco_future *f, const tco_model *m, size_t e);

#endif
