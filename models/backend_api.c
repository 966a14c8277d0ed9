/* The api backend type (MODEL.md 4.1): a priced-per-token service.  Its
 * price index M_t follows a yearly trend and Poisson price shocks; a request
 * costs its tokens at the drawn prices, discounted; a fixed monthly cost is
 * charged in months where the backend serves a request. */
#include <math.h>
#include <stdlib.h>

#include "backend_month.h"

/* Above this many shocks in a month, their joint effect is drawn at once
 * (see api_draw).  Validated rates (TCO_MAX_RATE_PER_YEAR, 1,000 a month)
 * practically never reach it: it bounds the time of a month whatever the
 * rate a caller passes. */
#define SHOCKS_ONE_BY_ONE_MAX 4096

/* Input indices of the backend's settings. */
typedef struct {
    int price_in, price_out, price_trend, discount, fixed_monthly;
    int shock_rate, shock_size; /* -1 without price_shocks */
    /* MODEL.md 14.1: the cached input price (-1: absent, p_in) and the
     * cache hit rate per workload (NULL: absent; -1 for a workload the
     * mapping does not name: 0). */
    int cached;
    int *hit;
    /* Moments of ln(1 + S) for the clamped size S, and P(S is clamped). */
    double log_mean, log_var, p_clamped;
} api_spec;

/* Mean and variance of ln(1 + S), S the clamped shock size, and the
 * probability of a clamp, by the midpoint rule over 4,096 quantiles. */
static void shock_moments(api_spec *b, const tco_input *size)
{
    enum { N = 4096 };
    double sum = 0, sum2 = 0;
    int clamped = 0;
    for (int i = 0; i < N; i++) {
        double s = tco_dist_quantile(&size->dist, (i + 0.5) / N);
        double c = tco_domain_clamp(&size->dom, s);
        clamped += c != s;
        double l = log1p(c);
        sum += l;
        sum2 += l * l;
    }
    b->log_mean = sum / N;
    b->log_var = fmax(0, sum2 / N - b->log_mean * b->log_mean);
    b->p_clamped = (double)clamped / N;
}

typedef tco_api_paths api_paths;

static tco_status api_load(tco_schema *c, const tco_ynode *v, const char *prefix, tco_backend *be)
{
    static const char *const keys[] = {"type", "input_price_per_mtok", "output_price_per_mtok",
                                       "price_trend_annual", "price_shocks", "discount",
                                       "fixed_monthly_cost", "success_rate",
                                       "failure_rate_trend_annual",
                                       "cached_input_price_per_mtok", "cache_hit_rate", NULL};
    api_spec *b = calloc(1, sizeof *b);
    if (!(be->spec = b))
        return tco_schema_oom(c);
    b->shock_rate = b->shock_size = b->cached = -1;
    tco_status st;
    const tco_ynode *ft = tco_ymap_get(v, "fine_tuning");
    if (ft) {
        char path[TCO_SCHEMA_PATHMAX];
        tco_schema_path(path, sizeof path, prefix, "fine_tuning");
        return tco_schema_at(c, ft, path,
                             "fine_tuning (and its failure_rate_multiplier) belongs to "
                             "self_hosted backends; an api backend's success_rate and "
                             "failure_rate_trend_annual say how well it serves");
    }
    if ((st = tco_schema_check_keys(c, v, prefix, keys)) ||
        (st = tco_schema_quantity(c, v, prefix, "input_price_per_mtok", &TCO_DOM_NONNEG, NAN,
                                  &b->price_in)) ||
        (st = tco_schema_quantity(c, v, prefix, "output_price_per_mtok", &TCO_DOM_NONNEG, NAN,
                                  &b->price_out)) ||
        (st = tco_schema_quantity(c, v, prefix, "price_trend_annual", &TCO_DOM_GT_M1, 0,
                                  &b->price_trend)) ||
        (st = tco_schema_quantity(c, v, prefix, "discount", &TCO_DOM_UNIT_RIGHT_OPEN, 0,
                                  &b->discount)) ||
        (st = tco_schema_quantity(c, v, prefix, "fixed_monthly_cost", &TCO_DOM_NONNEG, 0,
                                  &b->fixed_monthly)))
        return st;
    const tco_ynode *s = tco_ymap_get(v, "price_shocks");
    if (s) {
        char path[TCO_SCHEMA_PATHMAX];
        tco_schema_path(path, sizeof path, prefix, "price_shocks");
        static const char *const skeys[] = {"rate_per_year", "size", NULL};
        if ((st = tco_schema_need_map(c, s, path)) ||
            (st = tco_schema_check_keys(c, s, path, skeys)) ||
            (st = tco_schema_rate(c, s, path, "rate_per_year", NAN, &b->shock_rate)) ||
            (st = tco_schema_quantity(c, s, path, "size", &TCO_DOM_GT_M1, NAN, &b->shock_size)))
            return st;
        c->sc->inputs[b->shock_size].fresh = 1;
        shock_moments(b, &c->sc->inputs[b->shock_size]);
    }
    return TCO_OK;
}

/* The keys of MODEL.md 14.1, registered after every input of version 1 so
 * that a version-1 file samples as before; only when given.  api_load has
 * checked that they are the backend's keys. */
static tco_status api_load_late(tco_schema *c, const tco_ynode *v, const char *prefix,
                                tco_backend *be)
{
    api_spec *b = be->spec;
    tco_status st;
    if (tco_ymap_get(v, "cached_input_price_per_mtok") &&
        (st = tco_schema_quantity(c, v, prefix, "cached_input_price_per_mtok", &TCO_DOM_NONNEG,
                                  NAN, &b->cached)))
        return st;
    return tco_backend_load_per_workload(c, v, prefix, "cache_hit_rate", &TCO_DOM_UNIT, &b->hit);
}

static void api_free_spec(void *spec)
{
    api_spec *b = spec;
    if (b)
        free(b->hit);
    free(b);
}

static tco_status api_alloc(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be)
{
    (void)sc;
    (void)be;
    p->data = calloc(1, sizeof(api_paths));
    return p->data ? TCO_OK : TCO_ENOMEM;
}

/* M_1 = 1, M_t = M_{t-1} (1 + trend)^(1/12) prod_j (1 + S_j), N_t ~ Poisson(rate / 12)
 * shocks a month, each size S_j a fresh draw clamped to its domain.  Beyond
 * SHOCKS_ONE_BY_ONE_MAX shocks in a month, prod_j (1 + S_j) is drawn as
 * exp(N m + sqrt(N v) Z), m and v the mean and variance of ln(1 + S) (the
 * central limit theorem, exact when S is fixed), and the clamps counted as
 * their expected number: O(1) time however large N is.  Without shocks the
 * index draws nothing: api_serve computes it. */
static void api_draw(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                     const double *x, tco_rng *rng, unsigned *clamped)
{
    const api_spec *b = be->spec;
    if (b->shock_rate < 0)
        return;
    api_paths *d = p->data;
    double *M = p->index;
    int T = p->T;
    if (!tco_memo_hit(&d->trend_memo, x[b->price_trend], 0))
        d->trend = pow(1 + x[b->price_trend], 1.0 / 12);
    const double trend = d->trend;
    M[0] = 1;
    const tco_input *size = &sc->inputs[b->shock_size];
    if (!tco_memo_hit(&d->shock_memo, x[b->shock_rate], 0)) {
        double mu = x[b->shock_rate] / 12;
        tco_poisson_table_init(&d->shock_table, mu, exp(-mu));
    }
    const tco_poisson_table pt = d->shock_table; /* in registers, as M is written */
    for (int t = 1; t < T; t++) {
        double v = M[t - 1] * trend;
        double n = tco_rng_poisson_table(rng, &pt);
        if (n > SHOCKS_ONE_BY_ONE_MAX) {
            v *= exp(n * b->log_mean + sqrt(n * b->log_var) * tco_rng_normal(rng));
            if (clamped)
                clamped[b->shock_size] += (unsigned)fmin(n * b->p_clamped + 0.5, 1e9);
            M[t] = v;
            continue;
        }
        for (double j = n; j > 0; j--) {
            double sz = tco_dist_quantile(&size->dist, tco_rng_uniform(rng));
            double c = tco_domain_clamp(&size->dom, sz);
            if (c != sz && clamped)
                clamped[b->shock_size]++;
            v *= 1 + c;
        }
        M[t] = v;
    }
}

/* With price shocks, the trend and the rate shape the drawn index. */
static void api_random_inputs(const tco_backend *be, unsigned char *mark)
{
    const api_spec *b = be->spec;
    if (b->shock_rate < 0)
        return;
    mark[b->price_trend] = 1;
    mark[b->shock_rate] = 1;
}

/* The index without shocks, M_t = M_{t-1} (1 + trend)^(1/12); the fixed
 * monthly cost; each request's price and load. */
static void api_serve(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                      const double *x)
{
    const api_spec *b = be->spec;
    api_paths *d = p->data;
    p->setup = 0;
    if (b->shock_rate < 0) {
        if (!tco_memo_hit(&d->trend_memo, x[b->price_trend], 0))
            d->trend = pow(1 + x[b->price_trend], 1.0 / 12);
        double *M = p->index, trend = d->trend;
        M[0] = 1;
        for (int t = 1; t < p->T; t++)
            M[t] = M[t - 1] * trend;
    }
    d->fixed = x[b->fixed_monthly];
    p->priced = 1;
    /* Cached input (MODEL.md 14.1): p_cached defaults to p_in, q_k to 0. */
    double p_cached = x[b->cached >= 0 ? b->cached : b->price_in];
    for (size_t k = 0; k < p->K; k++) {
        const tco_workload *w = &sc->workloads[k];
        double in = x[w->input_tokens], out = x[w->output_tokens];
        if (b->hit && b->hit[k] >= 0) {
            double q = x[b->hit[k]];
            p->unit_cost[k] = (1 - x[b->discount]) *
                              (in * ((1 - q) * x[b->price_in] + q * p_cached) +
                               out * x[b->price_out]) / 1e6;
        } else {
            p->unit_cost[k] =
                (1 - x[b->discount]) * (in * x[b->price_in] + out * x[b->price_out]) / 1e6;
        }
        p->unit_load[k] = 1; /* the load is the month's requests */
    }
}

static void api_monthly_cost(tco_backend_paths *p, int t, int adopted, double load, double *c)
{
    (void)t;
    (void)adopted;
    tco_api_month(p, load, c);
}

/* The fixed monthly cost when the backend serves a request. */
static double api_run_rate(const tco_backend_paths *p, int t, double load)
{
    (void)t;
    const api_paths *d = p->data;
    return load > 0 ? d->fixed : 0;
}

const tco_backend_type tco_backend_api = {
    .name = "api",
    .platform = 0,
    .load = api_load,
    .load_late = api_load_late,
    .free_spec = api_free_spec,
    .max_setup_months = NULL,
    .alloc = api_alloc,
    .free_paths = free,
    .draw = api_draw,
    .serve = api_serve,
    .random_inputs = api_random_inputs,
    .start = NULL,
    .monthly_cost = api_monthly_cost,
    .run_rate = api_run_rate,
};
