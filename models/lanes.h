/* Four futures costed at once in the lanes of AVX2 registers (issue 11:
 * the costing computed across batches of futures), for the strategies
 * whose costing is plain arithmetic: tco_future_cost's results, bit for
 * bit.  The engine costs a future alone where the lanes do not apply. */
#ifndef TCO_LANES_H
#define TCO_LANES_H

#include <stddef.h>

#include "model.h"

#define TCO_LANES 4

typedef struct tco_lanes tco_lanes;

/* A thread's lanes for the strategies of m, or NULL when none of them can
 * be costed in lanes, the processor has no AVX2, or memory is short (the
 * futures are then costed alone, with the same results). */
tco_lanes *tco_lanes_alloc(const tco_model *m);
void tco_lanes_free(tco_lanes *L);

/* The bytes tco_lanes_alloc takes at most for a scenario of S strategies,
 * K workloads, B backends and T months. */
size_t tco_lanes_bytes(size_t S, size_t K, size_t B, int T);

/* Whether strategy s can be costed in lanes: at most three phases and a
 * switch on volume (no review, retirement or switch on spend), at most 16
 * workloads, routes to api backends and at most one self-hosted platform
 * (rented or owned), served until it is in production by the strategy's
 * api fallback or, where the workload may not use it, not at all
 * (unserved). */
int tco_lanes_strategy(const tco_lanes *L, size_t s);

/* Whether future f can be costed in lanes for such a strategy: no
 * exclusion, no fixed monthly cost on an api backend it serves, and a
 * platform whose setup does not fail and, when its GPUs are owned, whose
 * lifetime is at least the horizon (no cohort is retired within it). */
int tco_lanes_plain(const tco_lanes *L, const tco_future *f, size_t s);

/* A new group of futures f[0 .. TCO_LANES - 1] (a future may repeat: its
 * lanes compute the same), each plain for the strategies it is costed
 * for: what they share is gathered once. */
void tco_lanes_group(tco_lanes *L, tco_future *const *f);

/* Strategy s on the group's futures, as tco_future_cost(f[l], m, s,
 * monthly[l], NULL, &out[l]) would cost each: the same results bit for
 * bit, and the same price indices read (tco_future_track_reads).  (A
 * review strategy is costed here only from tco_lanes_cost_some, which
 * sets each lane's decisions.) */
void tco_lanes_cost(tco_lanes *L, size_t s, double *const *monthly, tco_cost *out);

/* Strategy s on those of futures f[0 .. G - 1] for which want[l] is set:
 * when two or more of them can be costed in lanes, those (the first
 * repeated in the lanes left over), their costs into out[l] and their
 * monthly totals into monthly[l] (spare, T values, for a lane left over
 * and where monthly[l] is NULL); last: the futures gathered last, set
 * to NULL when their rows change (tco_lanes_group).  A review strategy
 * whose options reach api backends and self-hosted platforms has its
 * reviews' decisions made in lanes instead, for futures without an
 * exclusion or a failed setup on them.  Of those, the futures whose
 * option changes once at most are then costed in lanes too, when the
 * options reach one self-hosted platform at most, their api backends
 * have no fixed monthly cost and the option taken leaves no platform
 * idle to retire: the review's "initial" route, then from the month
 * after the review the option's, its switching cost due then.  The
 * others are costed alone with their decisions (tco_future.decided): the
 * same results.  Returns the number of futures costed, done[l] set for
 * each; the caller costs the others.
 * L may be NULL (none costed). */
int tco_lanes_cost_some(tco_lanes *L, tco_future *const *f, int G, size_t s, const int *want,
                        double *const *monthly, double *spare, tco_future **last, tco_cost *out,
                        int *done);

#endif
