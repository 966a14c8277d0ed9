/* Periodic review (MODEL.md 18): every review month, each option is costed
 * at the month's run-rate (its route as if every platform it names were in
 * production) and the strategy moves to the cheapest when it beats the
 * current option by the hysteresis. */
#include <math.h>

#include "review.h"

const int *tco_review_route(const tco_strategy *st, int o)
{
    return o < 0 ? st->phases[0].route : st->review->options[o].route;
}

int tco_review_due(const tco_review *rv, int t, int T)
{
    return t < T && t >= rv->first && (t - rv->first) % rv->every == 0;
}

/* Whether the strategy knows in month r that the setup of platform b has
 * failed (MODEL.md 17: from month a + A on). */
static int setup_failed(const tco_future *f, int b, int r)
{
    int known = tco_failure_known_from(f, b);
    return known && r >= known;
}

/* The backend that traffic for b reaches with the exclusions in force in
 * month r (those of months up to r), chains followed; the first exclusion
 * to happen wins, as in strategy.c. */
static int resolve(const tco_future *f, int b, int r)
{
    for (size_t pass = 0; pass <= f->nexcl; pass++) {
        int moved = 0;
        for (size_t i = 0; i < f->nexcl && f->excl[i].month <= r; i++)
            if (f->excl[i].from == b) {
                b = f->excl[i].to;
                moved = 1;
                break;
            }
        if (!moved)
            break;
    }
    return b;
}

double tco_review_run_rate(tco_future *f, const tco_model *m, size_t s, const int *route, int r)
{
    const size_t K = m->K;
    const size_t T = (size_t)m->T;
    const double *R = f->R + (size_t)(r - 1); /* workload k's at R[k * T] */
    const int excluded = f->first_excl <= r; /* an exclusion in force by month r */
    double *load = f->rate_load;
    char *reached = f->rate_reached; /* all 0 between calls */
    double rho = 0;
    int failed = 0;
    /* Per-request prices and quality, and each backend's load, the
     * backends reached marked. */
    for (size_t k = 0; k < K; k++) {
        int b = excluded ? resolve(f, route[k], r) : route[k];
        if (f->platform[b] && setup_failed(f, b, r)) {
            failed = 1;
            break;
        }
        const tco_backend_paths *p = &f->paths[b];
        const double rk = R[k * T];
        if (p->priced)
            rho += p->index[r - 1] * rk * p->unit_cost[k];
        rho += rk * tco_future_fail_cost(f, m, r, (size_t)b, k);
        if (!reached[b]) {
            reached[b] = 1;
            load[b] = 0;
        }
        load[b] += rk * p->unit_load[k];
    }
    /* What each backend the route reaches costs beyond its prices, in the
     * strategy's use order (backend order; the strategy's backends hold
     * every one a route reaches, exclusions followed): a backend is reached
     * when some workload is sent to it, whatever its requests (a platform
     * runs min_gpus without traffic). */
    const int *use = m->use + s * m->B;
    for (size_t j = 0; j < m->nuse[s]; j++) {
        int b = use[j];
        if (!reached[b])
            continue;
        reached[b] = 0;
        if (!failed && f->type[b]->run_rate)
            rho += f->type[b]->run_rate(&f->paths[b], r, load[b]);
    }
    return failed ? HUGE_VAL : rho;
}

int tco_review_decide(tco_future *f, const tco_model *m, size_t s, int current, int r)
{
    const tco_strategy *st = &m->sc->strategies[s];
    const tco_review *rv = st->review;
    double rho_c = tco_review_run_rate(f, m, s, tco_review_route(st, current), r);
    /* The cheapest available option, "initial" first, the first on ties. */
    int best = current;
    double rho_best = HUGE_VAL;
    for (int o = -1; o < (int)rv->noptions; o++) {
        double rho = o == current ? rho_c : tco_review_run_rate(f, m, s, tco_review_route(st, o), r);
        if (rho < rho_best) {
            best = o;
            rho_best = rho;
        }
    }
    return rho_best < (1 - rv->hysteresis) * rho_c ? best : current;
}
