/* make bench-batch: what costing four futures at once could buy (issue 11:
 * "50x needs the costing and the paths computed across batches of
 * futures").  A measurement, not a part of the engine.
 *
 * For a strategy with one route (one phase, no switch, review or
 * retirement) whose workloads go to api backends and at most one
 * self-hosted platform rented by the hour without a reserved term (served
 * by the strategy's api fallback until it is in production), the months
 * of four futures are costed in the four lanes of AVX2 registers, each
 * lane doing the operations of cost_direct (models/strategy.c) and
 * tco_self_months (models/backend_month.h) in their order: per month,
 * each workload's price (index x requests x unit cost), failure cost and
 * load added to +0 in workload order, the platform's GPUs from its load,
 * its compute, staff, setup and operations; then the month's total over
 * the categories in their order, then the NPV, the nominal sum and the
 * discounted categories month by month.  Where a lane's future is not in
 * production the platform's categories hold +0 (and the fallback's the
 * prices), selected by a mask, and a category the strategy does not
 * write holds +0: neither changes a bit of these sums (strategy.c,
 * book_months).  Every future's NPV, nominal sum, categories, GPUs and
 * monthly totals are compared, bit for bit, with tco_future_cost's;
 * futures with an exclusion (a route that changes), a fixed monthly cost
 * on an api backend or a failed setup are left out.
 *
 * The futures are drawn into the engine's tco_future (one future's paths
 * together); the lanes need the four futures' month t side by side, so
 * the program times apart the gather into that layout (four months of
 * four futures transposed in AVX2 registers) and the costing in lanes,
 * both against tco_future_cost on the same futures, each over the whole
 * set of futures (NF, a few hundred kilobytes, in the caches), in the
 * thread's CPU time.
 *
 * Usage: batch SCENARIO [STRATEGY [REPS]]   (STRATEGY: the first that
 * qualifies when not given; REPS: passes over the futures, 2000) */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../models/model_impl.h"
#include "../sim/rng.h"
#include "../sim/sample.h"
#include "../sim/scenario.h"

#define LANES 4
#define NBATCH 16
#define NF (LANES * NBATCH)
#define TMAX 600
#define CHECK_SETS 100

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The costing of a strategy in lanes: its route, the platform P it
 * reaches (-1: none) and the fallback F that serves P's workloads before
 * production. */
typedef struct {
    const int *route;
    int P, F;
} plan;

/* Whether strategy s's costing can be plain arithmetic (the top of this
 * file; plain, below, checks each future), its plan into *pl. */
static int qualifies(const tco_model *m, size_t s, plan *pl)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    if (st->review || st->switch_kind != TCO_SWITCH_NONE || st->nphases != 1 ||
        st->retire_idle || m->K > TCO_MAX_WORKLOADS)
        return 0;
    pl->route = st->phases[0].route;
    pl->P = -1;
    pl->F = st->fallback;
    for (size_t k = 0; k < m->K; k++) {
        int b = pl->route[k];
        const tco_backend *be = &sc->backends[b];
        if (be->type == &tco_backend_api) {
            if (m->trended[b])
                return 0;
            continue;
        }
        if (be->type != &tco_backend_selfhost || (pl->P >= 0 && pl->P != b))
            return 0;
        /* Served by the fallback before production: it must be an api
         * backend the workload may use, without a trend. */
        const unsigned char *allowed = sc->workloads[k].allowed;
        if (pl->F < 0 || sc->backends[pl->F].type != &tco_backend_api || m->trended[pl->F] ||
            (allowed && !allowed[pl->F]))
            return 0;
        pl->P = b;
    }
    return 1;
}

/* Four futures' inputs to the costing, month t of lane l at [t][l]: for
 * workload k the requests r, the index ga and the unit cost and failure
 * cost of the api backend that serves it before production (its route, or
 * the fallback for the platform's workloads); for the platform's
 * workloads the failure costs qp by month and unit loads; the platform's
 * index, staff and operations by month and its scalars. */
typedef struct {
    double uca[TCO_MAX_WORKLOADS][LANES], qa[TCO_MAX_WORKLOADS][LANES];
    double ul[TCO_MAX_WORKLOADS][LANES];
    double (*r)[TMAX][LANES], (*ga)[TMAX][LANES], (*qp)[TMAX][LANES];
    double ev[TMAX][LANES], va[TMAX][LANES];
    double gp[TMAX][LANES], staff[TMAX][LANES], ops[TMAX][LANES];
    double prod[LANES], hour[LANES], peak[LANES], den[LANES], min[LANES], base[LANES],
        per[LANES], setup[LANES];
} lanes;

/* dst[t][l] = src[l][t], t < T: four rows into lanes, four months at a
 * time transposed in AVX2 registers. */
__attribute__((target("avx2"))) static void rows_to_lanes(double (*dst)[LANES],
                                                           const double *const *src, size_t T)
{
    size_t t = 0;
    for (; t + 4 <= T; t += 4) {
        __m256d a = _mm256_loadu_pd(src[0] + t), b = _mm256_loadu_pd(src[1] + t);
        __m256d c = _mm256_loadu_pd(src[2] + t), d = _mm256_loadu_pd(src[3] + t);
        __m256d ab0 = _mm256_unpacklo_pd(a, b), ab1 = _mm256_unpackhi_pd(a, b);
        __m256d cd0 = _mm256_unpacklo_pd(c, d), cd1 = _mm256_unpackhi_pd(c, d);
        _mm256_storeu_pd(dst[t], _mm256_permute2f128_pd(ab0, cd0, 0x20));
        _mm256_storeu_pd(dst[t + 1], _mm256_permute2f128_pd(ab1, cd1, 0x20));
        _mm256_storeu_pd(dst[t + 2], _mm256_permute2f128_pd(ab0, cd0, 0x31));
        _mm256_storeu_pd(dst[t + 3], _mm256_permute2f128_pd(ab1, cd1, 0x31));
    }
    for (; t < T; t++)
        for (int l = 0; l < LANES; l++)
            dst[t][l] = src[l][t];
}

static const double zeros[TMAX];

/* The four futures' inputs to the costing into lanes; qrow: NF rows of T
 * for failure costs without a trend (one value every month). */
static void gather(lanes *B, tco_future *const *f, const tco_model *m, const plan *pl,
                   double *qrow)
{
    const size_t K = m->K, T = (size_t)m->T;
    const double *r[LANES], *ga[LANES], *q[LANES], *ev[LANES], *va[LANES];
    for (size_t k = 0; k < K; k++) {
        const int onP = pl->route[k] == pl->P, b = onP ? pl->F : pl->route[k];
        for (int l = 0; l < LANES; l++) {
            const tco_future *F = f[l];
            const tco_backend_paths *p = &F->paths[b];
            B->uca[k][l] = p->unit_cost[k];
            B->qa[k][l] = F->qual[(size_t)b * K + k];
            r[l] = F->R + k * T;
            ga[l] = p->index;
            if (!onP)
                continue;
            size_t P = (size_t)pl->P;
            B->ul[k][l] = F->paths[P].unit_load[k];
            if (m->trended[P]) {
                q[l] = F->qual_month + (P * K + k) * T;
            } else {
                double *row = qrow + (size_t)l * T;
                for (size_t t = 0; t < T; t++)
                    row[t] = F->qual[P * K + k];
                q[l] = row;
            }
        }
        rows_to_lanes(B->r[k], r, T);
        rows_to_lanes(B->ga[k], ga, T);
        if (onP)
            rows_to_lanes(B->qp[k], q, T);
    }
    for (int l = 0; l < LANES; l++) {
        ev[l] = f[l]->any_oneoff ? f[l]->oneoff : zeros;
        va[l] = m->valued ? f[l]->value : zeros;
    }
    rows_to_lanes(B->ev, ev, T);
    rows_to_lanes(B->va, va, T);
    if (pl->P < 0) {
        for (int l = 0; l < LANES; l++)
            B->prod[l] = 1;
        return;
    }
    const double *gp[LANES], *staff[LANES], *ops[LANES];
    for (int l = 0; l < LANES; l++) {
        const tco_backend_paths *p = &f[l]->paths[pl->P];
        const tco_self_paths *d = p->data;
        gp[l] = p->index;
        staff[l] = d->staff;
        ops[l] = d->ops;
        /* Adopted in month 1 (the route's first month), in production from
         * month 1 + setup (tco_self_months: staffed). */
        B->prod[l] = 1 + (double)p->setup;
        B->hour[l] = d->hour;
        B->peak[l] = d->peak;
        B->den[l] = d->den;
        B->min[l] = d->min_gpus;
        B->base[l] = d->base_fte;
        B->per[l] = d->per_gpu_fte;
        B->setup[l] = d->setup_cost;
    }
    rows_to_lanes(B->gp, gp, T);
    rows_to_lanes(B->staff, staff, T);
    rows_to_lanes(B->ops, ops, T);
}

/* Whether category j can be written: prices, failures, events and value,
 * and with a rented platform its compute, staff, setup and operations. */
static inline int writes(int j, int plat)
{
    return j == TCO_CAT_API || j == TCO_CAT_QUALITY || j == TCO_CAT_EVENTS ||
           j == TCO_CAT_VALUE ||
           (plat && (j == TCO_CAT_COMPUTE || j == TCO_CAT_STAFF || j == TCO_CAT_SETUP ||
                     j == TCO_CAT_OPERATIONS));
}

/* The costing of four futures: npv, nominal, categories (TCO_NCAT),
 * platform GPUs at the horizon and monthly totals, lane l of each at
 * [l]. */
static inline __attribute__((always_inline, target("avx2"))) void
cost_lanes_as(const lanes *B, const tco_model *m, const plan *pl, double *npv, double *nominal,
              double (*cat)[LANES], double *gpus, double (*monthly)[LANES], const int plat)
{
    const size_t K = m->K;
    const int T = m->T;
    const __m256d zero = _mm256_setzero_pd();
    __m256d n = zero, s = zero, k[TCO_NCAT], gp = zero;
    for (int j = 0; j < TCO_NCAT; j++)
        k[j] = zero;
    for (int t = 0; t < T; t++) {
        /* In production in month t + 1 (all ones), or not (zero). */
        __m256d on = plat ? _mm256_cmp_pd(_mm256_set1_pd(t + 1), _mm256_loadu_pd(B->prod),
                                          _CMP_GE_OQ)
                          : zero;
        __m256d api = zero, ql = zero, L = zero;
        for (size_t j = 0; j < K; j++) {
            __m256d r = _mm256_loadu_pd(B->r[j][t]);
            __m256d price = _mm256_mul_pd(_mm256_mul_pd(_mm256_loadu_pd(B->ga[j][t]), r),
                                          _mm256_loadu_pd(B->uca[j]));
            __m256d fail = _mm256_mul_pd(r, _mm256_loadu_pd(B->qa[j]));
            if (!plat || pl->route[j] != pl->P) {
                api = _mm256_add_pd(api, price);
                ql = _mm256_add_pd(ql, fail);
                continue;
            }
            api = _mm256_add_pd(api, _mm256_andnot_pd(on, price));
            ql = _mm256_add_pd(ql, _mm256_blendv_pd(fail, _mm256_mul_pd(r, _mm256_loadu_pd(B->qp[j][t])), on));
            L = _mm256_add_pd(L, _mm256_and_pd(on, _mm256_mul_pd(r, _mm256_loadu_pd(B->ul[j]))));
        }
        __m256d v[TCO_NCAT];
        for (int j = 0; j < TCO_NCAT; j++)
            v[j] = zero;
        v[TCO_CAT_API] = api;
        v[TCO_CAT_QUALITY] = ql;
        v[TCO_CAT_EVENTS] = _mm256_loadu_pd(B->ev[t]);
        v[TCO_CAT_VALUE] = _mm256_loadu_pd(B->va[t]);
        if (plat) {
            __m256d need = _mm256_round_pd(_mm256_div_pd(_mm256_mul_pd(L, _mm256_loadu_pd(B->peak)),
                                                         _mm256_loadu_pd(B->den)),
                                           _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
            __m256d g = _mm256_max_pd(need, _mm256_loadu_pd(B->min)); /* need > min ? need : min */
            __m256d st = _mm256_loadu_pd(B->staff[t]), base = _mm256_loadu_pd(B->base);
            v[TCO_CAT_COMPUTE] = _mm256_and_pd(
                on, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(g, _mm256_set1_pd(TCO_HOURS_PER_MONTH)),
                                                _mm256_loadu_pd(B->hour)),
                                  _mm256_loadu_pd(B->gp[t])));
            v[TCO_CAT_STAFF] = _mm256_blendv_pd(
                _mm256_mul_pd(base, st),
                _mm256_mul_pd(_mm256_add_pd(base, _mm256_mul_pd(g, _mm256_loadu_pd(B->per))), st), on);
            v[TCO_CAT_OPERATIONS] = _mm256_and_pd(on, _mm256_loadu_pd(B->ops[t]));
            if (t == 0)
                v[TCO_CAT_SETUP] = _mm256_loadu_pd(B->setup);
            gp = _mm256_and_pd(on, g);
        }
        /* Only the categories the plan can write (book_months): the
         * others hold +0, which adds nothing. */
        __m256d tot = zero;
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat))
                tot = _mm256_add_pd(tot, v[j]);
        __m256d d = _mm256_set1_pd(m->discount[t]);
        n = _mm256_add_pd(n, _mm256_mul_pd(d, tot));
        s = _mm256_add_pd(s, tot);
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat))
                k[j] = _mm256_add_pd(k[j], _mm256_mul_pd(d, v[j]));
        _mm256_storeu_pd(monthly[t], tot);
    }
    _mm256_storeu_pd(npv, n);
    _mm256_storeu_pd(nominal, s);
    for (int j = 0; j < TCO_NCAT; j++)
        _mm256_storeu_pd(cat[j], k[j]);
    _mm256_storeu_pd(gpus, gp);
}

__attribute__((target("avx2"))) static void
cost_lanes(const lanes *B, const tco_model *m, const plan *pl, double *npv, double *nominal,
           double (*cat)[LANES], double *gpus, double (*monthly)[LANES])
{
    if (pl->P >= 0)
        cost_lanes_as(B, m, pl, npv, nominal, cat, gpus, monthly, 1);
    else
        cost_lanes_as(B, m, pl, npv, nominal, cat, gpus, monthly, 0);
}

/* Whether f is costed by plain arithmetic on the plan: no exclusion (a
 * route that changes), no fixed monthly cost on an api backend that
 * serves, no failed setup, and a platform rented without a term. */
static int plain(const tco_future *f, const tco_model *m, const plan *pl)
{
    if (f->first_excl <= m->T)
        return 0;
    if (pl->P >= 0) {
        const tco_self_paths *d = f->paths[pl->P].data;
        if (f->paths[pl->P].setup_failed || d->owned || d->term)
            return 0;
    }
    for (size_t k = 0; k < m->K; k++) {
        int b = pl->route[k] == pl->P ? pl->F : pl->route[k];
        if (((const tco_api_paths *)f->paths[b].data)->fixed != 0)
            return 0;
    }
    return 1;
}

/* NF plain futures of the scenario's seed, from stream *id on, inputs
 * from independent uniforms of each future's stream (as make bench's
 * costing by strategy); returns the futures left out, or -1 when a
 * thousand times NF were left out. */
static long draw(tco_future **f, const tco_model *m, const plan *pl, double *x, double *u,
                 const tco_zig *zig, uint64_t *id)
{
    const tco_scenario *sc = m->sc;
    long skipped = 0;
    for (int i = 0; i < NF; i++) {
        for (;;) {
            tco_rng rng;
            tco_rng_seed(&rng, zig, sc->seed, (*id)++);
            for (size_t j = 0; j < sc->ndims; j++)
                u[j] = tco_rng_uniform(&rng);
            tco_sample_uncertain(sc, u, x, NULL);
            tco_future_draw(f[i], m, x, &rng, NULL);
            if (plain(f[i], m, pl))
                break;
            if (++skipped > 1000L * NF)
                return -1;
        }
    }
    return skipped;
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Checks and times strategy s (plan pl) of the scenario at path (see the
 * top of this file); 0 when every future checked has the same bits, else
 * 1. */
static int measure(const char *path, const tco_model *m, size_t s, const plan *pl, long reps)
{
    const tco_scenario *sc = m->sc;
    int rc = 1;
    const int T = m->T;
    const size_t D = sc->ndims;
    tco_future *f[NF] = {NULL};
    double *x = malloc((sc->ninputs + 1) * sizeof *x), *u = malloc((D + 1) * sizeof *u);
    lanes *B = malloc(NBATCH * sizeof *B);
    double(*rbuf)[TCO_MAX_WORKLOADS][TMAX][LANES] = malloc(NBATCH * sizeof *rbuf);
    double(*gbuf)[TCO_MAX_WORKLOADS][TMAX][LANES] = malloc(NBATCH * sizeof *gbuf);
    double(*qbuf)[TCO_MAX_WORKLOADS][TMAX][LANES] = malloc(NBATCH * sizeof *qbuf);
    double(*mon)[TMAX][LANES] = malloc(NBATCH * sizeof *mon);
    double *ref = malloc((size_t)T * NF * sizeof *ref), *qrow = malloc((size_t)T * LANES * sizeof *qrow);
    if (!x || !u || !B || !rbuf || !gbuf || !qbuf || !mon || !ref || !qrow) {
        fprintf(stderr, "batch: out of memory\n");
        goto out;
    }
    for (int i = 0; i < NBATCH; i++) {
        B[i].r = rbuf[i];
        B[i].ga = gbuf[i];
        B[i].qp = qbuf[i];
    }
    tco_zig zig;
    tco_zig_init(&zig);
    for (size_t j = 0; j < D; j++)
        u[j] = 0.5;
    tco_sample_inputs(sc, u, x, NULL);
    for (int i = 0; i < NF; i++)
        if (!(f[i] = tco_future_alloc(m))) {
            fprintf(stderr, "batch: out of memory\n");
            goto out;
        }
    /* The bits first, on CHECK_SETS sets of NF futures; the last set is
     * timed. */
    uint64_t id = 0;
    long skipped = 0, checked = 0, differ = 0;
    double npv[NBATCH][LANES], nom[NBATCH][LANES], cat[NBATCH][TCO_NCAT][LANES];
    double gpus[NBATCH][LANES];
    for (int set = 0; set < CHECK_SETS; set++) {
        long left = draw(f, m, pl, x, u, &zig, &id);
        if (left < 0) {
            fprintf(stderr, "batch: strategy %s: nearly every future of %s has an exclusion, a "
                            "fixed monthly cost, a failed setup, or owned or reserved GPUs\n", sc->strategies[s].name, path);
            goto out;
        }
        skipped += left;
        tco_cost c[NF];
        for (int i = 0; i < NF; i++)
            tco_future_cost(f[i], m, s, ref + (size_t)i * T, NULL, &c[i]);
        for (int b = 0; b < NBATCH; b++) {
            gather(&B[b], f + b * LANES, m, pl, qrow);
            cost_lanes(&B[b], m, pl, npv[b], nom[b], cat[b], gpus[b], mon[b]);
        }
        for (int i = 0; i < NF; i++) {
            int b = i / LANES, l = i % LANES;
            int ok = same(npv[b][l], c[i].npv) && same(nom[b][l], c[i].nominal) &&
                     same(gpus[b][l], c[i].gpus);
            for (int j = 0; j < TCO_NCAT; j++)
                ok = ok && same(cat[b][j][l], c[i].cat[j]);
            for (int t = 0; t < T; t++)
                ok = ok && same(mon[b][t][l], ref[(size_t)i * T + (size_t)t]);
            checked++;
            differ += !ok;
        }
    }
    double ts = 0, tg = 0, tl = 0;
    for (long rep = 0; rep < reps; rep++) {
        tco_cost c[NF];
        double c0 = cpu_seconds();
        for (int i = 0; i < NF; i++)
            tco_future_cost(f[i], m, s, ref + (size_t)i * T, NULL, &c[i]);
        double c1 = cpu_seconds();
        for (int b = 0; b < NBATCH; b++)
            gather(&B[b], f + b * LANES, m, pl, qrow);
        double c2 = cpu_seconds();
        for (int b = 0; b < NBATCH; b++)
            cost_lanes(&B[b], m, pl, npv[b], nom[b], cat[b], gpus[b], mon[b]);
        double c3 = cpu_seconds();
        ts += c1 - c0;
        tg += c2 - c1;
        tl += c3 - c2;
    }
    double per = 1e9 / ((double)reps * NF);
    printf("%s, strategy %s (%s): %d futures, %ld passes, one thread, CPU time\n", path,
           sc->strategies[s].name, pl->P >= 0 ? "a rented platform and api backends" :
                                                "api backends", NF, reps);
    printf("  tco_future_cost, one future at a time   %8.1f ns a future\n", ts * per);
    printf("  four futures in AVX2 lanes              %8.1f ns a future\n", tl * per);
    printf("    their months gathered into lanes      %8.1f ns a future\n", tg * per);
    printf("  lanes over one at a time                %8.2f x (%.2f x with the gather)\n",
           ts / tl, ts / (tl + tg));
    printf("  the same bits (NPV, nominal, categories, GPUs, monthly totals): %ld of %ld futures "
           "(%ld left out: an exclusion, a fixed cost or a failed setup)\n", checked - differ,
           checked, skipped);
    rc = differ ? 1 : 0;
out:
    for (int i = 0; i < NF; i++)
        tco_future_free(f[i]);
    free(x);
    free(u);
    free(B);
    free(rbuf);
    free(gbuf);
    free(qbuf);
    free(mon);
    free(ref);
    free(qrow);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: batch SCENARIO [STRATEGY [REPS]]\n");
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) {
        printf("batch: this processor has no AVX2; nothing measured\n");
        return 0;
    }
    tco_error err;
    tco_scenario *sc;
    tco_model *m;
    if (tco_scenario_load(&sc, argv[1], NULL, &err) != TCO_OK ||
        tco_model_alloc(&m, sc, &err) != TCO_OK) {
        fprintf(stderr, "batch: %s\n", err.msg);
        return 1;
    }
    long reps = argc > 3 ? atol(argv[3]) : 2000;
    size_t s = 0;
    plan pl;
    if (argc > 2) {
        while (s < sc->nstrategies && strcmp(sc->strategies[s].name, argv[2]) != 0)
            s++;
    } else {
        while (s < sc->nstrategies && !qualifies(m, s, &pl))
            s++;
    }
    int rc = 1;
    if (argc > 2 && s == sc->nstrategies) {
        fprintf(stderr, "batch: %s has no strategy %s\n", argv[1], argv[2]);
    } else if (s == sc->nstrategies || !qualifies(m, s, &pl)) {
        fprintf(stderr, "batch: %s%s%s costed by plain arithmetic (one route to api backends "
                        "without a failure-rate trend and at most one rented platform) in %s\n",
                argc > 2 ? "strategy " : "no strategy is", argc > 2 ? argv[2] : "",
                argc > 2 ? " is not" : "", argv[1]);
    } else if (m->T > TMAX || reps < 1) {
        fprintf(stderr, "batch: a horizon of at most %d months and at least one pass\n", TMAX);
    } else {
        rc = measure(argv[1], m, s, &pl, reps);
    }
    tco_model_free(m);
    tco_scenario_free(sc);
    return rc;
}
