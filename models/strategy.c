/* The monthly cost of a strategy on a drawn future: routes, phases and
 * switches (MODEL.md 6), adoption, setup and fallback (4.2), api and
 * self-hosted costs (4.1, 4.2), quality (4.3) and event costs (7). */
#include <math.h>
#include <string.h>

#include "model_impl.h"

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

/* Month from which backend b is in production (adopted and set up), or a
 * month past the horizon when it is not adopted. */
static int production_from(const tco_future *f, int b)
{
    return f->adopt[b] ? f->adopt[b] + f->bk[b].setup : 1 << 30;
}

/* Owned GPUs at the start of month t: retire, then buy up to n. */
static double owned_month(tco_future *f, int b, int t, double n, double gt, double *c)
{
    const tco_bk *bk = &f->bk[b];
    size_t off = (size_t)b * (size_t)f->T;
    int *head = &f->coh_head[b], *tail = &f->coh_tail[b];
    int retired = 0;
    while (*head < *tail && t - f->coh_month[off + (size_t)*head] >= bk->lifetime) {
        f->fleet[b] -= f->coh_n[off + (size_t)*head];
        (*head)++;
        retired = 1;
    }
    if (retired) {
        /* Sum what is held afresh, in purchase order, as a reader would. */
        double held = 0;
        for (int i = *head; i < *tail; i++)
            held += f->coh_cost[off + (size_t)i];
        f->held[b] = held;
    }
    if (n > f->fleet[b]) {
        double buy = n - f->fleet[b], cost = buy * bk->purchase * gt;
        f->coh_month[off + (size_t)*tail] = t;
        f->coh_n[off + (size_t)*tail] = buy;
        f->coh_cost[off + (size_t)*tail] = cost;
        (*tail)++;
        c[TCO_CAT_COMPUTE] += cost;
        f->fleet[b] = n;
        f->held[b] += cost;
    }
    c[TCO_CAT_FACILITY] += f->fleet[b] * bk->facility + bk->maint * f->held[b];
    if (t == f->T) {
        /* Book value of the cohorts held is credited at the horizon. */
        for (int i = *head; i < *tail; i++) {
            double age = f->T - f->coh_month[off + (size_t)i] + 1;
            double left = 1 - age / bk->lifetime;
            c[TCO_CAT_COMPUTE] -= f->coh_cost[off + (size_t)i] * (left > 0 ? left : 0);
        }
    }
    return n;
}

void tco_future_cost(tco_future *f, const tco_model *m, size_t s, double *monthly,
                     double *bycat, tco_cost *out)
{
    const tco_scenario *sc = m->sc;
    const tco_strategy *st = &sc->strategies[s];
    const int T = m->T;
    const size_t K = m->K, B = m->B;
    const int *use = m->use + s * B;
    const size_t nuse = m->nuse[s];
    int tau = 0; /* month the switch triggered, 0 = not yet */
    size_t phase = 0;
    memset(out, 0, sizeof *out);
    out->tokens = f->tokens;
    for (size_t j = 0; j < nuse; j++) {
        int b = use[j];
        f->adopt[b] = 0;
        f->coh_head[b] = f->coh_tail[b] = 0;
        f->fleet[b] = f->held[b] = 0;
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
        c[TCO_CAT_EVENTS] = f->oneoff[t - 1];
        /* Routing with the exclusions in force this month. */
        const int *route = base, *via = NULL;
        if (t >= f->first_excl) {
            for (size_t k = 0; k < K; k++)
                f->route[k] = resolve(f, base[k], t + 1, &f->via[k]);
            route = f->route;
            via = f->via;
            /* An exclusion of this month costs the strategies whose routing,
             * before it (earlier exclusions applied), reaches the backend. */
            for (size_t i = 0; i < f->nexcl && f->excl[i].month <= t; i++) {
                if (f->excl[i].month != t)
                    continue;
                int hit = 0, v;
                for (size_t k = 0; k < K && !hit; k++)
                    hit = resolve(f, base[k], t, &v) == f->excl[i].from;
                if (hit)
                    c[TCO_CAT_EVENTS] += f->excl[i].cost;
            }
        }
        /* Adoption: the first month a self-hosted backend is routed to. */
        for (size_t k = 0; k < K; k++) {
            int b = route[k];
            if (f->bk[b].self && !f->adopt[b])
                f->adopt[b] = t;
        }
        for (size_t j = 0; j < nuse; j++)
            f->load[use[j]] = 0;
        /* Serve each workload. */
        const double *R = f->R + (size_t)(t - 1) * K;
        for (size_t k = 0; k < K; k++) {
            int srv = route[k];
            if (f->bk[srv].self && t < production_from(f, srv)) {
                int v = via ? via[k] : -1;
                if (v >= 0 && (!f->bk[v].self || t >= production_from(f, v)))
                    srv = v; /* the excluded backend serves during the transition */
                else
                    srv = st->fallback;
                if (srv < 0)
                    continue; /* no fallback and nothing else can serve */
            }
            double r = R[k];
            size_t bk = (size_t)srv * K + k;
            if (!f->bk[srv].self) {
                c[TCO_CAT_API] += f->M[(size_t)srv * (size_t)T + (size_t)(t - 1)] * r * f->api_unit[bk];
                f->load[srv] += r;
            } else {
                f->load[srv] += r * f->weq[bk];
            }
            c[TCO_CAT_QUALITY] += r * f->qual[bk];
        }
        for (size_t j = 0; j < nuse; j++) {
            int b = use[j];
            const tco_bk *bk = &f->bk[b];
            if (!bk->self) {
                if (f->load[b] > 0)
                    c[TCO_CAT_API] += bk->fixed;
                continue;
            }
            int a = f->adopt[b];
            if (!a)
                continue;
            size_t bt = (size_t)b * (size_t)T + (size_t)(t - 1);
            double fte = f->staff[bt];
            if (t == a)
                c[TCO_CAT_SETUP] += bk->setup_cost;
            if (t < a + bk->setup) {
                c[TCO_CAT_STAFF] += bk->base_fte * fte;
                continue;
            }
            double need = ceil(f->load[b] * bk->peak / bk->den);
            double n = need > bk->min_gpus ? need : bk->min_gpus;
            if (bk->cloud)
                c[TCO_CAT_COMPUTE] += n * TCO_HOURS_PER_MONTH * bk->hour * f->G[bt];
            else
                owned_month(f, b, t, n, f->G[bt], c);
            c[TCO_CAT_STAFF] += (bk->base_fte + n * bk->per_gpu_fte) * fte;
            c[TCO_CAT_OPERATIONS] += f->ops[bt];
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
        if (monthly)
            monthly[t - 1] = total;
        if (bycat)
            memcpy(bycat + (size_t)(t - 1) * TCO_NCAT, c, sizeof c);
    }
    out->npv = npv;
    out->nominal = nominal;
}
