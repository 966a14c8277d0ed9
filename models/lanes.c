/* Four futures costed at once in AVX2 lanes (lanes.h).  Each lane does the
 * operations of cost_direct (strategy.c) and tco_self_months
 * (backend_month.h) in their order, so that its results have their bits:
 * per month, each workload's price (index x requests x unit cost),
 * failure cost and load added to +0 in workload order; a rented
 * platform's GPUs from its load (the ceiling of load x peak / capacity,
 * at least its minimum), its compute, its staff (the base alone before
 * production), its setup cost in month 1 and its operations; then the
 * month's total over the categories in their order, then the NPV, the
 * nominal sum and the discounted categories month by month.  Before a
 * lane's platform is in production its workloads go to the fallback and
 * the platform's categories hold +0, selected by a mask.  A category the
 * strategy does not write holds +0 in cost_direct and is left out here:
 * it adds nothing to a sum begun at +0 (book_months).
 *
 * The futures are drawn one at a time (tco_future_draw), each month of a
 * path after the one before; the lanes want month t of the four futures
 * side by side, so their rows are transposed in AVX2 registers, four
 * months at a time: the requests, the one-off costs and the value once a
 * group, each backend's price index once a group for every strategy that
 * reads it, and the rest for each strategy.
 *
 * Built for the build's processor baseline like the rest of the library:
 * the functions that use AVX2 say so (target("avx2")), and tco_lanes_alloc
 * returns NULL on a processor without it. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "lanes.h"
#include "model_impl.h"

#define L4 TCO_LANES

/* A strategy's costing in lanes: the platform P its route reaches (-1:
 * none), the fallback F that serves P's workloads before production, and
 * for each workload k the api backend that serves it while it is not on
 * the platform, ab[k] (its route, or F; -1 for none), whether it goes to
 * P, onP[k], whether ab[k]'s failure costs vary by month, trA[k], and
 * whether it goes unserved before production (MODEL.md 15: no fallback
 * it may use), unsv[k]; uns: some workload does. */
typedef struct {
    int ok, P, F, trP, uns;
    int *ab;
    unsigned char *onP, *trA, *unsv;
} plan;

struct tco_lanes {
    const tco_model *m;
    size_t K, B;
    int T;
    plan *pl;         /* S */
    int *ab;          /* S x K */
    unsigned char *flags; /* S x K x 2 */
    tco_future *f[L4];
    /* Month t of lane l at [t][l]: the requests of workload k from
     * R[k * T], the one-off costs, the value, each slotted backend's
     * index from idx[slot[b] * T] (gathered in the group stamp[slot]),
     * and the strategy's own: failure costs by month of the api
     * backends (qa[k * T]) and of the platform (qp[k * T]), the
     * platform's staff cost and operations, and the monthly totals. */
    double (*R)[L4], (*ev)[L4], (*va)[L4], (*idx)[L4], (*qa)[L4], (*qp)[L4];
    double (*staff)[L4], (*ops)[L4], (*mon)[L4];
    int *slot;
    unsigned *stamp, group;
    /* The strategy's per-workload values in lanes: workload k's unit
     * cost on ab[k], its unit load on the platform, and its failure cost
     * on each when it does not vary by month, at [k]. */
    double (*uc)[L4], (*ul)[L4], (*qac)[L4], (*qpc)[L4];
    /* With unserved requests: workload k's unserved cost, value and
     * tokens per request, at [k]. */
    double (*ucu)[L4], (*val)[L4], (*tok)[L4];
};

/* The api backend (built-in type) b: not a table, not a platform. */
static int is_api(const tco_scenario *sc, int b)
{
    return b >= 0 && sc->backends[b].type == &tco_backend_api;
}

static void make_plan(tco_lanes *L, size_t s, plan *p)
{
    const tco_model *m = L->m;
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const size_t K = m->K;
    p->ok = 0;
    p->P = -1;
    p->F = st->fallback;
    p->trP = 0;
    p->uns = 0;
    p->ab = L->ab + s * K;
    p->onP = L->flags + s * K * 3;
    p->trA = p->onP + K;
    p->unsv = p->trA + K;
    if (st->review || st->switch_kind != TCO_SWITCH_NONE || st->nphases != 1 ||
        st->retire_idle || !m->discount_finite)
        return;
    /* Every backend the strategy can reach of a built-in type (cost_direct). */
    const int *use = m->use + s * m->B;
    for (size_t j = 0; j < m->nuse[s]; j++) {
        const tco_backend_type *ty = sc->backends[use[j]].type;
        if (ty != &tco_backend_api && ty != &tco_backend_selfhost)
            return;
    }
    const int *route = st->phases[0].route;
    for (size_t k = 0; k < K; k++) {
        int b = route[k];
        p->onP[k] = p->unsv[k] = p->trA[k] = 0;
        if (is_api(sc, b)) {
            p->ab[k] = b;
        } else {
            if (sc->backends[b].type != &tco_backend_selfhost || (p->P >= 0 && p->P != b))
                return;
            p->P = b;
            p->onP[k] = 1;
            /* Before production: served by the fallback when there is one
             * the workload may use (an api backend here), else unserved. */
            const unsigned char *allowed = sc->workloads[k].allowed;
            if (p->F < 0 || (allowed && !allowed[p->F])) {
                p->unsv[k] = 1;
                p->uns = 1;
                p->ab[k] = -1;
                continue;
            }
            if (!is_api(sc, p->F))
                return;
            p->ab[k] = p->F;
        }
        p->trA[k] = m->trended[p->ab[k]];
    }
    if (p->P >= 0)
        p->trP = m->trended[p->P];
    p->ok = 1;
}

size_t tco_lanes_bytes(size_t K, size_t B, int T)
{
    const size_t rows = 3 * K + B + 5, per = (size_t)T * L4 * sizeof(double);
    return sizeof(tco_lanes) + rows * per + 7 * K * L4 * sizeof(double) +
           B * (sizeof(int) + sizeof(unsigned));
}

tco_lanes *tco_lanes_alloc(const tco_model *m)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2"))
        return NULL;
    const size_t K = m->K, B = m->B, S = m->S, T = (size_t)m->T;
    tco_lanes *L = calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->m = m;
    L->K = K;
    L->B = B;
    L->T = m->T;
    L->pl = calloc(S ? S : 1, sizeof *L->pl);
    L->ab = calloc(S * K + 1, sizeof *L->ab);
    L->flags = calloc(S * K * 3 + 1, 1);
    L->slot = malloc((B ? B : 1) * sizeof *L->slot);
    if (!L->pl || !L->ab || !L->flags || !L->slot)
        goto fail;
    int any = 0;
    size_t nslot = 0;
    for (size_t b = 0; b < B; b++)
        L->slot[b] = -1;
    for (size_t s = 0; s < S; s++) {
        make_plan(L, s, &L->pl[s]);
        if (!L->pl[s].ok)
            continue;
        any = 1;
        for (size_t k = 0; k < K; k++)
            if (L->pl[s].ab[k] >= 0 && L->slot[L->pl[s].ab[k]] < 0)
                L->slot[L->pl[s].ab[k]] = (int)nslot++;
        if (L->pl[s].P >= 0 && L->slot[L->pl[s].P] < 0)
            L->slot[L->pl[s].P] = (int)nslot++;
    }
    if (!any)
        goto fail;
    const size_t row = T * sizeof *L->R;
    L->R = malloc(K * row);
    L->ev = malloc(row);
    L->va = malloc(row);
    L->idx = malloc(nslot * row);
    L->qa = malloc(K * row);
    L->qp = malloc(K * row);
    L->staff = malloc(row);
    L->ops = malloc(row);
    L->mon = malloc(row);
    L->stamp = calloc(nslot, sizeof *L->stamp);
    L->uc = malloc(K * sizeof *L->uc);
    L->ul = malloc(K * sizeof *L->ul);
    L->qac = malloc(K * sizeof *L->qac);
    L->qpc = malloc(K * sizeof *L->qpc);
    L->ucu = malloc(K * sizeof *L->ucu);
    L->val = malloc(K * sizeof *L->val);
    L->tok = malloc(K * sizeof *L->tok);
    if (!L->R || !L->ev || !L->va || !L->idx || !L->qa || !L->qp || !L->staff || !L->ops ||
        !L->mon || !L->stamp || !L->uc || !L->ul || !L->qac || !L->qpc || !L->ucu || !L->val ||
        !L->tok)
        goto fail;
    return L;
fail:
    tco_lanes_free(L);
    return NULL;
}

void tco_lanes_free(tco_lanes *L)
{
    if (!L)
        return;
    free(L->pl);
    free(L->ab);
    free(L->flags);
    free(L->slot);
    free(L->R);
    free(L->ev);
    free(L->va);
    free(L->idx);
    free(L->qa);
    free(L->qp);
    free(L->staff);
    free(L->ops);
    free(L->mon);
    free(L->stamp);
    free(L->uc);
    free(L->ul);
    free(L->qac);
    free(L->qpc);
    free(L->ucu);
    free(L->val);
    free(L->tok);
    free(L);
}

int tco_lanes_strategy(const tco_lanes *L, size_t s)
{
    return L && L->pl[s].ok;
}

int tco_lanes_plain(const tco_lanes *L, const tco_future *f, size_t s)
{
    const plan *p = &L->pl[s];
    if (f->first_excl <= L->T)
        return 0;
    if (p->P >= 0) {
        const tco_backend_paths *q = &f->paths[p->P];
        const tco_self_paths *d = q->data;
        if (q->setup_failed || q->setup < 0 || d->owned)
            return 0;
    }
    for (size_t k = 0; k < L->K; k++)
        if (p->ab[k] >= 0 && (((const tco_api_paths *)f->paths[p->ab[k]].data)->fixed != 0 ||
                              !f->paths[p->ab[k]].priced))
            return 0;
    return 1;
}

/* dst[t][l] = src[l][t], t < T: four rows into lanes, four months at a
 * time transposed in AVX2 registers. */
__attribute__((target("avx2"))) static void rows_to_lanes(double (*dst)[L4],
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
        for (int l = 0; l < L4; l++)
            dst[t][l] = src[l][t];
}

void tco_lanes_group(tco_lanes *L, tco_future *const *f)
{
    const size_t K = L->K, T = (size_t)L->T;
    const double *src[L4];
    memcpy(L->f, f, sizeof L->f);
    L->group++;
    for (size_t k = 0; k < K; k++) {
        for (int l = 0; l < L4; l++)
            src[l] = f[l]->R + k * T;
        rows_to_lanes(L->R + k * T, src, T);
    }
    /* +0 in every month without a one-off cost (oneoff holds +0 then). */
    for (int l = 0; l < L4; l++)
        src[l] = f[l]->oneoff;
    rows_to_lanes(L->ev, src, T);
    if (L->m->valued) {
        for (int l = 0; l < L4; l++)
            src[l] = f[l]->value;
        rows_to_lanes(L->va, src, T);
    } else {
        memset(L->va, 0, T * sizeof *L->va);
    }
}

/* Backend b's price index in lanes, gathered once a group. */
static const double (*index_rows(tco_lanes *L, int b))[L4]
{
    const size_t T = (size_t)L->T;
    const int j = L->slot[b];
    double(*dst)[L4] = L->idx + (size_t)j * T;
    if (L->stamp[j] != L->group) {
        const double *src[L4];
        for (int l = 0; l < L4; l++)
            src[l] = L->f[l]->paths[b].index;
        rows_to_lanes(dst, src, T);
        L->stamp[j] = L->group;
    }
    return (const double(*)[L4])dst;
}

/* Workload k's failure costs on backend b by month (a failure-rate
 * trend: tco_future.qual_month) into dst. */
static void fail_rows(tco_lanes *L, int b, size_t k, double (*dst)[L4])
{
    const size_t K = L->K, T = (size_t)L->T;
    const double *src[L4];
    for (int l = 0; l < L4; l++)
        src[l] = L->f[l]->qual_month + ((size_t)b * K + k) * T;
    rows_to_lanes(dst, src, T);
}

/* Whether category j can be written: prices, failures, events and value,
 * and with a platform its compute, staff, setup and operations. */
static inline int writes(int j, int plat)
{
    return j == TCO_CAT_API || j == TCO_CAT_QUALITY || j == TCO_CAT_EVENTS ||
           j == TCO_CAT_VALUE ||
           (plat && (j == TCO_CAT_COMPUTE || j == TCO_CAT_STAFF || j == TCO_CAT_SETUP ||
                     j == TCO_CAT_OPERATIONS));
}

/* The costing of one strategy in lanes (plat: it has a platform). */
static inline __attribute__((always_inline, target("avx2"))) void
cost_as(tco_lanes *L, const plan *p, const double (*const *ga)[L4], const double (*gp)[L4],
        double *npv, double *nominal, double (*cat)[L4], double *gpus, double *unserved,
        double *served, const int plat, const int term, const int uns)
{
    const tco_model *m = L->m;
    const size_t K = L->K, T = (size_t)L->T;
    const __m256d zero = _mm256_setzero_pd();
    __m256d prod = zero, hour = zero, peak = zero, den = zero, gmin = zero, base = zero,
            per = zero, setup = zero;
    /* A reserved term (tco_self_months): its length, the GPUs it holds,
     * its price per GPU-hour; the running term's first month (none: the
     * first month in production starts one) and its monthly cost. */
    __m256d tlen = zero, held = zero, rhour = zero, tstart = _mm256_set1_pd(-1e300),
            tcost = zero;
    if (term) {
        double v[3][L4];
        for (int l = 0; l < L4; l++) {
            const tco_self_paths *d = L->f[l]->paths[p->P].data;
            v[0][l] = d->term;
            v[1][l] = d->reserved;
            v[2][l] = d->reserved_hour;
        }
        tlen = _mm256_loadu_pd(v[0]);
        held = _mm256_loadu_pd(v[1]);
        rhour = _mm256_loadu_pd(v[2]);
    }
    if (plat) {
        double v[8][L4];
        for (int l = 0; l < L4; l++) {
            const tco_backend_paths *q = &L->f[l]->paths[p->P];
            const tco_self_paths *d = q->data;
            /* Adopted in month 1 (the route's first month), in production
             * from month 1 + setup (tco_self_months: staffed). */
            v[0][l] = 1 + (double)q->setup;
            v[1][l] = d->hour;
            v[2][l] = d->peak;
            v[3][l] = d->den;
            v[4][l] = d->min_gpus;
            v[5][l] = d->base_fte;
            v[6][l] = d->per_gpu_fte;
            v[7][l] = d->setup_cost;
        }
        prod = _mm256_loadu_pd(v[0]);
        hour = _mm256_loadu_pd(v[1]);
        peak = _mm256_loadu_pd(v[2]);
        den = _mm256_loadu_pd(v[3]);
        gmin = _mm256_loadu_pd(v[4]);
        base = _mm256_loadu_pd(v[5]);
        per = _mm256_loadu_pd(v[6]);
        setup = _mm256_loadu_pd(v[7]);
    }
    __m256d n = zero, s = zero, k[TCO_NCAT], gpu = zero, unsd = zero, srvd = zero;
    for (int j = 0; j < TCO_NCAT; j++)
        k[j] = zero;
    const __m256d hpm = _mm256_set1_pd(TCO_HOURS_PER_MONTH);
    for (size_t t = 0; t < T; t++) {
        /* In production in month t + 1 (all ones), or not (zero). */
        const __m256d on = plat ? _mm256_cmp_pd(_mm256_set1_pd((double)t + 1), prod, _CMP_GE_OQ)
                                : zero;
        __m256d api = zero, ql = zero, load = zero, rec = zero;
        for (size_t j = 0; j < K; j++) {
            const __m256d r = _mm256_loadu_pd(L->R[j * T + t]);
            if (uns && p->unsv[j]) {
                /* Unserved before production (its cost in the quality
                 * category, no failure cost, no value), then on the
                 * platform.  Of the requests served and unserved, each
                 * month adds to one sum and +0 to the other. */
                const __m256d qp = _mm256_loadu_pd(p->trP ? L->qp[j * T + t] : L->qpc[j]);
                ql = _mm256_add_pd(ql, _mm256_blendv_pd(_mm256_mul_pd(r, _mm256_loadu_pd(L->ucu[j])),
                                                        _mm256_mul_pd(r, qp), on));
                load = _mm256_add_pd(
                    load, _mm256_and_pd(on, _mm256_mul_pd(r, _mm256_loadu_pd(L->ul[j]))));
                unsd = _mm256_add_pd(unsd, _mm256_andnot_pd(on, r));
                srvd = _mm256_add_pd(srvd,
                                     _mm256_and_pd(on, _mm256_mul_pd(r, _mm256_loadu_pd(L->tok[j]))));
                continue;
            }
            if (uns) {
                /* Served every month: the value of a month with requests
                 * unserved is that of the requests served, from 0. */
                rec = _mm256_sub_pd(rec, _mm256_mul_pd(r, _mm256_loadu_pd(L->val[j])));
                srvd = _mm256_add_pd(srvd, _mm256_mul_pd(r, _mm256_loadu_pd(L->tok[j])));
            }
            const __m256d price = _mm256_mul_pd(_mm256_mul_pd(_mm256_loadu_pd(ga[j][t]), r),
                                                _mm256_loadu_pd(L->uc[j]));
            const __m256d qa = _mm256_loadu_pd(p->trA[j] ? L->qa[j * T + t] : L->qac[j]);
            const __m256d fail = _mm256_mul_pd(r, qa);
            if (!plat || !p->onP[j]) {
                api = _mm256_add_pd(api, price);
                ql = _mm256_add_pd(ql, fail);
                continue;
            }
            const __m256d qp = _mm256_loadu_pd(p->trP ? L->qp[j * T + t] : L->qpc[j]);
            api = _mm256_add_pd(api, _mm256_andnot_pd(on, price));
            ql = _mm256_add_pd(ql, _mm256_blendv_pd(fail, _mm256_mul_pd(r, qp), on));
            load = _mm256_add_pd(load,
                                 _mm256_and_pd(on, _mm256_mul_pd(r, _mm256_loadu_pd(L->ul[j]))));
        }
        __m256d v[TCO_NCAT];
        for (int j = 0; j < TCO_NCAT; j++)
            v[j] = zero;
        v[TCO_CAT_API] = api;
        v[TCO_CAT_QUALITY] = ql;
        v[TCO_CAT_EVENTS] = _mm256_loadu_pd(L->ev[t]);
        v[TCO_CAT_VALUE] = _mm256_loadu_pd(L->va[t]);
        if (uns)
            v[TCO_CAT_VALUE] = _mm256_blendv_pd(rec, v[TCO_CAT_VALUE], on);
        if (plat) {
            /* need = ceil(load x peak / den); n = need > min ? need : min
             * (MAXPD's operand order gives the same for a NaN). */
            const __m256d need =
                _mm256_round_pd(_mm256_div_pd(_mm256_mul_pd(load, peak), den),
                                _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
            const __m256d g = _mm256_max_pd(need, gmin), gt = _mm256_loadu_pd(gp[t]);
            const __m256d st = _mm256_loadu_pd(L->staff[t]);
            if (term) {
                /* A term starts in production when none is running, its
                 * cost locked at the month's index; the GPUs beyond it
                 * are paid by the hour: max(0, n - reserved) as
                 * tco_self_months has it (0 for a NaN). */
                const __m256d month = _mm256_set1_pd((double)t + 1);
                const __m256d renew = _mm256_andnot_pd(
                    _mm256_cmp_pd(month, _mm256_add_pd(tstart, tlen), _CMP_LT_OQ), on);
                tstart = _mm256_blendv_pd(tstart, month, renew);
                tcost = _mm256_blendv_pd(
                    tcost, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(held, hpm), rhour), gt),
                    renew);
                const __m256d beyond = _mm256_sub_pd(g, held);
                const __m256d paid = _mm256_and_pd(_mm256_cmp_pd(beyond, zero, _CMP_GT_OQ), beyond);
                v[TCO_CAT_COMPUTE] = _mm256_and_pd(
                    on, _mm256_add_pd(_mm256_add_pd(zero, tcost),
                                      _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(paid, hpm), hour),
                                                    gt)));
            } else {
                v[TCO_CAT_COMPUTE] = _mm256_and_pd(
                    on, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(g, hpm), hour), gt));
            }
            v[TCO_CAT_STAFF] = _mm256_blendv_pd(
                _mm256_mul_pd(base, st), _mm256_mul_pd(_mm256_add_pd(base, _mm256_mul_pd(g, per)), st),
                on);
            v[TCO_CAT_OPERATIONS] = _mm256_and_pd(on, _mm256_loadu_pd(L->ops[t]));
            if (t == 0)
                v[TCO_CAT_SETUP] = setup;
            gpu = _mm256_and_pd(on, g);
        }
        /* The categories the strategy can write, in their order. */
        __m256d tot = zero;
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat))
                tot = _mm256_add_pd(tot, v[j]);
        const __m256d d = _mm256_set1_pd(m->discount[t]);
        n = _mm256_add_pd(n, _mm256_mul_pd(d, tot));
        s = _mm256_add_pd(s, tot);
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat))
                k[j] = _mm256_add_pd(k[j], _mm256_mul_pd(d, v[j]));
        _mm256_storeu_pd(L->mon[t], tot);
    }
    _mm256_storeu_pd(npv, n);
    _mm256_storeu_pd(nominal, s);
    for (int j = 0; j < TCO_NCAT; j++)
        _mm256_storeu_pd(cat[j], k[j]);
    _mm256_storeu_pd(gpus, gpu);
    _mm256_storeu_pd(unserved, unsd);
    _mm256_storeu_pd(served, srvd);
}

__attribute__((target("avx2"))) static void cost_lanes(tco_lanes *L, const plan *p,
                                                       const double (*const *ga)[L4],
                                                       const double (*gp)[L4], double *npv,
                                                       double *nominal, double (*cat)[L4],
                                                       double *gpus, double *unserved,
                                                       double *served)
{
#define COST(plat, term, uns)                                                                   \
    cost_as(L, p, ga, gp, npv, nominal, cat, gpus, unserved, served, plat, term, uns)
    if (p->P < 0)
        COST(0, 0, 0);
    else if (((const tco_self_paths *)L->f[0]->paths[p->P].data)->term)
        p->uns ? COST(1, 1, 1) : COST(1, 1, 0);
    else
        p->uns ? COST(1, 0, 1) : COST(1, 0, 0);
#undef COST
}

/* The price indices read, as cost_direct records them: 0 for every
 * backend the strategy can reach, then for each span of months (before
 * and from the platform's production) the span's last month for each
 * priced backend that serves in it; the platform's last month. */
static void reads(const tco_lanes *L, const plan *p, size_t s, const tco_future *f)
{
    const tco_model *m = L->m;
    if (!f->last_read || f->masked)
        return;
    int *read = f->last_read + s * m->B;
    const int *use = m->use + s * m->B;
    const int T = L->T;
    for (size_t j = 0; j < m->nuse[s]; j++)
        read[use[j]] = 0;
    const int prod = p->P >= 0 ? 1 + f->paths[p->P].setup : 1;
    for (size_t k = 0; k < L->K; k++) {
        int b = p->ab[k];
        if (b < 0 || !f->paths[b].priced) /* unserved before production */
            continue;
        /* Before production (months 1 .. prod - 1) or throughout. */
        int last = !p->onP[k] ? T : prod - 1 < T ? prod - 1 : T;
        if (last > read[b])
            read[b] = last;
    }
    if (p->P >= 0)
        read[p->P] = T;
}

void tco_lanes_cost(tco_lanes *L, size_t s, double *const *monthly, tco_cost *out)
{
    const plan *p = &L->pl[s];
    const size_t K = L->K, T = (size_t)L->T;
    const double(*ga[TCO_MAX_WORKLOADS])[L4];
    const tco_scenario *sc = L->m->sc;
    for (size_t k = 0; k < K; k++) {
        const int a = p->ab[k], P = p->P;
        ga[k] = a >= 0 ? index_rows(L, a) : NULL;
        for (int l = 0; l < L4; l++) {
            const tco_future *f = L->f[l];
            const tco_workload *w = &sc->workloads[k];
            if (a >= 0) {
                L->uc[k][l] = f->paths[a].unit_cost[k];
                L->qac[k][l] = f->qual[(size_t)a * K + k];
            }
            if (p->onP[k]) {
                L->ul[k][l] = f->paths[P].unit_load[k];
                L->qpc[k][l] = f->qual[(size_t)P * K + k];
            }
            if (p->uns) {
                L->ucu[k][l] = p->unsv[k] ? f->x[w->unserved_cost] : 0;
                L->val[k][l] = tco_workload_value(sc, f->x, k);
                L->tok[k][l] = f->x[w->input_tokens] + f->x[w->output_tokens];
            }
        }
        if (a >= 0 && p->trA[k])
            fail_rows(L, a, k, L->qa + k * T);
        if (p->onP[k] && p->trP)
            fail_rows(L, P, k, L->qp + k * T);
    }
    const double(*gp)[L4] = NULL;
    if (p->P >= 0) {
        const double *st[L4], *op[L4];
        gp = index_rows(L, p->P);
        for (int l = 0; l < L4; l++) {
            const tco_self_paths *d = L->f[l]->paths[p->P].data;
            st[l] = d->staff;
            op[l] = d->ops;
        }
        rows_to_lanes(L->staff, st, T);
        rows_to_lanes(L->ops, op, T);
    }
    double npv[L4], nominal[L4], cat[TCO_NCAT][L4], gpus[L4], unserved[L4], served[L4];
    cost_lanes(L, p, ga, gp, npv, nominal, cat, gpus, unserved, served);
    for (int l = 0; l < L4; l++) {
        const tco_future *f = L->f[l];
        tco_cost *c = &out[l];
        memset(c, 0, sizeof *c);
        c->npv = npv[l];
        c->nominal = nominal[l];
        for (int j = 0; j < TCO_NCAT; j++)
            c->cat[j] = cat[j][l];
        c->tokens = f->tokens;
        /* With requests unserved in some month (before production), the
         * requests unserved, and the tokens of those served when some
         * were unserved (cost_direct). */
        if (p->uns && 1 + f->paths[p->P].setup > 1) {
            c->unserved = unserved[l];
            if (unserved[l] > 0)
                c->tokens = served[l];
        }
        c->gpus = 0 + gpus[l];
        for (size_t t = 0; t < T; t++)
            monthly[l][t] = L->mon[t][l];
        reads(L, p, s, f);
    }
}
