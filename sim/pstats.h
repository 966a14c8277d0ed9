/* The NPV statistics of a run from a partition of its futures (issue 12):
 * each part (a process of tcosim-mpi, a thread, a shard) holds only its
 * own futures' NPVs, and every step across parts goes through one reduce
 * callback that sums integer arrays (select.h, tco_select_reduce: an
 * MPI_Allreduce with MPI_SUM).  Nothing grows with the number of futures:
 * sums travel as exact accumulators (tco_xsum), counts as counts, order
 * statistics (percentiles, CVaR's threshold, min and max) by radix
 * selection over the parts (select.h).
 *
 * Every statistic has the same bits as tco_results_compute over all the
 * futures gathered, for any partition, with one documented exception: an
 * order statistic (a percentile, the min, the max) that falls among zeros
 * of both signs is -0 or +0 by key order here (-0 below +0) and by the
 * input's order there.
 *
 * Covered, per strategy s (tco_strategy_result): npv (mean, sd, se,
 * p[TCO_NPCT], cvar95, min, max), nominal_mean (when nominal is given),
 * p_cheapest, regret_mean, regret_p95, savings (mean, ci_low, ci_high,
 * p[TCO_NPCT], p_saves, identical; p_saves_more NAN), ce and
 * p_within_budget (from sc, NAN without), criterion_value; and over the
 * strategies best and evpi.  Not covered (the other fields are left as
 * they are): break-even, route changes, cost_per_mtok, unserved, cat,
 * monthly means and bands (the run's own reductions, engine.h); the
 * pairwise matrices come from tco_pstats_pairwise.  tco_results_compute
 * uses both for a spread run of tcosim-mpi (engine.h). */
#ifndef TCO_PSTATS_H
#define TCO_PSTATS_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"
#include "select.h"
#include "stats.h"

/* This part's futures: npv and nominal S x n, strategy-major (future i of
 * strategy s at [s * ld + i], ld >= n); nominal may be NULL (nominal_mean then NAN).
 * n may be 0 on some parts but not on all (TCO_EINVAL).  sc: the
 * scenario's risk tolerance, budget and criterion (NULL: none, mean).
 * Every part calls with the same S and sc; each gets the same results into
 * st[0..S) (the fields listed above), *best and *evpi.  An allocation
 * failure on any part makes every part return TCO_ENOMEM (the parts agree
 * by a reduce before selecting). */
tco_status tco_pstats_compute(const double *npv, const double *nominal, size_t n, size_t ld,
                              size_t S,
                              const tco_scenario *sc, tco_select_reduce reduce, void *ctx,
                              tco_strategy_result *st, int *best, double *evpi,
                              tco_error *err);

/* The pairwise matrices of tco_results (S x S, [a * S + b]): p_cheaper
 * (P(a < b)), identical (a == b; 1 on the diagonal), mean_abs_diff
 * (mean |a - b|) and diff_se (the standard error of the mean of a - b),
 * each caller-allocated, the same bits as tco_results_compute's. */
tco_status tco_pstats_pairwise(const double *npv, size_t n, size_t ld, size_t S,
                               tco_select_reduce reduce,
                               void *ctx, double *p_cheaper, double *identical,
                               double *mean_abs_diff, double *diff_se, tco_error *err);

#endif
