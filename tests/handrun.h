/* tco_results_compute over hand-made per-future arrays, for the Check
 * suites: a run of S strategies over n futures and one month. */
#ifndef TCO_TEST_HANDRUN_H
#define TCO_TEST_HANDRUN_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "../sim/engine.h"
#include "../sim/stats.h"

/* npv and nominal (NULL: the NPVs again) S x n strategy-major, monthly
 * S x n (NULL: zeros), all the caller's; break-even months and means 0;
 * computed on threads threads. */
static inline tco_results *hand_results(const tco_scenario *sc, const double *npv,
                                        const double *nominal, const float *monthly, size_t S,
                                        long n, int threads)
{
    size_t N = S * (size_t)n;
    int16_t *be = calloc(N ? N : 1, sizeof *be);
    float *zeros = monthly ? NULL : calloc(N ? N : 1, sizeof *zeros);
    double *mmean = calloc(S ? S : 1, sizeof *mmean), *cpm = calloc(S ? S : 1, sizeof *cpm);
    double *cat = calloc(S * TCO_NCAT + 1, sizeof *cat);
    unsigned long clamped[1] = {0};
    ck_assert(be && (monthly || zeros) && mmean && cpm && cat);
    tco_run run;
    memset(&run, 0, sizeof run);
    run.sc = sc;
    run.n = n;
    run.T = 1;
    run.S = S;
    run.threads = threads;
    run.npv = (double *)(uintptr_t)npv;
    run.nominal = (double *)(uintptr_t)(nominal ? nominal : npv);
    run.breakeven = be;
    run.monthly = (float *)(uintptr_t)(monthly ? monthly : zeros);
    run.monthly_mean = mmean;
    run.cat_mean = cat;
    run.cpm_mean = cpm;
    run.clamped = clamped;
    tco_results *r;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&r, &run, &err), TCO_OK);
    free(be);
    free(zeros);
    free(mmean);
    free(cpm);
    free(cat);
    return r;
}

#endif
