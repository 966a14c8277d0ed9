/* Periodic review (MODEL.md 18): the run-rate of a review option in a
 * month and the decision taken at a review.  Private to models/. */
#ifndef TCO_REVIEW_H
#define TCO_REVIEW_H

#include "model_impl.h"

/* The route of option o of st's review: -1 is "initial", the strategy's
 * own route. */
const int *tco_review_route(const tco_strategy *st, int o);

/* Whether month t is a review month of rv that can take effect: t =
 * first + j every, and t < T (a decision in month T takes no effect). */
int tco_review_due(const tco_review *rv, int t, int T);

/* The run-rate rho_o(r) of route (per workload) in month r of the drawn
 * future, for strategy s (whose state in f is month r's), or HUGE_VAL when
 * the route names a backend whose setup is known to have failed. */
double tco_review_run_rate(tco_future *f, const tco_model *m, size_t s, const int *route, int r);

/* The option the review of strategy s chooses in month r when `current`
 * (-1: initial) is in force: current itself, or the cheapest available
 * option when it beats current's run-rate by the hysteresis. */
int tco_review_decide(tco_future *f, const tco_model *m, size_t s, int current, int r);

#endif
