/* The self_hosted backend type (MODEL.md 4.2): a platform a strategy adopts,
 * sets up, then runs on GPUs it rents (cloud) or buys (owned), with staff
 * and Poisson-counted operations.  The two ways of paying for GPUs are the
 * rows of a small table (gpu_pricing) inside this file: cloud pays an hourly
 * price on the GPU price index; owned buys cohorts of GPUs, retires each at
 * the end of its lifetime, pays facility and maintenance on the fleet held,
 * and is credited the book value of the fleet (times resale_fraction) at the
 * horizon, or when the strategy retires the platform (MODEL.md 16), when the
 * fleet is sold.  A setup that fails (17) costs its setup and A months of
 * base staff, nothing else. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/vmath.h"
#include "backend_month.h"

/* A Poisson-counted cost (fine-tuning, updates, incidents); rate < 0 when
 * the section is absent. */
typedef struct {
    int rate, cost;
} counted;

typedef tco_gpu_pricing gpu_pricing;

/* Input indices of the backend's settings. */
typedef struct {
    const gpu_pricing *pricing;
    int throughput, input_weight, peak, utilization;
    double min_gpus;
    int hour_price;                                                          /* cloud */
    /* cloud, MODEL.md 14.2: reserved GPUs (reserved_gpus < 0: no reservation),
     * their locked hourly price (an input) and the months of a term. */
    double reserved_gpus, term_months;
    int reserved_price;
    int purchase_price, power_kw, pue, electricity, colocation, maintenance; /* owned */
    int lifetime;                                                            /* owned, months */
    int resale;                                       /* owned; -1 when absent (1) */
    int gpu_trend;
    double gpu_volatility;
    int base_fte, cost_per_fte, salary_growth;
    double gpus_per_fte; /* 0 when not given */
    int setup_months, setup_cost;
    /* MODEL.md 17; -1 when absent: no failure, A = the setup months. */
    int setup_failure, abandon;
    counted ops[3]; /* fine_tuning, updates, incidents */
} self_spec;

typedef tco_self_paths self_paths;

/* One way of paying for GPUs: the keys of `gpu` it reads besides mode and
 * the price index keys; its monthly costs are in backend_month.h
 * (tco_cloud_month, tco_owned_month, tco_owned_sell). */
struct tco_gpu_pricing {
    const char *mode;
    int owned; /* GPUs bought in cohorts (tco_owned_month), else rented (tco_cloud_month) */
    tco_status (*load)(tco_schema *c, const tco_ynode *g, const char *path, self_spec *b);
    void (*prepare)(self_paths *d, const self_spec *b, const double *x);
    /* The compute and facility part of a run-rate (MODEL.md 18) for n GPUs
     * at index g. */
    double (*rate)(const self_paths *d, double n, double g);
};

/* ---- cloud: n GPUs at the hourly price on the index ---- */

static tco_status cloud_load(tco_schema *c, const tco_ynode *g, const char *path, self_spec *b)
{
    static const char *const keys[] = {"mode", "hour_price", "price_trend_annual",
                                       "price_volatility_annual", "reserved", NULL};
    tco_status st;
    if ((st = tco_schema_check_keys(c, g, path, keys)) ||
        (st = tco_schema_quantity(c, g, path, "hour_price", &TCO_DOM_NONNEG, NAN, &b->hour_price)))
        return st;
    return TCO_OK;
}

static void cloud_prepare(self_paths *d, const self_spec *b, const double *x)
{
    d->hour = x[b->hour_price];
    d->term = b->reserved_gpus >= 0 ? (int)b->term_months : 0;
    d->reserved = d->term ? b->reserved_gpus : 0;
    d->reserved_hour = d->term ? x[b->reserved_price] : 0;
}

static double cloud_rate(const self_paths *d, double n, double g)
{
    return tco_cloud_rate(d, n, g);
}

/* ---- owned: cohorts bought at the indexed price, retired after their
 * lifetime, book value credited at the horizon ---- */

static tco_status owned_load(tco_schema *c, const tco_ynode *g, const char *path, self_spec *b)
{
    static const char *const keys[] = {"mode", "purchase_price", "lifetime_months", "power_kw",
                                       "pue", "electricity_per_kwh", "colocation_per_kw_month",
                                       "maintenance_annual", "price_trend_annual",
                                       "price_volatility_annual", "resale_fraction", NULL};
    double life;
    tco_status st;
    const tco_ynode *r = tco_ymap_get(g, "reserved");
    if (r) {
        char rpath[TCO_SCHEMA_PATHMAX];
        tco_schema_path(rpath, sizeof rpath, path, "reserved");
        return tco_schema_at(c, r, rpath,
                             "reserved GPUs belong to gpu.mode cloud; owned GPUs are bought");
    }
    if ((st = tco_schema_check_keys(c, g, path, keys)) ||
        (st = tco_schema_quantity(c, g, path, "purchase_price", &TCO_DOM_NONNEG, NAN,
                                  &b->purchase_price)) ||
        (st = tco_schema_integer(c, g, path, "lifetime_months", 1, 1e6, 48, &life)) ||
        (st = tco_schema_quantity(c, g, path, "power_kw", &TCO_DOM_NONNEG, 1.0, &b->power_kw)) ||
        (st = tco_schema_quantity(c, g, path, "pue", &TCO_DOM_GE1, 1.3, &b->pue)) ||
        (st = tco_schema_quantity(c, g, path, "electricity_per_kwh", &TCO_DOM_NONNEG, NAN,
                                  &b->electricity)) ||
        (st = tco_schema_quantity(c, g, path, "colocation_per_kw_month", &TCO_DOM_NONNEG, 0,
                                  &b->colocation)) ||
        (st = tco_schema_quantity(c, g, path, "maintenance_annual", &TCO_DOM_NONNEG, 0,
                                  &b->maintenance)))
        return st;
    b->lifetime = (int)life;
    return TCO_OK;
}

static void owned_prepare(self_paths *d, const self_spec *b, const double *x)
{
    d->lifetime = b->lifetime;
    d->purchase = x[b->purchase_price];
    d->facility = x[b->power_kw] * (x[b->pue] * TCO_HOURS_PER_MONTH * x[b->electricity] +
                                    x[b->colocation]);
    d->maint = x[b->maintenance] / 12;
    d->resale = b->resale >= 0 ? x[b->resale] : 1;
}

/* Straight-line depreciation of n GPUs bought at index g, their facility
 * and maintenance. */
static double owned_rate(const self_paths *d, double n, double g)
{
    return tco_owned_rate(d, n, g);
}

static const gpu_pricing pricings[] = {
    {"cloud", 0, cloud_load, cloud_prepare, cloud_rate},
    {"owned", 1, owned_load, owned_prepare, owned_rate},
};
enum { NPRICINGS = sizeof pricings / sizeof *pricings };

/* ---- loading ---- */

static tco_status load_counted(tco_schema *c, const tco_ynode *spec, const char *prefix,
                               const char *section, const char *rate_key, const char *cost_key,
                               counted *out)
{
    out->rate = out->cost = -1;
    const tco_ynode *s = tco_ymap_get(spec, section);
    if (!s)
        return TCO_OK;
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, section);
    /* The fine-tuning multiplier of MODEL.md 12 is read with the keys every
     * backend type shares (tco_backend_load_capability), after version 1's. */
    const char *keys[] = {rate_key, cost_key,
                          strcmp(section, "fine_tuning") == 0 ? "failure_rate_multiplier" : NULL,
                          NULL};
    tco_status st;
    if ((st = tco_schema_need_map(c, s, path)) || (st = tco_schema_check_keys(c, s, path, keys)))
        return st;
    /* A section that gives only the multiplier has no runs (as if absent). */
    if (keys[2] && s->n == 1 && tco_ymap_get(s, keys[2]))
        return TCO_OK;
    if ((st = tco_schema_rate(c, s, path, rate_key, NAN, &out->rate)) ||
        (st = tco_schema_quantity(c, s, path, cost_key, &TCO_DOM_NONNEG, NAN, &out->cost)))
        return st;
    return TCO_OK;
}

static tco_status load_gpu(tco_schema *c, const tco_ynode *v, const char *prefix, self_spec *b)
{
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, "gpu");
    const tco_ynode *g = tco_ymap_get(v, "gpu");
    tco_status st;
    if (!g)
        return tco_schema_missing(c, v, prefix, "gpu");
    if ((st = tco_schema_need_map(c, g, path)))
        return st;
    const tco_ynode *mode = tco_ymap_get(g, "mode");
    if (!mode)
        return tco_schema_missing(c, g, path, "mode");
    for (int i = 0; i < NPRICINGS && !b->pricing; i++)
        if (mode->kind == TCO_YSCALAR && strcmp(mode->str, pricings[i].mode) == 0)
            b->pricing = &pricings[i];
    if (!b->pricing) {
        char mpath[TCO_SCHEMA_PATHMAX];
        tco_schema_path(mpath, sizeof mpath, path, "mode");
        return tco_schema_at(c, mode, mpath, "expected cloud or owned, got '%s'",
                             tco_schema_text(mode));
    }
    if ((st = b->pricing->load(c, g, path, b)) ||
        (st = tco_schema_quantity(c, g, path, "price_trend_annual", &TCO_DOM_GT_M1, 0,
                                  &b->gpu_trend)) ||
        (st = tco_schema_number(c, g, path, "price_volatility_annual", &TCO_DOM_NONNEG, 0,
                                &b->gpu_volatility)))
        return st;
    return TCO_OK;
}

static tco_status self_load(tco_schema *c, const tco_ynode *v, const char *prefix,
                            tco_backend *be)
{
    static const char *const keys[] = {"type", "throughput_tokens_per_gpu_second",
                                       "input_token_weight", "peak_to_average",
                                       "target_utilization", "min_gpus", "gpu", "staff", "setup",
                                       "fine_tuning", "updates", "incidents", "success_rate",
                                       "failure_rate_trend_annual", NULL};
    self_spec *b = calloc(1, sizeof *b);
    if (!(be->spec = b))
        return tco_schema_oom(c);
    b->resale = b->setup_failure = b->abandon = -1;
    b->reserved_gpus = -1;
    tco_status st;
    if ((st = tco_schema_check_keys(c, v, prefix, keys)) ||
        (st = tco_schema_quantity(c, v, prefix, "throughput_tokens_per_gpu_second", &TCO_DOM_POS,
                                  NAN, &b->throughput)) ||
        (st = tco_schema_quantity(c, v, prefix, "input_token_weight", &TCO_DOM_NONNEG, 0.1,
                                  &b->input_weight)) ||
        (st = tco_schema_quantity(c, v, prefix, "peak_to_average", &TCO_DOM_GE1, 1, &b->peak)) ||
        (st = tco_schema_quantity(c, v, prefix, "target_utilization", &TCO_DOM_UNIT_LEFT_OPEN, 0.6,
                                  &b->utilization)) ||
        (st = tco_schema_integer(c, v, prefix, "min_gpus", 0, 1e9, 1, &b->min_gpus)) ||
        (st = load_gpu(c, v, prefix, b)))
        return st;

    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, "staff");
    const tco_ynode *s = tco_ymap_get(v, "staff");
    b->gpus_per_fte = 0;
    if (s) {
        static const char *const skeys[] = {"base_fte", "gpus_per_fte", "cost_per_fte_year",
                                            "salary_growth_annual", NULL};
        if ((st = tco_schema_need_map(c, s, path)) ||
            (st = tco_schema_check_keys(c, s, path, skeys)) ||
            (st = tco_schema_quantity(c, s, path, "base_fte", &TCO_DOM_NONNEG, NAN,
                                      &b->base_fte)) ||
            (st = tco_schema_number(c, s, path, "gpus_per_fte", &TCO_DOM_POS, 0,
                                    &b->gpus_per_fte)) ||
            (st = tco_schema_quantity(c, s, path, "cost_per_fte_year", &TCO_DOM_NONNEG, NAN,
                                      &b->cost_per_fte)) ||
            (st = tco_schema_quantity(c, s, path, "salary_growth_annual", &TCO_DOM_GT_M1, 0,
                                      &b->salary_growth)))
            return st;
    } else {
        /* No staff section: no staff cost (stated as fixed zeros so every
         * backend has the same inputs).  The keys are looked up in the
         * backend's mapping, where check_keys has refused them. */
        if ((st = tco_schema_quantity(c, v, path, "base_fte", &TCO_DOM_NONNEG, 0, &b->base_fte)) ||
            (st = tco_schema_quantity(c, v, path, "cost_per_fte_year", &TCO_DOM_NONNEG, 0,
                                      &b->cost_per_fte)) ||
            (st = tco_schema_quantity(c, v, path, "salary_growth_annual", &TCO_DOM_GT_M1, 0,
                                      &b->salary_growth)))
            return st;
    }
    tco_schema_path(path, sizeof path, prefix, "setup");
    s = tco_ymap_get(v, "setup");
    static const char *const ukeys[] = {"months", "cost", "failure_probability",
                                        "abandon_after_months", NULL};
    if (s && ((st = tco_schema_need_map(c, s, path)) ||
              (st = tco_schema_check_keys(c, s, path, ukeys))))
        return st;
    if ((st = tco_schema_quantity(c, s ? s : v, path, "months", &TCO_DOM_NONNEG, 0,
                                  &b->setup_months)) ||
        (st = tco_schema_quantity(c, s ? s : v, path, "cost", &TCO_DOM_NONNEG, 0,
                                  &b->setup_cost)))
        return st;
    if ((st = load_counted(c, v, prefix, "fine_tuning", "runs_per_year", "cost_per_run",
                           &b->ops[0])) ||
        (st = load_counted(c, v, prefix, "updates", "per_year", "cost_per_update", &b->ops[1])) ||
        (st = load_counted(c, v, prefix, "incidents", "per_year", "cost_per_incident",
                           &b->ops[2])))
        return st;
    return TCO_OK;
}

/* The keys of version 2 (MODEL.md 14.2, 16, 17), registered after every input of
 * version 1 so that a version-1 file samples as before; only when given
 * (their defaults, resale_fraction 1, failure_probability 0 and
 * abandon_after_months = the drawn setup months, need no input).  self_load
 * has checked that they are keys of their sections. */
static tco_status self_load_late(tco_schema *c, const tco_ynode *v, const char *prefix,
                                 tco_backend *be)
{
    self_spec *b = be->spec;
    char path[TCO_SCHEMA_PATHMAX];
    tco_status st;
    const tco_ynode *g = tco_ymap_get(v, "gpu"), *s = tco_ymap_get(v, "setup");
    tco_schema_path(path, sizeof path, prefix, "gpu");
    if (tco_ymap_get(g, "resale_fraction") &&
        (st = tco_schema_quantity(c, g, path, "resale_fraction", &TCO_DOM_UNIT, NAN,
                                  &b->resale)))
        return st;
    const tco_ynode *r = tco_ymap_get(g, "reserved");
    if (r) {
        static const char *const rkeys[] = {"gpus", "hour_price", "term_months", NULL};
        char rpath[TCO_SCHEMA_PATHMAX];
        tco_schema_path(rpath, sizeof rpath, path, "reserved");
        if ((st = tco_schema_need_map(c, r, rpath)) ||
            (st = tco_schema_check_keys(c, r, rpath, rkeys)) ||
            (st = tco_schema_integer(c, r, rpath, "gpus", 0, 1e9, NAN, &b->reserved_gpus)) ||
            (st = tco_schema_quantity(c, r, rpath, "hour_price", &TCO_DOM_NONNEG, NAN,
                                      &b->reserved_price)) ||
            (st = tco_schema_integer(c, r, rpath, "term_months", 1, 1e6, NAN,
                                     &b->term_months)))
            return st;
    }
    tco_schema_path(path, sizeof path, prefix, "setup");
    if (tco_ymap_get(s, "failure_probability") &&
        (st = tco_schema_quantity(c, s, path, "failure_probability", &TCO_DOM_UNIT, NAN,
                                  &b->setup_failure)))
        return st;
    if (tco_ymap_get(s, "abandon_after_months") &&
        (st = tco_schema_quantity(c, s, path, "abandon_after_months", &TCO_DOM_GE1, NAN,
                                  &b->abandon)))
        return st;
    return TCO_OK;
}

/* Setup months are rounded to the nearest whole month, halves up. */
static double self_max_setup_months(const tco_scenario *sc, const tco_backend *be)
{
    const self_spec *b = be->spec;
    double lo, hi;
    tco_dist_support(&sc->inputs[b->setup_months].dist, &lo, &hi);
    return floor(hi + 0.5);
}

/* ---- one future ---- */

static void self_free_paths(void *data)
{
    self_paths *d = data;
    if (!d)
        return;
    free(d->ops);
    free(d->count);
    free(d->staff);
    free(d->coh_month);
    free(d->coh_n);
    free(d->coh_cost);
    free(d);
}

static tco_status self_alloc(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be)
{
    (void)sc;
    (void)be;
    size_t T = (size_t)p->T;
    self_paths *d = calloc(1, sizeof *d);
    p->data = d;
    if (!d)
        return TCO_ENOMEM;
    d->T = p->T;
    d->ops = malloc(T * sizeof *d->ops);
    d->count = malloc(3 * T * sizeof *d->count);
    d->staff = malloc(T * sizeof *d->staff);
    d->coh_month = malloc(T * sizeof *d->coh_month);
    d->coh_n = malloc(T * sizeof *d->coh_n);
    d->coh_cost = malloc(T * sizeof *d->coh_cost);
    if (!d->ops || !d->count || !d->staff || !d->coh_month || !d->coh_n || !d->coh_cost) {
        self_free_paths(d);
        p->data = NULL;
        return TCO_ENOMEM;
    }
    return TCO_OK;
}

/* The random paths: the GPU price index G_t (a geometric random walk, on
 * the trend input) and the operations counted each month (on their rates),
 * in that order from the stream. */
static void self_draw(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                      const double *x, tco_rng *rng, unsigned *clamped)
{
    (void)sc;
    (void)clamped;
    const self_spec *b = be->spec;
    self_paths *d = p->data;
    double *G = p->index;
    int T = p->T;
    double sm = b->gpu_volatility / sqrt(12.0);
    if (!tco_memo_hit(&d->gpu_memo, x[b->gpu_trend], 0)) {
        d->drift = log1p(x[b->gpu_trend]) / 12 - sm * sm / 2;
        d->step = exp(d->drift);
    }
    double drift = d->drift, step = d->step;
    G[0] = 1;
    if (sm > 0) {
        /* The steps' exponents in G, in the stream's order, then their
         * exponentials in place and the running product. */
        for (int t = 1; t < T; t++)
            G[t] = drift + sm * tco_rng_normal(rng);
        tco_vmath_exp(G + 1, G + 1, (size_t)T - 1);
        for (int t = 1; t < T; t++)
            G[t] *= G[t - 1];
    } else {
        for (int t = 1; t < T; t++)
            G[t] = G[t - 1] * step;
    }
    for (int j = 0; j < 3; j++) {
        const counted *c = &b->ops[j];
        if (c->rate < 0)
            continue;
        if (!tco_memo_hit(&d->ops_memo[j], x[c->rate], 0)) {
            double mu = x[c->rate] / 12;
            tco_poisson_table_init(&d->ops_table[j], mu, exp(-mu));
        }
        /* A copy the loop keeps in registers (the counts written could
         * alias the table kept). */
        tco_poisson_table pt = d->ops_table[j];
        tco_rng_poisson_counts(rng, &pt, d->count + (size_t)j * (size_t)T, T);
    }
}

static void self_random_inputs(const tco_backend *be, unsigned char *mark)
{
    const self_spec *b = be->spec;
    mark[b->gpu_trend] = 1;
    for (int j = 0; j < 3; j++)
        if (b->ops[j].rate >= 0)
            mark[b->ops[j].rate] = 1;
}

/* The rest from x: the GPUs' prices, the setup months, the cost of an FTE
 * month by month, the operations' costs from the counts drawn; the load is
 * token-equivalents: w * input tokens + output tokens. */
static void self_serve(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                       const double *x)
{
    const self_spec *b = be->spec;
    self_paths *d = p->data;
    int T = p->T;
    d->pricing = b->pricing;
    d->owned = b->pricing->owned;
    d->setup_cost = x[b->setup_cost];
    d->base_fte = x[b->base_fte];
    d->den = x[b->throughput] * x[b->utilization] * 3600.0 * TCO_HOURS_PER_MONTH;
    d->peak = x[b->peak];
    d->min_gpus = b->min_gpus;
    d->per_gpu_fte = b->gpus_per_fte > 0 ? 1 / b->gpus_per_fte : 0;
    b->pricing->prepare(d, b, x);
    p->setup = (int)fmin(floor(x[b->setup_months] + 0.5), 1e6);
    p->setup_failure = b->setup_failure >= 0 ? x[b->setup_failure] : 0;
    p->abandon = b->abandon >= 0 ? (int)fmin(floor(x[b->abandon] + 0.5), 1e6) : p->setup;
    if (!tco_memo_hit(&d->grow_memo, x[b->salary_growth], 0))
        d->grow = pow(1 + x[b->salary_growth], 1.0 / 12);
    if (!tco_memo_hit(&d->staff_memo, x[b->cost_per_fte], x[b->salary_growth])) {
        double fte = x[b->cost_per_fte] / 12, grow = d->grow;
        for (int t = 0; t < T; t++) {
            d->staff[t] = fte;
            fte *= grow;
        }
    }
    for (int t = 0; t < T; t++)
        d->ops[t] = 0;
    d->ops_mean = 0;
    for (int j = 0; j < 3; j++) {
        const counted *c = &b->ops[j];
        if (c->rate < 0)
            continue;
        double mu = x[c->rate] / 12, cost = x[c->cost];
        const double *n = d->count + (size_t)j * (size_t)T;
        d->ops_mean += mu * cost;
        for (int t = 0; t < T; t++)
            d->ops[t] += n[t] * cost;
    }
    p->priced = 0;
    for (size_t k = 0; k < p->K; k++) {
        const tco_workload *w = &sc->workloads[k];
        p->unit_cost[k] = 0;
        p->unit_load[k] = x[b->input_weight] * x[w->input_tokens] + x[w->output_tokens];
    }
}

static void self_monthly_cost(tco_backend_paths *p, int t, int a, double load, double *c)
{
    tco_self_month(p, t, a, load, c);
}

/* In production with this load: n GPUs at month t's index, staff for the
 * base and per GPU, and the expected operations (MODEL.md 18). */
static double self_run_rate(const tco_backend_paths *p, int t, double load)
{
    const self_paths *d = p->data;
    double need = ceil(load * d->peak / d->den);
    double n = need > d->min_gpus ? need : d->min_gpus;
    return d->pricing->rate(d, n, p->index[t - 1]) +
           (d->base_fte + n * d->per_gpu_fte) * d->staff[t - 1] + d->ops_mean;
}

static void self_start(tco_backend_paths *p) { tco_self_start(p); }

static void self_retire(tco_backend_paths *p, int t, double *c) { tco_self_retire(p, t, c); }

/* The strategy's fleet and reservation: the scalars, then the cohorts
 * held, [head, tail), each exactly (months and counts are integers below
 * 2^53). */
static size_t self_state_size(const tco_backend_paths *p)
{
    return 6 + 3 * (size_t)p->T;
}

static void self_save(const tco_backend_paths *p, double *buf)
{
    const self_paths *d = p->data;
    buf[0] = d->head;
    buf[1] = d->tail;
    buf[2] = d->fleet;
    buf[3] = d->held;
    buf[4] = d->term_start;
    buf[5] = d->term_cost;
    buf += 6;
    for (int i = d->head; i < d->tail; i++) {
        *buf++ = d->coh_month[i];
        *buf++ = d->coh_n[i];
        *buf++ = d->coh_cost[i];
    }
}

static void self_restore(tco_backend_paths *p, const double *buf)
{
    self_paths *d = p->data;
    d->head = (int)buf[0];
    d->tail = (int)buf[1];
    d->fleet = buf[2];
    d->held = buf[3];
    d->term_start = (int)buf[4];
    d->term_cost = buf[5];
    buf += 6;
    for (int i = d->head; i < d->tail; i++) {
        d->coh_month[i] = (int)*buf++;
        d->coh_n[i] = *buf++;
        d->coh_cost[i] = *buf++;
    }
}

const tco_backend_type tco_backend_selfhost = {
    .name = "self_hosted",
    .platform = 1,
    .load = self_load,
    .load_late = self_load_late,
    .free_spec = free,
    .max_setup_months = self_max_setup_months,
    .alloc = self_alloc,
    .free_paths = self_free_paths,
    .draw = self_draw,
    .serve = self_serve,
    .random_inputs = self_random_inputs,
    .start = self_start,
    .monthly_cost = self_monthly_cost,
    .run_rate = self_run_rate,
    .retire = self_retire,
    .state_size = self_state_size,
    .save = self_save,
    .restore = self_restore,
};
