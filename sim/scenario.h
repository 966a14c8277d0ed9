/* The validated scenario of MODEL.md: what a YAML file says, resolved into
 * indices so the model never looks anything up by name.
 *
 * Every number a future draws once (a "static input") is an entry of
 * scenario->inputs, referred to by its index; the model reads the drawn
 * values from a vector x with x[index].  A scenario is immutable after
 * loading and is shared read-only by all threads. */
#ifndef TCO_SCENARIO_H
#define TCO_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "yamldoc.h"

#define TCO_MAX_HORIZON 600
#define TCO_MAX_FUTURES 1000000000L
/* Limits on what one file may ask for, so that loading, sampling and the
 * charts stay fast on any file; each message says why. */
#define TCO_MAX_WORKLOADS 256
#define TCO_MAX_BACKENDS 256
#define TCO_MAX_STRATEGIES 64
#define TCO_MAX_EVENTS 1024
#define TCO_MAX_INPUTS 65536
/* Poisson rates (incidents, price shocks, updates): more than 1,000 events
 * a month is a steady cost, not a count of events. */
#define TCO_MAX_RATE_PER_YEAR 12000.0

typedef enum { TCO_SAMPLING_RANDOM, TCO_SAMPLING_LHS, TCO_SAMPLING_SOBOL } tco_sampling;

typedef struct {
    char *path;          /* e.g. "backends.llama-70b.gpu.hour_price" */
    tco_dist dist;
    tco_domain dom;
    unsigned line, col;
    int dim;             /* index in the uniform vector; -1 when fixed or fresh */
    int fresh;           /* drawn afresh at each use (price shock sizes), not once */
} tco_input;

typedef struct {
    char *name;
    int share, input_tokens, output_tokens, failure_cost; /* input indices */
    int start_month, end_month; /* window of MODEL.md 13: requests only in these months
                                   (defaults 1 and the horizon; end may pass it) */
    /* MODEL.md 15: the backends that may serve the workload (allowed[b] != 0;
     * NULL: every backend) and what an unserved request costs (input index;
     * failure_cost's when absent). */
    unsigned char *allowed;
    int unserved_cost;
    int value_per_request; /* MODEL.md 19: input index; -1 when absent (value 0) */
} tco_workload;

/* A backend's type: a table of functions in models/ (models/backend.h). */
typedef struct tco_backend_type tco_backend_type;

typedef struct {
    char *name;
    const tco_backend_type *type;
    int *success; /* per workload: input index of the success rate */
    void *spec;   /* the type's own settings (input indices), owned by the type */
    /* MODEL.md 12, per workload: input indices of the failure-rate trend and
     * the fine-tuning multiplier, -1 for a workload the mapping does not
     * name (trend 0, multiplier 1); NULL when the backend lacks the key. */
    int *fail_trend, *fail_mult;
} tco_backend;

typedef struct {
    int from_month;
    int *route; /* backend index per workload */
} tco_phase;

/* An entry of demand.schedule (MODEL.md 13): from month from_month on,
 * requests are multiplied by the input `multiplier`. */
typedef struct {
    int from_month;
    int multiplier; /* input index */
} tco_schedule_entry;

typedef enum { TCO_SWITCH_NONE, TCO_SWITCH_VOLUME, TCO_SWITCH_API_COST } tco_switch_kind;

/* Periodic review (MODEL.md 18): every `every` months from month `first`,
 * the strategy's route becomes the cheapest option's at the month's
 * run-rate when it beats the current one's by the hysteresis. */
typedef struct {
    char *name;
    int *route; /* backend index per workload */
} tco_review_option;

typedef struct {
    int every, first;
    double hysteresis;
    int switching_cost;         /* input index */
    tco_review_option *options; /* in file order; the strategy's route is "initial" */
    size_t noptions;
} tco_review;

typedef struct {
    char *name;
    tco_phase *phases; /* a plain route is one phase from month 1 */
    size_t nphases;
    tco_switch_kind switch_kind;
    double switch_threshold;
    int *switch_route;
    int fallback; /* index of a backend that serves from any month (api), or -1 */
    tco_review *review; /* NULL: none */
    int retire_idle; /* MODEL.md 16: retire_idle_months M, 0 = never retire */
} tco_strategy;

/* Whether the strategy can change route by a switch or a review. */
int tco_strategy_can_switch(const tco_strategy *s);

/* The decision criterion of MODEL.md 19: the recommended strategy is the
 * one with the lowest value of it (ties: file order). */
typedef enum {
    TCO_CRIT_MEAN, TCO_CRIT_P50, TCO_CRIT_P90, TCO_CRIT_P95, TCO_CRIT_CVAR95, TCO_CRIT_CE,
    TCO_NCRIT
} tco_criterion;

/* The criterion's name in files and results ("mean", ..., "certainty_equivalent"). */
const char *tco_criterion_name(tco_criterion c);

/* The criterion named name, or -1 when no criterion has that name. */
int tco_criterion_parse(const char *name);

/* The known criterion nearest to name (for "did you mean"), or NULL. */
const char *tco_criterion_nearest(const char *name);

typedef enum { TCO_EVENT_PRICE, TCO_EVENT_EXCLUDE, TCO_EVENT_ONE_OFF } tco_event_kind;

typedef struct {
    char *name;
    int probability; /* input index */
    tco_event_kind kind;
    int backend, reroute; /* backend indices (-1 when unused) */
    int factor, cost;     /* input indices (-1 when unused) */
} tco_event;

typedef struct {
    char *file, *name, *description, *currency;
    /* Valid but implausible values (a percentage where a fraction belongs),
     * one "file:line:col: path: ..." line each; NULL when none.  The
     * program prints them as warnings. */
    char *warnings;
    int horizon;
    double discount_rate;
    long futures;
    uint64_t seed;
    tco_sampling sampling;

    tco_workload *workloads;
    size_t nworkloads;
    int volume, growth;        /* input indices */
    double volatility, max_multiple; /* max_multiple 0 when absent */
    tco_schedule_entry *schedule; /* demand.schedule, by from_month; NULL when absent */
    size_t nschedule;
    tco_backend *backends;
    size_t nbackends;
    tco_strategy *strategies;
    size_t nstrategies;
    tco_event *events;
    size_t nevents;

    /* decision (MODEL.md 19): the criterion (mean by default), the risk
     * tolerance of the certainty equivalent and the budget, NAN when
     * absent. */
    tco_criterion criterion;
    double risk_tolerance, budget;

    tco_input *inputs;
    size_t ninputs;
    size_t ndims;              /* uncertain static inputs, one uniform each */
    int *dim_input;            /* the input index of each dimension */

    /* Correlations: the correlated inputs' dims and the Cholesky factor
     * (row-major, ncorr x ncorr, lower) of the normal-score correlations. */
    size_t ncorr;
    int *corr_dims;
    double *corr_chol;
    char *case_name; /* the case applied (cases.h), or NULL */
} tco_scenario;

/* A number set at a dotted path of the parsed file (--vary, sweeps). */
typedef struct {
    const char *path;
    double value;
} tco_override;

/* Options applied while loading: command-line overrides, applied to the
 * parsed YAML tree (tco_ydoc_set) before validation. */
typedef struct {
    const char *const *sets; /* "PATH=VALUE" strings; VALUE is YAML (--set) */
    size_t nsets;
    const char *case_name; /* the case of the file's cases block to apply (before the
                              sets), or NULL: see cases.h */
} tco_load_options;

/* Reads, overrides (--set) and validates the scenario file at path.  On
 * success *out is owned by the caller (tco_scenario_free). */
tco_status tco_scenario_load(tco_scenario **out, const char *path, const tco_load_options *opt,
                             tco_error *err);

/* tco_scenario_load, then the numbers of overrides (n of them, after the
 * sets of opt) set exactly in the parsed tree: no number is printed and
 * read back.  Sweeps and --vary load through here. */
tco_status tco_scenario_load_with(tco_scenario **out, const char *path,
                                  const tco_load_options *opt, const tco_override *overrides,
                                  size_t n, tco_error *err);

/* tco_scenario_load_with, reusing the quantile tables of tables (a
 * scenario loaded from the same file; may be NULL) where the distributions
 * are the same, instead of building them again: a sweep's points reload
 * the file with one number changed. */
tco_status tco_scenario_reload_with(tco_scenario **out, const char *path,
                                    const tco_load_options *opt, const tco_override *overrides,
                                    size_t n, const tco_scenario *tables, tco_error *err);

/* Validates an already parsed document (name is used in messages). */
tco_status tco_scenario_from_doc(tco_scenario **out, const tco_ynode *root, const char *name,
                                 tco_error *err);

void tco_scenario_free(tco_scenario *sc);

/* Index of the named strategy or backend, or -1. */
int tco_scenario_strategy(const tco_scenario *sc, const char *name);
int tco_scenario_backend(const tco_scenario *sc, const char *name);

/* Index of the static input with this path, or -1. */
int tco_scenario_input(const tco_scenario *sc, const char *path);

const char *tco_sampling_name(tco_sampling s);

#endif
