/* Distributions of MODEL.md section 2: parsed from YAML, sampled by inverse
 * transform x = F^-1(u), described by their moments.
 *
 * A tco_dist is immutable once parsed and may be shared by threads. */
#ifndef TCO_DIST_H
#define TCO_DIST_H

#include <stddef.h>

#include "error.h"
#include "yamldoc.h"

typedef enum {
    TCO_DIST_FIXED,
    TCO_DIST_UNIFORM,
    TCO_DIST_NORMAL,
    TCO_DIST_LOGNORMAL,
    TCO_DIST_TRIANGULAR,
    TCO_DIST_PERT,
    TCO_DIST_BETA,
    TCO_DIST_GAMMA,
    TCO_DIST_DISCRETE
} tco_dist_kind;

/* The set of values a key accepts: [lo, hi] with either end open. */
typedef struct {
    double lo, hi;
    int lo_open, hi_open;
} tco_domain;

/* Common domains. */
extern const tco_domain TCO_DOM_ANY, TCO_DOM_NONNEG, TCO_DOM_POS, TCO_DOM_GT_M1,
    TCO_DOM_UNIT, TCO_DOM_UNIT_RIGHT_OPEN, TCO_DOM_UNIT_LEFT_OPEN, TCO_DOM_GE1;

typedef struct tco_qtable tco_qtable;

typedef struct {
    tco_dist_kind kind;
    /* Parameters after conversion: fixed (a); uniform (a=min, b=max);
     * normal (a=mean, b=sd); lognormal (a=mu, b=sigma); triangular
     * (a=min, c=mode, b=max); pert and beta (a=min, b=max, alpha, beta);
     * gamma (shape=alpha, scale=beta). */
    double a, b, c, alpha, beta;
    double *values;    /* discrete: sorted values */
    double *cum;       /* discrete: cumulative probabilities, last is 1 */
    size_t nvalues;
    tco_qtable *table; /* beta, pert, gamma: tabulated quantile */
} tco_dist;

/* Parses node (a number, or a mapping with a dist key) into d, checking the
 * parameters and that the distribution can reach dom.  path names the key in
 * messages.  On success d owns memory; release it with tco_dist_clear.
 * Beta, pert and gamma distributions build a quantile table on OpenMP's
 * default number of threads (omp_get_max_threads: OMP_NUM_THREADS, or
 * omp_set_num_threads, which `tcosim --threads N` calls), at most one a
 * processor; the table is the same for any number. */
tco_status tco_dist_parse(tco_dist *d, const tco_ynode *node, const char *path,
                          const tco_domain *dom, tco_error *err);

/* Quantile tables shared by distributions with the same parameters (as
 * YAML aliases produce), so a file repeating one distribution builds its
 * table once.  A cache only serves loading: tables stay valid after it is
 * freed, owned by the distributions that use them. */
typedef struct tco_dist_cache tco_dist_cache;

/* A new, empty cache (NULL when out of memory); free with
 * tco_dist_cache_free, which accepts NULL. */
tco_dist_cache *tco_dist_cache_alloc(void);
void tco_dist_cache_free(tco_dist_cache *cache);

/* Adds the quantile table of the parsed distribution d, if it has one and
 * the cache none with its parameters, to cache: a load of the same file
 * with one number changed (a sweep's point) then builds no table again. */
void tco_dist_cache_add(tco_dist_cache *cache, const tco_dist *d);

/* tco_dist_parse, taking tabulated quantiles from cache (which may be NULL)
 * and adding the ones it builds. */
tco_status tco_dist_parse_cached(tco_dist *d, const tco_ynode *node, const char *path,
                                 const tco_domain *dom, tco_dist_cache *cache, tco_error *err);

/* A fixed distribution at value. */
void tco_dist_fixed(tco_dist *d, double value);

/* Releases what d owns; d may be zeroed or already cleared. */
void tco_dist_clear(tco_dist *d);

/* The quantile F^-1(u) for u in (0, 1). */
double tco_dist_quantile(const tco_dist *d, double u);

/* Where u falls in d's quantile table (beta, pert, gamma), with the table's
 * nodes there asked into the cache (a prefetch: nothing waits for them), or
 * 0 for a distribution without a table.  Locating several inputs' quantiles
 * before evaluating any lets their tables' memory be read at once, not one
 * input after the other. */
double tco_dist_locate(const tco_dist *d, double u);

/* tco_dist_quantile(d, u), given pos = tco_dist_locate(d, u): the same bits. */
double tco_dist_quantile_at(const tco_dist *d, double u, double pos);

/* The standard normal quantile Phi^-1(p): -inf at 0, +inf at 1, NaN
 * outside [0, 1].  Wichura's (1988) algorithm AS 241 (PPND16, relative
 * error about 1e-16), its rational functions evaluated by Horner's rule in
 * the order GSL's gsl_cdf_ugaussian_Pinv evaluates them, so that it gives
 * GSL's bits where GSL is built without fused multiply-adds, as Debian's
 * is (tests/check_dist.c compares them); inline, without GSL's call and
 * loops. */
double tco_dist_normal_quantile(double p);

/* 1 when the distribution is not a single value. */
int tco_dist_uncertain(const tco_dist *d);

double tco_dist_mean(const tco_dist *d);
double tco_dist_sd(const tco_dist *d);

/* The smallest and largest value the distribution can produce. */
void tco_dist_support(const tco_dist *d, double *lo, double *hi);

/* The YAML name of the kind ("pert"). */
const char *tco_dist_name(tco_dist_kind kind);

/* Writes a one-line description ("pert(min 1.9, mode 2.5, max 4)") to buf. */
void tco_dist_format(const tco_dist *d, char *buf, size_t size);

/* Whether x is in dom, and x moved to the nearest point of dom. */
int tco_domain_contains(const tco_domain *dom, double x);
double tco_domain_clamp(const tco_domain *dom, double x);

/* Describes dom ("> 0", "in [0, 1)") into buf. */
void tco_domain_format(const tco_domain *dom, char *buf, size_t size);

#endif
