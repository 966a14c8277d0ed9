/* The copula setup: the `correlations` section of a scenario, turned into
 * the Cholesky factor that the sampler uses to correlate normal scores
 * (Iman & Conover 1982: a Gaussian copula on ranks).
 *
 * Validation is one factorisation: O(n^3) in the number of correlated
 * inputs, which is capped by TCO_MAX_CORRELATED. */
#ifndef TCO_COPULA_H
#define TCO_COPULA_H

#include <stddef.h>

#include "schema.h"

/* The most inputs one file may correlate: the factor has n^2 entries and
 * every future multiplies by it, so beyond a few hundred inputs sampling,
 * not the model, would dominate the run time. */
#define TCO_MAX_CORRELATED 200

/* Reads root's correlations (if any) into c->sc: ncorr, corr_dims (input
 * indices; the caller maps them to dimensions) and corr_chol.  The inputs
 * must all be loaded. */
tco_status tco_copula_load(tco_schema *c, const tco_ynode *root);

/* Factorises the symmetric n x n matrix a (row-major) in place into its
 * lower Cholesky factor L, by rows (Cholesky-Banachiewicz).  The leading
 * k x k block of a is positive definite exactly when the first k pivots
 * are; returns n when every pivot L[i][i] exceeds min_pivot, else the index
 * of the first one that does not (so the leading block of that index + 1 is
 * the smallest that is not positive definite). */
size_t tco_copula_cholesky(double *a, size_t n, double min_pivot);

/* The normal-score (Pearson) correlation for a Spearman rank correlation
 * rho: 2 sin(pi rho / 6) (Pearson 1907). */
double tco_copula_pearson(double rho);

#endif
