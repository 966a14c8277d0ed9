/* Exact order statistics and sums of values spread over partitions (threads,
 * processes, shards) without gathering them: radix selection by integer
 * histograms that add across partitions, and an exact (order-free) sum.
 *
 * A double's or float's bits, read as an unsigned integer with the sign bit
 * flipped (every bit flipped for negatives), order as the numbers do, with
 * -0 just below +0 (a key order, deterministic) and NaNs beyond the
 * infinities by their sign.  Each wanted order statistic is found by a
 * fixed number of passes over the values (3 for floats: 11, 11 and 10 bits;
 * 6 for doubles: 11, 11, 11, 11, 10 and 10 bits): each pass counts, for
 * every wanted rank, the values that share the key bits found so far by
 * their next bits, the counts of all partitions are summed (the caller's
 * reduce: MPI_Allreduce with MPI_SUM, or nothing for one process), and the
 * counts tell which next bits hold the rank.  After the last pass every bit
 * is known: the order statistic is that number, the very value a selection
 * over all values gathered would give.  The number of passes and the bytes
 * reduced per pass depend on the ranks wanted, never on the number of
 * values (at most 2048 counts of 8 bytes per wanted rank and column).
 *
 * Type-7 percentiles (Hyndman and Fan 1996) interpolate between the two
 * order statistics around (n - 1)p, as tco_stats_percentiles does, with the
 * same code (tco_select_type7_ranks, tco_select_type7_value): the results
 * are equal bit for bit, except that a rank falling among zeros of both
 * signs gives -0 or +0 by key order here and by the input's order there.
 * No NaN: tco_stats_percentiles gives them no order. */
#ifndef TCO_SELECT_H
#define TCO_SELECT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"

/* Sums counts[0..n) element-wise over every partition, in place, on every
 * partition (MPI_Allreduce(MPI_IN_PLACE, counts, n, MPI_UINT64_T, MPI_SUM)).
 * Every partition calls it the same number of times with the same n.  NULL
 * stands for one partition (nothing to add). */
typedef void (*tco_select_reduce)(void *ctx, uint64_t *counts, size_t n);

/* Order-preserving keys and back (inline: they run once a value a pass). */
static inline uint64_t tco_select_key_d(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u & 0x8000000000000000u ? ~u : u | 0x8000000000000000u;
}

static inline double tco_select_key_to_d(uint64_t k)
{
    uint64_t u = k & 0x8000000000000000u ? k & 0x7fffffffffffffffu : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline uint32_t tco_select_key_f(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

static inline float tco_select_key_to_f(uint32_t k)
{
    uint32_t u = k & 0x80000000u ? k & 0x7fffffffu : ~k;
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Type-7 ranks: the order statistics that the probabilities p[0..np)
 * (ascending, each in [0, 1]) of n >= 1 values need, ascending and
 * distinct, into ranks (room for 2 * np); returns their count. */
size_t tco_select_type7_ranks(size_t n, const double *p, size_t np, size_t *ranks);

/* Interpolates percentile p of n values from the selected ones: vals[j] is
 * the ranks[j]-th smallest, ranks from tco_select_type7_ranks. */
double tco_select_type7_value(size_t n, double p, const size_t *ranks, size_t nr,
                              const double *vals);

/* The selection state, for callers that visit their values themselves (the
 * monthly bands of a run recomputed future by future): ncol columns of the
 * same number of values, the same ranks wanted in each.  For each pass:
 * tco_select_begin, then tco_select_count for every value of every column
 * on every thread (each thread with its own histograms,
 * tco_select_thread_hist), then tco_select_end; after the last pass,
 * tco_select_result.  Fields are read-only to callers. */
#define TCO_SELECT_BINS 2048

typedef struct tco_select {
    size_t ncol, nr, nthreads;
    int bits, npass, pass;
    uint64_t *known;  /* ncol x nr: the key bits found so far of each wanted rank */
    uint64_t *rank;   /* ncol x nr: its rank among the values that share them */
    unsigned *group;  /* ncol x nr: its histogram in this pass */
    uint64_t *gbits;  /* ncol x nr: the bits of each histogram's values found so far */
    unsigned *ngroup; /* ncol */
    size_t *goff;     /* ncol: the first histogram of each column */
    size_t nhist;     /* histograms in this pass */
    uint32_t *hist;   /* nthreads x nhist x TCO_SELECT_BINS */
    uint64_t *sum;    /* a chunk of summed histograms */
    uint64_t mask;    /* the key bits found so far */
    int shift;        /* the lowest bit counted in this pass */
    uint64_t digits;  /* TCO_SELECT_BINS - 1 or fewer */
} tco_select;

/* bytes (2 MiB aligned) in huge pages where the system gives them
 * (madvise), for large arrays read far apart: freed with free(); NULL
 * when out of memory. */
void *tco_select_huge(size_t bytes);

/* bits: 32 (float keys) or 64 (double keys).  ranks[0..nr): ascending,
 * each below the number of values of a column over all partitions.  Each
 * thread of each partition may count fewer than 2^32 values of a column.
 * *out belongs to the caller (tco_select_free). */
tco_status tco_select_alloc(tco_select **out, size_t ncol, const size_t *ranks, size_t nr,
                            int bits, size_t nthreads, tco_error *err);
void tco_select_free(tco_select *s);

/* Starts the next pass (s->pass counts them, up to s->npass). */
void tco_select_begin(tco_select *s);

static inline uint32_t *tco_select_thread_hist(tco_select *s, size_t thread)
{
    return s->hist + thread * s->nhist * TCO_SELECT_BINS;
}

/* Counts key (of column c) into a thread's histograms h.  A column's
 * histograms hold ascending bits (the ranks ascend): few are scanned, many
 * searched by halving (an S-curve's 200 order statistics). */
static inline void tco_select_count(const tco_select *s, uint32_t *h, size_t c, uint64_t key)
{
    const uint64_t *gb = s->gbits + c * s->nr, k = key & s->mask;
    unsigned ng = s->ngroup[c], g = 0;
    if (ng > 8) {
        unsigned hi = ng;
        while (g < hi) {
            unsigned mid = g + (hi - g) / 2;
            if (gb[mid] < k)
                g = mid + 1;
            else
                hi = mid;
        }
    } else {
        while (g < ng && gb[g] < k)
            g++;
    }
    if (g < ng && gb[g] == k)
        h[(s->goff[c] + g) * TCO_SELECT_BINS + ((key >> s->shift) & s->digits)]++;
}

/* tco_select_count for keys[0..n) of column c (its histograms' bits read
 * once for them all): the same counts.  For columns of few histograms
 * (the bands' ten ranks make ten at most; tco_select_count halves among
 * many): a key's is found without a branch on the key, the histograms
 * below it counted, and the count added to that bin is 0 or 1, so that a
 * key in none costs no mispredicted branch either.  A column of one
 * histogram (every column in the first pass) takes a branch each key,
 * nearly always the same way. */
static inline void tco_select_count_column(const tco_select *s, uint32_t *h, size_t c,
                                           const uint32_t *keys, size_t n)
{
    const uint64_t *gb = s->gbits + c * s->nr, mask = s->mask, digits = s->digits;
    const unsigned ng = s->ngroup[c];
    const int shift = s->shift;
    uint32_t *hc = h + s->goff[c] * TCO_SELECT_BINS;
    if (ng == 0)
        return;
    if (ng == 1) {
        for (size_t j = 0; j < n; j++)
            if ((keys[j] & mask) == gb[0])
                hc[(keys[j] >> shift) & digits]++;
        return;
    }
    for (size_t j = 0; j < n; j++) {
        const uint64_t key = keys[j], k = key & mask;
        unsigned g = 0;
        for (unsigned q = 0; q < ng; q++)
            g += gb[q] < k;
        g = g < ng ? g : ng - 1;
        hc[g * TCO_SELECT_BINS + ((key >> shift) & digits)] += gb[g] == k;
    }
}

/* Ends the pass: sums the threads' counts, then the partitions' (reduce,
 * in chunks of at most 2^16 counts), and narrows every rank.  Without
 * reduce, the threads' counts are summed in place (as 32-bit counts: a
 * process counts fewer than 2^32 values a column). */
void tco_select_end(tco_select *s, tco_select_reduce reduce, void *ctx);

/* After the last pass: the key of the ranks[j]-th smallest value of
 * column c. */
static inline uint64_t tco_select_result(const tco_select *s, size_t c, size_t j)
{
    return s->known[c * s->nr + j];
}

/* On arrays.  Each partition holds ncol columns of n values, column c at
 * x + c * stride; the columns of all partitions together are the data.
 * Every partition calls with the same ncol, ranks and probabilities.  From
 * 65,536 values on, a partition counts on its OpenMP threads
 * (omp_get_max_threads); the results do not depend on them. */

/* The ranks k[0..nk)-th smallest values (k ascending, each below the
 * values of a column over all partitions) of every column into
 * out[c * nk + j]. */
tco_status tco_select_ranks_d(const double *x, size_t n, size_t ncol, size_t stride,
                              const size_t *k, size_t nk, double *out, tco_select_reduce reduce,
                              void *ctx, tco_error *err);
tco_status tco_select_ranks_f(const float *x, size_t n, size_t ncol, size_t stride,
                              const size_t *k, size_t nk, float *out, tco_select_reduce reduce,
                              void *ctx, tco_error *err);

/* Type-7 percentiles p[0..np) (ascending, in [0, 1]) of every column into
 * out[c * np + q]: equal bit for bit to tco_stats_percentiles (doubles) and
 * tco_stats_percentiles_f (floats) over the column gathered, in a fixed
 * number of passes for any np.  TCO_EINVAL when no partition holds a
 * value.  x is not changed. */
tco_status tco_select_percentiles_d(const double *x, size_t n, size_t ncol, size_t stride,
                                    const double *p, size_t np, double *out,
                                    tco_select_reduce reduce, void *ctx, tco_error *err);
tco_status tco_select_percentiles_f(const float *x, size_t n, size_t ncol, size_t stride,
                                    const double *p, size_t np, double *out,
                                    tco_select_reduce reduce, void *ctx, tco_error *err);

/* An exact sum of doubles: a fixed-point accumulator of every bit a double
 * can hold (2^-1074 to 2^1024, with room for 2^64 terms), so the sum does
 * not depend on the order of the terms or on how they are split into
 * partitions; tco_xsum_value rounds it once, to nearest (Kulisch's long
 * accumulator).  Infinities and NaNs are counted apart: the value is NaN
 * for any NaN or for infinities of both signs, else the infinity. */
#define TCO_XSUM_LANES 68

typedef struct {
    int64_t lane[TCO_XSUM_LANES]; /* value = sum lane[i] 2^(32 i - 1074) */
    uint64_t adds;                /* since the last carry propagation */
    uint64_t pinf, ninf, nan;
} tco_xsum;

void tco_xsum_init(tco_xsum *a);
/* Infinities and NaNs (tco_xsum_add's rare case). */
void tco_xsum_add_nonfinite(tco_xsum *a, double v);
/* Propagates the lanes' carries (tco_xsum_add calls it every 2^29 adds). */
void tco_xsum_carry(tco_xsum *a);

/* Adds v: its 53-bit significand shifted to its place, over three lanes
 * (inline: results add each future's values once or a few times). */
static inline void tco_xsum_add(tco_xsum *a, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    unsigned e = (unsigned)(u >> 52) & 0x7ffu;
    if (e == 0x7ffu) {
        tco_xsum_add_nonfinite(a, v);
        return;
    }
    if (++a->adds >= ((uint64_t)1 << 29))
        tco_xsum_carry(a);
    uint64_t m = (u & 0xfffffffffffffu) | (uint64_t)(e != 0) << 52;
    unsigned pos = e ? e - 1 : 0, L = pos / 32, off = pos % 32;
    uint64_t lo = m << off, hi = (m >> 1) >> (63 - off);
    /* Two's complement negation when the sign is set: (x ^ -1) + 1. */
    uint64_t neg = (uint64_t)0 - (u >> 63);
    a->lane[L] += (int64_t)(((lo & 0xffffffffu) ^ neg) - neg);
    a->lane[L + 1] += (int64_t)(((lo >> 32) ^ neg) - neg);
    a->lane[L + 2] += (int64_t)((hi ^ neg) - neg);
}
/* Adds v * count exactly. */
void tco_xsum_add_times(tco_xsum *a, double v, uint64_t count);
/* Adds b into a. */
void tco_xsum_merge(tco_xsum *a, const tco_xsum *b);
/* a = -a (exactly; infinities change sign). */
void tco_xsum_negate(tco_xsum *a);
/* Sums a over every partition (one reduce of TCO_XSUM_LANES + 3 counts). */
void tco_xsum_reduce(tco_xsum *a, tco_select_reduce reduce, void *ctx);
/* The sum rounded to the nearest double (ties to even). */
double tco_xsum_value(const tco_xsum *a);

/* A large accumulator in front of two tco_xsums (Neal, "Fast exact
 * summation using small and large superaccumulators", 2015): a 64-bit sum
 * of significands for each sign and exponent, moved into the tco_xsums
 * (the sum, and the sum of absolute values) every 2047 adds to it, before
 * it can overflow, and by tco_xsum_large_flush.  An add takes a few
 * instructions where tco_xsum_add spreads the significand over three
 * lanes; the sums are the same exact numbers.  About 41 KiB. */
#define TCO_XSUM_PARTS 4096

typedef struct {
    uint64_t part[TCO_XSUM_PARTS]; /* [sign and biased exponent]: significands summed */
    uint16_t left[TCO_XSUM_PARTS]; /* adds before part[i] is moved */
    tco_xsum sum, abs;             /* what was moved: the sum, and of the |v| */
} tco_xsum_large;

void tco_xsum_large_init(tco_xsum_large *l);
/* Moves part[i] into sum and abs. */
void tco_xsum_large_move(tco_xsum_large *l, unsigned i);
/* Moves every part: l->sum and l->abs then hold the sums of every add. */
void tco_xsum_large_flush(tco_xsum_large *l);

static inline void tco_xsum_large_add(tco_xsum_large *l, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    unsigned i = (unsigned)(u >> 52), e = i & 0x7ffu;
    if (e == 0x7ffu) {
        tco_xsum_add_nonfinite(&l->sum, v);
        tco_xsum_add_nonfinite(&l->abs, fabs(v));
        return;
    }
    l->part[i] += (u & 0xfffffffffffffu) | (uint64_t)(e != 0) << 52;
    if (--l->left[i] == 0)
        tco_xsum_large_move(l, i);
}

/* CVaR: the mean of the ceil(alpha N) largest of the values of every
 * partition (N of them), as tco_stats_cvar defines it, but with the sum
 * exact: the threshold by selection, then the values above it and the
 * ties needed at it summed in a tco_xsum.  The same for any partition,
 * and the same bits as tco_stats_cvar over the values gathered (which sums
 * its m largest exactly too).
 * TCO_EINVAL when no partition holds a value. */
tco_status tco_select_cvar(const double *x, size_t n, double alpha, double *out,
                           tco_select_reduce reduce, void *ctx, tco_error *err);

#endif
