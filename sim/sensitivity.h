/* Which uncertain input decides the answer, and what is it worth to learn
 * it first?  Sensitivity of one strategy's NPV, or of the difference
 * between two strategies' NPVs, on the cost model:
 *   rank     Spearman correlation of each uncertain static input with the
 *            output, from one run; 95% interval from Fisher's z with the
 *            standard error 1.06 / sqrt(n - 3) (Fieller, Hartley and
 *            Pearson 1957).
 *   tornado  each input held at its P10, then its P90, the rest drawn as
 *            usual on the same seeds; the swing of the mean output.
 *   sobol    first- and total-order indices (sobolidx.h), N (D + 2) runs;
 *            correlations between inputs are ignored by this method.
 * Every method also reports the expected value of perfect information
 * (EVPI: the mean regret of the strategy best on average, tco_stats_evpi)
 * and, per input,
 * of partial perfect information (EVPPI), by the binned estimator of Strong
 * and Oakley (2014): sort the futures by the input, cut them into bins, and
 * compare the best strategy per bin with the best overall. */
#ifndef TCO_SENSITIVITY_H
#define TCO_SENSITIVITY_H

#include <stdio.h>

#include "engine.h"
#include "error.h"
#include "scenario.h"
#include "sobolidx.h"
#include "sweep.h"

typedef enum { TCO_SENS_RANK, TCO_SENS_TORNADO, TCO_SENS_SOBOL } tco_sens_method;

typedef struct {
    int input;                /* index into scenario->inputs */
    double value, low, high;  /* see sensitivity.csv in the README */
    double value2, low2, high2; /* sobol: total order (value: first order) */
} tco_sens_row;

typedef struct {
    tco_sens_method method;
    int output, versus;       /* strategies; versus -1: the output alone */
    double base_mean;         /* mean output with nothing held */
    tco_sens_row *rows;       /* most important first */
    size_t nrows;
    double evpi;
    tco_sens_row *evppi;      /* value = EVPPI, most valuable first */
    size_t nevppi;
    long runs;                /* model runs (futures x runs of the engine) */
    int quasi;                /* sobol: 1 when the Sobol sequence was used */
} tco_sensitivity;

/* Model runs a method will take (printed before starting). */
long tco_sensitivity_cost(const tco_scenario *sc, tco_sens_method m, long futures);

/* output < 0: the two strategies with the lowest mean NPV (output minus
 * versus); versus < 0 with output >= 0: that strategy's NPV alone. */
tco_status tco_sensitivity_run(tco_sensitivity **out, const tco_scenario *sc,
                               const tco_run_options *opt, tco_sens_method method, int output,
                               int versus, tco_error *err);
/* The same over several processes (tcosim-mpi): the base run by
 * d->execute (tco_run_execute's results on the root, *out NULL elsewhere),
 * the design runs by d->series (tco_sweep_runs_costing's contract, take
 * called on the root only), and d->share(v, count) giving every process
 * the root's count ints.  Every process calls it; on the root *out is what
 * tco_sensitivity_run gives, bit for bit; elsewhere NULL on success.  d
 * NULL: one process (tco_sensitivity_run). */
typedef struct {
    tco_status (*execute)(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                          tco_error *err);
    tco_status (*series)(const tco_scenario *sc, const tco_run_options *opt,
                         const tco_sweep_point *pt, size_t nruns, const unsigned char *costed,
                         tco_sweep_take take, void *ctx, long progress_before,
                         long progress_total, tco_error *err);
    void (*share)(int *v, size_t count);
    /* Sobol: tco_sobol_indices_threads with the bootstrap resamples shared
     * by the processes; fAB ((D + 2) x N: A's outputs, B's, then AB_i's)
     * filled on the root only, every process's of that size; out filled
     * on the root.  NULL: the root alone. */
    tco_status (*indices)(double *fAB, size_t N, size_t D, size_t nboot, uint64_t seed,
                          int threads, tco_sobol_index *out, tco_error *err);
} tco_sens_distribute;

tco_status tco_sensitivity_run_with(tco_sensitivity **out, const tco_scenario *sc,
                                    const tco_run_options *opt, tco_sens_method method,
                                    int output, int versus, const tco_sens_distribute *d,
                                    tco_error *err);

void tco_sensitivity_free(tco_sensitivity *s);

/* An input is worth measuring when its EVPPI exceeds this fraction of the
 * EVPI.  The binned estimator (Strong and Oakley 2014) is biased upward by
 * sampling noise (the minimum of noisy bin means), so tiny positive values
 * are noise, not value; 1% of the EVPI is also below what a measurement
 * would be worth acting on.  EVPPI <= EVPI always, so a zero EVPI leaves
 * nothing worth measuring.  Every reader (the table, the charts, the board
 * packs) asks tco_evppi_worth. */
#define TCO_EVPPI_NOISE 0.01
static inline int tco_evppi_worth(double evppi, double evpi)
{
    return evpi > 0 && evppi > TCO_EVPPI_NOISE * evpi;
}

/* The binned EVPPI of x (n values) for costs npv (S x n, strategy-major). */
double tco_evppi(const double *x, size_t stride, const double *npv, size_t n, size_t S,
                 size_t bins);
/* The same in two steps, for many inputs of one run: the strategy of the
 * lowest mean NPV and that mean (*best), -1 when none is finite (or out
 * of memory); then each input's EVPPI from them (NAN for choice -1). */
int tco_evppi_choice(const double *npv, size_t n, size_t S, double *best);
double tco_evppi_of(const double *x, size_t stride, const double *npv, size_t n, size_t S,
                    size_t bins, int choice, double best);

const char *tco_sens_name(tco_sens_method m);

/* sensitivity.csv: method,input,value,low,high.  Methods: rank (value the
 * correlation, low/high its interval), tornado (value the swing, low/high
 * the mean output at P10 and at P90), sobol_total and sobol_first (the
 * indices and their intervals), evppi, and one evpi row and one base row
 * (the mean output) with input "(all)". */
tco_status tco_write_sensitivity_csv(FILE *f, const tco_sensitivity *r, const tco_scenario *sc);

#endif
