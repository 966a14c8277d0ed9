/* Futures costed four at once in vector lanes (models/lanes.h) against the
 * same futures costed one at a time (tco_run_options.alone): every result
 * a run stores and every statistic it keeps has the same bits, on the
 * bundled scenarios and on scenarios made to reach the lanes' edges
 * (horizons that are not multiples of four, setups of no months and
 * beyond the horizon, reserved terms that renew, requests unserved before
 * production, failure-rate trends, events that exclude a backend or change
 * a price, futures that the lanes leave to be costed alone), at 1 and 2
 * threads; and a sweep's runs (sim/sweep.c) and the monthly costs
 * recomputed beyond the memory budget (tco_run_months) likewise.  The engine's own
 * check that lanes were used: the costings it counts in lanes
 * (tco_run.lane_costs). */
#include "testutil.h"

#include <stdio.h>

#include "../sim/engine.h"
#include "../sim/sweep.h"

static int have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

#define SAME(field, count)                                                                     \
    do {                                                                                       \
        if (a->field || b->field) {                                                            \
            ck_assert_msg(a->field && b->field, "%s: %s kept by one run only", what, #field);   \
            ck_assert_msg(memcmp(a->field, b->field, (count) * sizeof *a->field) == 0,          \
                          "%s: %s differ", what, #field);                                      \
        }                                                                                      \
    } while (0)

/* Every per-future result and every kept sum of runs a and b. */
static void same_runs(const tco_run *a, const tco_run *b, const char *what)
{
    const size_t n = (size_t)a->n, S = a->S, T = (size_t)a->T, E = a->E;
    ck_assert_int_eq(b->n, a->n);
    SAME(npv, S * n);
    SAME(nominal, S * n);
    SAME(monthly, S * T * n);
    SAME(breakeven, S * n);
    SAME(switches, S * n);
    SAME(first_switch, S * n);
    SAME(breakeven_count, S * (T + 2));
    SAME(first_switch_count, S * (T + 2));
    SAME(switches_total, S);
    SAME(event_month, E * n);
    SAME(gpus, S * n);
    SAME(event_effect, (E + 1) * S);
    SAME(event_effect_se, (E + 1) * S);
    SAME(event_prob, E + 1);
    SAME(monthly_mean, S * T);
    SAME(cat_mean, S * TCO_NCAT);
    SAME(cpm_mean, S);
    SAME(unserved_mean, S);
    ck_assert_msg(memcmp(&a->tokens_mean, &b->tokens_mean, sizeof a->tokens_mean) == 0,
                  "%s: tokens_mean differs", what);
    ck_assert_msg(a->event_recosts == b->event_recosts, "%s: event_recosts differ", what);
}

/* Runs sc with and without lanes at 1 and 2 threads and compares them;
 * returns the share of costings done in lanes (of n x S). */
static double compare(const tco_scenario *sc, long n, const char *what)
{
    tco_run *alone = NULL;
    double share = 0;
    for (int threads = 1; threads <= 2; threads++)
        for (int lanes = 0; lanes <= 1; lanes++) {
            tco_run_options opt = {0};
            opt.futures = n;
            opt.threads = threads;
            opt.keep_samples = 1;
            opt.event_effects = 1;
            opt.alone = !lanes;
            tco_error err;
            tco_run *run;
            ck_assert_msg(tco_run_execute(&run, sc, &opt, &err) == TCO_OK, "%s: %s", what,
                          err.msg);
            if (!lanes && threads == 1) {
                ck_assert_int_eq(run->lane_costs, 0);
                alone = run;
                continue;
            }
            char label[256];
            snprintf(label, sizeof label, "%s, %d thread%s, %s", what, threads,
                     threads > 1 ? "s" : "", lanes ? "lanes" : "alone");
            same_runs(alone, run, label);
            if (lanes)
                share = (double)run->lane_costs / ((double)n * (double)run->S);
            tco_run_free(run);
        }
    tco_run_free(alone);
    return share;
}

/* The NPVs of a sweep's runs (tco_sweep_take), run r at [r * S * n]. */
typedef struct {
    double *npv;
    size_t S;
} taken;

static tco_status take(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    (void)err;
    taken *t = ctx;
    memcpy(t->npv + r * t->S * n, npv, t->S * n * sizeof *npv);
    return TCO_OK;
}

/* A sweep's shared loop (sim/sweep.c, runs_group): the volume at 4
 * points, then a static input at 2, with and without lanes at 1 and 2
 * threads, the same NPVs; and those of the first point a run's. */
static void compare_sweep(const tco_scenario *sc, long n, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "workloads.%s.failure_cost", sc->workloads[0].name);
    const int vol = tco_scenario_input(sc, "demand.requests_per_month");
    const int stat = tco_scenario_input(sc, path);
    ck_assert_msg(vol >= 0 && stat >= 0, "%s: no input %s", what, path);
    static const double vols[] = {2e5, 1e6, 4e6, 2e7}, fails[] = {0.01, 0.5};
    tco_sweep_point pt[6];
    memset(pt, 0, sizeof pt);
    for (int r = 0; r < 6; r++) {
        pt[r].input = r < 4 ? &vol : &stat;
        pt[r].value = r < 4 ? &vols[r] : &fails[r - 4];
        pt[r].nheld = 1;
        pt[r].column = -1;
    }
    const size_t S = sc->nstrategies, per = S * (size_t)n;
    double *npv[4];
    for (int k = 0; k < 4; k++) {
        npv[k] = malloc(6 * per * sizeof *npv[k]);
        taken t = {npv[k], S};
        tco_run_options opt = {0};
        opt.futures = n;
        opt.threads = 1 + k / 2;
        opt.alone = k % 2;
        tco_error err;
        ck_assert_msg(tco_sweep_runs(sc, &opt, pt, 6, take, &t, 0, 6 * n, &err) == TCO_OK,
                      "%s: %s", what, err.msg);
        if (k)
            ck_assert_msg(memcmp(npv[0], npv[k], 6 * per * sizeof *npv[0]) == 0,
                          "%s: a sweep's NPVs differ (%d threads, %s)", what, 1 + k / 2,
                          k % 2 ? "alone" : "lanes");
    }
    /* The first point as a run of its own, costed alone. */
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = 1;
    opt.alone = 1;
    opt.override_input = &vol;
    opt.override_value = &vols[0];
    opt.noverride = 1;
    tco_error err;
    tco_run *run;
    ck_assert_msg(tco_run_execute(&run, sc, &opt, &err) == TCO_OK, "%s: %s", what, err.msg);
    ck_assert_msg(memcmp(run->npv, npv[0], per * sizeof *npv[0]) == 0,
                  "%s: a sweep's point differs from its run", what);
    tco_run_free(run);
    for (int k = 0; k < 4; k++)
        free(npv[k]);
}

/* tco_run_months' visits, future i's months at [i * S * T]. */
typedef struct {
    float *month;
    size_t ST;
} visits;

static void visit(void *ctx, int thread, long i, const float *month)
{
    (void)thread;
    visits *v = ctx;
    memcpy(v->month + (size_t)i * v->ST, month, v->ST * sizeof *month);
}

/* Monthly costs recomputed beyond the memory budget (tco_run_months, in
 * groups with lanes or one at a time) against those a run stores, at 1
 * and 2 threads. */
static void compare_months(const tco_scenario *sc, long n, const char *what)
{
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = 1;
    tco_error err;
    tco_run *stored;
    ck_assert_msg(tco_run_execute(&stored, sc, &opt, &err) == TCO_OK, "%s: %s", what, err.msg);
    ck_assert(stored->monthly != NULL);
    const size_t S = stored->S, T = (size_t)stored->T, N = (size_t)n;
    visits v = {malloc(N * S * T * sizeof *v.month), S * T};
    ck_assert(v.month != NULL);
    for (int k = 0; k < 4; k++) {
        tco_run_options o = opt;
        o.threads = 1 + k / 2;
        o.alone = k % 2;
        o.monthly_limit = 1;
        tco_run *run;
        ck_assert_msg(tco_run_execute(&run, sc, &o, &err) == TCO_OK, "%s: %s", what, err.msg);
        ck_assert(run->monthly == NULL);
        ck_assert_msg(tco_run_finish(run, &err) == TCO_OK, "%s: %s", what, err.msg);
        memset(v.month, 0xff, N * S * T * sizeof *v.month);
        ck_assert_msg(tco_run_months(run, visit, &v, &err) == TCO_OK, "%s: %s", what, err.msg);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < S * T; j++)
                ck_assert_msg(memcmp(&v.month[i * S * T + j], &stored->monthly[j * N + i],
                                     sizeof(float)) == 0,
                              "%s: future %zu's month %zu recomputed (%d threads, %s)", what, i,
                              j, o.threads, o.alone ? "alone" : "lanes");
        tco_run_free(run);
    }
    free(v.month);
    tco_run_free(stored);
}

START_TEST(test_bundled_scenarios)
{
    /* The strategies that lanes can cost: those with one route to api
     * backends and at most one rented platform (the baseline: proprietary,
     * open, hybrid and managed-open; v2 with a reserved term and requests
     * unserved: proprietary, open, hybrid and managed-open; none in
     * regulated, whose api backends have fixed monthly costs). */
    static const struct {
        const char *path;
        double least; /* the least share of costings in lanes */
    } files[] = {{"scenarios/baseline.yaml", 0.4},  {"bench/v2.yaml", 0.35},
                 {"scenarios/crossover.yaml", 0.5}, {"scenarios/extraction.yaml", 0.4},
                 {"scenarios/owned.yaml", 0.3},     {"scenarios/regulated.yaml", 0}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        tco_scenario *sc;
        tco_error err;
        ck_assert_msg(tco_scenario_load(&sc, files[i].path, NULL, &err) == TCO_OK, "%s",
                      err.msg);
        /* Not a multiple of 4 nor of the block size. */
        double share = compare(sc, 2003, files[i].path);
        compare_sweep(sc, 1001, files[i].path);
        compare_months(sc, 1003, files[i].path);
        if (have_avx2())
            ck_assert_msg(share >= files[i].least, "%s: %.3f of the costings in lanes",
                          files[i].path, share);
        else
            ck_assert_msg(share == 0, "%s: lanes without AVX2", files[i].path);
        tco_scenario_free(sc);
    }
}
END_TEST

/* Two api backends (one with a fixed monthly cost, one whose failure rate
 * trends), a platform with a reserved term of TERM months, one without,
 * one owned; setups of 0 to SETUP months; a workload that may not use the
 * fallback (unserved before production) and one with a window; values per
 * request; events of every kind.  %d: horizon, term, setup maximum; EDGE2
 * follows. */
static const char *EDGE =
    "scenario: { name: edge, horizon_months: %d, discount_rate_annual: 0.08 }\n"
    "simulation: { futures: 1000, seed: 7 }\n"
    "workloads:\n"
    "  a: { share: 0.6, input_tokens: 1500, output_tokens: 300, failure_cost: 0.03,\n"
    "       value_per_request: { dist: uniform, min: 0.01, max: 0.03 } }\n"
    "  b: { share: 0.3, input_tokens: { dist: pert, min: 3000, mode: 5000, max: 8000 },\n"
    "       output_tokens: 600, failure_cost: 0.15, allowed_backends: [api-b, gpu-term, gpu, owned],\n"
    "       unserved_cost: 0.05, value_per_request: 0.05 }\n"
    "  c: { share: 0.1, input_tokens: 800, output_tokens: 100, start_month: 2, end_month: 5 }\n"
    "demand:\n"
    "  requests_per_month: { dist: lognormal, p10: 1.0e5, p90: 9.0e6 }\n"
    "  growth_annual: { dist: normal, mean: 0.5, sd: 0.3 }\n"
    "  volatility_annual: 0.2\n"
    "  schedule:\n"
    "    - { from_month: 1, multiplier: 0.3 }\n"
    "    - { from_month: 3, multiplier: 1 }\n"
    "backends:\n"
    "  api-a:\n"
    "    type: api\n"
    "    input_price_per_mtok: 3.0\n"
    "    output_price_per_mtok: 15.0\n"
    "    price_trend_annual: { dist: normal, mean: -0.25, sd: 0.15 }\n"
    "    price_shocks: { rate_per_year: 1.0, size: { dist: normal, mean: -0.2, sd: 0.15 } }\n"
    "    success_rate: { a: 0.99, b: 0.97, c: 0.95 }\n"
    "  api-b:\n"
    "    type: api\n"
    "    input_price_per_mtok: { dist: pert, min: 0.23, mode: 0.35, max: 1.04 }\n"
    "    output_price_per_mtok: 0.6\n"
    "    failure_rate_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n"
    "    success_rate: { a: 0.98, b: { dist: pert, min: 0.88, mode: 0.94, max: 0.97 }, c: 0.9 }\n"
    "  api-fixed:\n"
    "    type: api\n"
    "    input_price_per_mtok: 0.4\n"
    "    output_price_per_mtok: 1.6\n"
    "    fixed_monthly_cost: { dist: uniform, min: 0, max: 3000 }\n"
    "  gpu-term:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: { dist: lognormal, p10: 300, p90: 2100 }\n"
    "    input_token_weight: 0.1\n"
    "    peak_to_average: 2.0\n"
    "    target_utilization: 0.6\n"
    "    min_gpus: 2\n"
    "    gpu:\n"
    "      mode: cloud\n"
    "      hour_price: { dist: pert, min: 1.99, mode: 2.5, max: 3.5 }\n"
    "      reserved: { gpus: 3, hour_price: { dist: pert, min: 1.18, mode: 1.77, max: 2.07 },\n"
    "                  term_months: %d }\n"
    "      price_trend_annual: -0.15\n"
    "      price_volatility_annual: 0.3\n"
    "    staff: { base_fte: { dist: pert, min: 0.5, mode: 2, max: 5 }, gpus_per_fte: 16,\n"
    "             cost_per_fte_year: 189000, salary_growth_annual: 0.04 }\n"
    "    setup: { months: { dist: uniform, min: 0, max: %d }, cost: 50000 }\n"
    "    updates: { per_year: 3, cost_per_update: 10000 }\n"
    "    incidents: { per_year: 4, cost_per_incident: 5000 }\n"
    "    failure_rate_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n"
    "    success_rate: { a: 0.98, b: 0.94, c: 0.9 }\n";

/* The rest of EDGE.  %d: the owned GPUs' lifetime. */
static const char *EDGE2 =
    "  gpu:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: { dist: lognormal, p10: 300, p90: 2100 }\n"
    "    peak_to_average: 2.0\n"
    "    target_utilization: 0.6\n"
    "    gpu: { mode: cloud, hour_price: 2.5, price_volatility_annual: 0.2 }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: { dist: pert, min: 150000, mode: 189000, max: 300000 } }\n"
    "    setup: { months: { dist: uniform, min: 0, max: 4 }, cost: 20000,\n"
    "             failure_probability: 0.2, abandon_after_months: 3 }\n"
    "    success_rate: { a: 0.97, b: 0.93, c: 0.9 }\n"
    "  owned:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: { dist: lognormal, p10: 600, p90: 2400 }\n"
    "    peak_to_average: 1.5\n"
    "    min_gpus: 2\n"
    "    gpu: { mode: owned, purchase_price: { dist: pert, min: 33750, mode: 37500, max: 40000 },\n"
    "           lifetime_months: %d, power_kw: 1.275, pue: { dist: pert, min: 1.1, mode: 1.3, max: 1.58 },\n"
    "           electricity_per_kwh: 0.08, colocation_per_kw_month: 184,\n"
    "           maintenance_annual: { dist: uniform, min: 0.02, max: 0.08 },\n"
    "           resale_fraction: { dist: uniform, min: 0.2, max: 0.9 },\n"
    "           price_trend_annual: -0.15, price_volatility_annual: 0.3 }\n"
    "    staff: { base_fte: 2, cost_per_fte_year: 189000 }\n"
    "    setup: { months: { dist: uniform, min: 0, max: 3 }, cost: 80000 }\n"
    "    updates: { per_year: 2, cost_per_update: 10000 }\n"
    "strategies:\n"
    "  api: { route: { a: api-a, b: api-b, c: api-a } }\n"
    "  term: { route: { a: gpu-term, b: gpu-term, c: api-b }, fallback: api-a }\n"
    "  term-b: { route: { a: gpu-term, b: api-b, c: gpu-term }, fallback: api-b }\n"
    "  rented: { route: { a: gpu, b: gpu, c: gpu }, fallback: api-b }\n"
    "  unfallen: { route: { a: gpu-term, b: gpu-term, c: gpu-term }, fallback: none }\n"
    "  fixed: { route: { a: api-fixed, b: api-b, c: api-fixed } }\n"
    "  owned: { route: { a: owned, b: owned, c: api-a }, fallback: api-a }\n"
    "  owned-staged:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { a: api-a, b: api-b, c: api-a } }\n"
    "      - { from_month: 2, route: { a: owned, b: api-b, c: api-b } }\n"
    "    fallback: api-b\n"
    "  owned-later:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    switch: { when: { requests_per_month_above: 3.0e6 }, route: { a: owned, b: owned, c: owned } }\n"
    "    fallback: api-b\n"
    "  staged:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { a: api-a, b: api-b, c: api-a } }\n"
    "      - { from_month: 3, route: { a: gpu-term, b: gpu-term, c: api-a } }\n"
    "    fallback: api-b\n"
    "  threshold:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    switch: { when: { requests_per_month_above: 2.0e6 }, route: { a: gpu-term, b: gpu-term, c: api-a } }\n"
    "    fallback: api-b\n"
    "  leave:\n"
    "    route: { a: api-b, b: api-b, c: api-a }\n"
    "    switch: { when: { requests_per_month_above: 1.0e6 }, route: { a: gpu-term, b: gpu-term, c: api-b } }\n"
    "    fallback: api-b\n";

/* The rest of EDGE2 (no %d): reviews, a switch on spend, the events.
 * review-b reviews every month from month 1, without hysteresis, where
 * "api" and "api-c" differ only in workload c, which has no requests in
 * month 1: their run-rates tie there, and the first must win. */
static const char *EDGE3 =
    "  review-a:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    fallback: api-b\n"
    "    retire_idle_months: 2\n"
    "    review:\n"
    "      every_months: 2\n"
    "      hysteresis: 0.05\n"
    "      switching_cost: 15000\n"
    "      options:\n"
    "        term: { a: gpu-term, b: gpu-term, c: api-b }\n"
    "        owned: { a: owned, b: owned, c: api-a }\n"
    "        fixed: { a: api-fixed, b: api-b, c: api-fixed }\n"
    "  review-b:\n"
    "    route: { a: gpu, b: gpu, c: gpu }\n"
    "    fallback: api-a\n"
    "    review:\n"
    "      first_month: 1\n"
    "      every_months: 1\n"
    "      hysteresis: 0\n"
    "      switching_cost: 0\n"
    "      options:\n"
    "        api: { a: api-a, b: api-b, c: api-a }\n"
    "        api-c: { a: api-a, b: api-b, c: api-b }\n"
    "        mixed: { a: api-b, b: owned, c: gpu-term }\n"
    "  review-c:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    fallback: api-a\n"
    "    retire_idle_months: 2\n"
    "    review:\n"
    "      every_months: 3\n"
    "      hysteresis: 0.05\n"
    "      switching_cost: 12000\n"
    "      options:\n"
    "        term-ab: { a: gpu-term, b: gpu-term, c: api-b }\n"
    "        apis: { a: api-b, b: api-b, c: api-a }\n"
    "  review-d:\n"
    "    route: { a: owned, b: owned, c: api-a }\n"
    "    fallback: api-b\n"
    "    retire_idle_months: 3\n"
    "    review:\n"
    "      first_month: 2\n"
    "      every_months: 4\n"
    "      hysteresis: 0.1\n"
    "      switching_cost: { dist: uniform, min: 0, max: 30000 }\n"
    "      options:\n"
    "        leave: { a: api-a, b: api-b, c: api-a }\n"
    "        keep: { a: owned, b: api-b, c: owned }\n"
    "  review-e:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    review:\n"
    "      first_month: 1\n"
    "      every_months: 1\n"
    "      hysteresis: 0\n"
    "      switching_cost: 500\n"
    "      options:\n"
    "        swap: { a: api-b, b: api-b, c: api-b }\n"
    "        back: { a: api-a, b: api-b, c: api-a }\n"
    "        fixed: { a: api-fixed, b: api-b, c: api-a }\n"
    "  review-f:\n"
    "    route: { a: gpu, b: api-b, c: gpu }\n"
    "    fallback: api-b\n"
    "    review:\n"
    "      every_months: 5\n"
    "      hysteresis: 0.02\n"
    "      switching_cost: 7000\n"
    "      options:\n"
    "        all-gpu: { a: gpu, b: gpu, c: gpu }\n"
    "        api: { a: api-a, b: api-b, c: api-a }\n"
    "  review-g:\n"
    "    route: { a: api-fixed, b: api-b, c: api-a }\n"
    "    fallback: api-b\n"
    "    review:\n"
    "      every_months: 6\n"
    "      hysteresis: 0.1\n"
    "      switching_cost: 1000\n"
    "      options:\n"
    "        gpu-all: { a: gpu-term, b: gpu-term, c: gpu-term }\n"
    "  spend:\n"
    "    route: { a: api-a, b: api-b, c: api-a }\n"
    "    switch: { when: { api_cost_per_month_above: 5000 }, route: { a: gpu, b: api-b, c: api-a } }\n"
    "    fallback: api-b\n"
    "events:\n"
    "  hike: { probability_per_year: 0.3, effect: { price_multiplier: { backend: api-a,\n"
    "          factor: { dist: uniform, min: 1.2, max: 1.6 } } } }\n"
    "  shortage: { probability_per_year: 0.3, effect: { price_multiplier: { backend: gpu-term,\n"
    "              factor: 1.5 } } }\n"
    "  regulation: { probability_per_year: 0.1, effect: { exclude_backend: { backend: api-a,\n"
    "                reroute_to: api-b, cost: 80000 } } }\n"
    "  audit: { probability_per_year: 0.3, effect: { one_off_cost: 25000 } }\n"
    "  glut: { probability_per_year: 0.2, effect: { price_multiplier: { backend: owned,\n"
    "          factor: 0.7 } } }\n";

START_TEST(test_edges)
{
    /* Owned GPUs are costed in lanes when no cohort can reach its
     * lifetime within the horizon (lifetime >= horizon), else alone: a
     * lifetime of the horizon and of one month less. */
    static const int cases[][4] = {
        /* horizon, term, setup maximum, owned GPUs' lifetime */
        {1, 1, 2, 1},     {3, 2, 4, 2},    {5, 3, 7, 5},     {7, 2, 1, 24},
        {12, 3, 14, 12}, {36, 12, 6, 24}, {37, 5, 40, 40}, {24, 6, 3, 23},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[14000], what[80];
        int len = snprintf(text, sizeof text, EDGE, cases[i][0], cases[i][1], cases[i][2]);
        ck_assert(len > 0 && (size_t)len < sizeof text);
        int more = snprintf(text + len, sizeof text - (size_t)len, EDGE2, cases[i][3]);
        ck_assert(more > 0 && (size_t)(len + more) + strlen(EDGE3) < sizeof text);
        strcat(text, EDGE3);
        snprintf(what, sizeof what, "edge (horizon %d, term %d, setup to %d, lifetime %d)",
                 cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
        tco_scenario *sc;
        tco_error err;
        ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s: %s", what, err.msg);
        double share = compare(sc, 1001, what);
        compare_sweep(sc, 403, what);
        /* Of the 20 strategies, api, term, term-b, rented, unfallen,
         * owned, owned-staged, owned-later, staged, threshold and leave
         * (whose switch leaves api-a: the months it is read end with the
         * switch) qualify; rented's futures with a failed setup do not,
         * nor owned GPUs that can retire within the horizon.  The reviews
         * have their decisions made in lanes but for futures with an
         * exclusion or a failed setup on an option's platform; those of
         * review-c to review-f whose option changes once at most are
         * costed in lanes too: review-c moving to a reserved platform,
         * with requests unserved before production; review-d leaving its
         * owned fleet (which then retires: costed alone) or keeping it;
         * review-e among api backends, every month (its option with a
         * fixed cost: alone); review-f leaving a rented platform that does
         * not retire; review-g's "initial" has a fixed cost (alone).
         * review-a and review-b reach two platforms. */
        if (have_avx2())
            ck_assert_msg(share > 0.4, "%s: %.3f of the costings in lanes", what, share);
        tco_scenario_free(sc);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lanes");
    TCase *tc = tcase_create("lanes");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_bundled_scenarios);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(s, tc);
    return run_suite(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
