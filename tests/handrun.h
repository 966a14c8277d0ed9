/* tco_results_compute over hand-made per-future arrays, for the Check
 * suites: a run of S strategies over n futures and one month. */
#ifndef TCO_TEST_HANDRUN_H
#define TCO_TEST_HANDRUN_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/engine.h"
#include "../sim/stats.h"

/* A run of S strategies over n futures and one month on threads threads:
 * the caller's npv, nominal and monthly arrays (S x n, strategy-major), the
 * other fields zero or NULL for the caller to set. */
static inline void hand_run(tco_run *run, const tco_scenario *sc, const double *npv,
                            const double *nominal, const float *monthly, size_t S, long n,
                            int threads)
{
    memset(run, 0, sizeof *run);
    run->sc = sc;
    run->n = n;
    run->T = 1;
    run->S = S;
    run->threads = threads;
    run->npv = (double *)(uintptr_t)npv;
    run->nominal = (double *)(uintptr_t)nominal;
    run->monthly = (float *)(uintptr_t)monthly;
}

/* tco_results_compute of such a run, also given its break-even months
 * (S x n), monthly means (S), discounted category means (S x TCO_NCAT)
 * and costs per million tokens (S), all the caller's; route changes and
 * first change months (S x n each) when switches is not NULL. */
static inline tco_results *hand_results_switching(const tco_scenario *sc, const double *npv,
                                                  const double *nominal, const float *monthly,
                                                  int16_t *breakeven, int16_t *switches,
                                                  int16_t *first_switch, double *monthly_mean,
                                                  double *cat_mean, double *cpm_mean, size_t S,
                                                  long n, int threads)
{
    unsigned long clamped[1] = {0};
    tco_run run;
    hand_run(&run, sc, npv, nominal, monthly, S, n, threads);
    run.breakeven = breakeven;
    run.switches = switches;
    run.first_switch = first_switch;
    run.monthly_mean = monthly_mean;
    run.cat_mean = cat_mean;
    run.cpm_mean = cpm_mean;
    run.clamped = clamped;
    tco_results *r;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&r, &run, &err), TCO_OK);
    return r;
}

/* hand_results_switching without route changes. */
static inline tco_results *hand_results_with(const tco_scenario *sc, const double *npv,
                                             const double *nominal, const float *monthly,
                                             int16_t *breakeven, double *monthly_mean,
                                             double *cat_mean, double *cpm_mean, size_t S,
                                             long n, int threads)
{
    return hand_results_switching(sc, npv, nominal, monthly, breakeven, NULL, NULL,
                                  monthly_mean, cat_mean, cpm_mean, S, n, threads);
}

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
    ck_assert(be && (monthly || zeros) && mmean && cpm && cat);
    tco_results *r = hand_results_with(sc, npv, nominal ? nominal : npv,
                                       monthly ? monthly : zeros, be, mmean, cat, cpm, S, n,
                                       threads);
    free(be);
    free(zeros);
    free(mmean);
    free(cpm);
    free(cat);
    return r;
}

#endif
