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

#endif
