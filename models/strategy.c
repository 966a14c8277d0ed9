/* The monthly cost of a strategy on a drawn future: routes, phases and
 * switches (MODEL.md 6), adoption, setup and fallback (4.2), api and
 * self-hosted costs (4.1, 4.2), quality (4.3) and event costs (7). */
#include <math.h>
#include <string.h>

#include "model_impl.h"

/* The backend that workload traffic for r reaches in month t once the
 * exclusions that happened in months before `before` are applied; *via
 * receives the last excluded backend on the way (or -1). */
static int resolve(const tco_future *f, int r, int before, int *via)
{
    *via = -1;
    /* Each pass follows at most one more exclusion; nexcl passes suffice. */
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

static int in_production(const tco_future *f, int b, int t)
{
    return f->adopt[b] && t >= f->adopt[b] + f->setup[b];
}

void tco_future_cost(tco_future *f, const tco_model *m, size_t s, double *monthly,
                     double *bycat, tco_cost *out)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const double *x = f->x;
    const int T = m->T;
    const size_t K = m->K, B = m->B;
    int tau = 0;     /* month the switch triggered, 0 = not yet */
    size_t phase = 0;
    memset(out, 0, sizeof *out);
    out->tokens = f->tokens;
    for (size_t b = 0; b < B; b++) {
        f->adopt[b] = 0;
        f->coh_head[b] = f->coh_tail[b] = 0;
    }
    double npv = 0, nominal = 0;
    for (int t = 1; t <= T; t++) {
        double c[TCO_NCAT] = {0};
        const int *base;
        if (tau && t > tau) {
            base = st->switch_route;
        } else {
            while (phase + 1 < st->nphases && st->phases[phase + 1].from_month <= t)
                phase++;
            base = st->phases[phase].route;
        }
        /* Routing with the exclusions in force this month. */
        if (t < f->first_excl) {
            for (size_t k = 0; k < K; k++) {
                f->route[k] = base[k];
                f->via[k] = -1;
            }
        } else {
            for (size_t k = 0; k < K; k++)
                f->route[k] = resolve(f, base[k], t + 1, &f->via[k]);
        }
        /* Event costs of this month. */
        for (size_t e = 0; e < m->E; e++) {
            if (f->event_month[e] != t)
                continue;
            const tco_event *ev = &sc->events[e];
            if (ev->kind == TCO_EVENT_ONE_OFF) {
                c[TCO_CAT_EVENTS] += x[ev->cost];
            } else if (ev->kind == TCO_EVENT_EXCLUDE) {
                /* Charged when this month's routing, before this exclusion
                 * (exclusions of earlier months applied), reaches it. */
                int hit = 0, via;
                for (size_t k = 0; k < K && !hit; k++)
                    hit = resolve(f, base[k], t, &via) == ev->backend;
                if (hit)
                    c[TCO_CAT_EVENTS] += x[ev->cost];
            }
        }
        /* Adoption: the first month a self-hosted backend is routed to. */
        for (size_t k = 0; k < K; k++) {
            int b = f->route[k];
            if (sc->backends[b].type == TCO_BACKEND_SELF && !f->adopt[b])
                f->adopt[b] = t;
        }
        /* Serve each workload. */
        for (size_t b = 0; b < B; b++)
            f->load[b] = 0;
        const double *R = f->R + (size_t)(t - 1) * K;
        for (size_t k = 0; k < K; k++) {
            int srv = f->route[k];
            if (sc->backends[srv].type == TCO_BACKEND_SELF && !in_production(f, srv, t)) {
                int v = f->via[k];
                if (v >= 0 && (sc->backends[v].type == TCO_BACKEND_API || in_production(f, v, t)))
                    srv = v; /* the excluded backend serves during the transition */
                else
                    srv = st->fallback;
            }
            if (srv < 0)
                continue; /* cannot happen in a validated scenario */
            double r = R[k];
            if (sc->backends[srv].type == TCO_BACKEND_API) {
                c[TCO_CAT_API] += f->M[(size_t)srv * (size_t)T + (size_t)(t - 1)] * r *
                                  f->api_unit[(size_t)srv * K + k];
                f->load[srv] += r;
            } else {
                f->load[srv] += r * f->weq[(size_t)srv * K + k];
            }
            c[TCO_CAT_QUALITY] += r * f->qual[(size_t)srv * K + k];
        }
        for (size_t b = 0; b < B; b++) {
            const tco_backend *be = &sc->backends[b];
            if (be->type == TCO_BACKEND_API) {
                if (f->load[b] > 0)
                    c[TCO_CAT_API] += x[be->fixed_monthly];
                continue;
            }
            int a = f->adopt[b];
            if (!a)
                continue;
            double fte = f->staff[b * (size_t)T + (size_t)(t - 1)];
            if (t == a)
                c[TCO_CAT_SETUP] += x[be->setup_cost];
            if (t < a + f->setup[b]) {
                c[TCO_CAT_STAFF] += x[be->base_fte] * fte;
                continue;
            }
            double need = ceil(f->load[b] * x[be->peak] /
                               (x[be->throughput] * x[be->utilization] * 3600.0 *
                                TCO_HOURS_PER_MONTH));
            double n = need > be->min_gpus ? need : be->min_gpus;
            double gt = f->G[b * (size_t)T + (size_t)(t - 1)];
            if (be->mode == TCO_GPU_CLOUD) {
                c[TCO_CAT_COMPUTE] += n * TCO_HOURS_PER_MONTH * x[be->hour_price] * gt;
            } else {
                size_t off = b * (size_t)T;
                int *head = &f->coh_head[b], *tail = &f->coh_tail[b];
                while (*head < *tail && t - f->coh_month[off + (size_t)*head] >= be->lifetime)
                    (*head)++;
                double fleet = 0;
                for (int i = *head; i < *tail; i++)
                    fleet += f->coh_n[off + (size_t)i];
                if (n > fleet) {
                    double cost = (n - fleet) * x[be->purchase_price] * gt;
                    f->coh_month[off + (size_t)*tail] = t;
                    f->coh_n[off + (size_t)*tail] = n - fleet;
                    f->coh_cost[off + (size_t)*tail] = cost;
                    (*tail)++;
                    c[TCO_CAT_COMPUTE] += cost;
                    fleet = n;
                }
                double held = 0;
                for (int i = *head; i < *tail; i++)
                    held += f->coh_cost[off + (size_t)i];
                c[TCO_CAT_FACILITY] +=
                    fleet * x[be->power_kw] *
                        (x[be->pue] * TCO_HOURS_PER_MONTH * x[be->electricity] + x[be->colocation]) +
                    x[be->maintenance] / 12 * held;
                if (t == T) {
                    /* Book value of the cohorts held is credited at the horizon. */
                    for (int i = *head; i < *tail; i++) {
                        double age = T - f->coh_month[off + (size_t)i] + 1;
                        double left = 1 - age / be->lifetime;
                        c[TCO_CAT_COMPUTE] -= f->coh_cost[off + (size_t)i] * (left > 0 ? left : 0);
                    }
                }
            }
            double ftes = x[be->base_fte] + (be->gpus_per_fte > 0 ? n / be->gpus_per_fte : 0);
            c[TCO_CAT_STAFF] += ftes * fte;
            c[TCO_CAT_OPERATIONS] += f->ops[b * (size_t)T + (size_t)(t - 1)];
        }
        double total = 0;
        for (int j = 0; j < TCO_NCAT; j++)
            total += c[j];
        if (st->switch_kind != TCO_SWITCH_NONE && !tau) {
            double level = st->switch_kind == TCO_SWITCH_VOLUME ? f->V[t - 1] : c[TCO_CAT_API];
            if (level > st->switch_threshold)
                tau = t;
        }
        double d = m->discount[t - 1];
        npv += d * total;
        nominal += total;
        for (int j = 0; j < TCO_NCAT; j++)
            out->cat[j] += d * c[j];
        f->cum[t - 1] = nominal;
        if (monthly)
            monthly[t - 1] = total;
        if (bycat)
            memcpy(bycat + (size_t)(t - 1) * TCO_NCAT, c, sizeof c);
    }
    out->npv = npv;
    out->nominal = nominal;
    if (s == 0) {
        memcpy(f->base_cum, f->cum, (size_t)T * sizeof *f->cum);
        out->breakeven = 1;
    } else {
        int from = T + 1;
        for (int t = T; t >= 1 && f->cum[t - 1] <= f->base_cum[t - 1]; t--)
            from = t;
        out->breakeven = from <= T ? from : 0;
    }
}
