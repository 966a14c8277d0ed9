/* The monthly cost of a strategy on a drawn future: routes, phases and
 * switches (MODEL.md 6), adoption of platforms, setup and fallback (4.2),
 * retirement of platforms (16) and setups that fail (17), unserved
 * requests (15), per-request costs, quality (4.3) and event costs (7).  What each backend costs beyond
 * its per-request price is its type's (models/backend_*.c). */
#include <math.h>
#include <string.h>

#include "backend_month.h"
#include "model_impl.h"
#include "review.h"

/* The backend that traffic for r reaches once the exclusions of months
 * before `before` are applied; *via receives the last excluded backend on
 * the way (or -1). */
static int resolve(const tco_future *f, int r, int before, int *via)
{
    *via = -1;
    /* Each pass follows one more exclusion; nexcl passes suffice. */
    for (size_t pass = 0; pass <= f->nexcl; pass++) {
        int moved = 0;
        for (size_t i = 0; i < f->nexcl && f->excl[i].month < before; i++)
            if (f->excl[i].from == r) {
                *via = r;
                r = f->excl[i].to;
                moved = 1;
                break;
            }
        if (!moved)
            break;
    }
    return r;
}

/* Routing in month t from the route base with the exclusions in force
 * (those of months up to t): the route into f->route, the last excluded
 * backend on each workload's way into f->via.  An exclusion of month t
 * costs the strategies whose routing before it (earlier exclusions
 * applied) reaches its backend: its cost is added to *events. */
static const int *route_excluded(tco_future *f, const int *base, int t, size_t K,
                                 double *events)
{
    for (size_t k = 0; k < K; k++)
        f->route[k] = resolve(f, base[k], t + 1, &f->via[k]);
    for (size_t i = 0; i < f->nexcl && f->excl[i].month <= t; i++) {
        if (f->excl[i].month != t)
            continue;
        int hit = 0, v;
        for (size_t k = 0; k < K && !hit; k++)
            hit = resolve(f, base[k], t, &v) == f->excl[i].from;
        if (hit)
            *events += f->excl[i].cost;
    }
    return f->route;
}

/* A month's costs c, totalling total, into the sums over months: the NPV
 * at discount factor d, the nominal sum and the discounted categories. */
static inline void book_month(const double *c, double total, double d, double *npv,
                              double *nominal, double *cat)
{
    *npv += d * total;
    *nominal += total;
    for (int j = 0; j < TCO_NCAT; j++)
        cat[j] += d * c[j];
}

/* The category sets of book_cats. */
#define CAT(j) (1u << (j))
#define CATS_ALL ((1u << TCO_NCAT) - 1)
#define CATS_PLATFORM (CAT(TCO_CAT_COMPUTE) | CAT(TCO_CAT_STAFF) | CAT(TCO_CAT_SETUP) | \
                       CAT(TCO_CAT_OPERATIONS))

/* Months 1..T's costs C (TCO_NCAT a month) into their totals (monthly)
 * and the sums over months, in month order, as book_month: only the
 * categories in cats, a constant where this is inlined.  A category left
 * out must hold +0 or -0 in every month: it adds nothing to a total begun
 * at +0 (such a sum is never -0 when rounding to nearest), and its
 * discounted sum stays +0 when the discount factors are finite (they are
 * positive), so the bits are those of every category booked.  The value
 * category is read from vrow[(t - 1) * vstep] (C's own column, or the
 * future's value row: tco_future.value), the last in each month's total
 * as in C.  Each month's categories in cats are set to +0 once read:
 * cost_direct's next costing begins from zeros, with no pass of its own
 * to zero them. */
static inline __attribute__((always_inline)) void
book_months(double *C, const double *vrow, size_t vstep, const double *disc, int T,
            unsigned cats, double *monthly, double *npv, double *nominal, double *cat)
{
    double n = 0, s = 0, k[TCO_NCAT] = {0};
    for (int t = 1; t <= T; t++) {
        double *c = C + (size_t)(t - 1) * TCO_NCAT;
        const double d = disc[t - 1];
        double v[TCO_NCAT];
        for (int j = 0; j < TCO_NCAT; j++)
            v[j] = j == TCO_CAT_VALUE ? vrow[(size_t)(t - 1) * vstep] : c[j];
        double total = 0;
        for (int j = 0; j < TCO_NCAT; j++)
            if (cats & CAT(j))
                total += v[j];
        n += d * total;
        s += total;
        for (int j = 0; j < TCO_NCAT; j++)
            if (cats & CAT(j))
                k[j] += d * v[j];
        monthly[t - 1] = total;
        for (int j = 0; j < TCO_NCAT; j++)
            if (cats & CAT(j))
                c[j] = 0;
    }
    *npv = n;
    *nominal = s;
    for (int j = 0; j < TCO_NCAT; j++)
        cat[j] = k[j];
}

/* book_months of the category sets strategies have (the api and quality
 * categories, the events' when an event costs something in the future,
 * with the value category when a workload has a value; a review's
 * switching costs; platforms' categories, the facility's for owned GPUs),
 * each its own copy; any other set books every category. */
static void book_cats(double *C, const double *vrow, size_t vstep, const double *disc, int T,
                      unsigned cats, double *monthly, double *npv, double *nominal, double *cat)
{
    enum {
        BASE = CAT(TCO_CAT_API) | CAT(TCO_CAT_QUALITY),
        EV = CAT(TCO_CAT_EVENTS),
        VAL = CAT(TCO_CAT_VALUE),
        PLAT = BASE | CATS_PLATFORM,
        FAC = CAT(TCO_CAT_FACILITY)
    };
#define BOOK(set)                                                                        \
    case set:                                                                            \
        book_months(C, vrow, vstep, disc, T, set, monthly, npv, nominal, cat);           \
        break
    switch (cats) {
        BOOK(BASE);
        BOOK(BASE | EV);
        BOOK(BASE | VAL);
        BOOK(BASE | EV | VAL);
        BOOK(PLAT);
        BOOK(PLAT | EV);
        BOOK(PLAT | VAL);
        BOOK(PLAT | EV | VAL);
        BOOK(PLAT | FAC);
        BOOK(PLAT | EV | FAC);
    default:
        book_months(C, vrow, vstep, disc, T, CATS_ALL, monthly, npv, nominal, cat);
        break;
    }
#undef BOOK
}

/* A review of strategy s at the end of month r, when one is due (MODEL.md
 * 18): the option in force moves for month r + 1 on, its switching cost due
 * then (*charged), and the change counted. */
static void review_at(tco_future *f, const tco_model *m, size_t s, int r, int *option,
                      int *charged, tco_cost *out)
{
    const tco_review *rv = m->sc->strategies[s].review;
    if (!rv || !tco_review_due(rv, r, m->T))
        return;
    int o = f->decided ? f->decided[(r - rv->first) / rv->every]
                       : tco_review_decide(f, m, s, *option, r);
    if (o != *option) {
        *option = o;
        *charged = r + 1;
        if (!out->switches++)
            out->first_switch = r + 1;
    }
}

/* Platform b is adopted in month t (MODEL.md 4.2; anew after a retirement,
 * 16): in production after its setup, unless the setup fails (17). */
static void adopt(tco_future *f, int b, int t)
{
    f->adopt[b] = t;
    f->prod[b] = f->paths[b].setup_failed ? TCO_NEVER : t + f->paths[b].setup;
    f->idle[b] = 0;
}

/* Platform b is retired at the start of month t (MODEL.md 16): from then
 * on it costs nothing; an owned fleet is sold in month t (booked in c). */
static inline void retire(tco_future *f, int b, int t, double *c)
{
    if (f->kind[b] == TCO_KIND_SELF) {
        tco_self_retire(&f->paths[b], t, c);
    } else if (f->type[b]->retire) {
        f->type[b]->retire(&f->paths[b], t, c);
    }
    f->adopt[b] = 0;
    f->prod[b] = TCO_NEVER;
    f->idle[b] = 0;
}

/* MODEL.md 16, once month t is routed: count the months each platform in
 * its current adoption has gone without being routed (after exclusions).
 * A failed setup is not counted (17): it is never retired. */
static void count_idle(tco_future *f, const int *use, size_t nuse, const int *route, size_t K)
{
    for (size_t j = 0; j < nuse; j++) {
        int b = use[j];
        if (!f->platform[b] || !f->adopt[b] || f->paths[b].setup_failed)
            continue;
        size_t k = 0;
        while (k < K && route[k] != b)
            k++;
        f->idle[b] = k < K ? 0 : f->idle[b] + 1;
    }
}

/* One workload's requests R of months t .. end - 1 served by one
 * backend: their prices (index g, unit cost uc) into the api category when
 * priced, their load (unit_load ul) into L when it is read, and their
 * failure costs (q, by month when qstep is 1) into the quality category,
 * c the span's first month.  A copy for each case (serve_span), with no
 * test a month, and a failure cost without a trend read once (nothing
 * written here is one). */
static inline __attribute__((always_inline)) void
serve_months(double *c, const double *R, const double *g, double *L, const double *q,
             size_t qstep, double uc, double ul, int t, int end, int priced, int load)
{
    const double q1 = *q;
    for (int u = t; u < end; u++, c += TCO_NCAT, q += qstep) {
        const double r = R[u - 1];
        if (priced)
            c[TCO_CAT_API] += g[u - 1] * r * uc;
        if (load)
            L[u - 1] += r * ul;
        c[TCO_CAT_QUALITY] += r * (qstep ? *q : q1);
    }
}

static void serve_span(double *C, const double *R, const double *g, double *L, const double *q,
                       size_t qstep, double uc, double ul, int t, int end, int priced, int load)
{
    switch ((qstep ? 4 : 0) | (priced ? 2 : 0) | (load ? 1 : 0)) {
    case 0: serve_months(C, R, g, L, q, 0, uc, ul, t, end, 0, 0); break;
    case 1: serve_months(C, R, g, L, q, 0, uc, ul, t, end, 0, 1); break;
    case 2: serve_months(C, R, g, L, q, 0, uc, ul, t, end, 1, 0); break;
    case 3: serve_months(C, R, g, L, q, 0, uc, ul, t, end, 1, 1); break;
    case 4: serve_months(C, R, g, L, q, 1, uc, ul, t, end, 0, 0); break;
    case 5: serve_months(C, R, g, L, q, 1, uc, ul, t, end, 0, 1); break;
    case 6: serve_months(C, R, g, L, q, 1, uc, ul, t, end, 1, 0); break;
    default: serve_months(C, R, g, L, q, 1, uc, ul, t, end, 1, 1); break;
    }
}

/* Whether cost_direct can cost strategy s on f: every backend it can
 * reach of a built-in type (costed inline). */
static int direct_ok(const tco_future *f, const tco_model *m, size_t s)
{
    const int *use = m->use + s * m->B;
    for (size_t j = 0; j < m->nuse[s]; j++)
        if (f->kind[use[j]] == TCO_KIND_TABLE)
            return 0;
    return 1;
}

int tco_future_cost_by_spans(const tco_future *f, const tco_model *m, size_t s)
{
    return direct_ok(f, m, s);
}

/* The first review month r >= t (tco_review_due), or 0 for none. */
static int next_review(const tco_review *rv, int t, int T)
{
    int r = t <= rv->first ? rv->first : rv->first + (t - rv->first + rv->every - 1) / rv->every * rv->every;
    return r < T ? r : 0;
}

/* Strategy s on f, for the strategies and futures of direct_ok: the same
 * operations as the month loop of tco_future_cost, in the same order for
 * each month and category (so the same bits), arranged by source instead
 * of by month.  Routes depend on costs only through a switch on spend,
 * which is decided month by month until it triggers; otherwise the months
 * split into spans of one route and one serving plan.  A span ends where
 * the phase changes, the switch takes effect, a review decides (at the end
 * of its month), an exclusion happens (its cost and rerouting from its
 * month), a platform adopted by then enters production, or an idle one
 * reaches its retirement; the switch and the reviews are decided at the
 * end of the span that ends with their month, with the state the loop has
 * then.  Each workload's requests of a span are served in one pass over
 * its months (all but their value, set after the spans from the future's
 * value row, tco_future.value), then the api backends' fixed costs of
 * those months (once a request goes unserved, f->plan[(t - 1) * K + k] is
 * -1 where workload k's requests of month t are unserved, 0 elsewhere, and
 * f->umon[t - 1] 1 in such a month: cleared whole at the first unserved
 * span, since every month before was served);
 * after the last span, the platforms' monthly costs, platform after
 * platform (each adds to each month after those before it), or, with
 * retirements, month after month, each month's retirements first
 * (platform b's adoption in force in month t at f->amon[b * T + t - 1],
 * its retirement at the start of month t at f->rmon[b * T + t - 1]); then
 * the months' totals and the sums over months, in month order.  Month t's
 * costs by category are kept at f->cmonth[(t - 1) * TCO_NCAT + j] and
 * backend b's loads at f->cload[b * T + t - 1].  No state is saved to
 * resume from (tco_future_track_reads): a costing with events left out
 * starts from month 1, here or in the loop. */
static void cost_direct(tco_future *f, const tco_model *m, size_t s, double *monthly,
                        double *bycat, tco_cost *out)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const tco_review *const review = st->review;
    const int T = m->T, M = st->retire_idle;
    const size_t K = m->K, B = m->B;
    const int *use = m->use + s * B;
    const size_t nuse = m->nuse[s];
    const double *x = f->x;
    double *C = f->cmonth;
    int *plan = f->plan, *amon = f->amon;
    unsigned char *const unserved_month = f->umon;
    unsigned char *rmon = f->rmon;
    char *const platform = f->platform;
    int *const adopted = f->adopt, *const prod = f->prod, *const idle = f->idle;
    int *read = f->last_read && !f->masked ? f->last_read + s * B : NULL;
    memset(out, 0, sizeof *out);
    out->tokens = f->tokens;
    /* Each month's costs from zero (the last costing on f left every
     * entry +0: f->cmonth), its one-off event costs set (+0 in every
     * month without a one-off event). */
    if (f->any_oneoff)
        for (int t = 1; t <= T; t++)
            C[(size_t)(t - 1) * TCO_NCAT + TCO_CAT_EVENTS] = f->oneoff[t - 1];
    int plat[TCO_MAX_BACKENDS], fixed[TCO_MAX_BACKENDS];
    size_t nplat = 0, nfixed = 0;
    /* The backends whose monthly loads are read (platforms, api backends
     * with a fixed monthly cost): the others' are not summed.  Set for the
     * strategy's backends, which every backend served below is. */
    unsigned char loaded[TCO_MAX_BACKENDS];
    for (size_t j = 0; j < nuse; j++) {
        int b = use[j];
        loaded[b] = platform[b];
        if (f->kind[b] == TCO_KIND_API && ((const tco_api_paths *)f->paths[b].data)->fixed != 0) {
            fixed[nfixed++] = b;
            loaded[b] = 1;
        }
        if (read)
            read[b] = 0;
        adopted[b] = 0;
        prod[b] = platform[b] ? TCO_NEVER : 0;
        idle[b] = 0;
        if (platform[b]) {
            plat[nplat++] = b;
            if (M)
                memset(rmon + (size_t)b * T, 0, (size_t)T);
        }
        if (f->kind[b] == TCO_KIND_SELF)
            tco_self_start(&f->paths[b]);
        if (loaded[b])
            memset(f->cload + (size_t)b * T, 0, (size_t)T * sizeof *f->cload);
    }
    double tok[TCO_MAX_WORKLOADS], val[TCO_MAX_WORKLOADS];
    int valued = 0;
    for (size_t k = 0; k < K; k++) {
        tok[k] = x[sc->workloads[k].input_tokens] + x[sc->workloads[k].output_tokens];
        valued |= (val[k] = tco_workload_value(sc, x, k)) != 0;
    }
    /* The switch on demand: triggered at the end of the first month tau
     * whose requests pass the threshold; the route changes from tau + 1. */
    int tau = 0;
    if (st->switch_kind == TCO_SWITCH_VOLUME)
        for (int t = 1; t <= T && !tau; t++)
            if (f->demand[t - 1] > st->switch_threshold)
                tau = t;
    /* Spans of one route and one serving plan. */
    int any_unserved = 0, option = -1, charged = 0, retired = 0;
    size_t phase = 0;
    for (int t = 1; t <= T;) {
        const int switched = tau && t > tau;
        const int *route;
        if (switched) {
            route = st->switch_route;
        } else if (review) {
            route = tco_review_route(st, option);
        } else {
            while (phase + 1 < st->nphases && st->phases[phase + 1].from_month <= t)
                phase++;
            route = st->phases[phase].route;
        }
        if (t == charged)
            C[(size_t)(t - 1) * TCO_NCAT + TCO_CAT_SETUP] += x[review->switching_cost];
        /* Retirement first: not routed in months t - M .. t - 1. */
        if (M)
            for (size_t j = 0; j < nplat; j++) {
                int b = plat[j];
                if (idle[b] >= M) {
                    rmon[(size_t)b * T + (size_t)(t - 1)] = 1;
                    retired = 1;
                    adopted[b] = 0;
                    prod[b] = TCO_NEVER;
                    idle[b] = 0;
                }
            }
        /* Routing with the exclusions in force: those of months up to t
         * (a span starts at each one's month). */
        const int *via = NULL;
        int end = T + 1;
        if (t >= f->first_excl) {
            route = route_excluded(f, route, t, K, C + (size_t)(t - 1) * TCO_NCAT + TCO_CAT_EVENTS);
            via = f->via;
        }
        for (size_t i = 0; i < f->nexcl; i++)
            if (f->excl[i].month > t) {
                end = f->excl[i].month < end ? f->excl[i].month : end;
                break;
            }
        for (size_t k = 0; k < K; k++)
            if (platform[route[k]] && !adopted[route[k]])
                adopt(f, route[k], t);
        if (!switched) {
            if (!review && phase + 1 < st->nphases && st->phases[phase + 1].from_month < end)
                end = st->phases[phase + 1].from_month;
            if (tau && tau + 1 < end)
                end = tau + 1;
            /* A switch on spend reads each month's api costs: a month at a
             * time until it triggers. */
            if (st->switch_kind == TCO_SWITCH_API_COST && !tau)
                end = t + 1;
        }
        if (review) {
            int r = next_review(review, t, T);
            if (r && r + 1 < end)
                end = r + 1;
        }
        for (size_t j = 0; j < nplat; j++) {
            int b = plat[j];
            if (!adopted[b])
                continue;
            if (prod[b] > t && prod[b] < end)
                end = prod[b];
            if (M && !f->paths[b].setup_failed) {
                size_t k = 0;
                while (k < K && route[k] != b)
                    k++;
                /* Idle from t on: retired at the start of month t + M - idle. */
                if (k == K && t + M - idle[b] < end)
                    end = t + M - idle[b];
            }
        }
        for (size_t k = 0; k < K; k++) {
            const tco_workload *w = &sc->workloads[k];
            int srv = route[k];
            const double *R = f->R + k * (size_t)T;
            if (t < prod[srv]) {
                int v = via ? via[k] : -1;
                if (v >= 0 && t >= prod[v])
                    srv = v; /* the excluded backend serves during the transition */
                else
                    srv = st->fallback;
                if (srv < 0 || (w->allowed && !w->allowed[srv])) {
                    /* Unserved (MODEL.md 15): no backend, no failure cost. */
                    double uc = x[w->unserved_cost];
                    if (!any_unserved) {
                        memset(plan, 0, (size_t)T * K * sizeof *plan);
                        memset(unserved_month, 0, (size_t)T);
                    }
                    for (int u = t; u < end; u++) {
                        C[(size_t)(u - 1) * TCO_NCAT + TCO_CAT_QUALITY] += R[u - 1] * uc;
                        plan[(size_t)(u - 1) * K + k] = -1;
                        unserved_month[u - 1] = 1;
                    }
                    any_unserved = 1;
                    continue;
                }
            }
            const tco_backend_paths *p = &f->paths[srv];
            double *L = f->cload + (size_t)srv * T;
            const double *g = p->index, uc = p->priced ? p->unit_cost[k] : 0;
            const double ul = p->unit_load[k];
            const int priced = p->priced, load = loaded[srv];
            /* The failure cost by month only under a failure-rate trend
             * (tco_future_fail_cost), else month 1's in every month. */
            const double *q = f->qual + (size_t)srv * K + k;
            size_t qstep = 0;
            if (m->trended[srv]) {
                q = f->qual_month + ((size_t)srv * K + k) * (size_t)T + (size_t)(t - 1);
                qstep = 1;
            }
            /* The prices, the load and the failure costs of the span's
             * months in one pass (each a sum of its own). */
            serve_span(C + (size_t)(t - 1) * TCO_NCAT, R, g, L, q, qstep, uc, ul, t, end, priced,
                       load);
            if (priced && read)
                read[srv] = end - 1;
        }
        if (M)
            for (size_t j = 0; j < nplat; j++) {
                int b = plat[j], *A = amon + (size_t)b * T;
                for (int u = t; u < end; u++)
                    A[u - 1] = adopted[b];
                /* MODEL.md 16: months without being routed (count_idle). */
                if (!adopted[b] || f->paths[b].setup_failed)
                    continue;
                size_t k = 0;
                while (k < K && route[k] != b)
                    k++;
                idle[b] = k < K ? 0 : idle[b] + (end - t);
            }
        /* The api backends' fixed monthly costs in months they serve, after
         * the month's per-request prices, in use order (the api costs are
         * then whole, for a switch on spend). */
        for (size_t j = 0; j < nfixed; j++) {
            tco_backend_paths *p = &f->paths[fixed[j]];
            const double *L = f->cload + (size_t)fixed[j] * T;
            for (int u = t; u < end; u++)
                tco_api_month(p, L[u - 1], C + (size_t)(u - 1) * TCO_NCAT);
        }
        /* The month end - 1 closes: the switch, then a review. */
        const int last = end - 1;
        if (st->switch_kind == TCO_SWITCH_API_COST && !tau && !switched &&
            C[(size_t)(last - 1) * TCO_NCAT + TCO_CAT_API] > st->switch_threshold)
            tau = last;
        if (tau == last && tau < T) {
            out->switches = 1;
            out->first_switch = tau + 1;
        }
        review_at(f, m, s, last, &option, &charged, out);
        t = end;
    }
    /* The value of the requests served (MODEL.md 19; a request that fails
     * still counts), each month's from 0 in workload order as the spans
     * would subtract it: the future's (tco_future.value) where every
     * request of the month is served, booked from its row (copied into C
     * only for bycat), else the served ones' alone. */
    const double *vrow = C + TCO_CAT_VALUE;
    size_t vstep = TCO_NCAT;
    if (valued && !any_unserved && !bycat) {
        vrow = f->value;
        vstep = 1;
    } else if (valued && !any_unserved) {
        for (int t = 1; t <= T; t++)
            C[(size_t)(t - 1) * TCO_NCAT + TCO_CAT_VALUE] = f->value[t - 1];
    } else if (valued) {
        for (int t = 1; t <= T; t++) {
            double v = f->value[t - 1];
            if (unserved_month[t - 1]) {
                v = 0;
                for (size_t k = 0; k < K; k++)
                    if (plan[(size_t)(t - 1) * K + k] >= 0)
                        v -= f->R[k * (size_t)T + (size_t)(t - 1)] * val[k];
            }
            C[(size_t)(t - 1) * TCO_NCAT + TCO_CAT_VALUE] = v;
        }
    }
    /* The platforms' monthly costs, in the loop's order (use order; an api
     * backend's fixed cost is booked above, and adds to other categories
     * than these).  Without a retirement each platform has one adoption,
     * to the horizon. */
    if (!retired) {
        for (size_t j = 0; j < nplat; j++) {
            int b = plat[j];
            int a = adopted[b];
            tco_self_months(&f->paths[b], a, f->cload + (size_t)b * T, C, T);
            if (read && a)
                read[b] = T;
        }
    } else {
        for (int t = 1; t <= T; t++) {
            double *c = C + (size_t)(t - 1) * TCO_NCAT;
            for (size_t j = 0; j < nplat; j++) {
                int b = plat[j];
                if (rmon[(size_t)b * T + (size_t)(t - 1)])
                    tco_self_retire(&f->paths[b], t, c);
            }
            for (size_t j = 0; j < nplat; j++) {
                int b = plat[j];
                int a = amon[(size_t)b * T + (size_t)(t - 1)];
                if (read && a)
                    read[b] = t;
                tco_self_month(&f->paths[b], t, a, f->cload[(size_t)b * T + (size_t)(t - 1)], c);
            }
        }
    }
    /* The months' totals, then the sums over months in month order, of
     * the categories the strategy can write (book_cats); the others hold
     * +0 (f->cmonth is +0 between costings). */
    double npv = 0, nominal = 0, cat[TCO_NCAT] = {0};
    unsigned cats = CAT(TCO_CAT_API) | CAT(TCO_CAT_QUALITY);
    /* The events category is written by one-off costs and exclusions
     * alone: +0 in every month of a future with neither. */
    if (f->any_oneoff || f->first_excl <= T)
        cats |= CAT(TCO_CAT_EVENTS);
    if (valued)
        cats |= CAT(TCO_CAT_VALUE);
    if (review)
        cats |= CAT(TCO_CAT_SETUP);
    for (size_t j = 0; j < nplat; j++) {
        cats |= CATS_PLATFORM;
        if (((const tco_self_paths *)f->paths[plat[j]].data)->owned)
            cats |= CAT(TCO_CAT_FACILITY);
    }
    if (!m->discount_finite)
        cats = CATS_ALL;
    /* The months' costs are copied out, then cleared as they are booked:
     * the categories the strategy can write are the only ones written, so
     * every entry is +0 again for the next costing. */
    if (bycat)
        memcpy(bycat, C, (size_t)T * TCO_NCAT * sizeof *C);
    book_cats(C, vrow, vstep, m->discount, T, cats, monthly ? monthly : f->totals, &npv, &nominal,
              cat);
    out->npv = npv;
    out->nominal = nominal;
    memcpy(out->cat, cat, sizeof cat);
    if (any_unserved) {
        /* The requests served and unserved, summed in the loop's order. */
        double served = 0, unserved = 0;
        for (int t = 1; t <= T; t++)
            for (size_t k = 0; k < K; k++) {
                double r = f->R[k * (size_t)T + (size_t)(t - 1)];
                if (plan[(size_t)(t - 1) * K + k] < 0)
                    unserved += r;
                else
                    served += r * tok[k];
            }
        out->unserved = unserved;
        if (unserved > 0)
            out->tokens = served;
    }
    for (size_t j = 0; j < nplat; j++)
        out->gpus += f->paths[plat[j]].gpus;
}

void tco_future_cost(tco_future *f, const tco_model *m, size_t s, double *monthly,
                     double *bycat, tco_cost *out)
{
    if (direct_ok(f, m, s)) {
        cost_direct(f, m, s, monthly, bycat, out);
        return;
    }
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const int T = m->T;
    const size_t K = m->K, B = m->B;
    const int *use = m->use + s * B;
    const size_t nuse = m->nuse[s];
    int tau = 0; /* month the switch triggered, 0 = not yet */
    size_t phase = 0;
    int option = -1, charged = 0; /* review: the option in force, the month its cost is due */
    memset(out, 0, sizeof *out);
    out->tokens = f->tokens;
    const int M = st->retire_idle; /* 0: platforms are never retired */
    /* The price indices read, by month (tco_future_event_matters). */
    int *read = f->last_read && !f->masked ? f->last_read + s * B : NULL;
    /* With events left out, resume where the first of them happens, from
     * the state the costing with every event saved there (same bits: the
     * months before are costed alike, and the sums below go on in order). */
    const tco_cost_carry *resume = NULL;
    double *snap = NULL;
    if (f->snap && !f->masked)
        snap = f->snap + s * m->E * f->snap_size;
    else if (f->snap && f->masked && f->snap_valid[s] && !monthly && !bycat && f->mask_from <= T)
        resume = (const void *)(f->snap + (s * m->E + (size_t)f->mask_event) * f->snap_size);
    for (size_t j = 0; j < nuse; j++) {
        int b = use[j];
        if (read)
            read[b] = 0;
        if (resume) {
            const double *sb = (const double *)resume + f->snap_off[b];
            f->adopt[b] = (int)sb[0];
            f->prod[b] = (int)sb[1];
            f->idle[b] = (int)sb[2];
            if (f->type[b]->restore)
                f->type[b]->restore(&f->paths[b], sb + 3);
            continue;
        }
        f->adopt[b] = 0;
        f->prod[b] = f->platform[b] ? TCO_NEVER : 0;
        f->idle[b] = 0;
        if (f->kind[b] == TCO_KIND_SELF)
            tco_self_start(&f->paths[b]);
        else if (f->type[b]->start)
            f->type[b]->start(&f->paths[b]);
    }
    /* Tokens per request of each workload, and the tokens served: used
     * only when a request goes unserved (else every token is served). */
    double tok[TCO_MAX_WORKLOADS], served = 0;
    const double *x = f->x;
    for (size_t k = 0; k < K; k++)
        tok[k] = x[sc->workloads[k].input_tokens] + x[sc->workloads[k].output_tokens];
    /* MODEL.md 19: the value of a served request (none: no work per month). */
    double val[TCO_MAX_WORKLOADS];
    int valued = 0;
    for (size_t k = 0; k < K; k++)
        valued |= (val[k] = tco_workload_value(sc, x, k)) != 0;
    double npv = 0, nominal = 0, cat[TCO_NCAT] = {0}, unserved = 0;
    /* Hoisted: the compiler cannot keep them in registers across the
     * stores to c and the backends' calls. */
    char *const platform = f->platform;
    int *const adopted = f->adopt, *const prod = f->prod;
    double *const load = f->load;
    tco_backend_paths *const paths = f->paths;
    const tco_backend_type *const *const type = f->type;
    const double *const disc = m->discount, *const oneoff = f->oneoff;
    const int first_excl = f->first_excl, switch_kind = (int)st->switch_kind;
    const tco_review *const review = st->review;
    /* The reachable backends that have monthly costs, in use order, with
     * their paths, types' monthly costs and kinds: one load each in the
     * month loop.  An api backend without a fixed monthly cost is left
     * out: it would add zero to c[TCO_CAT_API], which changes no bit of a
     * sum begun at +0 (such a sum is never -0 when rounding to nearest). */
    tco_backend_paths *use_paths[TCO_MAX_BACKENDS];
    void (*use_cost[TCO_MAX_BACKENDS])(tco_backend_paths *, int, int, double, double *);
    char use_platform[TCO_MAX_BACKENDS], use_kind[TCO_MAX_BACKENDS];
    int use_b[TCO_MAX_BACKENDS];
    size_t nmon = 0;
    for (size_t j = 0; j < nuse; j++) {
        int b = use[j];
        if (f->kind[b] == TCO_KIND_API && ((const tco_api_paths *)paths[b].data)->fixed == 0)
            continue;
        use_b[nmon] = b;
        use_paths[nmon] = &paths[b];
        use_cost[nmon] = type[b]->monthly_cost;
        use_platform[nmon] = platform[b];
        use_kind[nmon] = f->kind[b];
        nmon++;
    }
    /* The next month that may change phase. */
    int next_phase = phase + 1 < st->nphases ? st->phases[phase + 1].from_month : TCO_NEVER;
    /* Each month's loads, summed in the month's serving, are zeroed once
     * the backends' monthly costs have read them (those of api backends
     * left out above add up unread). */
    for (size_t j = 0; j < nuse; j++)
        load[use[j]] = 0;
    const int *last_route = NULL;
    int t0 = 1;
    if (resume) {
        t0 = f->mask_from;
        phase = resume->phase;
        tau = resume->tau;
        option = resume->option;
        charged = resume->charged;
        out->switches = resume->switches;
        out->first_switch = resume->first_switch;
        npv = resume->npv;
        nominal = resume->nominal;
        unserved = resume->unserved;
        served = resume->served;
        memcpy(cat, resume->cat, sizeof cat);
        next_phase = phase + 1 < st->nphases ? st->phases[phase + 1].from_month : TCO_NEVER;
    }
    /* The next month whose state is saved. */
    int next_snap = snap ? f->event_next[t0 - 1] : T + 1;
    for (int t = t0; t <= T; t++) {
        if (t == next_snap) {
            next_snap = f->event_next[t];
            tco_cost_carry cc = {phase, tau, option, charged, out->switches, out->first_switch,
                                 npv, nominal, unserved, served, {0}};
            memcpy(cc.cat, cat, sizeof cat);
            for (size_t e = 0; e < m->E; e++) {
                if (f->event_month[e] != t)
                    continue;
                double *sb = snap + e * f->snap_size;
                memcpy(sb, &cc, sizeof cc);
                for (size_t j = 0; j < nuse; j++) {
                    int b = use[j];
                    double *bb = sb + f->snap_off[b];
                    bb[0] = f->adopt[b];
                    bb[1] = f->prod[b];
                    bb[2] = f->idle[b];
                    if (f->type[b]->save)
                        f->type[b]->save(&f->paths[b], bb + 3);
                }
            }
        }
        double c[TCO_NCAT] = {0};
        const int *base;
        if (tau && t > tau) {
            base = st->switch_route;
        } else if (review) {
            base = tco_review_route(st, option);
        } else {
            if (t >= next_phase) {
                while (phase + 1 < st->nphases && st->phases[phase + 1].from_month <= t)
                    phase++;
                next_phase = phase + 1 < st->nphases ? st->phases[phase + 1].from_month : TCO_NEVER;
            }
            base = st->phases[phase].route;
        }
        c[TCO_CAT_EVENTS] = oneoff[t - 1];
        if (t == charged)
            c[TCO_CAT_SETUP] += f->x[st->review->switching_cost];
        /* Retirement first: not routed in months t - M .. t - 1. */
        int retired = 0;
        if (M)
            for (size_t j = 0; j < nuse; j++)
                if (f->idle[use[j]] >= M) {
                    retire(f, use[j], t, c);
                    retired = 1;
                }
        /* Routing with the exclusions in force this month. */
        const int *route = base, *via = NULL;
        if (t >= first_excl) {
            route = route_excluded(f, base, t, K, &c[TCO_CAT_EVENTS]);
            via = f->via;
        }
        /* Adoption: the first month a platform is routed to (again, after a
         * retirement; never again after a failed setup, which stays
         * adopted). */
        /* Last month's route, unchanged and not resolved anew, with no
         * retirement since, has every platform it names adopted. */
        if (route != last_route || route == f->route || retired)
            for (size_t k = 0; k < K; k++) {
                int b = route[k];
                if (platform[b] && !adopted[b])
                    adopt(f, b, t);
            }
        last_route = route;
        if (M)
            count_idle(f, use, nuse, route, K);
        /* Serve each workload. */
        const double *R = f->R + (size_t)(t - 1);
        for (size_t k = 0; k < K; k++) {
            int srv = route[k];
            double r = R[k * (size_t)T];
            if (t < prod[srv]) {
                int v = via ? via[k] : -1;
                const tco_workload *w = &sc->workloads[k];
                if (v >= 0 && t >= prod[v])
                    srv = v; /* the excluded backend serves during the transition */
                else
                    srv = st->fallback;
                if (srv < 0 || (w->allowed && !w->allowed[srv])) {
                    /* Unserved (MODEL.md 15): no backend, no failure cost. */
                    unserved += r;
                    c[TCO_CAT_QUALITY] += r * x[w->unserved_cost];
                    continue;
                }
            }
            served += r * tok[k];
            if (valued)
                c[TCO_CAT_VALUE] -= r * val[k]; /* a request that fails still counts */
            const tco_backend_paths *p = &paths[srv];
            if (p->priced) {
                c[TCO_CAT_API] += p->index[t - 1] * r * p->unit_cost[k];
                if (read)
                    read[srv] = t;
            }
            load[srv] += r * p->unit_load[k];
            c[TCO_CAT_QUALITY] += r * tco_future_fail_cost(f, m, t, (size_t)srv, k);
        }
        /* Each backend's monthly costs: inline for the built-in types,
         * else by a call through its type's table. */
        for (size_t j = 0; j < nmon; j++) {
            int b = use_b[j];
            int a = use_platform[j] ? adopted[b] : 0;
            if (read && a)
                read[b] = t;
            double l = load[b];
            load[b] = 0; /* for the next month */
            if (use_kind[j] == TCO_KIND_API) {
                tco_api_month(use_paths[j], l, c);
            } else if (use_kind[j] == TCO_KIND_SELF) {
                tco_self_month(use_paths[j], t, a, l, c);
            } else {
                use_cost[j](use_paths[j], t, a, l, c);
            }
        }
        double total = 0;
        for (int j = 0; j < TCO_NCAT; j++)
            total += c[j];
        if (switch_kind != TCO_SWITCH_NONE && !tau) {
            double level = switch_kind == TCO_SWITCH_VOLUME ? f->demand[t - 1] : c[TCO_CAT_API];
            if (level > st->switch_threshold) {
                tau = t;
                /* A trigger in month T changes no route (MODEL.md 20). */
                if (t < T) {
                    out->switches = 1;
                    out->first_switch = t + 1;
                }
            }
        }
        /* A review decides at the end of month r for month r + 1 on. */
        review_at(f, m, s, t, &option, &charged, out);
        book_month(c, total, disc[t - 1], &npv, &nominal, cat);
        if (monthly)
            monthly[t - 1] = total;
        if (bycat)
            memcpy(bycat + (size_t)(t - 1) * TCO_NCAT, c, sizeof c);
    }
    out->npv = npv;
    out->nominal = nominal;
    memcpy(out->cat, cat, sizeof cat);
    out->unserved = unserved;
    if (snap)
        f->snap_valid[s] = 1;
    /* Each platform's GPUs as its month-T cost booked them. */
    for (size_t j = 0; j < nuse; j++)
        if (f->platform[use[j]])
            out->gpus += f->paths[use[j]].gpus;
    if (out->unserved > 0)
        out->tokens = served;
}
