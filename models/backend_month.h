/* The monthly costs of the built-in backend types (api, self_hosted), as
 * inline functions: each type's table entries (monthly_cost, start,
 * retire) call them, and so does the month loop of strategy.c, directly,
 * for the backends of these types (tco_future.kind): no call through a
 * table per backend and month, and the month's costs stay in registers.
 * One definition of each cost, so both ways give the same bits.  Private
 * to models/; a new type needs nothing here (the loop calls its table). */
#ifndef TCO_BACKEND_MONTH_H
#define TCO_BACKEND_MONTH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "../sim/rng.h"

/* A value computed from inputs of a future, kept with the inputs' bits:
 * the next future drawn on the same tco_future whose inputs have the same
 * bits (a plain quantity has them in every future, an uncertain input
 * almost never) reuses it, the same bits as computing it again.  Zeroed
 * (calloc): empty.  A value kept must depend on nothing else that can
 * change between futures (the scenario's settings cannot: a tco_future
 * serves one model). */
typedef struct {
    uint64_t key[2];
    int set;
} tco_memo;

/* Whether m holds the value for inputs a and b (b = 0 for one input);
 * if not, m takes their bits and the caller computes the value. */
static inline int tco_memo_hit(tco_memo *m, double a, double b)
{
    uint64_t ka, kb;
    memcpy(&ka, &a, sizeof ka);
    memcpy(&kb, &b, sizeof kb);
    if (m->set && m->key[0] == ka && m->key[1] == kb)
        return 1;
    m->key[0] = ka;
    m->key[1] = kb;
    m->set = 1;
    return 0;
}

/* How strategy.c costs a backend's month: through its type's table, or
 * inline for a built-in type (tco_future.kind). */
enum { TCO_KIND_TABLE, TCO_KIND_API, TCO_KIND_SELF };

/* ---- api (backend_api.c) ---- */

/* One future's values. */
typedef struct {
    double fixed;
    /* Kept between futures (tco_memo): the table of the shocks' monthly
     * counts, on the rate; the index's monthly trend factor, on the
     * trend. */
    tco_memo shock_memo, trend_memo;
    tco_poisson_table shock_table;
    double trend;
} tco_api_paths;

/* The fixed monthly cost, in months where the backend serves a request. */
static inline void tco_api_month(const tco_backend_paths *p, double load, double *c)
{
    const tco_api_paths *d = p->data;
    if (load > 0)
        c[TCO_CAT_API] += d->fixed;
}

/* ---- self_hosted (backend_selfhost.c) ---- */

typedef struct tco_gpu_pricing tco_gpu_pricing;

/* One future's values, and one strategy's fleet of owned GPUs. */
typedef struct {
    const tco_gpu_pricing *pricing;
    int owned; /* the pricing: 0 cloud, 1 owned (GPUs bought in cohorts) */
    int T, lifetime;
    double setup_cost, base_fte, den, peak, min_gpus, per_gpu_fte;
    double hour, purchase, facility, maint, resale;
    /* Reserved cloud GPUs (MODEL.md 14.2): term = 0 without a reservation;
     * the strategy's running term started in month term_start (0: none yet)
     * and costs term_cost a month. */
    double reserved, reserved_hour, term_cost;
    int term, term_start;
    double *count; /* 3 x T: fine-tunings, updates and incidents counted in month t (drawn) */
    double *ops;   /* T: operations cost of month t (fine-tuning, updates, incidents) */
    double ops_mean; /* the expected operations cost of a month */
    double *staff; /* T: cost of one FTE in month t */
    /* Kept between futures (tco_memo): the index's drift and step on the
     * GPU price trend; each operation's table of monthly counts on its
     * rate; the salary's monthly growth factor on its growth, and staff
     * on the cost per FTE and the growth. */
    tco_memo gpu_memo, ops_memo[3], grow_memo, staff_memo;
    double drift, step, grow;
    tco_poisson_table ops_table[3];
    /* Owned GPUs: cohorts bought, oldest first; [head, tail) are held. */
    int *coh_month;
    double *coh_n, *coh_cost;
    int head, tail;
    double fleet, held; /* GPUs and purchase cost of the cohorts held */
} tco_self_paths;

/* The compute and facility part of a platform's run-rate (MODEL.md 18)
 * for n GPUs at index g, as each pricing's rate computes it (and
 * models/lanes.c in lanes): cloud, n GPUs by the hour; owned, the
 * straight-line depreciation of n GPUs bought at g, their facility and
 * maintenance. */
static inline double tco_cloud_rate(const tco_self_paths *d, double n, double g)
{
    return n * TCO_HOURS_PER_MONTH * d->hour * g;
}

static inline double tco_owned_rate(const tco_self_paths *d, double n, double g)
{
    double price = d->purchase * g;
    return n * (price / d->lifetime + d->facility + d->maint * price);
}

/* Cloud: n GPUs at the hourly price on the index g. */
static inline void tco_cloud_month(tco_self_paths *d, double n, double g, double *c)
{
    c[TCO_CAT_COMPUTE] += n * TCO_HOURS_PER_MONTH * d->hour * g;
}

/* Owned GPUs at the start of month t: retire, then buy up to n. */
static inline void tco_owned_month(tco_self_paths *d, int t, double n, double g, double *c)
{
    int retired = 0;
    while (d->head < d->tail && t - d->coh_month[d->head] >= d->lifetime) {
        d->fleet -= d->coh_n[d->head];
        d->head++;
        retired = 1;
    }
    if (retired) {
        /* Sum what is held afresh, in purchase order, as a reader would. */
        double held = 0;
        for (int i = d->head; i < d->tail; i++)
            held += d->coh_cost[i];
        d->held = held;
    }
    if (n > d->fleet) {
        double buy = n - d->fleet, cost = buy * d->purchase * g;
        d->coh_month[d->tail] = t;
        d->coh_n[d->tail] = buy;
        d->coh_cost[d->tail] = cost;
        d->tail++;
        c[TCO_CAT_COMPUTE] += cost;
        d->fleet = n;
        d->held += cost;
    }
    c[TCO_CAT_FACILITY] += d->fleet * d->facility + d->maint * d->held;
    if (t == d->T) {
        /* Book value of the cohorts held is credited at the horizon
         * (resale_fraction 1, the default, multiplies exactly). */
        for (int i = d->head; i < d->tail; i++) {
            double age = d->T - d->coh_month[i] + 1;
            double left = 1 - age / d->lifetime;
            c[TCO_CAT_COMPUTE] -= d->resale * d->coh_cost[i] * (left > 0 ? left : 0);
        }
    }
}

/* The owned fleet sold at the start of month t: each cohort held is
 * credited resale_fraction x its cost x max(0, 1 - (t - bought) / lifetime). */
static inline void tco_owned_sell(tco_self_paths *d, int t, double *c)
{
    for (int i = d->head; i < d->tail; i++) {
        double left = 1 - (double)(t - d->coh_month[i]) / d->lifetime;
        c[TCO_CAT_COMPUTE] -= d->resale * d->coh_cost[i] * (left > 0 ? left : 0);
    }
}

/* A strategy's state reset: no GPUs, no reservation. */
static inline void tco_self_start(tco_backend_paths *p)
{
    tco_self_paths *d = p->data;
    d->head = d->tail = 0;
    d->fleet = d->held = 0;
    d->term_start = 0;
    d->term_cost = 0;
}

/* Reserved cloud GPUs (MODEL.md 14.2) in month t: a term starts when the
 * backend is in production and no term is running, its monthly cost locked
 * at the index of its first month; a running term is paid whatever happens
 * to the backend (take-or-pay, also after retirement, 16). */
static inline void tco_reserved_month(tco_self_paths *d, int t, int production, double g,
                                      double *c)
{
    int running = d->term_start && t < d->term_start + d->term;
    if (production && !running) {
        d->term_start = t;
        d->term_cost = d->reserved * TCO_HOURS_PER_MONTH * d->reserved_hour * g;
        running = 1;
    }
    if (running)
        c[TCO_CAT_COMPUTE] += d->term_cost;
}

/* Setup cost in the month of adoption a, base staff during setup; then n_t
 * GPUs for the month's token-equivalents, their compute and facility, staff
 * for the base and per GPU, and the month's operations.  A failed setup
 * (MODEL.md 17): the setup cost in month a, base staff in months
 * a .. a + A - 1, and nothing else ever. */
static inline void tco_self_month(tco_backend_paths *p, int t, int a, double load, double *c)
{
    tco_self_paths *d = p->data;
    p->gpus = 0;
    if (d->term)
        tco_reserved_month(d, t, a && !p->setup_failed && t >= a + p->setup, p->index[t - 1], c);
    if (!a)
        return;
    double fte = d->staff[t - 1];
    if (t == a)
        c[TCO_CAT_SETUP] += d->setup_cost;
    if (p->setup_failed) {
        if (t < a + p->abandon)
            c[TCO_CAT_STAFF] += d->base_fte * fte;
        return;
    }
    if (t < a + p->setup) {
        c[TCO_CAT_STAFF] += d->base_fte * fte;
        return;
    }
    double need = ceil(load * d->peak / d->den);
    double n = need > d->min_gpus ? need : d->min_gpus;
    p->gpus = n;
    /* Reserved GPUs are paid by their term; the pricing pays those beyond:
     * max(0, n - reserved) as fmax(0, .) gives it (0 for a NaN or -0),
     * without the call to the library's fmax each month. */
    double beyond = n - d->reserved;
    double paid = d->term ? (beyond > 0 ? beyond : 0) : n;
    if (d->owned)
        tco_owned_month(d, t, paid, p->index[t - 1], c);
    else
        tco_cloud_month(d, paid, p->index[t - 1], c);
    c[TCO_CAT_STAFF] += (d->base_fte + n * d->per_gpu_fte) * fte;
    c[TCO_CAT_OPERATIONS] += d->ops[t - 1];
}

/* tco_self_month for months 1..T of a platform adopted in month a (0:
 * never) and never retired, month t's load L[t - 1] and its costs at
 * C + (t - 1) * TCO_NCAT: the same operations in the same order for each
 * month and category, phase by phase (before adoption, setup, production,
 * or a failed setup's months).  Before production nothing is booked but
 * the setup cost and the base staff: a reserved term starts only in
 * production.  In production a cloud pricing without a term is a loop
 * without branches; a term's renewals and owned cohorts are followed
 * month by month. */
static inline void tco_self_months(tco_backend_paths *p, int a, const double *L, double *C, int T)
{
    tco_self_paths *d = p->data;
    p->gpus = 0;
    if (!a || a > T)
        return;
    C[(size_t)(a - 1) * TCO_NCAT + TCO_CAT_SETUP] += d->setup_cost;
    int staffed = p->setup_failed ? a + p->abandon : a + p->setup; /* base staff only before */
    if (staffed > T + 1)
        staffed = T + 1;
    for (int t = a; t < staffed; t++)
        C[(size_t)(t - 1) * TCO_NCAT + TCO_CAT_STAFF] += d->base_fte * d->staff[t - 1];
    if (p->setup_failed)
        return;
    const double *g = p->index;
    double n = 0;
    if (!d->term && !d->owned) {
        for (int t = staffed; t <= T; t++) {
            double *c = C + (size_t)(t - 1) * TCO_NCAT;
            double need = ceil(L[t - 1] * d->peak / d->den);
            n = need > d->min_gpus ? need : d->min_gpus;
            c[TCO_CAT_COMPUTE] += n * TCO_HOURS_PER_MONTH * d->hour * g[t - 1];
            c[TCO_CAT_STAFF] += (d->base_fte + n * d->per_gpu_fte) * d->staff[t - 1];
            c[TCO_CAT_OPERATIONS] += d->ops[t - 1];
        }
    } else {
        for (int t = staffed; t <= T; t++) {
            double *c = C + (size_t)(t - 1) * TCO_NCAT;
            /* A term starts whenever none is running (tco_reserved_month),
             * its cost booked before the GPUs beyond it. */
            if (d->term) {
                if (!(d->term_start && t < d->term_start + d->term)) {
                    d->term_start = t;
                    d->term_cost = d->reserved * TCO_HOURS_PER_MONTH * d->reserved_hour * g[t - 1];
                }
                c[TCO_CAT_COMPUTE] += d->term_cost;
            }
            double need = ceil(L[t - 1] * d->peak / d->den);
            n = need > d->min_gpus ? need : d->min_gpus;
            double beyond = n - d->reserved;
            double paid = d->term ? (beyond > 0 ? beyond : 0) : n;
            if (d->owned)
                tco_owned_month(d, t, paid, g[t - 1], c);
            else
                tco_cloud_month(d, paid, g[t - 1], c);
            c[TCO_CAT_STAFF] += (d->base_fte + n * d->per_gpu_fte) * d->staff[t - 1];
            c[TCO_CAT_OPERATIONS] += d->ops[t - 1];
        }
    }
    if (staffed <= T)
        p->gpus = n;
}

/* Retired at the start of month t (MODEL.md 16): an owned fleet is sold;
 * a later adoption starts with no GPUs.  A running reserved term (14.2)
 * goes on being paid: the retirement keeps it. */
static inline void tco_self_retire(tco_backend_paths *p, int t, double *c)
{
    tco_self_paths *d = p->data;
    if (d->owned)
        tco_owned_sell(d, t, c);
    int start = d->term_start;
    double cost = d->term_cost;
    tco_self_start(p);
    d->term_start = start;
    d->term_cost = cost;
}

#endif
