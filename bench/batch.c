/* make bench-batch: what costing four futures at once could buy (issue 11:
 * "50x needs the costing and the paths computed across batches of
 * futures").  A measurement, not a part of the engine.
 *
 * For a strategy whose every route reaches api backends only (one phase,
 * no switch, review or retirement; no fixed monthly cost, no failure-rate
 * trend), the months of four futures are costed in the four lanes of AVX2
 * registers, each lane doing the operations of cost_direct
 * (models/strategy.c) in its order: per month, each workload's price
 * (index x requests x unit cost) and failure cost added to +0 in workload
 * order, then the month's total over the categories in their order, then
 * the NPV, the nominal sum and the discounted categories month by month.
 * A category the strategy does not write holds +0, which changes no bit
 * of these sums (strategy.c, book_months).  Every future's NPV, nominal
 * sum, categories and monthly totals are compared, bit for bit, with
 * tco_future_cost's; futures with an exclusion (a route that changes) or
 * a fixed monthly cost on a backend routed to are left out.
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

/* Whether strategy s's costing can be plain arithmetic: one route to api
 * backends without a failure-rate trend (plain, below, checks each
 * future). */
static int qualifies(const tco_model *m, size_t s)
{
    const tco_strategy *st = &m->sc->strategies[s];
    if (st->review || st->switch_kind != TCO_SWITCH_NONE || st->nphases != 1 ||
        st->retire_idle || m->K > TCO_MAX_WORKLOADS)
        return 0;
    for (size_t k = 0; k < m->K; k++) {
        const tco_backend *be = &m->sc->backends[st->phases[0].route[k]];
        if (be->type != &tco_backend_api || m->trended[st->phases[0].route[k]])
            return 0;
    }
    return 1;
}

/* Four futures' inputs to the costing, month t of lane l at [t][l]. */
typedef struct {
    double uc[TCO_MAX_WORKLOADS][LANES], q[TCO_MAX_WORKLOADS][LANES];
    double (*r)[TMAX][LANES], (*g)[TMAX][LANES];
    double ev[TMAX][LANES], va[TMAX][LANES];
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

/* The four futures' inputs to the costing into lanes. */
static void gather(lanes *B, tco_future *const *f, const tco_model *m, const int *route)
{
    const size_t K = m->K, T = (size_t)m->T;
    const double *r[LANES], *g[LANES], *ev[LANES], *va[LANES];
    for (size_t k = 0; k < K; k++) {
        for (int l = 0; l < LANES; l++) {
            const tco_future *F = f[l];
            const tco_backend_paths *p = &F->paths[route[k]];
            B->uc[k][l] = p->unit_cost[k];
            B->q[k][l] = F->qual[(size_t)route[k] * K + k];
            r[l] = F->R + k * T;
            g[l] = p->index;
        }
        rows_to_lanes(B->r[k], r, T);
        rows_to_lanes(B->g[k], g, T);
    }
    for (int l = 0; l < LANES; l++) {
        ev[l] = f[l]->any_oneoff ? f[l]->oneoff : zeros;
        va[l] = m->valued ? f[l]->value : zeros;
    }
    rows_to_lanes(B->ev, ev, T);
    rows_to_lanes(B->va, va, T);
}

/* The costing of four futures: npv, nominal, categories (api, quality,
 * events, value) and monthly totals, lane l of each at [l]. */
__attribute__((target("avx2"))) static void
cost_lanes(const lanes *B, const tco_model *m, double *npv, double *nominal, double (*cat)[LANES],
           double (*monthly)[LANES])
{
    const size_t K = m->K;
    const int T = m->T;
    __m256d n = _mm256_setzero_pd(), s = n, ka = n, kq = n, ke = n, kv = n;
    for (int t = 0; t < T; t++) {
        __m256d api = _mm256_setzero_pd(), ql = api;
        for (size_t k = 0; k < K; k++) {
            __m256d r = _mm256_loadu_pd(B->r[k][t]);
            api = _mm256_add_pd(api, _mm256_mul_pd(_mm256_mul_pd(_mm256_loadu_pd(B->g[k][t]), r),
                                                   _mm256_loadu_pd(B->uc[k])));
            ql = _mm256_add_pd(ql, _mm256_mul_pd(r, _mm256_loadu_pd(B->q[k])));
        }
        __m256d ev = _mm256_loadu_pd(B->ev[t]), va = _mm256_loadu_pd(B->va[t]);
        __m256d tot = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(api, ql), ev), va);
        __m256d d = _mm256_set1_pd(m->discount[t]);
        n = _mm256_add_pd(n, _mm256_mul_pd(d, tot));
        s = _mm256_add_pd(s, tot);
        ka = _mm256_add_pd(ka, _mm256_mul_pd(d, api));
        kq = _mm256_add_pd(kq, _mm256_mul_pd(d, ql));
        ke = _mm256_add_pd(ke, _mm256_mul_pd(d, ev));
        kv = _mm256_add_pd(kv, _mm256_mul_pd(d, va));
        _mm256_storeu_pd(monthly[t], tot);
    }
    _mm256_storeu_pd(npv, n);
    _mm256_storeu_pd(nominal, s);
    _mm256_storeu_pd(cat[0], ka);
    _mm256_storeu_pd(cat[1], kq);
    _mm256_storeu_pd(cat[2], ke);
    _mm256_storeu_pd(cat[3], kv);
}

/* Whether f is costed by plain arithmetic on route: no exclusion (a
 * route that changes) and no fixed monthly cost on a backend routed to. */
static int plain(const tco_future *f, const tco_model *m, const int *route)
{
    if (f->first_excl <= m->T)
        return 0;
    for (size_t k = 0; k < m->K; k++)
        if (((const tco_api_paths *)f->paths[route[k]].data)->fixed != 0)
            return 0;
    return 1;
}

/* NF plain futures of the scenario's seed, from stream *id on, inputs
 * from independent uniforms of each future's stream (as make bench's
 * costing by strategy); returns the futures left out, or -1 when a
 * thousand times NF were left out. */
static long draw(tco_future **f, const tco_model *m, const int *route, double *x, double *u,
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
            if (plain(f[i], m, route))
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

/* Checks and times strategy s of the scenario at path (see the top of
 * this file); 0 when every future checked has the same bits, else 1. */
static int measure(const char *path, const tco_model *m, size_t s, long reps)
{
    const tco_scenario *sc = m->sc;
    int rc = 1;
    const int T = m->T, *route = sc->strategies[s].phases[0].route;
    const size_t D = sc->ndims;
    tco_future *f[NF] = {NULL};
    double *x = malloc((sc->ninputs + 1) * sizeof *x), *u = malloc((D + 1) * sizeof *u);
    lanes *B = malloc(NBATCH * sizeof *B);
    double(*rbuf)[TCO_MAX_WORKLOADS][TMAX][LANES] = malloc(NBATCH * sizeof *rbuf);
    double(*gbuf)[TCO_MAX_WORKLOADS][TMAX][LANES] = malloc(NBATCH * sizeof *gbuf);
    double(*mon)[TMAX][LANES] = malloc(NBATCH * sizeof *mon), *ref = malloc((size_t)T * NF * sizeof *ref);
    if (!x || !u || !B || !rbuf || !gbuf || !mon || !ref) {
        fprintf(stderr, "batch: out of memory\n");
        goto out;
    }
    for (int i = 0; i < NBATCH; i++) {
        B[i].r = rbuf[i];
        B[i].g = gbuf[i];
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
    for (int set = 0; set < CHECK_SETS; set++) {
        long left = draw(f, m, route, x, u, &zig, &id);
        if (left < 0) {
            fprintf(stderr, "batch: strategy %s: nearly every future of %s has an exclusion or "
                            "a fixed monthly cost on its route\n", sc->strategies[s].name, path);
            goto out;
        }
        skipped += left;
        tco_cost c[NF];
        double npv[NBATCH][LANES], nom[NBATCH][LANES], cat[NBATCH][4][LANES];
        for (int i = 0; i < NF; i++)
            tco_future_cost(f[i], m, s, ref + (size_t)i * T, NULL, &c[i]);
        for (int b = 0; b < NBATCH; b++) {
            gather(&B[b], f + b * LANES, m, route);
            cost_lanes(&B[b], m, npv[b], nom[b], cat[b], mon[b]);
        }
        for (int i = 0; i < NF; i++) {
            int b = i / LANES, l = i % LANES, ok = same(npv[b][l], c[i].npv) &&
                                                   same(nom[b][l], c[i].nominal) &&
                                                   same(cat[b][0][l], c[i].cat[TCO_CAT_API]) &&
                                                   same(cat[b][1][l], c[i].cat[TCO_CAT_QUALITY]) &&
                                                   same(cat[b][2][l], c[i].cat[TCO_CAT_EVENTS]) &&
                                                   same(cat[b][3][l], c[i].cat[TCO_CAT_VALUE]);
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
            gather(&B[b], f + b * LANES, m, route);
        double c2 = cpu_seconds();
        double npv[NBATCH][LANES], nom[NBATCH][LANES], cat[NBATCH][4][LANES];
        for (int b = 0; b < NBATCH; b++)
            cost_lanes(&B[b], m, npv[b], nom[b], cat[b], mon[b]);
        double c3 = cpu_seconds();
        ts += c1 - c0;
        tg += c2 - c1;
        tl += c3 - c2;
    }
    double per = 1e9 / ((double)reps * NF);
    printf("%s, strategy %s: %d futures, %ld passes, one thread, CPU time\n", path,
           sc->strategies[s].name, NF, reps);
    printf("  tco_future_cost, one future at a time   %8.1f ns a future\n", ts * per);
    printf("  four futures in AVX2 lanes              %8.1f ns a future\n", tl * per);
    printf("    their months gathered into lanes      %8.1f ns a future\n", tg * per);
    printf("  lanes over one at a time                %8.2f x (%.2f x with the gather)\n",
           ts / tl, ts / (tl + tg));
    printf("  the same bits (NPV, nominal, categories, monthly totals): %ld of %ld futures "
           "(%ld left out: an exclusion or a fixed cost)\n", checked - differ, checked, skipped);
    rc = differ ? 1 : 0;
out:
    for (int i = 0; i < NF; i++)
        tco_future_free(f[i]);
    free(x);
    free(u);
    free(B);
    free(rbuf);
    free(gbuf);
    free(mon);
    free(ref);
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
    if (argc > 2) {
        while (s < sc->nstrategies && strcmp(sc->strategies[s].name, argv[2]) != 0)
            s++;
    } else {
        while (s < sc->nstrategies && !qualifies(m, s))
            s++;
    }
    int rc = 1;
    if (argc > 2 && s == sc->nstrategies) {
        fprintf(stderr, "batch: %s has no strategy %s\n", argv[1], argv[2]);
    } else if (s == sc->nstrategies || !qualifies(m, s)) {
        fprintf(stderr, "batch: %s%s%s costed by plain arithmetic (one route to api backends "
                        "without a failure-rate trend) in %s\n",
                argc > 2 ? "strategy " : "no strategy is", argc > 2 ? argv[2] : "",
                argc > 2 ? " is not" : "", argv[1]);
    } else if (m->T > TMAX || reps < 1) {
        fprintf(stderr, "batch: a horizon of at most %d months and at least one pass\n", TMAX);
    } else {
        rc = measure(argv[1], m, s, reps);
    }
    tco_model_free(m);
    tco_scenario_free(sc);
    return rc;
}
