#include "stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE__
#include <xmmintrin.h>
#ifdef __SSE4_1__
#include <smmintrin.h>
#endif
#endif

#include "pstats.h"
#include "select.h"

const double TCO_PCT[TCO_NPCT] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};
const double TCO_BAND[TCO_NBAND] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Every sum over futures is exact (select.h, tco_xsum), rounded once: the
 * same bits in any order and on any partition of the futures. */
static double exact_mean(const double *v, size_t n)
{
    tco_xsum_large a;
    tco_xsum_large_init(&a);
    for (size_t i = 0; i < n; i++)
        tco_xsum_large_add(&a, v[i]);
    tco_xsum_large_flush(&a);
    return tco_xsum_value(&a.sum) / (double)n;
}

/* The exact sum of (v[i] - mean)^2, each square rounded as computed. */
static double exact_squares(const double *v, size_t n, double mean)
{
    tco_xsum_large a;
    tco_xsum_large_init(&a);
    for (size_t i = 0; i < n; i++)
        tco_xsum_large_add(&a, (v[i] - mean) * (v[i] - mean));
    tco_xsum_large_flush(&a);
    return tco_xsum_value(&a.sum);
}


/* Hoare's selection (FIND, 1961) for several ranks at once: partition,
 * then continue only into the parts that hold a wanted rank.  k[0..nk) is
 * sorted; afterwards x[k[j]] is the k[j]-th smallest for every j. */
#define DEFINE_MULTISELECT(NAME, TYPE)                                                           \
    static void NAME(TYPE *x, size_t lo, size_t hi, const size_t *k, size_t nk)                \
    {                                                                                          \
        while (nk > 0 && hi > lo) {                                                            \
            if (hi - lo < 24) {                                                                \
                for (size_t a = lo + 1; a <= hi; a++) {                                        \
                    TYPE v = x[a];                                                             \
                    size_t b = a;                                                              \
                    for (; b > lo && x[b - 1] > v; b--)                                        \
                        x[b] = x[b - 1];                                                       \
                    x[b] = v;                                                                  \
                }                                                                              \
                return;                                                                        \
            }                                                                                  \
            size_t mid = lo + (hi - lo) / 2;                                                   \
            TYPE a = x[lo], b = x[mid], c = x[hi], pivot;                                      \
            pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b)); \
            size_t i = lo, j = hi;                                                             \
            while (i <= j) {                                                                   \
                while (x[i] < pivot)                                                           \
                    i++;                                                                       \
                while (x[j] > pivot)                                                           \
                    j--;                                                                       \
                if (i <= j) {                                                                  \
                    TYPE t = x[i];                                                             \
                    x[i] = x[j];                                                               \
                    x[j] = t;                                                                  \
                    i++;                                                                       \
                    if (j == 0)                                                                \
                        break;                                                                 \
                    j--;                                                                       \
                }                                                                              \
            }                                                                                  \
            /* Now x[lo..j] <= pivot <= x[i..hi], and x(j..i) == pivot. */                     \
            size_t left = 0;                                                                   \
            while (left < nk && k[left] <= j && j >= lo && j != (size_t)-1)                    \
                left++;                                                                        \
            size_t right = left;                                                               \
            while (right < nk && k[right] < i)                                                 \
                right++;                                                                       \
            if (left > 0)                                                                      \
                NAME(x, lo, j, k, left);                                                       \
            k += right;                                                                        \
            nk -= right;                                                                       \
            lo = i;                                                                            \
        }                                                                                      \
    }

DEFINE_MULTISELECT(multiselect_d, double)
DEFINE_MULTISELECT(multiselect_f, float)

static void bucket_select_d(double *x, size_t n, const size_t *k, size_t nk, double *out,
                            int depth);

double tco_stats_cvar(double *x, size_t n, double alpha)
{
    size_t m = (size_t)ceil(alpha * (double)n - 1e-9);
    if (m < 1)
        m = 1;
    if (m > n)
        m = n;
    /* The m largest: those above the (n - m)-th smallest, t, and as many
     * values equal to t as make m; their exact sum is the same number
     * whichever of tied values they are (tco_select_cvar's). */
    size_t k = n - m, above = 0;
    double t;
    bucket_select_d(x, n, &k, 1, &t, 0);
    tco_xsum_large a;
    tco_xsum_large_init(&a);
    for (size_t i = 0; i < n; i++) {
        if (x[i] > t) {
            tco_xsum_large_add(&a, x[i]);
            above++;
        } else if (isnan(x[i])) {
            return NAN; /* no order, so no m largest */
        }
    }
    assert(above <= m);
    tco_xsum_large_flush(&a);
    tco_xsum_add_times(&a.sum, t, m - above);
    return tco_xsum_value(&a.sum) / (double)m;
}

/* Type-7 percentiles: the two order statistics around (n-1)p for every p.
 * The probabilities are taken in chunks of at most PCT_CHUNK, each chunk's
 * ranks selected together: selection only permutes x, so later chunks see
 * the same multiset, and any number of probabilities works without
 * allocating. */
#define PCT_CHUNK 32

void tco_stats_percentiles(double *x, size_t n, const double *p, size_t np, double *out)
{
    for (size_t c = 0; c < np; c += PCT_CHUNK) {
        size_t m = np - c < PCT_CHUNK ? np - c : PCT_CHUNK, ranks[2 * PCT_CHUNK];
        double vals[2 * PCT_CHUNK];
        size_t nr = tco_select_type7_ranks(n, p + c, m, ranks);
        bucket_select_d(x, n, ranks, nr, vals, 0);
        for (size_t q = 0; q < m; q++)
            out[c + q] = tco_select_type7_value(n, p[c + q], ranks, nr, vals);
    }
}

/* Exact order statistics of floats by bucket selection: one histogram pass
 * over 4096 equal-width buckets between min and max, then only the buckets
 * that hold a wanted rank are gathered (into tmp) and selected from.  The
 * passes have no data-dependent branches to mispredict, unlike partitioning.
 * A bucket that still holds many values is bucketed again (depth <= 3).
 * Each level gathers at most n values into tmp and hands the rest of tmp
 * to the next: levels 0, 1 and 2 gather, level 3 copies its values for
 * selection, so tmp must hold 4n floats (BUCKET_SCRATCH).  Infinite values
 * have no bucket: a column holding any is selected by partitioning. */
#define NBUCKET 4096
#define BUCKET_DEPTH 3
/* Smaller columns are partitioned: the buckets' fixed cost (counting,
 * clearing and scanning 4,096 of them) is about that of partitioning
 * 2,000 values for five percentiles. */
#define BUCKET_MIN_N 2048
#define BUCKET_SCRATCH(n) ((BUCKET_DEPTH + 1) * (n))

/* minmax's lanes mn[0..8) and mx[0..8) in plain C from x[i] on (the SSE
 * code runs them before, as far as it goes), then the values left one at
 * a time into lane 0, and the lanes merged in lane order. */
#define DEFINE_MINMAX_REST(NAME, TYPE)                                                           \
    static void NAME(const TYPE *x, size_t i, size_t n, TYPE *mn, TYPE *mx, TYPE *lo, TYPE *hi) \
    {                                                                                          \
        for (; i + 8 <= n; i += 8)                                                             \
            for (int j = 0; j < 8; j++) {                                                      \
                mn[j] = x[i + j] < mn[j] ? x[i + j] : mn[j];                                   \
                mx[j] = x[i + j] > mx[j] ? x[i + j] : mx[j];                                   \
            }                                                                                  \
        for (; i < n; i++) {                                                                   \
            mn[0] = x[i] < mn[0] ? x[i] : mn[0];                                               \
            mx[0] = x[i] > mx[0] ? x[i] : mx[0];                                               \
        }                                                                                      \
        for (int j = 1; j < 8; j++) {                                                          \
            mn[0] = mn[j] < mn[0] ? mn[j] : mn[0];                                             \
            mx[0] = mx[j] > mx[0] ? mx[j] : mx[0];                                             \
        }                                                                                      \
        *lo = mn[0];                                                                           \
        *hi = mx[0];                                                                           \
    }

DEFINE_MINMAX_REST(minmax_rest_f, float)
DEFINE_MINMAX_REST(minmax_rest_d, double)

/* The least and greatest of x[0..n), n >= 1, as the running comparisons
 * v < lo ? v : lo and v > hi ? v : hi over x in order would find them: in
 * independent lanes (one chain of comparisons would wait on each one's
 * latency), every lane starting from x[0], merged in lane order.  A lane's
 * value is replaced only by one strictly beyond it, so the merged value is
 * that of the sequential scan but for the sign of a zero, which only the
 * column of equal values (every lane still x[0]) returns.  SSE's MINPS and
 * MAXPS are exactly these comparisons. */
static void minmax_f(const float *x, size_t n, float *lo, float *hi)
{
    float mn[8], mx[8];
    size_t i = 0;
#ifdef __SSE__
    __m128 a0 = _mm_set1_ps(x[0]), a1 = a0, b0 = a0, b1 = a0;
    for (; i + 8 <= n; i += 8) {
        __m128 v0 = _mm_loadu_ps(x + i), v1 = _mm_loadu_ps(x + i + 4);
        a0 = _mm_min_ps(v0, a0);
        a1 = _mm_min_ps(v1, a1);
        b0 = _mm_max_ps(v0, b0);
        b1 = _mm_max_ps(v1, b1);
    }
    _mm_storeu_ps(mn, a0);
    _mm_storeu_ps(mn + 4, a1);
    _mm_storeu_ps(mx, b0);
    _mm_storeu_ps(mx + 4, b1);
#else
    for (int j = 0; j < 8; j++)
        mn[j] = mx[j] = x[0];
#endif
    minmax_rest_f(x, i, n, mn, mx, lo, hi);
}

#ifdef __SSE4_1__
/* Four values' buckets, (v - mn) * scale in lo and hi, truncated (NaN and
 * below 0 give 0, beyond NBUCKET - 1 that), stored at at[0..4) and
 * counted. */
static inline void bucket_count(__m128d lo, __m128d hi, __m128i top, uint16_t *at,
                                size_t *count)
{
    __m128i b = _mm_unpacklo_epi64(_mm_cvttpd_epi32(lo), _mm_cvttpd_epi32(hi));
    b = _mm_min_epi32(b, top);
    _mm_storel_epi64((__m128i *)(void *)at, _mm_packus_epi32(b, b));
    count[at[0]]++;
    count[at[1]]++;
    count[at[2]]++;
    count[at[3]]++;
}
#endif

/* From the buckets' counts count[0..NBUCKET): where each starts in sorted
 * order (start[0..NBUCKET]); the buckets that hold the ranks k[0..nk),
 * bk[0..*nb), marked in want; and where each is gathered to (into count,
 * reused).  Returns the number of values to gather. */
static size_t bucket_plan(size_t *count, unsigned char *want, const size_t *k, size_t nk,
                          size_t *start, size_t *bk, size_t *nb)
{
    start[0] = 0;
    for (size_t b = 0; b < NBUCKET; b++)
        start[b + 1] = start[b] + count[b];
    *nb = 0;
    assert(nk <= 2 * PCT_CHUNK);
    for (size_t j = 0, b = 0; j < nk; j++) {
        while (start[b + 1] <= k[j])
            b++;
        if (!want[b]) {
            want[b] = 1;
            bk[(*nb)++] = b;
        }
    }
    size_t pos = 0;
    for (size_t q = 0; q < *nb; q++) {
        size_t b = bk[q];
        count[b] = pos;
        pos += start[b + 1] - start[b];
    }
    return pos;
}

/* The values of x[0..n) in the wanted buckets, each bucket into its own
 * segment of tmp (fill: where each goes next), in order: eight bucket
 * numbers a step compared with the wanted ones (few: two a percentile at
 * most), the values of a step with a wanted one gathered one by one. */
#ifdef __SSE4_1__
#define GATHER_STEPS(x, n, at, want, bk, nb, fill, tmp, i)                                      \
    if (nb <= 12) {                                                                            \
        __m128i wb[12];                                                                        \
        for (size_t q = 0; q < nb; q++)                                                        \
            wb[q] = _mm_set1_epi16((short)bk[q]);                                              \
        for (; i + 8 <= n; i += 8) {                                                           \
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(at + i));              \
            __m128i hit = _mm_cmpeq_epi16(a, wb[0]);                                           \
            for (size_t q = 1; q < nb; q++)                                                    \
                hit = _mm_or_si128(hit, _mm_cmpeq_epi16(a, wb[q]));                            \
            if (_mm_movemask_epi8(hit))                                                        \
                for (size_t j = i; j < i + 8; j++)                                             \
                    if (want[at[j]])                                                           \
                        tmp[fill[at[j]]++] = x[j];                                             \
        }                                                                                      \
    }
#else
#define GATHER_STEPS(x, n, at, want, bk, nb, fill, tmp, i)                                      \
    (void)(bk);                                                                                \
    (void)(nb);
#endif
#define DEFINE_GATHER(NAME, TYPE)                                                                \
    static void NAME(const TYPE *x, size_t n, const uint16_t *at, const unsigned char *want,   \
                     const size_t *bk, size_t nb, size_t *fill, TYPE *tmp)                     \
    {                                                                                          \
        size_t i = 0;                                                                          \
        GATHER_STEPS(x, n, at, want, bk, nb, fill, tmp, i)                                     \
        for (; i < n; i++)                                                                     \
            if (want[at[i]])                                                                   \
                tmp[fill[at[i]]++] = x[i];                                                     \
    }

DEFINE_GATHER(gather_f, float)
DEFINE_GATHER(gather_d, double)

static void leaf_select_f(const float *x, size_t n, const size_t *k, size_t nk, float *out,
                          float *tmp)
{
    memcpy(tmp, x, n * sizeof *tmp);
    multiselect_f(tmp, 0, n - 1, k, nk);
    for (size_t j = 0; j < nk; j++)
        out[j] = tmp[k[j]];
}

static void bucket_select_f(const float *x, size_t n, const size_t *k, size_t nk, float *out,
                            float *tmp, int depth)
{
    float mn, mx;
    minmax_f(x, n, &mn, &mx);
    if (n <= BUCKET_MIN_N || depth >= BUCKET_DEPTH || !isfinite(mn) || !isfinite(mx)) {
        leaf_select_f(x, n, k, nk, out, tmp);
        return;
    }
    if (mn == mx) {
        for (size_t j = 0; j < nk; j++)
            out[j] = mn;
        return;
    }
    double scale = NBUCKET / ((double)mx - (double)mn);
    size_t *count = calloc(NBUCKET + 1, sizeof *count);
    unsigned char *want = calloc(NBUCKET, 1);
    /* Each value's bucket, computed once for both passes. */
    uint16_t *at = malloc(n * sizeof *at);
    if (!count || !want || !at)
        goto partition;
    /* (v - mn) * scale is in [0, NBUCKET] for finite v in [mn, mx]: the
     * same arithmetic in double, two values a lane pair with SSE4.1.  A
     * NaN has no bucket (the least and greatest pass over one but in the
     * first place): such a column is partitioned, as bucket_select_d
     * does. */
    size_t i = 0;
    int nan = 0;
#ifdef __SSE4_1__
    const __m128d vmn = _mm_set1_pd((double)mn), vsc = _mm_set1_pd(scale);
    const __m128i top = _mm_set1_epi32(NBUCKET - 1);
    __m128 unord = _mm_setzero_ps();
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(x + i);
        unord = _mm_or_ps(unord, _mm_cmpunord_ps(v, v));
        __m128d lo = _mm_mul_pd(_mm_sub_pd(_mm_cvtps_pd(v), vmn), vsc);
        __m128d hi = _mm_mul_pd(_mm_sub_pd(_mm_cvtps_pd(_mm_movehl_ps(v, v)), vmn), vsc);
        bucket_count(lo, hi, top, at + i, count);
    }
    nan = _mm_movemask_ps(unord) != 0;
#endif
    for (; i < n && !nan; i++) {
        if (isnan(x[i])) {
            nan = 1;
            break;
        }
        size_t b = (size_t)(((double)x[i] - (double)mn) * scale);
        b = b < NBUCKET - 1 ? b : NBUCKET - 1;
        at[i] = (uint16_t)b;
        count[b]++;
    }
    if (nan)
        goto partition;
    /* The wanted buckets gathered, each into its own segment of tmp. */
    size_t start[NBUCKET + 1], bk[2 * PCT_CHUNK], nb;
    size_t pos = bucket_plan(count, want, k, nk, start, bk, &nb);
    assert(pos <= n);
    gather_f(x, n, at, want, bk, nb, count, tmp);
    free(at);
    /* Select within each wanted bucket, by ranks relative to its start. */
    pos = 0;
    for (size_t q = 0, j = 0; q < nb; q++) {
        size_t b = bk[q], size = start[b + 1] - start[b];
        size_t rel[2 * PCT_CHUNK], m = 0, first = j;
        while (j < nk && k[j] < start[b + 1])
            rel[m++] = k[j++] - start[b];
        bucket_select_f(tmp + pos, size, rel, m, out + first, tmp + n, depth + 1);
        pos += size;
    }
    free(count);
    free(want);
    return;
partition:
    free(count);
    free(want);
    free(at);
    leaf_select_f(x, n, k, nk, out, tmp);
}

/* The least and greatest of x[0..n), n >= 1, as minmax_f finds them (in
 * eight lanes, merged in lane order; MINPD and MAXPD are the comparisons
 * v < lo ? v : lo and v > hi ? v : hi). */
static void minmax_d(const double *x, size_t n, double *lo, double *hi)
{
    double mn[8], mx[8];
    size_t i = 0;
#ifdef __SSE2__
    __m128d a[4], b[4];
    for (int j = 0; j < 4; j++)
        a[j] = b[j] = _mm_set1_pd(x[0]);
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 4; j++) {
            __m128d v = _mm_loadu_pd(x + i + 2 * j);
            a[j] = _mm_min_pd(v, a[j]);
            b[j] = _mm_max_pd(v, b[j]);
        }
    for (int j = 0; j < 4; j++) {
        _mm_storeu_pd(mn + 2 * j, a[j]);
        _mm_storeu_pd(mx + 2 * j, b[j]);
    }
#else
    for (int j = 0; j < 8; j++)
        mn[j] = mx[j] = x[0];
#endif
    minmax_rest_d(x, i, n, mn, mx, lo, hi);
}

/* Exact order statistics of doubles by the buckets of bucket_select_f:
 * x[k[j]] of x sorted into out[j], for the sorted ranks k[0..nk).  x may be
 * reordered: a small column, one with a NaN or an infinity, one whose
 * range overflows, one whose wanted buckets hold more than a quarter of it
 * (so the values gathered, at every level together, are at most a third
 * of n) and one short of memory are partitioned in place (Hoare). */
static void bucket_select_d(double *x, size_t n, const size_t *k, size_t nk, double *out,
                            int depth)
{
    double mn = 0, mx = 0, scale = 0;
    size_t *count = NULL;
    unsigned char *want = NULL;
    uint16_t *at = NULL;
    double *tmp = NULL;
    if (n <= BUCKET_MIN_N || depth >= BUCKET_DEPTH)
        goto partition;
    minmax_d(x, n, &mn, &mx);
    if (mn == mx) {
        for (size_t j = 0; j < nk; j++)
            out[j] = mn;
        return;
    }
    scale = NBUCKET / (mx - mn);
    if (!isfinite(mn) || !isfinite(mx) || !(scale > 0) || !isfinite(scale))
        goto partition;
    count = calloc(NBUCKET + 1, sizeof *count);
    want = calloc(NBUCKET, 1);
    at = malloc(n * sizeof *at);
    if (!count || !want || !at)
        goto partition;
    /* Each value's bucket (v - mn) * scale, in [0, NBUCKET] for v in
     * [mn, mx] and rising with v; a NaN has none. */
    size_t i = 0;
    int nan = 0;
#ifdef __SSE4_1__
    const __m128d vmn = _mm_set1_pd(mn), vsc = _mm_set1_pd(scale);
    const __m128i top = _mm_set1_epi32(NBUCKET - 1);
    __m128d unord = _mm_setzero_pd();
    for (; i + 4 <= n; i += 4) {
        __m128d v0 = _mm_loadu_pd(x + i), v1 = _mm_loadu_pd(x + i + 2);
        unord = _mm_or_pd(unord, _mm_or_pd(_mm_cmpunord_pd(v0, v0), _mm_cmpunord_pd(v1, v1)));
        __m128d lo = _mm_mul_pd(_mm_sub_pd(v0, vmn), vsc);
        __m128d hi = _mm_mul_pd(_mm_sub_pd(v1, vmn), vsc);
        bucket_count(lo, hi, top, at + i, count);
    }
    nan = _mm_movemask_pd(unord) != 0;
#endif
    for (; i < n && !nan; i++) {
        if (isnan(x[i])) {
            nan = 1;
            break;
        }
        size_t b = (size_t)((x[i] - mn) * scale);
        b = b < NBUCKET - 1 ? b : NBUCKET - 1;
        at[i] = (uint16_t)b;
        count[b]++;
    }
    if (nan)
        goto partition;
    /* The wanted buckets gathered, each into its own segment of tmp. */
    size_t start[NBUCKET + 1], bk[2 * PCT_CHUNK], nb;
    size_t pos = bucket_plan(count, want, k, nk, start, bk, &nb);
    if (pos > n / 4 || !(tmp = malloc((pos ? pos : 1) * sizeof *tmp)))
        goto partition;
    gather_d(x, n, at, want, bk, nb, count, tmp);
    free(count);
    free(want);
    free(at);
    /* Select within each wanted bucket, by ranks relative to its start. */
    pos = 0;
    for (size_t q = 0, j = 0; q < nb; q++) {
        size_t b = bk[q], size = start[b + 1] - start[b];
        size_t rel[2 * PCT_CHUNK], m = 0, first = j;
        while (j < nk && k[j] < start[b + 1])
            rel[m++] = k[j++] - start[b];
        bucket_select_d(tmp + pos, size, rel, m, out + first, depth + 1);
        pos += size;
    }
    free(tmp);
    return;
partition:
    free(count);
    free(want);
    free(at);
    multiselect_d(x, 0, n - 1, k, nk);
    for (size_t j = 0; j < nk; j++)
        out[j] = x[k[j]];
}

/* The percentiles of x, selected by buckets (x read only); without
 * scratch for them, in place in spare (x itself, or a copy of x made
 * there). */
static void percentiles_f(const float *x, float *spare, size_t n, const double *p, size_t np,
                          double *out)
{
    float *tmp = malloc(BUCKET_SCRATCH(n) * sizeof *tmp);
    if (!tmp && spare != x)
        memcpy(spare, x, n * sizeof *spare);
    for (size_t c = 0; c < np; c += PCT_CHUNK) {
        size_t m = np - c < PCT_CHUNK ? np - c : PCT_CHUNK, ranks[2 * PCT_CHUNK];
        float sel[2 * PCT_CHUNK];
        double vals[2 * PCT_CHUNK];
        size_t nr = tco_select_type7_ranks(n, p + c, m, ranks);
        if (!tmp) {
            multiselect_f(spare, 0, n - 1, ranks, nr);
            for (size_t j = 0; j < nr; j++)
                sel[j] = spare[ranks[j]];
        } else {
            bucket_select_f(x, n, ranks, nr, sel, tmp, 0);
        }
        for (size_t j = 0; j < nr; j++)
            vals[j] = sel[j];
        for (size_t q = 0; q < m; q++)
            out[c + q] = tco_select_type7_value(n, p[c + q], ranks, nr, vals);
    }
    free(tmp);
}

void tco_stats_percentiles_f(float *x, size_t n, const double *p, size_t np, double *out)
{
    percentiles_f(x, x, n, p, np, out);
}

void tco_stats_percentiles_f_kept(const float *x, float *spare, size_t n, const double *p,
                                  size_t np, double *out)
{
    percentiles_f(x, spare, n, p, np, out);
}


void tco_stats_means(const double *npv, size_t n, size_t S, double *mean)
{
    for (size_t s = 0; s < S; s++)
        mean[s] = exact_mean(npv + s * n, n);
}

int tco_stats_best_mean(const double *mean, size_t S)
{
    int best = -1;
    for (size_t s = 0; s < S; s++)
        if (isfinite(mean[s]) && (best < 0 || mean[s] < mean[best]))
            best = (int)s;
    return best;
}

void tco_stats_p_cheapest(const double *npv, size_t n, size_t S, double *p)
{
    /* Counts of futures where s is among k cheapest, k = 1..S; the shares
     * 1 / k summed exactly (integer counts merge across partitions). */
    uint64_t *count = calloc(S * S, sizeof *count);
    if (!count) {
        for (size_t s = 0; s < S; s++)
            p[s] = NAN;
        return;
    }
    for (size_t i = 0; i < n; i++)
        tco_stats_cheapest(npv, n, S, i, count);
    for (size_t s = 0; s < S; s++) {
        tco_xsum a;
        tco_xsum_init(&a);
        for (size_t k = 1; k <= S; k++)
            tco_xsum_add_times(&a, 1.0 / (double)k, count[s * S + k - 1]);
        p[s] = tco_xsum_value(&a) / (double)n;
    }
    free(count);
}

/* The mean regret of strategy s: its cost minus each future's cheapest. */
static double regret_mean(const double *npv, size_t n, size_t S, size_t s)
{
    tco_xsum_large a;
    tco_xsum_large_init(&a);
    for (size_t i = 0; i < n; i++)
        tco_xsum_large_add(&a, npv[s * n + i] - tco_stats_cheapest(npv, n, S, i, NULL));
    tco_xsum_large_flush(&a);
    return tco_xsum_value(&a.sum) / (double)n;
}

double tco_stats_evpi(const double *npv, size_t n, size_t S)
{
    double *mean = malloc(S * sizeof *mean);
    if (!mean)
        return NAN;
    tco_stats_means(npv, n, S, mean);
    int best = tco_stats_best_mean(mean, S);
    free(mean);
    return best < 0 ? NAN : regret_mean(npv, n, S, (size_t)best);
}

void tco_results_free(tco_results *r)
{
    if (!r)
        return;
    for (size_t s = 0; r->st && s < r->S; s++) {
        free(r->st[s].monthly_mean);
        for (int b = 0; b < TCO_NBAND; b++)
            free(r->st[s].monthly_band[b]);
    }
    free(r->st);
    free(r->p_cheaper);
    free(r->identical);
    free(r->mean_abs_diff);
    free(r->diff_se);
    tco_cumulative_free(r->cumulative);
    free(r);
}

static void summarize(const double *v, size_t n, double *scratch, tco_summary *out)
{
    double mn = HUGE_VAL, mx = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    double mean = exact_mean(v, n), ss = exact_squares(v, n, mean);
    out->mean = mean;
    out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    out->se = out->sd / sqrt((double)n);
    out->min = mn;
    out->max = mx;
    memcpy(scratch, v, n * sizeof *v);
    tco_stats_percentiles(scratch, n, TCO_PCT, TCO_NPCT, out->p);
    /* The percentiles' selection only permuted scratch: still v's values. */
    out->cvar95 = tco_stats_cvar(scratch, n, 0.05);
}

double tco_stats_ce(const double *x, size_t n, double rt)
{
    double m = -HUGE_VAL;
    for (size_t i = 0; i < n; i++)
        m = x[i] > m ? x[i] : m;
    tco_xsum_large a;
    tco_xsum_large_init(&a);
    for (size_t i = 0; i < n; i++)
        tco_xsum_large_add(&a, exp((x[i] - m) / rt));
    tco_xsum_large_flush(&a);
    return m + rt * log(tco_xsum_value(&a.sum) / (double)n);
}

const char *tco_criterion_words(tco_criterion c)
{
    static const char *const words[TCO_NCRIT] = {
        "lowest mean NPV", "lowest P50 NPV", "lowest P90 NPV", "lowest P95 NPV",
        "lowest CVaR95 NPV", "lowest certainty equivalent"};
    return c >= 0 && c < TCO_NCRIT ? words[c] : "?";
}

double tco_stats_criterion_value(tco_criterion c, const tco_strategy_result *q)
{
    switch (c) {
    case TCO_CRIT_P50:
        return q->npv.p[3];
    case TCO_CRIT_P90:
        return q->npv.p[5];
    case TCO_CRIT_P95:
        return q->npv.p[6];
    case TCO_CRIT_CVAR95:
        return q->npv.cvar95;
    case TCO_CRIT_CE:
        return q->ce;
    default:
        return q->npv.mean;
    }
}

/* Savings of costs v[0..n) against the baseline's base[0..n), paired on
 * futures: base[i] - v[i].  The interval is the normal one, mean -+ 1.96
 * SE, SE = sd / sqrt(n) (sd with n - 1); scratch holds n. */
static void summarize_savings(const double *base, const double *v, size_t n, double *scratch,
                              tco_savings *out)
{
    size_t saves = 0, same = 0;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = base[i] - v[i];
        saves += scratch[i] > 0;
        same += base[i] == v[i];
    }
    double mean = exact_mean(scratch, n), ss = exact_squares(scratch, n, mean);
    double se = n > 1 ? sqrt(ss / (double)(n - 1)) / sqrt((double)n) : 0;
    out->mean = mean;
    out->ci_low = mean - 1.96 * se;
    out->ci_high = mean + 1.96 * se;
    out->p_saves = (double)saves / (double)n;
    out->p_saves_more = NAN;
    out->identical = (double)same / (double)n;
    tco_stats_percentiles(scratch, n, TCO_PCT, TCO_NPCT, out->p);
}

/* The pairwise matrices of r (allocated) from costs npv: P(a < b), the
 * fraction of futures where a == b, the mean |a - b| and the standard
 * error of the mean of a - b, each pair's sums exact.  Rows are
 * computed in parallel; each pair by one thread. */
static void pairwise(tco_results *r, const double *npv, size_t n, int threads)
{
    size_t S = r->S;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t a = 0; a < S; a++) {
        const double *x = npv + a * n;
        r->identical[a * S + a] = 1;
        for (size_t b = a + 1; b < S; b++) {
            const double *y = npv + b * n;
            size_t lt = 0, gt = 0, eq = 0;
            /* The exact sums of a - b and of |a - b|, one add a future
             * (the large accumulator keeps the signs apart). */
            tco_xsum_large acc;
            tco_xsum_large_init(&acc);
            for (size_t i = 0; i < n; i++) {
                lt += x[i] < y[i];
                gt += x[i] > y[i];
                eq += x[i] == y[i];
                tco_xsum_large_add(&acc, x[i] - y[i]);
            }
            tco_xsum_large_flush(&acc);
            double mean = tco_xsum_value(&acc.sum) / (double)n, sabs = tco_xsum_value(&acc.abs);
            tco_xsum_large_init(&acc);
            for (size_t i = 0; i < n; i++)
                tco_xsum_large_add(&acc, (x[i] - y[i] - mean) * (x[i] - y[i] - mean));
            tco_xsum_large_flush(&acc);
            double ss = tco_xsum_value(&acc.sum);
            double se = n > 1 ? sqrt(ss / (double)(n - 1)) / sqrt((double)n) : 0;
            r->p_cheaper[a * S + b] = (double)lt / (double)n;
            r->p_cheaper[b * S + a] = (double)gt / (double)n;
            r->identical[a * S + b] = r->identical[b * S + a] = (double)eq / (double)n;
            r->mean_abs_diff[a * S + b] = r->mean_abs_diff[b * S + a] = sabs / (double)n;
            r->diff_se[a * S + b] = r->diff_se[b * S + a] = se;
        }
    }
}

static void ask(const tco_run *run, const tco_run_op *op);
static int spread(const tco_run *run);

/* The futures this process holds: [*f, *f + *m). */
static void held(const tco_run *run, size_t *f, size_t *m)
{
    *f = spread(run) ? (size_t)run->first : 0;
    *m = spread(run) ? (size_t)(run->last - run->first) : (size_t)run->n;
}

/* m[s]: the futures in which strategy s saves more than x against the
 * baseline, over every process of a spread run. */
static void count_saves_more(const tco_run *run, size_t S, double x, uint64_t *m)
{
    size_t n = (size_t)run->n, f, h;
    held(run, &f, &h);
    for (size_t s = 0; s < S; s++) {
        m[s] = 0;
        for (size_t i = f; !isnan(x) && i < f + h; i++)
            m[s] += run->npv[i] - run->npv[s * n + i] > x;
    }
    if (spread(run))
        run->reduce->sum(run->reduce->ctx, m, S);
}

void tco_results_set_saves_more_than(tco_results *r, const tco_run *run, double x)
{
    size_t n = (size_t)run->n;
    tco_run_op op = {.kind = TCO_OP_SAVES_MORE, .x = {x, 0}};
    uint64_t m[TCO_MAX_STRATEGIES];
    if (spread(run))
        ask(run, &op);
    count_saves_more(run, r->S, x, m);
    r->saves_more_than = x;
    for (size_t s = 0; s < r->S; s++)
        r->st[s].savings.p_saves_more = isnan(x) ? NAN : (double)m[s] / (double)n;
}

/* The type-7 median of the months counted in count[from..bins) (count[v]
 * futures have month v), as tco_stats_percentiles gives it over the
 * months themselves, into *out; returns the number of futures counted. */
static size_t counted_median(const unsigned long *count, size_t bins, size_t from, double *out)
{
    size_t m = 0;
    for (size_t v = from; v < bins; v++)
        m += count[v];
    if (!m)
        return 0;
    double half = 0.5, vals[2];
    size_t ranks[2], nr = tco_select_type7_ranks(m, &half, 1, ranks);
    for (size_t j = 0; j < nr; j++) {
        size_t below = 0, v = from;
        while (below + count[v] <= ranks[j])
            below += count[v++];
        vals[j] = (double)v;
    }
    *out = tco_select_type7_value(m, half, ranks, nr, vals);
    return m;
}

/* Break-even and route changes of strategy s from the run's counts (a
 * run that stores no per-future months, or a spread one). */
static void summarize_counted(const tco_run *run, size_t s, tco_strategy_result *q)
{
    size_t n = (size_t)run->n, T = (size_t)run->T, m;
    m = counted_median(run->breakeven_count + s * (T + 2), T + 2, 1, &q->breakeven_median);
    q->breakeven_probability = (double)m / (double)n;
    if (!m)
        q->breakeven_median = NAN;
    /* Route changes; a run without the counts (built by hand) has none. */
    double count = 0;
    m = 0;
    if (run->switches_total) {
        count = (double)run->switches_total[s];
        m = counted_median(run->first_switch_count + s * (T + 2), T + 2, 0,
                           &q->switches_median_first);
    }
    q->switches_mean = count / (double)n;
    q->switches_probability = (double)m / (double)n;
    if (!m)
        q->switches_median_first = NAN;
}

/* Strategy s's means, from the run's own sums. */
static void summarize_means(const tco_run *run, size_t s, tco_strategy_result *q)
{
    size_t T = (size_t)run->T;
    q->cost_per_mtok = run->cpm_mean[s];
    q->unserved = run->unserved_mean ? run->unserved_mean[s] : 0; /* NULL: built by hand */
    memcpy(q->monthly_mean, run->monthly_mean + s * T, T * sizeof *q->monthly_mean);
    for (int c = 0; c < TCO_NCAT; c++)
        q->cat[c] = run->cat_mean[s * TCO_NCAT + (size_t)c];
}

/* Everything about strategy s but its monthly bands; scratch holds n. */
static void summarize_strategy(const tco_run *run, const double *best, size_t s, double *scratch,
                               tco_strategy_result *q)
{
    size_t n = (size_t)run->n;
    const double *v = run->npv + s * n;
    summarize(v, n, scratch, &q->npv);
    for (size_t i = 0; i < n; i++)
        scratch[i] = v[i] - best[i];
    q->nominal_mean = exact_mean(run->nominal + s * n, n);
    q->regret_mean = exact_mean(scratch, n);
    double p95 = 0.95;
    tco_stats_percentiles(scratch, n, &p95, 1, &q->regret_p95);
    size_t m = 0;
    double half = 0.5;
    /* From the per-future months when stored, else from their counts. */
    if (!run->breakeven) {
        summarize_counted(run, s, q);
    } else {
        for (size_t i = 0; i < n; i++)
            if (run->breakeven[s * n + i] > 0)
                scratch[m++] = run->breakeven[s * n + i];
        if (m)
            tco_stats_percentiles(scratch, m, &half, 1, &q->breakeven_median);
        q->breakeven_probability = (double)m / (double)n;
        if (!m)
            q->breakeven_median = NAN;
        /* Route changes; a run without the arrays (built by hand) has none. */
        double count = 0;
        m = 0;
        for (size_t i = 0; run->switches && i < n; i++) {
            count += run->switches[s * n + i];
            if (run->switches[s * n + i] > 0)
                scratch[m++] = run->first_switch[s * n + i];
        }
        if (m)
            tco_stats_percentiles(scratch, m, &half, 1, &q->switches_median_first);
        q->switches_mean = count / (double)n;
        q->switches_probability = (double)m / (double)n;
        if (!m)
            q->switches_median_first = NAN;
    }
    /* MODEL.md 19: certainty equivalent and probability within budget. */
    const tco_scenario *sc = run->sc;
    q->ce = sc && sc->risk_tolerance > 0 ? tco_stats_ce(v, n, sc->risk_tolerance) : NAN;
    q->p_within_budget = NAN;
    if (sc && !isnan(sc->budget)) {
        m = 0;
        for (size_t i = 0; i < n; i++)
            m += v[i] <= sc->budget;
        q->p_within_budget = (double)m / (double)n;
    }
    q->criterion_value = tco_stats_criterion_value(sc ? sc->criterion : TCO_CRIT_MEAN, q);
    summarize_savings(run->npv, v, n, scratch, &q->savings);
    summarize_means(run, s, q);
}

static tco_status recompute_bands(const tco_run *run, tco_results *res, tco_cumulative *cu,
                                  int asks, tco_error *err);
static tco_cumulative *cumulative_alloc(size_t S, int T);

/* The processes of a spread run (engine.h) compute every statistic that
 * reads the futures together: the one that writes the results asks the
 * others (tco_run_serve) and each reads its own futures. */
static int spread(const tco_run *run) { return run->spread && run->reduce; }

static void ask(const tco_run *run, const tco_run_op *op)
{
    if (run->reduce && run->reduce->begin)
        run->reduce->begin(run->reduce->ctx, op);
}

/* Agrees on st over the processes of a spread run (the lowest failing
 * process's error); st itself on one process. */
static tco_status agree(const tco_run *run, tco_status st, tco_error *err)
{
    return spread(run) ? run->reduce->agree(run->reduce->ctx, st, err) : st;
}

static tco_results *results_alloc(const tco_run *run)
{
    size_t S = run->S, T = (size_t)run->T;
    tco_results *r = calloc(1, sizeof *r);
    if (!r || !(r->st = calloc(S, sizeof *r->st))) {
        free(r);
        return NULL;
    }
    r->S = S;
    r->T = run->T;
    r->n = run->n;
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &r->st[s];
        int ok = (q->monthly_mean = malloc(T * sizeof *q->monthly_mean)) != NULL;
        for (int b = 0; ok && b < TCO_NBAND; b++)
            ok = (q->monthly_band[b] = malloc(T * sizeof *q->monthly_band[b])) != NULL;
        if (!ok) {
            tco_results_free(r);
            return NULL;
        }
    }
    if (!(r->p_cheaper = calloc(S * S, sizeof *r->p_cheaper)) ||
        !(r->identical = calloc(S * S, sizeof *r->identical)) ||
        !(r->mean_abs_diff = calloc(S * S, sizeof *r->mean_abs_diff)) ||
        !(r->diff_se = calloc(S * S, sizeof *r->diff_se))) {
        tco_results_free(r);
        return NULL;
    }
    return r;
}

/* The statistics of a spread run that read the futures: NPVs by
 * tco_pstats (the same bits as the rest of this file computes them over
 * every future), break-even and route changes from their counts. */
static tco_status results_spread(const tco_run *run, tco_results *r, tco_error *err)
{
    const tco_run_reduce *red = run->reduce;
    size_t S = run->S, n = (size_t)run->n, m = (size_t)(run->last - run->first);
    const double *npv = run->npv + run->first, *nominal = run->nominal + run->first;
    tco_status st = tco_pstats_compute(npv, nominal, m, n, S, run->sc, red->sum, red->ctx,
                                       r->st, &r->best, &r->evpi, err);
    if (st == TCO_OK)
        st = tco_pstats_pairwise(npv, m, n, S, red->sum, red->ctx, r->p_cheaper, r->identical,
                                 r->mean_abs_diff, r->diff_se, err);
    for (size_t s = 0; st == TCO_OK && s < S; s++) {
        summarize_counted(run, s, &r->st[s]);
        summarize_means(run, s, &r->st[s]);
    }
    return st;
}

/* The statistics of a run whose every future is here. */
static tco_status results_local(const tco_run *run, tco_results *r, tco_error *err)
{
    size_t S = run->S, n = (size_t)run->n;
    double *best = malloc(n * sizeof *best);
    if (!best)
        return tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
    /* The cheapest NPV of each future, and ties split between strategies. */
    for (size_t i = 0; i < n; i++)
        best[i] = tco_stats_cheapest(run->npv, n, S, i, NULL);
    /* Each strategy's summary, in parallel: each thread its own scratch. */
    int failed = 0;
#pragma omp parallel num_threads(run->threads) shared(failed)
    {
        double *mine = malloc(n * sizeof *mine);
        if (!mine) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t s = 0; s < S; s++) {
            if (!mine)
                continue;
            summarize_strategy(run, best, s, mine, &r->st[s]);
        }
        free(mine);
    }
    double *pc = best; /* the cheapest NPVs are no longer needed */
    if (!failed && S > n && !(pc = realloc(best, S * sizeof *pc)))
        failed = 1;
    else
        best = pc;
    if (!failed) {
        tco_stats_p_cheapest(run->npv, n, S, pc);
        for (size_t s = 0; s < S; s++) {
            r->st[s].p_cheapest = pc[s];
            pc[s] = r->st[s].npv.mean;
        }
        r->best = tco_stats_best_mean(pc, S);
        r->evpi = r->best < 0 ? NAN : r->st[r->best].regret_mean;
        pairwise(r, run->npv, n, run->threads);
    }
    free(best);
    if (failed)
        return tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
    return TCO_OK;
}

tco_status tco_results_compute(tco_results **out, const tco_run *run, tco_error *err)
{
    *out = NULL;
    size_t S = run->S, n = (size_t)run->n, T = (size_t)run->T;
    const tco_run_op op = {.kind = TCO_OP_RESULTS};
    if (spread(run))
        ask(run, &op);
    tco_results *r = results_alloc(run);
    tco_status st = r ? TCO_OK : tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
    if ((st = agree(run, st, err)) != TCO_OK)
        goto fail;
    if ((st = spread(run) ? results_spread(run, r, err) : results_local(run, r, err)) != TCO_OK)
        goto fail;
    /* The recommended strategy: the lowest criterion value (MODEL.md 19). */
    double *pc = malloc(S * sizeof *pc);
    if (!pc) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
        goto fail;
    }
    r->criterion = run->sc ? run->sc->criterion : TCO_CRIT_MEAN;
    for (size_t s = 0; s < S; s++)
        pc[s] = r->st[s].criterion_value;
    r->recommended = tco_stats_best_mean(pc, S);
    free(pc);
    r->saves_more_than = NAN;
    tco_decision_compute(&r->decision, r);
    /* Monthly bands: one selection per strategy and month, in parallel;
     * recomputed with the cumulative bands when not stored. */
    if (!run->monthly) {
        /* An allocation failure here is agreed on by the selection's first
         * pass (a cumulative_alloc that fails is passed as NULL). */
        r->cumulative = cumulative_alloc(S, run->T);
        if ((st = recompute_bands(run, r, r->cumulative, !spread(run), err)) != TCO_OK)
            goto fail;
        if (!r->cumulative) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
            goto fail;
        }
        *out = r;
        return TCO_OK;
    }
    int failed = 0;
#pragma omp parallel num_threads(run->threads) shared(failed)
    {
        float *col = malloc(n * sizeof *col);
        if (!col) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t j = 0; j < S * T; j++) {
            if (!col)
                continue;
            double band[TCO_NBAND];
            tco_stats_percentiles_f_kept(run->monthly + j * n, col, n, TCO_BAND, TCO_NBAND, band);
            for (int b = 0; b < TCO_NBAND; b++)
                r->st[j / T].monthly_band[b][j % T] = band[b];
        }
        free(col);
    }
    if (failed) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
        goto fail;
    }
    *out = r;
    return TCO_OK;
fail:
    tco_results_free(r);
    return st;
}

/* A running sum in single precision for selection: beyond float range it
 * is an infinity of its sign (a direct conversion would be undefined). */
static float to_float(double x)
{
    return x > FLT_MAX ? INFINITY : x < -FLT_MAX ? -INFINITY : (float)x;
}

/* acc[i] += m[i] (b NULL) or acc[i] += m[i] - b[i], in double, and each
 * sum as to_float rounds it into col[i]: two futures a lane pair with
 * SSE4.1, the same operations. */
static void running_sums(double *acc, const float *m, const float *b, float *col, size_t n)
{
    size_t i = 0;
#ifdef __SSE4_1__
    const __m128d big = _mm_set1_pd(FLT_MAX), nbig = _mm_set1_pd(-FLT_MAX);
    const __m128d inf = _mm_set1_pd((double)INFINITY), ninf = _mm_set1_pd(-(double)INFINITY);
    for (; i + 2 <= n; i += 2) {
        __m128d v = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(const void *)(m + i))));
        if (b)
            v = _mm_sub_pd(v, _mm_cvtps_pd(_mm_castpd_ps(
                                  _mm_load_sd((const double *)(const void *)(b + i)))));
        __m128d a = _mm_add_pd(_mm_loadu_pd(acc + i), v);
        _mm_storeu_pd(acc + i, a);
        a = _mm_blendv_pd(a, inf, _mm_cmpgt_pd(a, big));
        a = _mm_blendv_pd(a, ninf, _mm_cmplt_pd(a, nbig));
        _mm_storel_pi((__m64 *)(void *)(col + i), _mm_cvtpd_ps(a));
    }
#endif
    for (; i < n; i++) {
        acc[i] += b ? (double)m[i] - (double)b[i] : (double)m[i];
        col[i] = to_float(acc[i]);
    }
}

/* Bands of monthly costs not stored: radix selection over recomputed
 * futures (select.h).  Each wanted order statistic (the type-7 ranks of
 * the bands, the same for every column of n values) is found by three
 * passes over the futures, each counting the floats' next 11, 11 and 10
 * key bits; after the third every bit is known: the order statistic is
 * that float, the very value a selection over the stored column would
 * give, so every band is the same bit for bit.  Counts add in any order:
 * the passes run on every thread, each with its own histograms.
 *
 * Columns: the monthly costs of strategy s in month t (s * T + t), their
 * running sums over months (S * T + s * T + t) and the running sums of
 * their differences from the baseline's (2 * S * T + s * T + t), rounded
 * to float as tco_cumulative_compute rounds them.
 *
 * A future's keys wait in its thread's buffer, column by column, and are
 * counted a column at a time when the buffer is full (radix_flush): a
 * column's histograms (up to ten of 8 KB in the second and third passes)
 * then stay in the caches while its keys are counted, and the next
 * column's are fetched meanwhile.  Counted as each future came, the
 * 3 S T keys of a future went to every column's histograms in turn, tens
 * of MB in all, and nearly every count waited for memory.  The same
 * counts, in another order. */
struct tco_bands_pass {
    size_t S, T, ncol, nthreads;
    tco_select *sel;
    size_t cap;     /* futures a buffer holds, a multiple of RADIX_TILE */
    uint32_t *keys; /* a thread's buffer: tiles of RADIX_TILE futures, ncol x RADIX_TILE
                     * keys each, a column's RADIX_TILE keys on one cache line */
    size_t *fill;   /* futures in thread k's buffer: fill[k * RADIX_PAD] */
};

/* A tile's futures: a cache line of a column's keys.  A future's keys go
 * to ncol lines side by side (a few pages), which the next futures of the
 * tile fill; a column's keys are read a line at a time. */
enum { RADIX_TILE = 16 };

/* Each thread's count of futures on a cache line of its own. */
enum { RADIX_PAD = 64 / sizeof(size_t) };

/* Futures a thread's buffer holds: 4,096, or fewer so that its keys
 * take at most 16 MiB (at least a tile).  A column's histograms are read
 * into the caches once a buffer: more futures a buffer, fewer reads. */
static size_t radix_cap(size_t ncol)
{
    size_t cap = ((size_t)16 << 20) / (ncol * sizeof(uint32_t));
    return cap < RADIX_TILE ? RADIX_TILE : cap > 4096 ? 4096 : cap / RADIX_TILE * RADIX_TILE;
}

size_t tco_stats_bands_buffer_bytes(size_t S, size_t T)
{
    const size_t ncol = 3 * S * T;
    return ncol ? ncol * radix_cap(ncol) * sizeof(uint32_t) : 0;
}

/* Tiles ahead whose line of a column's keys is asked for while a tile's
 * are counted: a column's lines lie ncol x 64 bytes apart, one a page or
 * more, where the processor's own prefetch does not follow them (a load
 * of the keys held up a third of the counting; 4 to 32 tiles ahead all
 * took 10-20% off the recomputed bands' counting). */
enum { RADIX_AHEAD = 8 };

static void radix_flush(tco_bands_pass *r, size_t thread)
{
    const size_t n = r->fill[thread * RADIX_PAD], ncol = r->ncol;
    const uint32_t *keys = r->keys + thread * ncol * r->cap;
    uint32_t *h = tco_select_thread_hist(r->sel, thread);
    const tco_select *sel = r->sel;
    for (size_t c = 0; c < ncol; c++) {
        const char *next = NULL;
        size_t lines = 0, at = 0;
        if (c + 1 < ncol) {
            next = (const char *)(h + sel->goff[c + 1] * TCO_SELECT_BINS);
            lines = sel->ngroup[c + 1] * TCO_SELECT_BINS * sizeof *h / 64;
        }
        /* The next column's histograms fetched while this one's keys
         * are counted: four cache lines a tile (up to eight histograms
         * by the end of a full buffer). */
        for (size_t j = 0; j < n; j += RADIX_TILE) {
            for (int q = 0; q < 4 && at < lines; q++, at++)
                __builtin_prefetch(next + at * 64, 1);
            const size_t ahead = j + RADIX_AHEAD * RADIX_TILE;
            if (ahead < n)
                __builtin_prefetch(keys + (ahead * ncol + c * RADIX_TILE));
            tco_select_count_column(sel, h, c, keys + (j * ncol + c * RADIX_TILE),
                                    n - j < RADIX_TILE ? n - j : RADIX_TILE);
        }
    }
    r->fill[thread * RADIX_PAD] = 0;
}

static void radix_visit(void *ctx, int thread, long i, const float *month)
{
    tco_bands_pass *r = ctx;
    (void)i;
    const size_t S = r->S, T = r->T, ST = S * T, k = (size_t)thread, j = r->fill[k * RADIX_PAD];
    /* Future j's keys: the (j % RADIX_TILE)-th of each column's in tile
     * j / RADIX_TILE. */
    uint32_t *key = r->keys + k * r->ncol * r->cap + (j / RADIX_TILE * r->ncol * RADIX_TILE +
                                                      j % RADIX_TILE);
    for (size_t s = 0; s < S; s++) {
        const float *m = month + s * T, *b = month;
        double cum = 0, dif = 0;
        for (size_t t = 0; t < T; t++) {
            const size_t c = s * T + t;
            key[c * RADIX_TILE] = tco_select_key_f(m[t]);
            cum += m[t];
            key[(ST + c) * RADIX_TILE] = tco_select_key_f(to_float(cum));
            dif += (double)m[t] - (double)b[t];
            key[(2 * ST + c) * RADIX_TILE] = tco_select_key_f(to_float(dif));
        }
    }
    r->fill[k * RADIX_PAD] = j + 1;
    if (j + 1 == r->cap)
        radix_flush(r, k);
}

tco_status tco_bands_pass_alloc(tco_bands_pass **out, size_t S, size_t T, long n,
                                size_t nthreads, tco_error *err)
{
    size_t ranks[2 * TCO_NBAND];
    const size_t nr = tco_select_type7_ranks((size_t)n, TCO_BAND, TCO_NBAND, ranks),
                 ncol = 3 * S * T, nt = nthreads > 0 ? nthreads : 1, cap = radix_cap(ncol);
    tco_bands_pass *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r) {
        *r = (tco_bands_pass){.S = S, .T = T, .ncol = ncol, .nthreads = nt, .cap = cap};
        if (tco_select_alloc(&r->sel, ncol, ranks, nr, 32, nt, err) != TCO_OK ||
            /* In huge pages: a column's keys are read a line a page apart,
             * and with small pages nearly each line missed the TLB too
             * (the recomputed bands 8% faster, 30,000 futures). */
            !(r->keys = tco_select_huge(nt * ncol * cap * sizeof *r->keys)) ||
            !(r->fill = calloc(nt * RADIX_PAD, sizeof *r->fill))) {
            tco_bands_pass_free(r);
            r = NULL;
        }
    }
    if (!r)
        return tco_error_set(err, TCO_ENOMEM, "out of memory for the monthly bands");
    tco_select_begin(r->sel);
    *out = r;
    return TCO_OK;
}

void tco_bands_pass_visit(tco_bands_pass *p, int thread, long i, const float *month)
{
    radix_visit(p, thread, i, month);
}

void tco_bands_pass_free(tco_bands_pass *p)
{
    if (!p)
        return;
    tco_select_free(p->sel);
    free(p->keys);
    free(p->fill);
    free(p);
}

/* The monthly bands into r (when not NULL) and the cumulative ones into c
 * (when not NULL) of a run whose monthly costs are not stored.  The first
 * pass is the run's own when it counted it as it computed its futures
 * (tco_run_take_bands_pass): the futures are then computed twice here,
 * not three times. */
static tco_status recompute_bands(const tco_run *run, tco_results *res, tco_cumulative *cu,
                                  int asks, tco_error *err)
{
    const size_t S = run->S, T = (size_t)run->T, n = (size_t)run->n;
    /* Processes of tcosim-mpi: each visits its own blocks, the counts of
     * every pass are summed over them (engine.h, tco_run_reduce). */
    const tco_run_reduce *red = run->reduce;
    const tco_run_op op = {.kind = TCO_OP_BANDS};
    if (asks)
        ask(run, &op);
    size_t ranks[2 * TCO_NBAND];
    size_t nr = tco_select_type7_ranks(n, TCO_BAND, TCO_NBAND, ranks), ncol = 3 * S * T;
    const size_t nt = run->threads > 0 ? (size_t)run->threads : 1;
    /* Not over processes: every one would have to have counted it. */
    tco_bands_pass *r = tco_run_take_bands_pass(run);
    if (r && (red || r->nthreads != nt || r->ncol != ncol)) {
        tco_bands_pass_free(r);
        r = NULL;
    }
    int counted = r != NULL; /* the first pass */
    tco_status st = r ? TCO_OK : tco_bands_pass_alloc(&r, S, T, (long)n, nt, err);
    /* The message goes to the other processes too (red->agree). */
    if (red)
        st = red->agree(red->ctx, st, err);
    if (st)
        goto done;
    for (; r->sel->pass < r->sel->npass; counted = 0) {
        if (!counted) {
            if (r->sel->pass > 0) /* the first is begun by tco_bands_pass_alloc */
                tco_select_begin(r->sel);
            st = tco_run_months(run, radix_visit, r, err);
            if (red)
                st = red->agree(red->ctx, st, err);
            if (st)
                goto done;
        }
        /* The keys left in each thread's buffer, each into its own
         * histograms. */
#pragma omp parallel for num_threads((int)nt) schedule(static, 1) if (nt > 1)
        for (size_t k = 0; k < nt; k++)
            radix_flush(r, k);
        tco_select_end(r->sel, red ? red->sum : NULL, red ? red->ctx : NULL);
    }
    for (size_t c = 0; c < ncol; c++) {
        double vals[2 * TCO_NBAND], band[TCO_NBAND];
        for (size_t j = 0; j < nr; j++)
            vals[j] = tco_select_key_to_f((uint32_t)tco_select_result(r->sel, c, j));
        for (int b = 0; b < TCO_NBAND; b++)
            band[b] = tco_select_type7_value(n, TCO_BAND[b], ranks, nr, vals);
        size_t kind = c / (S * T), s = c % (S * T) / T, t = c % T;
        for (size_t b = 0; b < TCO_NBAND; b++) {
            if (kind == 0 && res)
                res->st[s].monthly_band[b][t] = band[b];
            else if (kind == 1 && cu)
                cu->cum[(s * TCO_NBAND + b) * T + t] = band[b];
            else if (kind == 2 && cu)
                cu->diff[(s * TCO_NBAND + b) * T + t] = band[b];
        }
    }
done:
    tco_bands_pass_free(r);
    return st;
}

static tco_cumulative *cumulative_alloc(size_t S, int T)
{
    tco_cumulative *c = calloc(1, sizeof *c);
    if (!c || !(c->cum = malloc(S * TCO_NBAND * (size_t)T * sizeof *c->cum)) ||
        !(c->diff = malloc(S * TCO_NBAND * (size_t)T * sizeof *c->diff))) {
        tco_cumulative_free(c);
        return NULL;
    }
    c->S = S;
    c->T = T;
    return c;
}

void tco_cumulative_free(tco_cumulative *c)
{
    if (!c)
        return;
    free(c->cum);
    free(c->diff);
    free(c);
}

tco_status tco_cumulative_compute(tco_cumulative **out, const tco_run *run, tco_error *err)
{
    *out = NULL;
    size_t S = run->S, n = (size_t)run->n, T = (size_t)run->T;
    tco_cumulative *c = cumulative_alloc(S, run->T);
    if (!run->monthly) {
        /* Without c the passes still run: the other processes of a
         * tcosim-mpi job count with this one. */
        tco_status st = recompute_bands(run, NULL, c, 1, err);
        if (st == TCO_OK && !c)
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        if (st != TCO_OK) {
            tco_cumulative_free(c);
            return st;
        }
        *out = c;
        return TCO_OK;
    }
    if (!c)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    int failed = 0;
    /* One strategy per thread: running sums over months, in double, then
     * the bands of the running sums (rounded to float for selection, as the
     * monthly bands are). */
#pragma omp parallel num_threads(run->threads) shared(failed)
    {
        double *cum = malloc(n * sizeof *cum), *dif = malloc(n * sizeof *dif);
        float *col = malloc(n * sizeof *col);
        if (!cum || !dif || !col) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t s = 0; s < S; s++) {
            if (!cum || !dif || !col)
                continue;
            memset(cum, 0, n * sizeof *cum);
            memset(dif, 0, n * sizeof *dif);
            for (size_t t = 0; t < T; t++) {
                const float *m = run->monthly + (s * T + t) * n;
                const float *b = run->monthly + t * n;
                double band[TCO_NBAND];
                running_sums(cum, m, NULL, col, n);
                tco_stats_percentiles_f(col, n, TCO_BAND, TCO_NBAND, band);
                for (int k = 0; k < TCO_NBAND; k++)
                    c->cum[(s * TCO_NBAND + (size_t)k) * T + t] = band[k];
                running_sums(dif, m, b, col, n);
                tco_stats_percentiles_f(col, n, TCO_BAND, TCO_NBAND, band);
                for (int k = 0; k < TCO_NBAND; k++)
                    c->diff[(s * TCO_NBAND + (size_t)k) * T + t] = band[k];
            }
        }
        free(cum);
        free(dif);
        free(col);
    }
    if (failed) {
        tco_cumulative_free(c);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    *out = c;
    return TCO_OK;
}

/* Percentiles of a spread run's columns (ncol of them, column c at x +
 * c * stride, this process's futures) by selection over the processes. */
static tco_status spread_percentiles(const tco_run *run, const double *x, size_t ncol,
                                     size_t stride, const double *p, size_t np, double *out,
                                     tco_error *err)
{
    return tco_select_percentiles_d(x, (size_t)(run->last - run->first), ncol, stride, p, np,
                                    out, run->reduce->sum, run->reduce->ctx, err);
}

/* Asks for op with probabilities p[0..np). */
static void ask_p(const tco_run *run, int kind, int s, const double *p, size_t np)
{
    tco_run_op op = {.kind = kind, .s = s, .np = np};
    memcpy(op.p, p, (np < TCO_OP_MAXP ? np : TCO_OP_MAXP) * sizeof *p);
    ask(run, &op);
}

/* A spread run's grid (engine.h): kind 0 the NPV curves, 1 the savings
 * curves, each S x TCO_GRID, then a flag a kind, 1 once computed. */
static double *grid_of(const tco_run *run, int kind)
{
    return run->grid + (size_t)kind * run->S * TCO_GRID;
}

static double *grid_flag(const tco_run *run, int kind)
{
    return run->grid + 2 * run->S * TCO_GRID + (size_t)kind;
}

/* Whether every p[q] is k[q] / (TCO_GRID - 1) exactly. */
static int on_grid(const double *p, size_t np, int *k)
{
    for (size_t q = 0; q < np; q++) {
        if (!(p[q] >= 0 && p[q] <= 1))
            return 0;
        double j = nearbyint(p[q] * (TCO_GRID - 1));
        if (j / (TCO_GRID - 1) != p[q])
            return 0;
        k[q] = (int)j;
    }
    return 1;
}

static tco_status npv_curves_spread(const tco_run *run, const double *p, size_t np, double *out,
                                    tco_error *err);
static tco_status npv_curves_local(const tco_run *run, const double *p, size_t np, double *out,
                                   tco_error *err);
static tco_status savings_curves(const tco_run *run, const double *p, size_t np,
                                        double *out, tco_error *err);

/* Curves of kind (0 NPV, 1 savings) at p[0..np) into out (s's at out + s *
 * np; savings from s = 1) from the run's grid when every p is on it: the
 * grid is computed over every process the first time (the others asked
 * for all of it), read after.  *done 0: not on the grid (or no grid). */
static tco_status from_grid(const tco_run *run, int kind, const double *p, size_t np,
                            double *out, size_t s0, size_t s1, int *done, tco_error *err)
{
    int k[TCO_OP_MAXP];
    *done = 0;
    if (!run->grid || np > TCO_OP_MAXP || !on_grid(p, np, k))
        return TCO_OK;
    double *g = grid_of(run, kind);
    if (*grid_flag(run, kind) == 0) {
        double all[TCO_GRID];
        for (int j = 0; j < TCO_GRID; j++)
            all[j] = j / (double)(TCO_GRID - 1);
        tco_status st = kind == 1   ? savings_curves(run, all, TCO_GRID, g, err)
                        : spread(run) ? npv_curves_spread(run, all, TCO_GRID, g, err)
                                      : npv_curves_local(run, all, TCO_GRID, g, err);
        if (st != TCO_OK)
            return st;
        *grid_flag(run, kind) = 1;
    }
    for (size_t s = s0; s < s1; s++)
        for (size_t q = 0; q < np; q++)
            out[(s - s0) * np + q] = g[s * TCO_GRID + (size_t)k[q]];
    *done = 1;
    return TCO_OK;
}

static tco_status npv_curves_spread(const tco_run *run, const double *p, size_t np, double *out,
                                    tco_error *err)
{
    ask_p(run, TCO_OP_CURVES, 0, p, np);
    return spread_percentiles(run, run->npv + run->first, run->S, (size_t)run->n, p, np, out,
                              err);
}

tco_status tco_stats_npv_curve(const tco_run *run, size_t s, const double *p, size_t np,
                               double *out, tco_error *err)
{
    size_t n = (size_t)run->n;
    int done;
    tco_status st = from_grid(run, 0, p, np, out, s, s + 1, &done, err);
    if (st != TCO_OK || done)
        return st;
    if (spread(run)) {
        if (np > TCO_OP_MAXP)
            return tco_error_set(err, TCO_EINVAL, "at most %d probabilities", TCO_OP_MAXP);
        ask_p(run, TCO_OP_CURVE, (int)s, p, np);
        return spread_percentiles(run, run->npv + s * n + run->first, 1, n, p, np, out, err);
    }
    double *x = malloc(n * sizeof *x);
    if (!x)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    memcpy(x, run->npv + s * n, n * sizeof *x);
    tco_stats_percentiles(x, n, p, np, out);
    free(x);
    return TCO_OK;
}

tco_status tco_stats_npv_curves(const tco_run *run, const double *p, size_t np, double *out,
                                tco_error *err)
{
    int done;
    tco_status st = from_grid(run, 0, p, np, out, 0, run->S, &done, err);
    if (st != TCO_OK || done)
        return st;
    if (spread(run)) {
        if (np > TCO_OP_MAXP)
            return tco_error_set(err, TCO_EINVAL, "at most %d probabilities", TCO_OP_MAXP);
        return npv_curves_spread(run, p, np, out, err);
    }
    return npv_curves_local(run, p, np, out, err);
}

/* Every strategy's curve from this process's futures (every future held). */
static tco_status npv_curves_local(const tco_run *run, const double *p, size_t np, double *out,
                                   tco_error *err)
{
    size_t n = (size_t)run->n, S = run->S;
    int failed = 0;
#pragma omp parallel num_threads(run->threads) shared(failed)
    {
        double *x = malloc(n * sizeof *x);
        if (!x) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t s = 0; s < S; s++) {
            if (!x)
                continue;
            memcpy(x, run->npv + s * n, n * sizeof *x);
            tco_stats_percentiles(x, n, p, np, out + s * np);
        }
        free(x);
    }
    if (failed)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    return TCO_OK;
}

tco_status tco_stats_savings_curves(const tco_run *run, const double *p, size_t np, double *out,
                                    tco_error *err)
{
    size_t S = run->S;
    if (S < 2)
        return TCO_OK;
    int done;
    tco_status st = from_grid(run, 1, p, np, out + np, 1, S, &done, err);
    if (st != TCO_OK || done)
        return st;
    if (spread(run) && np > TCO_OP_MAXP)
        return tco_error_set(err, TCO_EINVAL, "at most %d probabilities", TCO_OP_MAXP);
    return savings_curves(run, p, np, out, err);
}

/* tco_stats_savings_curves at any probabilities: asks the others of a
 * spread run to compute them too. */
static tco_status savings_curves(const tco_run *run, const double *p, size_t np,
                                        double *out, tco_error *err)
{
    size_t S = run->S, n = (size_t)run->n;
    if (spread(run))
        ask_p(run, TCO_OP_SAVINGS, 0, p, np);
    /* One strategy's savings at a time, this process's futures. */
    size_t f, m;
    held(run, &f, &m);
    double *x = malloc((m > 0 ? m : 1) * sizeof *x);
    tco_status st = x ? TCO_OK : tco_error_set(err, TCO_ENOMEM, "out of memory");
    if ((st = agree(run, st, err)) != TCO_OK) {
        free(x);
        return st;
    }
    for (size_t s = 1; s < S && st == TCO_OK; s++) {
        for (size_t i = 0; i < m; i++)
            x[i] = run->npv[f + i] - run->npv[s * n + f + i];
        if (spread(run))
            st = spread_percentiles(run, x, 1, m, p, np, out + s * np, err);
        else
            tco_stats_percentiles(x, m, p, np, out + s * np);
    }
    free(x);
    return st;
}

void tco_stats_npv_density(const tco_run *run, double lo, double hi, size_t nbins,
                           double *count)
{
    size_t S = run->S, n = (size_t)run->n, f, m;
    double width = (hi - lo) / (double)nbins;
    assert(nbins <= TCO_OP_MAXP);
    tco_run_op op = {.kind = TCO_OP_DENSITY, .np = nbins, .x = {lo, hi}};
    if (spread(run))
        ask(run, &op);
    held(run, &f, &m);
    /* Whole numbers, added over the processes of a spread run. */
    uint64_t c[TCO_OP_MAXP];
    for (size_t s = 0; s < S; s++) {
        memset(c, 0, nbins * sizeof *c);
        for (size_t i = f; i < f + m; i++) {
            double v = run->npv[s * n + i];
            if (v < lo || v > hi)
                continue;
            size_t b = (size_t)((v - lo) / width);
            c[b < nbins ? b : nbins - 1]++;
        }
        if (spread(run))
            run->reduce->sum(run->reduce->ctx, c, nbins);
        for (size_t j = 0; j < nbins; j++)
            count[s * nbins + j] = (double)c[j];
    }
}

tco_status tco_run_serve(const tco_run *run, const tco_run_op *op, tco_error *err)
{
    /* Results the asking process keeps; here they are dropped. */
    static double out[TCO_MAX_STRATEGIES * TCO_OP_MAXP];
    tco_status st = TCO_OK;
    size_t S = run->S, np = op->np < TCO_OP_MAXP ? op->np : TCO_OP_MAXP;
    if (S > TCO_MAX_STRATEGIES)
        return tco_error_set(err, TCO_EINVAL, "more than %d strategies", TCO_MAX_STRATEGIES);
    switch (op->kind) {
    case TCO_OP_BANDS: {
        tco_cumulative *c = NULL;
        st = tco_cumulative_compute(&c, run, err);
        tco_cumulative_free(c);
        break;
    }
    case TCO_OP_RESULTS: {
        tco_results *r = NULL;
        st = tco_results_compute(&r, run, err);
        tco_results_free(r);
        break;
    }
    case TCO_OP_SAVES_MORE: {
        uint64_t m[TCO_MAX_STRATEGIES];
        count_saves_more(run, S, op->x[0], m);
        break;
    }
    case TCO_OP_CURVE:
    case TCO_OP_CURVES:
    case TCO_OP_SAVINGS:
        if (op->kind == TCO_OP_CURVE)
            st = tco_stats_npv_curve(run, (size_t)op->s, op->p, np, out, err);
        else if (op->kind == TCO_OP_CURVES)
            st = tco_stats_npv_curves(run, op->p, np, out, err);
        else
            st = tco_stats_savings_curves(run, op->p, np, out, err);
        break;
    case TCO_OP_DENSITY:
        tco_stats_npv_density(run, op->x[0], op->x[1], np, out);
        break;
    default:
        st = tco_error_set(err, TCO_EINVAL, "unknown request %d", op->kind);
    }
    return st;
}
