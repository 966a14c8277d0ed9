#include "select.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <omp.h>

size_t tco_select_type7_ranks(size_t n, const double *p, size_t np, size_t *ranks)
{
    size_t nr = 0;
    for (size_t q = 0; q < np; q++) {
        double h = (double)(n - 1) * p[q];
        size_t r = (size_t)floor(h);
        if (r > n - 1)
            r = n - 1;
        if (nr == 0 || ranks[nr - 1] < r)
            ranks[nr++] = r;
        if (r + 1 < n && h > (double)r && ranks[nr - 1] < r + 1)
            ranks[nr++] = r + 1;
    }
    return nr;
}

double tco_select_type7_value(size_t n, double p, const size_t *ranks, size_t nr,
                              const double *vals)
{
    double h = (double)(n - 1) * p;
    size_t r = (size_t)floor(h);
    if (r > n - 1)
        r = n - 1;
    size_t lo = 0, hi = nr - 1;
    while (lo < hi) { /* ranks is sorted and holds r */
        size_t mid = lo + (hi - lo) / 2;
        if (ranks[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(ranks[lo] == r);
    double frac = h - (double)r;
    if (!(frac > 0) || r + 1 >= n)
        return vals[lo];
    assert(lo + 1 < nr && ranks[lo + 1] == r + 1);
    if (vals[lo + 1] == vals[lo]) /* the same for finite values; no inf - inf */
        return vals[lo];
    return vals[lo] + frac * (vals[lo + 1] - vals[lo]);
}

/* ---- the radix selection state ---- */

static const int width32[] = {11, 11, 10};
static const int width64[] = {11, 11, 11, 11, 10, 10};

/* Summed counts are handed to reduce in chunks of whole histograms. */
#define CHUNK_HISTS 32

void tco_select_free(tco_select *s)
{
    if (!s)
        return;
    free(s->known);
    free(s->rank);
    free(s->group);
    free(s->gbits);
    free(s->ngroup);
    free(s->goff);
    free(s->hist);
    free(s->sum);
    free(s);
}

void *tco_select_huge(size_t bytes)
{
    void *p;
    if (posix_memalign(&p, (size_t)2 << 20, bytes ? bytes : 1) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

tco_status tco_select_alloc(tco_select **out, size_t ncol, const size_t *ranks, size_t nr,
                            int bits, size_t nthreads, tco_error *err)
{
    *out = NULL;
    assert(bits == 32 || bits == 64);
    if (nthreads < 1)
        nthreads = 1;
    size_t cells = ncol * nr;
    tco_select *s = calloc(1, sizeof *s);
    if (!s)
        goto fail;
    s->ncol = ncol;
    s->nr = nr;
    s->nthreads = nthreads;
    s->bits = bits;
    s->npass = bits == 32 ? 3 : 6;
    if (cells > SIZE_MAX / TCO_SELECT_BINS / sizeof *s->hist / nthreads)
        goto fail;
    s->known = calloc(cells ? cells : 1, sizeof *s->known);
    s->rank = malloc((cells ? cells : 1) * sizeof *s->rank);
    s->group = malloc((cells ? cells : 1) * sizeof *s->group);
    s->gbits = malloc((cells ? cells : 1) * sizeof *s->gbits);
    s->ngroup = malloc((ncol ? ncol : 1) * sizeof *s->ngroup);
    s->goff = malloc((ncol ? ncol : 1) * sizeof *s->goff);
    /* In huge pages: a column's histograms are fetched ahead while the
     * last column is counted (the recomputed bands, stats.c), and a
     * prefetch that misses the TLB may be dropped (3% less time counting
     * the bands of 30,000 futures). */
    s->hist = tco_select_huge((cells ? cells : 1) * nthreads * TCO_SELECT_BINS * sizeof *s->hist);
    s->sum = malloc(CHUNK_HISTS * TCO_SELECT_BINS * sizeof *s->sum);
    if (!s->known || !s->rank || !s->group || !s->gbits || !s->ngroup || !s->goff || !s->hist ||
        !s->sum)
        goto fail;
    for (size_t c = 0; c < ncol; c++)
        for (size_t j = 0; j < nr; j++)
            s->rank[c * nr + j] = ranks[j];
    *out = s;
    return TCO_OK;
fail:
    tco_select_free(s);
    return tco_error_set(err, TCO_ENOMEM, "out of memory for the selection of %zu order "
                                          "statistics",
                         cells);
}

/* Histogram bins from which the threads zero and sum them together. */
#define PARALLEL_BINS ((size_t)1 << 20)

void tco_select_begin(tco_select *s)
{
    const int *width = s->bits == 32 ? width32 : width64;
    int shift = s->bits;
    for (int p = 0; p < s->pass; p++)
        shift -= width[p];
    s->mask = shift >= 64 ? 0 : ~(uint64_t)0 << shift;
    if (s->bits == 32)
        s->mask &= 0xffffffffu;
    shift -= width[s->pass];
    s->shift = shift;
    s->digits = ((uint64_t)1 << width[s->pass]) - 1;
    /* One histogram per distinct set of bits found so far: the ranks
     * ascend, so do their bits, and equal bits are neighbours. */
    s->nhist = 0;
    for (size_t c = 0; c < s->ncol; c++) {
        unsigned ng = 0;
        for (size_t j = 0; j < s->nr; j++) {
            uint64_t k = s->known[c * s->nr + j];
            assert(ng == 0 || s->gbits[c * s->nr + ng - 1] <= k);
            if (ng == 0 || s->gbits[c * s->nr + ng - 1] != k)
                s->gbits[c * s->nr + ng++] = k;
            s->group[c * s->nr + j] = ng - 1;
        }
        s->ngroup[c] = ng;
        s->goff[c] = s->nhist;
        s->nhist += ng;
    }
    /* Each thread's histograms zeroed on a thread of their own: their
     * pages are touched first (faulted in, up to tens of MB a pass for the
     * recomputed bands) on every thread at once. */
    const size_t per = s->nhist * TCO_SELECT_BINS;
#pragma omp parallel for num_threads((int)s->nthreads) schedule(static, 1) \
    if (s->nthreads > 1 && per >= PARALLEL_BINS)
    for (size_t t = 0; t < s->nthreads; t++)
        memset(s->hist + t * per, 0, per * sizeof *s->hist);
}

/* Narrows the ranks of column c's histogram g from its counts (h64 when
 * not NULL, else h32): each histogram is read once, its ranks come in
 * ascending order. */
static void refine(tco_select *s, size_t c, unsigned g, const uint32_t *h32, const uint64_t *h64)
{
    uint64_t below = 0, d = 0;
    for (size_t q = c * s->nr; q < (c + 1) * s->nr; q++) {
        if (s->group[q] != g)
            continue;
        if (h64)
            while (d < s->digits && below + h64[d] <= s->rank[q])
                below += h64[d++];
        else
            while (d < s->digits && below + h32[d] <= s->rank[q])
                below += h32[d++];
        s->rank[q] -= below;
        s->known[q] |= d << s->shift;
    }
}

void tco_select_end(tco_select *s, tco_select_reduce reduce, void *ctx)
{
    const size_t bins = s->nhist * TCO_SELECT_BINS;
    if (!reduce) {
        /* Column by column on the threads: a column's counts are summed
         * into the first thread's and its ranks narrowed (refine writes
         * only that column's), the same sums in any order. */
#pragma omp parallel for num_threads((int)s->nthreads) schedule(dynamic, 16) \
    if (s->nthreads > 1 && bins >= PARALLEL_BINS)
        for (size_t c = 0; c < s->ncol; c++) {
            uint32_t *h = s->hist + s->goff[c] * TCO_SELECT_BINS;
            const size_t nb = s->ngroup[c] * TCO_SELECT_BINS;
            for (size_t t = 1; t < s->nthreads; t++)
                for (size_t q = 0; q < nb; q++)
                    h[q] += h[t * bins + q];
            for (unsigned g = 0; g < s->ngroup[c]; g++)
                refine(s, c, g, h + (size_t)g * TCO_SELECT_BINS, NULL);
        }
        s->pass++;
        return;
    }
    size_t c = 0; /* the column of the histograms being read */
    for (size_t first = 0; first < s->nhist; first += CHUNK_HISTS) {
        size_t nh = s->nhist - first < CHUNK_HISTS ? s->nhist - first : CHUNK_HISTS;
        uint64_t *h = s->sum;
        for (size_t q = 0; q < nh * TCO_SELECT_BINS; q++) {
            uint64_t v = 0;
            for (size_t t = 0; t < s->nthreads; t++)
                v += s->hist[t * bins + first * TCO_SELECT_BINS + q];
            h[q] = v;
        }
        reduce(ctx, h, nh * TCO_SELECT_BINS);
        for (size_t hi = first; hi < first + nh; hi++) {
            while (hi >= s->goff[c] + s->ngroup[c])
                c++;
            refine(s, c, (unsigned)(hi - s->goff[c]), NULL, h + (hi - first) * TCO_SELECT_BINS);
        }
    }
    s->pass++;
}

/* ---- on arrays ---- */

#define PARALLEL_VALUES ((size_t)1 << 16)

static uint64_t reduce_count(size_t n, tco_select_reduce reduce, void *ctx)
{
    uint64_t total = n;
    if (reduce)
        reduce(ctx, &total, 1);
    return total;
}

/* Agrees on an allocation's status st over the partitions: each calls
 * reduce once; if any failed, every one returns TCO_ENOMEM (a partition
 * that returned alone would leave the others waiting in the next reduce). */
static tco_status agree_alloc(tco_status st, tco_select_reduce reduce, void *ctx,
                              tco_error *err)
{
    if (!reduce)
        return st;
    uint64_t bad = st != TCO_OK;
    reduce(ctx, &bad, 1);
    if (bad && st == TCO_OK)
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for a selection (on another part)");
    return st;
}

/* Selects ranks k[0..nk) of every column of doubles (f == NULL) or floats
 * (d == NULL) into keys[c * nk + j]. */
static tco_status select_keys(const double *d, const float *f, size_t n, size_t ncol,
                              size_t stride, const size_t *k, size_t nk, uint64_t *keys,
                              tco_select_reduce reduce, void *ctx, tco_error *err)
{
    tco_select *s;
    /* Large arrays are counted on the OpenMP threads, each a slice of the
     * values into its own histograms: counts add in any order. */
    size_t nthreads = n * ncol >= PARALLEL_VALUES ? (size_t)omp_get_max_threads() : 1;
    tco_status st = tco_select_alloc(&s, ncol, k, nk, d ? 64 : 32, nthreads, err);
    if ((st = agree_alloc(st, reduce, ctx, err)) != TCO_OK) {
        tco_select_free(s);
        return st;
    }
    while (s->pass < s->npass) {
        tco_select_begin(s);
#pragma omp parallel num_threads((int)nthreads) if (nthreads > 1)
        {
            size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
            size_t a = n * t / nt, b = n * (t + 1) / nt;
            uint32_t *h = tco_select_thread_hist(s, t);
            for (size_t c = 0; c < ncol; c++) {
                if (d)
                    for (size_t i = a; i < b; i++)
                        tco_select_count(s, h, c, tco_select_key_d(d[c * stride + i]));
                else
                    for (size_t i = a; i < b; i++)
                        tco_select_count(s, h, c, tco_select_key_f(f[c * stride + i]));
            }
        }
        tco_select_end(s, reduce, ctx);
    }
    for (size_t c = 0; c < ncol; c++)
        for (size_t j = 0; j < nk; j++)
            keys[c * nk + j] = tco_select_result(s, c, j);
    tco_select_free(s);
    return TCO_OK;
}

static tco_status check_ranks(const size_t *k, size_t nk, uint64_t total, tco_error *err)
{
    for (size_t j = 0; j < nk; j++)
        if ((uint64_t)k[j] >= total || (j > 0 && k[j] < k[j - 1]))
            return tco_error_set(err, TCO_EINVAL,
                                 "selection: rank %zu is not below %llu values or not "
                                 "ascending",
                                 k[j], (unsigned long long)total);
    return TCO_OK;
}

/* The ranks' keys of doubles (xd) or floats (xf), in a new array: the one
 * body of tco_select_ranks_d and _f.  NULL with *st set on failure. */
static uint64_t *ranks_keys(const double *xd, const float *xf, size_t n, size_t ncol,
                            size_t stride, const size_t *k, size_t nk, tco_select_reduce reduce,
                            void *ctx, tco_status *st, tco_error *err)
{
    *st = check_ranks(k, nk, reduce_count(n, reduce, ctx), err);
    uint64_t *keys = malloc((ncol * nk > 0 ? ncol * nk : 1) * sizeof *keys);
    if (*st == TCO_OK && !keys)
        *st = tco_error_set(err, TCO_ENOMEM, "out of memory for a selection");
    if (*st == TCO_OK || *st == TCO_ENOMEM)
        *st = agree_alloc(*st, reduce, ctx, err);
    if (*st == TCO_OK)
        *st = select_keys(xd, xf, n, ncol, stride, k, nk, keys, reduce, ctx, err);
    if (*st != TCO_OK) {
        free(keys);
        return NULL;
    }
    return keys;
}

tco_status tco_select_ranks_d(const double *x, size_t n, size_t ncol, size_t stride,
                              const size_t *k, size_t nk, double *out, tco_select_reduce reduce,
                              void *ctx, tco_error *err)
{
    tco_status st;
    uint64_t *keys = ranks_keys(x, NULL, n, ncol, stride, k, nk, reduce, ctx, &st, err);
    for (size_t q = 0; keys && q < ncol * nk; q++)
        out[q] = tco_select_key_to_d(keys[q]);
    free(keys);
    return st;
}

tco_status tco_select_ranks_f(const float *x, size_t n, size_t ncol, size_t stride,
                              const size_t *k, size_t nk, float *out, tco_select_reduce reduce,
                              void *ctx, tco_error *err)
{
    tco_status st;
    uint64_t *keys = ranks_keys(NULL, x, n, ncol, stride, k, nk, reduce, ctx, &st, err);
    for (size_t q = 0; keys && q < ncol * nk; q++)
        out[q] = tco_select_key_to_f((uint32_t)keys[q]);
    free(keys);
    return st;
}

static tco_status percentiles(const double *d, const float *f, size_t n, size_t ncol,
                              size_t stride, const double *p, size_t np, double *out,
                              tco_select_reduce reduce, void *ctx, tco_error *err)
{
    uint64_t total = reduce_count(n, reduce, ctx);
    if (total == 0)
        return tco_error_set(err, TCO_EINVAL, "percentiles of no values");
    if (np == 0)
        return TCO_OK;
    size_t N = (size_t)total, *ranks = malloc(2 * np * sizeof *ranks);
    uint64_t *keys = NULL;
    double *vals = NULL;
    tco_status st = TCO_OK;
    size_t nr = 0;
    if (ranks)
        nr = tco_select_type7_ranks(N, p, np, ranks);
    if (!ranks || !(keys = malloc(ncol * nr * sizeof *keys)) ||
        !(vals = malloc(nr * sizeof *vals)))
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for percentiles");
    if ((st = agree_alloc(st, reduce, ctx, err)) != TCO_OK)
        goto done;
    if ((st = select_keys(d, f, n, ncol, stride, ranks, nr, keys, reduce, ctx, err)))
        goto done;
    for (size_t c = 0; c < ncol; c++) {
        for (size_t j = 0; j < nr; j++)
            vals[j] = d ? tco_select_key_to_d(keys[c * nr + j])
                        : (double)tco_select_key_to_f((uint32_t)keys[c * nr + j]);
        for (size_t q = 0; q < np; q++)
            out[c * np + q] = tco_select_type7_value(N, p[q], ranks, nr, vals);
    }
done:
    free(ranks);
    free(keys);
    free(vals);
    return st;
}

tco_status tco_select_percentiles_d(const double *x, size_t n, size_t ncol, size_t stride,
                                    const double *p, size_t np, double *out,
                                    tco_select_reduce reduce, void *ctx, tco_error *err)
{
    return percentiles(x, NULL, n, ncol, stride, p, np, out, reduce, ctx, err);
}

tco_status tco_select_percentiles_f(const float *x, size_t n, size_t ncol, size_t stride,
                                    const double *p, size_t np, double *out,
                                    tco_select_reduce reduce, void *ctx, tco_error *err)
{
    return percentiles(NULL, x, n, ncol, stride, p, np, out, reduce, ctx, err);
}

/* ---- exact sums ---- */

#define LANE 4294967296.0 /* 2^32 */
/* Carries are propagated before a lane can hold 2^62: every add puts less
 * than 2^32 into a lane. */
#define MAX_ADDS ((uint64_t)1 << 29)

void tco_xsum_init(tco_xsum *a)
{
    memset(a, 0, sizeof *a);
}

/* Lanes to the canonical form: each in [0, 2^32) but the top one, which
 * carries the sign. */
void tco_xsum_carry(tco_xsum *a)
{
    for (int i = 0; i + 1 < TCO_XSUM_LANES; i++) {
        int64_t v = a->lane[i], low = (int64_t)((uint64_t)v & 0xffffffffu);
        a->lane[i] = low;
        a->lane[i + 1] += (v - low) / (int64_t)LANE; /* exact: v - low is a multiple */
    }
    a->adds = 0;
}

/* Adds (or subtracts) v 2^pos, pos the bit position above 2^-1074. */
static void xsum_add_bits(tco_xsum *a, uint64_t v, int pos, int neg)
{
    if (v == 0)
        return;
    if (++a->adds >= MAX_ADDS)
        tco_xsum_carry(a);
    int L = pos / 32, off = pos % 32;
    uint64_t lo = v << off, hi = off ? v >> (64 - off) : 0;
    int64_t p0 = (int64_t)(lo & 0xffffffffu), p1 = (int64_t)(lo >> 32), p2 = (int64_t)hi;
    assert(L + 2 < TCO_XSUM_LANES || p2 == 0);
    if (neg) {
        a->lane[L] -= p0;
        a->lane[L + 1] -= p1;
        if (p2)
            a->lane[L + 2] -= p2;
    } else {
        a->lane[L] += p0;
        a->lane[L + 1] += p1;
        if (p2)
            a->lane[L + 2] += p2;
    }
}

/* A finite v as m 2^(pos - 1074), m < 2^53. */
static uint64_t xsum_split(double v, int *pos, int *neg)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    *neg = (int)(u >> 63);
    int e = (int)((u >> 52) & 0x7ff);
    uint64_t m = u & 0xfffffffffffffu;
    if (e == 0) {
        *pos = 0;
        return m;
    }
    *pos = e - 1;
    return m | (uint64_t)1 << 52;
}

void tco_xsum_add_nonfinite(tco_xsum *a, double v)
{
    if (isnan(v))
        a->nan++;
    else if (v > 0)
        a->pinf++;
    else
        a->ninf++;
}

/* At most 2047 significands below 2^53 sum below 2^64. */
#define PART_ADDS 2047

void tco_xsum_large_init(tco_xsum_large *l)
{
    memset(l->part, 0, sizeof l->part);
    for (int i = 0; i < TCO_XSUM_PARTS; i++)
        l->left[i] = PART_ADDS;
    tco_xsum_init(&l->sum);
    tco_xsum_init(&l->abs);
}

void tco_xsum_large_move(tco_xsum_large *l, unsigned i)
{
    unsigned e = i & 0x7ffu;
    int pos = e ? (int)e - 1 : 0; /* as xsum_split's */
    xsum_add_bits(&l->sum, l->part[i], pos, (int)(i >> 11));
    xsum_add_bits(&l->abs, l->part[i], pos, 0);
    l->part[i] = 0;
    l->left[i] = PART_ADDS;
}

void tco_xsum_large_flush(tco_xsum_large *l)
{
    for (unsigned i = 0; i < TCO_XSUM_PARTS; i++)
        if (l->part[i])
            tco_xsum_large_move(l, i);
}

void tco_xsum_add_times(tco_xsum *a, double v, uint64_t count)
{
    if (count == 0)
        return;
    if (!isfinite(v)) {
        if (isnan(v))
            a->nan += count;
        else if (v > 0)
            a->pinf += count;
        else
            a->ninf += count;
        return;
    }
    int pos, neg;
    uint64_t m = xsum_split(v, &pos, &neg);
    /* m count as four products of 32-bit halves, each below 2^64. */
    uint64_t ml = m & 0xffffffffu, mh = m >> 32, cl = count & 0xffffffffu, ch = count >> 32;
    xsum_add_bits(a, ml * cl, pos, neg);
    xsum_add_bits(a, ml * ch, pos + 32, neg);
    xsum_add_bits(a, mh * cl, pos + 32, neg);
    xsum_add_bits(a, mh * ch, pos + 64, neg);
}

void tco_xsum_merge(tco_xsum *a, const tco_xsum *b)
{
    tco_xsum c = *b;
    tco_xsum_carry(&c);
    tco_xsum_carry(a);
    for (int i = 0; i < TCO_XSUM_LANES; i++)
        a->lane[i] += c.lane[i];
    a->pinf += c.pinf;
    a->ninf += c.ninf;
    a->nan += c.nan;
    tco_xsum_carry(a);
}

void tco_xsum_negate(tco_xsum *a)
{
    tco_xsum_carry(a);
    for (int i = 0; i < TCO_XSUM_LANES; i++)
        a->lane[i] = -a->lane[i];
    uint64_t t = a->pinf;
    a->pinf = a->ninf;
    a->ninf = t;
}

void tco_xsum_reduce(tco_xsum *a, tco_select_reduce reduce, void *ctx)
{
    if (!reduce)
        return;
    uint64_t buf[TCO_XSUM_LANES + 3];
    tco_xsum_carry(a);
    /* Two's complement sums of canonical lanes: each below 2^32, the top
     * one small, so no lane of the sum of 2^31 partitions overflows. */
    for (int i = 0; i < TCO_XSUM_LANES; i++)
        buf[i] = (uint64_t)a->lane[i];
    buf[TCO_XSUM_LANES] = a->pinf;
    buf[TCO_XSUM_LANES + 1] = a->ninf;
    buf[TCO_XSUM_LANES + 2] = a->nan;
    reduce(ctx, buf, TCO_XSUM_LANES + 3);
    for (int i = 0; i < TCO_XSUM_LANES; i++)
        a->lane[i] = buf[i] > (uint64_t)INT64_MAX ? -(int64_t)(~buf[i]) - 1 : (int64_t)buf[i];
    a->pinf = buf[TCO_XSUM_LANES];
    a->ninf = buf[TCO_XSUM_LANES + 1];
    a->nan = buf[TCO_XSUM_LANES + 2];
    tco_xsum_carry(a);
}

/* Bit b (above 2^-1074) of canonical non-negative lanes. */
static unsigned lane_bit(const int64_t *lane, long b)
{
    if (b < 0)
        return 0;
    return (unsigned)(((uint64_t)lane[b / 32] >> (b % 32)) & 1);
}

double tco_xsum_value(const tco_xsum *in)
{
    if (in->nan || (in->pinf && in->ninf))
        return NAN;
    if (in->pinf)
        return INFINITY;
    if (in->ninf)
        return -INFINITY;
    tco_xsum a = *in;
    tco_xsum_carry(&a);
    int neg = a.lane[TCO_XSUM_LANES - 1] < 0;
    if (neg) {
        for (int i = 0; i < TCO_XSUM_LANES; i++)
            a.lane[i] = -a.lane[i];
        tco_xsum_carry(&a);
    }
    int top = TCO_XSUM_LANES - 1;
    while (top >= 0 && a.lane[top] == 0)
        top--;
    if (top < 0)
        return 0.0;
    long B = (long)top * 32 + 31;
    while (!lane_bit(a.lane, B))
        B--;
    /* Keep the 53 bits from B down; round to nearest, ties to even, by the
     * guard bit below them and whether any bit below that is set. */
    long low = B - 52 > 0 ? B - 52 : 0;
    uint64_t kept = 0;
    for (long b = B; b >= low; b--)
        kept = kept << 1 | lane_bit(a.lane, b);
    if (low > 0) {
        unsigned guard = lane_bit(a.lane, low - 1);
        int sticky = 0;
        long g = low - 1; /* bits below g */
        for (long i = 0; i < g / 32 && !sticky; i++)
            sticky = a.lane[i] != 0;
        if (!sticky && g % 32)
            sticky = ((uint64_t)a.lane[g / 32] & (((uint64_t)1 << (g % 32)) - 1)) != 0;
        if (guard && (sticky || (kept & 1)))
            kept++;
    }
    double v = ldexp((double)kept, (int)(low - 1074));
    return neg ? -v : v;
}

tco_status tco_select_cvar(const double *x, size_t n, double alpha, double *out,
                           tco_select_reduce reduce, void *ctx, tco_error *err)
{
    uint64_t total = reduce_count(n, reduce, ctx);
    if (total == 0)
        return tco_error_set(err, TCO_EINVAL, "CVaR of no values");
    size_t N = (size_t)total, m = (size_t)ceil(alpha * (double)N - 1e-9);
    if (m < 1)
        m = 1;
    if (m > N)
        m = N;
    size_t k = N - m;
    double t = 0;
    tco_status st = tco_select_ranks_d(x, n, 1, n, &k, 1, &t, reduce, ctx, err);
    if (st)
        return st;
    /* The values above the threshold, then as many copies of it as the
     * m largest hold. */
    uint64_t kt = tco_select_key_d(t), above = 0;
    tco_xsum a;
    tco_xsum_init(&a);
    for (size_t i = 0; i < n; i++)
        if (tco_select_key_d(x[i]) > kt) {
            tco_xsum_add(&a, x[i]);
            above++;
        }
    if (reduce)
        reduce(ctx, &above, 1);
    tco_xsum_reduce(&a, reduce, ctx);
    assert(above <= m);
    tco_xsum_add_times(&a, t, m - above);
    *out = tco_xsum_value(&a) / (double)m;
    return TCO_OK;
}
