/* Statistics of a run (MODEL.md section 10): exact percentiles by selection,
 * CVaR, probability of being cheapest, regret and break-even.
 *
 * Percentiles interpolate linearly between order statistics (Hyndman and
 * Fan 1996, type 7).  Sums over futures are exact (select.h, tco_xsum),
 * so results do not depend on the number of threads, on the order of the
 * futures or on how they are split among processes.  Monthly bands are exact percentiles of monthly
 * costs stored in single precision: each band is within 2^-24 (6e-8) of the
 * largest magnitude it interpolates between.  A run too large to store its
 * monthly costs (engine.h, monthly_limit) has them recomputed: three passes
 * over the futures find each wanted order statistic by the bits of its
 * float, 11, 11 and 10 at a time (a radix selection counted in
 * histograms), so the bands are the same bit for bit.  A run that asks
 * (tco_run_options.count_bands) counts the first pass as it computes its
 * futures, and the bands compute them again twice. */
#ifndef TCO_STATS_H
#define TCO_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "decision.h"
#include "engine.h"
#include "error.h"

#define TCO_NPCT 7  /* 5, 10, 25, 50, 75, 90, 95 */
#define TCO_NBAND 5 /* 5, 25, 50, 75, 95 */

extern const double TCO_PCT[TCO_NPCT];
extern const double TCO_BAND[TCO_NBAND];

typedef struct {
    double mean, sd, se, p[TCO_NPCT], cvar95, min, max;
} tco_summary;

/* Savings against the baseline (strategy 0), paired on each future:
 * baseline NPV minus this strategy's NPV (positive: this strategy saves).
 * Filled by tco_results_compute; the baseline's own savings are all 0. */
typedef struct {
    double mean, ci_low, ci_high; /* mean and its 95% interval (mean -+ 1.96 SE) */
    double p[TCO_NPCT];           /* percentiles at TCO_PCT */
    double p_saves;               /* P(savings > 0) */
    double p_saves_more;          /* P(savings > the threshold asked for); NAN without one */
    double identical;             /* fraction of futures whose NPV equals the baseline's */
} tco_savings;

typedef struct {
    tco_summary npv;
    tco_savings savings;
    double nominal_mean, cost_per_mtok, p_cheapest;
    double regret_mean, regret_p95;
    double breakeven_probability, breakeven_median; /* NAN when it never happens */
    /* Route changes by switch or review (MODEL.md 20): the mean count, the
     * probability of at least one, and the median over those futures of the
     * month from which the first new route applies (NAN when none). */
    double switches_mean, switches_probability, switches_median_first;
    /* MODEL.md 19, 20: the certainty equivalent of the NPVs (NAN without a
     * risk tolerance), the probability that the NPV is at most the budget
     * (NAN without a budget) and the value of the decision criterion. */
    double ce, p_within_budget, criterion_value;
    double unserved; /* mean unserved requests per future (MODEL.md 15, 20) */
    double *monthly_mean;            /* T values */
    double *monthly_band[TCO_NBAND]; /* T values each */
    double cat[TCO_NCAT];
} tco_strategy_result;

typedef struct tco_results {
    size_t S;
    int T;
    long n;
    tco_strategy_result *st;
    int best;    /* the strategy with the lowest finite mean NPV; -1 when none */
    double evpi; /* the mean regret of best: the expected value of perfect
                    information; NAN when best < 0 */
    tco_criterion criterion; /* the scenario's decision criterion (MODEL.md 19) */
    int recommended; /* the strategy with the lowest finite criterion value (the
                        first on ties); -1 when none */
    double *p_cheaper; /* S x S: [a * S + b] = P(NPV of a < NPV of b), paired on futures */
    double *identical; /* S x S: [a * S + b] = fraction of futures where a's NPV equals b's */
    /* S x S, paired on futures: the mean of |NPV of a - NPV of b| and the
     * standard error of the mean of (NPV of a - NPV of b). */
    double *mean_abs_diff, *diff_se;
    double saves_more_than; /* the threshold of savings.p_saves_more; NAN: none */
    tco_decision decision;  /* what the statistics say, computed once (decision.h) */
    /* The cumulative bands (tco_cumulative_compute), computed with the
     * monthly bands when the run recomputes its monthly costs (the same
     * passes over the futures serve both); NULL when the run stores them.
     * Owned by the results. */
    struct tco_cumulative *cumulative;
} tco_results;

/* Decision statistics of costs npv (S x n, strategy-major: future i of
 * strategy s at [s * n + i]).  Every sum over futures is exact (select.h,
 * tco_xsum) and rounded once, so each statistic has the same bits for the
 * futures in any order or split into any parts: a distributed run adds its
 * parts' tco_xsum states (tco_xsum_merge, tco_xsum_reduce).  These are the
 * only definitions: results, sweeps and sensitivity analyses call them. */

/* The mean of each strategy's costs into mean[0..S). */
void tco_stats_means(const double *npv, size_t n, size_t S, double *mean);

/* The strategy with the lowest mean among mean[0..S) that are finite (the
 * first on ties); -1 when no mean is finite. */
int tco_stats_best_mean(const double *mean, size_t S);

/* The probability that each strategy is cheapest into p[0..S): futures
 * where several strategies tie for cheapest count for each a share. */
void tco_stats_p_cheapest(const double *npv, size_t n, size_t S, double *p);

/* The cheapest of future i's NPVs (strategy s's at npv[s * ld + i]; the
 * first strategy's where none is lower); with count (S x S), one more
 * future for each strategy at that cost, count[s * S + k - 1] when k
 * strategies tie there. */
static inline double tco_stats_cheapest(const double *npv, size_t ld, size_t S, size_t i,
                                        uint64_t *count)
{
    double m = npv[i];
    for (size_t s = 1; s < S; s++)
        m = npv[s * ld + i] < m ? npv[s * ld + i] : m;
    if (count) {
        size_t ties = 0;
        for (size_t s = 0; s < S; s++)
            ties += npv[s * ld + i] == m;
        for (size_t s = 0; s < S; s++)
            if (npv[s * ld + i] == m)
                count[s * S + ties - 1]++;
    }
    return m;
}

/* The expected value of perfect information: the mean regret (cost minus
 * the future's cheapest cost) of the strategy with the lowest mean; NAN
 * when no strategy has a finite mean. */
double tco_stats_evpi(const double *npv, size_t n, size_t S);

/* The certainty equivalent of costs x[0..n) with risk tolerance rt > 0
 * (exponential utility, MODEL.md 19):
 * m + rt ln((1/n) sum_i exp((x_i - m) / rt)), m = max_i x_i, the sum
 * exact. */
double tco_stats_ce(const double *x, size_t n, double rt);

/* The value of the decision criterion c for a strategy's results q (its
 * NPV's mean, P50, P90, P95 or CVaR95, or its certainty equivalent). */
double tco_stats_criterion_value(tco_criterion c, const tco_strategy_result *q);

/* What the criterion asks for, in words: "lowest mean NPV", ... */
const char *tco_criterion_words(tco_criterion c);

/* Computes every statistic of run.  *out belongs to the caller. */
tco_status tco_results_compute(tco_results **out, const tco_run *run, tco_error *err);

/* Sets the savings threshold x (--saves-more-than): fills each strategy's
 * savings.p_saves_more = P(baseline NPV - its NPV > x) from run, the run
 * that r was computed from.  x NAN clears them (to NAN). */
void tco_results_set_saves_more_than(tco_results *r, const tco_run *run, double x);
void tco_results_free(tco_results *r);

/* Type-7 percentiles p[0..np) (each in [0, 1], ascending) of x[0..n), n >= 1.
 * x may be reordered (large columns are selected by buckets, x read only;
 * small ones, and those bucketing does not suit, by partitioning x). */
void tco_stats_percentiles(double *x, size_t n, const double *p, size_t np, double *out);
void tco_stats_percentiles_f(float *x, size_t n, const double *p, size_t np, double *out);
/* The same, x left as it is: spare (n floats) holds a copy to reorder
 * only when the selection's scratch cannot be allocated. */
void tco_stats_percentiles_f_kept(const float *x, float *spare, size_t n, const double *p,
                                  size_t np, double *out);

/* Mean of the ceil(alpha n) largest values of x (which may be reordered):
 * those above the threshold selected and the ties needed at it, their sum
 * exact: the same bits as tco_select_cvar on any partition of x.  NaN when
 * x holds a NaN. */
double tco_stats_cvar(double *x, size_t n, double alpha);


/* Bands of each strategy's cumulative nominal cost over time and of its
 * cumulative difference from the baseline (strategy 0): the data of the
 * cumulative fan and break-even charts.  Exact type-7 percentiles over
 * futures, month by month. */
typedef struct tco_cumulative {
    size_t S;
    int T;
    double *cum;  /* S x TCO_NBAND x T: [(s * TCO_NBAND + b) * T + t] */
    double *diff; /* S x TCO_NBAND x T, strategy minus baseline */
} tco_cumulative;

/* The bytes a thread holds for a run that recomputes its monthly bands
 * (S strategies, T months), beside its histograms: its buffer of the
 * futures' keys waiting to be counted (tco_run_bytes adds them). */
size_t tco_stats_bands_buffer_bytes(size_t S, size_t T);

/* The first counting pass of the monthly and cumulative bands of a run
 * whose monthly costs are not stored, counted as the run computes its
 * futures (tco_run_options.count_bands), so that the bands compute them
 * again twice, not three times: the same counts.  n futures, S
 * strategies, T months, nthreads threads (the run's); *out belongs to
 * the caller (tco_bands_pass_free).  Each future's monthly costs are
 * visited once, on the thread that computed them: month[s * T + t],
 * rounded to float as the stored costs are. */
tco_status tco_bands_pass_alloc(tco_bands_pass **out, size_t S, size_t T, long n,
                                size_t nthreads, tco_error *err);
void tco_bands_pass_visit(tco_bands_pass *p, int thread, long i, const float *month);
void tco_bands_pass_free(tco_bands_pass *p);

/* From the run's monthly arrays, or, when it stores none, by recomputing
 * its futures (as tco_results_compute does). */
tco_status tco_cumulative_compute(tco_cumulative **out, const tco_run *run, tco_error *err);
void tco_cumulative_free(tco_cumulative *c);

/* Every order statistic needed for an S-curve: the type-7 percentiles of
 * strategy s's NPV at p[0..np) (any count, ascending). */
tco_status tco_stats_npv_curve(const tco_run *run, size_t s, const double *p, size_t np,
                               double *out, tco_error *err);

/* The same for every strategy, s's curve at out + s * np: strategies in
 * parallel on the run's threads, each from its own copy of the NPVs (the
 * same values for any thread count). */
tco_status tco_stats_npv_curves(const tco_run *run, const double *p, size_t np, double *out,
                                tco_error *err);

/* The savings S-curves: the type-7 percentiles at p[0..np) of each
 * strategy's savings against the baseline (the baseline's NPV minus its
 * own, future by future), s's at out + s * np for s >= 1 (row 0 is left
 * as it is). */
tco_status tco_stats_savings_curves(const tco_run *run, const double *p, size_t np, double *out,
                                    tco_error *err);

/* Counts of each strategy's NPVs in nbins equal bins over [lo, hi] (hi in
 * the last bin, values outside left out), s's at count + s * nbins; nbins
 * at most TCO_OP_MAXP. */
void tco_stats_npv_density(const tco_run *run, double lo, double hi, size_t nbins,
                           double *count);

/* A spread run of tcosim-mpi (engine.h): on a process other than the one
 * writing the results, computes with it what it asked for (op, passed by
 * its run's reduce begin), and drops the result; TCO_EINVAL for an
 * unknown request.  Probabilities in requests: at most TCO_OP_MAXP. */
tco_status tco_run_serve(const tco_run *run, const tco_run_op *op, tco_error *err);

#endif
