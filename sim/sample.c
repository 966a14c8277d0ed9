#include "sample.h"

#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include <string.h>

/* Sobol points are computed for indices below 2^TCO_SOBOL_BITS, as GSL's
 * generator (which stops there); every run's futures fit. */
#define TCO_SOBOL_BITS 30
_Static_assert(TCO_MAX_FUTURES <= (1L << TCO_SOBOL_BITS), "Sobol indices need 30 bits");

/* Rounds of the Feistel network of an LHS column, and the column's keys:
 * one per round and one for the jitter. */
#define LHS_ROUNDS 4
#define LHS_KEYS (LHS_ROUNDS + 1)

struct tco_sampler {
    const tco_scenario *sc;
    tco_sampling method;
    size_t ndims;
    size_t nsobol;   /* leading dimensions from the Sobol sequence */
    long n;          /* futures: strata of an LHS column */
    unsigned bits;   /* LHS permutations act on [0, 2^bits), 2^bits >= n */
    uint64_t *keys;  /* LHS_KEYS per LHS column (dimensions nsobol to ndims) */
    /* Direction numbers of GSL's Sobol generator, scaled to 30 bits:
     * dir[b][d] for bit b of the Gray code, dimension d. */
    uint32_t dir[TCO_SOBOL_BITS][TCO_SOBOL_MAX_DIM];
    double shift[TCO_SOBOL_MAX_DIM];
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
    (void)n; /* rows are computed per future: nothing grows with n */
    if (method == TCO_SAMPLING_RANDOM)
        return 0;
    return sizeof(tco_sampler) + sc->ndims * LHS_KEYS * sizeof(uint64_t);
}

/* Sobol: GSL's primitive polynomials (degree and coefficients, the leading
 * term left out) and initial direction numbers for its 40 dimensions
 * (Bratley and Fox 1988, from Sobol and Levitan 1976).  Dimension 0 is the
 * van der Corput sequence. */
static const unsigned short sobol_poly[TCO_SOBOL_MAX_DIM] = {
    1,   3,   7,   11,  13,  19,  25,  37,  59,  47,  61,  55,  41,  67,
    97,  91,  109, 103, 115, 131, 193, 137, 145, 143, 241, 157, 185, 167,
    229, 171, 213, 191, 253, 203, 211, 239, 247, 285, 369, 299};
static const unsigned char sobol_degree[TCO_SOBOL_MAX_DIM] = {
    0, 1, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8};
static const unsigned char sobol_init[8][TCO_SOBOL_MAX_DIM] = {
    {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {0, 0, 1, 3, 1, 3, 1, 3, 3, 1, 3, 1, 3, 1, 3, 1, 1, 3, 1, 3,
     1, 3, 1, 3, 3, 1, 3, 1, 3, 1, 3, 1, 1, 3, 1, 3, 1, 3, 1, 3},
    {0, 0, 0, 7, 5, 1, 3, 3, 7, 5, 5, 7, 7, 1, 3, 3, 7, 5, 1, 1,
     5, 3, 3, 1, 7, 5, 1, 3, 3, 7, 5, 1, 1, 5, 7, 7, 5, 1, 3, 3},
    {0, 0, 0, 0, 0, 1,  7, 9,  13, 11, 1, 3,  7, 9,  5,  13, 13, 11, 3, 15,
     5, 3, 15, 7, 9, 13, 9, 1, 11, 7,  5, 15, 1, 15, 11, 5,  3,  1,  7, 9},
    {0,  0,  0, 0,  0,  0,  0, 9, 3,  27, 15, 29, 21, 23, 19, 11, 25, 7,  13, 17,
     1,  25, 29, 3, 31, 11, 5, 23, 27, 19, 21, 5, 1,  17, 13, 7,  15, 9,  31, 9},
    {0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  37, 33, 7,  5,  11, 39, 63,
     27, 17, 15, 23, 29, 3,  21, 13, 31, 25, 9,  49, 33, 19, 29, 11, 19, 27, 15, 25},
    {0,  0,  0,   0,  0,  0,  0,   0,  0,  0,   0, 0,  0,  0,  0, 0,   0,  0,  0,  13,
     33, 115, 41, 79, 17, 29, 119, 75, 73, 105, 7, 59, 65, 21, 3, 113, 61, 89, 45, 107},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 23, 39}};

/* The direction numbers of dimension d (Bratley and Fox 1988, section 2):
 * m_j = m_{j-q} ^ sum_k a_k 2^(k+1) m_{j-k-1} for a polynomial of degree q,
 * then m_j scaled by 2^(29-j), as gsl_qrng_sobol does. */
static void sobol_directions(uint32_t dir[][TCO_SOBOL_MAX_DIM], size_t d)
{
    uint32_t m[TCO_SOBOL_BITS];
    int q = sobol_degree[d];
    for (int j = 0; j < TCO_SOBOL_BITS; j++) {
        if (j < q || d == 0) {
            m[j] = d == 0 ? 1 : sobol_init[j][d];
            continue;
        }
        uint32_t v = m[j - q];
        for (int k = 0; k < q; k++)
            if ((sobol_poly[d] >> (q - 1 - k)) & 1)
                v ^= (2u << k) * m[j - k - 1];
        m[j] = v;
    }
    for (int j = 0; j < TCO_SOBOL_BITS; j++)
        dir[j][d] = m[j] << (TCO_SOBOL_BITS - 1 - j);
}

uint32_t tco_sobol_numerator(const tco_sampler *s, long i, size_t d)
{
    uint64_t g = (uint64_t)i ^ ((uint64_t)i >> 1);
    uint32_t num = 0;
    for (int b = 0; g; b++, g >>= 1)
        if (g & 1)
            num ^= s->dir[b][d];
    return num;
}

/* LHS permutations: a keyed Feistel network on [0, 2^bits) (the high
 * `hi` bits and the low `lo` bits swap roles at each round, so odd widths
 * work), restricted to [0, n) by cycle walking (Black and Rogaway 2002). */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t feistel(const uint64_t *key, unsigned bits, uint64_t x)
{
    unsigned hi = bits / 2, lo = bits - hi;
    for (int r = 0; r < LHS_ROUNDS; r++) {
        uint64_t L = x >> lo, R = x & ((1ULL << lo) - 1);
        uint64_t f = mix64(R ^ key[r]) & ((1ULL << hi) - 1);
        x = (R << hi) | (L ^ f);
        unsigned t = hi;
        hi = lo;
        lo = t;
    }
    return x;
}

static uint64_t feistel_inverse(const uint64_t *key, unsigned bits, uint64_t x)
{
    for (int r = LHS_ROUNDS - 1; r >= 0; r--) {
        /* Before round r the high part had hi bits, the low part lo. */
        unsigned hi = (r % 2 == 0) ? bits / 2 : bits - bits / 2, lo = bits - hi;
        uint64_t R = x >> hi, Lf = x & ((1ULL << hi) - 1);
        uint64_t L = Lf ^ (mix64(R ^ key[r]) & ((1ULL << hi) - 1));
        x = (L << lo) | R;
    }
    return x;
}

long tco_lhs_stratum(const tco_sampler *s, long i, size_t d)
{
    const uint64_t *key = s->keys + (d - s->nsobol) * LHS_KEYS;
    uint64_t x = (uint64_t)i;
    do
        x = feistel(key, s->bits, x);
    while (x >= (uint64_t)s->n);
    return (long)x;
}

long tco_lhs_stratum_inverse(const tco_sampler *s, long k, size_t d)
{
    const uint64_t *key = s->keys + (d - s->nsobol) * LHS_KEYS;
    uint64_t x = (uint64_t)k;
    do
        x = feistel_inverse(key, s->bits, x);
    while (x >= (uint64_t)s->n);
    return (long)x;
}

/* Row i's value in LHS column d: its stratum, jittered by a uniform in
 * (0, 1) hashed from (column key, i) (53 bits, as tco_rng_uniform). */
static inline double lhs_value(const tco_sampler *s, long i, size_t d)
{
    const uint64_t *key = s->keys + (d - s->nsobol) * LHS_KEYS;
    uint64_t h = mix64(key[LHS_ROUNDS] + (uint64_t)i * 0x9e3779b97f4a7c15ULL);
    double j = ((double)(h >> 11) + 0.5) * 0x1.0p-53;
    if (j >= 1.0)
        j = 0x1.fffffffffffffp-1;
    return ((double)tco_lhs_stratum(s, i, d) + j) / (double)s->n;
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
    s->n = n;
    if (method == TCO_SAMPLING_RANDOM || s->ndims == 0) {
        if (method != TCO_SAMPLING_RANDOM)
            s->method = TCO_SAMPLING_RANDOM; /* nothing uncertain to stratify */
        *out = s;
        return TCO_OK;
    }
    size_t nd = s->ndims;
    if (method == TCO_SAMPLING_SOBOL) {
        s->nsobol = nd < TCO_SOBOL_MAX_DIM ? nd : TCO_SOBOL_MAX_DIM;
        tco_rng r;
        tco_rng_seed(&r, zig, seed, TCO_STREAM_GLOBAL | 1);
        for (size_t d = 0; d < s->nsobol; d++) {
            s->shift[d] = tco_rng_uniform(&r);
            sobol_directions(s->dir, d);
        }
    }
    if (s->nsobol < nd) {
        s->keys = malloc((nd - s->nsobol) * LHS_KEYS * sizeof *s->keys);
        if (!s->keys) {
            tco_sampler_free(s);
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        }
        while (s->bits < 63 && (1ULL << s->bits) < (uint64_t)n)
            s->bits++;
        /* Column d's keys come from the stream (seed, GLOBAL | (2 + d)),
         * the stream that shuffled the column when LHS built a table. */
        for (size_t d = s->nsobol; d < nd; d++) {
            tco_rng r;
            tco_rng_seed(&r, zig, seed, TCO_STREAM_GLOBAL | (2 + d));
            for (int k = 0; k < LHS_KEYS; k++)
                s->keys[(d - s->nsobol) * LHS_KEYS + k] = tco_rng_next(&r);
        }
    }
    *out = s;
    return TCO_OK;
}

void tco_sampler_free(tco_sampler *s)
{
    if (!s)
        return;
    free(s->keys);
    free(s);
}

void tco_sample_correlate(const tco_scenario *sc, double *u, double *scratch)
{
    size_t m = sc->ncorr;
    if (m == 0)
        return;
    double *z = scratch, *w = scratch + m;
    for (size_t j = 0; j < m; j++)
        z[j] = tco_dist_normal_quantile(u[sc->corr_dims[j]]);
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
        size_t q = s->nsobol;
        if (q) {
            /* Point i of GSL's sequence (index 0 the origin, which GSL's
             * generator skips: without it the first 2^m points are not a
             * (0, m, s)-net): the XOR of the direction numbers of the set
             * bits of i's Gray code, over 2^30, shifted modulo 1. */
            uint32_t num[TCO_SOBOL_MAX_DIM] = {0};
            uint64_t g = (uint64_t)i ^ ((uint64_t)i >> 1);
            for (int b = 0; g; b++, g >>= 1)
                if (g & 1)
                    for (size_t d = 0; d < q; d++)
                        num[d] ^= s->dir[b][d];
            for (size_t d = 0; d < q; d++) {
                double v = (double)num[d] * 0x1.0p-30 + s->shift[d];
                v -= (v >= 1.0);
                if (v <= 0.0)
                    v = 0x1.0p-60;
                u[d] = v;
            }
        }
        for (size_t d = q; d < nd; d++)
            u[d] = lhs_value(s, i, d);
    }
    tco_sample_correlate(s->sc, u, scratch);
}

void tco_sample_uncertain(const tco_scenario *sc, const double *u, double *x, unsigned *clamped)
{
    /* A group of inputs located in their tables first (tco_dist_locate),
     * then evaluated: the group's table reads are under way together. */
    enum { GROUP = 16 };
    double pos[GROUP];
    for (size_t d0 = 0; d0 < sc->ndims; d0 += GROUP) {
        const size_t n = sc->ndims - d0 < GROUP ? sc->ndims - d0 : GROUP;
        for (size_t i = 0; i < n; i++)
            pos[i] = tco_dist_locate(&sc->inputs[sc->dim_input[d0 + i]].dist, u[d0 + i]);
        for (size_t i = 0; i < n; i++) {
            int k = sc->dim_input[d0 + i];
            const tco_input *in = &sc->inputs[k];
            double v = tco_dist_quantile_at(&in->dist, u[d0 + i], pos[i]);
            double c = tco_domain_clamp(&in->dom, v);
            if (c != v && clamped)
                clamped[k]++;
            x[k] = c;
        }
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
