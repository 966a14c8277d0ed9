/* Private layout of tco_model and tco_future, shared by the files of the
 * model; nothing outside models/ includes it. */
#ifndef TCO_MODEL_IMPL_H
#define TCO_MODEL_IMPL_H

#include "backend.h"
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
    tco_backend_paths *paths; /* B: each backend's paths, drawn by its type */
    const tco_backend_type **type; /* B: each backend's type */
    char *platform;    /* B: type->platform, read in the cost loop */
    double *qual;      /* B x K expected failure cost of one request */
    double *oneoff;    /* T one-off event costs, shared by all strategies */
    int *event_month;  /* E, 0 = never */
    tco_exclusion *excl; /* exclusions that happen, by month */
    size_t nexcl;
    int first_excl;    /* month of the first exclusion, or T + 1 */
    /* strategy workspace */
    int *adopt;        /* B, 0 = not adopted (platforms only) */
    int *route, *via;  /* K */
    double *load;      /* B: the month's load, the sum of unit_load over requests served */
    double *rate_load; /* B: a review option's load (models/review.c) */
    char *rate_reached; /* B: whether a review option's route reaches the backend */
};

#endif
