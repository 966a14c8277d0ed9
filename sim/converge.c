#include "converge.h"

#include <math.h>

double tco_results_worst_rse(const tco_results *res)
{
    double worst = 0;
    for (size_t s = 0; s < res->S; s++) {
        const tco_summary *q = &res->st[s].npv;
        double rse = q->mean != 0 ? q->se / fabs(q->mean) : (q->se > 0 ? HUGE_VAL : 0);
        worst = fmax(worst, rse);
    }
    return worst;
}

tco_status tco_run_to_target(tco_run **run, tco_results **res, const tco_scenario *sc,
                             const tco_run_options *opt, double target, long max,
                             tco_converge_report *report, tco_error *err)
{
    tco_run_options o = *opt;
    long n = o.futures > 0 ? o.futures : sc->futures;
    if (n > max)
        n = max;
    *run = NULL;
    *res = NULL;
    for (;;) {
        o.futures = n;
        tco_status st = tco_run_execute(run, sc, &o, err);
        if (st == TCO_OK)
            st = tco_results_compute(res, *run, err);
        if (st != TCO_OK) {
            tco_results_free(*res);
            tco_run_free(*run);
            *res = NULL;
            *run = NULL;
            return st;
        }
        double worst = tco_results_worst_rse(*res);
        if (worst <= target || n >= max) {
            *report = (tco_converge_report){n, worst, worst <= target};
            return TCO_OK;
        }
        tco_results_free(*res);
        tco_run_free(*run);
        *res = NULL;
        *run = NULL;
        n = n > max / 2 ? max : 2 * n;
    }
}
