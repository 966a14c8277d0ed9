/* One future's paths: demand (MODEL.md 3), price indices (4.1, 4.2),
 * operations counts (4.2), events (7) and setups that fail (17). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../sim/vmath.h"
#include "backend_month.h"
#include "model_impl.h"

const char *tco_category_name(tco_category c)
{
    static const char *const names[TCO_NCAT] = {"api",     "compute",    "facility", "staff",
                                                "setup",   "operations", "quality",  "events",
                                                "value"};
    return names[c];
}

/* Whether path begins with prefix, then name, then a dot. */
static int under(const char *path, const char *prefix, const char *name)
{
    size_t lp = strlen(prefix), len = strlen(name);
    return strncmp(path, prefix, lp) == 0 && strncmp(path + lp, name, len) == 0 &&
           path[lp + len] == '.';
}

/* Whose setting a static input is, from its path (its owner's index in
 * *which): a backend's (backends.NAME.) enters only that backend's serve
 * (its type's serve reads its own settings and the workloads') and the
 * costs of the strategies that reach it; an event's (events.NAME.) the
 * events' effects; a strategy's (strategies.NAME.) that strategy's costs
 * alone; the rest (demand, workloads) everything. */
static int input_owner(const tco_scenario *sc, const char *path, int *which)
{
    for (size_t i = 0; i < sc->nbackends; i++)
        if (under(path, "backends.", sc->backends[i].name)) {
            *which = (int)i;
            return TCO_OWNER_BACKEND;
        }
    for (size_t i = 0; i < sc->nevents; i++)
        if (under(path, "events.", sc->events[i].name)) {
            *which = (int)i;
            return TCO_OWNER_EVENT;
        }
    for (size_t i = 0; i < sc->nstrategies; i++)
        if (under(path, "strategies.", sc->strategies[i].name)) {
            *which = (int)i;
            return TCO_OWNER_STRATEGY;
        }
    *which = -1;
    return TCO_OWNER_ALL;
}

int tco_model_input_reaches(const tco_model *m, size_t input, size_t s)
{
    int o = m->owner_of[input];
    switch (m->owner[input]) {
    case TCO_OWNER_BACKEND:
        for (size_t j = 0; j < m->nuse[s]; j++)
            if (m->use[s * m->B + j] == o)
                return 1;
        return 0;
    case TCO_OWNER_EVENT:
        return m->reach[(size_t)o * m->S + s];
    case TCO_OWNER_STRATEGY:
        return (size_t)o == s;
    default:
        return 1;
    }
}

int tco_paths_inputs(const tco_scenario *sc, unsigned char *mark)
{
    memset(mark, 0, sc->ninputs);
    for (size_t b = 0; b < sc->nbackends; b++)
        if (!sc->backends[b].type->random_inputs) {
            memset(mark, 1, sc->ninputs);
            return 0;
        }
    if (sc->volatility > 0)
        mark[sc->growth] = 1;
    for (size_t b = 0; b < sc->nbackends; b++)
        sc->backends[b].type->random_inputs(&sc->backends[b], mark);
    for (size_t e = 0; e < sc->nevents; e++)
        mark[sc->events[e].probability] = 1;
    return 1;
}

tco_status tco_model_alloc(tco_model **out, const tco_scenario *sc, tco_error *err)
{
    tco_model *m = calloc(1, sizeof *m);
    if (!m || !(m->discount = malloc((size_t)sc->horizon * sizeof *m->discount))) {
        free(m);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    m->sc = sc;
    m->T = sc->horizon;
    m->K = sc->nworkloads;
    m->B = sc->nbackends;
    m->S = sc->nstrategies;
    m->E = sc->nevents;
    m->valued = 0;
    for (size_t k = 0; k < sc->nworkloads; k++)
        m->valued |= sc->workloads[k].value_per_request >= 0;
    m->discount_finite = 1;
    for (int t = 1; t <= m->T; t++) {
        m->discount[t - 1] = pow(1 + sc->discount_rate, -t / 12.0);
        m->discount_finite &= isfinite(m->discount[t - 1]) != 0;
    }
    /* A window that covers the horizon changes nothing (MODEL.md 13). */
    m->demand_v2 = sc->nschedule > 0;
    for (size_t k = 0; k < m->K; k++)
        if (sc->workloads[k].start_month > 1 || sc->workloads[k].end_month < m->T)
            m->demand_v2 = 1;
    m->trended = calloc(m->B + 1, 1);
    for (size_t b = 0; m->trended && b < m->B; b++)
        if (sc->backends[b].fail_trend)
            m->qual_by_month = m->trended[b] = 1;
    m->use = malloc((m->S * m->B + 1) * sizeof *m->use);
    m->nuse = calloc(m->S + 1, sizeof *m->nuse);
    char *seen = calloc(m->B + 1, 1);
    if (!m->trended || !m->use || !m->nuse || !seen) {
        free(seen);
        tco_model_free(m);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    for (size_t s = 0; s < m->S; s++) {
        const tco_strategy *st = &sc->strategies[s];
        memset(seen, 0, m->B);
        for (size_t p = 0; p <= st->nphases; p++) {
            const int *route = p < st->nphases ? st->phases[p].route : st->switch_route;
            for (size_t k = 0; route && k < m->K; k++)
                seen[route[k]] = 1;
        }
        for (size_t o = 0; st->review && o < st->review->noptions; o++)
            for (size_t k = 0; k < m->K; k++)
                seen[st->review->options[o].route[k]] = 1;
        if (st->fallback >= 0)
            seen[st->fallback] = 1;
        /* Exclusions can reroute to further backends, in chains. */
        for (size_t pass = 0; pass <= m->E; pass++)
            for (size_t e = 0; e < m->E; e++)
                if (sc->events[e].kind == TCO_EVENT_EXCLUDE && seen[sc->events[e].backend])
                    seen[sc->events[e].reroute] = 1;
        for (size_t b = 0; b < m->B; b++)
            if (seen[b])
                m->use[s * m->B + m->nuse[s]++] = (int)b;
    }
    free(seen);
    unsigned char *mark = malloc(sc->ninputs + 1);
    if (!(m->reach = calloc(m->E * m->S + 1, 1)) || !mark ||
        !(m->path_list = malloc((sc->ninputs + 1) * sizeof *m->path_list))) {
        free(mark);
        tco_model_free(m);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    m->reuse = tco_paths_inputs(sc, mark);
    if (!(m->owner = malloc(sc->ninputs + 1)) ||
        !(m->owner_of = malloc((sc->ninputs + 1) * sizeof *m->owner_of))) {
        free(mark);
        tco_model_free(m);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < sc->ninputs; j++)
        m->owner[j] = (unsigned char)input_owner(sc, sc->inputs[j].path, &m->owner_of[j]);
    for (size_t j = 0; j < sc->ninputs; j++)
        if (mark[j])
            m->path_list[m->npaths++] = (int)j;
    free(mark);
    for (size_t e = 0; e < m->E; e++) {
        const tco_event *ev = &sc->events[e];
        m->price_events |= ev->kind == TCO_EVENT_PRICE;
        for (size_t s = 0; s < m->S; s++) {
            int hit = ev->kind == TCO_EVENT_ONE_OFF;
            for (size_t j = 0; !hit && j < m->nuse[s]; j++)
                hit = m->use[s * m->B + j] == ev->backend;
            m->reach[e * m->S + s] = (unsigned char)hit;
        }
    }
    *out = m;
    return TCO_OK;
}

int tco_model_event_reaches(const tco_model *m, size_t e, size_t s)
{
    return m->reach[e * m->S + s];
}

void tco_model_free(tco_model *m)
{
    if (!m)
        return;
    free(m->discount);
    free(m->trended);
    free(m->use);
    free(m->nuse);
    free(m->reach);
    free(m->path_list);
    free(m->owner);
    free(m->owner_of);
    free(m);
}

tco_future *tco_future_alloc(const tco_model *m)
{
    tco_future *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->T = m->T;
    size_t T = (size_t)m->T, K = m->K, B = m->B, E = m->E;
    f->V = malloc(T * sizeof *f->V);
    f->step = malloc(T * sizeof *f->step);
    f->R = malloc(T * K * sizeof *f->R);
    f->paths = calloc(B + 1, sizeof *f->paths);
    f->type = calloc(B + 1, sizeof *f->type);
    f->platform = calloc(B + 1, 1);
    f->kind = calloc(B + 1, 1);
    f->qual = malloc(B * K * sizeof *f->qual);
    f->oneoff = malloc(T * sizeof *f->oneoff);
    f->totals = malloc(T * sizeof *f->totals);
    f->event_month = malloc((E + 1) * sizeof *f->event_month);
    f->event_memo = calloc(E + 1, sizeof *f->event_memo);
    f->event_hazard = malloc(2 * (E + 1) * sizeof *f->event_hazard);
    f->excl = malloc((E + 1) * sizeof *f->excl);
    f->adopt = malloc(B * sizeof *f->adopt);
    f->prod = malloc(B * sizeof *f->prod);
    f->idle = malloc(B * sizeof *f->idle);
    f->route = malloc(K * sizeof *f->route);
    f->via = malloc(K * sizeof *f->via);
    f->load = malloc(B * sizeof *f->load);
    if (m->price_events &&
        (!(f->base_index = malloc(B * T * sizeof *f->base_index)) || !(f->based = calloc(B, 1)))) {
        tco_future_free(f);
        return NULL;
    }
    if ((m->demand_v2 && !(f->req = malloc(T * sizeof *f->req))) ||
        (m->valued && !(f->value = malloc(T * sizeof *f->value)))) {
        tco_future_free(f);
        return NULL;
    }
    f->demand = m->demand_v2 ? f->req : f->V;
    if (m->qual_by_month && (!(f->qual_month = malloc(T * B * K * sizeof *f->qual_month)) ||
                             !(f->growth = malloc(T * sizeof *f->growth)))) {
        tco_future_free(f);
        return NULL;
    }
    f->rate_load = malloc(B * sizeof *f->rate_load);
    f->rate_reached = calloc(B, 1);
    f->cmonth = calloc(T * TCO_NCAT, sizeof *f->cmonth); /* +0 between costings (cost_direct) */
    f->cload = malloc(B * T * sizeof *f->cload);
    f->plan = malloc(T * K * sizeof *f->plan);
    f->umon = malloc(T);
    f->amon = malloc(B * T * sizeof *f->amon);
    f->rmon = malloc(B * T);
    if (!f->cmonth || !f->cload || !f->plan || !f->umon || !f->amon || !f->rmon || !f->rate_load || !f->rate_reached ||
        !f->V || !f->step || !f->R || !f->paths || !f->type || !f->platform || !f->kind || !f->qual || !f->oneoff || !f->totals ||
        !f->event_month || !f->event_memo || !f->event_hazard || !f->excl || !f->adopt || !f->prod || !f->idle || !f->route || !f->via || !f->load) {
        tco_future_free(f);
        return NULL;
    }
    for (size_t b = 0; b < B; b++) {
        const tco_backend *be = &m->sc->backends[b];
        tco_backend_paths *p = &f->paths[b];
        f->type[b] = be->type;
        f->platform[b] = (char)be->type->platform;
        f->kind[b] = be->type == &tco_backend_api        ? TCO_KIND_API
                     : be->type == &tco_backend_selfhost ? TCO_KIND_SELF
                                                         : TCO_KIND_TABLE;
        p->T = m->T;
        p->K = K;
        p->index = malloc(T * sizeof *p->index);
        p->unit_cost = malloc((K + 1) * sizeof *p->unit_cost);
        p->unit_load = malloc((K + 1) * sizeof *p->unit_load);
        if (!p->index || !p->unit_cost || !p->unit_load ||
            (be->type->alloc && be->type->alloc(p, m->sc, be) != TCO_OK)) {
            tco_future_free(f);
            return NULL;
        }
    }
    return f;
}

void tco_future_free(tco_future *f)
{
    if (!f)
        return;
    for (size_t b = 0; f->paths && f->type && f->type[b]; b++) {
        tco_backend_paths *p = &f->paths[b];
        free(p->index);
        free(p->unit_cost);
        free(p->unit_load);
        if (f->type[b]->free_paths)
            f->type[b]->free_paths(p->data);
    }
    free(f->V);
    free(f->step);
    free(f->R);
    free(f->paths);
    free(f->type);
    free(f->platform);
    free(f->kind);
    free(f->qual);
    free(f->qual_month);
    free(f->snap);
    free(f->snap_off);
    free(f->snap_valid);
    free(f->event_next);
    free(f->growth);
    free(f->req);
    free(f->value);
    free(f->oneoff);
    free(f->totals);
    free(f->event_month);
    free(f->event_memo);
    free(f->event_hazard);
    free(f->base_index);
    free(f->based);
    free(f->last_read);
    free(f->excl);
    free(f->adopt);
    free(f->prod);
    free(f->idle);
    free(f->route);
    free(f->via);
    free(f->load);
    free(f->rate_load);
    free(f->rate_reached);
    free(f->cmonth);
    free(f->cload);
    free(f->plan);
    free(f->umon);
    free(f->amon);
    free(f->rmon);
    free(f);
}

/* Requests after the schedule and the windows (MODEL.md 13):
 * R_{t,k} = mu_t V_t s_k for start_k <= t <= end_k, else 0, with mu_t the
 * multiplier of the last entry from_month <= t (1 without a schedule). */
static void draw_schedule(tco_future *f, const tco_model *m, const double *x,
                          const double *share)
{
    const tco_scenario *sc = m->sc;
    const size_t K = m->K, T = (size_t)m->T;
    size_t e = 0;
    /* Each workload's window and tokens a request, read once (the sums
     * below are the same operations in the same order). */
    double tok[TCO_MAX_WORKLOADS], tokens = f->tokens;
    int from[TCO_MAX_WORKLOADS], to[TCO_MAX_WORKLOADS];
    for (size_t k = 0; k < K; k++) {
        const tco_workload *w = &sc->workloads[k];
        tok[k] = x[w->input_tokens] + x[w->output_tokens];
        from[k] = w->start_month;
        to[k] = w->end_month;
    }
    for (int t = 1; t <= m->T; t++) {
        while (e + 1 < sc->nschedule && sc->schedule[e + 1].from_month <= t)
            e++;
        double v = sc->nschedule ? x[sc->schedule[e].multiplier] * f->V[t - 1] : f->V[t - 1];
        double *R = f->R + (size_t)(t - 1), sum = 0;
        for (size_t k = 0; k < K; k++) {
            double r = t >= from[k] && t <= to[k] ? v * share[k] : 0;
            R[k * T] = r;
            sum += r;
            tokens += r * tok[k];
        }
        f->req[t - 1] = sum;
    }
    f->tokens = tokens;
}

/* The value of every month's requests (tco_future.value), as cost_direct
 * subtracts it month by month when all are served. */
static void value_of_requests(tco_future *f, const tco_model *m, const double *x)
{
    const tco_scenario *sc = m->sc;
    const size_t T = (size_t)m->T, K = m->K;
    double val[TCO_MAX_WORKLOADS];
    for (size_t k = 0; k < K; k++)
        val[k] = tco_workload_value(sc, x, k);
    double *v = f->value;
    for (size_t t = 0; t < T; t++)
        v[t] = 0;
    for (size_t k = 0; k < K; k++) {
        const double *R = f->R + k * T;
        for (size_t t = 0; t < T; t++)
            v[t] -= R[t] * val[k];
    }
}

/* The demand paths from the volume x[volume] and the month-on-month steps
 * f->step (draw_steps, serve_demand; MODEL.md 3): V_1 = volume, V_t = min(V_{t-1}
 * step_t, cap); then each workload's requests and the tokens. */
static void demand_from_steps(tco_future *f, const tco_model *m, const double *x)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    size_t K = m->K;
    double v1 = x[sc->volume];
    double cap = sc->max_multiple > 0 ? sc->max_multiple * v1 : HUGE_VAL;
    f->V[0] = v1;
    for (int t = 1; t < T; t++) {
        double v = f->V[t - 1] * f->step[t];
        f->V[t] = v < cap ? v : cap;
    }
    /* Shares, normalised per future; all zero means equal shares. */
    double total = 0, perreq = 0;
    double share[TCO_MAX_WORKLOADS];
    for (size_t k = 0; k < K; k++)
        total += share[k] = x[sc->workloads[k].share];
    for (size_t k = 0; k < K; k++) {
        share[k] = total > 0 ? share[k] / total : 1.0 / (double)K;
        perreq += share[k] * (x[sc->workloads[k].input_tokens] + x[sc->workloads[k].output_tokens]);
    }
    f->tokens = 0;
    if (m->demand_v2) {
        draw_schedule(f, m, x, share);
    } else {
        for (size_t k = 0; k < K; k++)
            for (int t = 0; t < T; t++)
                f->R[k * (size_t)T + (size_t)t] = f->V[t] * share[k];
        for (int t = 0; t < T; t++)
            f->tokens += f->V[t] * perreq;
    }
    if (m->valued)
        value_of_requests(f, m, x);
}

/* The steps are the only random part of demand: the volume scales the
 * path through demand_from_steps alone (tco_future_redraw_demand).  With
 * no volatility the steps are the drift's, computed by serve_demand. */
static void draw_steps(tco_future *f, const tco_model *m, const double *x, tco_rng *rng)
{
    const tco_scenario *sc = m->sc;
    double sm = sc->volatility / sqrt(12.0);
    if (!(sm > 0))
        return;
    double drift = log1p(x[sc->growth]) / 12 - sm * sm / 2;
    f->step[0] = 1;
    for (int t = 1; t < m->T; t++)
        f->step[t] = drift + sm * tco_rng_normal(rng);
    tco_vmath_exp(f->step + 1, f->step + 1, (size_t)m->T - 1);
}

static void serve_demand(tco_future *f, const tco_model *m, const double *x)
{
    const tco_scenario *sc = m->sc;
    double sm = sc->volatility / sqrt(12.0);
    if (!(sm > 0)) {
        double step = exp(log1p(x[sc->growth]) / 12 - sm * sm / 2);
        f->step[0] = 1;
        for (int t = 1; t < m->T; t++)
            f->step[t] = step;
    }
    demand_from_steps(f, m, x);
}

/* min(1, v) as fmin(1, v) gives it (1 for a NaN v, -0 kept), without
 * the call to the library's fmin in the month loop. */
static inline double cap1(double v)
{
    return v < 1 ? v : 1;
}

/* q[i] = cap1(base * g[i] * mult) * cost, i < n: two at a time in SSE2
 * lanes, where MINPD is the comparison v < 1 ? v : 1 of cap1 (1 for a
 * NaN, -0 kept), the same bits. */
static void caps(double *restrict q, const double *restrict g, size_t n, double base,
                 double mult, double cost)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128d vb = _mm_set1_pd(base), vm = _mm_set1_pd(mult), vc = _mm_set1_pd(cost);
    const __m128d one = _mm_set1_pd(1.0);
    for (; i + 2 <= n; i += 2) {
        __m128d v = _mm_mul_pd(_mm_mul_pd(vb, _mm_loadu_pd(g + i)), vm);
        _mm_storeu_pd(q + i, _mm_mul_pd(_mm_min_pd(v, one), vc));
    }
#endif
    for (; i < n; i++)
        q[i] = cap1(base * g[i] * mult) * cost;
}

/* Failure probabilities that change with time and fine-tuning (MODEL.md 12):
 * F_{b,k,t} = min(1, (1 - success_rate) (1 + tau)^((t - 1) / 12) m), the
 * trend on calendar months.  qual holds month 1's expected failure cost,
 * qual_month every month's for a backend with a trend (the others' rows
 * are not written: tco_future_fail_cost reads qual for them). */
static void draw_capability(tco_future *f, const tco_model *m, size_t b, const double *x)
{
    const tco_scenario *sc = m->sc;
    const tco_backend *be = &sc->backends[b];
    size_t K = m->K;
    /* The growth factors (1 + tau)^((t - 1) / 12) of the last trend
     * computed, in f->growth: workloads that share a trend input (a plain
     * quantity is one input for all) reuse them. */
    int have = -2;
    for (size_t k = 0; k < K; k++) {
        const tco_workload *w = &sc->workloads[k];
        double base = 1 - x[be->success[k]], cost = x[w->failure_cost];
        double mult = be->fail_mult && be->fail_mult[k] >= 0 ? x[be->fail_mult[k]] : 1;
        int in = be->fail_trend ? be->fail_trend[k] : -1;
        double tau = in >= 0 ? x[in] : 0;
        double F = cap1(base * mult);
        f->qual[b * K + k] = F * cost;
        if (!be->fail_trend)
            continue;
        /* A certain success (or m = 0) stays one however steep the trend,
         * where the product would read 0 times infinity. */
        double *q = f->qual_month + (b * K + k) * (size_t)m->T;
        if (base == 0 || mult == 0) {
            for (int t = 1; t <= m->T; t++)
                q[t - 1] = 0 * cost;
            continue;
        }
        if (in != have) {
            /* (1 + tau)^((t - 1) / 12): a power each twelve months
             * (exact at months 1, 13, 25, ...), times (1 + tau)^(1/12)
             * month by month in between (within a few units in the
             * last place of the power itself).  The first two powers
             * are 1 and 1 + tau: pow(x, 0) is 1 and pow(x, 1) is x (its
             * error is within 0.52 units in the last place, and x is a
             * double), so they are not called for. */
            const double x1 = 1 + tau, step = pow(x1, 1.0 / 12);
            double v = 1;
            for (int t = 1; t <= m->T; t++) {
                if (t > 1)
                    v = (t - 1) % 12 ? v * step : t == 13 ? x1 : pow(x1, (t - 1) / 12.0);
                f->growth[t - 1] = v;
            }
            have = in;
        }
        caps(q, f->growth, (size_t)m->T, base, mult, cost);
    }
}

/* Backend b's unit costs, what its type computes from x beyond its
 * random paths, and the expected failure cost of one request of each
 * workload (MODEL.md 4.3). */
static void serve_backend(tco_future *f, const tco_model *m, size_t b, const double *x)
{
    const tco_scenario *sc = m->sc;
    const tco_backend *be = &sc->backends[b];
    size_t K = m->K;
    be->type->serve(&f->paths[b], sc, be, x);
    if (!be->fail_trend && !be->fail_mult) {
        for (size_t k = 0; k < K; k++) {
            const tco_workload *w = &sc->workloads[k];
            f->qual[b * K + k] = (1 - x[be->success[k]]) * x[w->failure_cost];
        }
    } else {
        draw_capability(f, m, b, x);
    }
}

/* Serving again, the price indices that events changed are first put back
 * as drawn (base_index), for the types that keep their drawn index. */
static void unapply_events(tco_future *f, const tco_model *m)
{
    for (size_t b = 0; f->served && f->based && b < m->B; b++)
        if (f->based[b])
            memcpy(f->paths[b].index, f->base_index + b * (size_t)m->T,
                   (size_t)m->T * sizeof(double));
}

/* The events' effects (MODEL.md 7) from their drawn months, those in mask
 * (when not NULL) left out: price indices multiplied from month E on, in
 * event order, one-off costs by month, exclusions sorted by month. */
static void apply_events(tco_future *f, const tco_model *m, const unsigned char *mask)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    f->nexcl = 0;
    f->first_excl = T + 1;
    f->masked = 0;
    f->mask_from = T + 1;
    f->mask_event = -1;
    for (size_t e = 0; mask && e < m->E; e++)
        if (mask[e] && f->event_month[e]) {
            f->masked = 1;
            if (f->event_month[e] < f->mask_from) {
                f->mask_from = f->event_month[e];
                f->mask_event = (int)e;
            }
        }
    if (f->snap && !mask) {
        /* Every event as drawn (a new future, or the drawn one again):
         * costings save their state anew. */
        memset(f->snap_valid, 0, m->S);
        for (int t = 0; t <= T; t++)
            f->event_next[t] = T + 1;
        for (size_t e = 0; e < m->E; e++)
            if (f->event_month[e])
                f->event_next[f->event_month[e] - 1] = f->event_month[e];
        for (int t = T - 1; t >= 0; t--)
            if (f->event_next[t] > T)
                f->event_next[t] = f->event_next[t + 1];
    }
    for (int t = 0; t < T; t++)
        f->oneoff[t] = 0;
    f->any_oneoff = 0;
    for (size_t b = 0; f->based && b < m->B; b++)
        if (f->based[b])
            memcpy(f->paths[b].index, f->base_index + b * (size_t)T, (size_t)T * sizeof(double));
    for (size_t e = 0; e < m->E; e++) {
        const tco_event *ev = &sc->events[e];
        int month = f->event_month[e];
        if (!month || (mask && mask[e]))
            continue;
        if (ev->kind == TCO_EVENT_PRICE) {
            double *idx = f->paths[ev->backend].index;
            double factor = f->x[ev->factor];
            for (int t = month - 1; t < T; t++)
                idx[t] *= factor;
        } else if (ev->kind == TCO_EVENT_ONE_OFF) {
            f->oneoff[month - 1] += f->x[ev->cost];
            f->any_oneoff = 1;
        } else {
            /* Keep the exclusions sorted by month (stable for equal months). */
            size_t i = f->nexcl++;
            while (i > 0 && f->excl[i - 1].month > month) {
                f->excl[i] = f->excl[i - 1];
                i--;
            }
            f->excl[i].month = month;
            f->excl[i].from = ev->backend;
            f->excl[i].to = ev->reroute;
            f->excl[i].cost = f->x[ev->cost];
            if (month < f->first_excl)
                f->first_excl = month;
        }
    }
}

/* Each event's month: the first month with U_t < h is geometric, one
 * draw suffices. */
static void draw_event_months(tco_future *f, const tco_model *m, const double *x, tco_rng *rng)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    for (size_t e = 0; e < m->E; e++) {
        const tco_event *ev = &sc->events[e];
        double p = x[ev->probability];
        int month = 0;
        if (p >= 1) {
            month = 1;
        } else if (p > 0) {
            double *h = f->event_hazard + 2 * e;
            if (!tco_memo_hit(&f->event_memo[e], p, 0)) {
                h[0] = -expm1(log1p(-p) / 12);
                h[1] = log1p(-h[0]);
            }
            double g = floor(log(tco_rng_uniform(rng)) / h[1]);
            month = g < T ? 1 + (int)g : 0;
        }
        f->event_month[e] = month;
    }
}

/* The events' effects: the price indices that an event changes are kept
 * as they are before it, for tco_future_mask_events and for serving
 * again. */
static void serve_events(tco_future *f, const tco_model *m)
{
    const tco_scenario *sc = m->sc;
    size_t T = (size_t)m->T;
    if (f->based)
        memset(f->based, 0, m->B);
    for (size_t e = 0; e < m->E; e++) {
        const tco_event *ev = &sc->events[e];
        if (f->event_month[e] && ev->kind == TCO_EVENT_PRICE && !f->based[ev->backend]) {
            f->based[ev->backend] = 1;
            memcpy(f->base_index + (size_t)ev->backend * T, f->paths[ev->backend].index,
                   T * sizeof(double));
        }
    }
    apply_events(f, m, NULL);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The tag of the stream of setup failures, derived from a future's stream. */
#define SETUP_FAILURE_STREAM 0x5e7f41u

/* Setup failures (MODEL.md 17): one uniform per platform backend, in
 * backend order, from a stream derived from the future's own (its state
 * when the draw began, hashed with a tag by splitmix64), so that the
 * future's own draws (demand, prices, counts, events) are those of version
 * 1 whatever the setups' failure probabilities.  The derived stream is made
 * only in futures where some setup can fail; otherwise no setup fails, as
 * its uniforms would have decided. */
static void draw_setup_failures(tco_future *f, const tco_model *m, const tco_rng *start)
{
    int any = 0;
    for (size_t b = 0; b < m->B; b++) {
        tco_backend_paths *p = &f->paths[b];
        p->setup_failed = 0;
        any |= f->platform[b] && p->setup >= 1 && p->setup_failure > 0;
    }
    if (!any)
        return;
    uint64_t h = SETUP_FAILURE_STREAM;
    for (int i = 0; i < 4; i++)
        h = splitmix64(&h) ^ start->s[i];
    tco_rng r = {{0, 0, 0, 0}, start->zig};
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix64(&h);
    if (!(r.s[0] | r.s[1] | r.s[2] | r.s[3]))
        r.s[0] = 1;
    for (size_t b = 0; b < m->B; b++) {
        if (!f->platform[b])
            continue;
        tco_backend_paths *p = &f->paths[b];
        double u = tco_rng_uniform(&r);
        p->setup_failed = p->setup >= 1 && u < p->setup_failure;
    }
}

/* Everything of the future that x gives without the stream, from the
 * random paths drawn. */
static void serve(tco_future *f, const tco_model *m)
{
    serve_demand(f, m, f->x);
    unapply_events(f, m);
    for (size_t b = 0; b < m->B; b++)
        serve_backend(f, m, b, f->x);
    serve_events(f, m);
    draw_setup_failures(f, m, &f->start);
    f->served = 1;
}

/* The stream's order: the demand's steps, each backend's draw in backend
 * order, the events' months; then what x gives (serve). */
void tco_future_draw(tco_future *f, const tco_model *m, const double *x, tco_rng *rng,
                     unsigned *clamped)
{
    const tco_scenario *sc = m->sc;
    f->start = *rng;
    f->x = x;
    draw_steps(f, m, x, rng);
    for (size_t b = 0; b < m->B; b++)
        sc->backends[b].type->draw(&f->paths[b], sc, &sc->backends[b], x, rng, clamped);
    draw_event_months(f, m, x, rng);
    f->served = 0;
    serve(f, m);
}

void tco_future_serve_again(tco_future *f, const tco_model *m)
{
    serve(f, m);
}

void tco_future_serve_inputs(tco_future *f, const tco_model *m, const int *changed, size_t n)
{
    unsigned char again[TCO_MAX_BACKENDS] = {0};
    int backends = 0, events = 0;
    for (size_t i = 0; i < n; i++) {
        int o = m->owner[changed[i]];
        if (o == TCO_OWNER_ALL) {
            serve(f, m);
            return;
        }
        if (o == TCO_OWNER_BACKEND)
            backends |= again[m->owner_of[changed[i]]] = 1;
        events |= o == TCO_OWNER_EVENT;
    }
    if (f->snap)
        memset(f->snap_valid, 0, m->S);
    if (!backends && !events)
        return;
    unapply_events(f, m);
    for (size_t b = 0; b < m->B; b++)
        if (again[b])
            serve_backend(f, m, b, f->x);
    serve_events(f, m);
    if (backends)
        draw_setup_failures(f, m, &f->start);
}

int tco_future_same_paths(const tco_model *m, const double *x, const double *y)
{
    if (!m->reuse)
        return 0;
    for (size_t j = 0; j < m->npaths; j++)
        if (memcmp(&x[m->path_list[j]], &y[m->path_list[j]], sizeof *x) != 0)
            return 0;
    return 1;
}

void tco_future_use_tables(tco_future *f, const tco_model *m)
{
    memset(f->kind, TCO_KIND_TABLE, m->B);
}

void tco_future_redraw_demand(tco_future *f, const tco_model *m)
{
    demand_from_steps(f, m, f->x);
}

const double *tco_future_volume(const tco_future *f) { return f->V; }

const double *tco_future_price_index(const tco_future *f, size_t backend)
{
    return f->paths[backend].index;
}

int tco_future_event_month(const tco_future *f, size_t event) { return f->event_month[event]; }

void tco_future_mask_events(tco_future *f, const tco_model *m, const unsigned char *mask)
{
    apply_events(f, m, mask);
}

tco_status tco_future_track_reads(tco_future *f, const tco_model *m)
{
    if (m->price_events && !f->last_read &&
        !(f->last_read = calloc(m->S * m->B + 1, sizeof *f->last_read)))
        return TCO_ENOMEM;
    if (f->snap || !m->E)
        return TCO_OK;
    /* Snapshots only when every type with per-strategy state can save it. */
    size_t size = (sizeof(tco_cost_carry) + sizeof(double) - 1) / sizeof(double);
    for (size_t b = 0; b < m->B; b++)
        if (f->type[b]->start && !(f->type[b]->state_size && f->type[b]->save &&
                                   f->type[b]->restore))
            return TCO_OK;
    if (!(f->snap_off = malloc(m->B * sizeof *f->snap_off)))
        return TCO_ENOMEM;
    for (size_t b = 0; b < m->B; b++) {
        f->snap_off[b] = size;
        size += 3 + (f->type[b]->state_size ? f->type[b]->state_size(&f->paths[b]) : 0);
    }
    f->snap_size = size;
    if (!(f->snap = malloc(m->S * m->E * size * sizeof *f->snap)) ||
        !(f->snap_valid = calloc(m->S, 1)) || !(f->event_next = calloc((size_t)m->T + 1, sizeof *f->event_next))) {
        free(f->snap);
        f->snap = NULL;
        return TCO_ENOMEM;
    }
    return TCO_OK;
}

int tco_future_event_matters(const tco_future *f, const tco_model *m, size_t e, size_t s)
{
    const tco_event *ev = &m->sc->events[e];
    int month = f->event_month[e];
    if (!month || !m->reach[e * m->S + s])
        return 0;
    /* A review reads the price indices of every option (MODEL.md 18). */
    if (ev->kind != TCO_EVENT_PRICE || m->sc->strategies[s].review || !f->last_read)
        return 1;
    return f->last_read[s * m->B + (size_t)ev->backend] >= month;
}

double tco_future_event_npv(const tco_future *f, const tco_model *m, size_t e)
{
    const tco_event *ev = &m->sc->events[e];
    if (ev->kind != TCO_EVENT_ONE_OFF)
        return NAN;
    int month = f->event_month[e];
    return month ? m->discount[month - 1] * f->x[ev->cost] : 0;
}
