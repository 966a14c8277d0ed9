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
    int *adopt;        /* B: month of the current adoption, 0 = none (platforms only);
                          after a failed setup (MODEL.md 17) the month of that
                          adoption, kept to the horizon */
    int *prod;         /* B: month from which the platform is in production in its
                          current adoption; TCO_NEVER when not adopted, retired or
                          failed */
    int *idle;         /* B: months since the platform was last routed, within its
                          current adoption (MODEL.md 16) */
    int *route, *via;  /* K */
    double *load;      /* B: the month's load, the sum of unit_load over requests served */
};

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
