/* The cost model on a deterministic scenario: every input fixed, so every
 * month's cost of every strategy is computed here by hand from MODEL.md and
 * compared with the model's, category by category. */
#include "testutil.h"

#include "../models/model.h"
#include "../sim/sample.h"

static const char *SCENARIO =
    "scenario: { name: det, horizon_months: 6, discount_rate_annual: 0.12 }\n"
    "workloads:\n"
    "  a: { share: 3, input_tokens: 1000, output_tokens: 500, failure_cost: 0.1 }\n"
    "  b: { share: 1, input_tokens: 2000, output_tokens: 1000, failure_cost: 1.0 }\n"
    "demand: { requests_per_month: 1.0e6, growth_annual: 0.2 }\n"
    "backends:\n"
    "  api1:\n"
    "    type: api\n"
    "    input_price_per_mtok: 2\n"
    "    output_price_per_mtok: 8\n"
    "    price_trend_annual: -0.12\n"
    "    discount: 0.1\n"
    "    fixed_monthly_cost: 1000\n"
    "    success_rate: { a: 0.99, b: 0.95 }\n"
    "  api2:\n"
    "    type: api\n"
    "    input_price_per_mtok: 0.5\n"
    "    output_price_per_mtok: 1.5\n"
    "    success_rate: { a: 0.97 }\n"
    "  cloud1:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 1000\n"
    "    input_token_weight: 0.2\n"
    "    peak_to_average: 1.5\n"
    "    target_utilization: 0.5\n"
    "    min_gpus: 1\n"
    "    gpu: { mode: cloud, hour_price: 2.0 }\n"
    "    staff: { base_fte: 1, gpus_per_fte: 10, cost_per_fte_year: 120000, salary_growth_annual: 0.1 }\n"
    "    setup: { months: 1.5, cost: 10000 }\n"
    "    success_rate: { a: 0.9, b: 0.8 }\n"
    "  owned1:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 148\n"
    "    input_token_weight: 0.1\n"
    "    target_utilization: 1\n"
    "    min_gpus: 0\n"
    "    gpu: { mode: owned, purchase_price: 10000, lifetime_months: 3, power_kw: 1.0, pue: 1.5,\n"
    "           electricity_per_kwh: 0.1, colocation_per_kw_month: 100, maintenance_annual: 0.12,\n"
    "           price_trend_annual: 0.12 }\n"
    "    staff: { base_fte: 0.5, cost_per_fte_year: 60000 }\n"
    "strategies:\n"
    "  api: { route: { a: api1, b: api1 } }\n"
    "  cloud: { route: { a: cloud1, b: api1 }, fallback: api1 }\n"
    "  phased:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { a: api1, b: api1 } }\n"
    "      - { from_month: 3, route: { a: owned1, b: owned1 } }\n"
    "  switch:\n"
    "    route: { a: api1, b: api1 }\n"
    "    switch: { when: { requests_per_month_above: 1.02e6 }, route: { a: cloud1, b: cloud1 } }\n"
    "    fallback: api1\n"
    "  excluded: { route: { a: api2, b: api1 }, fallback: api1 }\n"
    "events:\n"
    "  audit: { probability_per_year: 1, effect: { one_off_cost: 5000 } }\n"
    "  hike: { probability_per_year: 1, effect: { price_multiplier: { backend: api1, factor: 1.5 } } }\n"
    "  ban: { probability_per_year: 1,\n"
    "         effect: { exclude_backend: { backend: api2, reroute_to: cloud1, cost: 7000 } } }\n"
    "  never: { probability_per_year: 0, effect: { one_off_cost: 1.0e9 } }\n";

enum { T = 6, NS = 5 };
enum { API, COMPUTE, FACILITY, STAFF, SETUP, OPS, QUALITY, EVENTS };

static double expected[NS][T][TCO_NCAT];

static double V(int t) { return 1e6 * pow(1.2, (t - 1) / 12.0); }
static double Ra(int t) { return 0.75 * V(t); }
static double Rb(int t) { return 0.25 * V(t); }

/* api1: index (0.88)^((t-1)/12), times 1.5 from the hike in month 1. */
static double api1_a(int t)
{
    return 1.5 * pow(0.88, (t - 1) / 12.0) * 0.9 * (1000 * 2 + 500 * 8) / 1e6 * Ra(t);
}
static double api1_b(int t)
{
    return 1.5 * pow(0.88, (t - 1) / 12.0) * 0.9 * (2000 * 2 + 1000 * 8) / 1e6 * Rb(t);
}
static double fte_month(double cost_year, double growth, int t)
{
    return cost_year / 12 * pow(1 + growth, (t - 1) / 12.0);
}
/* cloud1 GPUs for token-equivalents w. */
static double cloud_gpus(double w)
{
    double n = ceil(w * 1.5 / (1000 * 0.5 * 3600 * 730.0));
    return n > 1 ? n : 1;
}

static void hand_compute(void)
{
    memset(expected, 0, sizeof expected);
    const double qa_api1 = 0.01 * 0.1, qb_api1 = 0.05 * 1.0;
    const double qa_cloud = 0.1 * 0.1, qb_cloud = 0.2 * 1.0;
    for (int t = 1; t <= T; t++) {
        double(*e)[TCO_NCAT];
        /* Every strategy: the audit (5000) in month 1. */
        for (int s = 0; s < NS; s++)
            expected[s][t - 1][EVENTS] += t == 1 ? 5000 : 0;

        /* 0 api: everything on api1. */
        e = &expected[0][t - 1];
        (*e)[API] = api1_a(t) + api1_b(t) + 1000;
        (*e)[QUALITY] = Ra(t) * qa_api1 + Rb(t) * qb_api1;

        /* 1 cloud: a on cloud1 (setup 1.5 -> 2 months: fallback api1 in months
         * 1-2), b on api1. */
        e = &expected[1][t - 1];
        if (t <= 2) {
            (*e)[API] = api1_a(t) + api1_b(t) + 1000;
            (*e)[QUALITY] = Ra(t) * qa_api1 + Rb(t) * qb_api1;
            (*e)[STAFF] = 1 * fte_month(120000, 0.1, t);
            (*e)[SETUP] = t == 1 ? 10000 : 0;
        } else {
            double w = Ra(t) * (0.2 * 1000 + 500);
            double n = cloud_gpus(w);
            (*e)[API] = api1_b(t) + 1000;
            (*e)[COMPUTE] = n * 730 * 2.0;
            (*e)[STAFF] = (1 + n / 10) * fte_month(120000, 0.1, t);
            (*e)[QUALITY] = Ra(t) * qa_cloud + Rb(t) * qb_api1;
        }

        /* 3 switch: V_3 > 1.02e6 first, so cloud1 for both from month 4; its
         * 2-month setup makes api1 (the fallback) serve months 4-5. */
        e = &expected[3][t - 1];
        if (t <= 5) {
            (*e)[API] = api1_a(t) + api1_b(t) + 1000;
            (*e)[QUALITY] = Ra(t) * qa_api1 + Rb(t) * qb_api1;
        }
        if (t == 4)
            (*e)[SETUP] = 10000;
        if (t == 4 || t == 5)
            (*e)[STAFF] = fte_month(120000, 0.1, t);
        if (t == 6) {
            double w = Ra(t) * (0.2 * 1000 + 500) + Rb(t) * (0.2 * 2000 + 1000);
            double n = cloud_gpus(w);
            (*e)[COMPUTE] = n * 730 * 2.0;
            (*e)[STAFF] = (1 + n / 10) * fte_month(120000, 0.1, t);
            (*e)[QUALITY] = Ra(t) * qa_cloud + Rb(t) * qb_cloud;
        }

        /* 4 excluded: api2 is banned in month 1 (cost 7000: month 1's routing
         * sends a to it); a goes to cloud1, whose 2-month setup is bridged by
         * api2 itself; then cloud1 serves a.  b stays on api1. */
        e = &expected[4][t - 1];
        (*e)[EVENTS] += t == 1 ? 7000 : 0;
        (*e)[API] = api1_b(t) + 1000;
        if (t <= 2) {
            (*e)[API] += (1000 * 0.5 + 500 * 1.5) / 1e6 * Ra(t);
            (*e)[QUALITY] = Ra(t) * 0.03 * 0.1 + Rb(t) * qb_api1;
            (*e)[STAFF] = fte_month(120000, 0.1, t);
            (*e)[SETUP] = t == 1 ? 10000 : 0;
        } else {
            double n = cloud_gpus(Ra(t) * (0.2 * 1000 + 500));
            (*e)[COMPUTE] = n * 730 * 2.0;
            (*e)[STAFF] = (1 + n / 10) * fte_month(120000, 0.1, t);
            (*e)[QUALITY] = Ra(t) * qa_cloud + Rb(t) * qb_api1;
        }
    }
    /* 2 phased: api1 in months 1-2, owned1 from month 3 (no setup).  Owned
     * GPUs: need 2, 3, 3, 3 in months 3-6 (capacity 148 * 3600 * 730 each);
     * buy 2 in month 3, 1 in month 4; the month-3 cohort retires at the start
     * of month 6 (lifetime 3), so 2 are bought again; in month 6 the month-6
     * cohort keeps 2/3 of its value (credited), the month-4 cohort none. */
    double price[7], bought[7] = {0};
    for (int t = 1; t <= T; t++)
        price[t] = 10000 * pow(1.12, (t - 1) / 12.0);
    for (int t = 1; t <= T; t++) {
        double(*e)[TCO_NCAT] = &expected[2][t - 1];
        if (t <= 2) {
            (*e)[API] = api1_a(t) + api1_b(t) + 1000;
            (*e)[QUALITY] = Ra(t) * 0.01 * 0.1 + Rb(t) * 0.05;
            continue;
        }
        double w = Ra(t) * (0.1 * 1000 + 500) + Rb(t) * (0.1 * 2000 + 1000);
        double need = ceil(w / (148 * 3600 * 730.0));
        double want[7] = {0, 0, 0, 2, 3, 3, 3};
        ck_assert_double_eq(need, want[t]);
        double fleet = 0, held = 0;
        if (t == 3)
            bought[3] = 2;
        if (t == 4)
            bought[4] = 1;
        if (t == 6)
            bought[6] = 2; /* cohort 3 retired: fleet 1, need 3 */
        for (int b = 3; b <= t; b++)
            if (t - b < 3) {
                fleet += bought[b];
                held += bought[b] * price[b];
            }
        (*e)[COMPUTE] = bought[t] * price[t];
        (*e)[FACILITY] = fleet * 1.0 * (1.5 * 730 * 0.1 + 100) + 0.12 / 12 * held;
        (*e)[STAFF] = 0.5 * 60000 / 12;
        if (t == 6)
            (*e)[COMPUTE] -= bought[6] * price[6] * (1 - 1.0 / 3) + bought[4] * price[4] * 0;
    }
}

START_TEST(test_deterministic_months)
{
    tco_error err;
    tco_scenario *sc;
    ck_assert_msg(load_text(SCENARIO, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(sc->ndims, 0);
    tco_model *m;
    ck_assert_int_eq(tco_model_alloc(&m, sc, &err), TCO_OK);
    tco_future *f = tco_future_alloc(m);
    double *x = malloc(sc->ninputs * sizeof *x);
    tco_sample_inputs(sc, NULL, x, NULL);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 1, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    hand_compute();

    double bycat[T * TCO_NCAT], monthly[T];
    for (int s = 0; s < NS; s++) {
        tco_cost cost;
        tco_future_cost(f, m, (size_t)s, monthly, bycat, &cost);
        double npv = 0, nominal = 0;
        for (int t = 1; t <= T; t++) {
            double total = 0;
            for (int c = 0; c < TCO_NCAT; c++) {
                double got = bycat[(t - 1) * TCO_NCAT + c], want = expected[s][t - 1][c];
                ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1, fabs(want)),
                              "strategy %d month %d %s: got %.10g, expected %.10g", s, t,
                              tco_category_name((tco_category)c), got, want);
                total += want;
            }
            ck_close(monthly[t - 1], total, 1e-12);
            npv += pow(1.12, -t / 12.0) * total;
            nominal += total;
        }
        ck_close(cost.npv, npv, 1e-12);
        ck_close(cost.nominal, nominal, 1e-12);
    }
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

/* A few numbers worked out on paper, as a check on the checks above. */
START_TEST(test_by_hand_literals)
{
    tco_error err;
    tco_scenario *sc;
    ck_assert_msg(load_text(SCENARIO, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_model *m;
    ck_assert_int_eq(tco_model_alloc(&m, sc, &err), TCO_OK);
    tco_future *f = tco_future_alloc(m);
    double *x = malloc(sc->ninputs * sizeof *x);
    tco_sample_inputs(sc, NULL, x, NULL);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 1, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    double bycat[T * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(f, m, 0, NULL, bycat, &cost);
    /* Month 1 on api1: 1.5 * (750000 * 0.0054 + 250000 * 0.0108) + 1000. */
    ck_close(bycat[API], 11125, 1e-12);
    /* Failures: 750000 * 1% * 0.10 + 250000 * 5% * 1.00. */
    ck_close(bycat[QUALITY], 13250, 1e-12);
    ck_close(bycat[EVENTS], 5000, 1e-12);
    /* The switch strategy: V_2 = 1.0153e6 is below 1.02e6, V_3 = 1.0309e6
     * is above, so the setup cost lands in month 4. */
    tco_future_cost(f, m, 3, NULL, bycat, &cost);
    ck_close(bycat[3 * TCO_NCAT + SETUP], 10000, 1e-12);
    ck_close(bycat[2 * TCO_NCAT + SETUP], 0, 1e-12);
    /* Owned GPUs, month 3: 2 GPUs at 10000 * 1.12^(2/12) each. */
    tco_future_cost(f, m, 2, NULL, bycat, &cost);
    ck_close(bycat[2 * TCO_NCAT + COMPUTE], 2 * 10000 * pow(1.12, 2 / 12.0), 1e-12);
    /* Facility for 2 GPUs: 2 * 1 kW * (1.5 * 730 h * 0.1 + 100) = 419, plus
     * maintenance 1% of 20378.6 a month. */
    ck_close(bycat[2 * TCO_NCAT + FACILITY], 419 + 0.01 * 2 * 10000 * pow(1.12, 2 / 12.0), 1e-12);
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

/* The monthly totals the engine's break-even reads: a strategy whose
 * cumulative cost crosses below the baseline's in month 3 and stays there. */
START_TEST(test_breakeven)
{
    const char *text =
        "scenario: { name: be, horizon_months: 5 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 10000 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 0,\n"
        "         gpu: { mode: cloud, hour_price: 0 }, setup: { months: 0, cost: 25000 } }\n"
        "strategies:\n"
        "  base: { route: { w: api } }\n"
        "  own: { route: { w: gpu } }\n";
    tco_error err;
    tco_scenario *sc;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_model *m;
    ck_assert_int_eq(tco_model_alloc(&m, sc, &err), TCO_OK);
    tco_future *f = tco_future_alloc(m);
    double x[64];
    ck_assert_uint_lt(sc->ninputs, 64);
    tco_sample_inputs(sc, NULL, x, NULL);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 1, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    tco_cost base, own;
    double bm[5], om[5];
    /* base: 1000 requests * 1000 tokens * 10000 / 1e6 = 10000 a month:
     * cumulative 10k, 20k, 30k, ...; own: 25000 once.  Either strategy may
     * be costed first (break-even is the engine's, from these months). */
    tco_future_cost(f, m, 1, om, NULL, &own);
    tco_future_cost(f, m, 0, bm, NULL, &base);
    ck_close(base.nominal, 50000, 1e-12);
    ck_close(own.nominal, 25000, 1e-12);
    for (int t = 0; t < 5; t++) {
        ck_close(bm[t], 10000, 1e-12);
        ck_close(om[t], t == 0 ? 25000 : 0, 1e-12);
    }
    free(NULL);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("deterministic");
    tcase_add_test(tc, test_deterministic_months);
    tcase_add_test(tc, test_by_hand_literals);
    tcase_add_test(tc, test_breakeven);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
