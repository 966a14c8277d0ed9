/* Scenario validation: a valid file loads with the right structure, and
 * every input error of the schema is triggered on purpose, its message
 * checked for the place (file:line:col), the key's path and the advice. */
#include "testutil.h"

static const char *BASE =
    "scenario: { name: base, horizon_months: 24 }\n"
    "simulation: { futures: 500, seed: 9, sampling: lhs }\n"
    "workloads:\n"
    "  chat: { share: 0.8, input_tokens: 900, output_tokens: 250 }\n"
    "  docs: { share: 0.2, input_tokens: 4000, output_tokens: 500, failure_cost: 1.5 }\n"
    "demand:\n"
    "  requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 4.0e6 }\n"
    "  growth_annual: { dist: normal, mean: 0.4, sd: 0.2 }\n"
    "backends:\n"
    "  api:\n"
    "    type: api\n"
    "    input_price_per_mtok: 2.5\n"
    "    output_price_per_mtok: 10\n"
    "    price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n"
    "  gpu:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 1500\n"
    "    gpu: { mode: cloud, hour_price: 2.5 }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: 200000 }\n"
    "    setup: { months: 2, cost: 40000 }\n"
    "strategies:\n"
    "  proprietary: { route: { chat: api, docs: api } }\n"
    "  open: { route: { chat: gpu, docs: gpu }, fallback: api }\n"
    "  staged:\n"
    "    phases:\n"
    "      - { from_month: 1, route: { chat: api, docs: api } }\n"
    "      - { from_month: 6, route: { chat: gpu, docs: api } }\n"
    "    fallback: api\n"
    "correlations:\n"
    "  - { between: [demand.growth_annual, backends.api.price_trend_annual], rank_correlation: -0.4 }\n";

START_TEST(test_valid)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(BASE, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_str_eq(sc->name, "base");
    ck_assert_int_eq(sc->horizon, 24);
    ck_assert_int_eq(sc->futures, 500);
    ck_assert_int_eq(sc->sampling, TCO_SAMPLING_LHS);
    ck_assert_uint_eq(sc->nworkloads, 2);
    ck_assert_uint_eq(sc->nbackends, 2);
    ck_assert_uint_eq(sc->nstrategies, 3);
    ck_assert_uint_eq(sc->ndims, 3);
    ck_assert_uint_eq(sc->ncorr, 2);
    ck_assert_str_eq(sc->currency, "USD");
    ck_assert_int_eq(sc->strategies[2].phases[1].from_month, 6);
    ck_assert_int_eq(sc->strategies[2].phases[1].route[0], 1);
    int k = tco_scenario_input(sc, "backends.gpu.target_utilization");
    ck_assert_int_ge(k, 0);
    ck_assert_double_eq(sc->inputs[k].dist.a, 0.6); /* the default */
    ck_assert_int_ge(tco_scenario_input(sc, "workloads.docs.failure_cost"), 0);
    tco_scenario_free(sc);
}
END_TEST

/* Replaces the first `from` in BASE by `to`, loads it and expects an error
 * whose message holds every needle. */
static void expect(const char *from, const char *to, const char *n1, const char *n2)
{
    const char *at = strstr(BASE, from);
    ck_assert_msg(at != NULL, "test bug: '%s' not in BASE", from);
    size_t len = strlen(BASE) + strlen(to) + 1;
    char *text = malloc(len);
    snprintf(text, len, "%.*s%s%s", (int)(at - BASE), BASE, to, at + strlen(from));
    tco_scenario *sc;
    tco_error err;
    tco_status st = load_text(text, &sc, &err);
    ck_assert_msg(st != TCO_OK, "accepted: %s -> %s", from, to);
    ck_assert_msg(strstr(err.msg, "test.yaml:"), "no place in '%s'", err.msg);
    ck_assert_msg(strstr(err.msg, n1), "'%s' lacks '%s'", err.msg, n1);
    ck_assert_msg(!n2 || strstr(err.msg, n2), "'%s' lacks '%s'", err.msg, n2);
    free(text);
}

START_TEST(test_unknown_keys)
{
    expect("growth_annual:", "growth_anual:", "test.yaml:8:3: demand.growth_anual",
           "did you mean growth_annual?");
    expect("horizon_months: 24", "horizon_months: 24, currncy: EUR", "scenario.currncy",
           "did you mean currency?");
    expect("workloads:", "extras: 1\nworkloads:", "unknown key 'extras'", "known here");
    expect("type: api\n", "type: api\n    colour: red\n", "backends.api.colour", NULL);
    expect("type: self_hosted\n", "type: self_hosted\n    min_gpu: 2\n", "did you mean min_gpus?",
           NULL);
}
END_TEST

START_TEST(test_types_and_required)
{
    expect("horizon_months: 24", "horizon_months: many", "scenario.horizon_months",
           "expected a number");
    expect("horizon_months: 24", "horizon_months: 24.5", "whole number", NULL);
    expect("horizon_months: 24", "horizon_months: 601", "must be in [1, 600]", NULL);
    expect("    output_price_per_mtok: 10\n", "", "backends.api", "missing required key 'output_price_per_mtok'");
    expect("input_tokens: 900, ", "", "workloads.chat", "input_tokens");
    expect("type: api", "type: apii", "expected api or self_hosted", "did you mean api?");
    expect("mode: cloud", "mode: rented", "backends.gpu.gpu.mode", "cloud or owned");
    expect("sampling: lhs", "sampling: quasi", "simulation.sampling", "random, lhs or sobol");
    expect("seed: 9", "seed: -9", "simulation.seed", NULL);
    expect("throughput_tokens_per_gpu_second: 1500", "throughput_tokens_per_gpu_second: [1500]",
           "got a sequence", NULL);
    expect("scenario: { name: base, horizon_months: 24 }\n", "",
           "missing required key 'scenario'", NULL);
    expect("share: 0.8,", "share: -0.8,", "workloads.chat.share", "must be >= 0");
    expect("hour_price: 2.5", "hour_price: {dist: uniform, min: -3, max: -1}",
           "backends.gpu.gpu.hour_price", "can never be");
    expect("throughput_tokens_per_gpu_second: 1500",
           "throughput_tokens_per_gpu_second: 1500\n    min_gpus: {dist: normal, mean: 2, sd: 1}",
           "does not take a distribution", NULL);
    expect("requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 4.0e6 }",
           "requests_per_month: { dist: lognormal, p10: 4.0e6, p90: 1.0e6 }",
           "demand.requests_per_month", "p10 < p90");
}
END_TEST

START_TEST(test_routes_and_strategies)
{
    expect("proprietary: { route: { chat: api, docs: api } }",
           "proprietary: { route: { chat: api } }", "strategies.proprietary.route",
           "no backend for workload 'docs'");
    expect("proprietary: { route: { chat: api, docs: api } }",
           "proprietary: { route: { chat: api, docs: apu } }", "strategies.proprietary.route.docs",
           "unknown backend 'apu'; did you mean api?");
    expect("proprietary: { route: { chat: api, docs: api } }",
           "proprietary: { route: { chat: api, docs: api, code: api } }",
           "unknown workload 'code'", NULL);
    expect("open: { route: { chat: gpu, docs: gpu }, fallback: api }",
           "open: { route: { chat: gpu, docs: gpu } }", "missing fallback",
           "'gpu', whose setup can last");
    expect("fallback: api }", "fallback: gpu }", "must be an api backend", NULL);
    expect("from_month: 6", "from_month: 1", "phases out of order", "strategies.staged.phases[1]");
    expect("from_month: 1, route: { chat: api, docs: api } }",
           "from_month: 2, route: { chat: api, docs: api } }", "start at from_month 1", NULL);
    expect("proprietary: { route: { chat: api, docs: api } }", "proprietary: {}",
           "needs a route", NULL);
    expect("proprietary: { route: { chat: api, docs: api } }",
           "proprietary: { route: { chat: api, docs: api }, switch: { when: { request_per_month_above: 1 }, route: { chat: api, docs: api } } }",
           "did you mean requests_per_month_above?", NULL);
    expect("fallback: api\ncorrelations", "fallback: api\n    switch: { when: { requests_per_month_above: 1 }, route: { chat: gpu, docs: gpu } }\ncorrelations",
           "a switch goes with a route", NULL);
}
END_TEST

START_TEST(test_events)
{
    expect("correlations:", "events:\n  e: { probability_per_year: 1.5, effect: { one_off_cost: 1 } }\ncorrelations:",
           "events.e.probability_per_year", "in [0, 1]");
    expect("correlations:", "events:\n  e: { probability_per_year: 0.1, effect: { strike: 1 } }\ncorrelations:",
           "events.e.effect.strike", NULL);
    expect("correlations:", "events:\n  e: { probability_per_year: 0.1, effect: { exclude_backend: { backend: api, reroute_to: api } } }\ncorrelations:",
           "reroute_to must name another backend", NULL);
    expect("correlations:", "events:\n  e: { probability_per_year: 0.1, effect: { price_multiplier: { backend: nope, factor: 2 } } }\ncorrelations:",
           "unknown backend 'nope'", NULL);
}
END_TEST

START_TEST(test_correlations)
{
    expect("rank_correlation: -0.4", "rank_correlation: -1.4", "correlations[0].rank_correlation",
           "in [-1, 1]");
    expect("demand.growth_annual, backends", "demand.growth_anual, backends",
           "unknown input 'demand.growth_anual'", "did you mean demand.growth_annual?");
    expect("backends.api.price_trend_annual]", "backends.gpu.gpu.hour_price]", "is fixed", NULL);
    /* Three inputs whose pairwise correlations cannot hold together. */
    expect("rank_correlation: -0.4 }\n",
           "rank_correlation: 0.9 }\n"
           "  - { between: [demand.growth_annual, demand.requests_per_month], rank_correlation: 0.9 }\n"
           "  - { between: [backends.api.price_trend_annual, demand.requests_per_month], rank_correlation: -0.9 }\n",
           "not positive definite",
           "demand.growth_annual, backends.api.price_trend_annual, demand.requests_per_month");
}
END_TEST

START_TEST(test_load_file_and_set)
{
    char path[] = "/tmp/tcosim-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(BASE, f);
    fclose(f);
    const char *sets[] = {"demand.requests_per_month=5e6", "scenario.currency=EUR",
                          "demand.max_multiple=3"};
    tco_load_options opt = {sets, 3};
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, path, &opt, &err) == TCO_OK, "%s", err.msg);
    ck_assert_str_eq(sc->currency, "EUR");
    ck_assert_double_eq(sc->max_multiple, 3);
    ck_assert_int_eq(sc->inputs[sc->volume].dist.kind, TCO_DIST_FIXED);
    ck_assert_double_eq(sc->inputs[sc->volume].dist.a, 5e6);
    tco_scenario_free(sc);
    const char *bad[] = {"demand.growth_annual={dist: normal, mean: 0.3}"};
    tco_load_options opt2 = {bad, 1};
    ck_assert_int_eq(tco_scenario_load(&sc, path, &opt2, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "--set #1:1:1: demand.growth_annual"), "%s", err.msg);
    const char *bad2[] = {"demand.growth_annual"};
    tco_load_options opt3 = {bad2, 1};
    ck_assert_int_eq(tco_scenario_load(&sc, path, &opt3, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "PATH=VALUE"));
    unlink(path);
}
END_TEST

/* Mutated scenarios (bytes replaced, deleted or duplicated, from a fixed
 * seed) must load or fail with a placed message: never crash or hang.
 * Check runs each test in its own process, so a crash fails the test. */
START_TEST(test_mutations_never_crash)
{
    uint64_t state = 2385;
    size_t len = strlen(BASE);
    char *text = malloc(2 * len + 1);
    const char alphabet[] = "{}[]:,-'\"&*!|>#?% \n\t0123456789.eE+abcxyz_";
    int errors = 0, oks = 0;
    for (int trial = 0; trial < 3000; trial++) {
        memcpy(text, BASE, len + 1);
        size_t n = len;
        int edits = 1 + trial % 4;
        for (int e = 0; e < edits; e++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t at = (size_t)(state >> 33) % n;
            int kind = (int)((state >> 20) % 3);
            if (kind == 0) {
                text[at] = alphabet[(state >> 40) % (sizeof alphabet - 1)];
            } else if (kind == 1 && n > 1) {
                memmove(text + at, text + at + 1, n - at);
                n--;
            } else if (n + 16 < 2 * len) {
                size_t span = 1 + (state >> 50) % 12;
                if (at + span > n)
                    span = n - at;
                memmove(text + at + span, text + at, n - at + 1);
                n += span;
            }
        }
        tco_scenario *sc;
        tco_error err;
        if (load_text(text, &sc, &err) == TCO_OK) {
            oks++;
            tco_scenario_free(sc);
        } else {
            errors++;
            ck_assert_msg(strstr(err.msg, "test.yaml:") || strstr(err.msg, "test.yaml"),
                          "unplaced message: %s", err.msg);
        }
    }
    ck_assert_int_eq(oks + errors, 3000);
    ck_assert_int_gt(errors, 1000);
    free(text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valid);
    tcase_add_test(tc, test_unknown_keys);
    tcase_add_test(tc, test_types_and_required);
    tcase_add_test(tc, test_routes_and_strategies);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_correlations);
    tcase_add_test(tc, test_load_file_and_set);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
