/* Uniform vectors for the static inputs (MODEL.md section 9) and the
 * Gaussian copula that correlates them (section 8).
 *
 * random: each future takes its uniforms from the start of its own stream.
 * lhs: Latin hypercube, one random permutation of n strata per dimension,
 *   jittered within its stratum (McKay, Beckman and Conover 1979).  The
 *   permutation is a keyed bijection (a 4-round Feistel network on the next
 *   power of two, cycle-walked into [0, n); keys from the seed and the
 *   dimension) and the jitter a hash of (key, future): row i is computed on
 *   its own, so no table of n rows is built.
 * sobol: GSL's Sobol sequence with a Cranley-Patterson random shift per
 *   dimension (so seeds differ), point i computed directly from GSL's
 *   direction numbers (Gray-code order; the same bits as gsl_qrng_get);
 *   GSL stops at 40 dimensions, so dimensions past 40 are filled by Latin
 *   hypercube columns.
 * The copula maps the correlated dimensions to normal scores, mixes them
 * with the Cholesky factor of the scenario and maps them back (Iman and
 * Conover's target, applied as a Gaussian copula). */
#ifndef TCO_SAMPLE_H
#define TCO_SAMPLE_H

#include <stddef.h>

#include "error.h"
#include "rng.h"
#include "scenario.h"

#define TCO_SOBOL_MAX_DIM 40

typedef struct tco_sampler tco_sampler;

/* Prepares uniforms for n futures.  Rows are computed per future: the
 * sampler holds per-run constants only (tco_sampler_bytes, whatever n). */
tco_status tco_sampler_alloc(tco_sampler **out, const tco_scenario *sc, tco_sampling method,
                             long n, uint64_t seed, const tco_zig *zig, tco_error *err);
void tco_sampler_free(tco_sampler *s);

/* A sampler that reads row i of table (n x ndims, not copied: it must
 * outlive the sampler) for future i, without the copula. */
tco_status tco_sampler_from_table(tco_sampler **out, const tco_scenario *sc, const double *table,
                                  tco_error *err);
size_t tco_sampler_bytes(const tco_scenario *sc, tco_sampling method, long n);

/* Fills u[0..ndims) for future i.  rng is the future's stream (random
 * sampling draws from it).  scratch holds at least 2 * sc->ncorr doubles. */
void tco_sampler_uniforms(const tco_sampler *s, long i, tco_rng *rng, double *u, double *scratch);

/* The static input values x[0..ninputs) for uniforms u: x = F^-1(u), then
 * clamped to the domain; clamped[k] counts clamps of input k (may be NULL).
 * Fresh inputs (drawn at each use) get their mean as a placeholder. */
void tco_sample_inputs(const tco_scenario *sc, const double *u, double *x, unsigned *clamped);

/* Like tco_sample_inputs, but writes only the uncertain inputs: for a
 * vector whose fixed inputs were filled before (by tco_sample_inputs). */
void tco_sample_uncertain(const tco_scenario *sc, const double *u, double *x, unsigned *clamped);

/* Test hooks.  The stratum (0 <= k < n) of future i in LHS column d, and
 * the inverse (the future of stratum k); the numerator (over 2^30) of
 * Sobol point i in dimension d, before the shift. */
long tco_lhs_stratum(const tco_sampler *s, long i, size_t d);
long tco_lhs_stratum_inverse(const tco_sampler *s, long k, size_t d);
uint32_t tco_sobol_numerator(const tco_sampler *s, long i, size_t d);

/* Applies the copula in place to u (used by tco_sampler_uniforms). */
void tco_sample_correlate(const tco_scenario *sc, double *u, double *scratch);

#endif
