/* The cost model on a deterministic scenario: every input fixed, so every
 * month's cost of every strategy is computed here by hand from MODEL.md and
 * compared with the model's, category by category. */
#include "testutil.h"

#include "../models/model.h"
#include "../models/model_impl.h"
#include "../models/review.h"
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

/* ---- Rules no test above exercises (issue 7, item 9): hand-computed
 * scenarios for the API-cost switch, the demand cap, exclusion chains,
 * fine-tuning costs and price events on self-hosted backends.  Where a
 * rule depends on a random month (an event) or a random count, the test
 * reads that draw from the future and computes the costs from it by hand. */

typedef struct {
    tco_scenario *sc;
    tco_model *m;
    tco_future *f;
    double *x;
    tco_zig zig;
} drawn;

/* The scenario's model, a future and room for its inputs. */
static void drawn_open(drawn *d, const char *text)
{
    tco_error err;
    ck_assert_msg(load_text(text, &d->sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(tco_model_alloc(&d->m, d->sc, &err), TCO_OK);
    d->f = tco_future_alloc(d->m);
    d->x = malloc(d->sc->ninputs * sizeof *d->x);
    tco_zig_init(&d->zig);
}

/* drawn_open with the inputs of a scenario that holds no uncertain one. */
static void drawn_load(drawn *d, const char *text)
{
    drawn_open(d, text);
    tco_sample_inputs(d->sc, NULL, d->x, NULL);
}

/* drawn_open of a scenario file. */
static void drawn_load_file(drawn *d, const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = 0;
    drawn_open(d, text);
}

static void drawn_future(drawn *d, uint64_t stream)
{
    tco_rng rng;
    tco_rng_seed(&rng, &d->zig, 1, stream);
    tco_future_draw(d->f, d->m, d->x, &rng, NULL);
}

static void drawn_free(drawn *d)
{
    free(d->x);
    tco_future_free(d->f);
    tco_model_free(d->m);
    tco_scenario_free(d->sc);
}

/* Month t's cost of strategy s in category c (bycat of tco_future_cost). */
#define CAT(bycat, t, c) ((bycat)[((t) - 1) * TCO_NCAT + (c)])

/* The API-cost switch: 1000 requests of 1000 output tokens at 10000 per
 * million cost 10000 x M_t, with M_t = 2^((t-1)/12) (trend +100%/yr):
 * 10000, 10594.6, 11224.6, 11892.1, ...  The threshold 11500 is first
 * exceeded in month 4 (tau), so the switch route (cheap: 1000 per million,
 * 1000 a month) applies from month 5 on.  A switch on the base price
 * (10000) would never happen; a switch from tau itself would make month 4
 * cost 1000. */
START_TEST(test_api_cost_switch)
{
    const char *text =
        "scenario: { name: sw, horizon_months: 7 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  dear: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 10000,\n"
        "          price_trend_annual: 1.0 }\n"
        "  cheap: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "strategies:\n"
        "  stay: { route: { w: dear } }\n"
        "  move:\n"
        "    route: { w: dear }\n"
        "    switch: { when: { api_cost_per_month_above: 11500 }, route: { w: cheap } }\n"
        "  never:\n"
        "    route: { w: dear }\n"
        "    switch: { when: { api_cost_per_month_above: 20000 }, route: { w: cheap } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[7 * TCO_NCAT], monthly[7];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, monthly, bycat, &cost);
    for (int t = 1; t <= 7; t++)
        ck_close(CAT(bycat, t, API), 10000 * pow(2, (t - 1) / 12.0), 1e-12);
    tco_future_cost(d.f, d.m, 1, monthly, bycat, &cost);
    ck_close(monthly[2], 11224.620483093730, 1e-12); /* month 3: below 11500 */
    ck_close(monthly[3], 11892.071150027210, 1e-12); /* month 4: above, still dear */
    ck_close(monthly[4], 1000, 1e-12);
    ck_close(monthly[5], 1000, 1e-12);
    ck_close(monthly[6], 1000, 1e-12);
    double nominal = 10000 + 3 * 1000; /* month 1, months 5-7 */
    for (int t = 2; t <= 4; t++)
        nominal += 10000 * pow(2, (t - 1) / 12.0);
    ck_close(cost.nominal, nominal, 1e-12);
    /* A threshold never reached: no switch. */
    tco_future_cost(d.f, d.m, 2, monthly, bycat, &cost);
    ck_close(monthly[6], 10000 * pow(2, 6 / 12.0), 1e-12);
    drawn_free(&d);
}
END_TEST

/* The demand cap, deterministic: growth 300%/yr is a factor 4^(1/12) a
 * month, V_t = 1000 4^((t-1)/12): 1000, 1122.46, 1259.92, 1414.21, 1587.40;
 * max_multiple 1.5 caps it at 1500 from month 5 on (and month 6, grown
 * from 1500 to 1683.7, is capped again).  Costs follow V_t: 1 per request. */
START_TEST(test_demand_cap)
{
    const char *text =
        "scenario: { name: cap, horizon_months: 6 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000, growth_annual: 3, max_multiple: 1.5 }\n"
        "backends: { api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 } }\n"
        "strategies: { s: { route: { w: api } } }\n";
    static const double want[6] = {1000, 1122.4620483093730, 1259.9210498948732,
                                   1414.2135623730951, 1500, 1500};
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    const double *V = tco_future_volume(d.f);
    double monthly[6];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, monthly, NULL, &cost);
    for (int t = 0; t < 6; t++) {
        ck_close(V[t], want[t], 1e-12);
        ck_close(monthly[t], want[t], 1e-12);
    }
    drawn_free(&d);
}
END_TEST

/* The cap with volatility: the next month grows from the capped value.
 * The same stream gives the same monthly shocks with and without a cap
 * (a cap draws nothing), so the uncapped path's ratios V_t / V_{t-1} are
 * the shocks; the capped path must be W_1 = V_1,
 * W_t = min(W_{t-1} V_t / V_{t-1}, 1.2 V_1).  (Capping the uncapped path,
 * min(V_t, 1.2 V_1), differs as soon as the path falls after a cap.) */
START_TEST(test_demand_cap_regrowth)
{
    const char *free_text =
        "scenario: { name: cap, horizon_months: 60 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000, growth_annual: 0.5, volatility_annual: 0.6 }\n"
        "backends: { api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 } }\n"
        "strategies: { s: { route: { w: api } } }\n";
    const char *capped_text =
        "scenario: { name: cap, horizon_months: 60 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000, growth_annual: 0.5, volatility_annual: 0.6,\n"
        "          max_multiple: 1.2 }\n"
        "backends: { api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 } }\n"
        "strategies: { s: { route: { w: api } } }\n";
    drawn a, b;
    drawn_load(&a, free_text);
    drawn_load(&b, capped_text);
    int differs = 0, capped = 0;
    for (uint64_t stream = 0; stream < 20; stream++) {
        drawn_future(&a, stream);
        drawn_future(&b, stream);
        const double *V = tco_future_volume(a.f), *W = tco_future_volume(b.f);
        double w = V[0];
        ck_close(W[0], V[0], 1e-15);
        for (int t = 1; t < 60; t++) {
            w = fmin(w * (V[t] / V[t - 1]), 1.2 * V[0]);
            ck_close(W[t], w, 1e-9);
            capped += W[t] == 1.2 * V[0];
            differs |= fabs(w - fmin(V[t], 1.2 * V[0])) > 1e-6 * w;
        }
    }
    /* The futures did hit the cap and fall back below it. */
    ck_assert_int_gt(capped, 0);
    ck_assert(differs);
    drawn_free(&a);
    drawn_free(&b);
}
END_TEST

/* Exclusion chains: ban-a excludes A (reroute to B), ban-b excludes B
 * (reroute to C).  1000 requests of 1000 output tokens a month: A costs
 * 1000 a month, B 2000, C 4000.  Event months are drawn;
 * for a future where A is banned first (E_a < E_b):
 *   on-a: 1000 before E_a, 2000 from E_a, 4000 from E_b (the reroute
 *         target is itself excluded: the chain ends at C); event costs 100
 *         in E_a and 10 in E_b (its routing, earlier exclusion applied,
 *         reaches B);
 *   on-b: 2000 before E_b, 4000 from E_b; 10 in E_b;
 *   on-c: 4000 always, no event cost.
 * For a future where B is banned first (E_b < E_a), on-a goes straight to
 * C at E_a (rerouting to an excluded backend follows its exclusion). */
static const char *CHAIN =
    "scenario: { name: chain, horizon_months: 60 }\n"
    "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
    "demand: { requests_per_month: 1000 }\n"
    "backends:\n"
    "  A: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
    "  B: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 2000 }\n"
    "  C: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 4000 }\n"
    "strategies:\n"
    "  on-a: { route: { w: A } }\n"
    "  on-b: { route: { w: B } }\n"
    "  on-c: { route: { w: C } }\n"
    "events:\n"
    "  ban-a: { probability_per_year: 0.3,\n"
    "           effect: { exclude_backend: { backend: A, reroute_to: B, cost: 100 } } }\n"
    "  ban-b: { probability_per_year: 0.3,\n"
    "           effect: { exclude_backend: { backend: B, reroute_to: C, cost: 10 } } }\n";

START_TEST(test_exclusion_chain)
{
    drawn d;
    drawn_load(&d, CHAIN);
    int seen_ab = 0, seen_ba = 0;
    for (uint64_t stream = 0; stream < 2000 && !(seen_ab && seen_ba); stream++) {
        drawn_future(&d, stream);
        int ea = tco_future_event_month(d.f, 0), eb = tco_future_event_month(d.f, 1);
        if (ea == 0 || eb == 0 || ea == eb || ea == 1 || eb == 1)
            continue;
        if ((ea < eb && seen_ab) || (eb < ea && seen_ba))
            continue;
        seen_ab |= ea < eb;
        seen_ba |= eb < ea;
        double bycat[60 * TCO_NCAT];
        tco_cost cost;
        for (int s = 0; s < 3; s++) {
            tco_future_cost(d.f, d.m, (size_t)s, NULL, bycat, &cost);
            for (int t = 1; t <= 60; t++) {
                double api, ev = 0;
                if (s == 0) {
                    if (ea < eb)
                        api = t < ea ? 1000 : t < eb ? 2000 : 4000;
                    else
                        api = t < ea ? 1000 : 4000;
                    ev = (t == ea ? 100 : 0) + (t == eb && ea < eb ? 10 : 0);
                } else if (s == 1) {
                    api = t < eb ? 2000 : 4000;
                    ev = t == eb ? 10 : 0;
                } else {
                    api = 4000;
                }
                ck_assert_msg(fabs(CAT(bycat, t, API) - api) < 1e-9 && fabs(CAT(bycat, t, EVENTS) - ev) < 1e-9,
                              "E_a %d E_b %d strategy %d month %d: api %g events %g, expected %g %g",
                              ea, eb, s, t, CAT(bycat, t, API), CAT(bycat, t, EVENTS), api, ev);
            }
        }
    }
    ck_assert(seen_ab && seen_ba);
    drawn_free(&d);
}
END_TEST

/* Fine-tuning costs: 6 runs a year of 15000 each, a Poisson(0.5) count a
 * month, charged in the operations category from the month the backend is
 * in production (setup 2 months: none in months 1-2 of a strategy that
 * adopts it in month 1), the same counts for every strategy (common random
 * numbers), nothing for a strategy that never uses the backend.  Over
 * 3000 futures x 10 production months, the mean monthly cost is
 * 0.5 x 15000 = 7500 within 4 standard errors (SE = 15000 sqrt(0.5/30000)). */
START_TEST(test_fine_tuning_costs)
{
    const char *text =
        "scenario: { name: ft, horizon_months: 12 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 0 }, setup: { months: 2, cost: 0 },\n"
        "         fine_tuning: { runs_per_year: 6, cost_per_run: 15000 } }\n"
        "strategies:\n"
        "  api: { route: { w: api } }\n"
        "  own: { route: { w: gpu }, fallback: api }\n"
        "  own2: { route: { w: gpu }, fallback: api }\n";
    drawn d;
    drawn_load(&d, text);
    enum { N = 3000 };
    double sum = 0;
    long months = 0, nonzero = 0;
    for (uint64_t i = 0; i < N; i++) {
        drawn_future(&d, i);
        double a[12 * TCO_NCAT], b[12 * TCO_NCAT], c[12 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, 0, NULL, a, &cost);
        tco_future_cost(d.f, d.m, 1, NULL, b, &cost);
        tco_future_cost(d.f, d.m, 2, NULL, c, &cost);
        for (int t = 1; t <= 12; t++) {
            double ops = CAT(b, t, OPS);
            ck_assert_double_eq(CAT(a, t, OPS), 0);
            ck_assert_double_eq(CAT(c, t, OPS), ops);
            if (t <= 2) {
                ck_assert_double_eq(ops, 0);
                continue;
            }
            double runs = ops / 15000;
            ck_assert_msg(runs >= 0 && runs == floor(runs), "month %d: %g is not whole runs", t, ops);
            sum += ops;
            months++;
            nonzero += ops > 0;
        }
    }
    double mean = sum / (double)months, se = 15000 * sqrt(0.5 / (double)months);
    ck_assert_msg(fabs(mean - 7500) < 4 * se, "mean monthly fine-tuning cost %g, expected 7500 +- %g",
                  mean, 4 * se);
    /* P(count > 0) = 1 - e^-0.5 = 0.3935. */
    double p = (double)nonzero / (double)months;
    ck_assert_msg(fabs(p - (1 - exp(-0.5))) < 4 * sqrt(0.3935 * 0.6065 / (double)months),
                  "P(a run in a month) = %g", p);
    drawn_free(&d);
}
END_TEST

/* Price events on self-hosted backends multiply G_t from the event month
 * on.  Cloud (volatility 0, no trend: G_t = 1): 2 GPUs (min_gpus) x 730 h x
 * 3.0 = 4380 a month before E, x 1.5 = 6570 from E.  Owned (event certain,
 * E = 1): 3 GPUs bought in month 1 at 10000 x 1.5 each = 45000; the
 * facility cost (power, not the price index) is unchanged: 3 x 1 kW x
 * (1.0 x 730 x 0.1) = 219 a month; the residual credit in month 6 is the
 * cost paid x (1 - 6/12) = 22500. */
START_TEST(test_price_event_self_hosted)
{
    const char *text =
        "scenario: { name: gpuprice, horizon_months: 36 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  cloud: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 2,\n"
        "           gpu: { mode: cloud, hour_price: 3.0 }, setup: { months: 0, cost: 0 } }\n"
        "strategies:\n"
        "  c: { route: { w: cloud } }\n"
        "events:\n"
        "  shortage: { probability_per_year: 0.5,\n"
        "              effect: { price_multiplier: { backend: cloud, factor: 1.5 } } }\n";
    drawn d;
    drawn_load(&d, text);
    int found = 0;
    for (uint64_t stream = 0; stream < 500 && !found; stream++) {
        drawn_future(&d, stream);
        int e = tco_future_event_month(d.f, 0);
        if (e < 2)
            continue;
        found = 1;
        double bycat[36 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
        for (int t = 1; t <= 36; t++)
            ck_close(CAT(bycat, t, COMPUTE), t < e ? 4380 : 6570, 1e-12);
    }
    ck_assert(found);
    drawn_free(&d);

    const char *owned =
        "scenario: { name: gpuprice, horizon_months: 6 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  own: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "         gpu: { mode: owned, purchase_price: 10000, lifetime_months: 12, power_kw: 1,\n"
        "                pue: 1.0, electricity_per_kwh: 0.1 },\n"
        "         setup: { months: 0, cost: 0 } }\n"
        "strategies:\n"
        "  o: { route: { w: own } }\n"
        "events:\n"
        "  shortage: { probability_per_year: 1,\n"
        "              effect: { price_multiplier: { backend: own, factor: 1.5 } } }\n";
    drawn_load(&d, owned);
    drawn_future(&d, 0);
    ck_assert_int_eq(tco_future_event_month(d.f, 0), 1);
    double bycat[6 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    ck_close(CAT(bycat, 1, COMPUTE), 45000, 1e-12);
    for (int t = 2; t <= 5; t++)
        ck_close(CAT(bycat, t, COMPUTE), 0, 1e-12);
    ck_close(CAT(bycat, 6, COMPUTE), -22500, 1e-12);
    for (int t = 1; t <= 6; t++)
        ck_close(CAT(bycat, t, FACILITY), 219, 1e-12);
    drawn_free(&d);
}
END_TEST


/* ---- Version 2: retiring a platform (MODEL.md 16) and setups that fail
 * (17).  One workload of 1000 requests a month, 1000 output tokens each
 * (10^6 tokens a month), no growth, no discounting:
 *   api      1000 per million tokens: 1000 a month;
 *   rent     cloud, min_gpus 2 (10^6 tokens need 1 GPU of 1000 x 0.6 x
 *            3600 x 730 = 1.5768e9): 2 x 730 h x 1 = 1460 a month; base
 *            staff 1 FTE at 12000 a year = 1000 a month; setup 1 month,
 *            5000;
 *   own      owned, min_gpus 2 at 12000 (no trend): 24000 when bought;
 *            facility 2 x 1 kW x (1 x 730 x 0.1) = 146 a month; lifetime 24,
 *            resale_fraction 0.5; no setup, no staff;
 *   flaky    cloud, setup 2 months, 3000, fails for sure, abandoned after
 *            2.5 -> 3 months; base staff 2 FTE = 2000 a month;
 *   flaky2   the same with setup 1.6 -> 2 months and no abandon key (A = 2);
 *   instant  cloud, min_gpus 1 (730 a month), setup 0.4 -> 0 months, cost
 *            100, failure_probability 1: a setup of 0 months never fails. */
static const char *RETIRE =
    "scenario: { name: retire, horizon_months: 12 }\n"
    "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
    "demand: { requests_per_month: 1000 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
    "  rent: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 2,\n"
    "          gpu: { mode: cloud, hour_price: 1 },\n"
    "          staff: { base_fte: 1, cost_per_fte_year: 12000 },\n"
    "          setup: { months: 1, cost: 5000 } }\n"
    "  own: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 2,\n"
    "         gpu: { mode: owned, purchase_price: 12000, lifetime_months: 24, power_kw: 1,\n"
    "                pue: 1, electricity_per_kwh: 0.1, resale_fraction: 0.5 },\n"
    "         setup: { months: 0, cost: 0 } }\n"
    "  flaky: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
    "           gpu: { mode: cloud, hour_price: 1 },\n"
    "           staff: { base_fte: 2, cost_per_fte_year: 12000 },\n"
    "           setup: { months: 2, cost: 3000, failure_probability: 1,\n"
    "                    abandon_after_months: 2.5 } }\n"
    "  flaky2: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
    "            gpu: { mode: cloud, hour_price: 1 },\n"
    "            staff: { base_fte: 2, cost_per_fte_year: 12000 },\n"
    "            setup: { months: 1.6, cost: 3000, failure_probability: 1 } }\n"
    "  instant: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
    "             gpu: { mode: cloud, hour_price: 1 },\n"
    "             setup: { months: 0.4, cost: 100, failure_probability: 1 } }\n"
    "strategies:\n"
    "  api-only: { route: { w: api } }\n"
    "  rent-back:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: rent } }\n"
    "      - { from_month: 5, route: { w: api } }\n"
    "      - { from_month: 9, route: { w: rent } }\n"
    "    fallback: api\n"
    "    retire_idle_months: 2\n"
    "  rent-keep:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: rent } }\n"
    "      - { from_month: 5, route: { w: api } }\n"
    "      - { from_month: 9, route: { w: rent } }\n"
    "    fallback: api\n"
    "  own-sell:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: own } }\n"
    "      - { from_month: 7, route: { w: api } }\n"
    "    retire_idle_months: 3\n"
    "  own-bounce:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: own } }\n"
    "      - { from_month: 3, route: { w: api } }\n"
    "      - { from_month: 5, route: { w: own } }\n"
    "    retire_idle_months: 2\n"
    "  failed:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: flaky } }\n"
    "      - { from_month: 4, route: { w: api } }\n"
    "      - { from_month: 8, route: { w: flaky } }\n"
    "    fallback: api\n"
    "    retire_idle_months: 1\n"
    "  failed-default: { route: { w: flaky2 }, fallback: api }\n"
    "  instant: { route: { w: instant } }\n";

enum { RT = 12, RS = 8 };

/* Each strategy's months by hand: api, compute, facility, staff, setup
 * (operations, quality and events are 0 throughout). */
static const double RETIRE_WANT[RS][RT][5] = {
    /* api-only: 1000 a month. */
    {{1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}},
    /* rent-back, M = 2: adopted in month 1 (setup: the fallback serves,
     * base staff, 5000); in production in months 2-4; not routed in months
     * 5 and 6 (still 2 GPUs and staff: W = 0, n = min_gpus), so retired at
     * the start of month 7: api only in months 7-8; routed again in month 9:
     * adopted anew, a second setup (5000, base staff, fallback), production
     * from month 10. */
    {{1000, 0, 0, 1000, 5000}, {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0},
     {0, 1460, 0, 1000, 0}, {1000, 1460, 0, 1000, 0}, {1000, 1460, 0, 1000, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 1000, 5000},
     {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0}},
    /* rent-keep (version 1): the platform is paid to the horizon, one setup. */
    {{1000, 0, 0, 1000, 5000}, {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0},
     {0, 1460, 0, 1000, 0}, {1000, 1460, 0, 1000, 0}, {1000, 1460, 0, 1000, 0},
     {1000, 1460, 0, 1000, 0}, {1000, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0},
     {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0}, {0, 1460, 0, 1000, 0}},
    /* own-sell, M = 3: 2 GPUs bought in month 1 (24000); not routed in
     * months 7-9 (fleet still held: facility 146), retired at the start of
     * month 10, the fleet sold: 0.5 x 24000 x (1 - (10 - 1)/24) = 7500. */
    {{0, 24000, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0},
     {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0}, {1000, 0, 146, 0, 0}, {1000, 0, 146, 0, 0},
     {1000, 0, 146, 0, 0}, {1000, -7500, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}},
    /* own-bounce, M = 2: bought in month 1; not routed in months 3-4, so
     * retired at the start of month 5 and, routed again in month 5,
     * adopted anew in the same month: the old fleet is sold first
     * (0.5 x 24000 x (1 - 4/24) = 10000), then 2 GPUs bought again (24000):
     * compute 14000.  At the horizon the month-5 cohort (age 12 - 5 + 1 = 8)
     * is credited 0.5 x 24000 x (1 - 8/24) = 8000. */
    {{0, 24000, 146, 0, 0}, {0, 0, 146, 0, 0}, {1000, 0, 146, 0, 0}, {1000, 0, 146, 0, 0},
     {0, 14000, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0},
     {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, 0, 146, 0, 0}, {0, -8000, 146, 0, 0}},
    /* failed: flaky's setup fails: 3000 in month 1, base staff 2000 in
     * months 1-3 (A = 3); the fallback serves in every month it is routed
     * (1-3 and 8-12), api's own route in 4-7.  No GPU ever; not retired,
     * not adopted again in month 8 (no second setup). */
    {{1000, 0, 0, 2000, 3000}, {1000, 0, 0, 2000, 0}, {1000, 0, 0, 2000, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}},
    /* failed-default: A defaults to the setup months, 2. */
    {{1000, 0, 0, 2000, 3000}, {1000, 0, 0, 2000, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0},
     {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}, {1000, 0, 0, 0, 0}},
    /* instant: 0 setup months never fail: setup 100, one GPU from month 1. */
    {{0, 730, 0, 0, 100}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0},
     {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0},
     {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}, {0, 730, 0, 0, 0}},
};

START_TEST(test_retire_and_failed_setup)
{
    drawn d;
    drawn_load(&d, RETIRE);
    ck_assert_int_eq(d.sc->ndims, 0);
    static const tco_category cats[5] = {TCO_CAT_API, TCO_CAT_COMPUTE, TCO_CAT_FACILITY,
                                         TCO_CAT_STAFF, TCO_CAT_SETUP};
    /* The failure is the future's: every stream gives the same months. */
    for (uint64_t stream = 0; stream < 3; stream++) {
        drawn_future(&d, stream);
        for (int s = 0; s < RS; s++) {
            double bycat[RT * TCO_NCAT], monthly[RT];
            tco_cost cost;
            tco_future_cost(d.f, d.m, (size_t)s, monthly, bycat, &cost);
            double nominal = 0;
            for (int t = 1; t <= RT; t++) {
                double total = 0;
                for (int j = 0; j < 5; j++) {
                    double want = RETIRE_WANT[s][t - 1][j];
                    ck_assert_msg(fabs(CAT(bycat, t, cats[j]) - want) < 1e-9,
                                  "%s month %d %s: got %.10g, expected %.10g",
                                  d.sc->strategies[s].name, t, tco_category_name(cats[j]),
                                  CAT(bycat, t, cats[j]), want);
                    total += want;
                }
                for (int c = TCO_CAT_OPERATIONS; c < TCO_NCAT; c++)
                    ck_assert_double_eq(CAT(bycat, t, c), 0);
                ck_close(monthly[t - 1], total, 1e-12);
                nominal += total;
            }
            ck_close(cost.nominal, nominal, 1e-12);
        }
    }
    /* Totals worked out once more, by category: rent-back pays two setups
     * (10000) and 8 months of GPUs (11680) where rent-keep pays one setup
     * and 11 months (16060); own-sell nets 24000 - 7500 = 16500 of compute. */
    double bycat[RT * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    ck_close(cost.cat[TCO_CAT_SETUP], 10000, 1e-12);
    ck_close(cost.cat[TCO_CAT_COMPUTE], 11680, 1e-12);
    ck_close(cost.nominal, 6000 + 11680 + 10000 + 10000, 1e-12);
    tco_future_cost(d.f, d.m, 2, NULL, bycat, &cost);
    ck_close(cost.cat[TCO_CAT_SETUP], 5000, 1e-12);
    ck_close(cost.cat[TCO_CAT_COMPUTE], 16060, 1e-12);
    tco_future_cost(d.f, d.m, 3, NULL, bycat, &cost);
    ck_close(cost.cat[TCO_CAT_COMPUTE], 16500, 1e-12);
    drawn_free(&d);
}
END_TEST

/* resale_fraction scales the residual credit at the horizon (MODEL.md
 * 4.2, 16): 3 GPUs bought in month 1 at 10000, lifetime 12, horizon 6:
 * credit 30000 x (1 - 6/12) = 15000 by default, 0.4 x 15000 = 6000 with
 * resale_fraction 0.4. */
START_TEST(test_resale_fraction_at_horizon)
{
    const char *text =
        "scenario: { name: resale, horizon_months: 6 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  own: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "         gpu: { mode: owned, purchase_price: 10000, lifetime_months: 12,\n"
        "                electricity_per_kwh: 0 } }\n"
        "  own4: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "          gpu: { mode: owned, purchase_price: 10000, lifetime_months: 12,\n"
        "                 electricity_per_kwh: 0, resale_fraction: 0.4 } }\n"
        "strategies:\n"
        "  a: { route: { w: own } }\n"
        "  b: { route: { w: own4 } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[6 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    ck_close(CAT(bycat, 1, COMPUTE), 30000, 1e-12);
    ck_close(CAT(bycat, 6, COMPUTE), -15000, 1e-12);
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    ck_close(CAT(bycat, 1, COMPUTE), 30000, 1e-12);
    ck_close(CAT(bycat, 6, COMPUTE), -6000, 1e-12);
    drawn_free(&d);
}
END_TEST

/* P(setup fails) (MODEL.md 17).  Backend p1 fails with probability 0.3;
 * p2 with 0.3 too, but its setup months are uniform on [0, 2] (set in
 * each future's inputs), rounded: 0
 * months (never fails) when the draw is below 0.5, so it fails with
 * probability 0.3 x 0.75 = 0.225.  A strategy that never gets GPUs on a
 * backend (no compute over 12 months) is one whose setup failed.  Over
 * N = 20000 futures the fractions are within 4 standard errors
 * (sqrt(p (1 - p) / N): 0.00324 and 0.00295); the draw is shared by the
 * strategies that use the backend, independent between backends (both fail
 * with probability 0.3 x 0.225 = 0.0675, SE 0.00177). */
START_TEST(test_setup_failure_probability)
{
    const char *text =
        "scenario: { name: fails, horizon_months: 12 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "  p1: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "        gpu: { mode: cloud, hour_price: 1 },\n"
        "        setup: { months: 2, cost: 0, failure_probability: 0.3 } }\n"
        "  p2: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "        gpu: { mode: cloud, hour_price: 1 },\n"
        "        setup: { months: 2, cost: 0, failure_probability: 0.3 } }\n"
        "strategies:\n"
        "  one: { route: { w: p1 }, fallback: api }\n"
        "  other: { route: { w: p1 }, fallback: api }\n"
        "  two: { route: { w: p2 }, fallback: api }\n";
    drawn d;
    drawn_load(&d, text);
    int months = tco_scenario_input(d.sc, "backends.p2.setup.months");
    ck_assert_int_ge(months, 0);
    enum { N = 20000 };
    long f1 = 0, f2 = 0, both = 0;
    for (uint64_t i = 0; i < N; i++) {
        /* p2's setup months, uniform on [0, 2] (stratified: the draw of
         * future i is 2 (i + 0.5) / N), set in the future's inputs. */
        d.x[months] = 2 * (i + 0.5) / N;
        drawn_future(&d, i);
        tco_cost c1, c2, c3;
        tco_future_cost(d.f, d.m, 0, NULL, NULL, &c1);
        tco_future_cost(d.f, d.m, 1, NULL, NULL, &c2);
        tco_future_cost(d.f, d.m, 2, NULL, NULL, &c3);
        int a = c1.cat[TCO_CAT_COMPUTE] == 0, b = c3.cat[TCO_CAT_COMPUTE] == 0;
        ck_assert_int_eq(a, c2.cat[TCO_CAT_COMPUTE] == 0);
        f1 += a;
        f2 += b;
        both += a && b;
    }
    double p1 = (double)f1 / N, p2 = (double)f2 / N, pb = (double)both / N;
    ck_assert_msg(fabs(p1 - 0.3) < 4 * sqrt(0.3 * 0.7 / N), "P(p1 fails) = %g", p1);
    ck_assert_msg(fabs(p2 - 0.225) < 4 * sqrt(0.225 * 0.775 / N), "P(p2 fails) = %g", p2);
    ck_assert_msg(fabs(pb - 0.0675) < 4 * sqrt(0.0675 * 0.9325 / N), "P(both fail) = %g", pb);
    drawn_free(&d);
}
END_TEST

/* The failure draws come from a stream of their own: a version-1 file
 * with failure_probability 0, resale_fraction 1 and retire_idle_months past
 * the horizon costs every strategy exactly as without the keys (same
 * bits), and a failure probability leaves the future's other draws (demand
 * path, event months) unchanged. */
START_TEST(test_version1_bits_kept)
{
    const char *v1 =
        "scenario: { name: v1, horizon_months: 24, discount_rate_annual: 0.08 }\n"
        "workloads: { w: { input_tokens: 500, output_tokens: 300, failure_cost: 0.01 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0.4, volatility_annual: 0.3 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 4,\n"
        "         price_shocks: { rate_per_year: 2, size: { dist: normal, mean: -0.1, sd: 0.1 } } }\n"
        "  own: { type: self_hosted, throughput_tokens_per_gpu_second: 800,\n"
        "         gpu: { mode: owned, purchase_price: 20000, lifetime_months: 18,\n"
        "                electricity_per_kwh: 0.1, price_volatility_annual: 0.2 },\n"
        "         staff: { base_fte: 1, cost_per_fte_year: 150000 },\n"
        "         setup: { months: 3, cost: 40000 },\n"
        "         incidents: { per_year: 3, cost_per_incident: 5000 } }\n"
        "strategies:\n"
        "  api: { route: { w: api } }\n"
        "  own:\n"
        "    phases: [ { from_month: 1, route: { w: own } }, { from_month: 12, route: { w: api } } ]\n"
        "    fallback: api\n"
        "events:\n"
        "  audit: { probability_per_year: 0.5, effect: { one_off_cost: 1000 } }\n";
    char v2[4096], v2p[4096];
    const char *at = strstr(v1, "setup: { months: 3, cost: 40000 }");
    ck_assert_ptr_nonnull(at);
    snprintf(v2, sizeof v2, "%.*s%s%s", (int)(at - v1), v1,
             "setup: { months: 3, cost: 40000, failure_probability: 0 }",
             at + strlen("setup: { months: 3, cost: 40000 }"));
    snprintf(v2p, sizeof v2p, "%.*s%s%s", (int)(at - v1), v1,
             "setup: { months: 3, cost: 40000, failure_probability: 0.5 }",
             at + strlen("setup: { months: 3, cost: 40000 }"));
    /* resale_fraction: 1 and retire_idle_months: 100 too. */
    char *q = strstr(v2, "price_volatility_annual: 0.2 }");
    ck_assert_ptr_nonnull(q);
    char tail[4096];
    snprintf(tail, sizeof tail, "%s", q + strlen("price_volatility_annual: 0.2 }"));
    snprintf(q, sizeof v2 - (size_t)(q - v2), "price_volatility_annual: 0.2, resale_fraction: 1 }%s",
             tail);
    q = strstr(v2, "    fallback: api\n");
    snprintf(tail, sizeof tail, "%s", q + strlen("    fallback: api\n"));
    snprintf(q, sizeof v2 - (size_t)(q - v2), "    fallback: api\n    retire_idle_months: 100\n%s",
             tail);
    drawn a, b, c;
    drawn_load(&a, v1);
    drawn_load(&b, v2);
    drawn_load(&c, v2p);
    int failed = 0;
    for (uint64_t i = 0; i < 200; i++) {
        drawn_future(&a, i);
        drawn_future(&b, i);
        drawn_future(&c, i);
        for (int t = 0; t < 24; t++)
            ck_assert_double_eq(tco_future_volume(a.f)[t], tco_future_volume(c.f)[t]);
        ck_assert_int_eq(tco_future_event_month(a.f, 0), tco_future_event_month(c.f, 0));
        for (size_t s = 0; s < 2; s++) {
            double ma[24], mb[24];
            tco_cost ca, cb, cc;
            tco_future_cost(a.f, a.m, s, ma, NULL, &ca);
            tco_future_cost(b.f, b.m, s, mb, NULL, &cb);
            tco_future_cost(c.f, c.m, s, NULL, NULL, &cc);
            ck_assert(memcmp(ma, mb, sizeof ma) == 0);
            ck_assert(ca.npv == cb.npv);
            if (s == 1)
                failed += cc.cat[TCO_CAT_COMPUTE] == 0;
        }
    }
    /* About half of the futures fail (binomial(200, 0.5): within 5 SE). */
    ck_assert_msg(abs(failed - 100) < 5 * 7.1, "%d of 200 setups failed", failed);
    drawn_free(&a);
    drawn_free(&b);
    drawn_free(&c);
}
END_TEST


/* A failed setup behind an exclusion (MODEL.md 7, 15, 16, 17).  Event
 * ban excludes A (cloud, no setup, one GPU: 730 a month) in month E and
 * reroutes to B, whose 2-month setup fails (cost 3000; A = 1: base staff
 * 1000 in month E only).  The requests routed to B are served as during
 * setup, to the horizon: by the excluded A, in production, as a
 * transition.
 *   keep (no retirement): A serves every month (730); E also costs 50
 *     (month E's routing before the exclusion reaches A), 3000 and 1000.
 *   retire (M = 2): A is not routed from E on, so it is retired at the
 *     start of month E + 2; it serves the transition in months E and E + 1,
 *     then the fallback does (api, 1000 a month).
 * The month E is drawn: the test takes futures with 3 <= E <= 9. */
START_TEST(test_failed_setup_behind_exclusion)
{
    const char *text =
        "scenario: { name: fx, horizon_months: 12 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "  A: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "       gpu: { mode: cloud, hour_price: 1 } }\n"
        "  B: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "       gpu: { mode: cloud, hour_price: 1 },\n"
        "       staff: { base_fte: 1, cost_per_fte_year: 12000 },\n"
        "       setup: { months: 2, cost: 3000, failure_probability: 1,\n"
        "                abandon_after_months: 1 } }\n"
        "strategies:\n"
        "  keep: { route: { w: A }, fallback: api }\n"
        "  retire: { route: { w: A }, fallback: api, retire_idle_months: 2 }\n"
        "events:\n"
        "  ban: { probability_per_year: 0.9,\n"
        "         effect: { exclude_backend: { backend: A, reroute_to: B, cost: 50 } } }\n";
    drawn d;
    drawn_load(&d, text);
    int found = 0;
    for (uint64_t stream = 0; stream < 500 && found < 3; stream++) {
        drawn_future(&d, stream);
        int e = tco_future_event_month(d.f, 0);
        if (e < 3 || e > 9)
            continue;
        found++;
        double bycat[12 * TCO_NCAT];
        tco_cost cost;
        for (int s = 0; s < 2; s++) {
            tco_future_cost(d.f, d.m, (size_t)s, NULL, bycat, &cost);
            for (int t = 1; t <= 12; t++) {
                int a_serves = s == 0 || t <= e + 1;
                double want[TCO_NCAT] = {0};
                want[TCO_CAT_COMPUTE] = a_serves ? 730 : 0;
                want[TCO_CAT_API] = a_serves ? 0 : 1000;
                want[TCO_CAT_SETUP] = t == e ? 3000 : 0;
                want[TCO_CAT_STAFF] = t == e ? 1000 : 0;
                want[TCO_CAT_EVENTS] = t == e ? 50 : 0;
                for (int c = 0; c < TCO_NCAT; c++)
                    ck_assert_msg(fabs(CAT(bycat, t, c) - want[c]) < 1e-9,
                                  "E %d %s month %d %s: got %g, expected %g", e,
                                  d.sc->strategies[s].name, t,
                                  tco_category_name((tco_category)c), CAT(bycat, t, c), want[c]);
            }
        }
    }
    ck_assert_int_eq(found, 3);
    drawn_free(&d);
}
END_TEST

/* Periodic review (MODEL.md 18), deterministic, 12 months.  One workload of
 * 1000 output tokens; V_t = 1e6 4^((t-1)/12) capped at 1.5e6 (month 5 on).
 * dear (api): 10 per million output tokens, trend -50%/yr (M_t =
 * 0.5^((t-1)/12)), 100 a month when it serves; it never fails.  box
 * (self_hosted, no setup months, setup cost 2000): one GPU (min_gpus 1; the
 * load needs 0.001 of one) at 10.6 an hour = 7738 a month, staff 0.5 FTE
 * at 24000 a year = 1000 a month, failures 0.5% at 0.2 = 0.001 a request.
 *
 * Run-rates: rho_dear(r) = 10000 V_r/1e6 M_r + 100 (= 10000 2^((r-1)/12)
 * + 100 while uncapped, 15000 M_r + 100 after); rho_box(r) = 7738 + 1000
 * + 0.001 V_r.  Reviews every 2 months from month 2, hysteresis 0.1,
 * switching cost 500:
 *   r = 2:  dear 10694.63, box 9860.46 > 0.9 x 10694.63 = 9625.17: stay
 *           (box is cheaper, not by 10%);
 *   r = 4:  dear 11992.07, box 10152.21 < 10792.86: box from month 5,
 *           500 in month 5 (with box's setup, 2000);
 *   r = 6:  box 10238 is the cheapest (dear 11337.31): stay;
 *   r = 8:  dear 10111.30 > 0.9 x 10238 = 9214.2: stay;
 *   r = 10: dear 9019.06 < 9214.2, and dear-again ties with initial (the
 *           same route): initial first, dear from month 11, 500 in month 11;
 *   r = 12 = T: no decision.
 * box stays adopted after month 11 (no retirement): one GPU and its staff,
 * no traffic. */
static const char *REVIEW_TEXT =
    "scenario: { name: review, horizon_months: %d }\n"
    "workloads: { w: { input_tokens: 0, output_tokens: 1000, failure_cost: 0.2 } }\n"
    "demand: { requests_per_month: 1.0e6, growth_annual: 3, max_multiple: 1.5 }\n"
    "backends:\n"
    "  dear: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 10,\n"
    "          price_trend_annual: -0.5, fixed_monthly_cost: 100 }\n"
    "  box:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 1.0e6\n"
    "    min_gpus: 1\n"
    "    gpu: { mode: cloud, hour_price: 10.6 }\n"
    "    staff: { base_fte: 0.5, cost_per_fte_year: 24000 }\n"
    "    setup: { months: 0, cost: 2000 }\n"
    "    success_rate: { w: 0.995 }\n"
    "strategies:\n"
    "  stay: { route: { w: dear } }\n"
    "  review:\n"
    "    route: { w: dear }\n%s"
    "    review:\n"
    "      every_months: 2\n"
    "      first_month: 2\n"
    "      hysteresis: %s\n"
    "      switching_cost: 500\n"
    "      options:\n"
    "        box: { w: box }\n"
    "        dear-again: { w: dear }\n";

static void review_load(drawn *d, int horizon, const char *hysteresis, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, REVIEW_TEXT, horizon, extra, hysteresis);
    drawn_load(d, text);
    drawn_future(d, 0);
}

/* dear's api cost in month t (usage and the fixed 100). */
static double dear_cost(int t)
{
    double v = fmin(pow(4, (t - 1) / 12.0), 1.5);
    return 10000 * v * pow(0.5, (t - 1) / 12.0) + 100;
}

START_TEST(test_review_there_and_back)
{
    drawn d;
    review_load(&d, 12, "0.1", "");
    double bycat[12 * TCO_NCAT], monthly[12];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 1, monthly, bycat, &cost);
    double want[13][TCO_NCAT] = {{0}};
    for (int t = 1; t <= 4; t++)
        want[t][API] = dear_cost(t);
    for (int t = 5; t <= 10; t++) {
        want[t][COMPUTE] = 7738;
        want[t][STAFF] = 1000;
        want[t][QUALITY] = 1500;
    }
    want[5][SETUP] = 2000 + 500;
    for (int t = 11; t <= 12; t++) {
        want[t][API] = dear_cost(t);
        want[t][COMPUTE] = 7738;
        want[t][STAFF] = 1000;
    }
    want[11][SETUP] = 500;
    double nominal = 0;
    for (int t = 1; t <= 12; t++) {
        double total = 0;
        for (int c = 0; c < TCO_NCAT; c++) {
            ck_assert_msg(fabs(CAT(bycat, t, c) - want[t][c]) <= 1e-9 * fmax(1, want[t][c]),
                          "month %d %s: got %.10g, expected %.10g", t,
                          tco_category_name((tco_category)c), CAT(bycat, t, c), want[t][c]);
            total += want[t][c];
        }
        ck_close(monthly[t - 1], total, 1e-12);
        nominal += total;
    }
    ck_close(cost.nominal, nominal, 1e-12);
    ck_assert_int_eq(cost.switches, 2);
    ck_assert_int_eq(cost.first_switch, 5);
    /* A few months on paper: 10000 2^(1/12) + 100; 15000 0.5^(10/12) + 100. */
    ck_close(CAT(bycat, 2, API), 10694.630943592953, 1e-12);
    ck_close(CAT(bycat, 11, API), 8518.465362320298, 1e-12);
    /* The plain strategy never changes route. */
    tco_future_cost(d.f, d.m, 0, monthly, bycat, &cost);
    ck_assert_int_eq(cost.switches, 0);
    ck_assert_int_eq(cost.first_switch, 0);
    drawn_free(&d);
}
END_TEST

/* The same review without hysteresis: r = 2 switches to box (9860.46 <
 * 10694.63), from month 3; r = 4 and 6 stay; r = 8 switches back (dear
 * 10111.30 < box 10238), from month 9; r = 10 stays (9019.06 < 10238). */
START_TEST(test_review_no_hysteresis)
{
    drawn d;
    review_load(&d, 12, "0", "");
    double bycat[12 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    ck_assert_int_eq(cost.switches, 2);
    ck_assert_int_eq(cost.first_switch, 3);
    ck_close(CAT(bycat, 2, API), dear_cost(2), 1e-12);
    ck_close(CAT(bycat, 3, SETUP), 2500, 1e-12);
    ck_close(CAT(bycat, 3, API), 0, 1e-12);
    ck_close(CAT(bycat, 8, QUALITY), 1500, 1e-12);
    ck_close(CAT(bycat, 9, SETUP), 500, 1e-12);
    ck_close(CAT(bycat, 9, API), dear_cost(9), 1e-12);
    ck_close(CAT(bycat, 9, QUALITY), 0, 1e-12);
    ck_close(CAT(bycat, 11, SETUP), 0, 1e-12);
    drawn_free(&d);
}
END_TEST

/* Horizon 10: the review of month 10 is in month T, takes no effect and
 * is not counted; the switch of month 4 is the only one. */
START_TEST(test_review_last_month)
{
    drawn d;
    review_load(&d, 10, "0.1", "");
    double bycat[10 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    ck_assert_int_eq(cost.switches, 1);
    ck_assert_int_eq(cost.first_switch, 5);
    ck_close(CAT(bycat, 10, COMPUTE), 7738, 1e-12);
    ck_close(CAT(bycat, 10, QUALITY), 1500, 1e-12);
    ck_close(CAT(bycat, 10, API), 0, 1e-12);
    drawn_free(&d);
}
END_TEST


/* The review of test_review_there_and_back with retire_idle_months 1
 * (MODEL.md 16): box is not routed in month 11, so it is retired at the
 * start of month 12, which costs dear's api alone; month 11 still pays
 * box's GPU and staff. */
START_TEST(test_review_with_retirement)
{
    drawn d;
    review_load(&d, 12, "0.1", "    retire_idle_months: 1\n");
    double bycat[12 * TCO_NCAT], monthly[12];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 1, monthly, bycat, &cost);
    ck_assert_int_eq(cost.switches, 2);
    ck_assert_int_eq(cost.first_switch, 5);
    ck_close(monthly[10], dear_cost(11) + 500 + 7738 + 1000, 1e-12);
    ck_close(monthly[11], dear_cost(12), 1e-12);
    drawn_free(&d);
}
END_TEST


/* The run-rate of MODEL.md 18 by hand, month r = 13.  Requests: w1 3e6,
 * w2 1e6 (shares 3:1 of 4e6, flat).  p (api): (in 1, out 4) per million,
 * discount 0.5: w1 costs 0.5 x (1000 + 2000) / 1e6 = 0.0015 a request,
 * w2 0.5 x (2000 + 400) / 1e6 = 0.0012; 300 a month when it serves; w1
 * fails 10% x 0.5^((r-1)/12) = 5% in month 13 (trend -50%/yr).
 * o (self_hosted, owned): w1 is 0.1 x 1000 + 500 = 600 token-equivalents,
 * W = 1.8e9; n = ceil(1.8e9 x 2 / (1000 x 0.5 x 3600 x 730)) = ceil(2.74)
 * = 3; G_13 = 1.21 (trend +21%/yr): per GPU 24000 x 1.21 / 24 = 1210
 * depreciation, 1 kW x (1.5 x 730 h x 0.2 + 50) = 269 facility, 0.06 / 12
 * x 29040 = 145.2 maintenance; staff (1 + 3 / 4) FTE x 10000 x 1.1 =
 * 19250; operations 6 / 12 x 1000 + 12 / 12 x 100 = 600 (expected
 * counts); w1 fails 20% at 0.01.  q (api) is excluded from month 1,
 * rerouted to p.
 *   initial {w1: o, w2: p}: 1e6 x 0.0012 + 300 + 3 x 1624.2 + 19250 + 600
 *     + 3e6 x 0.2 x 0.01 = 1200 + 300 + 4872.6 + 19250 + 600 + 6000
 *     = 32222.6;
 *   {w1: p, w2: p}: 4500 + 1200 + 300 + 3e6 x 0.05 x 0.01 = 7500;
 *   {w1: q, w2: q}: q is excluded, so the same as p: 7500. */
START_TEST(test_run_rate_by_hand)
{
    const char *text =
        "scenario: { name: rate, horizon_months: 24 }\n"
        "workloads:\n"
        "  w1: { share: 3, input_tokens: 1000, output_tokens: 500, failure_cost: 0.01 }\n"
        "  w2: { share: 1, input_tokens: 2000, output_tokens: 100, failure_cost: 1 }\n"
        "demand: { requests_per_month: 4.0e6 }\n"
        "backends:\n"
        "  p: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 4, discount: 0.5,\n"
        "       fixed_monthly_cost: 300, success_rate: { w1: 0.9 }, failure_rate_trend_annual: -0.5 }\n"
        "  q: { type: api, input_price_per_mtok: 10, output_price_per_mtok: 40 }\n"
        "  o:\n"
        "    type: self_hosted\n"
        "    throughput_tokens_per_gpu_second: 1000\n"
        "    input_token_weight: 0.1\n"
        "    peak_to_average: 2\n"
        "    target_utilization: 0.5\n"
        "    gpu: { mode: owned, purchase_price: 24000, lifetime_months: 24, power_kw: 1, pue: 1.5,\n"
        "           electricity_per_kwh: 0.2, colocation_per_kw_month: 50, maintenance_annual: 0.06,\n"
        "           price_trend_annual: 0.21 }\n"
        "    staff: { base_fte: 1, gpus_per_fte: 4, cost_per_fte_year: 120000, salary_growth_annual: 0.1 }\n"
        "    incidents: { per_year: 6, cost_per_incident: 1000 }\n"
        "    updates: { per_year: 12, cost_per_update: 100 }\n"
        "    success_rate: { w1: 0.8, w2: 0.5 }\n"
        "strategies:\n"
        "  x:\n"
        "    route: { w1: o, w2: p }\n"
        "    review: { every_months: 12, options: { api: { w1: p, w2: p }, via-q: { w1: q, w2: q } } }\n"
        "events:\n"
        "  ban: { probability_per_year: 1, effect: { exclude_backend: { backend: q, reroute_to: p } } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, NULL, &cost);
    const tco_strategy *st = &d.sc->strategies[0];
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, -1), 13), 32222.6, 1e-9);
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, 0), 13), 7500, 1e-9);
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, 1), 13), 7500, 1e-9);
    /* The review of month 12 moves to api, the first of the two cheapest. */
    ck_assert_int_eq(cost.switches, 1);
    ck_assert_int_eq(cost.first_switch, 13);
    drawn_free(&d);
}
END_TEST

/* A run-rate whose route reaches many backends (more than eight: the
 * strategy's backends are scanned instead of the few sorted).  Ten
 * workloads of 100 requests a month, 1,000 output tokens each, each on its
 * own api backend at 1 per 1M output tokens with a fixed 10 a month:
 * 10 x 100 x 0.001 + 10 x 10 = 101; the option that sends them to two
 * of the backends (b7, b3: listed out of order): 10 x 0.1 + 2 x 10 = 21. */
START_TEST(test_run_rate_many_backends)
{
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "scenario: { name: many, horizon_months: 12 }\n"
                                  "demand: { requests_per_month: 1000 }\nworkloads:\n");
    for (int k = 0; k < 10; k++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  w%d: { input_tokens: 0, output_tokens: 1000 }\n", k);
    len += (size_t)snprintf(text + len, sizeof text - len, "backends:\n");
    for (int k = 0; k < 10; k++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  b%d: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1,"
                                " fixed_monthly_cost: 10 }\n", k);
    len += (size_t)snprintf(text + len, sizeof text - len, "strategies:\n  s:\n    route: {");
    for (int k = 0; k < 10; k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s w%d: b%d", k ? "," : "", k, 9 - k);
    len += (size_t)snprintf(text + len, sizeof text - len,
                            " }\n    review: { every_months: 6, options: { two: {");
    for (int k = 0; k < 10; k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s w%d: b%d", k ? "," : "", k,
                                k % 2 ? 3 : 7);
    snprintf(text + len, sizeof text - len, " } } }\n");
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    const tco_strategy *st = &d.sc->strategies[0];
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, -1), 6), 101, 1e-12);
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, 0), 6), 21, 1e-12);
    /* Twice: the marks of the backends reached are cleared between calls. */
    ck_close(tco_review_run_rate(d.f, d.m, 0, tco_review_route(st, -1), 6), 101, 1e-12);
    drawn_free(&d);
}
END_TEST

/* A volume switch whose trigger is the last month changes no route: not a
 * route change (MODEL.md 20).  V_t = 1000 2^((t-1)/12): 1000, 1059.5,
 * 1122.5; the threshold 1100 is first exceeded in month 3 = T. */
START_TEST(test_switch_in_last_month)
{
    const char *text =
        "scenario: { name: sw, horizon_months: %d }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000, growth_annual: 1 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 10 }\n"
        "  b: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1 }\n"
        "strategies:\n"
        "  s:\n"
        "    route: { w: a }\n"
        "    switch: { when: { requests_per_month_above: 1100 }, route: { w: b } }\n";
    for (int horizon = 3; horizon <= 4; horizon++) {
        char buf[1024];
        snprintf(buf, sizeof buf, text, horizon);
        drawn d;
        drawn_load(&d, buf);
        drawn_future(&d, 0);
        tco_cost cost;
        tco_future_cost(d.f, d.m, 0, NULL, NULL, &cost);
        ck_assert_int_eq(cost.switches, horizon == 4);
        ck_assert_int_eq(cost.first_switch, horizon == 4 ? 4 : 0);
        drawn_free(&d);
    }
}
END_TEST


/* A review and a failed setup (MODEL.md 17, 18), 8 months.  1000 requests
 * of 1000 output tokens a month: on api a (100 per million) 100 a month;
 * box (one GPU at 0.1 an hour = 73 a month, no staff) would be cheaper,
 * but its setup (1 month, cost 1000) fails in every future
 * (failure_probability 1), known 2 months after adoption
 * (abandon_after_months 2).  Reviews every month, hysteresis 0.1,
 * switching cost 500.
 *   own-first: box adopted in month 1, failed; the fallback a serves.
 *     r = 1, 2: the failure is not known yet: rho_box 73, a's 100 is no
 *     cheaper: stay.  r = 3 (= a + A): box's run-rate is infinite, a
 *     replaces it from month 4 (500 in month 4).  r = 4..7: initial is
 *     unavailable: stay.  Costs: 1000 + 100, 100, 100, 100 + 500, then 100.
 *   api-first: r = 1: box (73 < 0.9 x 100) from month 2: adopted in month
 *     2 (1000 + 500, the fallback serves: 100), failure known from month
 *     4: r = 2, 3 stay, r = 4 goes back to initial from month 5 (500);
 *     r = 5..7: box unavailable: stay. */
START_TEST(test_review_failed_setup)
{
    const char *text =
        "scenario: { name: failed, horizon_months: 8 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 100 }\n"
        "  box:\n"
        "    type: self_hosted\n"
        "    throughput_tokens_per_gpu_second: 1000\n"
        "    gpu: { mode: cloud, hour_price: 0.1 }\n"
        "    setup: { months: 1, cost: 1000, failure_probability: 1, abandon_after_months: 2 }\n"
        "strategies:\n"
        "  own-first:\n"
        "    route: { w: box }\n"
        "    fallback: a\n"
        "    review: { every_months: 1, switching_cost: 500, options: { api: { w: a } } }\n"
        "  api-first:\n"
        "    route: { w: a }\n"
        "    fallback: a\n"
        "    review: { every_months: 1, switching_cost: 500, options: { own: { w: box } } }\n";
    static const double want[2][8] = {{1100, 100, 100, 600, 100, 100, 100, 100},
                                      {100, 1600, 100, 100, 600, 100, 100, 100}};
    static const int switches[2] = {1, 2}, first[2] = {4, 2};
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    for (size_t s = 0; s < 2; s++) {
        double monthly[8];
        tco_cost cost;
        tco_future_cost(d.f, d.m, s, monthly, NULL, &cost);
        for (int t = 1; t <= 8; t++)
            ck_assert_msg(fabs(monthly[t - 1] - want[s][t - 1]) < 1e-9,
                          "strategy %zu month %d: got %.10g, expected %.10g", s, t,
                          monthly[t - 1], want[s][t - 1]);
        ck_assert_int_eq(cost.switches, switches[s]);
        ck_assert_int_eq(cost.first_switch, first[s]);
    }
    drawn_free(&d);
}
END_TEST

/* ---- Version 2: capability and demand over time (MODEL.md 12, 13) ---- */

/* Twelve months, every input fixed, discount 12%.
 * Demand: V_t = 1e6 1.2^((t-1)/12); the schedule multiplies it by 0.05 in
 * months 1-3, 0.5 in months 4-6, 1 from month 7.  Shares 3:1:1 are
 * normalised over all three workloads (0.6, 0.2, 0.2) whatever their
 * windows: a runs in months 1-8, b from month 4, c from month 20 (past the
 * horizon: never).  So R_a = mu_t V_t 0.6 (t <= 8), R_b = mu_t V_t 0.2
 * (t >= 4), R_c = 0.  Month by month:
 *   t    R_a          R_b          sum_k R_{t,k}
 *   1    30000        0            30000
 *   4    313990.54    104663.51    418654.06
 *   7    657267.07    219089.02    876356.09
 *   8    667329.48    222443.16    889772.64
 *   9    0            225848.65    225848.65
 * Backends: api1 0.006 a request of a, 0.012 of b; its failure rate falls
 * 19% a year for every workload (plain trend): F = (1 - s) 0.81^((t-1)/12).
 * api2 0.0005 a request of a, success 0.5 and a trend of +300%/yr:
 * F = min(1, 0.5 4^((t-1)/12)) = 1 from month 7 (0.5 x 2 exactly).
 * cloud1 (self-hosted, cloud, 1460 a GPU-month, capacity
 * 500 x 0.5 x 3600 x 730 / 1.5 = 4.38e8 token-equivalents a GPU, staff 10000
 * a month, setup 2 months and 10000): fine-tuning halves a's failures
 * (F_a = 0.1 x 0.5 = 0.05, no trend for a), b's fall 36% a year
 * (F_b = 0.2 x 0.64^((t-1)/12), multiplier 1).  W_t = 700 R_a + 1400 R_b:
 * 1 GPU but in months 7-8 (W / 4.38e8 = 1.75, 1.78: 2 GPUs).
 * Strategies:
 *   api:    everything on api1.
 *   open:   everything on cloud1, adopted in month 1: api1 serves months 1-2.
 *   switch: api1, switching to {a: cloud1} when the month's requests after
 *           the schedule and windows exceed 880000: month 7 has 876356,
 *           month 8 889773 (V_t alone exceeds it from month 1), so cloud1's
 *           route applies from month 9, when a is outside its window: cloud1
 *           is adopted all the same (setup 10000 in month 9, staff from 9,
 *           production in months 11-12 with W = 0: min_gpus = 1 GPU).
 *   mixed:  a on api2, b and c on api1. */
static const char *V2SCENARIO =
    "scenario: { name: v2, horizon_months: 12, discount_rate_annual: 0.12 }\n"
    "workloads:\n"
    "  a: { share: 3, input_tokens: 1000, output_tokens: 500, failure_cost: 0.1, end_month: 8 }\n"
    "  b: { share: 1, input_tokens: 2000, output_tokens: 1000, failure_cost: 1.0, start_month: 4 }\n"
    "  c: { share: 1, input_tokens: 100, output_tokens: 100, failure_cost: 5, start_month: 20,\n"
    "       end_month: 30 }\n"
    "demand:\n"
    "  requests_per_month: 1.0e6\n"
    "  growth_annual: 0.2\n"
    "  schedule:\n"
    "    - { from_month: 1, multiplier: 0.05 }\n"
    "    - { from_month: 4, multiplier: 0.5 }\n"
    "    - { from_month: 7, multiplier: 1 }\n"
    "backends:\n"
    "  api1: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 8,\n"
    "          success_rate: { a: 0.99, b: 0.95, c: 0.9 }, failure_rate_trend_annual: -0.19 }\n"
    "  api2: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1,\n"
    "          success_rate: { a: 0.5 }, failure_rate_trend_annual: 3 }\n"
    "  cloud1:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 500\n"
    "    input_token_weight: 0.2\n"
    "    peak_to_average: 1.5\n"
    "    target_utilization: 0.5\n"
    "    gpu: { mode: cloud, hour_price: 2.0 }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: 120000 }\n"
    "    setup: { months: 2, cost: 10000 }\n"
    "    fine_tuning: { runs_per_year: 0, cost_per_run: 0, failure_rate_multiplier: { a: 0.5 } }\n"
    "    success_rate: { a: 0.9, b: 0.8 }\n"
    "    failure_rate_trend_annual: { b: -0.36 }\n"
    "strategies:\n"
    "  api: { route: { a: api1, b: api1, c: api1 } }\n"
    "  open: { route: { a: cloud1, b: cloud1, c: cloud1 }, fallback: api1 }\n"
    "  switch:\n"
    "    route: { a: api1, b: api1, c: api1 }\n"
    "    switch: { when: { requests_per_month_above: 880000 }, route: { a: cloud1, b: api1, c: api1 } }\n"
    "    fallback: api1\n"
    "  mixed: { route: { a: api2, b: api1, c: api1 } }\n";

enum { T2 = 12, NS2 = 4 };

static double v2_mu(int t) { return t < 4 ? 0.05 : t < 7 ? 0.5 : 1; }
static double v2_Ra(int t) { return t <= 8 ? v2_mu(t) * V(t) * 0.6 : 0; }
static double v2_Rb(int t) { return t >= 4 ? v2_mu(t) * V(t) * 0.2 : 0; }
/* Failure probabilities by month. */
static double v2_api1(double fail, int t) { return fail * pow(0.81, (t - 1) / 12.0); }
static double v2_api2(int t) { return fmin(1, 0.5 * pow(4, (t - 1) / 12.0)); }
static double v2_cloud_b(int t) { return 0.2 * pow(0.64, (t - 1) / 12.0); }

static void v2_hand_compute(double want[NS2][T2][TCO_NCAT])
{
    memset(want, 0, sizeof(double) * NS2 * T2 * TCO_NCAT);
    for (int t = 1; t <= T2; t++) {
        double Ra = v2_Ra(t), Rb = v2_Rb(t);
        double api1 = 0.006 * Ra + 0.012 * Rb;
        double q_api1 = Ra * v2_api1(0.01, t) * 0.1 + Rb * v2_api1(0.05, t) * 1.0;
        double *e = want[0][t - 1];
        e[API] = api1;
        e[QUALITY] = q_api1;

        e = want[1][t - 1];
        e[STAFF] = 10000;
        if (t <= 2) {
            e[SETUP] = t == 1 ? 10000 : 0;
            e[API] = api1;
            e[QUALITY] = q_api1;
        } else {
            double n = ceil((700 * Ra + 1400 * Rb) / 4.38e8);
            ck_assert_double_eq(n, t == 7 || t == 8 ? 2 : 1);
            e[COMPUTE] = n * 1460;
            e[QUALITY] = Ra * 0.05 * 0.1 + Rb * v2_cloud_b(t) * 1.0;
        }

        e = want[2][t - 1];
        if (t <= 8) {
            e[API] = api1;
            e[QUALITY] = q_api1;
        } else {
            e[API] = 0.012 * Rb;
            e[QUALITY] = Rb * v2_api1(0.05, t);
            e[SETUP] = t == 9 ? 10000 : 0;
            e[STAFF] = 10000;
            e[COMPUTE] = t >= 11 ? 1460 : 0;
        }

        e = want[3][t - 1];
        e[API] = 0.0005 * Ra + 0.012 * Rb;
        e[QUALITY] = Ra * v2_api2(t) * 0.1 + Rb * v2_api1(0.05, t) * 1.0;
    }
}

START_TEST(test_v2_deterministic_months)
{
    static double want[NS2][T2][TCO_NCAT];
    drawn d;
    drawn_load(&d, V2SCENARIO);
    ck_assert_int_eq(d.sc->ndims, 0);
    drawn_future(&d, 0);
    v2_hand_compute(want);
    double bycat[T2 * TCO_NCAT], monthly[T2];
    for (int s = 0; s < NS2; s++) {
        tco_cost cost;
        tco_future_cost(d.f, d.m, (size_t)s, monthly, bycat, &cost);
        double npv = 0, nominal = 0, tokens = 0;
        for (int t = 1; t <= T2; t++) {
            double total = 0;
            for (int c = 0; c < TCO_NCAT; c++) {
                double got = CAT(bycat, t, c), w = want[s][t - 1][c];
                ck_assert_msg(fabs(got - w) <= 1e-9 * fmax(1, fabs(w)),
                              "strategy %d month %d %s: got %.10g, expected %.10g", s, t,
                              tco_category_name((tco_category)c), got, w);
                total += w;
            }
            ck_close(monthly[t - 1], total, 1e-12);
            npv += pow(1.12, -t / 12.0) * total;
            nominal += total;
            tokens += v2_Ra(t) * 1500 + v2_Rb(t) * 3000;
        }
        ck_close(cost.npv, npv, 1e-12);
        ck_close(cost.nominal, nominal, 1e-12);
        /* Tokens for the cost per million tokens: the requests there are. */
        ck_close(cost.tokens, tokens, 1e-12);
    }
    drawn_free(&d);
}
END_TEST

/* A few of the months above worked out on paper. */
START_TEST(test_v2_by_hand_literals)
{
    drawn d;
    drawn_load(&d, V2SCENARIO);
    drawn_future(&d, 0);
    double bycat[T2 * TCO_NCAT];
    tco_cost cost;
    /* api, month 1: 30000 requests of a at 0.006; failures 30000 x 1% x 0.1. */
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    ck_close(CAT(bycat, 1, API), 180, 1e-12);
    ck_close(CAT(bycat, 1, QUALITY), 30, 1e-12);
    /* Month 9: b alone, 225848.65 requests: 2710.18 at 0.012; failures
     * 225848.65 x 5% x 0.81^(8/12) = 9812.4512 (0.81^(2/3) = 0.8689404). */
    ck_close(CAT(bycat, 9, API), 2710.183763, 1e-9);
    ck_close(CAT(bycat, 9, QUALITY), 9812.451201, 1e-9);
    /* open, month 7: 2 GPUs x 730 h x 2.0; failures 657267.07 x 5% x 0.1
     * + 219089.02 x 0.2 x 0.64^(1/2) = 3286.34 + 35054.24. */
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    ck_close(CAT(bycat, 7, COMPUTE), 2920, 1e-12);
    ck_close(CAT(bycat, 7, QUALITY), 3286.335345 + 35054.24368, 1e-9);
    /* switch: cloud1 adopted in month 9 with no request to serve. */
    tco_future_cost(d.f, d.m, 2, NULL, bycat, &cost);
    ck_close(CAT(bycat, 8, SETUP), 0, 1e-12);
    ck_close(CAT(bycat, 9, SETUP), 10000, 1e-12);
    ck_close(CAT(bycat, 11, COMPUTE), 1460, 1e-12);
    /* mixed, month 8: a's failure probability on api2, 0.5 x 4^(7/12) =
     * 1.1225, is capped at 1: 667329.48 x 1 x 0.1, plus b's on api1
     * 222443.16 x 5% x 0.81^(7/12) (0.8843339) = 66732.948 + 9835.701. */
    tco_future_cost(d.f, d.m, 3, NULL, bycat, &cost);
    ck_close(CAT(bycat, 8, QUALITY), 76568.64905, 1e-9);
    drawn_free(&d);
}
END_TEST

/* The expected quality cost with a random trend (MODEL.md 12).  One
 * workload, 1e6 requests a month, failure_cost 1, success 0.9, fine-tuning
 * multiplier 0.8, tau ~ uniform(-0.5, 0.5) on a self-hosted backend with no
 * setup; 12 months.  Month t costs 1e6 x 0.08 x (1 + tau)^x, x = (t-1)/12
 * (never above 1: 0.08 x 1.5 < 1), and
 *   E[(1 + tau)^x] = (1.5^(x+1) - 0.5^(x+1)) / (x + 1),
 * so E[quality over the year] = 8e4 sum_t (1.5^(x+1) - 0.5^(x+1)) / (x+1).
 * 4000 futures (tau from the future's uniform); the mean lies within 4
 * standard errors (the sample's) of it. */
START_TEST(test_v2_quality_trend_closed_form)
{
    const char *text =
        "scenario: { name: trend, horizon_months: 12 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1, failure_cost: 1 } }\n"
        "demand: { requests_per_month: 1.0e6 }\n"
        "backends:\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 0 }, setup: { months: 0, cost: 0 },\n"
        "         fine_tuning: { runs_per_year: 0, cost_per_run: 0, failure_rate_multiplier: 0.8 },\n"
        "         success_rate: { w: 0.9 },\n"
        "         failure_rate_trend_annual: { dist: uniform, min: -0.5, max: 0.5 } }\n"
        "strategies: { own: { route: { w: gpu } } }\n";
    drawn d;
    tco_error err;
    ck_assert_msg(load_text(text, &d.sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(d.sc->ndims, 1);
    ck_assert_int_eq(tco_model_alloc(&d.m, d.sc, &err), TCO_OK);
    d.f = tco_future_alloc(d.m);
    d.x = malloc(d.sc->ninputs * sizeof *d.x);
    tco_zig_init(&d.zig);
    enum { N = 4000 };
    double sum = 0, sum2 = 0;
    tco_rng rng;
    for (uint64_t i = 0; i < N; i++) {
        tco_rng_seed(&rng, &d.zig, 7, i);
        double u = tco_rng_uniform(&rng);
        tco_sample_inputs(d.sc, &u, d.x, NULL);
        tco_future_draw(d.f, d.m, d.x, &rng, NULL);
        double bycat[12 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
        double q = 0;
        for (int t = 1; t <= 12; t++)
            q += CAT(bycat, t, QUALITY);
        sum += q;
        sum2 += q * q;
    }
    double want = 0;
    for (int t = 1; t <= 12; t++) {
        double x = (t - 1) / 12.0;
        want += 8e4 * (pow(1.5, x + 1) - pow(0.5, x + 1)) / (x + 1);
    }
    double mean = sum / N, se = sqrt((sum2 / N - mean * mean) / (N - 1));
    ck_assert_msg(se > 0, "the trend should make the quality cost vary");
    ck_assert_msg(fabs(mean - want) < 4 * se, "mean quality %.6g, expected %.6g +- %.3g (4 SE)",
                  mean, want, 4 * se);
    drawn_free(&d);
}
END_TEST

/* A fine-tuning multiplier without any trend: one failure cost per backend
 * and workload for the whole horizon.  1000 requests a month of a and of b
 * on a self-hosted backend in production from month 1: F_a = 0.1 x 0.5 =
 * 0.05, F_b = min(1, 0.2 x 20) = 1; quality 1000 x 0.05 x 2 + 1000 x 1 x 3
 * = 3100 every month (a fine_tuning section with the multiplier alone has
 * no runs: no operations cost).  The api backend (no multiplier possible) keeps
 * 1 - success_rate: 1000 x 0.1 x 2 + 1000 x 0.2 x 3 = 800. */
START_TEST(test_v2_multiplier_only)
{
    const char *text =
        "scenario: { name: mult, horizon_months: 4 }\n"
        "workloads:\n"
        "  a: { input_tokens: 0, output_tokens: 1, failure_cost: 2 }\n"
        "  b: { input_tokens: 0, output_tokens: 1, failure_cost: 3 }\n"
        "demand: { requests_per_month: 2000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 0,\n"
        "         success_rate: { a: 0.9, b: 0.8 } }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 0 }, setup: { months: 0, cost: 0 },\n"
        "         fine_tuning: { failure_rate_multiplier: { a: 0.5, b: 20 } },\n"
        "         success_rate: { a: 0.9, b: 0.8 } }\n"
        "strategies:\n"
        "  own: { route: { a: gpu, b: gpu } }\n"
        "  api: { route: { a: api, b: api } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[4 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    for (int t = 1; t <= 4; t++) {
        ck_close(CAT(bycat, t, QUALITY), 3100, 1e-12);
        ck_close(CAT(bycat, t, OPS), 0, 1e-12);
    }
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    for (int t = 1; t <= 4; t++)
        ck_close(CAT(bycat, t, QUALITY), 800, 1e-12);
    drawn_free(&d);
}
END_TEST

/* ---- Commercial terms (MODEL.md 14) ---- */

/* 14.1: cached input with a per-workload hit rate.  Fixed inputs, 1,000
 * requests a month split 1:1; the api's price index rises by a factor 1.21
 * a year.  Workload a (1000 in, 100 out) hits the cache 60 % of the time,
 * b (2000 in, 0 out) is not named: q = 0.
 *   unit a: (1 - 0.5) (1000 (0.4 * 2 + 0.6 * 0.5) + 100 * 10) / 1e6
 *         = 0.5 (1100 + 1000) / 1e6 = 1.05e-3
 *   unit b: 0.5 (2000 * 2) / 1e6 = 2e-3
 *   month 1 (M = 1): 500 * 1.05e-3 + 500 * 2e-3 = 0.525 + 1 = 1.525
 *   month 2 (M = 1.21^(1/12)): 1.525 * 1.21^(1/12)
 *   month 13 (M = 1.21): 1.525 * 1.21 = 1.84525
 * Without the cache (strategy "plain", api2 with the same prices, no
 * cached keys): a costs 0.5 (2000 + 1000) / 1e6 = 1.5e-3, month 1 =
 * 0.75 + 1 = 1.75.  A hit rate without a cached price (api3): p_cached =
 * p_in, month 1 = 1.75 as well. */
START_TEST(test_cached_input_by_hand)
{
    const char *text =
        "scenario: { name: cache, horizon_months: 13 }\n"
        "workloads:\n"
        "  a: { input_tokens: 1000, output_tokens: 100 }\n"
        "  b: { input_tokens: 2000, output_tokens: 0 }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 10,\n"
        "         discount: 0.5, price_trend_annual: 0.21,\n"
        "         cached_input_price_per_mtok: 0.5, cache_hit_rate: { a: 0.6 } }\n"
        "  api2: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 10,\n"
        "          discount: 0.5, price_trend_annual: 0.21 }\n"
        "  api3: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 10,\n"
        "          discount: 0.5, price_trend_annual: 0.21, cache_hit_rate: 0.9 }\n"
        "strategies:\n"
        "  cached: { route: { a: api, b: api } }\n"
        "  plain: { route: { a: api2, b: api2 } }\n"
        "  nocheap: { route: { a: api3, b: api3 } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[13 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    ck_close(CAT(bycat, 1, API), 1.525, 1e-12);
    ck_close(CAT(bycat, 2, API), 1.525 * pow(1.21, 1.0 / 12), 1e-12);
    ck_close(CAT(bycat, 13, API), 1.84525, 1e-12);
    for (int s = 1; s <= 2; s++) {
        tco_future_cost(d.f, d.m, (size_t)s, NULL, bycat, &cost);
        ck_close(CAT(bycat, 1, API), 1.75, 1e-12);
        ck_close(CAT(bycat, 13, API), 1.75 * 1.21, 1e-12);
    }
    drawn_free(&d);
}
END_TEST

/* 14.2: reserved cloud GPUs.  H = 730 hours a month, all inputs fixed.
 *
 * Strategy "reserve" (backend gpu: min_gpus 3 and no load big enough to
 * need more, so n_t = 3; on-demand 2 an hour, reserved 2 GPUs at 1 an hour
 * for terms of 3 months; G_t = 1.21^((t - 1) / 12); setup 1 month): routed
 * in months 1-4, then to api, so not routed in month 5 and retired at the
 * start of month 6 (retire_idle_months 1).
 *   t = 1: setup (the fallback serves): no GPUs, no term.
 *   t = 2: in production, a term starts (months 2-4), locked at G_2:
 *          2 * 730 * 1 * G_2 = 1460 G_2; beyond it (3 - 2) * 730 * 2 * G_2
 *          = 1460 G_2: compute 2920 G_2.
 *   t = 3: 1460 G_2 + 1460 G_3.   t = 4: 1460 G_2 + 1460 G_4.
 *   t = 5: the term has ended and the backend (adopted, not yet retired)
 *          is in production: a new term (months 5-7), 1460 G_5, plus
 *          1460 G_5 beyond it: 2920 G_5.
 *   t = 6, 7: retired; the running term is still paid: 1460 G_5.
 *   t = 8 .. 10: nothing.
 *
 * Strategy "big" (backend gpu2: flat index, no setup, min_gpus 0, 1 GPU per
 * 1,000 requests: 2628 output tokens a request at 1 token a GPU-second,
 * utilization 1, so 1000 * 2628 / (3600 * 730) = 1; on-demand 2, reserved 4
 * GPUs at 1 for 12 months; demand 1000 a month times 3 in months 1-2, 6 in
 * 3-4, 1 from month 5):
 *   a term starts in month 1 and runs past the horizon: 4 * 730 * 1 = 2920
 *   every month;
 *   months 1-2, n = 3: nothing beyond: 2920.
 *   months 3-4, n = 6: 2 * 730 * 2 = 2920 beyond: 5840.
 *   months 5-10, n = 1: 2920. */
START_TEST(test_reserved_gpus_by_hand)
{
    const char *text =
        "scenario: { name: reserved, horizon_months: 10 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 2628 } }\n"
        "demand:\n"
        "  requests_per_month: 1000\n"
        "  schedule:\n"
        "    - { from_month: 1, multiplier: 3 }\n"
        "    - { from_month: 3, multiplier: 6 }\n"
        "    - { from_month: 5, multiplier: 1 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 0 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e9, min_gpus: 3,\n"
        "         gpu: { mode: cloud, hour_price: 2, price_trend_annual: 0.21,\n"
        "                reserved: { gpus: 2, hour_price: 1, term_months: 3 } },\n"
        "         setup: { months: 1, cost: 0 } }\n"
        "  gpu2: { type: self_hosted, throughput_tokens_per_gpu_second: 1,\n"
        "          target_utilization: 1, min_gpus: 0,\n"
        "          gpu: { mode: cloud, hour_price: 2,\n"
        "                 reserved: { gpus: 4, hour_price: 1, term_months: 12 } } }\n"
        "strategies:\n"
        "  reserve:\n"
        "    phases:\n"
        "      - { from_month: 1, route: { w: gpu } }\n"
        "      - { from_month: 5, route: { w: api } }\n"
        "    fallback: api\n"
        "    retire_idle_months: 1\n"
        "  big: { route: { w: gpu2 } }\n";
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[10 * TCO_NCAT];
    tco_cost cost;
    double G[11];
    for (int t = 1; t <= 10; t++)
        G[t] = pow(1.21, (t - 1) / 12.0);
    const double want[10] = {0,
                             2920 * G[2],
                             1460 * G[2] + 1460 * G[3],
                             1460 * G[2] + 1460 * G[4],
                             2920 * G[5],
                             1460 * G[5],
                             1460 * G[5],
                             0, 0, 0};
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    for (int t = 1; t <= 10; t++)
        ck_close(CAT(bycat, t, COMPUTE), want[t - 1], 1e-12);
    const double want2[10] = {2920, 2920, 5840, 5840, 2920, 2920, 2920, 2920, 2920, 2920};
    tco_future_cost(d.f, d.m, 1, NULL, bycat, &cost);
    for (int t = 1; t <= 10; t++)
        ck_close(CAT(bycat, t, COMPUTE), want2[t - 1], 1e-12);
    drawn_free(&d);
}
END_TEST

/* 14.2, two more rules by hand.  H = 730, flat GPU index, n_t = min_gpus
 * = 3, on-demand 2 an hour, 2 GPUs reserved at 1 an hour: a term month
 * costs 2 * 730 * 1 = 1460 x the locked index, the GPU beyond it
 * 1 * 730 * 2 = 1460 x the month's index.
 *
 * 1. The lock: a price_multiplier event (x 1.5 from its month e, read from
 *    the future, 2 <= e <= 6) inside the first term (months 1-6, setup 0)
 *    leaves that term at 1460; the terms from month 7 lock 1.5: 2190.
 *    compute(t) = (t <= 6 ? 1460 : 2190) + (t < e ? 1460 : 2190).
 *
 * 2. Adopted anew while a term runs (retire_idle_months 1, setup 1 month,
 *    terms of 6 months, routed in months 1-2 and from month 5):
 *    t = 1: setup: 0.   t = 2: term s = 2 (months 2-7): 1460 + 1460 = 2920.
 *    t = 3: not routed, still in production: 2920.
 *    t = 4: retired: the term only, 1460.
 *    t = 5: adopted anew, in setup: the term only, 1460 (no second term).
 *    t = 6, 7: in production, the same term: 2920.
 *    t = 8: the term has ended; a new one (s = 8): 2920. */
START_TEST(test_reserved_lock_and_readoption)
{
    const char *text =
        "scenario: { name: lock, horizon_months: 24 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "         gpu: { mode: cloud, hour_price: 2,\n"
        "                reserved: { gpus: 2, hour_price: 1, term_months: 6 } } }\n"
        "strategies:\n"
        "  s: { route: { w: gpu } }\n"
        "events:\n"
        "  shortage: { probability_per_year: 0.5,\n"
        "              effect: { price_multiplier: { backend: gpu, factor: 1.5 } } }\n";
    drawn d;
    drawn_load(&d, text);
    int found = 0;
    for (uint64_t stream = 0; stream < 2000 && !found; stream++) {
        drawn_future(&d, stream);
        int e = tco_future_event_month(d.f, 0);
        if (e < 2 || e > 6)
            continue;
        found = 1;
        double bycat[24 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
        for (int t = 1; t <= 24; t++)
            ck_close(CAT(bycat, t, COMPUTE), (t <= 6 ? 1460 : 2190) + (t < e ? 1460 : 2190),
                     1e-12);
    }
    ck_assert(found);
    drawn_free(&d);

    const char *again =
        "scenario: { name: again, horizon_months: 8 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 0 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "         gpu: { mode: cloud, hour_price: 2,\n"
        "                reserved: { gpus: 2, hour_price: 1, term_months: 6 } },\n"
        "         setup: { months: 1, cost: 0 } }\n"
        "strategies:\n"
        "  s:\n"
        "    phases:\n"
        "      - { from_month: 1, route: { w: gpu } }\n"
        "      - { from_month: 3, route: { w: api } }\n"
        "      - { from_month: 5, route: { w: gpu } }\n"
        "    fallback: api\n"
        "    retire_idle_months: 1\n";
    drawn_load(&d, again);
    drawn_future(&d, 0);
    double bycat[8 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, NULL, bycat, &cost);
    const double want[8] = {0, 2920, 2920, 1460, 1460, 2920, 2920, 2920};
    for (int t = 1; t <= 8; t++)
        ck_close(CAT(bycat, t, COMPUTE), want[t - 1], 1e-12);
    drawn_free(&d);
}
END_TEST

/* Unserved requests (MODEL.md 15), deterministic, 6 months, 1000 requests a
 * month (no growth), half of workload a, half of b, each of 1000 output
 * tokens.  api: 1000 per million output tokens = 1 a request, never fails.
 * box: cloud, one GPU (min_gpus 1; the load needs far less) at 1 an hour
 * = 730 a month in production, setup 2 months (months 1-2) costing 3000
 * in month 1, production from month 3.  dud: its setup (1 month) fails
 * (failure_probability 1): it never serves, costs nothing.
 * a: allowed [api, box, dud], unserved_cost 2 (failure_cost 0.5 unused);
 * b: allowed [box, dud], unserved_cost by default its failure_cost, 1.
 *   none  (a, b -> box, fallback: none): months 1-2 all 1000 unserved:
 *         quality 500 x 2 + 500 x 1 = 1500; months 3-6 box serves: compute
 *         730.  Unserved 2000; tokens served 4 x 1000 x 1000 = 4e6.
 *   api   (a, b -> box, fallback: api): months 1-2 a by api (api 500), b
 *         not allowed on api: unserved, quality 500.  Unserved 1000;
 *         tokens 5e6.
 *   dud   (a -> box, b -> dud, fallback: none): b is never served
 *         (quality 500 a month), a as in "none" (1000 in months 1-2).
 *         Unserved 2 x 500 + 6 x 500 = 4000; tokens 4 x 500 x 1000 = 2e6.
 *   never (a, b -> dud, fallback: none): everything unserved, 1500 a
 *         month; 6000 unserved, no token served (0 exactly). */
START_TEST(test_unserved_by_hand)
{
    const char *text =
        "scenario: { name: un, horizon_months: 6 }\n"
        "workloads:\n"
        "  a: { share: 1, input_tokens: 0, output_tokens: 1000, failure_cost: 0.5,\n"
        "       allowed_backends: [api, box, dud], unserved_cost: 2 }\n"
        "  b: { share: 1, input_tokens: 0, output_tokens: 1000, failure_cost: 1,\n"
        "       allowed_backends: [box, dud] }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "  box: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 1 }, setup: { months: 2, cost: 3000 } }\n"
        "  dud: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 1 },\n"
        "         setup: { months: 1, failure_probability: 1 } }\n"
        "strategies:\n"
        "  none: { route: { a: box, b: box }, fallback: none }\n"
        "  api: { route: { a: box, b: box }, fallback: api }\n"
        "  dud: { route: { a: box, b: dud }, fallback: none }\n"
        "  never: { route: { a: dud, b: dud }, fallback: none }\n";
    /* Per strategy and month: api, compute, setup, quality. */
    static const double want[4][6][4] = {
        {{0, 0, 3000, 1500}, {0, 0, 0, 1500}, {0, 730, 0, 0}, {0, 730, 0, 0},
         {0, 730, 0, 0}, {0, 730, 0, 0}},
        {{500, 0, 3000, 500}, {500, 0, 0, 500}, {0, 730, 0, 0}, {0, 730, 0, 0},
         {0, 730, 0, 0}, {0, 730, 0, 0}},
        {{0, 0, 3000, 1500}, {0, 0, 0, 1500}, {0, 730, 0, 500}, {0, 730, 0, 500},
         {0, 730, 0, 500}, {0, 730, 0, 500}},
        {{0, 0, 0, 1500}, {0, 0, 0, 1500}, {0, 0, 0, 1500}, {0, 0, 0, 1500},
         {0, 0, 0, 1500}, {0, 0, 0, 1500}}};
    static const double unserved[4] = {2000, 1000, 4000, 6000};
    static const double tokens[4] = {4e6, 5e6, 2e6, 0};
    static const tco_category cats[4] = {TCO_CAT_API, TCO_CAT_COMPUTE, TCO_CAT_SETUP,
                                         TCO_CAT_QUALITY};
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    for (size_t s = 0; s < 4; s++) {
        double bycat[6 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, s, NULL, bycat, &cost);
        for (int t = 1; t <= 6; t++) {
            double other = 0;
            for (int c = 0; c < TCO_NCAT; c++)
                other += fabs(CAT(bycat, t, c));
            for (int j = 0; j < 4; j++) {
                double got = CAT(bycat, t, cats[j]);
                other -= fabs(got);
                ck_assert_msg(fabs(got - want[s][t - 1][j]) < 1e-9,
                              "%s month %d %s: got %g, expected %g", d.sc->strategies[s].name,
                              t, tco_category_name(cats[j]), got, want[s][t - 1][j]);
            }
            ck_assert_msg(other < 1e-9, "%s month %d: other categories cost %g",
                          d.sc->strategies[s].name, t, other);
        }
        ck_assert_double_eq_tol(cost.unserved, unserved[s], 1e-9);
        ck_assert_double_eq_tol(cost.tokens, tokens[s], 1e-3);
        if (tokens[s] == 0)
            ck_assert(cost.tokens == 0); /* exactly: no cost per token */
    }
    drawn_free(&d);
}
END_TEST

/* MODEL.md 15, exclusions: chains followed to the end, the transition
 * served by the last excluded backend on the chain while it can serve, and
 * of two exclusions of one backend the first listed (same month) applies.
 * 4 months of 1000 requests of 1000 output tokens, failure_cost 0.5.
 * Every event has probability 1 a year, hence happens in month 1.  first:
 * A -> P1, chain: P1 -> P2, later: A -> B (listed after first: ignored).
 * A route to A reaches P2 (setup 1 month: month 1, production from month
 * 2: one GPU at 1 an hour, 730 a month); the transition in month 1 would
 * be P1's, the last excluded backend, but P1 (setup 3 months) was never
 * adopted: not in production, so month 1 goes as during setup.
 *   none (fallback: none): month 1 unserved, 1000 x 0.5 = 500 (quality);
 *        months 2-4: 730 compute.
 *   viaB (fallback: B, 2 a request): month 1 api 2000; months 2-4: 730. */
START_TEST(test_unserved_exclusion_chain)
{
    const char *text =
        "scenario: { name: ch, horizon_months: 4 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000, failure_cost: 0.5 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  A: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "  B: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 2000 }\n"
        "  P1: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "        gpu: { mode: cloud, hour_price: 1 }, setup: { months: 3 } }\n"
        "  P2: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "        gpu: { mode: cloud, hour_price: 1 }, setup: { months: 1 } }\n"
        "strategies:\n"
        "  none: { route: { w: A }, fallback: none }\n"
        "  viaB: { route: { w: A }, fallback: B }\n"
        "events:\n"
        "  first: { probability_per_year: 1,\n"
        "           effect: { exclude_backend: { backend: A, reroute_to: P1 } } }\n"
        "  chain: { probability_per_year: 1,\n"
        "           effect: { exclude_backend: { backend: P1, reroute_to: P2 } } }\n"
        "  later: { probability_per_year: 1,\n"
        "           effect: { exclude_backend: { backend: A, reroute_to: B } } }\n";
    /* Per strategy and month: api, compute, quality. */
    static const double want[2][4][3] = {
        {{0, 0, 500}, {0, 730, 0}, {0, 730, 0}, {0, 730, 0}},
        {{2000, 0, 0}, {0, 730, 0}, {0, 730, 0}, {0, 730, 0}}};
    static const double unserved[2] = {1000, 0};
    static const tco_category cats[3] = {TCO_CAT_API, TCO_CAT_COMPUTE, TCO_CAT_QUALITY};
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    for (int e = 0; e < 3; e++)
        ck_assert_int_eq(tco_future_event_month(d.f, (size_t)e), 1);
    for (size_t s = 0; s < 2; s++) {
        double bycat[4 * TCO_NCAT];
        tco_cost cost;
        tco_future_cost(d.f, d.m, s, NULL, bycat, &cost);
        for (int t = 1; t <= 4; t++) {
            double other = 0;
            for (int c = 0; c < TCO_NCAT; c++)
                other += fabs(CAT(bycat, t, c));
            for (int j = 0; j < 3; j++) {
                double got = CAT(bycat, t, cats[j]);
                other -= fabs(got);
                ck_assert_msg(fabs(got - want[s][t - 1][j]) < 1e-9,
                              "%s month %d %s: got %g, expected %g", d.sc->strategies[s].name,
                              t, tco_category_name(cats[j]), got, want[s][t - 1][j]);
            }
            ck_assert_msg(other < 1e-9, "%s month %d: other categories cost %g",
                          d.sc->strategies[s].name, t, other);
        }
        ck_assert_double_eq_tol(cost.unserved, unserved[s], 1e-9);
    }
    drawn_free(&d);
}
END_TEST

/* MODEL.md 19: the value of the requests served, deterministic, 4 months,
 * 1000 requests a month (no growth), half of workload a, half of b, each of
 * 1000 output tokens.  api: 1000 per million output tokens = 1 a request;
 * a succeeds with probability 0.8 there (failure_cost 0.5).  box: cloud,
 * one GPU at 1 an hour = 730 a month, setup months 1-2 (no cost),
 * production from month 3.  b may only go to box (unserved_cost 0).
 * a: value 0.02 a request, b: 3.  Strategy one: a -> api, b -> box,
 * fallback none.
 *   months 1-2: a by api: api 500, quality 500 x 0.2 x 0.5 = 50, value
 *               -500 x 0.02 = -10 (a failed request still counts);
 *               b unserved: no value, no cost.
 *   months 3-4: a as before; b by box: compute 730, value -500 x 3 = -1500,
 *               so value -1510.
 * Unserved 2 x 500 = 1000. */
START_TEST(test_value_by_hand)
{
    const char *text =
        "scenario: { name: val, horizon_months: 4 }\n"
        "workloads:\n"
        "  a: { share: 1, input_tokens: 0, output_tokens: 1000, failure_cost: 0.5,\n"
        "       value_per_request: 0.02 }\n"
        "  b: { share: 1, input_tokens: 0, output_tokens: 1000, allowed_backends: [box],\n"
        "       value_per_request: 3 }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000,\n"
        "         success_rate: { a: 0.8 } }\n"
        "  box: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 1 }, setup: { months: 2 } }\n"
        "strategies:\n"
        "  one: { route: { a: api, b: box }, fallback: none }\n";
    /* Per month: api, compute, quality, value. */
    static const double want[4][4] = {
        {500, 0, 50, -10}, {500, 0, 50, -10}, {500, 730, 50, -1510}, {500, 730, 50, -1510}};
    static const tco_category cats[4] = {TCO_CAT_API, TCO_CAT_COMPUTE, TCO_CAT_QUALITY,
                                         TCO_CAT_VALUE};
    drawn d;
    drawn_load(&d, text);
    drawn_future(&d, 0);
    double bycat[4 * TCO_NCAT], monthly[4];
    tco_cost cost;
    tco_future_cost(d.f, d.m, 0, monthly, bycat, &cost);
    for (int t = 1; t <= 4; t++) {
        double other = 0, total = 0;
        for (int c = 0; c < TCO_NCAT; c++)
            other += fabs(CAT(bycat, t, c));
        for (int j = 0; j < 4; j++) {
            double got = CAT(bycat, t, cats[j]);
            other -= fabs(got);
            total += want[t - 1][j];
            ck_assert_msg(fabs(got - want[t - 1][j]) < 1e-9, "month %d %s: got %g, expected %g",
                          t, tco_category_name(cats[j]), got, want[t - 1][j]);
        }
        ck_assert_msg(other < 1e-9, "month %d: other categories cost %g", t, other);
        ck_assert_double_eq_tol(monthly[t - 1], total, 1e-9);
    }
    ck_assert_double_eq_tol(cost.unserved, 1000, 1e-9);
    ck_assert_str_eq(tco_category_name(TCO_CAT_VALUE), "value");
    drawn_free(&d);
}
END_TEST


/* With and without risk events (MODEL.md 7): the SCENARIO's events all
 * happen in month 1; each left out in turn, the strategies are costed again
 * on the same future and the differences worked out by hand. */
static double npv_of(tco_future *f, const tco_model *m, size_t s)
{
    tco_cost cost;
    tco_future_cost(f, m, s, NULL, NULL, &cost);
    return cost.npv;
}

START_TEST(test_mask_events_by_hand)
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
    double all[NS], D[T + 1];
    for (int t = 1; t <= T; t++)
        D[t] = pow(1.12, -t / 12.0);
    for (size_t s = 0; s < NS; s++)
        all[s] = npv_of(f, m, s);
    enum { AUDIT, HIKE, BAN, NEVER };
    unsigned char mask[4] = {0};

    /* The audit: 5000 in month 1, D_1 = 1.12^(-1/12) = 0.990600, for every
     * strategy: 4953.00. */
    ck_close(tco_future_event_npv(f, m, AUDIT), 5000 * pow(1.12, -1 / 12.0), 1e-15);
    ck_close(tco_future_event_npv(f, m, AUDIT), 4953.00, 1e-6);
    ck_assert(isnan(tco_future_event_npv(f, m, HIKE)));
    ck_assert_double_eq(tco_future_event_npv(f, m, NEVER), 0);
    mask[AUDIT] = 1;
    tco_future_mask_events(f, m, mask);
    for (size_t s = 0; s < NS; s++) {
        ck_assert(tco_model_event_reaches(m, AUDIT, s));
        ck_close(all[s] - npv_of(f, m, s), 5000 * D[1], 1e-9);
    }

    /* The hike (api1 x 1.5 from month 1): api1's usage costs a third less
     * without it.  Month 1 of strategy api: (11125 - 1000) / 3 = 3375. */
    mask[AUDIT] = 0;
    mask[HIKE] = 1;
    tco_future_mask_events(f, m, mask);
    double bycat[T * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(f, m, 0, NULL, bycat, &cost);
    ck_close(bycat[API], 11125 - 3375, 1e-12);
    double want_api = 0, want_cloud = 0;
    for (int t = 1; t <= T; t++) {
        want_api += D[t] * (api1_a(t) + api1_b(t)) / 3;
        /* cloud: api1 serves a (fallback) in the setup months 1-2, b always. */
        want_cloud += D[t] * ((t <= 2 ? api1_a(t) : 0) + api1_b(t)) / 3;
    }
    ck_close(all[0] - cost.npv, want_api, 1e-9);
    ck_close(all[1] - npv_of(f, m, 1), want_cloud, 1e-9);

    /* The ban (api2 excluded in month 1, rerouted to cloud1, cost 7000):
     * without it, strategy excluded keeps a on api2 in every month, adopts
     * no cloud1 and pays no 7000.  Only strategies that reach api2 can
     * differ. */
    mask[HIKE] = 0;
    mask[BAN] = 1;
    tco_future_mask_events(f, m, mask);
    hand_compute();
    double with = 0, without = 0;
    for (int t = 1; t <= T; t++) {
        double total = 0;
        for (int c = 0; c < TCO_NCAT; c++)
            total += expected[4][t - 1][c];
        with += D[t] * total;
        without += D[t] * (api1_b(t) + 1000 + (1000 * 0.5 + 500 * 1.5) / 1e6 * Ra(t) +
                           Ra(t) * 0.03 * 0.1 + Rb(t) * 0.05 * 1.0 + (t == 1 ? 5000 : 0));
    }
    ck_close(all[4], with, 1e-12);
    ck_close(all[4] - npv_of(f, m, 4), with - without, 1e-9);
    for (size_t s = 0; s < NS; s++) {
        ck_assert_int_eq(tco_model_event_reaches(m, BAN, s), s == 4);
        if (s != 4)
            ck_assert_double_eq(npv_of(f, m, s), all[s]);
    }

    /* Every event back: the same bits as drawn. */
    tco_future_mask_events(f, m, NULL);
    for (size_t s = 0; s < NS; s++)
        ck_assert_double_eq(npv_of(f, m, s), all[s]);
    memset(mask, 0, sizeof mask);
    tco_future_mask_events(f, m, mask);
    for (size_t s = 0; s < NS; s++)
        ck_assert_double_eq(npv_of(f, m, s), all[s]);

    /* GPUs in service in month 6 (tco_cost.gpus): none on api; cloud1 for
     * a, 1 (w = 809185 * 700, 0.65 of a GPU); owned1 for both, 3; cloud1
     * for both, 2 (w = 809185 * 700 + 269728 * 1400: 1.08 GPUs). */
    const double gpus[NS] = {0, 1, 3, 2, 1};
    for (size_t s = 0; s < NS; s++) {
        tco_future_cost(f, m, s, NULL, NULL, &cost);
        ck_assert_double_eq(cost.gpus, gpus[s]);
    }
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

/* A price multiplier on a self-hosted backend, left out: the GPUs' price
 * index goes back to 1 from the event's month E on (2 GPUs at 3/h: 4380 a
 * month instead of 6570), and nothing else moves. */
START_TEST(test_mask_price_self_hosted)
{
    const char *text =
        "scenario: { name: gpuprice, horizon_months: 36 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  cloud: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 2,\n"
        "           gpu: { mode: cloud, hour_price: 3.0 }, setup: { months: 0, cost: 0 } }\n"
        "strategies:\n"
        "  c: { route: { w: cloud } }\n"
        "events:\n"
        "  shortage: { probability_per_year: 0.5,\n"
        "              effect: { price_multiplier: { backend: cloud, factor: 1.5 } } }\n";
    drawn d;
    drawn_load(&d, text);
    int found = 0;
    for (uint64_t stream = 0; stream < 500 && !found; stream++) {
        drawn_future(&d, stream);
        int e = tco_future_event_month(d.f, 0);
        if (e < 2)
            continue;
        found = 1;
        tco_cost with, without;
        tco_future_cost(d.f, d.m, 0, NULL, NULL, &with);
        unsigned char mask = 1;
        tco_future_mask_events(d.f, d.m, &mask);
        tco_future_cost(d.f, d.m, 0, NULL, NULL, &without);
        ck_close(without.npv, 36 * 4380, 1e-12);
        ck_close(with.npv - without.npv, (36 - e + 1) * 2190, 1e-12);
        ck_assert_int_eq(tco_future_event_month(d.f, 0), e);
        ck_assert_double_eq(with.gpus, 2);
    }
    ck_assert(found);
    drawn_free(&d);
}
END_TEST

/* Whether leaving a price multiplier out can matter (the engine costs a
 * strategy again only then): "leave" reads api a's price in months 1-4
 * only, "stay" in every month.  A hike from month E matters to leave only
 * when E <= 4; where it does not, the cost without it is the same, bit for
 * bit; where it does, it differs. */
START_TEST(test_event_matters)
{
    const char *text =
        "scenario: { name: matters, horizon_months: 12, discount_rate_annual: 0.07 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 100 } }\n"
        "demand: { requests_per_month: 1.0e5 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 6 }\n"
        "  b: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n"
        "strategies:\n"
        "  leave:\n"
        "    phases:\n"
        "      - { from_month: 1, route: { w: a } }\n"
        "      - { from_month: 5, route: { w: b } }\n"
        "  stay: { route: { w: a } }\n"
        "  other: { route: { w: b } }\n"
        "events:\n"
        "  hike: { probability_per_year: 0.9, effect: { price_multiplier: { backend: a, factor: 1.25 } } }\n";
    drawn d;
    drawn_load(&d, text);
    ck_assert_int_eq(tco_future_track_reads(d.f, d.m), TCO_OK);
    int early = 0, late = 0;
    unsigned char mask = 1;
    for (uint64_t stream = 0; stream < 400 && (early < 3 || late < 3); stream++) {
        drawn_future(&d, stream);
        int e = tco_future_event_month(d.f, 0);
        if (!e)
            continue;
        double with[3], without[3];
        int matters[3];
        for (size_t s = 0; s < 3; s++) {
            tco_cost cost;
            tco_future_cost(d.f, d.m, s, NULL, NULL, &cost);
            with[s] = cost.npv;
        }
        for (size_t s = 0; s < 3; s++)
            matters[s] = tco_future_event_matters(d.f, d.m, 0, s);
        tco_future_mask_events(d.f, d.m, &mask);
        for (size_t s = 0; s < 3; s++) {
            tco_cost cost;
            tco_future_cost(d.f, d.m, s, NULL, NULL, &cost);
            without[s] = cost.npv;
        }
        /* The masked costings left what was recorded alone. */
        for (size_t s = 0; s < 3; s++)
            ck_assert_int_eq(tco_future_event_matters(d.f, d.m, 0, s), matters[s]);
        tco_future_mask_events(d.f, d.m, NULL);
        ck_assert_int_eq(matters[0], e <= 4);
        ck_assert_int_eq(matters[1], 1);
        ck_assert_int_eq(matters[2], 0);
        ck_assert(with[1] > without[1]);
        ck_assert_double_eq(with[2], without[2]);
        if (e <= 4) {
            early++;
            ck_assert(with[0] > without[0]);
        } else {
            late++;
            ck_assert_double_eq(with[0], without[0]);
        }
    }
    ck_assert(early >= 3 && late >= 3);
    drawn_free(&d);
}
END_TEST


/* Costings with events left out resume at the first such event's month
 * from the state saved by the costing with every event (tco_future_track_reads):
 * on the bundled scenarios (owned fleets, reserved terms, retirement,
 * reviews, switches, exclusions), every strategy's cost with each event
 * left out, and with all of them, is the same, bit for bit, as a costing
 * from month 1 on a future that saves nothing.  Both futures cost through
 * the types' tables: the month loop, which resumes (costings by spans
 * always start from month 1). */
static void resume_same_bits(const char *path)
{
    drawn d;
    drawn_load_file(&d, path);
    double *u = malloc((d.sc->ndims + 1) * sizeof *u);
    tco_future *plain = tco_future_alloc(d.m);
    ck_assert_ptr_nonnull(plain);
    ck_assert_int_eq(tco_future_track_reads(d.f, d.m), TCO_OK);
    ck_assert_ptr_nonnull(d.f->snap); /* d.f saves states to resume from */
    tco_future_use_tables(d.f, d.m);
    tco_future_use_tables(plain, d.m);
    const size_t S = d.sc->nstrategies, E = d.sc->nevents;
    unsigned char mask[64];
    ck_assert(E > 0 && E < sizeof mask);
    int compared = 0, resumed = 0;
    for (uint64_t stream = 0; stream < 300; stream++) {
        tco_rng rng;
        /* Inputs drawn too: every future its own. */
        tco_rng_seed(&rng, &d.zig, 2, stream);
        for (size_t j = 0; j < d.sc->ndims; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_inputs(d.sc, u, d.x, NULL);
        drawn_future(&d, stream);
        tco_rng_seed(&rng, &d.zig, 1, stream);
        tco_future_draw(plain, d.m, d.x, &rng, NULL);
        tco_cost a, b;
        for (size_t s = 0; s < S; s++)
            tco_future_cost(d.f, d.m, s, NULL, NULL, &a);
        for (size_t k = 0; k <= E; k++) {
            int any = 0;
            for (size_t e = 0; e < E; e++) {
                mask[e] = (k == E || e == k) && tco_future_event_month(d.f, e);
                any |= mask[e];
            }
            if (!any)
                continue;
            tco_future_mask_events(d.f, d.m, mask);
            tco_future_mask_events(plain, d.m, mask);
            for (size_t s = 0; s < S; s++) {
                ck_assert(!tco_future_cost_by_spans(d.f, d.m, s));
                resumed += d.f->snap_valid[s] && d.f->mask_from <= d.sc->horizon;
                tco_future_cost(d.f, d.m, s, NULL, NULL, &a);
                tco_future_cost(plain, d.m, s, NULL, NULL, &b);
                ck_assert(memcmp(&a.npv, &b.npv, sizeof a.npv) == 0);
                ck_assert(memcmp(&a.nominal, &b.nominal, sizeof a.nominal) == 0);
                ck_assert(memcmp(a.cat, b.cat, sizeof a.cat) == 0);
                ck_assert(memcmp(&a.unserved, &b.unserved, sizeof a.unserved) == 0);
                ck_assert_int_eq(a.switches, b.switches);
                ck_assert_int_eq(a.first_switch, b.first_switch);
                compared++;
            }
            tco_future_mask_events(d.f, d.m, NULL);
            tco_future_mask_events(plain, d.m, NULL);
        }
    }
    ck_assert(compared > 100);
    ck_assert(resumed > 100);
    free(u);
    tco_future_free(plain);
    drawn_free(&d);
}

START_TEST(test_resume_same_bits)
{
    resume_same_bits("scenarios/baseline.yaml");
    resume_same_bits("scenarios/owned.yaml");
    resume_same_bits("scenarios/regulated.yaml");
}
END_TEST


/* Every strategy's costs on f and on g: the same bits (0), or which differ. */
static int costs_differ(tco_future *f, tco_future *g, const tco_model *m, size_t S, size_t H)
{
    double *ma = malloc(H * TCO_NCAT * sizeof *ma), *mb = malloc(H * TCO_NCAT * sizeof *mb);
    int differ = 0;
    for (size_t s = 0; s < S; s++) {
        tco_cost a, b;
        tco_future_cost(f, m, s, NULL, ma, &a);
        tco_future_cost(g, m, s, NULL, mb, &b);
        differ |= memcmp(&a.npv, &b.npv, sizeof a.npv) != 0 ||
                  memcmp(&a.nominal, &b.nominal, sizeof a.nominal) != 0 ||
                  memcmp(a.cat, b.cat, sizeof a.cat) != 0 ||
                  memcmp(&a.unserved, &b.unserved, sizeof a.unserved) != 0 ||
                  a.switches != b.switches || a.first_switch != b.first_switch ||
                  memcmp(ma, mb, H * TCO_NCAT * sizeof *ma) != 0;
    }
    free(ma);
    free(mb);
    return differ;
}

/* What a tco_future keeps between futures (tco_memo: the GPU index's
 * drift, the tables of the operations' and the price shocks' monthly
 * counts, the salary's growth factor and staff costs, the api index's
 * trend (with shocks or without), the events' hazards) gives
 * the same bits as a new tco_future: futures drawn in turn on one, three
 * with their sampled inputs (the kept values reused), then three with
 * every input 0.9 times as large (every kept value computed anew), and so
 * on, each compared with the same future drawn on a new tco_future.  And
 * the scaled inputs change every such future's costs: a value kept from
 * the futures before would show. */
static void memo_same_bits(const char *path)
{
    drawn d;
    drawn_load_file(&d, path);
    const size_t NI = d.sc->ninputs, S = d.sc->nstrategies, H = (size_t)d.sc->horizon;
    const size_t D = d.sc->ndims;
    double *u = malloc((D + 1) * sizeof *u), *x0 = malloc(NI * sizeof *x0);
    int scaled = 0;
    for (uint64_t stream = 0; stream < 30; stream++) {
        tco_rng rng;
        tco_rng_seed(&rng, &d.zig, 4, stream);
        for (size_t j = 0; j < D; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_inputs(d.sc, u, d.x, NULL);
        memcpy(x0, d.x, NI * sizeof *x0);
        int scale = (stream / 3) % 2;
        for (size_t j = 0; scale && j < NI; j++)
            if (tco_domain_contains(&d.sc->inputs[j].dom, 0.9 * d.x[j]))
                d.x[j] *= 0.9;
        drawn_future(&d, stream);
        tco_future *g = tco_future_alloc(d.m);
        ck_assert_ptr_nonnull(g);
        tco_rng_seed(&rng, &d.zig, 1, stream);
        tco_future_draw(g, d.m, d.x, &rng, NULL);
        ck_assert_msg(!costs_differ(d.f, g, d.m, S, H), "%s: future %d", path, (int)stream);
        if (scale) {
            tco_rng_seed(&rng, &d.zig, 1, stream);
            tco_future_draw(g, d.m, x0, &rng, NULL);
            ck_assert(costs_differ(d.f, g, d.m, S, H));
            scaled++;
        }
        tco_future_free(g);
    }
    ck_assert_int_eq(scaled, 15);
    free(u);
    free(x0);
    drawn_free(&d);
}

START_TEST(test_memo_same_bits)
{
    memo_same_bits("scenarios/baseline.yaml");
    memo_same_bits("scenarios/owned.yaml");
    memo_same_bits("scenarios/regulated.yaml");
    memo_same_bits("bench/v2.yaml");
}
END_TEST

/* Serving a drawn future again (tco_future_serve_again, and
 * tco_future_serve_inputs for what the input enters alone) after one input
 * that shapes no random path changed gives the same bits as drawing the
 * future again from its stream with that input: every strategy's costs,
 * month by month and category by category, for each input in turn (its
 * value from another sample, or 0.9 times a fixed one).  And each input
 * that tco_paths_inputs marks changes some future's paths or costs when
 * drawn again: the marks are needed.  And an unmarked input's change
 * leaves the costs of every strategy it does not reach
 * (tco_model_input_reaches) as they were, month by month.  Over the given
 * number of futures; returns how many inputs were served again (unmarked,
 * and changed), and counts in *unreached the strategies' costs so kept. */
static size_t serve_again_same_bits(drawn *d, uint64_t futures, long *unreached)
{
    const size_t NI = d->sc->ninputs, S = d->sc->nstrategies, H = (size_t)d->sc->horizon;
    const size_t D = d->sc->ndims, B = d->sc->nbackends;
    unsigned char *mark = malloc(NI);
    double *u = malloc((D + 1) * sizeof *u), *x2 = malloc(NI * sizeof *x2);
    int *needed = calloc(NI, sizeof *needed), *served = calloc(NI, sizeof *served);
    tco_future *g = tco_future_alloc(d->m);
    double *before = malloc(S * H * TCO_NCAT * sizeof *before);
    double *after = malloc(H * TCO_NCAT * sizeof *after);
    tco_cost *was = malloc(S * sizeof *was);
    ck_assert_int_eq(tco_paths_inputs(d->sc, mark), 1);
    for (uint64_t stream = 0; stream < futures; stream++) {
        tco_rng rng;
        tco_rng_seed(&rng, &d->zig, 3, stream);
        for (size_t j = 0; j < D; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_inputs(d->sc, u, d->x, NULL);
        for (size_t j = 0; j < D; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_inputs(d->sc, u, x2, NULL);
        drawn_future(d, stream);
        for (size_t j = 0; j < NI; j++) {
            double old = d->x[j], v = x2[j] != old ? x2[j] : 0.9 * old;
            if (v == old || !tco_domain_contains(&d->sc->inputs[j].dom, v))
                continue;
            d->x[j] = v;
            tco_rng_seed(&rng, &d->zig, 1, stream);
            tco_future_draw(g, d->m, d->x, &rng, NULL);
            if (mark[j]) {
                /* The future drawn again against the paths kept. */
                tco_future_serve_again(d->f, d->m);
                int differ = costs_differ(d->f, g, d->m, S, H);
                for (size_t b = 0; b < B; b++)
                    differ |= memcmp(tco_future_price_index(d->f, b),
                                     tco_future_price_index(g, b), H * sizeof(double)) != 0;
                for (size_t e = 0; e < d->sc->nevents; e++)
                    differ |= tco_future_event_month(d->f, e) != tco_future_event_month(g, e);
                differ |= memcmp(d->f->step, g->step, H * sizeof(double)) != 0;
                needed[j] += differ;
                d->x[j] = old;
                drawn_future(d, stream);
                continue;
            }
            /* The costs before, for the strategies the input cannot reach. */
            for (size_t t = 0; t < S; t++)
                tco_future_cost(d->f, d->m, t, NULL, before + t * H * TCO_NCAT, &was[t]);
            /* Only what the input enters served again, then all of it. */
            int one = (int)j;
            tco_future_serve_inputs(d->f, d->m, &one, 1);
            ck_assert_msg(!costs_differ(d->f, g, d->m, S, H), "input %s alone, future %d",
                          d->sc->inputs[j].path, (int)stream);
            tco_future_serve_again(d->f, d->m);
            ck_assert_msg(!costs_differ(d->f, g, d->m, S, H), "input %s, future %d",
                          d->sc->inputs[j].path, (int)stream);
            for (size_t t = 0; t < S; t++) {
                if (tco_model_input_reaches(d->m, j, t))
                    continue;
                tco_cost now;
                tco_future_cost(d->f, d->m, t, NULL, after, &now);
                ck_assert_msg(memcmp(&now.npv, &was[t].npv, sizeof now.npv) == 0 &&
                                  memcmp(now.cat, was[t].cat, sizeof now.cat) == 0 &&
                                  memcmp(after, before + t * H * TCO_NCAT,
                                         H * TCO_NCAT * sizeof *after) == 0,
                              "%s changes strategy %s, which it does not reach",
                              d->sc->inputs[j].path, d->sc->strategies[t].name);
                (*unreached)++;
            }
            served[j] = 1;
            d->x[j] = old;
            tco_future_serve_inputs(d->f, d->m, &one, 1);
        }
    }
    size_t n = 0;
    for (size_t j = 0; j < NI; j++) {
        ck_assert_msg(!mark[j] || needed[j] > 0, "%s is marked but shapes no path",
                      d->sc->inputs[j].path);
        n += (size_t)served[j];
    }
    free(mark);
    free(u);
    free(x2);
    free(needed);
    free(served);
    free(before);
    free(after);
    free(was);
    tco_future_free(g);
    return n;
}

START_TEST(test_serve_again_same_bits)
{
    static const char *files[] = {"scenarios/baseline.yaml", "scenarios/crossover.yaml",
                                  "scenarios/extraction.yaml", "scenarios/owned.yaml",
                                  "scenarios/regulated.yaml", "bench/v2.yaml"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        drawn d;
        drawn_load_file(&d, files[k]);
        long unreached = 0;
        ck_assert_msg(serve_again_same_bits(&d, 12, &unreached) > 10, "%s", files[k]);
        ck_assert_msg(unreached > 100, "%s: %ld", files[k], unreached);
        drawn_free(&d);
    }
    /* Price multipliers on an index drawn with shocks, one computed from
     * its trend, and a GPU index; steady demand (its growth shapes no
     * path); setups that can fail; events likely in 24 months. */
    drawn d;
    drawn_open(&d,
               "scenario: { name: again, horizon_months: 24 }\n"
               "workloads: { w: { share: 1, input_tokens: 800, output_tokens: 400, failure_cost: 0.05 } }\n"
               "demand: { requests_per_month: { dist: uniform, min: 1e6, max: 4e6 },\n"
               "          growth_annual: { dist: uniform, min: 0, max: 1 } }\n"
               "backends:\n"
               "  shocked: { type: api, input_price_per_mtok: { dist: uniform, min: 1, max: 3 },\n"
               "             output_price_per_mtok: 8, price_trend_annual: { dist: uniform, min: -0.4, max: 0 },\n"
               "             price_shocks: { rate_per_year: { dist: uniform, min: 1, max: 4 },\n"
               "                             size: { dist: uniform, min: -0.3, max: 0.3 } } }\n"
               "  steady: { type: api, input_price_per_mtok: 1, output_price_per_mtok: { dist: uniform, min: 2, max: 6 },\n"
               "            price_trend_annual: { dist: uniform, min: -0.4, max: 0 }, fixed_monthly_cost: 500 }\n"
               "  gpus:\n"
               "    type: self_hosted\n"
               "    throughput_tokens_per_gpu_second: { dist: uniform, min: 400, max: 900 }\n"
               "    gpu: { mode: cloud, hour_price: { dist: uniform, min: 1.5, max: 3 },\n"
               "           price_trend_annual: { dist: uniform, min: -0.3, max: 0 }, price_volatility_annual: 0.2 }\n"
               "    staff: { base_fte: { dist: uniform, min: 0.5, max: 2 }, cost_per_fte_year: 150000 }\n"
               "    setup: { months: { dist: uniform, min: 1, max: 4 }, cost: 10000,\n"
               "             failure_probability: { dist: uniform, min: 0.2, max: 0.6 } }\n"
               "    incidents: { per_year: { dist: uniform, min: 2, max: 12 }, cost_per_incident: { dist: uniform, min: 1000, max: 9000 } }\n"
               "strategies:\n"
               "  a: { route: { w: shocked } }\n"
               "  b: { route: { w: steady } }\n"
               "  c: { route: { w: gpus }, fallback: steady }\n"
               "events:\n"
               "  up: { probability_per_year: { dist: uniform, min: 0.6, max: 0.95 },\n"
               "        effect: { price_multiplier: { backend: shocked, factor: { dist: uniform, min: 1.1, max: 1.5 } } } }\n"
               "  up2: { probability_per_year: 0.9,\n"
               "         effect: { price_multiplier: { backend: steady, factor: { dist: uniform, min: 1.1, max: 1.5 } } } }\n"
               "  gpu: { probability_per_year: 0.9,\n"
               "         effect: { price_multiplier: { backend: gpus, factor: { dist: uniform, min: 0.5, max: 0.9 } } } }\n");
    long unreached = 0;
    ck_assert(serve_again_same_bits(&d, 100, &unreached) > 10);
    ck_assert(unreached > 100);
    drawn_free(&d);
}
END_TEST

/* The failure-rate trend's factors (1 + tau)^((t - 1) / 12) (MODEL.md 12)
 * over 50 months: one backend falls 30% a year, success 0.9, failure cost
 * 1, so F_t = 0.1 x 0.7^((t - 1) / 12).  The factor is a power at months
 * 1, 13, 25, 37 and 49 (exactly the closed form's bits there) and the
 * month before times 0.7^(1/12) in between: within 1e-14 of the closed
 * form.  A second backend's trend of +300%/yr reaches F = 1 (the cap) from
 * month 25 on: 0.25 x 4^2 = 4. */
START_TEST(test_trend_factors)
{
    drawn d;
    drawn_load(&d,
               "scenario: { name: trend, horizon_months: 50 }\n"
               "workloads: { w: { share: 1, input_tokens: 1, output_tokens: 1, failure_cost: 1 } }\n"
               "demand: { requests_per_month: 1000, growth_annual: 0 }\n"
               "backends:\n"
               "  a: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 1,\n"
               "       success_rate: { w: 0.9 }, failure_rate_trend_annual: -0.3 }\n"
               "  b: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 1,\n"
               "       success_rate: { w: 0.75 }, failure_rate_trend_annual: 3 }\n"
               "strategies: { s: { route: { w: a } } }\n");
    drawn_future(&d, 0);
    ck_assert_ptr_nonnull(d.f->qual_month);
    for (int t = 1; t <= 50; t++) {
        double F = tco_future_fail_cost(d.f, d.m, t, 0, 0);
        double want = (1 - 0.9) * pow(0.7, (t - 1) / 12.0);
        if ((t - 1) % 12 == 0)
            ck_assert_msg(F == want, "month %d: %.17g, closed form %.17g", t, F, want);
        else
            ck_assert_msg(fabs(F - want) <= 1e-14 * want, "month %d: %.17g, closed form %.17g", t,
                          F, want);
        double Fb = tco_future_fail_cost(d.f, d.m, t, 1, 0);
        double wb = fmin(1, 0.25 * pow(4, (t - 1) / 12.0));
        ck_assert_msg(fabs(Fb - wb) <= 1e-14 * wb, "b, month %d: %.17g", t, Fb);
        if (t >= 25)
            ck_assert(Fb == 1);
    }
    drawn_free(&d);
}
END_TEST

/* The month loop costs the built-in types inline (models/backend_month.h)
 * and skips work that cannot change a month (the adoption pass while the
 * route is last month's): on the bundled scenarios and make bench's v2
 * scenario (owned fleets, reserved terms, retirement, failed setups,
 * reviews, switches, exclusions, unserved requests, schedules), every
 * strategy's cost, month by month and category by category, with every
 * event and with each event left out (resumed from a saved state), is the
 * same, bit for bit, as costing every backend through its type's table of
 * functions from month 1 on the same future. */
static void cmp_cost(const tco_cost *a, const tco_cost *b)
{
    ck_assert(memcmp(&a->npv, &b->npv, sizeof a->npv) == 0);
    ck_assert(memcmp(&a->nominal, &b->nominal, sizeof a->nominal) == 0);
    ck_assert(memcmp(a->cat, b->cat, sizeof a->cat) == 0);
    ck_assert(memcmp(&a->unserved, &b->unserved, sizeof a->unserved) == 0);
    ck_assert(memcmp(&a->tokens, &b->tokens, sizeof a->tokens) == 0);
    ck_assert(memcmp(&a->gpus, &b->gpus, sizeof a->gpus) == 0);
    ck_assert_int_eq(a->switches, b->switches);
    ck_assert_int_eq(a->first_switch, b->first_switch);
}

/* cost_direct leaves every month's costs by category at +0 (its next
 * costing begins from them): the bits of +0, not -0. */
static void assert_cleared(const tco_future *f, size_t H)
{
    for (size_t i = 0; i < H * TCO_NCAT; i++) {
        uint64_t bits;
        memcpy(&bits, &f->cmonth[i], sizeof bits);
        ck_assert_msg(bits == 0, "cmonth[%zu] left at %g", i, f->cmonth[i]);
    }
}

/* A scenario file, or (path NULL) a scenario's text. */
static void inline_same_bits(const char *path, const char *text, int *features)
{
    drawn d;
    if (path)
        drawn_load_file(&d, path);
    else
        drawn_open(&d, text);
    double *u = malloc((d.sc->ndims + 1) * sizeof *u);
    tco_future *tab = tco_future_alloc(d.m);
    ck_assert_ptr_nonnull(tab);
    tco_future_use_tables(tab, d.m);
    ck_assert_int_eq(tco_future_track_reads(d.f, d.m), TCO_OK);
    ck_assert_int_eq(tco_future_track_reads(tab, d.m), TCO_OK);
    const size_t S = d.sc->nstrategies, E = d.sc->nevents, H = (size_t)d.sc->horizon;
    const size_t B = d.sc->nbackends;
    double *ma = malloc(H * sizeof *ma), *mb = malloc(H * sizeof *mb);
    double *ca = malloc(H * TCO_NCAT * sizeof *ca), *cb = malloc(H * TCO_NCAT * sizeof *cb);
    unsigned char mask[64];
    ck_assert(E < sizeof mask);
    for (uint64_t stream = 0; stream < 300; stream++) {
        tco_rng rng;
        tco_rng_seed(&rng, &d.zig, 3, stream);
        for (size_t j = 0; j < d.sc->ndims; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_inputs(d.sc, u, d.x, NULL);
        drawn_future(&d, stream);
        tco_rng_seed(&rng, &d.zig, 1, stream);
        tco_future_draw(tab, d.m, d.x, &rng, NULL);
        tco_cost a, b;
        for (size_t s = 0; s < S; s++) {
            /* Through tables every costing goes month by month. */
            ck_assert(!tco_future_cost_by_spans(tab, d.m, s));
            int spans = tco_future_cost_by_spans(d.f, d.m, s);
            tco_future_cost(d.f, d.m, s, ma, ca, &a);
            tco_future_cost(tab, d.m, s, mb, cb, &b);
            cmp_cost(&a, &b);
            ck_assert(memcmp(ma, mb, H * sizeof *ma) == 0);
            ck_assert(memcmp(ca, cb, H * TCO_NCAT * sizeof *ca) == 0);
            /* Without the months by category (as a run costs), a
             * strategy's months are booked from the categories it can
             * write alone (cost_direct's book_cats): the same bits. */
            tco_cost a1;
            if (spans)
                assert_cleared(d.f, H);
            tco_future_cost(d.f, d.m, s, ma, NULL, &a1);
            cmp_cost(&a1, &b);
            ck_assert(memcmp(ma, mb, H * sizeof *ma) == 0);
            if (spans)
                assert_cleared(d.f, H);
            /* Nor the months' totals (as make bench costs). */
            tco_future_cost(d.f, d.m, s, NULL, NULL, &a1);
            cmp_cost(&a1, &b);
            /* The same price indices read, so the same events recosted. */
            if (d.f->last_read)
                ck_assert(memcmp(d.f->last_read + s * B, tab->last_read + s * B,
                                 B * sizeof *tab->last_read) == 0);
            features[5] += spans;
            features[6] += spans && a.switches > 0;
            features[7] += spans && a.unserved > 0;
            features[8] += spans && d.sc->strategies[s].nphases > 1;
            features[9] += spans && a.gpus > 0;
            features[10] += spans && d.sc->strategies[s].review && a.switches > 0;
            features[12] += spans && d.f->first_excl <= d.sc->horizon;
            features[13] += spans && d.sc->strategies[s].switch_kind == TCO_SWITCH_API_COST &&
                            a.switches > 0;
            if (spans && d.sc->strategies[s].retire_idle > 0) {
                /* A platform retired (and perhaps adopted again). */
                const int *use = d.m->use + s * B;
                for (size_t j = 0; j < d.m->nuse[s]; j++)
                    for (size_t t = 0; t < H; t++)
                        features[11] += d.f->platform[use[j]] && d.f->rmon[(size_t)use[j] * H + t];
            }
            features[0] += a.switches > 0;
            features[1] += a.unserved > 0;
            features[2] += a.gpus > 0;
            for (size_t t = 0; t < H; t++)
                features[3] += ca[t * TCO_NCAT + TCO_CAT_COMPUTE] < 0; /* a fleet sold */
        }
        for (size_t k = 0; k <= E; k++) {
            int any = 0;
            for (size_t e = 0; e < E; e++) {
                mask[e] = (k == E || e == k) && tco_future_event_month(d.f, e);
                any |= mask[e];
            }
            if (!any)
                continue;
            features[4]++;
            tco_future_mask_events(d.f, d.m, mask);
            tco_future_mask_events(tab, d.m, mask);
            for (size_t s = 0; s < S; s++) {
                tco_future_cost(d.f, d.m, s, NULL, NULL, &a);
                tco_future_cost(tab, d.m, s, NULL, NULL, &b);
                cmp_cost(&a, &b);
            }
            tco_future_mask_events(d.f, d.m, NULL);
            tco_future_mask_events(tab, d.m, NULL);
        }
    }
    free(ma);
    free(mb);
    free(ca);
    free(cb);
    free(u);
    tco_future_free(tab);
    drawn_free(&d);
}

static const char *CLOUDFAIL =
    "scenario: { name: cloudfail, horizon_months: 24 }\n"
    "workloads:\n"
    "  w: { share: 1, input_tokens: 1000, output_tokens: 500, failure_cost: 0.1 }\n"
    "demand: { requests_per_month: { dist: uniform, min: 1.0e6, max: 4.0e6 }, growth_annual: 0.3,\n"
    "          volatility_annual: 0.2 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 4, success_rate: { w: 0.99 } }\n"
    "  gpu:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: { dist: uniform, min: 200, max: 900 }\n"
    "    gpu: { mode: cloud, hour_price: 2.0, price_volatility_annual: 0.2 }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: 120000, salary_growth_annual: 0.05 }\n"
    "    setup: { months: { dist: uniform, min: 0, max: 30 }, cost: 10000,\n"
    "             failure_probability: 0.5, abandon_after_months: { dist: uniform, min: 0, max: 30 } }\n"
    "    incidents: { per_year: 3, cost_per_incident: 1000 }\n"
    "    success_rate: { w: 0.95 }\n"
    "  term:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 500\n"
    "    gpu: { mode: cloud, hour_price: 2.5, reserved: { gpus: 2, hour_price: 1.5, term_months: 6 } }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: 150000 }\n"
    "    setup: { months: 2, cost: 5000, failure_probability: 0.5, abandon_after_months: 4 }\n"
    "    success_rate: { w: 0.97 }\n"
    "strategies:\n"
    "  api: { route: { w: api } }\n"
    "  cloud: { route: { w: gpu }, fallback: api }\n"
    "  unserved: { route: { w: gpu }, fallback: none }\n"
    "  late:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { w: api } }\n"
    "      - { from_month: 9, route: { w: gpu } }\n"
    "    fallback: api\n"
    "  reserved: { route: { w: term }, fallback: api }\n";

START_TEST(test_inline_same_bits)
{
    /* switches or reviews, unserved requests, GPUs in month T, fleets
     * sold or credited, events left out: each seen somewhere; and costed
     * by spans (cost_direct): any, with a switch, with requests unserved,
     * with phases, with GPUs, with a review that moves, with a platform
     * retired, with an exclusion, with a switch on spend that triggers. */
    int features[14] = {0};
    inline_same_bits("scenarios/baseline.yaml", NULL, features);
    inline_same_bits("scenarios/owned.yaml", NULL, features);
    inline_same_bits("scenarios/regulated.yaml", NULL, features);
    inline_same_bits("scenarios/crossover.yaml", NULL, features);
    inline_same_bits("scenarios/extraction.yaml", NULL, features);
    inline_same_bits("bench/v2.yaml", NULL, features);
    /* Cloud platforms whose setup fails half the time (none of the files
     * above has one), with and without a reserved term. */
    inline_same_bits(NULL, CLOUDFAIL, features);
    for (int i = 0; i < 14; i++)
        ck_assert_msg(features[i] > 0, "feature %d never seen", i);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("deterministic");
    tcase_add_test(tc, test_deterministic_months);
    tcase_add_test(tc, test_by_hand_literals);
    tcase_add_test(tc, test_breakeven);
    tcase_add_test(tc, test_mask_events_by_hand);
    suite_add_tcase(s, tc);
    TCase *rules = tcase_create("rules");
    tcase_set_timeout(rules, 60);
    tcase_add_test(rules, test_api_cost_switch);
    tcase_add_test(rules, test_trend_factors);
    tcase_add_test(rules, test_demand_cap);
    tcase_add_test(rules, test_demand_cap_regrowth);
    tcase_add_test(rules, test_exclusion_chain);
    tcase_add_test(rules, test_fine_tuning_costs);
    tcase_add_test(rules, test_price_event_self_hosted);
    tcase_add_test(rules, test_mask_price_self_hosted);
    tcase_add_test(rules, test_event_matters);
    tcase_add_test(rules, test_review_there_and_back);
    tcase_add_test(rules, test_review_no_hysteresis);
    tcase_add_test(rules, test_review_last_month);
    tcase_add_test(rules, test_switch_in_last_month);
    tcase_add_test(rules, test_run_rate_by_hand);
    tcase_add_test(rules, test_run_rate_many_backends);
    tcase_add_test(rules, test_review_with_retirement);
    tcase_add_test(rules, test_review_failed_setup);
    suite_add_tcase(s, rules);
    TCase *v2 = tcase_create("retire and fail");
    tcase_set_timeout(v2, 120);
    tcase_add_test(v2, test_retire_and_failed_setup);
    tcase_add_test(v2, test_resale_fraction_at_horizon);
    tcase_add_test(v2, test_setup_failure_probability);
    tcase_add_test(v2, test_version1_bits_kept);
    tcase_add_test(v2, test_failed_setup_behind_exclusion);
    tcase_add_test(v2, test_unserved_by_hand);
    tcase_add_test(v2, test_unserved_exclusion_chain);
    tcase_add_test(v2, test_value_by_hand);
    suite_add_tcase(s, v2);
    TCase *v2d = tcase_create("capability and demand");
    tcase_set_timeout(v2d, 60);
    tcase_add_test(v2d, test_v2_deterministic_months);
    tcase_add_test(v2d, test_v2_by_hand_literals);
    tcase_add_test(v2d, test_v2_quality_trend_closed_form);
    tcase_add_test(v2d, test_v2_multiplier_only);
    suite_add_tcase(s, v2d);
    TCase *terms = tcase_create("commercial terms");
    tcase_set_timeout(terms, 60);
    tcase_add_test(terms, test_cached_input_by_hand);
    tcase_add_test(terms, test_reserved_gpus_by_hand);
    tcase_add_test(terms, test_reserved_lock_and_readoption);
    tcase_add_test(terms, test_resume_same_bits);
    tcase_add_test(terms, test_memo_same_bits);
    tcase_add_test(terms, test_inline_same_bits);
    tcase_add_test(terms, test_serve_again_same_bits);
    suite_add_tcase(s, terms);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
