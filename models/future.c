/* One future's paths: demand (MODEL.md 3), price indices (4.1, 4.2),
 * operations counts (4.2) and events (7). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"

const char *tco_category_name(tco_category c)
{
    static const char *const names[TCO_NCAT] = {"api",     "compute",    "facility", "staff",
                                                "setup",   "operations", "quality",  "events"};
    return names[c];
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
    for (int t = 1; t <= m->T; t++)
        m->discount[t - 1] = pow(1 + sc->discount_rate, -t / 12.0);
    m->use = malloc((m->S * m->B + 1) * sizeof *m->use);
    m->nuse = calloc(m->S + 1, sizeof *m->nuse);
    char *seen = calloc(m->B + 1, 1);
    if (!m->use || !m->nuse || !seen) {
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
    *out = m;
    return TCO_OK;
}

void tco_model_free(tco_model *m)
{
    if (!m)
        return;
    free(m->discount);
    free(m->use);
    free(m->nuse);
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
    f->R = malloc(T * K * sizeof *f->R);
    f->M = malloc(B * T * sizeof *f->M);
    f->G = malloc(B * T * sizeof *f->G);
    f->ops = malloc(B * T * sizeof *f->ops);
    f->staff = malloc(B * T * sizeof *f->staff);
    f->api_unit = malloc(B * K * sizeof *f->api_unit);
    f->weq = malloc(B * K * sizeof *f->weq);
    f->qual = malloc(B * K * sizeof *f->qual);
    f->bk = malloc(B * sizeof *f->bk);
    f->oneoff = malloc(T * sizeof *f->oneoff);
    f->fleet = malloc(B * sizeof *f->fleet);
    f->held = malloc(B * sizeof *f->held);
    f->event_month = malloc((E + 1) * sizeof *f->event_month);
    f->excl = malloc((E + 1) * sizeof *f->excl);
    f->adopt = malloc(B * sizeof *f->adopt);
    f->route = malloc(K * sizeof *f->route);
    f->via = malloc(K * sizeof *f->via);
    f->load = malloc(B * sizeof *f->load);
    f->coh_month = malloc(B * T * sizeof *f->coh_month);
    f->coh_n = malloc(B * T * sizeof *f->coh_n);
    f->coh_cost = malloc(B * T * sizeof *f->coh_cost);
    f->coh_head = malloc(B * sizeof *f->coh_head);
    f->coh_tail = malloc(B * sizeof *f->coh_tail);
    if (!f->V || !f->R || !f->M || !f->G || !f->ops || !f->staff || !f->api_unit || !f->weq ||
        !f->qual || !f->bk || !f->oneoff || !f->fleet || !f->held || !f->event_month || !f->excl || !f->adopt || !f->route ||
        !f->via || !f->load || !f->coh_month || !f->coh_n || !f->coh_cost || !f->coh_head ||
        !f->coh_tail) {
        tco_future_free(f);
        return NULL;
    }
    return f;
}

void tco_future_free(tco_future *f)
{
    if (!f)
        return;
    free(f->V);
    free(f->R);
    free(f->M);
    free(f->G);
    free(f->ops);
    free(f->staff);
    free(f->api_unit);
    free(f->weq);
    free(f->qual);
    free(f->bk);
    free(f->oneoff);
    free(f->fleet);
    free(f->held);
    free(f->event_month);
    free(f->excl);
    free(f->adopt);
    free(f->route);
    free(f->via);
    free(f->load);
    free(f->coh_month);
    free(f->coh_n);
    free(f->coh_cost);
    free(f->coh_head);
    free(f->coh_tail);
    free(f);
}

static void draw_demand(tco_future *f, const tco_model *m, const double *x, tco_rng *rng)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    size_t K = m->K;
    double v1 = x[sc->volume], g = x[sc->growth];
    double sm = sc->volatility / sqrt(12.0);
    double drift = log1p(g) / 12 - sm * sm / 2;
    double cap = sc->max_multiple > 0 ? sc->max_multiple * v1 : HUGE_VAL;
    double step = exp(drift);
    f->V[0] = v1;
    for (int t = 1; t < T; t++) {
        double v = sm > 0 ? f->V[t - 1] * exp(drift + sm * tco_rng_normal(rng))
                          : f->V[t - 1] * step;
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
    for (int t = 0; t < T; t++) {
        for (size_t k = 0; k < K; k++)
            f->R[(size_t)t * K + k] = f->V[t] * share[k];
        f->tokens += f->V[t] * perreq;
    }
}

static void draw_backends(tco_future *f, const tco_model *m, const double *x, tco_rng *rng,
                          unsigned *clamped)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    size_t K = m->K;
    for (size_t b = 0; b < m->B; b++) {
        const tco_backend *be = &sc->backends[b];
        double *M = f->M + b * (size_t)T, *G = f->G + b * (size_t)T;
        double *ops = f->ops + b * (size_t)T, *staff = f->staff + b * (size_t)T;
        tco_bk *bk = &f->bk[b];
        memset(bk, 0, sizeof *bk);
        bk->self = be->type == TCO_BACKEND_SELF;
        if (!bk->self) {
            bk->fixed = x[be->fixed_monthly];
        } else {
            bk->cloud = be->mode == TCO_GPU_CLOUD;
            bk->lifetime = be->lifetime;
            bk->setup_cost = x[be->setup_cost];
            bk->base_fte = x[be->base_fte];
            bk->den = x[be->throughput] * x[be->utilization] * 3600.0 * TCO_HOURS_PER_MONTH;
            bk->peak = x[be->peak];
            bk->min_gpus = be->min_gpus;
            bk->per_gpu_fte = be->gpus_per_fte > 0 ? 1 / be->gpus_per_fte : 0;
            if (bk->cloud) {
                bk->hour = x[be->hour_price];
            } else {
                bk->purchase = x[be->purchase_price];
                bk->facility = x[be->power_kw] *
                               (x[be->pue] * TCO_HOURS_PER_MONTH * x[be->electricity] +
                                x[be->colocation]);
                bk->maint = x[be->maintenance] / 12;
            }
        }
        for (size_t k = 0; k < K; k++) {
            const tco_workload *w = &sc->workloads[k];
            double in = x[w->input_tokens], out = x[w->output_tokens];
            double fail = (1 - x[be->success[k]]) * x[w->failure_cost];
            f->qual[b * K + k] = fail;
            if (be->type == TCO_BACKEND_API)
                f->api_unit[b * K + k] =
                    (1 - x[be->discount]) * (in * x[be->price_in] + out * x[be->price_out]) / 1e6;
            else
                f->weq[b * K + k] = x[be->input_weight] * in + out;
        }
        if (be->type == TCO_BACKEND_API) {
            double trend = pow(1 + x[be->price_trend], 1.0 / 12);
            M[0] = 1;
            if (be->shock_rate < 0) {
                for (int t = 1; t < T; t++)
                    M[t] = M[t - 1] * trend;
                continue;
            }
            const tco_input *size = &sc->inputs[be->shock_size];
            double mu = x[be->shock_rate] / 12, p0 = exp(-mu);
            for (int t = 1; t < T; t++) {
                double v = M[t - 1] * trend;
                for (double j = tco_rng_poisson_p0(rng, mu, p0); j > 0; j--) {
                    double sz = tco_dist_quantile(&size->dist, tco_rng_uniform(rng));
                    double c = tco_domain_clamp(&size->dom, sz);
                    if (c != sz && clamped)
                        clamped[be->shock_size]++;
                    v *= 1 + c;
                }
                M[t] = v;
            }
            continue;
        }
        /* Self-hosted: GPU price index, setup length, staff and operations. */
        double sm = be->gpu_volatility / sqrt(12.0);
        double drift = log1p(x[be->gpu_trend]) / 12 - sm * sm / 2, step = exp(drift);
        G[0] = 1;
        for (int t = 1; t < T; t++)
            G[t] = sm > 0 ? G[t - 1] * exp(drift + sm * tco_rng_normal(rng)) : G[t - 1] * step;
        bk->setup = (int)fmin(floor(x[be->setup_months] + 0.5), 1e6);
        double fte = x[be->cost_per_fte] / 12, grow = pow(1 + x[be->salary_growth], 1.0 / 12);
        for (int t = 0; t < T; t++) {
            staff[t] = fte;
            fte *= grow;
            ops[t] = 0;
        }
        for (int j = 0; j < 3; j++) {
            const tco_counted *c = &be->ops[j];
            if (c->rate < 0)
                continue;
            double mu = x[c->rate] / 12, p0 = exp(-mu), cost = x[c->cost];
            for (int t = 0; t < T; t++)
                ops[t] += tco_rng_poisson_p0(rng, mu, p0) * cost;
        }
    }
}

static void draw_events(tco_future *f, const tco_model *m, const double *x, tco_rng *rng)
{
    const tco_scenario *sc = m->sc;
    int T = m->T;
    f->nexcl = 0;
    f->first_excl = T + 1;
    for (int t = 0; t < T; t++)
        f->oneoff[t] = 0;
    for (size_t e = 0; e < m->E; e++) {
        const tco_event *ev = &sc->events[e];
        double p = x[ev->probability];
        int month = 0;
        /* The first month with U_t < h is geometric: one draw suffices. */
        if (p >= 1) {
            month = 1;
        } else if (p > 0) {
            double h = -expm1(log1p(-p) / 12);
            double g = floor(log(tco_rng_uniform(rng)) / log1p(-h));
            month = g < T ? 1 + (int)g : 0;
        }
        f->event_month[e] = month;
        if (!month)
            continue;
        if (ev->kind == TCO_EVENT_PRICE) {
            double *idx = (sc->backends[ev->backend].type == TCO_BACKEND_API ? f->M : f->G) +
                          (size_t)ev->backend * (size_t)T;
            double factor = x[ev->factor];
            for (int t = month - 1; t < T; t++)
                idx[t] *= factor;
        } else if (ev->kind == TCO_EVENT_ONE_OFF) {
            f->oneoff[month - 1] += x[ev->cost];
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
            f->excl[i].cost = x[ev->cost];
            if (month < f->first_excl)
                f->first_excl = month;
        }
    }
}

void tco_future_draw(tco_future *f, const tco_model *m, const double *x, tco_rng *rng,
                     unsigned *clamped)
{
    f->x = x;
    draw_demand(f, m, x, rng);
    draw_backends(f, m, x, rng, clamped);
    draw_events(f, m, x, rng);
}

const double *tco_future_volume(const tco_future *f) { return f->V; }

const double *tco_future_api_index(const tco_future *f, size_t backend)
{
    return f->M + backend * (size_t)f->T;
}

const double *tco_future_gpu_index(const tco_future *f, size_t backend)
{
    return f->G + backend * (size_t)f->T;
}

int tco_future_event_month(const tco_future *f, size_t event) { return f->event_month[event]; }
