/* Four futures costed at once in AVX2 lanes (lanes.h).  Each lane does the
 * operations of cost_direct (strategy.c) and tco_self_months
 * (backend_month.h) in their order, so that its results have their bits:
 * per month, each workload's price (index x requests x unit cost),
 * failure cost and load added to +0 in workload order; a rented
 * platform's GPUs from its load (the ceiling of load x peak / capacity,
 * at least its minimum), its compute (with a reserved term, the term's
 * cost then the GPUs beyond it), its staff (the base alone before
 * production), its setup cost in the month of adoption and its
 * operations; an owned platform's cohorts (tco_owned_month: a cohort
 * bought in each month the GPUs needed pass the fleet, the facility and
 * maintenance of the fleet, and at the horizon each cohort's book value
 * credited in purchase order), for futures in which no cohort reaches its
 * lifetime within the horizon; a review's switching cost in the month
 * after the review that changes the option; then the month's total over
 * the categories in their order, then the NPV, the nominal sum and the
 * discounted categories month by month.  What differs from lane to lane
 * (the platform's adoption and production, the month of a switch on
 * volume or of a review's change and the option it takes, requests
 * unserved before production) is selected by masks: where a lane has no
 * cost of a kind it adds +0, as cost_direct adds nothing, which changes
 * no bit of a sum begun at +0 (such a sum is never -0).  A category the strategy does not
 * write holds +0 in cost_direct and is left out here (book_months).
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

#include "backend_month.h"
#include "lanes.h"
#include "model_impl.h"
#include "review.h"

#define L4 TCO_LANES
/* The strategies costed in lanes: at most MAXPH phases, MAXK workloads. */
#define MAXPH 3
#define MAXK 16
/* A review's options, "initial" included, whose decisions lanes make. */
#define MAXOPT 8
/* The routes of a plan: its phases and switch, or a review's options. */
#define MAXREG (MAXOPT > MAXPH + 1 ? MAXOPT : MAXPH + 1)
#define NEVER 1e300 /* a month that never comes */
/* The kinds of a backend's rows in lanes: its price index, a platform's
 * staff cost and operations, then workload k's failure costs by month at
 * ROW_FAIL + k. */
enum { ROW_INDEX, ROW_STAFF, ROW_OPS, ROW_FAIL };
#define NROW(K) (ROW_FAIL + (K))

/* A route in force (a phase's, or the switch's): for each workload k the
 * api backend that serves it when it does not go to the platform or the
 * platform is not in production, ab[k] (its route, or the fallback F; -1
 * for none), whether its route is the platform, onP[k], whether ab[k]'s
 * failure costs vary by month, trA[k], and whether it goes unserved
 * before production (no fallback it may use, MODEL.md 15), unsv[k]. */
typedef struct {
    int ab[MAXK];
    unsigned char onP[MAXK], trA[MAXK], unsv[MAXK];
} regime;

/* A strategy's costing in lanes: the platform P its routes reach (-1:
 * none), with failure costs by month (trP); its phases (nph, each from
 * month from[r]) and, with a switch on volume (sw), the switch's route at
 * rg[nph] from the month after the first whose requests pass thr; uns:
 * some workload can go unserved. */
typedef struct {
    int ok, P, F, trP, uns, sw, nph;
    int from[MAXPH];
    double thr;
    regime rg[MAXREG];
    /* A review (rv): the strategy is costed one future at a time, but
     * its reviews' decisions are made in lanes (review_lanes).  Option o
     * ("initial" at 0, then the review's options in file order) sends
     * workload k to ob[o][k]; it reaches orb[o][0 .. onr[o] - 1], in the
     * strategy's use order, workload k's at orb[o][opos[o][k]]. */
    int rv, nopt;
    int ob[MAXOPT][MAXK], orb[MAXOPT][MAXK], onr[MAXOPT], opos[MAXOPT][MAXK];
    /* With one platform at most over the options (rvc), the futures whose
     * reviews change the option once at most are costed in lanes too:
     * option o's route is rg[o] ("initial" the one phase, rg[0]), in force
     * from the month after the review that takes it (its switching cost
     * due then); retire, a platform can retire (retire_idle_months). */
    int rvc, retire;
} plan;

/* The routes of plan p (regimes rg[0 ..]). */
static inline int nreg(const plan *p)
{
    return p->rvc ? p->nopt : p->nph + p->sw;
}

/* Whether route g sends some workload to the platform. */
static int reaches(const regime *g, size_t K)
{
    for (size_t k = 0; k < K; k++)
        if (g->onP[k])
            return 1;
    return 0;
}

/* A platform's values for a review's run-rates (tco_self_run_rate), lane
 * l at [l]: its peak factor, capacity, minimum GPUs, hourly price, base
 * staff, staff per GPU, expected operations a month, and owned GPUs'
 * purchase price, facility, maintenance and lifetime; owned (the same in
 * every future) and its index and staff rows.  Gathered once a group. */
typedef struct {
    double peak[L4], den[L4], gmin[L4], hour[L4], base[L4], per[L4], opsm[L4];
    double buy[L4], fac[L4], maint[L4], life[L4];
    int own;
    const double (*g)[L4], (*st)[L4];
} rate_values;

struct tco_lanes {
    const tco_model *m;
    size_t K, B;
    int T;
    plan *pl; /* S */
    tco_future *f[L4];
    /* Month t of lane l at [t][l]: the requests of workload k from
     * R[k * T], the one-off costs, the value and the monthly totals; and
     * the rows of backends that strategies read (a backend's index, a
     * platform's staff cost and operations, the failure costs by month of
     * workload k on a backend whose failure rate trends), row j from
     * rows[j * T], gathered once a group (stamp[j]) whichever strategies
     * read it: backend b's row of kind q (ROW_*) is rid[b * NROW(K) + q],
     * -1 when no strategy reads it. */
    double (*R)[L4], (*ev)[L4], (*va)[L4], (*rows)[L4], (*mon)[L4];
    /* An owned platform's cohort bought in month t, lane by lane: its cost
     * (+0 for none) and whether one was bought (all ones). */
    double (*coh)[L4], (*cohm)[L4];
    /* The strategy's rows: the platform's index, staff and operations,
     * and the failure costs by month of workload k on the api backend of
     * route r (qa[r][k]) and on the platform (qp[k]). */
    const double (*gp)[L4], (*staff)[L4], (*ops)[L4];
    const double (*qa[MAXREG][MAXK])[L4], (*qp[MAXK])[L4];
    int *rid;
    unsigned long long *stamp, group; /* 64 bits: never wraps within a process */
    /* Reviews: each platform's rate values (slot pslot[b], gathered in the
     * group pstamp[slot]), and lane l's option after review j at
     * dec[l * T + j]. */
    rate_values *pv;
    int *pslot;
    unsigned long long *pstamp;
    int *dec;
    /* A review costed in lanes: lane l's option taken (its regime; 0 for
     * none, "initial" throughout) at the review of month rvm[l]. */
    int rvo[L4], rvm[L4];
    /* The strategy's values in lanes: in route r, workload k's unit cost
     * on ab[k], its failure cost there without a trend and ab[k]'s index
     * (uc, qac, ga at [r][k]); on the platform its unit load and failure
     * cost without a trend (ul, qpc at [k]); its unserved cost, value and
     * tokens per request (ucu, val, tok at [k]). */
    double uc[MAXREG][MAXK][L4], qac[MAXREG][MAXK][L4];
    const double (*ga[MAXREG][MAXK])[L4];
    double ul[MAXK][L4], qpc[MAXK][L4], ucu[MAXK][L4], val[MAXK][L4], tok[MAXK][L4];
};

/* The api backend (built-in type) b: not a table, not a platform. */
static int is_api(const tco_scenario *sc, int b)
{
    return b >= 0 && sc->backends[b].type == &tco_backend_api;
}

/* Route route of strategy st into g, its platform into p->P (which must
 * be the same in every route); 0 when the lanes cannot cost it. */
static int make_regime(const tco_model *m, const tco_strategy *st, const int *route, regime *g,
                       plan *p)
{
    const tco_scenario *sc = m->sc;
    for (size_t k = 0; k < m->K; k++) {
        int b = route[k];
        g->onP[k] = g->unsv[k] = g->trA[k] = 0;
        if (b < 0)
            return 0;
        if (is_api(sc, b)) {
            g->ab[k] = b;
        } else {
            if (sc->backends[b].type != &tco_backend_selfhost || (p->P >= 0 && p->P != b))
                return 0;
            p->P = b;
            g->onP[k] = 1;
            /* Before production: served by the fallback when there is one
             * the workload may use (an api backend here), else unserved. */
            const unsigned char *allowed = sc->workloads[k].allowed;
            if (st->fallback < 0 || (allowed && !allowed[st->fallback])) {
                g->unsv[k] = 1;
                p->uns = 1;
                g->ab[k] = -1;
                continue;
            }
            if (!is_api(sc, st->fallback))
                return 0;
            g->ab[k] = st->fallback;
        }
        g->trA[k] = m->trended[g->ab[k]];
    }
    return 1;
}

/* A review strategy's options into p (p->rv), when their routes reach
 * only api backends and self-hosted platforms (tco_review_run_rate's
 * run-rates then follow the built-in types) and no switch can replace
 * them. */
static void make_review_plan(const tco_model *m, size_t s, plan *p)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const tco_review *rv = st->review;
    if (st->switch_kind != TCO_SWITCH_NONE || m->K > MAXK || rv->noptions + 1 > MAXOPT)
        return;
    const int *use = m->use + s * m->B;
    p->nopt = (int)rv->noptions + 1;
    for (int o = 0; o < p->nopt; o++) {
        const int *route = tco_review_route(st, o - 1);
        for (size_t k = 0; k < m->K; k++) {
            int b = route[k];
            if (b < 0 || (!is_api(sc, b) && sc->backends[b].type != &tco_backend_selfhost))
                return;
            p->ob[o][k] = b;
            p->opos[o][k] = -1;
        }
        p->onr[o] = 0;
        for (size_t j = 0; j < m->nuse[s]; j++)
            for (size_t k = 0; k < m->K; k++)
                if (route[k] == use[j]) {
                    for (size_t i = k; i < m->K; i++)
                        if (route[i] == use[j])
                            p->opos[o][i] = p->onr[o];
                    p->orb[o][p->onr[o]++] = use[j];
                    break;
                }
        for (size_t k = 0; k < m->K; k++)
            if (p->opos[o][k] < 0)
                return;
    }
    p->rv = 1;
    if (!m->discount_finite)
        return;
    for (int o = 0; o < p->nopt; o++)
        if (!make_regime(m, st, tco_review_route(st, o - 1), &p->rg[o], p)) {
            p->P = -1;
            p->uns = 0;
            return;
        }
    p->nph = 1;
    p->from[0] = 1;
    p->trP = p->P >= 0 ? m->trended[p->P] : 0;
    p->retire = st->retire_idle != 0;
    p->rvc = 1;
}

static void make_plan(const tco_model *m, size_t s, plan *p)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    memset(p, 0, sizeof *p);
    p->P = -1;
    p->F = st->fallback;
    if (st->review) {
        make_review_plan(m, s, p);
        return;
    }
    if (st->retire_idle || !m->discount_finite || m->K > MAXK ||
        st->nphases > MAXPH || st->nphases < 1 || st->phases[0].from_month != 1 ||
        (st->switch_kind != TCO_SWITCH_NONE && st->switch_kind != TCO_SWITCH_VOLUME))
        return;
    /* Every backend the strategy can reach of a built-in type (cost_direct). */
    const int *use = m->use + s * m->B;
    for (size_t j = 0; j < m->nuse[s]; j++) {
        const tco_backend_type *ty = sc->backends[use[j]].type;
        if (ty != &tco_backend_api && ty != &tco_backend_selfhost)
            return;
    }
    p->nph = (int)st->nphases;
    for (int r = 0; r < p->nph; r++) {
        p->from[r] = st->phases[r].from_month;
        if ((r > 0 && p->from[r] <= p->from[r - 1]) ||
            !make_regime(m, st, st->phases[r].route, &p->rg[r], p))
            return;
    }
    if (st->switch_kind == TCO_SWITCH_VOLUME) {
        p->sw = 1;
        p->thr = st->switch_threshold;
        if (!make_regime(m, st, st->switch_route, &p->rg[p->nph], p))
            return;
    }
    if (p->P >= 0)
        p->trP = m->trended[p->P];
    p->ok = 1;
}

/* Zeroed memory on cache lines of its own: each thread writes its lanes'
 * rows at every group, and two threads' rows must not share a line. */
static void *line_alloc(size_t bytes)
{
    bytes = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p)
        memset(p, 0, bytes ? bytes : 64);
    return p;
}

size_t tco_lanes_bytes(size_t S, size_t K, size_t B, int T)
{
    const size_t rows = K + 5 + B * NROW(K), per = (size_t)T * L4 * sizeof(double);
    return sizeof(tco_lanes) + S * sizeof(plan) + rows * per +
           B * NROW(K) * (sizeof(int) + sizeof(unsigned long long)) +
           B * (sizeof(rate_values) + sizeof(int) + sizeof(unsigned long long)) +
           L4 * (size_t)T * sizeof(int) + 64 * 14;
}

/* Backend b's row of kind q wanted: given a row number when it has none. */
static void want_row(tco_lanes *L, int b, size_t q, int *nrow)
{
    int *j = &L->rid[(size_t)b * NROW(L->K) + q];
    if (*j < 0)
        *j = (*nrow)++;
}

tco_lanes *tco_lanes_alloc(const tco_model *m)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2"))
        return NULL;
    const size_t K = m->K, B = m->B, S = m->S, T = (size_t)m->T;
    tco_lanes *L = line_alloc(sizeof *L);
    if (!L)
        return NULL;
    L->m = m;
    L->K = K;
    L->B = B;
    L->T = m->T;
    L->pl = line_alloc(S * sizeof *L->pl);
    L->rid = line_alloc(B * NROW(K) * sizeof *L->rid);
    if (!L->pl || !L->rid)
        goto fail;
    int any = 0, nrow = 0;
    for (size_t j = 0; j < B * NROW(K); j++)
        L->rid[j] = -1;
    L->pslot = line_alloc(B * sizeof *L->pslot);
    if (!L->pslot)
        goto fail;
    int nplat = 0;
    for (size_t b = 0; b < B; b++)
        L->pslot[b] = -1;
    /* The rows each strategy costed in lanes reads, and those a review's
     * run-rates read. */
    for (size_t s = 0; s < S; s++) {
        plan *p = &L->pl[s];
        make_plan(m, s, p);
        for (int o = 0; p->rv && o < p->nopt; o++) {
            any = 1;
            for (size_t k = 0; k < K; k++) {
                const int b = p->ob[o][k];
                want_row(L, b, ROW_INDEX, &nrow);
                if (m->trended[b])
                    want_row(L, b, ROW_FAIL + k, &nrow);
                if (!is_api(m->sc, b)) {
                    want_row(L, b, ROW_STAFF, &nrow);
                    if (L->pslot[b] < 0)
                        L->pslot[b] = nplat++;
                }
            }
        }
        if (!p->ok && !p->rvc)
            continue;
        any = 1;
        for (int r = 0; r < nreg(p); r++)
            for (size_t k = 0; k < K; k++) {
                const int a = p->rg[r].ab[k];
                if (a < 0)
                    continue;
                want_row(L, a, ROW_INDEX, &nrow);
                if (p->rg[r].trA[k])
                    want_row(L, a, ROW_FAIL + k, &nrow);
            }
        if (p->P >= 0) {
            want_row(L, p->P, ROW_INDEX, &nrow);
            want_row(L, p->P, ROW_STAFF, &nrow);
            want_row(L, p->P, ROW_OPS, &nrow);
            for (size_t k = 0; k < K; k++)
                for (int r = 0; p->trP && r < nreg(p); r++)
                    if (p->rg[r].onP[k])
                        want_row(L, p->P, ROW_FAIL + k, &nrow);
        }
    }
    if (!any)
        goto fail;
    const size_t row = T * sizeof *L->R;
    L->R = line_alloc(K * row);
    L->ev = line_alloc(row);
    L->va = line_alloc(row);
    L->rows = line_alloc((size_t)nrow * row);
    L->mon = line_alloc(row);
    L->coh = line_alloc(row);
    L->cohm = line_alloc(row);
    L->stamp = line_alloc((size_t)nrow * sizeof *L->stamp);
    L->pv = line_alloc((size_t)nplat * sizeof *L->pv);
    L->pstamp = line_alloc((size_t)nplat * sizeof *L->pstamp);
    L->dec = line_alloc(L4 * T * sizeof *L->dec);
    if (!L->R || !L->ev || !L->va || !L->rows || !L->mon || !L->coh || !L->cohm || !L->stamp ||
        !L->pv || !L->pstamp || !L->dec)
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
    free(L->rid);
    free(L->R);
    free(L->ev);
    free(L->va);
    free(L->rows);
    free(L->mon);
    free(L->coh);
    free(L->cohm);
    free(L->stamp);
    free(L->pslot);
    free(L->pv);
    free(L->pstamp);
    free(L->dec);
    free(L);
}

int tco_lanes_strategy(const tco_lanes *L, size_t s)
{
    return L && L->pl[s].ok;
}

/* Whether plan p's platform, if any, can be costed in lanes for future
 * f: its setup neither failed nor unknown, and owned GPUs with no cohort
 * retiring within the horizon (one bought in month 1 or later is T - 1
 * months old at most in month T). */
static int platform_plain(const tco_lanes *L, const plan *p, const tco_future *f)
{
    if (p->P < 0)
        return 1;
    const tco_backend_paths *q = &f->paths[p->P];
    const tco_self_paths *d = q->data;
    return !q->setup_failed && q->setup >= 0 && !(d->owned && d->lifetime < L->T);
}

/* Whether route g's api backends are priced per request in future f,
 * without a fixed monthly cost. */
static int route_plain(const tco_lanes *L, const regime *g, const tco_future *f)
{
    for (size_t k = 0; k < L->K; k++) {
        const int b = g->ab[k];
        if (b >= 0 && (((const tco_api_paths *)f->paths[b].data)->fixed != 0 ||
                       !f->paths[b].priced))
            return 0;
    }
    return 1;
}

int tco_lanes_plain(const tco_lanes *L, const tco_future *f, size_t s)
{
    const plan *p = &L->pl[s];
    if (f->first_excl <= L->T || !platform_plain(L, p, f))
        return 0;
    for (int r = 0; r < p->nph + p->sw; r++)
        if (!route_plain(L, &p->rg[r], f))
            return 0;
    return 1;
}

/* A 4 x 4 block of doubles transposed in AVX2 registers: r[i]'s element
 * j into r[j]'s element i. */
static inline __attribute__((always_inline, target("avx2"))) void transpose4(__m256d *r)
{
    __m256d ab0 = _mm256_unpacklo_pd(r[0], r[1]), ab1 = _mm256_unpackhi_pd(r[0], r[1]);
    __m256d cd0 = _mm256_unpacklo_pd(r[2], r[3]), cd1 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(ab0, cd0, 0x20);
    r[1] = _mm256_permute2f128_pd(ab1, cd1, 0x20);
    r[2] = _mm256_permute2f128_pd(ab0, cd0, 0x31);
    r[3] = _mm256_permute2f128_pd(ab1, cd1, 0x31);
}

/* dst[t][l] = src[l][t], t < T: four rows into lanes, four months at a
 * time. */
__attribute__((target("avx2"))) static void rows_to_lanes(double (*dst)[L4],
                                                           const double *const *src, size_t T)
{
    size_t t = 0;
    for (; t + 4 <= T; t += 4) {
        __m256d r[4];
        for (int l = 0; l < L4; l++)
            r[l] = _mm256_loadu_pd(src[l] + t);
        transpose4(r);
        for (int k = 0; k < 4; k++)
            _mm256_storeu_pd(dst[t + (size_t)k], r[k]);
    }
    for (; t < T; t++)
        for (int l = 0; l < L4; l++)
            dst[t][l] = src[l][t];
}

/* dst[l][t] = src[t][l], t < T: lanes back into four rows, four months at
 * a time. */
__attribute__((target("avx2"))) static void lanes_to_rows(double *const *dst,
                                                           const double (*src)[L4], size_t T)
{
    size_t t = 0;
    for (; t + 4 <= T; t += 4) {
        __m256d r[4];
        for (int k = 0; k < 4; k++)
            r[k] = _mm256_loadu_pd(src[t + (size_t)k]);
        transpose4(r);
        for (int l = 0; l < L4; l++)
            _mm256_storeu_pd(dst[l] + t, r[l]);
    }
    for (; t < T; t++)
        for (int l = 0; l < L4; l++)
            dst[l][t] = src[t][l];
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

/* Backend b's row of kind q in lanes (its price index; a platform's
 * staff cost or operations; workload k's failure costs by month under a
 * failure-rate trend, tco_future.qual_month, at ROW_FAIL + k), gathered
 * once a group. */
static const double (*lane_row(tco_lanes *L, int b, size_t q))[L4]
{
    const size_t K = L->K, T = (size_t)L->T;
    const int j = L->rid[(size_t)b * NROW(K) + q];
    double(*dst)[L4] = L->rows + (size_t)j * T;
    if (L->stamp[j] != L->group) {
        const double *src[L4];
        for (int l = 0; l < L4; l++) {
            const tco_future *f = L->f[l];
            const tco_self_paths *d = f->paths[b].data;
            src[l] = q == ROW_INDEX   ? f->paths[b].index
                     : q == ROW_STAFF ? d->staff
                     : q == ROW_OPS   ? d->ops
                                      : f->qual_month + ((size_t)b * K + (q - ROW_FAIL)) * T;
        }
        rows_to_lanes(dst, src, T);
        L->stamp[j] = L->group;
    }
    return (const double(*)[L4])dst;
}

/* Workload j's requests r of month t in route r_ of the plan (regime g),
 * lanes in production where on is all ones: what it adds to the api and
 * quality categories (*a, *q) and to the platform's load (*l), whether it
 * goes unserved (*u, all ones), and with unserved requests in the plan
 * (uns) its tokens and value if served (*sv, *v; else +0). */
static inline __attribute__((always_inline, target("avx2"))) void
serve(const tco_lanes *L, const regime *g, int r_, size_t j, size_t t, __m256d r, __m256d on,
      const int trP, const int uns, __m256d *a, __m256d *q, __m256d *l, __m256d *u, __m256d *sv,
      __m256d *v)
{
    const __m256d zero = _mm256_setzero_pd();
    __m256d price = zero, fail = zero;
    if (!g->unsv[j]) {
        price = _mm256_mul_pd(_mm256_mul_pd(_mm256_loadu_pd(L->ga[r_][j][t]), r),
                              _mm256_loadu_pd(L->uc[r_][j]));
        fail = _mm256_mul_pd(r, _mm256_loadu_pd(g->trA[j] ? L->qa[r_][j][t] : L->qac[r_][j]));
    }
    *u = zero;
    if (uns) {
        *sv = _mm256_mul_pd(r, _mm256_loadu_pd(L->tok[j]));
        *v = _mm256_mul_pd(r, _mm256_loadu_pd(L->val[j]));
    }
    if (!g->onP[j]) {
        *a = price;
        *q = fail;
        *l = zero;
        return;
    }
    const __m256d qp = _mm256_mul_pd(r, _mm256_loadu_pd(trP ? L->qp[j][t] : L->qpc[j]));
    *l = _mm256_and_pd(on, _mm256_mul_pd(r, _mm256_loadu_pd(L->ul[j])));
    if (!g->unsv[j]) {
        /* The fallback before production, then the platform. */
        *a = _mm256_andnot_pd(on, price);
        *q = _mm256_blendv_pd(fail, qp, on);
        return;
    }
    /* Unserved before production: its cost in the quality category, no
     * price, failure cost, tokens or value. */
    *a = zero;
    *q = _mm256_blendv_pd(_mm256_mul_pd(r, _mm256_loadu_pd(L->ucu[j])), qp, on);
    *u = _mm256_andnot_pd(on, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)));
    if (uns) {
        *sv = _mm256_and_pd(on, *sv);
        *v = _mm256_and_pd(on, *v);
    }
}

/* Whether category j can be written: prices, failures, events and value,
 * with a platform its compute, staff, setup and operations, with an owned
 * one its facility, and with a review (rev) the setup category, where its
 * switching costs go (cost_direct's categories). */
static inline int writes(int j, int plat, int own, int rev)
{
    return j == TCO_CAT_API || j == TCO_CAT_QUALITY || j == TCO_CAT_EVENTS ||
           j == TCO_CAT_VALUE || (rev && j == TCO_CAT_SETUP) ||
           (plat && (j == TCO_CAT_COMPUTE || j == TCO_CAT_STAFF || j == TCO_CAT_SETUP ||
                     j == TCO_CAT_OPERATIONS)) ||
           (own && j == TCO_CAT_FACILITY);
}

/* A lane's values for the costing, at [l] of each: the months of the
 * platform's adoption and production and of the first switched month
 * (NEVER for none); the platform's hourly price, peak factor, capacity,
 * minimum GPUs, base staff, staff per GPU, setup cost; a reserved term's
 * length, GPUs and hourly price; owned GPUs' purchase price, facility
 * and maintenance a month per GPU and per unit of cost, resale fraction
 * and lifetime.  The routes switched to: rs[0 .. nsw - 1], lane l's
 * rs[i] where rgi[l] is rs[i] (a review's option; a switch on volume has
 * one, rs[0] = nph), and a review's switching cost in month swm (swc). */
typedef struct {
    double adopt[L4], prod[L4], swm[L4], rgi[L4], swc[L4];
    int nsw, rs[L4];
    double hour[L4], peak[L4], den[L4], gmin[L4], base[L4], per[L4], setup[L4];
    double tlen[L4], held[L4], rhour[L4];
    double buy[L4], fac[L4], maint[L4], resale[L4], life[L4];
} lane_values;

/* The results of the costing, lane l at [l]. */
typedef struct {
    double npv[L4], nominal[L4], cat[TCO_NCAT][L4], gpus[L4], unserved[L4], served[L4];
    int any; /* bit l: lane l has requests unserved in some month */
} lane_results;

/* Month T's compute c less the book value of the owned cohorts held, in
 * purchase order as tco_owned_month credits them: resale fraction x cost
 * x max(0, 1 - age / lifetime), age = T - month bought + 1 (no cohort is
 * retired: tco_lanes_plain). */
static inline __attribute__((always_inline, target("avx2"))) __m256d
book_value(const tco_lanes *L, const lane_values *lv, __m256d c)
{
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1);
    const __m256d resale = _mm256_loadu_pd(lv->resale), life = _mm256_loadu_pd(lv->life);
    for (int t = 0; t < L->T; t++) {
        const __m256d more = _mm256_loadu_pd(L->cohm[t]);
        if (_mm256_testz_pd(more, more))
            continue;
        const __m256d age = _mm256_set1_pd((double)(L->T - (t + 1) + 1));
        const __m256d left = _mm256_sub_pd(one, _mm256_div_pd(age, life));
        const __m256d kept = _mm256_and_pd(_mm256_cmp_pd(left, zero, _CMP_GT_OQ), left);
        const __m256d credit =
            _mm256_mul_pd(_mm256_mul_pd(resale, _mm256_loadu_pd(L->coh[t])), kept);
        c = _mm256_blendv_pd(c, _mm256_sub_pd(c, credit), more);
    }
    return c;
}

/* The costing of strategy p in lanes: plat, a platform; term, a reserved
 * term on it; own, its GPUs owned (never with a term); uns, requests that
 * can go unserved; swt, a switch; rev, a review's (swt too), each lane's
 * to its own route. */
static inline __attribute__((always_inline, target("avx2"))) void
cost_as(const tco_lanes *L, const plan *p, const lane_values *lv, lane_results *res,
        const int plat, const int term, const int own, const int uns, const int swt,
        const int rev)
{
    const tco_model *m = L->m;
    const size_t K = L->K, T = (size_t)L->T;
    const __m256d zero = _mm256_setzero_pd(), hpm = _mm256_set1_pd(TCO_HOURS_PER_MONTH);
#define LD(x) _mm256_loadu_pd(lv->x)
    const __m256d adopt = LD(adopt), prod = LD(prod), swm = LD(swm);
    const __m256d hour = LD(hour), peak = LD(peak), den = LD(den), gmin = LD(gmin),
                  base = LD(base), per = LD(per), setup = LD(setup);
    const __m256d tlen = LD(tlen), held = LD(held), rhour = LD(rhour);
    const __m256d buy = LD(buy), fac = LD(fac), maint = LD(maint);
    const __m256d swc = rev ? LD(swc) : zero;
    /* The lanes switching to route rs[i] (all ones). */
    __m256d sel[L4];
    for (int i = 0; rev && i < lv->nsw; i++)
        sel[i] = _mm256_cmp_pd(LD(rgi), _mm256_set1_pd(lv->rs[i]), _CMP_EQ_OQ);
#undef LD
    /* The running term's first month (none: the first month in
     * production starts one) and its monthly cost (tco_self_months). */
    __m256d tstart = _mm256_set1_pd(-NEVER), tcost = zero;
    /* An owned fleet's GPUs and the purchase cost of its cohorts. */
    __m256d fleet = zero, owned = zero;
    __m256d n = zero, s = zero, k[TCO_NCAT], gpu = zero, unsd = zero, srvd = zero, any = zero;
    for (int j = 0; j < TCO_NCAT; j++)
        k[j] = zero;
    int ph = 0;
    for (size_t t = 0; t < T; t++) {
        const int month = (int)t + 1;
        while (ph + 1 < p->nph && p->from[ph + 1] <= month)
            ph++;
        const __m256d M = _mm256_set1_pd(month);
        /* Adopted, in production, switched in this month (all ones), or not. */
        const __m256d ad = plat ? _mm256_cmp_pd(M, adopt, _CMP_GE_OQ) : zero;
        const __m256d on = plat ? _mm256_cmp_pd(M, prod, _CMP_GE_OQ) : zero;
        const __m256d sw = swt ? _mm256_cmp_pd(M, swm, _CMP_GE_OQ) : zero;
        __m256d api = zero, ql = zero, load = zero, rec = zero, um = zero;
        for (size_t j = 0; j < K; j++) {
            const __m256d r = _mm256_loadu_pd(L->R[j * T + t]);
            __m256d a, q, l, u, sv = zero, v = zero;
            serve(L, &p->rg[ph], ph, j, t, r, on, p->trP, uns, &a, &q, &l, &u, &sv, &v);
            for (int i = 0; swt && i < lv->nsw; i++) {
                const int rr = lv->rs[i];
                __m256d a1, q1, l1, u1, sv1 = zero, v1 = zero;
                serve(L, &p->rg[rr], rr, j, t, r, on, p->trP, uns, &a1, &q1, &l1, &u1, &sv1,
                      &v1);
                const __m256d in = rev ? _mm256_and_pd(sw, sel[i]) : sw;
                a = _mm256_blendv_pd(a, a1, in);
                q = _mm256_blendv_pd(q, q1, in);
                l = _mm256_blendv_pd(l, l1, in);
                u = _mm256_blendv_pd(u, u1, in);
                sv = _mm256_blendv_pd(sv, sv1, in);
                v = _mm256_blendv_pd(v, v1, in);
            }
            api = _mm256_add_pd(api, a);
            ql = _mm256_add_pd(ql, q);
            if (plat)
                load = _mm256_add_pd(load, l);
            if (uns) {
                /* Of the requests served and unserved, each adds to one
                 * sum and +0 to the other; a month with requests unserved
                 * has the value of those served, from 0. */
                um = _mm256_or_pd(um, u);
                unsd = _mm256_add_pd(unsd, _mm256_and_pd(u, r));
                srvd = _mm256_add_pd(srvd, sv);
                rec = _mm256_sub_pd(rec, v);
            }
        }
        __m256d c[TCO_NCAT];
        for (int j = 0; j < TCO_NCAT; j++)
            c[j] = zero;
        c[TCO_CAT_API] = api;
        c[TCO_CAT_QUALITY] = ql;
        c[TCO_CAT_EVENTS] = _mm256_loadu_pd(L->ev[t]);
        c[TCO_CAT_VALUE] = _mm256_loadu_pd(L->va[t]);
        if (uns) {
            c[TCO_CAT_VALUE] = _mm256_blendv_pd(c[TCO_CAT_VALUE], rec, um);
            any = _mm256_or_pd(any, um);
        }
        /* A review's switching cost, added to +0 in the month its option
         * takes effect (before the platform's setup cost). */
        if (rev)
            c[TCO_CAT_SETUP] =
                _mm256_add_pd(zero, _mm256_and_pd(_mm256_cmp_pd(M, swm, _CMP_EQ_OQ), swc));
        if (plat) {
            /* need = ceil(load x peak / den); n = need > min ? need : min
             * (MAXPD's operand order gives the same for a NaN). */
            const __m256d need = _mm256_round_pd(_mm256_div_pd(_mm256_mul_pd(load, peak), den),
                                                  _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
            const __m256d g = _mm256_max_pd(need, gmin), gi = _mm256_loadu_pd(L->gp[t]);
            const __m256d st = _mm256_loadu_pd(L->staff[t]);
            if (term) {
                /* A term starts in production when none is running, its
                 * cost locked at the month's index; the GPUs beyond it are
                 * paid by the hour: max(0, n - reserved) as tco_self_months
                 * has it (0 for a NaN). */
                const __m256d renew = _mm256_andnot_pd(
                    _mm256_cmp_pd(M, _mm256_add_pd(tstart, tlen), _CMP_LT_OQ), on);
                tstart = _mm256_blendv_pd(tstart, M, renew);
                tcost = _mm256_blendv_pd(
                    tcost, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(held, hpm), rhour), gi),
                    renew);
                const __m256d beyond = _mm256_sub_pd(g, held);
                const __m256d paid = _mm256_and_pd(_mm256_cmp_pd(beyond, zero, _CMP_GT_OQ), beyond);
                c[TCO_CAT_COMPUTE] = _mm256_and_pd(
                    on, _mm256_add_pd(_mm256_add_pd(zero, tcost),
                                      _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(paid, hpm), hour),
                                                    gi)));
            } else if (own) {
                /* tco_owned_month: a cohort of the GPUs beyond the fleet
                 * at the month's index, then the fleet's facility and the
                 * maintenance of what it cost. */
                const __m256d more = _mm256_and_pd(on, _mm256_cmp_pd(g, fleet, _CMP_GT_OQ));
                const __m256d cost = _mm256_and_pd(
                    more, _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(g, fleet), buy), gi));
                c[TCO_CAT_COMPUTE] = _mm256_add_pd(zero, cost);
                fleet = _mm256_blendv_pd(fleet, g, more);
                owned = _mm256_blendv_pd(owned, _mm256_add_pd(owned, cost), more);
                _mm256_storeu_pd(L->coh[t], cost);
                _mm256_storeu_pd(L->cohm[t], more);
                c[TCO_CAT_FACILITY] = _mm256_and_pd(
                    on, _mm256_add_pd(zero, _mm256_add_pd(_mm256_mul_pd(fleet, fac),
                                                          _mm256_mul_pd(maint, owned))));
                if (t + 1 == T)
                    c[TCO_CAT_COMPUTE] = book_value(L, lv, c[TCO_CAT_COMPUTE]);
            } else {
                c[TCO_CAT_COMPUTE] = _mm256_and_pd(
                    on, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(g, hpm), hour), gi));
            }
            /* Base staff from adoption, and per GPU in production. */
            c[TCO_CAT_STAFF] = _mm256_blendv_pd(
                _mm256_and_pd(ad, _mm256_mul_pd(base, st)),
                _mm256_mul_pd(_mm256_add_pd(base, _mm256_mul_pd(g, per)), st), on);
            const __m256d sc = _mm256_and_pd(_mm256_cmp_pd(M, adopt, _CMP_EQ_OQ), setup);
            c[TCO_CAT_SETUP] = rev ? _mm256_add_pd(c[TCO_CAT_SETUP], sc) : sc;
            c[TCO_CAT_OPERATIONS] = _mm256_and_pd(on, _mm256_loadu_pd(L->ops[t]));
            gpu = _mm256_and_pd(on, g);
        }
        /* The categories the strategy can write, in their order. */
        __m256d tot = zero;
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat, own, rev))
                tot = _mm256_add_pd(tot, c[j]);
        const __m256d d = _mm256_set1_pd(m->discount[t]);
        n = _mm256_add_pd(n, _mm256_mul_pd(d, tot));
        s = _mm256_add_pd(s, tot);
        for (int j = 0; j < TCO_NCAT; j++)
            if (writes(j, plat, own, rev))
                k[j] = _mm256_add_pd(k[j], _mm256_mul_pd(d, c[j]));
        _mm256_storeu_pd(L->mon[t], tot);
    }
    _mm256_storeu_pd(res->npv, n);
    _mm256_storeu_pd(res->nominal, s);
    for (int j = 0; j < TCO_NCAT; j++)
        _mm256_storeu_pd(res->cat[j], k[j]);
    _mm256_storeu_pd(res->gpus, gpu);
    _mm256_storeu_pd(res->unserved, unsd);
    _mm256_storeu_pd(res->served, srvd);
    res->any = _mm256_movemask_pd(any);
}

__attribute__((target("avx2"))) static void cost_lanes(const tco_lanes *L, const plan *p,
                                                       const lane_values *lv, lane_results *res,
                                                       int term, int own)
{
#define COST(plat, term, own, uns, sw) cost_as(L, p, lv, res, plat, term, own, uns, sw, 0)
#define REV(plat, term, own, uns) cost_as(L, p, lv, res, plat, term, own, uns, 1, 1)
    if (p->rvc) {
        if (p->P < 0)
            REV(0, 0, 0, 0);
        else if (term)
            p->uns ? REV(1, 1, 0, 1) : REV(1, 1, 0, 0);
        else if (own)
            p->uns ? REV(1, 0, 1, 1) : REV(1, 0, 1, 0);
        else
            p->uns ? REV(1, 0, 0, 1) : REV(1, 0, 0, 0);
    } else if (p->P < 0)
        p->sw ? COST(0, 0, 0, 0, 1) : COST(0, 0, 0, 0, 0);
    else if (term)
        p->sw ? (p->uns ? COST(1, 1, 0, 1, 1) : COST(1, 1, 0, 0, 1))
              : (p->uns ? COST(1, 1, 0, 1, 0) : COST(1, 1, 0, 0, 0));
    else if (own)
        p->sw ? (p->uns ? COST(1, 0, 1, 1, 1) : COST(1, 0, 1, 0, 1))
              : (p->uns ? COST(1, 0, 1, 1, 0) : COST(1, 0, 1, 0, 0));
    else
        p->sw ? (p->uns ? COST(1, 0, 0, 1, 1) : COST(1, 0, 0, 0, 1))
              : (p->uns ? COST(1, 0, 0, 1, 0) : COST(1, 0, 0, 0, 0));
#undef COST
#undef REV
}

/* The month-long spans of the route in force for f (phases, then the
 * switch from swm), as cost_direct records the price indices read: 0 for
 * every backend the strategy can reach, then each priced backend's last
 * month of service; the platform's last month once adopted. */
static void reads(const tco_lanes *L, const plan *p, size_t s, const tco_future *f, double adopt,
                  double prod, double swm, int rsw)
{
    const tco_model *m = L->m;
    if (!f->last_read || f->masked)
        return;
    int *read = f->last_read + s * m->B;
    const int *use = m->use + s * m->B;
    const int T = L->T;
    for (size_t j = 0; j < m->nuse[s]; j++)
        read[use[j]] = 0;
    const int sw = swm <= T ? (int)swm : T + 1, pr = prod <= T ? (int)prod : T + 1;
    for (int i = 0; i < p->nph + (rsw >= 0); i++) {
        /* Phase i's route in force in months s0 .. s1, then the route
         * switched to (rg[rsw]). */
        int s0 = i < p->nph ? p->from[i] : sw;
        int s1 = i < p->nph ? (i + 1 < p->nph ? p->from[i + 1] - 1 : T) : T;
        if (i < p->nph && s1 > sw - 1)
            s1 = sw - 1;
        if (s0 > s1)
            continue;
        const regime *g = &p->rg[i < p->nph ? i : rsw];
        for (size_t k = 0; k < L->K; k++) {
            int last = s1;
            if (g->onP[k]) /* the fallback serves before production */
                last = s1 < pr - 1 ? s1 : pr - 1;
            const int b = g->ab[k];
            if (b >= 0 && s0 <= last && f->paths[b].priced && last > read[b])
                read[b] = last;
        }
    }
    if (p->P >= 0 && adopt <= T)
        read[p->P] = T;
}

void tco_lanes_cost(tco_lanes *L, size_t s, double *const *monthly, tco_cost *out)
{
    const plan *p = &L->pl[s];
    const tco_scenario *sc = L->m->sc;
    const size_t K = L->K, T = (size_t)L->T;
    const int P = p->P;
    /* The routes in force in some lane: a review's "initial" and the
     * options its lanes take (L->rvo), else every one. */
    unsigned char used[MAXREG];
    for (int r = 0; r < nreg(p); r++)
        used[r] = !p->rvc || r == 0;
    for (int l = 0; p->rvc && l < L4; l++)
        used[L->rvo[l]] = 1;
    /* What each route in force needs. */
    for (int r = 0; r < nreg(p); r++)
        for (size_t k = 0; used[r] && k < K; k++) {
            const int a = p->rg[r].ab[k];
            if (a < 0)
                continue;
            L->ga[r][k] = lane_row(L, a, ROW_INDEX);
            for (int l = 0; l < L4; l++) {
                L->uc[r][k][l] = L->f[l]->paths[a].unit_cost[k];
                L->qac[r][k][l] = L->f[l]->qual[(size_t)a * K + k];
            }
            if (p->rg[r].trA[k])
                L->qa[r][k] = lane_row(L, a, ROW_FAIL + k);
        }
    for (size_t k = 0; k < K; k++) {
        int onP = 0;
        for (int r = 0; r < nreg(p); r++)
            onP |= used[r] && p->rg[r].onP[k];
        if (onP && p->trP)
            L->qp[k] = lane_row(L, P, ROW_FAIL + k);
        for (int l = 0; l < L4; l++) {
            const tco_future *f = L->f[l];
            const tco_workload *w = &sc->workloads[k];
            if (P >= 0) {
                L->ul[k][l] = f->paths[P].unit_load[k];
                L->qpc[k][l] = f->qual[(size_t)P * K + k];
            }
            if (p->uns) {
                L->ucu[k][l] = f->x[w->unserved_cost];
                L->val[k][l] = tco_workload_value(sc, f->x, k);
                L->tok[k][l] = f->x[w->input_tokens] + f->x[w->output_tokens];
            }
        }
    }
    lane_values lv;
    memset(&lv, 0, sizeof lv);
    int tau[L4] = {0}, rsw[L4], term = 0, own = 0;
    /* The routes switched to: the switch's, or those the lanes' reviews
     * take. */
    lv.nsw = p->sw;
    lv.rs[0] = p->nph;
    for (int r = 1; p->rvc && r < p->nopt; r++)
        if (used[r])
            lv.rs[lv.nsw++] = r;
    for (int l = 0; l < L4; l++) {
        const tco_future *f = L->f[l];
        lv.swm[l] = NEVER;
        rsw[l] = p->sw ? p->nph : -1;
        if (p->rvc) {
            /* The review's option, from the month after the review that
             * takes it, its switching cost due then (review_at). */
            const int o = L->rvo[l];
            rsw[l] = o ? o : -1;
            lv.rgi[l] = o;
            if (o) {
                tau[l] = L->rvm[l];
                lv.swm[l] = tau[l] + 1;
                lv.swc[l] = f->x[sc->strategies[s].review->switching_cost];
            }
        }
        /* The switch on demand: triggered at the end of the first month
         * whose requests pass the threshold (cost_direct). */
        for (int t = 1; p->sw && t <= L->T; t++)
            if (f->demand[t - 1] > p->thr) {
                tau[l] = t;
                lv.swm[l] = t + 1;
                break;
            }
        /* Adopted in the first month whose route in force reaches it: a
         * phase's, then from swm the route switched to (rg[rsw[l]]: the
         * switch's, or the option a review takes). */
        lv.adopt[l] = lv.prod[l] = NEVER;
        if (P < 0)
            continue;
        for (int i = 0; i < p->nph + (rsw[l] >= 0); i++) {
            double start = i < p->nph ? p->from[i] : lv.swm[l];
            if (start > L->T || (i < p->nph && start >= lv.swm[l]) || start >= lv.adopt[l])
                continue;
            if (reaches(&p->rg[i < p->nph ? i : rsw[l]], K))
                lv.adopt[l] = start;
        }
        const tco_backend_paths *q = &f->paths[P];
        const tco_self_paths *d = q->data;
        lv.prod[l] = lv.adopt[l] + q->setup;
        lv.hour[l] = d->hour;
        lv.peak[l] = d->peak;
        lv.den[l] = d->den;
        lv.gmin[l] = d->min_gpus;
        lv.base[l] = d->base_fte;
        lv.per[l] = d->per_gpu_fte;
        lv.setup[l] = d->setup_cost;
        lv.tlen[l] = d->term;
        lv.held[l] = d->reserved;
        lv.rhour[l] = d->reserved_hour;
        lv.buy[l] = d->purchase;
        lv.fac[l] = d->facility;
        lv.maint[l] = d->maint;
        lv.resale[l] = d->resale;
        lv.life[l] = d->lifetime;
        term = d->term != 0; /* the backend's: the same in every future */
        own = d->owned;
    }
    if (P >= 0) {
        L->gp = lane_row(L, P, ROW_INDEX);
        L->staff = lane_row(L, P, ROW_STAFF);
        L->ops = lane_row(L, P, ROW_OPS);
    }
    lane_results res;
    cost_lanes(L, p, &lv, &res, term, own);
    for (int l = 0; l < L4; l++) {
        const tco_future *f = L->f[l];
        tco_cost *c = &out[l];
        memset(c, 0, sizeof *c);
        c->npv = res.npv[l];
        c->nominal = res.nominal[l];
        for (int j = 0; j < TCO_NCAT; j++)
            c->cat[j] = res.cat[j][l];
        c->tokens = f->tokens;
        /* With requests unserved in some month, the requests unserved,
         * and the tokens of those served when some were unserved. */
        if (res.any >> l & 1) {
            c->unserved = res.unserved[l];
            if (res.unserved[l] > 0)
                c->tokens = res.served[l];
        }
        /* A switch in a month before the horizon (cost_direct). */
        if (tau[l] && tau[l] < L->T) {
            c->switches = 1;
            c->first_switch = tau[l] + 1;
        }
        c->gpus = 0 + res.gpus[l];
        /* (A review's reads are not consulted: tco_future_event_matters.) */
        if (!p->rvc)
            reads(L, p, s, f, lv.adopt[l], lv.prod[l], lv.swm[l], rsw[l]);
    }
    lanes_to_rows(monthly, (const double(*)[L4])L->mon, T);
}

/* Whether a review's decisions can be made in lanes for future f: no
 * exclusion (routes are the options' own), every api backend an option
 * reaches priced per request, and no platform's setup failing (a failure
 * known makes an option unavailable, tco_review_run_rate). */
static int review_plain(const tco_lanes *L, const tco_future *f, const plan *p)
{
    if (f->first_excl <= L->T)
        return 0;
    for (int o = 0; o < p->nopt; o++)
        for (size_t k = 0; k < L->K; k++) {
            const tco_backend_paths *q = &f->paths[p->ob[o][k]];
            if (is_api(L->m->sc, p->ob[o][k]) ? !q->priced : q->setup_failed)
                return 0;
        }
    return 1;
}

/* Platform b's rate values for the group, gathered once. */
static const rate_values *rate_of(tco_lanes *L, int b)
{
    const int j = L->pslot[b];
    rate_values *v = &L->pv[j];
    if (L->pstamp[j] != L->group) {
        for (int l = 0; l < L4; l++) {
            const tco_self_paths *d = L->f[l]->paths[b].data;
            v->peak[l] = d->peak;
            v->den[l] = d->den;
            v->gmin[l] = d->min_gpus;
            v->hour[l] = d->hour;
            v->base[l] = d->base_fte;
            v->per[l] = d->per_gpu_fte;
            v->opsm[l] = d->ops_mean;
            v->buy[l] = d->purchase;
            v->fac[l] = d->facility;
            v->maint[l] = d->maint;
            v->life[l] = d->lifetime;
            v->own = d->owned; /* the backend's: the same in every future */
        }
        v->g = lane_row(L, b, ROW_INDEX);
        v->st = lane_row(L, b, ROW_STAFF);
        L->pstamp[j] = L->group;
    }
    return v;
}

/* The decisions of strategy s's reviews for the group's futures, each
 * lane as tco_review_decide takes them review after review from
 * "initial": option o's run-rate in month r (tco_review_run_rate: each
 * workload's price then failure cost added in workload order, the load
 * of each backend reached summed, then each backend reached in use order
 * adds its own run-rate: an api backend its fixed cost where it has load,
 * a platform its GPUs' rate, staff and expected operations), the
 * cheapest option, "initial" first and the first on ties, taken when it
 * beats the current one's by the hysteresis.  Lane l's option after
 * review j into L->dec[l * T + j]. */
__attribute__((target("avx2"))) static void review_lanes(tco_lanes *L, size_t s, const plan *p)
{
    const tco_model *m = L->m;
    const tco_scenario *sc = m->sc;
    const tco_review *rv = sc->strategies[s].review;
    const size_t K = L->K, T = (size_t)L->T;
    const __m256d zero = _mm256_setzero_pd(), hpm = _mm256_set1_pd(TCO_HOURS_PER_MONTH);
    /* Option o's workload k, lane by lane: its backend's unit cost (an
     * api backend's), unit load and failure cost without a trend, and its
     * index and failure costs by month (NULL: none read); a backend
     * reached: an api backend's fixed cost, a platform's rate values. */
    double uc[MAXOPT][MAXK][L4], ul[MAXOPT][MAXK][L4], qc[MAXOPT][MAXK][L4];
    double fx[MAXOPT][MAXK][L4];
    const double (*gi[MAXOPT][MAXK])[L4], (*qr[MAXOPT][MAXK])[L4];
    const rate_values *pv[MAXOPT][MAXK];
    for (int o = 0; o < p->nopt; o++) {
        for (size_t k = 0; k < K; k++) {
            const int b = p->ob[o][k];
            const int api = is_api(sc, b);
            gi[o][k] = api ? lane_row(L, b, ROW_INDEX) : NULL;
            qr[o][k] = m->trended[b] ? lane_row(L, b, ROW_FAIL + k) : NULL;
            for (int l = 0; l < L4; l++) {
                const tco_future *f = L->f[l];
                uc[o][k][l] = api ? f->paths[b].unit_cost[k] : 0;
                ul[o][k][l] = f->paths[b].unit_load[k];
                qc[o][k][l] = f->qual[(size_t)b * K + k];
            }
        }
        for (int i = 0; i < p->onr[o]; i++) {
            const int b = p->orb[o][i];
            pv[o][i] = NULL;
            if (!is_api(sc, b)) {
                pv[o][i] = rate_of(L, b);
                continue;
            }
            for (int l = 0; l < L4; l++)
                fx[o][i][l] = ((const tco_api_paths *)L->f[l]->paths[b].data)->fixed;
        }
    }
    const __m256d keep = _mm256_set1_pd(1 - rv->hysteresis), huge = _mm256_set1_pd(HUGE_VAL);
    __m256d cur = _mm256_set1_pd(-1);
    /* The review months r < T (tco_review_due). */
    for (int r = rv->first, j = 0; r < L->T; r += rv->every, j++) {
        const size_t t = (size_t)r - 1;
        __m256d rho[MAXOPT];
        rho[0] = zero; /* nopt >= 1 */
        for (int o = 0; o < p->nopt; o++) {
            __m256d x = zero, load[MAXK];
            for (int i = 0; i < p->onr[o]; i++)
                load[i] = zero;
            for (size_t k = 0; k < K; k++) {
                const __m256d rk = _mm256_loadu_pd(L->R[k * T + t]);
                if (gi[o][k])
                    x = _mm256_add_pd(x, _mm256_mul_pd(_mm256_mul_pd(_mm256_loadu_pd(gi[o][k][t]),
                                                                     rk),
                                                       _mm256_loadu_pd(uc[o][k])));
                x = _mm256_add_pd(x, _mm256_mul_pd(rk, _mm256_loadu_pd(qr[o][k] ? qr[o][k][t]
                                                                                  : qc[o][k])));
                const int i = p->opos[o][k];
                load[i] = _mm256_add_pd(load[i], _mm256_mul_pd(rk, _mm256_loadu_pd(ul[o][k])));
            }
            for (int i = 0; i < p->onr[o]; i++) {
                const rate_values *v = pv[o][i];
                if (!v) { /* api: its fixed cost where it has load, else +0 */
                    x = _mm256_add_pd(x, _mm256_and_pd(_mm256_cmp_pd(load[i], zero, _CMP_GT_OQ),
                                                       _mm256_loadu_pd(fx[o][i])));
                    continue;
                }
                /* tco_self_run_rate: n GPUs for the load, their rate at
                 * the month's index, staff for the base and per GPU, the
                 * expected operations. */
                const __m256d need = _mm256_round_pd(
                    _mm256_div_pd(_mm256_mul_pd(load[i], _mm256_loadu_pd(v->peak)),
                                  _mm256_loadu_pd(v->den)),
                    _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
                const __m256d n = _mm256_max_pd(need, _mm256_loadu_pd(v->gmin));
                const __m256d g = _mm256_loadu_pd(v->g[t]);
                __m256d rate;
                if (v->own) { /* tco_owned_rate */
                    const __m256d price = _mm256_mul_pd(_mm256_loadu_pd(v->buy), g);
                    const __m256d dep = _mm256_div_pd(price, _mm256_loadu_pd(v->life));
                    rate = _mm256_mul_pd(
                        n, _mm256_add_pd(_mm256_add_pd(dep, _mm256_loadu_pd(v->fac)),
                                         _mm256_mul_pd(_mm256_loadu_pd(v->maint), price)));
                } else { /* tco_cloud_rate */
                    rate = _mm256_mul_pd(
                        _mm256_mul_pd(_mm256_mul_pd(n, hpm), _mm256_loadu_pd(v->hour)), g);
                }
                const __m256d fte = _mm256_add_pd(_mm256_loadu_pd(v->base),
                                                  _mm256_mul_pd(n, _mm256_loadu_pd(v->per)));
                const __m256d staff = _mm256_mul_pd(fte, _mm256_loadu_pd(v->st[t]));
                x = _mm256_add_pd(
                    x, _mm256_add_pd(_mm256_add_pd(rate, staff), _mm256_loadu_pd(v->opsm)));
            }
            rho[o] = x;
        }
        /* tco_review_decide: the current option's run-rate, the cheapest
         * ("initial" first, the first on ties), taken when it beats the
         * current one's by the hysteresis. */
        __m256d rc = rho[0];
        for (int o = 1; o < p->nopt; o++)
            rc = _mm256_blendv_pd(rc, rho[o],
                                  _mm256_cmp_pd(cur, _mm256_set1_pd(o - 1), _CMP_EQ_OQ));
        __m256d best = cur, rb = huge;
        for (int o = 0; o < p->nopt; o++) {
            const __m256d lt = _mm256_cmp_pd(rho[o], rb, _CMP_LT_OQ);
            best = _mm256_blendv_pd(best, _mm256_set1_pd(o - 1), lt);
            rb = _mm256_blendv_pd(rb, rho[o], lt);
        }
        cur = _mm256_blendv_pd(cur, best, _mm256_cmp_pd(rb, _mm256_mul_pd(keep, rc), _CMP_LT_OQ));
        double c[L4];
        _mm256_storeu_pd(c, cur);
        for (int l = 0; l < L4; l++)
            L->dec[(size_t)l * T + (size_t)j] = (int)c[l];
    }
}

/* Whether lane j's future f, its review's decisions made (L->dec), can be
 * costed in lanes: its option changes once at most (into L->rvo[j] and
 * L->rvm[j]: the option's route and the review's month, 0 for none); the
 * api backends of the routes in force priced per request without a fixed
 * cost; the platform's setup neither failed nor unknown, an owned fleet
 * with no cohort retiring within the horizon (tco_lanes_plain); and,
 * where idle platforms retire, none left idle (the option taken still
 * reaching the platform "initial" reaches). */
static int review_once(tco_lanes *L, size_t s, const tco_future *f, const plan *p, int j)
{
    const tco_review *rv = L->m->sc->strategies[s].review;
    const int *dec = L->dec + (size_t)j * (size_t)L->T;
    int cur = -1, o = 0, month = 0;
    /* The review months r < T (review_lanes). */
    for (int r = rv->first, i = 0; r < L->T; r += rv->every, i++)
        if (dec[i] != cur) {
            if (o)
                return 0;
            cur = dec[i];
            o = cur + 1;
            month = r;
        }
    if (!route_plain(L, &p->rg[0], f) || (o && !route_plain(L, &p->rg[o], f)) ||
        !platform_plain(L, p, f))
        return 0;
    if (p->retire && o && reaches(&p->rg[0], L->K) && !reaches(&p->rg[o], L->K))
        return 0;
    L->rvo[j] = o;
    L->rvm[j] = month;
    return 1;
}

/* Lanes l .. of the group: the futures f[l] with done[l], the first
 * repeated in the lanes left over (lane[l]: the lane of f[l]), gathered
 * when they are not those gathered last. */
static void group_of(tco_lanes *L, tco_future *const *f, int G, const int *done, int *lane,
                     tco_future **last)
{
    tco_future *src[L4];
    int j = 0;
    for (int l = 0; l < G; l++)
        if (done[l]) {
            lane[l] = j;
            src[j++] = f[l];
        }
    for (; j < L4; j++)
        src[j] = src[0];
    if (memcmp(src, last, sizeof src) != 0) {
        tco_lanes_group(L, src);
        memcpy(last, src, sizeof src);
    }
}

/* Strategy s in lanes for the group's futures l with in[l] (in lane
 * lane[l]): their costs into out[l], their monthly totals into
 * monthly[l] (spare for the others and where monthly[l] is NULL). */
static void cost_those(tco_lanes *L, size_t s, int G, const int *in, const int *lane,
                       double *const *monthly, double *spare, tco_cost *out)
{
    double *mon[L4];
    tco_cost lc[L4];
    for (int j = 0; j < L4; j++)
        mon[j] = spare;
    for (int l = 0; l < G; l++)
        if (in[l] && monthly && monthly[l])
            mon[lane[l]] = monthly[l];
    tco_lanes_cost(L, s, mon, lc);
    for (int l = 0; l < G; l++)
        if (in[l])
            out[l] = lc[lane[l]];
}

int tco_lanes_cost_some(tco_lanes *L, tco_future *const *f, int G, size_t s, const int *want,
                        double *const *monthly, double *spare, tco_future **last, tco_cost *out,
                        int *done)
{
    int k = 0;
    if (L && L->pl[s].rv) {
        /* A review: its decisions in lanes, then each future costed alone
         * with them (tco_future.decided). */
        const plan *p = &L->pl[s];
        for (int l = 0; l < G; l++)
            k += done[l] = G > 1 && want[l] && review_plain(L, f[l], p);
        if (k < 2) {
            for (int l = 0; l < G; l++)
                done[l] = 0;
            return 0;
        }
        int lane[L4] = {0}, in[L4] = {0}, n = 0;
        group_of(L, f, G, done, lane, last);
        review_lanes(L, s, p);
        /* Those whose option changes once at most costed in lanes. */
        for (int j = 0; j < L4; j++)
            L->rvo[j] = L->rvm[j] = 0;
        for (int l = 0; p->rvc && l < G; l++)
            n += in[l] = done[l] && review_once(L, s, f[l], p, lane[l]);
        if (n >= 2)
            cost_those(L, s, G, in, lane, monthly, spare, out);
        else
            memset(in, 0, sizeof in);
        for (int l = 0; l < G; l++)
            if (done[l] && !in[l]) {
                f[l]->decided = L->dec + (size_t)lane[l] * (size_t)L->T;
                tco_future_cost(f[l], L->m, s, monthly ? monthly[l] : NULL, NULL, &out[l]);
                f[l]->decided = NULL;
            }
        return k;
    }
    for (int l = 0; l < G; l++)
        done[l] = G > 1 && want[l] && tco_lanes_strategy(L, s) && tco_lanes_plain(L, f[l], s);
    for (int l = 0; l < G; l++)
        k += done[l];
    if (k < 2) {
        for (int l = 0; l < G; l++)
            done[l] = 0;
        return 0;
    }
    int lane[L4] = {0};
    group_of(L, f, G, done, lane, last);
    cost_those(L, s, G, done, lane, monthly, spare, out);
    return k;
}
