#include "sobolidx.h"

#include <gsl/gsl_qrng.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "stats.h"

tco_status tco_saltelli_design(size_t N, size_t D, uint64_t seed, double *A, double *B, int *quasi,
                               tco_error *err)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, seed, TCO_STREAM_GLOBAL | 0x5A17E11ULL);
    *quasi = 2 * D <= 40;
    if (!*quasi) {
        for (size_t j = 0; j < N; j++)
            for (size_t i = 0; i < D; i++) {
                A[j * D + i] = tco_rng_uniform(&r);
                B[j * D + i] = tco_rng_uniform(&r);
            }
        return TCO_OK;
    }
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * D));
    if (!q)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    double shift[40], pt[40];
    for (size_t k = 0; k < 2 * D; k++)
        shift[k] = tco_rng_uniform(&r);
    /* Point 0 is the origin, which GSL's generator skips: with it, the
     * first 2^m rows are a (0, m, 2D)-net before the shift. */
    for (size_t k = 0; k < 2 * D; k++)
        pt[k] = 0;
    for (size_t j = 0; j < N; j++) {
        if (j > 0)
            gsl_qrng_get(q, pt);
        for (size_t k = 0; k < 2 * D; k++) {
            double u = pt[k] + shift[k];
            u -= u >= 1.0;
            if (u <= 0)
                u = 0x1.0p-60;
            if (k < D)
                A[j * D + k] = u;
            else
                B[j * D + k - D] = u;
        }
    }
    gsl_qrng_free(q);
    return TCO_OK;
}

void tco_saltelli_mix(const double *A, const double *B, size_t N, size_t D, size_t i, double *out)
{
    memcpy(out, A, N * D * sizeof *out);
    for (size_t j = 0; j < N; j++)
        out[j * D + i] = B[j * D + i];
}

/* The indices on rows idx[0..N) (a bootstrap resample, or 0..N-1). */
static void estimate(const double *fA, const double *fB, const double *fAB, size_t N, size_t D,
                     const size_t *idx, double *S, double *ST)
{
    double mean = 0, var = 0;
    for (size_t j = 0; j < N; j++)
        mean += fA[idx[j]] + fB[idx[j]];
    mean /= 2.0 * (double)N;
    for (size_t j = 0; j < N; j++) {
        double a = fA[idx[j]] - mean, b = fB[idx[j]] - mean;
        var += a * a + b * b;
    }
    var /= 2.0 * (double)N - 1;
    for (size_t i = 0; i < D; i++) {
        const double *fi = fAB + i * N;
        double s = 0, t = 0;
        for (size_t j = 0; j < N; j++) {
            size_t k = idx[j];
            s += fB[k] * (fi[k] - fA[k]);
            t += (fA[k] - fi[k]) * (fA[k] - fi[k]);
        }
        S[i] = var > 0 ? s / (double)N / var : 0;
        ST[i] = var > 0 ? t / (2.0 * (double)N) / var : 0;
    }
}

tco_status tco_sobol_indices(const double *fA, const double *fB, const double *fAB, size_t N,
                             size_t D, size_t nboot, uint64_t seed, tco_sobol_index *out,
                             tco_error *err)
{
    return tco_sobol_indices_threads(fA, fB, fAB, N, D, nboot, seed, 1, out, err);
}

tco_status tco_sobol_resamples(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t D, size_t b0, size_t b1, uint64_t seed, int threads,
                               double *rep, tco_error *err)
{
    if (b1 <= b0)
        return TCO_OK;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if (nt < 1)
        nt = 1;
    const size_t nb = b1 - b0;
    size_t *idx = malloc(N * (size_t)nt * sizeof *idx);
    tco_rng *at = malloc(nb * sizeof *at);
    if (!idx || !at) {
        free(idx);
        free(at);
        return tco_error_set(err, TCO_ENOMEM, "out of memory for the bootstrap");
    }
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, seed, TCO_STREAM_GLOBAL | 0xB0075ULL);
    /* Where the stream stands at each resample (N uniforms each, one
     * 64-bit step a uniform), so that the resamples can be computed in
     * any order and by any process. */
    for (size_t k = 0; k < b0 * N; k++)
        (void)tco_rng_next(&r);
    for (size_t b = 0; b < nb; b++) {
        at[b] = r;
        for (size_t j = 0; j < N; j++)
            (void)tco_rng_next(&r);
    }
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
    for (size_t b = 0; b < nb; b++) {
        int me = omp_get_thread_num();
        size_t *ix = idx + (size_t)me * N;
        tco_rng rb = at[b];
        for (size_t j = 0; j < N; j++)
            ix[j] = (size_t)(tco_rng_uniform(&rb) * (double)N) % N;
        estimate(fA, fB, fAB, N, D, ix, rep + b * 2 * D, rep + b * 2 * D + D);
    }
    free(idx);
    free(at);
    return TCO_OK;
}

tco_status tco_sobol_intervals(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t D, size_t nboot, const double *rep, tco_sobol_index *out,
                               tco_error *err)
{
    size_t *idx = malloc(N * sizeof *idx);
    double *S = malloc(D * sizeof *S), *ST = malloc(D * sizeof *ST);
    double *col = malloc((nboot + 1) * sizeof *col);
    tco_status st = TCO_OK;
    if (!idx || !S || !ST || !col) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < N; j++)
        idx[j] = j;
    estimate(fA, fB, fAB, N, D, idx, S, ST);
    const double p[2] = {0.025, 0.975};
    double q[2];
    for (size_t i = 0; i < D; i++) {
        out[i].first = S[i];
        out[i].total = ST[i];
        if (nboot == 0) {
            out[i].first_lo = out[i].first_hi = out[i].first;
            out[i].total_lo = out[i].total_hi = out[i].total;
            continue;
        }
        for (size_t b = 0; b < nboot; b++)
            col[b] = rep[b * 2 * D + i];
        tco_stats_percentiles(col, nboot, p, 2, q);
        out[i].first_lo = q[0];
        out[i].first_hi = q[1];
        for (size_t b = 0; b < nboot; b++)
            col[b] = rep[b * 2 * D + D + i];
        tco_stats_percentiles(col, nboot, p, 2, q);
        out[i].total_lo = q[0];
        out[i].total_hi = q[1];
    }
done:
    free(idx);
    free(S);
    free(ST);
    free(col);
    return st;
}

tco_status tco_sobol_indices_threads(const double *fA, const double *fB, const double *fAB,
                                     size_t N, size_t D, size_t nboot, uint64_t seed,
                                     int threads, tco_sobol_index *out, tco_error *err)
{
    double *rep = malloc((nboot * 2 * D + 1) * sizeof *rep);
    if (!rep)
        return tco_error_set(err, TCO_ENOMEM, "out of memory for the bootstrap");
    tco_status st = tco_sobol_resamples(fA, fB, fAB, N, D, 0, nboot, seed, threads, rep, err);
    if (st == TCO_OK)
        st = tco_sobol_intervals(fA, fB, fAB, N, D, nboot, rep, out, err);
    free(rep);
    return st;
}
