/* Private layout of tco_model and tco_future, shared by the files of the
 * model; nothing outside models/ includes it. */
#ifndef TCO_MODEL_IMPL_H
#define TCO_MODEL_IMPL_H

#include "backend.h"
#include "backend_month.h"
#include "model.h"

struct tco_model {
    const tco_scenario *sc;
    int T;
    size_t K, B, S, E;
    double *discount; /* D_t, t = 1..T at index t-1 */
    int valued;       /* some workload has a value per request (MODEL.md 19) */
    int discount_finite; /* every D_t finite (a rate near -1 can overflow them) */
    /* The backends each strategy can reach (routes, fallback, and where
     * exclusions reroute them): strategy s uses use[s * B + j], j < nuse[s]. */
    int *use;
    size_t *nuse;
    /* Version 2 paths, taken only when the file asks for them so that a
     * version-1 file computes exactly as before: demand_v2 when a schedule
     * or a window changes the requests (MODEL.md 13), qual_by_month when a
     * failure-rate trend makes quality costs vary by month (MODEL.md 12). */
    int demand_v2, qual_by_month;
    unsigned char *trended; /* B: whether backend b's failure costs vary by month (a
                               failure-rate trend; with qual_by_month) */
    /* reach[e * S + s]: whether event e can change strategy s's cost
     * (tco_model_event_reaches). */
    unsigned char *reach;
    int price_events; /* whether some event is a price multiplier */
    /* The inputs that shape a future's random paths (tco_paths_inputs):
     * path_list[j], j < npaths; every input when reuse is 0. */
    int *path_list;
    size_t npaths;
    int reuse;
    /* What each input's value enters when served again
     * (tco_future_serve_inputs): owner[j] a TCO_OWNER_* kind, owner_of[j]
     * the backend, event or strategy whose setting it is. */
    unsigned char *owner;
    int *owner_of;
};

/* An input is a setting of one backend (its path backends.NAME.), of one
 * event (events.NAME.), of one strategy (strategies.NAME.), or of all
 * (demand, workloads, anything else). */
enum { TCO_OWNER_ALL, TCO_OWNER_BACKEND, TCO_OWNER_EVENT, TCO_OWNER_STRATEGY };

/* What a strategy's costing carries from one month to the next
 * (strategy.c), saved with the platforms' states to resume a costing. */
typedef struct {
    size_t phase;
    int tau, option, charged, switches, first_switch;
    double npv, nominal, unserved, served, cat[TCO_NCAT];
} tco_cost_carry;

/* An exclusion that happens in this future. */
typedef struct {
    int month, from, to;
    double cost;
} tco_exclusion;

struct tco_future {
    int T;
    const double *x;   /* static inputs of the drawn future (the caller's) */
    tco_rng start;     /* the stream where the draw began (setup failures) */
    int served;        /* the derived paths are computed (events applied) */
    double *V;         /* T */
    double *step;      /* T: V_t / V_{t-1} before the cap, as drawn (tco_future_redraw_demand) */
    double *R;         /* K x T requests: month t of workload k at [k * T + t - 1] */
    double tokens;
    /* When some workload has a value per request (m->valued): month t's
     * value of every request, -R_{t,1} v_1 - R_{t,2} v_2 - ... from 0 in
     * workload order, at value[t - 1] (cost_direct's value category when
     * no request goes unserved). */
    double *value;
    tco_backend_paths *paths; /* B: each backend's paths, drawn by its type */
    const tco_backend_type **type; /* B: each backend's type */
    char *platform;    /* B: type->platform, read in the cost loop */
    /* B: how strategy.c costs the backend's months: inline for the
     * built-in types (backend_month.h), else through its type's table
     * (TCO_KIND_TABLE); every backend through its table after
     * tco_future_use_tables (tests: both ways give the same bits). */
    char *kind;
    double *qual;      /* B x K expected failure cost of one request, F_{b,k} failure_cost_k */
    double *qual_month; /* B x K x T: the same by month (MODEL.md 12), month t of backend b
                           and workload k at [(b * K + k) * T + t - 1]; NULL without trends;
                           only a backend with a failure-rate trend has its rows written */
    double *growth;    /* T: scratch for draw_capability's trend factors (with qual_month) */
    const double *demand; /* T: the month's requests, sum_k R_{t,k} (V itself in version 1) */
    double *req;       /* T: sum_k R_{t,k} when demand_v2, else NULL */
    double *oneoff;    /* T one-off event costs, shared by all strategies */
    int any_oneoff;    /* a one-off event happens (else every oneoff[t] is +0) */
    /* T: where tco_future_cost writes the months' totals when its caller
     * asks for none (cost_direct writes them in every case). */
    double *totals;
    int *event_month;  /* E, 0 = never */
    /* E: each event's monthly hazard h and log1p(-h), kept between
     * futures on its probability (tco_memo), at event_hazard[2 e]. */
    tco_memo *event_memo;
    double *event_hazard;
    /* Price indices before any event, kept for tco_future_mask_events:
     * backend b's T values at base_index + b * T, valid when based[b]
     * (a price multiplier on b happens in this future).  NULL without
     * price events. */
    double *base_index;
    char *based;
    /* last_read[s * B + b]: the last month in which strategy s, costed
     * with every event as drawn, read backend b's price index (a superset
     * of the reads: an api backend's when it serves, a platform's while
     * adopted); 0 never.  NULL unless tco_future_track_reads asked for it
     * (and the scenario has price events).  masked: some event
     * that happens is left out (tco_future_mask_events), and costs do not
     * update last_read. */
    int *last_read;
    int masked;
    /* Resuming a costing (tco_future_track_reads): a strategy costed with
     * every event as drawn saves its state at the start of each month in
     * which an event happens (event_next[t - 1], the first such month
     * from month t on, T + 1 for none; T + 1 values), in slot s * E + e for each
     * event e of that month, snap_size doubles at snap + slot * snap_size
     * (what strategy.c carries, then backend b's adopt, prod, idle and its
     * type's state at snap_off[b]); snap_valid[s] once it has.  Costed with
     * events left out, it resumes from the month mask_from of the first
     * event left out (mask_event): the months before are the same with or
     * without it.  snap NULL: every costing starts from month 1. */
    double *snap;
    size_t snap_size, *snap_off;
    char *snap_valid;
    int *event_next;
    int mask_from, mask_event;
    tco_exclusion *excl; /* exclusions that happen, by month */
    size_t nexcl;
    int first_excl;    /* month of the first exclusion, or T + 1 */
    /* strategy workspace */
    int *adopt;        /* B: month of the current adoption, 0 = none (platforms only);
                          after a failed setup (MODEL.md 17) the month of that
                          adoption, kept to the horizon */
    int *prod;         /* B: month from which the platform is in production in its
                          current adoption; TCO_NEVER when not adopted, retired or
                          failed; 0 for a backend that is not a platform (it
                          serves from month 1) */
    int *idle;         /* B: months since the platform was last routed, within its
                          current adoption (MODEL.md 16) */
    int *route, *via;  /* K */
    double *load;      /* B: the month's load, the sum of unit_load over requests served */
    double *rate_load; /* B: a review option's load (models/review.c) */
    double *cmonth;    /* T x TCO_NCAT: each month's costs by category (strategy.c's cost_direct);
                          every entry +0 between costings: cost_direct clears what it wrote */
    double *cload;     /* B x T: each backend's load by month (cost_direct) */
    int *plan;         /* T x K: -1 where a workload's requests of a month go unserved, else 0
                          (cost_direct, once one does) */
    unsigned char *umon; /* T: 1 in a month some workload's requests go unserved (with plan) */
    int *amon;         /* B x T: each platform's adoption in force by month (cost_direct) */
    unsigned char *rmon; /* B x T: whether the platform is retired at the start of the month */
    char *rate_reached; /* B: whether a review option's route reaches the backend; all 0
                           between calls of tco_review_run_rate */
    /* The option each review of the strategy being costed chooses, review
     * j (month first + j x every) at decided[j], when the caller decided
     * them beforehand (models/lanes.c, the same decisions); NULL: each
     * review decides when it comes. */
    const int *decided;
};

/* The value of one request of workload k served (MODEL.md 19), 0 without
 * a value_per_request. */
static inline double tco_workload_value(const tco_scenario *sc, const double *x, size_t k)
{
    int v = sc->workloads[k].value_per_request;
    return v >= 0 ? x[v] : 0;
}

/* The expected failure cost of one request of workload k on backend b in
 * month t (MODEL.md 4.3 with section 12): by month under the backend's
 * failure-rate trend, else month 1's in every month (qual_month keeps
 * only the trended backends' rows). */
static inline double tco_future_fail_cost(const tco_future *f, const tco_model *m, int t, size_t b,
                                          size_t k)
{
    if (m->trended[b])
        return f->qual_month[(b * m->K + k) * (size_t)m->T + (size_t)(t - 1)];
    return f->qual[b * m->K + k];
}

/* From now on, costs every backend of f through its type's table of
 * functions, as a type outside models/ is (tests). */
void tco_future_use_tables(tco_future *f, const tco_model *m);

/* Whether tco_future_cost costs strategy s on f by spans of one route
 * (strategy.c's cost_direct) rather than month by month: tests. */
int tco_future_cost_by_spans(const tco_future *f, const tco_model *m, size_t s);

/* A month past any horizon. */
#define TCO_NEVER (1 << 30)

/* MODEL.md 17, for the strategy being costed (valid inside
 * tco_future_cost, from the month of adoption on): whether platform b's
 * setup has failed for this strategy (it adopted b, and b's setup fails in
 * this future), and the month a + A from which that failure is known (0
 * when it has not failed).  Whether b's setup fails at all in the drawn
 * future, shared by all strategies, is f->paths[b].setup_failed. */
static inline int tco_setup_failed(const tco_future *f, int b)
{
    return f->adopt[b] && f->paths[b].setup_failed;
}
static inline int tco_failure_known_from(const tco_future *f, int b)
{
    return tco_setup_failed(f, b) ? f->adopt[b] + f->paths[b].abandon : 0;
}

#endif
