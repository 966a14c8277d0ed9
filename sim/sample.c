#include "sample.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

struct tco_sampler {
    const tco_scenario *sc;
    tco_sampling method;
    size_t ndims;
    double *table;       /* n x ndims, lhs and sobol */
    const double *given; /* a caller's table, used as is */
};

tco_status tco_sampler_from_table(tco_sampler **out, const tco_scenario *sc, const double *table,
                                  tco_error *err)
{
    tco_sampler *s = calloc(1, sizeof *s);
    if (!s)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    s->sc = sc;
    s->method = TCO_SAMPLING_SOBOL;
    s->ndims = sc->ndims;
    s->given = table;
    *out = s;
    return TCO_OK;
}

size_t tco_sampler_bytes(const tco_scenario *sc, tco_sampling method, long n)
{
    if (method == TCO_SAMPLING_RANDOM)
        return 0;
    return (size_t)n * sc->ndims * sizeof(double) + (size_t)n * sizeof(uint32_t);
}

/* Fills column d of the table with a Latin hypercube sample. */
static void lhs_column(double *table, size_t ndims, size_t d, long n, uint32_t *perm,
                       tco_rng *r)
{
    for (long i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    /* Fisher-Yates with an unbiased bounded draw (Lemire 2019). */
    for (long i = n - 1; i > 0; i--) {
        uint64_t bound = (uint64_t)i + 1;
        u128 m = (u128)tco_rng_next(r) * bound;
        uint64_t lo = (uint64_t)m;
        if (lo < bound) {
            uint64_t t = -bound % bound;
            while (lo < t) {
                m = (u128)tco_rng_next(r) * bound;
                lo = (uint64_t)m;
            }
        }
        long j = (long)(m >> 64);
        uint32_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    for (long i = 0; i < n; i++)
        table[(size_t)i * ndims + d] = (perm[i] + tco_rng_uniform(r)) / (double)n;
}

tco_status tco_sampler_alloc(tco_sampler **out, const tco_scenario *sc, tco_sampling method,
                             long n, uint64_t seed, const tco_zig *zig, tco_error *err)
{
    *out = NULL;
    tco_sampler *s = calloc(1, sizeof *s);
    if (!s)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    s->sc = sc;
    s->method = method;
    s->ndims = sc->ndims;
    if (method == TCO_SAMPLING_RANDOM || s->ndims == 0) {
        if (method != TCO_SAMPLING_RANDOM)
            s->method = TCO_SAMPLING_RANDOM; /* nothing uncertain to stratify */
        *out = s;
        return TCO_OK;
    }
    size_t nd = s->ndims;
    s->table = malloc((size_t)n * nd * sizeof *s->table);
    uint32_t *perm = malloc((size_t)n * sizeof *perm);
    if (!s->table || !perm) {
        free(perm);
        tco_sampler_free(s);
        return tco_error_set(err, TCO_ENOMEM, "out of memory for the %s table of %ld futures",
                             tco_sampling_name(method), n);
    }
    size_t first_lhs = 0;
    if (method == TCO_SAMPLING_SOBOL) {
        size_t qd = nd < TCO_SOBOL_MAX_DIM ? nd : TCO_SOBOL_MAX_DIM;
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)qd);
        double shift[TCO_SOBOL_MAX_DIM], pt[TCO_SOBOL_MAX_DIM];
        if (!q) {
            free(perm);
            tco_sampler_free(s);
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        }
        tco_rng r;
        tco_rng_seed(&r, zig, seed, TCO_STREAM_GLOBAL | 1);
        for (size_t d = 0; d < qd; d++)
            shift[d] = tco_rng_uniform(&r);
        /* GSL's generator starts after the origin; the origin is point 0 of
         * the sequence, and without it the first 2^m points are not a
         * (0, m, s)-net (one stratum of each dimension stays empty). */
        for (size_t d = 0; d < qd; d++)
            pt[d] = 0;
        for (long i = 0; i < n; i++) {
            if (i > 0)
                gsl_qrng_get(q, pt);
            for (size_t d = 0; d < qd; d++) {
                double u = pt[d] + shift[d];
                u -= (u >= 1.0);
                if (u <= 0.0)
                    u = 0x1.0p-60;
                s->table[(size_t)i * nd + d] = u;
            }
        }
        gsl_qrng_free(q);
        first_lhs = qd;
    }
    for (size_t d = first_lhs; d < nd; d++) {
        tco_rng r;
        tco_rng_seed(&r, zig, seed, TCO_STREAM_GLOBAL | (2 + d));
        lhs_column(s->table, nd, d, n, perm, &r);
    }
    free(perm);
    *out = s;
    return TCO_OK;
}

void tco_sampler_free(tco_sampler *s)
{
    if (!s)
        return;
    free(s->table);
    free(s);
}

void tco_sample_correlate(const tco_scenario *sc, double *u, double *scratch)
{
    size_t m = sc->ncorr;
    if (m == 0)
        return;
    double *z = scratch, *w = scratch + m;
    for (size_t j = 0; j < m; j++)
        z[j] = gsl_cdf_ugaussian_Pinv(u[sc->corr_dims[j]]);
    for (size_t i = 0; i < m; i++) {
        double acc = 0;
        const double *row = sc->corr_chol + i * m;
        for (size_t j = 0; j <= i; j++)
            acc += row[j] * z[j];
        w[i] = acc;
    }
    for (size_t j = 0; j < m; j++) {
        /* Keep the result strictly inside (0, 1) for the quantile functions. */
        double v = gsl_cdf_ugaussian_P(w[j]);
        if (v <= 0)
            v = 0x1.0p-60;
        if (v >= 1)
            v = 1 - 0x1.0p-53;
        u[sc->corr_dims[j]] = v;
    }
}

void tco_sampler_uniforms(const tco_sampler *s, long i, tco_rng *rng, double *u, double *scratch)
{
    size_t nd = s->ndims;
    if (s->given) {
        memcpy(u, s->given + (size_t)i * nd, nd * sizeof *u);
        return;
    }
    if (s->method == TCO_SAMPLING_RANDOM) {
        for (size_t d = 0; d < nd; d++)
            u[d] = tco_rng_uniform(rng);
    } else {
        memcpy(u, s->table + (size_t)i * nd, nd * sizeof *u);
    }
    tco_sample_correlate(s->sc, u, scratch);
}

void tco_sample_uncertain(const tco_scenario *sc, const double *u, double *x, unsigned *clamped)
{
    for (size_t d = 0; d < sc->ndims; d++) {
        int k = sc->dim_input[d];
        const tco_input *in = &sc->inputs[k];
        double v = tco_dist_quantile(&in->dist, u[d]);
        double c = tco_domain_clamp(&in->dom, v);
        if (c != v && clamped)
            clamped[k]++;
        x[k] = c;
    }
}

void tco_sample_inputs(const tco_scenario *sc, const double *u, double *x, unsigned *clamped)
{
    for (size_t k = 0; k < sc->ninputs; k++) {
        const tco_input *in = &sc->inputs[k];
        double v;
        if (in->dim >= 0)
            v = tco_dist_quantile(&in->dist, u[in->dim]);
        else if (in->fresh)
            v = tco_dist_mean(&in->dist);
        else
            v = tco_dist_quantile(&in->dist, 0.5);
        double c = tco_domain_clamp(&in->dom, v);
        if (c != v && clamped && !in->fresh)
            clamped[k]++;
        x[k] = c;
    }
}
