/* Variance-based sensitivity indices, independent of the cost model.
 *
 * Design: Saltelli (2010), "Variance based sensitivity analysis of model
 * output": two N x D matrices A and B of uniforms, taken from one
 * 2D-dimensional Sobol sequence (GSL) with a random shift per column (or
 * from pseudo-random numbers when 2D exceeds GSL's 40 dimensions), and for
 * each input i the matrix AB_i: A with column i taken from B.  The model is
 * run on A, B and every AB_i: N (D + 2) runs.
 * Estimators: first order, Saltelli (2010), S_i = mean(f(B)(f(AB_i) - f(A))) / V;
 * total order, Jansen (1999), ST_i = mean((f(A) - f(AB_i))^2) / (2V); V the
 * variance of f over A and B together.  95% intervals: percentile bootstrap
 * over the N rows (Archer, Saltelli and Sobol 1997). */
#ifndef TCO_SOBOLIDX_H
#define TCO_SOBOLIDX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct {
    double first, first_lo, first_hi;
    double total, total_lo, total_hi;
} tco_sobol_index;

/* Fills A and B (each N x D, row-major).  Returns 1 in *quasi when the Sobol
 * sequence was used, 0 for pseudo-random numbers. */
tco_status tco_saltelli_design(size_t N, size_t D, uint64_t seed, double *A, double *B, int *quasi,
                               tco_error *err);

/* out = A with column i replaced by B's. */
void tco_saltelli_mix(const double *A, const double *B, size_t N, size_t D, size_t i, double *out);

/* Indices from the outputs fA, fB (N each) and fAB (D x N, row i for AB_i),
 * with nboot bootstrap resamples drawn from seed. */
tco_status tco_sobol_indices(const double *fA, const double *fB, const double *fAB, size_t N,
                             size_t D, size_t nboot, uint64_t seed, tco_sobol_index *out,
                             tco_error *err);

/* The same on up to threads threads (0: OpenMP's default), with the same
 * results for any number: each resample's rows are drawn from where the
 * one stream stands at its start. */
tco_status tco_sobol_indices_threads(const double *fA, const double *fB, const double *fAB,
                                     size_t N, size_t D, size_t nboot, uint64_t seed,
                                     int threads, tco_sobol_index *out, tco_error *err);

/* The two halves of tco_sobol_indices_threads, so that processes can share
 * the resamples (tcosim-mpi).  Resamples b0..b1 - 1 on up to threads
 * threads: rep (caller's, (b1 - b0) x 2D) gets in row b - b0 resample b's
 * first-order indices then its total-order ones.  Resample b draws its N
 * rows from the stream of seed where it stands after b N uniforms, so a
 * resample's bits depend on b alone, never on b0, b1 or threads. */
tco_status tco_sobol_resamples(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t D, size_t b0, size_t b1, uint64_t seed, int threads,
                               double *rep, tco_error *err);

/* The indices on all N rows, and their intervals from the nboot resamples
 * rep (nboot x 2D, from tco_sobol_resamples). */
tco_status tco_sobol_intervals(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t D, size_t nboot, const double *rep, tco_sobol_index *out,
                               tco_error *err);

#endif
