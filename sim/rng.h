/* Per-future random streams.
 *
 * Future i of a run with seed s draws everything from its own xoshiro256**
 * generator (Blackman and Vigna 2018), whose state is filled by splitmix64
 * from a 64-bit hash of (s, i): a future's draws depend on (s, i) alone, so
 * results do not depend on the number of threads, and 64-bit seeding avoids
 * the collisions of GSL's 32-bit seeds.  The stream is also usable through
 * GSL's distribution functions (tco_rng_gsl).  Normals use Doornik's (2005)
 * ZIGNOR variant of the Marsaglia-Tsang ziggurat with 128 layers. */
#ifndef TCO_RNG_H
#define TCO_RNG_H

#include <math.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gsl/gsl_rng.h>

#define TCO_ZIG_C 128

/* Ziggurat tables: computed once (tco_zig_init), then read-only. */
typedef struct {
    double x[TCO_ZIG_C + 1];
    double r[TCO_ZIG_C];
} tco_zig;

typedef struct {
    uint64_t s[4];
    const tco_zig *zig;
} tco_rng;

/* Stream domains: futures use (seed, i); global streams (Latin hypercube
 * permutations, quasi-random shifts) use these tags in the high bits. */
#define TCO_STREAM_GLOBAL 0x8000000000000000ULL

void tco_zig_init(tco_zig *z);

/* Seeds r with the stream of (seed, stream). */
void tco_rng_seed(tco_rng *r, const tco_zig *zig, uint64_t seed, uint64_t stream);

/* A gsl_rng that draws from r (valid while r lives).  get() returns 32 bits. */
extern const gsl_rng_type *tco_rng_gsl_type;
static inline gsl_rng tco_rng_gsl(tco_rng *r)
{
    gsl_rng g;
    g.type = tco_rng_gsl_type;
    g.state = r;
    return g;
}

static inline uint64_t tco_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t tco_rng_next(tco_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = tco_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tco_rotl(s[3], 45);
    return result;
}

/* A uniform in the open interval (0, 1), with 53 random bits.  The largest
 * value, (2^53 - 1/2) 2^-53, rounds to 1 in double: it becomes the largest
 * double below 1 instead. */
static inline double tco_rng_uniform(tco_rng *r)
{
    double u = ((double)(tco_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
    return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

double tco_rng_normal_tail(tco_rng *r, double min, int negative);

/* A standard normal draw. */
static inline double tco_rng_normal(tco_rng *r)
{
    const tco_zig *z = r->zig;
    for (;;) {
        uint64_t bits = tco_rng_next(r);
        unsigned i = (unsigned)(bits & 0x7F);
        double u = 2 * ((double)(bits >> 11) * 0x1.0p-53) - 1;
        if (fabs(u) < z->r[i])
            return u * z->x[i];
        if (i == 0)
            return tco_rng_normal_tail(r, z->x[1], u < 0);
        double x = u * z->x[i];
        double f0 = exp(-0.5 * (z->x[i] * z->x[i] - x * x));
        double f1 = exp(-0.5 * (z->x[i + 1] * z->x[i + 1] - x * x));
        if (f1 + tco_rng_uniform(r) * (f0 - f1) < 1.0)
            return x;
    }
}

/* Below this mean Poisson counts are drawn by inversion, above it by
 * transformed rejection (PTRS). */
#define TCO_POISSON_PTRS_MIN 10.0

/* A Poisson count with mean mu (0 when mu <= 0 or mu is NaN), as a whole
 * number in a double (counts beyond 2^32 are possible at absurd rates).
 * p0 must be exp(-mu): callers that draw many counts of one mean compute it
 * once.  Below TCO_POISSON_PTRS_MIN the count is found by inversion from one
 * uniform (sequential search from 0); above it by Hormann's (1993) PTRS
 * transformed rejection, O(1) expected time whatever mu (GSL's sampler
 * loops once per event and never ends at mu = 1e20).  This is the only
 * Poisson sampler of the program: the model draws every count with it. */
double tco_rng_poisson_large(tco_rng *r, double mu);

/* The inversion's search for uniform u from count k, where p = P(N = k)
 * and acc = P(N <= k) as the search has summed them. */
static inline double tco_poisson_search(double u, double mu, unsigned k, double p, double acc)
{
    /* The cap only guards against rounding in acc: P(k >= 1000) < 1e-1000 here. */
    while (u > acc && k < 1000) {
        k++;
        p *= mu / k;
        acc += p;
    }
    return k;
}

static inline double tco_rng_poisson_p0(tco_rng *r, double mu, double p0)
{
    if (!(mu > 0))
        return 0;
    if (mu >= TCO_POISSON_PTRS_MIN)
        return tco_rng_poisson_large(r, mu);
    return tco_poisson_search(tco_rng_uniform(r), mu, 0, p0, p0);
}

/* Many counts of one mean below TCO_POISSON_PTRS_MIN: the first
 * TCO_POISSON_TABLE cumulative probabilities of the inversion, computed
 * once with the very operations of tco_rng_poisson_p0's search. */
#define TCO_POISSON_TABLE 8 /* the SSE2 count below reads eight */
typedef struct {
    double mu;
    double acc[TCO_POISSON_TABLE]; /* P(N <= k), as the search sums them */
    double p_last;                 /* P(N = TCO_POISSON_TABLE - 1), as the search has it */
} tco_poisson_table;

static inline void tco_poisson_table_init(tco_poisson_table *pt, double mu, double p0)
{
    double p = p0, acc = p0;
    pt->mu = mu;
    pt->acc[0] = acc;
    for (unsigned k = 1; k < TCO_POISSON_TABLE; k++) {
        p *= mu / k;
        acc += p;
        pt->acc[k] = acc;
    }
    pt->p_last = p;
}

/* The table's count for a mean in (0, TCO_POISSON_PTRS_MIN): tco_rng_poisson_table
 * without its tests of the mean. */
static inline double tco_poisson_table_count(tco_rng *r, const tco_poisson_table *pt)
{
    double mu = pt->mu;
    double u = tco_rng_uniform(r);
#ifdef __SSE2__
    /* The comparisons in SSE2 lanes, counted from their mask: the first
     * four, then the next four only when u passes all of them (the sums
     * never decrease, so u is below every later one otherwise). */
    __m128d uu = _mm_set1_pd(u);
    int mask = _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(pt->acc), uu)) |
               _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(pt->acc + 2), uu)) << 2;
    if (mask == 15)
        mask |= _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(pt->acc + 4), uu)) << 4 |
                _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(pt->acc + 6), uu)) << 6;
    unsigned k = (unsigned)__builtin_popcount((unsigned)mask);
#else
    unsigned k = 0;
    for (unsigned j = 0; j < TCO_POISSON_TABLE; j++)
        k += u > pt->acc[j];
#endif
    if (k < TCO_POISSON_TABLE)
        return k;
    return tco_poisson_search(u, mu, TCO_POISSON_TABLE - 1, pt->p_last,
                              pt->acc[TCO_POISSON_TABLE - 1]);
}

/* tco_rng_poisson_p0(r, mu, p0) for the table's mu and p0, the same count
 * from the same draws: the search's first steps read from the table (the
 * sums never decrease, so the count is how many are below u), then the
 * search on from its last entry. */
static inline double tco_rng_poisson_table(tco_rng *r, const tco_poisson_table *pt)
{
    double mu = pt->mu;
    if (!(mu > 0))
        return 0;
    if (mu >= TCO_POISSON_PTRS_MIN)
        return tco_rng_poisson_large(r, mu);
    return tco_poisson_table_count(r, pt);
}

/* n[0 .. count - 1] = tco_rng_poisson_table(r, pt) in turn, the table's
 * mean tested once instead of at every count. */
static inline void tco_rng_poisson_counts(tco_rng *r, const tco_poisson_table *pt, double *n,
                                          int count)
{
    double mu = pt->mu;
    if (!(mu > 0)) {
        for (int i = 0; i < count; i++)
            n[i] = 0;
    } else if (mu >= TCO_POISSON_PTRS_MIN) {
        for (int i = 0; i < count; i++)
            n[i] = tco_rng_poisson_large(r, mu);
    } else {
        for (int i = 0; i < count; i++)
            n[i] = tco_poisson_table_count(r, pt);
    }
}

/* tco_rng_poisson_p0 with exp(-mu) computed here. */
static inline double tco_rng_poisson(tco_rng *r, double mu)
{
    return tco_rng_poisson_p0(r, mu, mu > 0 && mu < TCO_POISSON_PTRS_MIN ? exp(-mu) : 0);
}

#endif
