/* Scenario validation: a valid file loads with the right structure, and
 * every input error of the schema is triggered on purpose, its message
 * checked for the place (file:line:col), the key's path and the advice. */
#include "testutil.h"

#include <locale.h>
#include <stdio.h>

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

/* MODEL.md 15: BASE with each (from, to) pair replaced in turn (the first
 * occurrence each), loaded. */
static tco_status load_edited(const char *const *edits, size_t n, tco_scenario **sc,
                              tco_error *err)
{
    char *text = strdup(BASE);
    for (size_t i = 0; i < n; i++) {
        const char *from = edits[2 * i], *to = edits[2 * i + 1];
        char *at = strstr(text, from);
        ck_assert_msg(at != NULL, "test bug: '%s' not in the text", from);
        size_t len = strlen(text) + strlen(to) + 1;
        char *next = malloc(len);
        snprintf(next, len, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
        free(text);
        text = next;
    }
    tco_status st = load_text(text, sc, err);
    free(text);
    return st;
}

static void expect_edited(const char *const *edits, size_t n, const char *n1, const char *n2)
{
    tco_scenario *sc;
    tco_error err;
    tco_status st = load_edited(edits, n, &sc, &err);
    ck_assert_msg(st != TCO_OK, "accepted: %s -> %s", edits[0], edits[1]);
    ck_assert_msg(strstr(err.msg, "test.yaml:"), "no place in '%s'", err.msg);
    ck_assert_msg(strstr(err.msg, n1), "'%s' lacks '%s'", err.msg, n1);
    ck_assert_msg(!n2 || strstr(err.msg, n2), "'%s' lacks '%s'", err.msg, n2);
}

#define CHAT_API "output_tokens: 250 }", "output_tokens: 250, allowed_backends: [api] }"
#define DOCS_API "failure_cost: 1.5 }", "failure_cost: 1.5, allowed_backends: [api] }"
#define NO_OPEN "  open: { route: { chat: gpu, docs: gpu }, fallback: api }\n", ""

START_TEST(test_constraint_keys)
{
    tco_scenario *sc;
    tco_error err;
    /* Defaults: every backend; the unserved cost is the failure cost's draw. */
    ck_assert_msg(load_text(BASE, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_ptr_null(sc->workloads[1].allowed);
    ck_assert_int_eq(sc->workloads[1].unserved_cost, sc->workloads[1].failure_cost);
    tco_scenario_free(sc);
    const char *const given[] = {
        "failure_cost: 1.5 }", "failure_cost: 1.5, allowed_backends: [gpu, api], unserved_cost: 6 }",
        "  open: { route: { chat: gpu, docs: gpu }, fallback: api }",
        "  open: { route: { chat: gpu, docs: gpu }, fallback: none }"};
    ck_assert_msg(load_edited(given, 2, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(sc->strategies[1].fallback, -1);
    ck_assert_int_eq(sc->workloads[1].allowed[0], 1);
    ck_assert_int_eq(sc->workloads[1].allowed[1], 1);
    int u = tco_scenario_input(sc, "workloads.docs.unserved_cost");
    ck_assert_int_ge(u, 0);
    ck_assert_int_eq(sc->workloads[1].unserved_cost, u);
    ck_assert_double_eq(sc->inputs[u].dist.a, 6);
    tco_scenario_free(sc);
}
END_TEST

START_TEST(test_constraint_errors)
{
    /* The keys themselves. */
    const char *const e1[] = {"failure_cost: 1.5 }", "failure_cost: 1.5, allowed_backends: [apu] }"};
    expect_edited(e1, 1, "workloads.docs.allowed_backends[0]", "unknown backend 'apu'");
    const char *const e2[] = {"failure_cost: 1.5 }", "failure_cost: 1.5, allowed_backends: api }"};
    expect_edited(e2, 1, "workloads.docs.allowed_backends", "expected a list of backend names");
    const char *const e3[] = {"failure_cost: 1.5 }", "failure_cost: 1.5, allowed_backends: [] }"};
    expect_edited(e3, 1, "workloads.docs.allowed_backends", "an empty list");
    const char *const e4[] = {"failure_cost: 1.5 }", "failure_cost: 1.5, unserved_cost: -1 }"};
    expect_edited(e4, 1, "workloads.docs.unserved_cost", "must be >= 0");
    const char *const e5[] = {"failure_cost: 1.5 }", "failure_cost: 1.5, value_per_request: -0.1 }"};
    expect_edited(e5, 1, "workloads.docs.value_per_request", "must be >= 0");
    /* A route, a phase's route, a switch route and a review option. */
    const char *const r1[] = {CHAT_API};
    expect_edited(r1, 1, "strategies.open.route.chat",
                  "strategy 'open' sends workload 'chat' to backend 'gpu', which is not in the "
                  "workload's allowed_backends");
    const char *const r2[] = {CHAT_API, NO_OPEN};
    expect_edited(r2, 2, "strategies.staged.phases[1].route.chat",
                  "strategy 'staged' sends workload 'chat' to backend 'gpu'");
    const char *const r3[] = {
        CHAT_API, NO_OPEN, "  staged:\n",
        "  sw: { route: { chat: api, docs: api }, fallback: api,\n"
        "        switch: { when: { requests_per_month_above: 1 }, route: { chat: gpu, docs: gpu } } }\n"
        "  staged:\n"};
    expect_edited(r3, 3, "strategies.sw.switch.route.chat",
                  "strategy 'sw' sends workload 'chat' to backend 'gpu'");
    const char *const r4[] = {
        DOCS_API, NO_OPEN, "  staged:\n",
        "  rv: { route: { chat: api, docs: api }, fallback: api,\n"
        "        review: { every_months: 2, options: { own: { chat: gpu, docs: gpu } } } }\n"
        "  staged:\n"};
    expect_edited(r4, 3, "strategies.rv.review.options.own.docs",
                  "strategy 'rv' sends workload 'docs' to backend 'gpu'");
    /* An exclusion that can reroute a workload to a backend it may not use. */
    const char *const x1[] = {
        DOCS_API, "docs: gpu }, fallback: api }", "docs: api }, fallback: api }",
        "correlations:\n",
        "events:\n"
        "  law: { probability_per_year: 0.1,\n"
        "         effect: { exclude_backend: { backend: api, reroute_to: gpu } } }\n"
        "correlations:\n"};
    expect_edited(x1, 3, "events.law.effect.exclude_backend.reroute_to",
                  "event 'law' can reroute workload 'docs' of strategy 'proprietary' from 'api' "
                  "to backend 'gpu'");
    /* Reroutes that form a cycle. */
    const char *const x2[] = {
        "correlations:\n",
        "events:\n"
        "  law: { probability_per_year: 0.1,\n"
        "         effect: { exclude_backend: { backend: api, reroute_to: gpu } } }\n"
        "  ban: { probability_per_year: 0.1,\n"
        "         effect: { exclude_backend: { backend: gpu, reroute_to: api } } }\n"
        "correlations:\n"};
    expect_edited(x2, 1, "events.law.effect.exclude_backend.reroute_to",
                  "the reroutes of events law, ban form a cycle");
}
END_TEST

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


/* Periodic review (MODEL.md 18): the strategy "open" gets a review of its
 * own; every error names the place and the key's path. */
START_TEST(test_review)
{
    static const char *const from = "open: { route: { chat: gpu, docs: gpu }, fallback: api }";
    const char *good = "open:\n    route: { chat: api, docs: api }\n    fallback: api\n"
                       "    review: { every_months: 6, options: { gpu-all: { chat: gpu, docs: gpu },\n"
                       "              gpu-chat: { chat: gpu, docs: api } } }";
    /* A valid review, with its defaults. */
    const char *at = strstr(BASE, from);
    char text[4096];
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - BASE), BASE, good, at + strlen(from));
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    const tco_review *rv = sc->strategies[1].review;
    ck_assert_ptr_nonnull(rv);
    ck_assert_int_eq(rv->every, 6);
    ck_assert_int_eq(rv->first, 6);
    ck_assert_double_eq(rv->hysteresis, 0.1);
    ck_assert_uint_eq(rv->noptions, 2);
    ck_assert_str_eq(rv->options[1].name, "gpu-chat");
    ck_assert_int_eq(rv->options[1].route[0], 1);
    ck_assert_int_eq(rv->options[1].route[1], 0);
    int k = tco_scenario_input(sc, "strategies.open.review.switching_cost");
    ck_assert_int_eq(k, rv->switching_cost);
    ck_assert_double_eq(sc->inputs[k].dist.a, 0);
    /* Registered after every version-1 input. */
    ck_assert_int_eq(k, (int)sc->ninputs - 1);
    ck_assert(tco_strategy_can_switch(&sc->strategies[1]));
    ck_assert(!tco_strategy_can_switch(&sc->strategies[0]));
    tco_scenario_free(sc);
    /* After the backends' version-2 inputs too (a setup that can fail). */
    char text2[4096];
    const char *setup = "setup: { months: 2, cost: 40000 }";
    at = strstr(text, setup);
    snprintf(text2, sizeof text2, "%.*s%s%s", (int)(at - text), text,
             "setup: { months: 2, cost: 40000, failure_probability: 0.2 }", at + strlen(setup));
    ck_assert_msg(load_text(text2, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_gt(tco_scenario_input(sc, "strategies.open.review.switching_cost"),
                     tco_scenario_input(sc, "backends.gpu.setup.failure_probability"));
    ck_assert_int_eq(tco_scenario_input(sc, "strategies.open.review.switching_cost"),
                     (int)sc->ninputs - 1);
    tco_scenario_free(sc);

    const char *opts = "options: { x: { chat: gpu, docs: gpu } }";
    char bad[1024];
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          review: { every_months: 0, %s } }", opts);
    expect(from, bad, "strategies.open.review.every_months", "[1, ");
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          review: { every_months: 2, first_month: 0, %s } }", opts);
    expect(from, bad, "strategies.open.review.first_month", NULL);
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          review: { every_months: 2, hysteresis: 1, %s } }", opts);
    expect(from, bad, "test.yaml:", "strategies.open.review.hysteresis");
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          review: { every_months: 2, switching_cost: -1, %s } }", opts);
    expect(from, bad, "strategies.open.review.switching_cost", "must be >= 0");
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          review: { every_months: 2, hysteresys: 0.2, %s } }", opts);
    expect(from, bad, "strategies.open.review.hysteresys", "did you mean hysteresis?");
    expect(from,
           "open: { route: { chat: api, docs: api }, fallback: api,\n"
           "          review: { every_months: 2, options: { initial: { chat: gpu, docs: gpu } } } }",
           "test.yaml:24:49: strategies.open.review.options.initial",
           "another name");
    expect(from,
           "open: { route: { chat: api, docs: api }, fallback: api,\n"
           "          review: { every_months: 2, options: { x: { chat: gpu, docs: gpu },\n"
           "                                                x: { chat: api, docs: api } } } }",
           "duplicate key 'x'", NULL);
    expect(from,
           "open: { route: { chat: api, docs: api }, fallback: api,\n"
           "          review: { every_months: 2, options: {} } }",
           "strategies.open.review.options", "at least one option");
    expect(from,
           "open: { route: { chat: api, docs: api }, fallback: api, review: { every_months: 2 } }",
           "strategies.open.review", "missing required key 'options'");
    expect(from,
           "open: { route: { chat: api, docs: api }, fallback: api,\n"
           "          review: { every_months: 2, options: { x: { chat: gpu, docs: gpo } } } }",
           "strategies.open.review.options.x.docs", "did you mean gpu?");
    /* A review option that reaches a platform with setup needs a fallback. */
    expect(from,
           "open: { route: { chat: api, docs: api },\n"
           "          review: { every_months: 2, options: { x: { chat: gpu, docs: gpu } } } }",
           "missing fallback", "'gpu'");
    /* With phases, with a switch. */
    snprintf(bad, sizeof bad, "fallback: api\n    review: { every_months: 2, %s }\ncorrelations",
             opts);
    expect("fallback: api\ncorrelations", bad, "strategies.staged.review",
           "a review goes with a route, not with phases");
    snprintf(bad, sizeof bad, "open: { route: { chat: api, docs: api }, fallback: api,\n"
             "          switch: { when: { requests_per_month_above: 1 }, route: { chat: gpu, docs: gpu } },\n"
             "          review: { every_months: 2, %s } }", opts);
    expect(from, bad, "strategies.open.review", "either a switch or a review");
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
    tco_load_options opt = {sets, 3, NULL};
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, path, &opt, &err) == TCO_OK, "%s", err.msg);
    ck_assert_str_eq(sc->currency, "EUR");
    ck_assert_double_eq(sc->max_multiple, 3);
    ck_assert_int_eq(sc->inputs[sc->volume].dist.kind, TCO_DIST_FIXED);
    ck_assert_double_eq(sc->inputs[sc->volume].dist.a, 5e6);
    tco_scenario_free(sc);
    const char *bad[] = {"demand.growth_annual={dist: normal, mean: 0.3}"};
    tco_load_options opt2 = {bad, 1, NULL};
    ck_assert_int_eq(tco_scenario_load(&sc, path, &opt2, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "--set #1:1:1: demand.growth_annual"), "%s", err.msg);
    const char *bad2[] = {"demand.growth_annual"};
    tco_load_options opt3 = {bad2, 1, NULL};
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
    int errors = 0, oks = 0, placed = 0;
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
        tco_status st = load_text(text, &sc, &err);
        if (st == TCO_OK) {
            oks++;
            tco_scenario_free(sc);
            continue;
        }
        errors++;
        /* Every message starts with the place; an input error then names
         * the key's path before saying what is wrong. */
        unsigned line = 0, col = 0;
        int used = 0;
        if (sscanf(err.msg, "test.yaml:%u:%u: %n", &line, &col, &used) == 2 && used > 0) {
            ck_assert_msg(line >= 1 && col >= 1, "bad place: %s", err.msg);
            if (st == TCO_EINVAL) {
                const char *rest = err.msg + used, *colon = strstr(rest, ": ");
                ck_assert_msg(colon && colon > rest, "no key path: %s", err.msg);
            }
            placed++;
        } else {
            ck_assert_msg(st == TCO_EPARSE && strncmp(err.msg, "test.yaml: ", 11) == 0,
                          "unplaced message: %s", err.msg);
        }
    }
    /* The mutants are a fixed sample (seed 2385): some stay valid (edits in
     * comments, names, spaces) and most do not; both kinds must occur. */
    /* (64 valid and 2,936 refused, every one with a line and column, when
     * this was written.) */
    ck_assert_int_ge(oks, 32);
    ck_assert_int_ge(errors, 2800);
    ck_assert_int_eq(placed, errors);
    free(text);
}
END_TEST

/* Fuzz #13 and #5: limits and bounds, each refused with its reason. */
START_TEST(test_limits_and_bounds)
{
    expect("seed: 9", "seed: 18446744073709551616", "simulation.seed", "below 2^64");
    expect("seed: 9", "seed: 99999999999999999999999", "simulation.seed", "below 2^64");
    expect("horizon_months: 24", "horizon_months: !!str 24", "scenario.horizon_months",
           "expected a number, got the text '24'");
    expect("hour_price: 2.5", "hour_price: 0x10000000000000000", "backends.gpu.gpu.hour_price",
           "expected a number");
    expect("    setup: { months: 2, cost: 40000 }\n",
           "    setup: { months: 2, cost: 40000 }\n    incidents: { per_year: 1e20, cost_per_incident: 5 }\n",
           "backends.gpu.incidents.per_year", "at most 12000 a year: more than 1000 events a month");
    expect("    price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n",
           "    price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n"
           "    price_shocks: { rate_per_year: {dist: uniform, min: 2e4, max: 3e4}, size: 0.2 }\n",
           "backends.api.price_shocks.rate_per_year", "not a count of events");
    /* A rate whose distribution only reaches past the bound is clamped. */
    tco_scenario *sc;
    tco_error err;
    const char *ok_rate = "    setup: { months: 2, cost: 40000 }\n"
                          "    updates: { per_year: {dist: normal, mean: 4, sd: 2}, cost_per_update: 5 }\n";
    const char *at = strstr(BASE, "    setup: { months: 2, cost: 40000 }\n");
    char *text = malloc(strlen(BASE) + strlen(ok_rate) + 1);
    sprintf(text, "%.*s%s%s", (int)(at - BASE), BASE, ok_rate, at + strlen("    setup: { months: 2, cost: 40000 }\n"));
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    int k = tco_scenario_input(sc, "backends.gpu.updates.per_year");
    ck_assert_double_eq(sc->inputs[k].dom.hi, TCO_MAX_RATE_PER_YEAR);
    tco_scenario_free(sc);
    free(text);

    /* 65 strategies, 257 backends, 1025 events. */
    size_t cap = 1 << 20, len = 0;
    text = malloc(cap);
    len = (size_t)sprintf(text, "%s", BASE);
    char *cut = strstr(text, "correlations:");
    len = (size_t)(cut - text);
    len += (size_t)sprintf(text + len, "events:\n");
    for (int i = 0; i < 1025; i++)
        len += (size_t)sprintf(text + len, "  e%d: { probability_per_year: 0.1, effect: { one_off_cost: 1 } }\n", i);
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "test.yaml:30:3: events: at most 1024 events are supported (got 1025)"),
                  "%s", err.msg);
    sprintf(text, "%s", BASE);
    cut = strstr(text, "  staged:");
    len = (size_t)(cut - text);
    for (int i = 0; i < 64; i++)
        len += (size_t)sprintf(text + len, "  s%d: { route: { chat: api, docs: api } }\n", i);
    sprintf(text + len, "%s", strstr(BASE, "  staged:"));
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "strategies: at most 64 strategies are supported (got 67)"), "%s",
                  err.msg);
    sprintf(text, "%s", BASE);
    cut = strstr(text, "  gpu:\n");
    len = (size_t)(cut - text);
    for (int i = 0; i < 256; i++)
        len += (size_t)sprintf(text + len, "  b%d: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n", i);
    sprintf(text + len, "%s", strstr(BASE, "  gpu:\n"));
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "backends: at most 256 backends are supported (got 258)"), "%s",
                  err.msg);
    free(text);
}
END_TEST

/* A scenario with n workloads whose three token inputs are uncertain, and
 * a chain of correlations between consecutive inputs (ncorr of them, rho). */
static char *corr_scenario(int n, int ncorr, double rho, double last_rho)
{
    char *text = malloc((size_t)n * 400 + (size_t)ncorr * 200 + 4096);
    size_t len = (size_t)sprintf(text, "scenario: { name: c, horizon_months: 12 }\nworkloads:\n");
    for (int i = 0; i < n; i++)
        len += (size_t)sprintf(text + len,
                               "  w%d: { share: {dist: uniform, min: 1, max: 2}, input_tokens: {dist: uniform, min: 100, max: 200}, "
                               "output_tokens: {dist: uniform, min: 10, max: 20} }\n", i);
    len += (size_t)sprintf(text + len, "demand: { requests_per_month: 1000 }\n"
                                       "backends:\n  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n"
                                       "strategies:\n  all: { route: {");
    for (int i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%s w%d: api", i ? "," : "", i);
    len += (size_t)sprintf(text + len, " } }\ncorrelations:\n");
    static const char *const f[3] = {"share", "input_tokens", "output_tokens"};
    for (int k = 0; k < ncorr; k++)
        len += (size_t)sprintf(text + len,
                               "  - { between: [workloads.w%d.%s, workloads.w%d.%s], rank_correlation: %g }\n",
                               k / 3, f[k % 3], (k + 1) / 3, f[(k + 1) % 3],
                               k == ncorr - 1 ? last_rho : rho);
    return text;
}

/* Issue 7 #6: validating correlations was O(n^4) (800 inputs, 32 s); now
 * one factorisation, and a file may correlate at most TCO_MAX_CORRELATED
 * inputs. */
START_TEST(test_correlation_scale)
{
    tco_scenario *sc;
    tco_error err;
    /* 200 inputs in a chain of correlations 0.3: consistent, and loaded. */
    char *text = corr_scenario(67, 199, 0.3, 0.3);
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_uint_eq(sc->ncorr, 200);
    /* The factor reproduces the correlation matrix: row i . row i+1. */
    double r = 0;
    for (size_t j = 0; j < 200; j++)
        r += sc->corr_chol[5 * 200 + j] * sc->corr_chol[6 * 200 + j];
    ck_close(r, 0.31286893008046174 /* 2 sin(0.3 pi / 6) */, 1e-12);
    tco_scenario_free(sc);
    free(text);
    /* 201 inputs: refused, saying why. */
    text = corr_scenario(67, 200, 0.3, 0.3);
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "correlations[199]: more than 200 correlated inputs"), "%s", err.msg);
    free(text);
    /* An inconsistent last pair: the message names the smallest block, which
     * here is the whole chain plus the closing input. */
    text = corr_scenario(4, 11, 0.95, -0.95);
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "not positive definite"), "%s", err.msg);
    free(text);
    text = corr_scenario(4, 3, 0.9, 0.9);
    size_t len = strlen(text);
    text = realloc(text, len + 400);
    strcpy(text + len, "  - { between: [workloads.w0.share, workloads.w1.share], rank_correlation: -0.9 }\n"
                       "  - { between: [workloads.w2.share, workloads.w3.share], rank_correlation: 0.1 }\n");
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    /* 0.9 between the first and second, and the second and third, with
     * 0 between first and third, cannot hold: the smallest inconsistent
     * block is those three, whatever follows. */
    ck_assert_msg(strstr(err.msg, "test.yaml:13:3: correlations: the rank correlations among "
                                  "workloads.w0.share, workloads.w0.input_tokens, "
                                  "workloads.w0.output_tokens are not consistent"),
                  "%s", err.msg);
    free(text);
}
END_TEST

/* Fuzz #7: aliased distributions share one quantile table. */
START_TEST(test_aliases_share_tables)
{
    const char *text =
        "scenario: { name: a, horizon_months: 12 }\n"
        "workloads:\n"
        "  w1: { share: &p {dist: pert, min: 1, mode: 2, max: 5}, input_tokens: *p, output_tokens: *p }\n"
        "  w2: { share: *p, input_tokens: *p, output_tokens: {dist: pert, min: 1, mode: 2, max: 6} }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n  api: { type: api, input_price_per_mtok: *p, output_price_per_mtok: 2 }\n"
        "strategies:\n  all: { route: { w1: api, w2: api } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    const char *same[] = {"workloads.w1.share", "workloads.w1.input_tokens", "workloads.w2.share",
                          "backends.api.input_price_per_mtok"};
    const tco_qtable *t = sc->inputs[tco_scenario_input(sc, "workloads.w1.output_tokens")].dist.table;
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_eq(sc->inputs[tco_scenario_input(sc, same[i])].dist.table, t);
    ck_assert_ptr_ne(sc->inputs[tco_scenario_input(sc, "workloads.w2.output_tokens")].dist.table, t);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7 #2: messages print numbers with a decimal point under any locale. */
START_TEST(test_messages_ignore_locale)
{
    if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
        fprintf(stderr, "SKIP test_messages_ignore_locale: no de_DE.UTF-8 locale "
                        "(create it with: localedef -i de_DE -f UTF-8 de_DE.UTF-8)\n");
        return;
    }
    expect("price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }",
           "price_trend_annual: { dist: uniform, min: -0.5, max: -0.75 }",
           "backends.api.price_trend_annual", "(got min -0.5, max -0.75)");
    expect("horizon_months: 24", "horizon_months: 24.5", "expected a whole number (got 24.5)", NULL);
    setlocale(LC_ALL, "C");
}
END_TEST

/* Sweeps and --vary set numbers exactly in the parsed tree. */
START_TEST(test_load_with_overrides)
{
    char path[] = "/tmp/tcosim-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(BASE, f);
    fclose(f);
    const double g = 0.1 + 0.2; /* 0.30000000000000004: %g would print 0.3 */
    tco_override ov[] = {{"demand.volatility_annual", g}, {"demand.max_multiple", 2.5}};
    const char *sets[] = {"scenario.currency=EUR"};
    tco_load_options opt = {sets, 1, NULL};
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load_with(&sc, path, &opt, ov, 2, &err) == TCO_OK, "%s", err.msg);
    ck_assert_str_eq(sc->currency, "EUR");
    ck_assert(sc->volatility == g);
    ck_assert_double_eq(sc->max_multiple, 2.5);
    tco_scenario_free(sc);
    tco_override bad[] = {{"demand.volatility_annual", -3}};
    ck_assert_int_eq(tco_scenario_load_with(&sc, path, NULL, bad, 1, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "--vary demand.volatility_annual:1:1: demand.volatility_annual: must be >= 0 (got -3)"),
                  "%s", err.msg);
    unlink(path);
}
END_TEST


/* Version 2 keys of MODEL.md 16 and 17: retire_idle_months (a whole
 * number >= 1 on a strategy), gpu.resale_fraction (owned only, in [0, 1]),
 * setup.failure_probability (in [0, 1]) and setup.abandon_after_months
 * (>= 1); each a quantity with its path, except retire_idle_months. */
START_TEST(test_retire_and_failure_keys)
{
    expect("    fallback: api\ncorrelations", "    fallback: api\n    retire_idle_months: 0\ncorrelations",
           "test.yaml:29:25: strategies.staged.retire_idle_months", "must be in [1, ");
    expect("    fallback: api\ncorrelations", "    fallback: api\n    retire_idle_months: 2.5\ncorrelations",
           "strategies.staged.retire_idle_months", "whole number");
    expect("    fallback: api\ncorrelations",
           "    fallback: api\n    retire_idle_months: { dist: uniform, min: 1, max: 3 }\ncorrelations",
           "strategies.staged.retire_idle_months", "does not take a distribution");
    expect("    fallback: api\ncorrelations", "    fallback: api\n    retire_idle_month: 2\ncorrelations",
           "strategies.staged.retire_idle_month", "did you mean retire_idle_months?");
    expect("setup: { months: 2, cost: 40000 }",
           "setup: { months: 2, cost: 40000, failure_probability: 1.2 }",
           "backends.gpu.setup.failure_probability", "in [0, 1]");
    expect("setup: { months: 2, cost: 40000 }",
           "setup: { months: 2, cost: 40000, failure_probability: { dist: uniform, min: 1.5, max: 2 } }",
           "backends.gpu.setup.failure_probability", "can never be");
    expect("setup: { months: 2, cost: 40000 }",
           "setup: { months: 2, cost: 40000, failure_probabilty: 0.1 }",
           "backends.gpu.setup.failure_probabilty", "did you mean failure_probability?");
    expect("setup: { months: 2, cost: 40000 }",
           "setup: { months: 2, cost: 40000, abandon_after_months: 0.5 }",
           "backends.gpu.setup.abandon_after_months", ">= 1");
    expect("setup: { months: 2, cost: 40000 }",
           "setup: { months: 2, cost: 40000, abandon_after_month: 3 }",
           "backends.gpu.setup.abandon_after_month", "did you mean abandon_after_months?");
    /* resale_fraction belongs to owned GPUs: on cloud GPUs it is unknown. */
    expect("gpu: { mode: cloud, hour_price: 2.5 }",
           "gpu: { mode: cloud, hour_price: 2.5, resale_fraction: 0.5 }",
           "backends.gpu.gpu.resale_fraction", "unknown key");
    expect("gpu: { mode: cloud, hour_price: 2.5 }",
           "gpu: { mode: owned, purchase_price: 30000, electricity_per_kwh: 0.1, resale_fraction: -0.1 }",
           "backends.gpu.gpu.resale_fraction", "in [0, 1]");
    expect("gpu: { mode: cloud, hour_price: 2.5 }",
           "gpu: { mode: owned, purchase_price: 30000, electricity_per_kwh: 0.1, resale_fractoin: 0.5 }",
           "backends.gpu.gpu.resale_fractoin", "did you mean resale_fraction?");

    /* Valid: each quantity is a static input with its path (so --set,
     * sweeps, sensitivity and correlations reach it), registered after
     * every input of version 1 (so the uniforms of version 1's inputs keep
     * their dimensions); without the keys there is no input (defaults 1, 0
     * and the drawn setup months). */
    const char *from = "gpu: { mode: cloud, hour_price: 2.5 }";
    const char *to = "gpu: { mode: owned, purchase_price: 30000, electricity_per_kwh: 0.1,\n"
                     "           resale_fraction: { dist: uniform, min: 0.3, max: 0.6 } }";
    const char *from2 = "setup: { months: 2, cost: 40000 }";
    const char *to2 = "setup: { months: 2, cost: 40000, failure_probability: { dist: beta, alpha: 2, beta: 8 },\n"
                      "             abandon_after_months: 4 }";
    char text[8192];
    const char *a = strstr(BASE, from), *b = strstr(BASE, from2);
    ck_assert(a && b && a < b);
    snprintf(text, sizeof text, "%.*s%s%.*s%s%s\n", (int)(a - BASE), BASE, to,
             (int)(b - (a + strlen(from))), a + strlen(from), to2, b + strlen(from2));
    char *fb = strstr(text, "    fallback: api\ncorrelations");
    ck_assert_ptr_nonnull(fb);
    char tail[4096];
    snprintf(tail, sizeof tail, "%s", fb + strlen("    fallback: api\n"));
    snprintf(fb, sizeof text - (size_t)(fb - text), "    fallback: api\n    retire_idle_months: 3\n%s",
             tail);
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(sc->strategies[2].retire_idle, 3);
    ck_assert_int_eq(sc->strategies[1].retire_idle, 0);
    size_t n = sc->ninputs;
    ck_assert_str_eq(sc->inputs[n - 3].path, "backends.gpu.gpu.resale_fraction");
    ck_assert_str_eq(sc->inputs[n - 2].path, "backends.gpu.setup.failure_probability");
    ck_assert_str_eq(sc->inputs[n - 1].path, "backends.gpu.setup.abandon_after_months");
    ck_assert_int_eq(sc->inputs[n - 3].dim, 3);
    ck_assert_int_eq(sc->inputs[n - 2].dim, 4);
    ck_assert_double_eq(sc->inputs[n - 1].dist.a, 4);
    ck_assert_uint_eq(sc->ndims, 5);
    /* Version 1's uncertain inputs keep dimensions 0-2. */
    ck_assert_int_eq(sc->inputs[tco_scenario_input(sc, "demand.requests_per_month")].dim, 0);
    ck_assert_int_eq(sc->inputs[tco_scenario_input(sc, "backends.api.price_trend_annual")].dim, 2);
    tco_scenario_free(sc);
    ck_assert_msg(load_text(BASE, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_lt(tco_scenario_input(sc, "backends.gpu.setup.failure_probability"), 0);
    ck_assert_int_lt(tco_scenario_input(sc, "backends.gpu.setup.abandon_after_months"), 0);
    ck_assert_uint_eq(sc->ndims, 3);
    tco_scenario_free(sc);
}
END_TEST

/* ---- Version 2 keys: capability and demand over time (MODEL.md 12, 13) ---- */

/* BASE with a schedule, windows, failure-rate trends (plain on api, per
 * workload on gpu) and a plain fine-tuning multiplier. */
static char *v2_text(void)
{
    static const char *const edits[][2] = {
        {"  growth_annual: { dist: normal, mean: 0.4, sd: 0.2 }\n",
         "  growth_annual: { dist: normal, mean: 0.4, sd: 0.2 }\n"
         "  schedule:\n"
         "    - { from_month: 1, multiplier: 0.05 }\n"
         "    - { from_month: 7, multiplier: { dist: uniform, min: 0.8, max: 1.2 } }\n"},
        {"failure_cost: 1.5 }", "failure_cost: 1.5, start_month: 4, end_month: 30 }"},
        {"price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n",
         "price_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }\n"
         "    failure_rate_trend_annual: -0.2\n"},
        {"    setup: { months: 2, cost: 40000 }\n",
         "    setup: { months: 2, cost: 40000 }\n"
         "    failure_rate_trend_annual: { docs: { dist: uniform, min: -0.5, max: -0.1 } }\n"
         "    fine_tuning: { runs_per_year: 2, cost_per_run: 1000, failure_rate_multiplier: 0.7 }\n"},
    };
    char *text = malloc(strlen(BASE) + 1);
    strcpy(text, BASE);
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        char *at = strstr(text, edits[i][0]);
        ck_assert_msg(at != NULL, "test bug: '%s' not in BASE", edits[i][0]);
        size_t len = strlen(text) + strlen(edits[i][1]) + 1;
        char *next = malloc(len);
        snprintf(next, len, "%.*s%s%s", (int)(at - text), text, edits[i][1],
                 at + strlen(edits[i][0]));
        free(text);
        text = next;
    }
    return text;
}

START_TEST(test_v2_keys_valid)
{
    char *text = v2_text();
    tco_scenario *sc, *v1;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(load_text(BASE, &v1, &err) == TCO_OK, "%s", err.msg);
    /* Windows, with the defaults 1 and the horizon. */
    ck_assert_int_eq(sc->workloads[0].start_month, 1);
    ck_assert_int_eq(sc->workloads[0].end_month, 24);
    ck_assert_int_eq(sc->workloads[1].start_month, 4);
    ck_assert_int_eq(sc->workloads[1].end_month, 30);
    ck_assert_uint_eq(sc->nschedule, 2);
    ck_assert_int_eq(sc->schedule[1].from_month, 7);
    /* Every new number is a static input at its path, registered after
     * version 1's (the file's other inputs, here BASE's and the fine-tuning
     * section's runs_per_year and cost_per_run): those keep their order and
     * their dimensions. */
    int last_v1 = -1;
    for (size_t i = 0; i < v1->ninputs; i++) {
        int k = tco_scenario_input(sc, v1->inputs[i].path);
        ck_assert_msg(k > last_v1, "%s out of order", v1->inputs[i].path);
        last_v1 = k;
    }
    int ft = tco_scenario_input(sc, "backends.gpu.fine_tuning.cost_per_run");
    ck_assert_int_lt(ft, last_v1);
    ck_assert_int_eq((int)v1->ninputs + 2, last_v1 + 1);
    static const char *const paths[] = {
        "demand.schedule.0.multiplier", "demand.schedule.1.multiplier",
        "backends.api.failure_rate_trend_annual", "backends.gpu.failure_rate_trend_annual.docs",
        "backends.gpu.fine_tuning.failure_rate_multiplier"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(tco_scenario_input(sc, paths[i]), last_v1 + 1 + (int)i);
    ck_assert_uint_eq(sc->ninputs, (size_t)last_v1 + 6);
    ck_assert_int_eq(tco_scenario_input(sc, "backends.gpu.failure_rate_trend_annual.chat"), -1);
    ck_assert_int_eq(sc->schedule[1].multiplier,
                     tco_scenario_input(sc, "demand.schedule.1.multiplier"));
    /* Two new uncertain inputs, after version 1's dimensions. */
    ck_assert_uint_eq(sc->ndims, v1->ndims + 2);
    for (size_t d = 0; d < v1->ndims; d++)
        ck_assert_str_eq(sc->inputs[sc->dim_input[d]].path, v1->inputs[v1->dim_input[d]].path);
    /* The plain trend applies to every workload, the mapping to those it names. */
    const tco_backend *api = &sc->backends[0], *gpu = &sc->backends[1];
    ck_assert_int_eq(api->fail_trend[0], api->fail_trend[1]);
    ck_assert_ptr_null(api->fail_mult);
    ck_assert_int_eq(gpu->fail_trend[0], -1);
    ck_assert_int_ge(gpu->fail_trend[1], 0);
    ck_assert_int_eq(gpu->fail_mult[0], gpu->fail_mult[1]);
    tco_scenario_free(sc);
    tco_scenario_free(v1);
    free(text);
}
END_TEST

/* Replaces `from` in the version-2 text by `to` and expects an error
 * holding both needles. */
static void expect_v2(const char *from, const char *to, const char *n1, const char *n2)
{
    char *base = v2_text();
    const char *at = strstr(base, from);
    ck_assert_msg(at != NULL, "test bug: '%s' not in the text", from);
    size_t len = strlen(base) + strlen(to) + 1;
    char *text = malloc(len);
    snprintf(text, len, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) != TCO_OK, "accepted: %s -> %s", from, to);
    ck_assert_msg(strstr(err.msg, "test.yaml:"), "no place in '%s'", err.msg);
    ck_assert_msg(strstr(err.msg, n1), "'%s' lacks '%s'", err.msg, n1);
    ck_assert_msg(!n2 || strstr(err.msg, n2), "'%s' lacks '%s'", err.msg, n2);
    free(text);
    free(base);
}

START_TEST(test_v2_key_errors)
{
    /* demand.schedule */
    expect_v2("{ from_month: 7,", "{ from_month: 1,",
              "test.yaml:11:21: demand.schedule.1.from_month",
              "schedule out of order: from_month 1 does not come after 1");
    expect_v2("{ from_month: 1, multiplier: 0.05 }", "{ from_month: 2, multiplier: 0.05 }",
              "demand.schedule.0.from_month", "must start at from_month 1 (got 2)");
    expect_v2("multiplier: 0.05", "multiplier: -0.05", "demand.schedule.0.multiplier",
              "must be >= 0");
    expect_v2("multiplier: 0.05", "multipler: 0.05", "demand.schedule.0.multipler",
              "did you mean multiplier?");
    expect_v2("{ from_month: 1, multiplier: 0.05 }", "{ from_month: 1 }",
              "demand.schedule.0", "missing required key 'multiplier'");
    expect_v2("from_month: 7,", "from_month: 7.5,", "demand.schedule.1.from_month",
              "whole number");
    expect_v2("  schedule:\n", "  schedul:\n", "demand.schedul", "did you mean schedule?");
    expect_v2("  schedule:\n    - { from_month: 1, multiplier: 0.05 }\n",
              "  schedule: 0.05\n  extra:\n    - { from_month: 1, multiplier: 0.05 }\n",
              "demand.extra", NULL);
    expect_v2("  schedule:\n    - { from_month: 1, multiplier: 0.05 }\n"
              "    - { from_month: 7, multiplier: { dist: uniform, min: 0.8, max: 1.2 } }\n",
              "  schedule: 0.05\n", "demand.schedule", "expected a list");
    /* workload windows */
    expect_v2("start_month: 4, end_month: 30", "start_month: 5, end_month: 3",
              "workloads.docs.end_month", "start_month 5 is after end_month 3");
    expect_v2("start_month: 4, end_month: 30", "start_month: 30",
              "workloads.docs.start_month", "start_month 30 is after end_month 24 (the horizon");
    expect_v2("start_month: 4,", "start_month: 0,", "workloads.docs.start_month", "must be in [1,");
    expect_v2("start_month: 4,", "start_month: 4.5,", "workloads.docs.start_month",
              "whole number");
    expect_v2("start_month: 4,", "start_mnth: 4,", "workloads.docs.start_mnth",
              "did you mean start_month?");
    /* failure_rate_trend_annual */
    expect_v2("failure_rate_trend_annual: -0.2", "failure_rate_trend_annual: -1",
              "backends.api.failure_rate_trend_annual", "must be > -1");
    expect_v2("failure_rate_trend_annual: -0.2", "failure_rate_trend: -0.2",
              "backends.api.failure_rate_trend", "did you mean failure_rate_trend_annual?");
    expect_v2("failure_rate_trend_annual: { docs:", "failure_rate_trend_annual: { dcos:",
              "backends.gpu.failure_rate_trend_annual.dcos", "did you mean docs?");
    expect_v2("{ docs: { dist: uniform, min: -0.5, max: -0.1 } }", "{ docs: -1.5 }",
              "backends.gpu.failure_rate_trend_annual.docs", "must be > -1");
    /* fine_tuning.failure_rate_multiplier */
    expect_v2("failure_rate_multiplier: 0.7", "failure_rate_multiplier: -0.7",
              "backends.gpu.fine_tuning.failure_rate_multiplier", "must be >= 0");
    expect_v2("failure_rate_multiplier: 0.7", "failure_rate_multipler: 0.7",
              "backends.gpu.fine_tuning.failure_rate_multipler",
              "did you mean failure_rate_multiplier?");
    expect_v2("failure_rate_multiplier: 0.7", "failure_rate_multiplier: { chat: -1 }",
              "backends.gpu.fine_tuning.failure_rate_multiplier.chat", "must be >= 0");
    expect_v2("runs_per_year: 2, cost_per_run: 1000, ", "runs_per_year: 2, ",
              "backends.gpu.fine_tuning", "missing required key 'cost_per_run'");
    expect_v2("    failure_rate_trend_annual: -0.2\n",
              "    failure_rate_trend_annual: -0.2\n"
              "    fine_tuning: { runs_per_year: 1, cost_per_run: 1, failure_rate_multiplier: 0.5 }\n",
              "backends.api.fine_tuning", "belongs to self_hosted backends");
}
END_TEST

/* ---- Commercial terms (MODEL.md 14) ---- */

START_TEST(test_terms_key_errors)
{
    /* 14.1: cached input, api backends only. */
    expect("    output_price_per_mtok: 10\n",
           "    output_price_per_mtok: 10\n    cached_input_price_per_mtok: -1\n",
           "backends.api.cached_input_price_per_mtok", "must be >= 0");
    expect("    output_price_per_mtok: 10\n",
           "    output_price_per_mtok: 10\n    cache_hit_rate: 1.2\n",
           "backends.api.cache_hit_rate", "must be in [0, 1]");
    expect("    output_price_per_mtok: 10\n",
           "    output_price_per_mtok: 10\n    cache_hit_rate: { chat: 0.5, docs: 1.5 }\n",
           "backends.api.cache_hit_rate.docs", "must be in [0, 1]");
    expect("    output_price_per_mtok: 10\n",
           "    output_price_per_mtok: 10\n    cache_hit_rate: { caht: 0.5 }\n",
           "backends.api.cache_hit_rate.caht", "did you mean chat?");
    expect("    output_price_per_mtok: 10\n",
           "    output_price_per_mtok: 10\n    cached_input_price: 1\n",
           "backends.api.cached_input_price", "did you mean cached_input_price_per_mtok?");
    expect("    setup: { months: 2, cost: 40000 }\n",
           "    setup: { months: 2, cost: 40000 }\n    cached_input_price_per_mtok: 1\n",
           "backends.gpu.cached_input_price_per_mtok", NULL);
    expect("    setup: { months: 2, cost: 40000 }\n",
           "    setup: { months: 2, cost: 40000 }\n    cache_hit_rate: 0.5\n",
           "backends.gpu.cache_hit_rate", NULL);
    /* 14.2: reserved cloud GPUs. */
    const char *cloud = "gpu: { mode: cloud, hour_price: 2.5 }";
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5,\n"
                  "           reserved: { gpus: 4, hour_price: 1.6, term_months: 0 } }",
           "backends.gpu.gpu.reserved.term_months", "must be in [1,");
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5,\n"
                  "           reserved: { gpus: 4.5, hour_price: 1.6, term_months: 12 } }",
           "backends.gpu.gpu.reserved.gpus", "whole number");
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5,\n"
                  "           reserved: { gpus: 4, hour_price: -1, term_months: 12 } }",
           "backends.gpu.gpu.reserved.hour_price", "must be >= 0");
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5,\n"
                  "           reserved: { gpus: 4, hour_price: 1.6, term_mnths: 12 } }",
           "backends.gpu.gpu.reserved.term_mnths", "did you mean term_months?");
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5,\n"
                  "           reserved: { gpus: 4, hour_price: 1.6 } }",
           "backends.gpu.gpu.reserved", "missing required key 'term_months'");
    expect(cloud, "gpu: { mode: cloud, hour_price: 2.5, reserved: 4 }",
           "backends.gpu.gpu.reserved", NULL);
    expect(cloud, "gpu: { mode: owned, purchase_price: 30000, electricity_per_kwh: 0.1,\n"
                  "           reserved: { gpus: 4, hour_price: 1.6, term_months: 12 } }",
           "test.yaml:19:22: backends.gpu.gpu.reserved", "belong to gpu.mode cloud");
}
END_TEST

START_TEST(test_terms_valid)
{
    /* The new inputs come after every input of version 1, at their paths. */
    static const char *const edits[][2] = {
        {"    output_price_per_mtok: 10\n",
         "    output_price_per_mtok: 10\n    cached_input_price_per_mtok: 0.25\n"
         "    cache_hit_rate: { docs: { dist: uniform, min: 0.2, max: 0.8 } }\n"},
    };
    const char *at = strstr(BASE, edits[0][0]);
    size_t len = strlen(BASE) + strlen(edits[0][1]) + 1;
    char *text = malloc(len);
    snprintf(text, len, "%.*s%s%s", (int)(at - BASE), BASE, edits[0][1],
             at + strlen(edits[0][0]));
    tco_scenario *sc, *v1;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(load_text(BASE, &v1, &err) == TCO_OK, "%s", err.msg);
    for (size_t i = 0; i < v1->ninputs; i++)
        ck_assert_int_eq(tco_scenario_input(sc, v1->inputs[i].path), (int)i);
    int n = (int)v1->ninputs;
    ck_assert_int_eq(tco_scenario_input(sc, "backends.api.cached_input_price_per_mtok"), n);
    ck_assert_int_eq(tco_scenario_input(sc, "backends.api.cache_hit_rate.docs"), n + 1);
    ck_assert_int_eq(tco_scenario_input(sc, "backends.api.cache_hit_rate.chat"), -1);
    ck_assert_uint_eq(sc->ninputs, v1->ninputs + 2);
    ck_assert_uint_eq(sc->ndims, v1->ndims + 1);
    tco_scenario_free(sc);
    free(text);
    /* The reserved hour price, after version 1's inputs. */
    const char *cloud = "gpu: { mode: cloud, hour_price: 2.5 }";
    const char *res = "gpu: { mode: cloud, hour_price: 2.5,\n"
                      "           reserved: { gpus: 4, hour_price: 1.6, term_months: 12 } }";
    at = strstr(BASE, cloud);
    len = strlen(BASE) + strlen(res) + 1;
    text = malloc(len);
    snprintf(text, len, "%.*s%s%s", (int)(at - BASE), BASE, res, at + strlen(cloud));
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    for (size_t i = 0; i < v1->ninputs; i++)
        ck_assert_int_eq(tco_scenario_input(sc, v1->inputs[i].path), (int)i);
    ck_assert_int_eq(tco_scenario_input(sc, "backends.gpu.gpu.reserved.hour_price"), n);
    ck_assert_uint_eq(sc->ninputs, v1->ninputs + 1);
    tco_scenario_free(sc);
    tco_scenario_free(v1);
    free(text);
}
END_TEST

/* --set reaches the new keys by their paths, list entries by index. */
START_TEST(test_v2_set)
{
    char path[] = "/tmp/tcosim-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    char *text = v2_text();
    fputs(text, f);
    fclose(f);
    free(text);
    const char *sets[] = {"demand.schedule.1.multiplier=0.7",
                          "backends.gpu.failure_rate_trend_annual=-0.3",
                          "backends.api.failure_rate_trend_annual={chat: {dist: uniform, min: -0.4, max: 0}}",
                          "workloads.chat.end_month=12"};
    tco_load_options opt = {sets, 4, NULL};
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, path, &opt, &err) == TCO_OK, "%s", err.msg);
    const tco_input *in = &sc->inputs[sc->schedule[1].multiplier];
    ck_assert_int_eq(in->dist.kind, TCO_DIST_FIXED);
    ck_assert_double_eq(in->dist.a, 0.7);
    int k = tco_scenario_input(sc, "backends.gpu.failure_rate_trend_annual");
    ck_assert_int_ge(k, 0);
    ck_assert_double_eq(sc->inputs[k].dist.a, -0.3);
    ck_assert_int_eq(sc->backends[1].fail_trend[0], k);
    ck_assert_int_eq(sc->backends[1].fail_trend[1], k);
    ck_assert_int_ge(tco_scenario_input(sc, "backends.api.failure_rate_trend_annual.chat"), 0);
    ck_assert_int_eq(sc->backends[0].fail_trend[1], -1);
    ck_assert_int_eq(sc->workloads[0].end_month, 12);
    tco_scenario_free(sc);
    const char *bad[] = {"demand.schedule.2.multiplier=1"};
    tco_load_options opt2 = {bad, 1, NULL};
    ck_assert_int_eq(tco_scenario_load(&sc, path, &opt2, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "demand.schedule has 2 entries (0 to 1)"), "%s", err.msg);
    unlink(path);
}
END_TEST


/* decision (MODEL.md 19): defaults, a full block, and each input error. */
START_TEST(test_decision_block)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(BASE, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(sc->criterion, TCO_CRIT_MEAN);
    ck_assert(isnan(sc->risk_tolerance) && isnan(sc->budget));
    tco_scenario_free(sc);
    size_t len = strlen(BASE) + 200;
    char *text = malloc(len);
    snprintf(text, len, "%sdecision: { criterion: certainty_equivalent, risk_tolerance: 2.0e6, "
                        "budget: -4.5e6 }\n", BASE);
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(sc->criterion, TCO_CRIT_CE);
    ck_assert_double_eq(sc->risk_tolerance, 2.0e6);
    ck_assert_double_eq(sc->budget, -4.5e6);
    tco_scenario_free(sc);
    free(text);
    static const char *const names[] = {"mean", "p50", "p90", "p95", "cvar95"};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(tco_criterion_parse(names[i]), i);
        ck_assert_str_eq(tco_criterion_name((tco_criterion)i), names[i]);
    }
    const char *at = "correlations:";
    expect(at, "decision: { criterion: certainty_equivalent }\ncorrelations:",
           "test.yaml:29:24: decision.criterion", "needs decision.risk_tolerance");
    expect(at, "decision: { criterion: cvar59 }\ncorrelations:", "decision.criterion",
           "got 'cvar59'; did you mean cvar95?");
    expect(at, "decision: { criterion: p95, risk_tolerance: 0 }\ncorrelations:",
           "decision.risk_tolerance", "> 0");
    expect(at, "decision: { risk_tolerance: -1 }\ncorrelations:", "decision.risk_tolerance", NULL);
    expect(at, "decision: { budget: lots }\ncorrelations:", "decision.budget", NULL);
    expect(at, "decision: { criterion: mean, budgte: 1 }\ncorrelations:", "decision.budgte",
           "did you mean budget?");
    expect(at, "decision: mean\ncorrelations:", "decision", NULL);
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
    tcase_add_test(tc, test_review);
    tcase_add_test(tc, test_correlations);
    tcase_add_test(tc, test_load_file_and_set);
    tcase_add_test(tc, test_mutations_never_crash);
    tcase_add_test(tc, test_limits_and_bounds);
    tcase_add_test(tc, test_correlation_scale);
    tcase_add_test(tc, test_aliases_share_tables);
    tcase_add_test(tc, test_messages_ignore_locale);
    tcase_add_test(tc, test_load_with_overrides);
    tcase_add_test(tc, test_retire_and_failure_keys);
    tcase_add_test(tc, test_v2_keys_valid);
    tcase_add_test(tc, test_decision_block);
    tcase_add_test(tc, test_v2_key_errors);
    tcase_add_test(tc, test_v2_set);
    tcase_add_test(tc, test_terms_key_errors);
    tcase_add_test(tc, test_terms_valid);
    tcase_add_test(tc, test_constraint_keys);
    tcase_add_test(tc, test_constraint_errors);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
