/* Private layout of tco_model and tco_future, shared by the files of the
 * model; nothing outside models/ includes it. */
#ifndef TCO_MODEL_IMPL_H
#define TCO_MODEL_IMPL_H

#include "model.h"

struct tco_model {
    const tco_scenario *sc;
    int T;
    size_t K, B, S, E;
    double *discount; /* D_t, t = 1..T at index t-1 */
    /* The backends each strategy can reach (routes, fallback, and where
     * exclusions reroute them): strategy s uses use[s * B + j], j < nuse[s]. */
    int *use;
    size_t *nuse;
};

/* One backend's values in the drawn future, gathered for the cost loop. */
typedef struct {
    int self, cloud, setup, lifetime;
    double fixed, setup_cost, base_fte, den, peak, min_gpus, per_gpu_fte;
    double hour, purchase, facility, maint;
} tco_bk;

/* An exclusion that happens in this future. */
typedef struct {
    int month, from, to;
    double cost;
} tco_exclusion;

struct tco_future {
    int T;
    const double *x;   /* static inputs of the drawn future (the caller's) */
    double *V;         /* T */
    double *R;         /* T x K requests */
    double tokens;
    double *M;         /* B x T api price index */
    double *G;         /* B x T gpu price index */
    double *ops;       /* B x T operations cost (fine-tuning, updates, incidents) */
    double *staff;     /* B x T cost of one FTE in month t */
    double *api_unit;  /* B x K cost of one request at index 1 */
    double *weq;       /* B x K token-equivalents of one request */
    double *qual;      /* B x K expected failure cost of one request */
    tco_bk *bk;        /* B */
    double *oneoff;    /* T one-off event costs, shared by all strategies */
    int *event_month;  /* E, 0 = never */
    tco_exclusion *excl; /* exclusions that happen, by month */
    size_t nexcl;
    int first_excl;    /* month of the first exclusion, or T + 1 */
    /* strategy workspace */
    int *adopt;        /* B, 0 = not adopted */
    int *route, *via;  /* K */
    double *load;      /* B: token-equivalents (self) or requests (api) served */
    int *coh_month;    /* B x T cohorts of owned GPUs */
    double *coh_n, *coh_cost;
    int *coh_head, *coh_tail; /* B */
    double *fleet, *held;     /* B: GPUs and purchase cost of the cohorts held */
};

#endif
