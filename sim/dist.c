#include "dist.h"
#include "init.h"

#include "number.h"
#include "vmath.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const tco_domain TCO_DOM_ANY = {-HUGE_VAL, HUGE_VAL, 0, 0};
const tco_domain TCO_DOM_NONNEG = {0, HUGE_VAL, 0, 0};
const tco_domain TCO_DOM_POS = {0, HUGE_VAL, 1, 0};
const tco_domain TCO_DOM_GT_M1 = {-1, HUGE_VAL, 1, 0};
const tco_domain TCO_DOM_UNIT = {0, 1, 0, 0};
const tco_domain TCO_DOM_UNIT_RIGHT_OPEN = {0, 1, 0, 1};
const tco_domain TCO_DOM_UNIT_LEFT_OPEN = {0, 1, 1, 0};
const tco_domain TCO_DOM_GE1 = {1, HUGE_VAL, 0, 0};

/* A tabulated quantile for the beta and gamma families, whose GSL inverse
 * CDFs cost over a microsecond.  The quantile is tabulated as a function of
 * v = logit(u) at equally spaced nodes, with its exact derivative
 * dQ/dv = u(1-u) / f(Q), and evaluated by cubic Hermite interpolation.  In v
 * the quantile is smooth even in the tails (Q ~ c u^(1/alpha) near 0 becomes
 * an exponential in v), so the interpolation error stays near 1e-9 of the
 * range; beyond the tabulated range GSL's exact inverse is used. */
#define QT_NODES 2049
#define QT_VMAX 23.0
#define QT_STEP (2 * QT_VMAX / (QT_NODES - 1)) /* every table's t->step */

struct tco_qtable {
    int refs;            /* distributions (and a cache) using the table */
    int gamma;           /* 1: gamma(alpha, beta); 0: beta(alpha, beta) on [0, 1] */
    double alpha, beta;
    double step;
    /* Node j's quantile and its slope side by side: an evaluation reads
     * nodes j and j + 1, 32 bytes, one cache line three times in four. */
    struct {
        double q, dq;
    } node[QT_NODES];
};

/* The most distinct tables one load may build (each is 33 KB), and the most
 * CPU time one table may take (CPU, not wall time: a busy machine must not
 * refuse a file): beyond either the file is refused. */
#define QT_MAX_TABLES 1024
#define QT_MAX_SECONDS 2.0
#define QT_MAX_TOTAL_SECONDS 20.0 /* all the tables of one load */

static double exact_quantile(const tco_dist *d, double u)
{
    if (d->kind == TCO_DIST_GAMMA)
        return gsl_cdf_gamma_Pinv(u, d->alpha, d->beta);
    return gsl_cdf_beta_Pinv(u, d->alpha, d->beta);
}

static double exact_pdf(const tco_dist *d, double x)
{
    if (d->kind == TCO_DIST_GAMMA)
        return gsl_ran_gamma_pdf(x, d->alpha, d->beta);
    return gsl_ran_beta_pdf(x, d->alpha, d->beta);
}

/* The quantile at u (with 1 - u given exactly as w) by bisection on the
 * CDF, for the nodes where GSL's inverse fails: the smallest x in [lo, hi]
 * with F(x) >= u, comparing the upper tail Q(x) <= w above the median so
 * that tail probabilities near 1e-10 keep their precision.  Non-negative
 * doubles order as their bits do: bisecting on the bits halves the number
 * of representable values between the bounds each step, so 64 steps reach
 * the exact double whatever the scale (10^-300 or 10^3). */
static double bisect_quantile(const tco_dist *d, double u, double w, double lo, double hi)
{
    uint64_t a = tco_vmath_bits(lo), b = tco_vmath_bits(hi);
    while (b - a > 1) {
        uint64_t mid = a + (b - a) / 2;
        double x = tco_vmath_double(mid);
        int below;
        if (u <= 0.5)
            below = (d->kind == TCO_DIST_GAMMA ? gsl_cdf_gamma_P(x, d->alpha, d->beta)
                                               : gsl_cdf_beta_P(x, d->alpha, d->beta)) < u;
        else
            below = (d->kind == TCO_DIST_GAMMA ? gsl_cdf_gamma_Q(x, d->alpha, d->beta)
                                               : gsl_cdf_beta_Q(x, d->alpha, d->beta)) > w;
        if (below)
            a = mid;
        else
            b = mid;
    }
    return tco_vmath_double(b);
}

/* Whether F(q) = u to within 1e-6 of the tail probability min(u, w):
 * GSL's inverse sometimes stops on a finite but wrong value. */
static int inverts(const tco_dist *d, double q, double u, double w)
{
    double f;
    if (u <= 0.5) {
        f = d->kind == TCO_DIST_GAMMA ? gsl_cdf_gamma_P(q, d->alpha, d->beta)
                                      : gsl_cdf_beta_P(q, d->alpha, d->beta);
        return fabs(f - u) <= 1e-6 * u;
    }
    f = d->kind == TCO_DIST_GAMMA ? gsl_cdf_gamma_Q(q, d->alpha, d->beta)
                                  : gsl_cdf_beta_Q(q, d->alpha, d->beta);
    return fabs(f - w) <= 1e-6 * w;
}

/* The calling thread's CPU seconds. */
static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The beta density at x in (0, 1) with its normalising constant lnorm =
 * ln Gamma(a + b) - ln Gamma(a) - ln Gamma(b) computed once per table:
 * gsl_ran_beta_pdf computes the three log-gammas at every call, nearly all
 * of its cost (and 8% of a table's).  The sum is formed in the order GSL forms it,
 * so the result is the same double (check_dist compares them at every node
 * of several tables). */
static double beta_pdf(double x, double a, double b, double lnorm)
{
    if (!(x > 0 && x < 1))
        return gsl_ran_beta_pdf(x, a, b);
    return exp(lnorm + log(x) * (a - 1) + log1p(-x) * (b - 1));
}

/* Nodes a thread takes at a time while building a table, and between two
 * looks at the time limit. */
#define QT_CHUNK 64

/* The slope dQ/dv = u(1 - u) / f(q) at a node, NaN where the density is 0
 * or not finite (a secant is used there). */
static double node_slope(const tco_dist *d, double q, double u, double lnorm)
{
    double f = d->kind == TCO_DIST_GAMMA ? exact_pdf(d, q) : beta_pdf(q, d->alpha, d->beta, lnorm);
    return (f > 0 && isfinite(f)) ? u * (1 - u) / f : NAN;
}

/* Builds the table, checking every node: GSL's inverse CDFs return NaN or
 * a wrong value at some nodes (Beta(300, 2) at 21 of 2,049, Gamma(0.1) at
 * 943), so a node that is not finite, leaves the support or breaks
 * monotonicity is recomputed by bisection on the CDF.  GSL's inverses (and
 * the slopes at the nodes they get right) run on threads threads, one
 * parallel region a table: each node is one call, the same double on any
 * thread.  The monotonicity checks and the bisections then run in node
 * order, so the table is the same for any thread count.  *cpu receives
 * the CPU seconds the build took (on all its threads, without the time a
 * thread waits for another, so that a busy machine does not change it);
 * returns NULL with *timeout set when they exceed QT_MAX_SECONDS. */
static tco_qtable *qtable_build(const tco_dist *d, int threads, int *timeout, double *cpu)
{
    *timeout = 0;
    *cpu = 0;
    tco_qtable *t = malloc(sizeof *t);
    unsigned char *good = malloc(QT_NODES);
    if (!t || !good) {
        free(t);
        free(good);
        return NULL;
    }
    t->refs = 1;
    t->gamma = d->kind == TCO_DIST_GAMMA;
    t->alpha = d->alpha;
    t->beta = d->beta;
    t->step = QT_STEP;
    const double upper = t->gamma ? HUGE_VAL : 1;
    const double step = t->step;
    const double lnorm = t->gamma ? 0
                                  : gsl_sf_lngamma(d->alpha + d->beta) - gsl_sf_lngamma(d->alpha) -
                                        gsl_sf_lngamma(d->beta);
    double work = 0;
    int late = 0;
    /* GSL's inverse at every node, whether it is finite, inside the
     * support and inverts the CDF (monotonicity needs the node before, so
     * it is checked below), and the slope there. */
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (int c = 0; c < QT_NODES; c += QT_CHUNK) {
        int stop;
#pragma omp atomic read
        stop = late;
        if (stop)
            continue;
        double c0 = thread_seconds();
        int end = c + QT_CHUNK < QT_NODES ? c + QT_CHUNK : QT_NODES;
        for (int j = c; j < end; j++) {
            double v = -QT_VMAX + j * step;
            double u = 1 / (1 + exp(-v)), w = 1 / (1 + exp(v));
            double q = exact_quantile(d, u);
            t->node[j].q = q;
            good[j] = isfinite(q) && q <= upper && inverts(d, q, u, w);
            t->node[j].dq = good[j] ? node_slope(d, q, u, lnorm) : NAN;
        }
        double spent = thread_seconds() - c0, total;
#pragma omp atomic capture
        total = work += spent;
        if (total > QT_MAX_SECONDS) {
#pragma omp atomic write
            late = 1;
        }
    }
    double c0 = thread_seconds();
    for (int j = 0; j < QT_NODES && !late; j++) {
        double v = -QT_VMAX + j * step;
        double u = 1 / (1 + exp(-v)), w = 1 / (1 + exp(v));
        double prev = j > 0 ? t->node[j - 1].q : 0;
        if (!good[j] || t->node[j].q < prev) {
            double hi = t->gamma ? fmax(1, 2 * prev) : 1;
            if (t->gamma)
                while (isfinite(hi) && gsl_cdf_gamma_P(hi, d->alpha, d->beta) < u)
                    hi *= 2;
            t->node[j].q = isfinite(hi) ? bisect_quantile(d, u, w, prev, hi) : NAN;
            t->node[j].dq = node_slope(d, t->node[j].q, u, lnorm);
            if (work + thread_seconds() - c0 > QT_MAX_SECONDS)
                late = 1;
        }
    }
    *cpu = work + thread_seconds() - c0;
    free(good);
    if (late) {
        *timeout = 1;
        free(t);
        return NULL;
    }
    /* Where the density is 0 or infinite at a node, fall back to a secant. */
    for (int j = 0; j < QT_NODES; j++) {
        if (isfinite(t->node[j].dq))
            continue;
        int lo = j > 0 ? j - 1 : j, hi = j < QT_NODES - 1 ? j + 1 : j;
        t->node[j].dq = (t->node[hi].q - t->node[lo].q) / ((hi - lo) * t->step);
    }
    return t;
}

/* 1 when every node of t is finite and the nodes never decrease. */
static int qtable_valid(const tco_qtable *t)
{
    for (int j = 0; j < QT_NODES; j++)
        if (!isfinite(t->node[j].q) || !isfinite(t->node[j].dq) ||
            (j > 0 && t->node[j].q < t->node[j - 1].q))
            return 0;
    return 1;
}

static void qtable_release(tco_qtable *t)
{
    if (t && --t->refs == 0)
        free(t);
}

/* An open-addressing hash table of tables by (family, alpha, beta). */
#define QC_SLOTS 2048 /* twice QT_MAX_TABLES: probes stay short */

struct tco_dist_cache {
    size_t n;
    double seconds; /* CPU seconds spent building the tables so far */
    tco_qtable *slot[QC_SLOTS];
};

tco_dist_cache *tco_dist_cache_alloc(void) { return calloc(1, sizeof(tco_dist_cache)); }

void tco_dist_cache_free(tco_dist_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < QC_SLOTS; i++)
        qtable_release(cache->slot[i]);
    free(cache);
}

static tco_qtable **qc_find(tco_dist_cache *cache, const tco_dist *d);

void tco_dist_cache_add(tco_dist_cache *cache, const tco_dist *d)
{
    if (!cache || !d->table || cache->n >= QT_MAX_TABLES)
        return;
    tco_qtable **slot = qc_find(cache, d);
    if (*slot)
        return;
    *slot = d->table;
    d->table->refs++;
    cache->n++;
}

static size_t qc_hash(int gamma, double alpha, double beta)
{
    uint64_t h = tco_vmath_bits(alpha) * 0x9E3779B97F4A7C15u ^
                 tco_vmath_bits(beta) * 0xC2B2AE3D27D4EB4Fu;
    h ^= (uint64_t)gamma;
    h ^= h >> 29;
    return (size_t)(h % QC_SLOTS);
}

/* The slot holding the table for d, or the empty slot where it goes. */
static tco_qtable **qc_find(tco_dist_cache *cache, const tco_dist *d)
{
    int gamma = d->kind == TCO_DIST_GAMMA;
    for (size_t i = qc_hash(gamma, d->alpha, d->beta);; i = (i + 1) % QC_SLOTS) {
        tco_qtable *t = cache->slot[i];
        if (!t || (t->gamma == gamma && tco_vmath_bits(t->alpha) == tco_vmath_bits(d->alpha) &&
                   tco_vmath_bits(t->beta) == tco_vmath_bits(d->beta)))
            return &cache->slot[i];
    }
}

/* The quantile beyond the table's end nodes (tail probabilities below
 * about 1e-10), where GSL's inverse can return NaN (Gamma(0.1) at
 * u = 1e-300): its value when it inverts the CDF, else bisection between
 * the support's end and the end node, which bounds the tail. */
static double tail_quantile(const tco_dist *d, double u)
{
    const tco_qtable *t = d->table;
    double w = 1 - u;
    double q = exact_quantile(d, u);
    double upper = t->gamma ? HUGE_VAL : 1;
    if (u < 0.5) {
        if (isfinite(q) && q >= 0 && q <= t->node[0].q && inverts(d, q, u, w))
            return q;
        return bisect_quantile(d, u, w, 0, t->node[0].q);
    }
    if (isfinite(q) && q >= t->node[QT_NODES - 1].q && q <= upper && inverts(d, q, u, w))
        return q;
    double lo = t->node[QT_NODES - 1].q, hi = t->gamma ? fmax(1, 2 * lo) : 1;
    if (t->gamma)
        while (isfinite(hi) && gsl_cdf_gamma_Q(hi, d->alpha, d->beta) > w)
            hi *= 2;
    return isfinite(hi) ? bisect_quantile(d, u, w, lo, hi) : lo;
}

/* Where u falls in a table: in node steps from -QT_VMAX, in v = log(u / (1
 * - u)). */
static inline double qtable_pos(double u)
{
    return (log(u / (1 - u)) + QT_VMAX) / QT_STEP;
}

/* The tabulated quantile at u, whose position is pos (qtable_pos). */
static double qtable_at(const tco_dist *d, double u, double pos)
{
    const tco_qtable *t = d->table;
    if (!(pos >= 0) || pos >= QT_NODES - 1)
        return tail_quantile(d, u);
    int j = (int)pos;
    double s = pos - j, h = QT_STEP;
    double s2 = s * s, s3 = s2 * s;
    double h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s;
    double h01 = -2 * s3 + 3 * s2, h11 = s3 - s2;
    double q = h00 * t->node[j].q + h10 * h * t->node[j].dq + h01 * t->node[j + 1].q +
               h11 * h * t->node[j + 1].dq;
    /* A cubic can overshoot between nodes where the quantile bends sharply
     * (Beta(0.001, 0.001) near 0); keep it between them, so it stays
     * monotone as inverse-transform sampling needs. */
    /* fmin(fmax(q, q_j), q_j+1) without the library calls: glibc's
     * fmax(x, y) is x > y ? x : y and fmin(x, y) is x < y ? x : y but for
     * NaNs, where both return the other argument, as these do for q. */
    double lo = t->node[j].q, hi = t->node[j + 1].q, w = q > lo ? q : lo;
    return w < hi ? w : hi;
}

/* The quantile of a distribution with a table (beta and pert on their
 * range, gamma) at u, whose position is pos (qtable_pos). */
static double table_quantile(const tco_dist *d, double u, double pos)
{
    double q = qtable_at(d, u, pos);
    return d->kind == TCO_DIST_GAMMA ? q : d->a + (d->b - d->a) * q;
}

const char *tco_dist_name(tco_dist_kind kind)
{
    static const char *const names[] = {"fixed", "uniform", "normal", "lognormal", "triangular",
                                        "pert", "beta", "gamma", "discrete"};
    return names[kind];
}

int tco_domain_contains(const tco_domain *dom, double x)
{
    if (isnan(x))
        return 0;
    if (x < dom->lo || (x == dom->lo && dom->lo_open))
        return 0;
    if (x > dom->hi || (x == dom->hi && dom->hi_open))
        return 0;
    return 1;
}

double tco_domain_clamp(const tco_domain *dom, double x)
{
    if (x < dom->lo || (x == dom->lo && dom->lo_open))
        return dom->lo_open ? nextafter(dom->lo, HUGE_VAL) : dom->lo;
    if (x > dom->hi || (x == dom->hi && dom->hi_open))
        return dom->hi_open ? nextafter(dom->hi, -HUGE_VAL) : dom->hi;
    return x;
}

void tco_domain_format(const tco_domain *dom, char *buf, size_t size)
{
    if (isinf(dom->hi) && isinf(dom->lo))
        tco_snprintf(buf, size, "any number");
    else if (isinf(dom->hi))
        tco_snprintf(buf, size, "%s %g", dom->lo_open ? ">" : ">=", dom->lo);
    else if (isinf(dom->lo))
        tco_snprintf(buf, size, "%s %g", dom->hi_open ? "<" : "<=", dom->hi);
    else
        tco_snprintf(buf, size, "in %c%g, %g%c", dom->lo_open ? '(' : '[', dom->lo, dom->hi,
                 dom->hi_open ? ')' : ']');
}

void tco_dist_fixed(tco_dist *d, double value)
{
    memset(d, 0, sizeof *d);
    d->kind = TCO_DIST_FIXED;
    d->a = value;
}

void tco_dist_clear(tco_dist *d)
{
    if (!d)
        return;
    free(d->values);
    free(d->cum);
    qtable_release(d->table);
    d->values = d->cum = NULL;
    d->table = NULL;
}

int tco_dist_uncertain(const tco_dist *d)
{
    if (d->kind == TCO_DIST_FIXED)
        return 0;
    if (d->kind == TCO_DIST_DISCRETE)
        return d->nvalues > 1 && d->values[0] != d->values[d->nvalues - 1];
    return 1;
}

/* sum_j c[j] r^j for j = 0 .. 7, by Horner's rule from c[7]. */
static inline double poly7(const double c[8], double r)
{
    double v = c[7];
    for (int j = 6; j >= 0; j--)
        v = r * v + c[j];
    return v;
}

double tco_dist_normal_quantile(double p)
{
    /* Wichura (1988), Applied Statistics 37, 477-484: the coefficients
     * of PPND16, for |p - 1/2| <= 0.425 in r = 0.180625 - q^2 ... */
    static const double a[8] = {3.387132872796366608,   133.14166789178437745,
                                1971.5909503065514427,  13731.693765509461125,
                                45921.953931549871457,  67265.770927008700853,
                                33430.575583588128105,  2509.0809287301226727};
    static const double b[8] = {1.0,                   42.313330701600911252,
                                687.1870074920579083,  5394.1960214247511077,
                                21213.794301586595867, 39307.89580009271061,
                                28729.085735721942674, 5226.495278852854561};
    /* ... then in r = sqrt(-ln min(p, 1 - p)), less 1.6 up to r = 5 ... */
    static const double c[8] = {1.42343711074968357734,   4.6303378461565452959,
                                5.7694972214606914055,    3.64784832476320460504,
                                1.27045825245236838258,   0.24178072517745061177,
                                0.0227238449892691845833, 7.7454501427834140764e-4};
    static const double d[8] = {1.0,                      2.05319162663775882187,
                                1.6763848301838038494,    0.68976733498510000455,
                                0.14810397642748007459,   0.0151986665636164571966,
                                5.475938084995344946e-4,  1.05075007164441684324e-9};
    /* ... and less 5 beyond. */
    static const double e[8] = {6.6579046435011037772,    5.4637849111641143699,
                                1.7848265399172913358,    0.29656057182850489123,
                                0.026532189526576123093,  0.0012426609473880784386,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0,                      0.59983220655588793769,
                                0.13692988092273580531,   0.0148753612908506148525,
                                7.868691311456132591e-4,  1.8463183175100546818e-5,
                                1.4215117583164458887e-7, 2.04426310338993978564e-15};
    if (p == 1.0)
        return HUGE_VAL;
    if (p == 0.0)
        return -HUGE_VAL;
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        return q * (poly7(a, r) / poly7(b, r));
    }
    double r = sqrt(-log(p < 0.5 ? p : 1.0 - p)), x;
    if (r <= 5.0) {
        r -= 1.6;
        x = poly7(c, r) / poly7(d, r);
    } else {
        r -= 5.0;
        x = poly7(e, r) / poly7(f, r);
    }
    return p < 0.5 ? -x : x;
}

double tco_dist_locate(const tco_dist *d, double u)
{
    if (!d->table)
        return 0;
    double pos = qtable_pos(u);
    if (pos >= 0 && pos < QT_NODES - 1)
        __builtin_prefetch(&d->table->node[(int)pos]);
    return pos;
}

double tco_dist_quantile_at(const tco_dist *d, double u, double pos)
{
    switch (d->kind) {
    case TCO_DIST_PERT:
    case TCO_DIST_BETA:
    case TCO_DIST_GAMMA:
        return table_quantile(d, u, pos);
    default:
        return tco_dist_quantile(d, u);
    }
}

double tco_dist_quantile(const tco_dist *d, double u)
{
    switch (d->kind) {
    case TCO_DIST_FIXED:
        return d->a;
    case TCO_DIST_UNIFORM:
        return d->a + (d->b - d->a) * u;
    case TCO_DIST_NORMAL:
        return d->a + d->b * tco_dist_normal_quantile(u);
    case TCO_DIST_LOGNORMAL:
        return exp(d->a + d->b * tco_dist_normal_quantile(u));
    case TCO_DIST_TRIANGULAR: {
        double lo = d->a, mode = d->c, hi = d->b;
        double fc = (mode - lo) / (hi - lo);
        double x = u < fc ? lo + sqrt(u * (hi - lo) * (mode - lo))
                          : hi - sqrt((1 - u) * (hi - lo) * (hi - mode));
        /* When hi - lo dwarfs lo, hi - sqrt(...) can cancel below lo. */
        return x < lo ? lo : x > hi ? hi : x;
    }
    case TCO_DIST_PERT:
    case TCO_DIST_BETA:
    case TCO_DIST_GAMMA:
        return table_quantile(d, u, qtable_pos(u));
    case TCO_DIST_DISCRETE: {
        /* The smallest value whose cumulative probability reaches u. */
        size_t lo = 0, hi = d->nvalues - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (d->cum[mid] >= u)
                hi = mid;
            else
                lo = mid + 1;
        }
        return d->values[lo];
    }
    }
    return NAN;
}

double tco_dist_mean(const tco_dist *d)
{
    switch (d->kind) {
    case TCO_DIST_FIXED: return d->a;
    case TCO_DIST_UNIFORM: return (d->a + d->b) / 2;
    case TCO_DIST_NORMAL: return d->a;
    case TCO_DIST_LOGNORMAL: return exp(d->a + d->b * d->b / 2);
    case TCO_DIST_TRIANGULAR: return (d->a + d->b + d->c) / 3;
    case TCO_DIST_PERT:
    case TCO_DIST_BETA: return d->a + (d->b - d->a) * d->alpha / (d->alpha + d->beta);
    case TCO_DIST_GAMMA: return d->alpha * d->beta;
    case TCO_DIST_DISCRETE: {
        double m = 0, prev = 0;
        for (size_t i = 0; i < d->nvalues; i++) {
            m += d->values[i] * (d->cum[i] - prev);
            prev = d->cum[i];
        }
        return m;
    }
    }
    return NAN;
}

double tco_dist_sd(const tco_dist *d)
{
    switch (d->kind) {
    case TCO_DIST_FIXED: return 0;
    case TCO_DIST_UNIFORM: return (d->b - d->a) / sqrt(12);
    case TCO_DIST_NORMAL: return d->b;
    case TCO_DIST_LOGNORMAL:
        return sqrt(expm1(d->b * d->b)) * exp(d->a + d->b * d->b / 2);
    case TCO_DIST_TRIANGULAR: {
        double a = d->a, b = d->b, c = d->c;
        return sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
    }
    case TCO_DIST_PERT:
    case TCO_DIST_BETA: {
        double s = d->alpha + d->beta;
        return (d->b - d->a) * sqrt(d->alpha * d->beta / (s * s * (s + 1)));
    }
    case TCO_DIST_GAMMA: return sqrt(d->alpha) * d->beta;
    case TCO_DIST_DISCRETE: {
        double m = tco_dist_mean(d), v = 0, prev = 0;
        for (size_t i = 0; i < d->nvalues; i++) {
            v += (d->values[i] - m) * (d->values[i] - m) * (d->cum[i] - prev);
            prev = d->cum[i];
        }
        return sqrt(v);
    }
    }
    return NAN;
}

void tco_dist_support(const tco_dist *d, double *lo, double *hi)
{
    switch (d->kind) {
    case TCO_DIST_FIXED: *lo = *hi = d->a; return;
    case TCO_DIST_NORMAL: *lo = -HUGE_VAL; *hi = HUGE_VAL; return;
    case TCO_DIST_LOGNORMAL:
    case TCO_DIST_GAMMA: *lo = 0; *hi = HUGE_VAL; return;
    case TCO_DIST_DISCRETE: *lo = d->values[0]; *hi = d->values[d->nvalues - 1]; return;
    default: *lo = d->a; *hi = d->b; return;
    }
}

void tco_dist_format(const tco_dist *d, char *buf, size_t size)
{
    switch (d->kind) {
    case TCO_DIST_FIXED: tco_snprintf(buf, size, "fixed %.6g", d->a); return;
    case TCO_DIST_UNIFORM: tco_snprintf(buf, size, "uniform(min %.6g, max %.6g)", d->a, d->b); return;
    case TCO_DIST_NORMAL: tco_snprintf(buf, size, "normal(mean %.6g, sd %.6g)", d->a, d->b); return;
    case TCO_DIST_LOGNORMAL:
        tco_snprintf(buf, size, "lognormal(mu %.6g, sigma %.6g)", d->a, d->b);
        return;
    case TCO_DIST_TRIANGULAR:
        tco_snprintf(buf, size, "triangular(min %.6g, mode %.6g, max %.6g)", d->a, d->c, d->b);
        return;
    case TCO_DIST_PERT:
        tco_snprintf(buf, size, "pert(min %.6g, mode %.6g, max %.6g)", d->a, d->c, d->b);
        return;
    case TCO_DIST_BETA:
        tco_snprintf(buf, size, "beta(alpha %.6g, beta %.6g, min %.6g, max %.6g)", d->alpha, d->beta,
                 d->a, d->b);
        return;
    case TCO_DIST_GAMMA:
        tco_snprintf(buf, size, "gamma(shape %.6g, scale %.6g)", d->alpha, d->beta);
        return;
    case TCO_DIST_DISCRETE: tco_snprintf(buf, size, "discrete(%zu values)", d->nvalues); return;
    }
}

/* ---- parsing ---- */

typedef struct {
    const tco_ynode *map;
    const char *path;
    const char *kind;
    tco_error *err;
} pctx;

static tco_status perr(const pctx *c, const tco_ynode *at, const char *fmt, double x, double y)
{
    char msg[512];
    tco_snprintf(msg, sizeof msg, fmt, x, y);
    return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s: %s", at->file, at->line, at->col,
                         c->path, msg);
}

/* Reads the number at key; *present tells whether the key was there. */
static tco_status param(const pctx *c, const char *key, int required, double *out, int *present)
{
    const tco_ynode *v = tco_ymap_get(c->map, key);
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required)
            return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s: a %s distribution needs '%s'",
                                 c->map->file, c->map->line, c->map->col, c->path,
                                 c->kind, key);
        return TCO_OK;
    }
    if (!tco_ynumber(v, out))
        return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s.%s: expected a number, got '%s'%s",
                             v->file, v->line, v->col, c->path, key,
                             v->kind == TCO_YSCALAR ? v->str : tco_ykind_name(v->kind),
                             v->kind == TCO_YSCALAR && strchr(v->str, '_')
                                 ? " (YAML 1.2 numbers have no '_')" : "");
    if (!isfinite(*out))
        return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s.%s: expected a finite number",
                             v->file, v->line, v->col, c->path, key);
    return TCO_OK;
}

static const char *const dist_keys[][6] = {
    [TCO_DIST_FIXED] = {"value"},
    [TCO_DIST_UNIFORM] = {"min", "max"},
    [TCO_DIST_NORMAL] = {"mean", "sd"},
    [TCO_DIST_LOGNORMAL] = {"p5", "p95", "p10", "p90", "mean", "sd"},
    [TCO_DIST_TRIANGULAR] = {"min", "mode", "max"},
    [TCO_DIST_PERT] = {"min", "mode", "max", "lambda"},
    [TCO_DIST_BETA] = {"alpha", "beta", "min", "max"},
    [TCO_DIST_GAMMA] = {"shape", "scale"},
    [TCO_DIST_DISCRETE] = {"values", "weights"},
};

static tco_status check_keys(const pctx *c, tco_dist_kind kind)
{
    const char *cands[7];
    size_t n = 0;
    for (; n < 6 && dist_keys[kind][n]; n++)
        cands[n] = dist_keys[kind][n];
    cands[n++] = "dist";
    for (size_t i = 0; i < c->map->n; i++) {
        const tco_ynode *k = c->map->key[i];
        int known = 0;
        for (size_t j = 0; j < n; j++)
            known |= strcmp(k->str, cands[j]) == 0;
        if (known)
            continue;
        const char *near = tco_ynearest(k->str, cands, n);
        char list[256] = "";
        for (size_t j = 0; j + 1 < n; j++) {
            strcat(list, j ? ", " : "");
            strcat(list, cands[j]);
        }
        if (near)
            return tco_error_set(c->err, TCO_EINVAL,
                                 "%s:%u:%u: %s: unknown key '%s' for a %s distribution; did you mean %s?",
                                 k->file, k->line, k->col, c->path, k->str, c->kind, near);
        return tco_error_set(c->err, TCO_EINVAL,
                             "%s:%u:%u: %s: unknown key '%s' for a %s distribution (it takes %s)",
                             k->file, k->line, k->col, c->path, k->str, c->kind, list);
    }
    return TCO_OK;
}

typedef struct {
    double value, weight;
    size_t index;
} vpair;

static int cmp_vpair(const void *a, const void *b)
{
    const vpair *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static tco_status parse_discrete(tco_dist *d, const pctx *c)
{
    const tco_ynode *vals = tco_ymap_get(c->map, "values");
    const tco_ynode *w = tco_ymap_get(c->map, "weights");
    if (!vals)
        return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s: a discrete distribution needs 'values'",
                             c->map->file, c->map->line, c->map->col, c->path);
    if (vals->kind != TCO_YSEQ || vals->n == 0)
        return tco_error_set(c->err, TCO_EINVAL,
                             "%s:%u:%u: %s.values: expected a non-empty list of numbers",
                             vals->file, vals->line, vals->col, c->path);
    if (w && (w->kind != TCO_YSEQ || w->n != vals->n))
        return tco_error_set(c->err, TCO_EINVAL,
                             "%s:%u:%u: %s.weights: expected a list of %zu numbers, one per value",
                             w->file, w->line, w->col, c->path, vals->n);
    size_t n = vals->n;
    double *v = malloc(n * sizeof *v), *p = malloc(n * sizeof *p);
    d->values = v;
    d->cum = p;
    d->nvalues = n;
    if (!v || !p)
        return tco_error_set(c->err, TCO_ENOMEM, "out of memory");
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        const tco_ynode *x = vals->val[i];
        if (!tco_ynumber(x, &v[i]) || !isfinite(v[i]))
            return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s.values[%zu]: expected a finite number",
                                 x->file, x->line, x->col, c->path, i);
        p[i] = 1;
        if (w) {
            x = w->val[i];
            if (!tco_ynumber(x, &p[i]) || !isfinite(p[i]) || p[i] < 0)
                return tco_error_set(c->err, TCO_EINVAL,
                                     "%s:%u:%u: %s.weights[%zu]: expected a number >= 0",
                                     x->file, x->line, x->col, c->path, i);
        }
        total += p[i];
    }
    if (!(total > 0))
        return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s.weights: the weights add up to 0",
                             w->file, w->line, w->col, c->path);
    if (!isfinite(total)) {
        /* Weights near DBL_MAX overflow their sum: scale them by the largest
         * first (exact up to rounding; only such files take this path). */
        double big = 0;
        for (size_t i = 0; i < n; i++)
            big = fmax(big, p[i]);
        total = 0;
        for (size_t i = 0; i < n; i++)
            total += p[i] /= big;
    }
    /* Sort by value, stably (ties keep file order, so the sums below are
     * the same as an insertion sort's), in O(n log n): the quantile must be
     * monotone, as inverse-transform sampling needs. */
    vpair *pairs = malloc(n * sizeof *pairs);
    if (!pairs)
        return tco_error_set(c->err, TCO_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        pairs[i] = (vpair){v[i], p[i], i};
    qsort(pairs, n, sizeof *pairs, cmp_vpair);
    for (size_t i = 0; i < n; i++) {
        v[i] = pairs[i].value;
        p[i] = pairs[i].weight;
    }
    free(pairs);
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += p[i];
        p[i] = acc / total;
    }
    p[n - 1] = 1;
    return TCO_OK;
}

/* The shape parameters whose quantiles are tabulated reliably and quickly:
 * GSL's beta inverse does not return for Beta(1e6, 1e6). */
#define SHAPE_MIN 1e-2
#define SHAPE_MAX 1e5

static tco_status parse_map(tco_dist *d, const pctx *c, const tco_ynode *kindnode)
{
    tco_dist_kind kind;
    const char *names[9];
    for (int k = 0; k < 9; k++)
        names[k] = tco_dist_name((tco_dist_kind)k);
    if (kindnode->kind != TCO_YSCALAR)
        return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s.dist: expected a distribution name",
                             kindnode->file, kindnode->line, kindnode->col, c->path);
    for (kind = TCO_DIST_FIXED; kind <= TCO_DIST_DISCRETE; kind++)
        if (strcmp(kindnode->str, names[kind]) == 0)
            break;
    if (kind > TCO_DIST_DISCRETE) {
        const char *near = tco_ynearest(kindnode->str, names, 9);
        return tco_error_set(c->err, TCO_EINVAL,
                             "%s:%u:%u: %s.dist: unknown distribution '%s'%s%s%s (known: fixed, "
                             "uniform, normal, lognormal, triangular, pert, beta, gamma, discrete)",
                             kindnode->file, kindnode->line, kindnode->col, c->path, kindnode->str,
                             near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
    }
    pctx cc = *c;
    cc.kind = names[kind];
    c = &cc;
    tco_status st = check_keys(c, kind);
    if (st != TCO_OK)
        return st;
    d->kind = kind;
    const tco_ynode *m = c->map;
    double x, y, z;
    int has_x, has_y;
    switch (kind) {
    case TCO_DIST_FIXED:
        return param(c, "value", 1, &d->a, NULL);
    case TCO_DIST_UNIFORM:
        if ((st = param(c, "min", 1, &d->a, NULL)) || (st = param(c, "max", 1, &d->b, NULL)))
            return st;
        if (!(d->a < d->b))
            return perr(c, m, "uniform needs min < max (got min %g, max %g)", d->a, d->b);
        if (!isfinite(d->b - d->a))
            return perr(c, m, "min and max are too far apart: max - min overflows (got min %g, max %g)",
                        d->a, d->b);
        return TCO_OK;
    case TCO_DIST_NORMAL:
        if ((st = param(c, "mean", 1, &d->a, NULL)) || (st = param(c, "sd", 1, &d->b, NULL)))
            return st;
        if (!(d->b > 0))
            return perr(c, tco_ymap_get(m, "sd"), "normal needs sd > 0 (got %g)", d->b, 0);
        return TCO_OK;
    case TCO_DIST_LOGNORMAL: {
        static const char *const pairs[3][2] = {{"p5", "p95"}, {"p10", "p90"}, {"mean", "sd"}};
        static const double zs[2] = {1.6448536, 1.2815516};
        int found = -1;
        for (int i = 0; i < 3; i++) {
            int a = tco_ymap_get(m, pairs[i][0]) != NULL, b = tco_ymap_get(m, pairs[i][1]) != NULL;
            if (!a && !b)
                continue;
            if (found >= 0)
                return tco_error_set(c->err, TCO_EINVAL,
                                     "%s:%u:%u: %s: lognormal takes one of p5/p95, p10/p90 or "
                                     "mean/sd, not both %s and %s",
                                     m->file, m->line, m->col, c->path, pairs[found][0], pairs[i][0]);
            found = i;
        }
        if (found < 0)
            return tco_error_set(c->err, TCO_EINVAL,
                                 "%s:%u:%u: %s: lognormal needs p5 and p95, p10 and p90, or mean and sd",
                                 m->file, m->line, m->col, c->path);
        if ((st = param(c, pairs[found][0], 1, &x, &has_x)) ||
            (st = param(c, pairs[found][1], 1, &y, &has_y)))
            return st;
        if (found < 2) {
            if (!(x > 0 && x < y)) {
                char fmt[128];
                tco_snprintf(fmt, sizeof fmt, "lognormal needs 0 < %s < %s (got %%g, %%g)",
                         pairs[found][0], pairs[found][1]);
                return perr(c, m, fmt, x, y);
            }
            d->a = (log(x) + log(y)) / 2;
            d->b = (log(y) - log(x)) / (2 * zs[found]);
        } else {
            if (!(x > 0 && y > 0))
                return perr(c, m, "lognormal needs mean > 0 and sd > 0 (got mean %g, sd %g)", x, y);
            double s2 = log1p(y * y / (x * x));
            d->b = sqrt(s2);
            d->a = log(x) - s2 / 2;
        }
        return TCO_OK;
    }
    case TCO_DIST_TRIANGULAR:
    case TCO_DIST_PERT:
        if ((st = param(c, "min", 1, &d->a, NULL)) || (st = param(c, "mode", 1, &d->c, NULL)) ||
            (st = param(c, "max", 1, &d->b, NULL)))
            return st;
        if (!(d->a < d->b))
            return perr(c, m, "needs min < max (got min %g, max %g)", d->a, d->b);
        if (!isfinite(d->b - d->a))
            return perr(c, m, "min and max are too far apart: max - min overflows (got min %g, max %g)",
                        d->a, d->b);
        if (d->c < d->a)
            return perr(c, tco_ymap_get(m, "mode"), "needs min <= mode (got min %g, mode %g)",
                        d->a, d->c);
        if (d->c > d->b)
            return perr(c, tco_ymap_get(m, "mode"), "needs mode <= max (got mode %g, max %g)",
                        d->c, d->b);
        if (kind == TCO_DIST_PERT) {
            double lambda = 4;
            if ((st = param(c, "lambda", 0, &lambda, NULL)))
                return st;
            if (!(lambda > 0))
                return perr(c, tco_ymap_get(m, "lambda"), "pert needs lambda > 0 (got %g)",
                            lambda, 0);
            if (!(lambda <= 1e4))
                return perr(c, tco_ymap_get(m, "lambda"),
                            "pert needs lambda <= 10000 (got %g): a larger lambda is a fixed "
                            "value at the mode%.0g",
                            lambda, 0);
            d->alpha = 1 + lambda * (d->c - d->a) / (d->b - d->a);
            d->beta = 1 + lambda * (d->b - d->c) / (d->b - d->a);
            if (!isfinite(d->alpha) || !isfinite(d->beta)) {
                /* lambda (c - a) overflowed: divide first (only huge ranges
                 * come here, so usual files keep the bits above). */
                d->alpha = 1 + lambda * ((d->c - d->a) / (d->b - d->a));
                d->beta = 1 + lambda * ((d->b - d->c) / (d->b - d->a));
            }
        }
        return TCO_OK;
    case TCO_DIST_BETA:
        d->a = 0;
        d->b = 1;
        if ((st = param(c, "alpha", 1, &d->alpha, NULL)) ||
            (st = param(c, "beta", 1, &d->beta, NULL)) || (st = param(c, "min", 0, &d->a, NULL)) ||
            (st = param(c, "max", 0, &d->b, NULL)))
            return st;
        if (!(d->alpha > 0 && d->beta > 0))
            return perr(c, m, "beta needs alpha > 0 and beta > 0 (got %g, %g)", d->alpha, d->beta);
        if (!(d->alpha >= SHAPE_MIN && d->alpha <= SHAPE_MAX && d->beta >= SHAPE_MIN &&
              d->beta <= SHAPE_MAX))
            return perr(c, m,
                        "beta needs alpha and beta in [0.01, 100000] (got %g, %g): beyond, the "
                        "quantiles cannot be computed reliably; a narrower shape is a fixed value",
                        d->alpha, d->beta);
        if (!(d->a < d->b && isfinite(d->b - d->a)))
            return perr(c, m, "beta needs min < max, with max - min finite (got min %g, max %g)",
                        d->a, d->b);
        return TCO_OK;
    case TCO_DIST_GAMMA:
        if ((st = param(c, "shape", 1, &d->alpha, NULL)) ||
            (st = param(c, "scale", 1, &d->beta, NULL)))
            return st;
        if (!(d->alpha > 0 && d->beta > 0))
            return perr(c, m, "gamma needs shape > 0 and scale > 0 (got %g, %g)", d->alpha, d->beta);
        if (!(d->alpha >= SHAPE_MIN && d->alpha <= SHAPE_MAX))
            return perr(c, m,
                        "gamma needs shape in [0.01, 100000] (got %g): beyond, the quantiles "
                        "cannot be computed reliably (a larger shape is a normal)",
                        d->alpha, 0);
        return TCO_OK;
    case TCO_DIST_DISCRETE:
        (void)z;
        return parse_discrete(d, c);
    }
    return TCO_OK;
}

tco_status tco_dist_parse(tco_dist *d, const tco_ynode *node, const char *path,
                          const tco_domain *dom, tco_error *err)
{
    return tco_dist_parse_cached(d, node, path, dom, NULL, err);
}

/* Gives d its quantile table: from the cache when one with the same
 * parameters exists, else built, checked and added to the cache. */
static tco_status attach_table(tco_dist *d, const tco_ynode *node, const char *path,
                               tco_dist_cache *cache, tco_error *err)
{
    tco_qtable **slot = cache ? qc_find(cache, d) : NULL;
    if (slot && *slot) {
        d->table = *slot;
        d->table->refs++;
        return TCO_OK;
    }
    char desc[160];
    tco_dist_format(d, desc, sizeof desc);
    TCO_RETURN_ERROR_IF(cache && cache->n >= QT_MAX_TABLES, err, TCO_ELIMIT,
                        "%s:%u:%u: %s: more than %d distinct beta, pert or gamma distributions "
                        "in one file (each needs a 33 KB quantile table); reuse one with a YAML "
                        "anchor",
                        node->file, node->line, node->col, path, QT_MAX_TABLES);
    TCO_RETURN_ERROR_IF(cache && cache->seconds > QT_MAX_TOTAL_SECONDS, err, TCO_ELIMIT,
                        "%s:%u:%u: %s: building the quantile tables of this file's beta, pert and "
                        "gamma distributions has taken over %g s; use fewer distinct ones",
                        node->file, node->line, node->col, path, QT_MAX_TOTAL_SECONDS);
    int timeout;
    double cpu;
    /* More threads than processors never help a build that only computes. */
    int threads = omp_get_max_threads(), procs = omp_get_num_procs();
    threads = procs > 0 && threads > procs ? procs : threads;
    d->table = qtable_build(d, threads < 1 ? 1 : threads, &timeout, &cpu);
    if (cache)
        cache->seconds += cpu;
    TCO_RETURN_ERROR_IF(!d->table && timeout, err, TCO_EINVAL,
                        "%s:%u:%u: %s: %s is too extreme to tabulate its quantiles in %g s; "
                        "use less extreme parameters",
                        node->file, node->line, node->col, path, desc, QT_MAX_SECONDS);
    TCO_RETURN_ERROR_IF(!d->table, err, TCO_ENOMEM, "out of memory");
    if (!qtable_valid(d->table)) {
        qtable_release(d->table);
        d->table = NULL;
        TCO_RETURN_ERROR_IF(1, err, TCO_EINVAL,
                            "%s:%u:%u: %s: the quantiles of %s cannot be computed accurately; "
                            "use less extreme parameters",
                            node->file, node->line, node->col, path, desc);
    }
    if (slot) {
        *slot = d->table;
        d->table->refs++;
        cache->n++;
    }
    return TCO_OK;
}

tco_status tco_dist_parse_cached(tco_dist *d, const tco_ynode *node, const char *path,
                                 const tco_domain *dom, tco_dist_cache *cache, tco_error *err)
{
    tco_init();
    memset(d, 0, sizeof *d);
    pctx c = {node, path, "", err};
    char dombuf[64];
    tco_domain_format(dom, dombuf, sizeof dombuf);
    tco_status st;
    if (node->kind == TCO_YSCALAR) {
        double x;
        if (!tco_ynumber(node, &x))
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: %s: expected a number or a distribution, got '%s'%s",
                                 node->file, node->line, node->col, path, node->str,
                                 strchr(node->str, '_') ? " (YAML 1.2 numbers have no '_')" : "");
        if (!isfinite(x))
            return tco_error_set(err, TCO_EINVAL, "%s:%u:%u: %s: expected a finite number",
                                 node->file, node->line, node->col, path);
        tco_dist_fixed(d, x);
    } else if (node->kind == TCO_YMAP) {
        const tco_ynode *kind = tco_ymap_get(node, "dist");
        if (!kind)
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: %s: a distribution needs a 'dist' key (e.g. dist: pert)",
                                 node->file, node->line, node->col, path);
        if ((st = parse_map(d, &c, kind)) != TCO_OK) {
            tco_dist_clear(d);
            return st;
        }
    } else {
        return tco_error_set(err, TCO_EINVAL,
                             "%s:%u:%u: %s: expected a number or a distribution, got a sequence",
                             node->file, node->line, node->col, path);
    }
    /* The distribution must be able to produce a value inside the domain. */
    int reachable;
    if (d->kind == TCO_DIST_FIXED) {
        reachable = tco_domain_contains(dom, d->a);
    } else if (d->kind == TCO_DIST_DISCRETE) {
        reachable = 0;
        for (size_t i = 0; i < d->nvalues; i++)
            reachable |= tco_domain_contains(dom, d->values[i]);
    } else {
        double lo, hi;
        tco_dist_support(d, &lo, &hi);
        reachable = fmax(lo, dom->lo) < fmin(hi, dom->hi);
    }
    if (!reachable) {
        char desc[160];
        tco_dist_format(d, desc, sizeof desc);
        tco_dist_clear(d);
        return tco_error_set(err, TCO_EINVAL,
                             "%s:%u:%u: %s: must be %s, and %s can never be", node->file,
                             node->line, node->col, path, dombuf, desc);
    }
    if (d->kind == TCO_DIST_PERT || d->kind == TCO_DIST_BETA || d->kind == TCO_DIST_GAMMA) {
        if ((st = attach_table(d, node, path, cache, err)) != TCO_OK) {
            tco_dist_clear(d);
            return st;
        }
    }
    return TCO_OK;
}
