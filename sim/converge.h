/* Runs until the estimates are precise enough (tcosim run --target-rse):
 * a loop over the engine in the caller's place, deterministic for a seed. */
#ifndef TCO_CONVERGE_H
#define TCO_CONVERGE_H

#include "engine.h"
#include "stats.h"

typedef struct {
    long futures;     /* futures of the last run */
    double worst_rse; /* the largest relative standard error of a strategy's mean NPV */
    int reached;      /* worst_rse <= target */
} tco_converge_report;

/* The largest relative standard error (se / |mean|) of a strategy's mean
 * NPV in res: 0 when every se is 0, infinite for a zero mean with se > 0. */
double tco_results_worst_rse(const tco_results *res);

/* Runs sc with opt, doubling the futures from opt->futures (0: the
 * scenario's) until every strategy's relative standard error is at most
 * target or max futures are used.  On success *run and *res belong to the
 * caller (the last run's); *report says where it stopped. */
tco_status tco_run_to_target(tco_run **run, tco_results **res, const tco_scenario *sc,
                             const tco_run_options *opt, double target, long max,
                             tco_converge_report *report, tco_error *err);

#endif
