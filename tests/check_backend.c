/* Backend types: loading (success rates), and the costs each type adds,
 * checked against MODEL.md by hand on fixed inputs. */
#include "testutil.h"

#include "../models/model.h"
#include "../sim/sample.h"

/* Loads text, draws future 0 with every input at its fixed value and costs
 * strategy s; returns the discounted category totals through out. */
static void cost_text(const char *text, size_t s, tco_cost *out)
{
    tco_scenario *sc;
    tco_error err;
    tco_status st = load_text(text, &sc, &err);
    ck_assert_msg(st == TCO_OK, "%s", err.msg);
    tco_model *m;
    ck_assert(tco_model_alloc(&m, sc, &err) == TCO_OK);
    tco_future *f = tco_future_alloc(m);
    ck_assert(f);
    double *u = calloc(sc->ndims + 1, sizeof *u), *x = calloc(sc->ninputs + 1, sizeof *x);
    for (size_t d = 0; d < sc->ndims; d++)
        u[d] = 0.5;
    tco_sample_inputs(sc, u, x, NULL);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 1, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    tco_future_cost(f, m, s, NULL, NULL, out);
    free(u);
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}

/* Issue 7 defect 1: without success_rate every workload succeeds; a
 * workload named like a key of the backend (discount: 0.5) used to read
 * that key as its success rate (quality cost 0.5 * 1e6 * 120 = 60M). */
START_TEST(test_success_default_not_from_backend_keys)
{
    static const char *text =
        "scenario: { name: q, horizon_months: 1 }\n"
        "workloads: { discount: { input_tokens: 100, output_tokens: 10, failure_cost: 120 } }\n"
        "demand: { requests_per_month: 1.0e6 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2, discount: 0.5 }\n"
        "strategies: { only: { route: { discount: api } } }\n";
    tco_cost c;
    cost_text(text, 0, &c);
    ck_assert(c.cat[TCO_CAT_QUALITY] == 0);
    /* api cost: 1e6 requests * (100 * 1 + 10 * 2) / 1e6 * (1 - 0.5) = 60. */
    ck_close(c.cat[TCO_CAT_API], 60, 1e-12);
}
END_TEST

/* A workload named "type" made every valid file fail (its default success
 * rate was read from the backend's "type: api"). */
START_TEST(test_success_workload_named_type)
{
    static const char *text =
        "scenario: { name: q, horizon_months: 1 }\n"
        "workloads: { type: { input_tokens: 100, output_tokens: 10, failure_cost: 3 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n"
        "  own: { type: self_hosted, throughput_tokens_per_gpu_second: 100,\n"
        "         gpu: { mode: cloud, hour_price: 2 }, success_rate: { type: 0.75 } }\n"
        "strategies: { a: { route: { type: api } }, o: { route: { type: own }, fallback: api } }\n";
    tco_cost c;
    cost_text(text, 0, &c);
    ck_assert(c.cat[TCO_CAT_QUALITY] == 0);
    cost_text(text, 1, &c);
    /* own serves from month 1 (no setup): 1000 * 0.25 * 3. */
    ck_close(c.cat[TCO_CAT_QUALITY], 750, 1e-12);
}
END_TEST

/* Issue 7 defect 7: the 256th workload (the last one allowed) can be given
 * a success rate. */
START_TEST(test_success_256th_workload)
{
    size_t cap = 64 * 1024;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "scenario: { name: many, horizon_months: 1 }\n"
                                           "workloads:\n");
    for (int k = 0; k < TCO_MAX_WORKLOADS; k++)
        n += (size_t)snprintf(text + n, cap - n,
                              "  w%d: { share: %d, input_tokens: 0, output_tokens: 0, failure_cost: 1 }\n",
                              k, k == TCO_MAX_WORKLOADS - 1);
    n += (size_t)snprintf(text + n, cap - n,
                          "demand: { requests_per_month: 1000 }\n"
                          "backends:\n"
                          "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 1,\n"
                          "         success_rate: { w%d: 0.5 } }\n"
                          "strategies: { s: { route: {",
                          TCO_MAX_WORKLOADS - 1);
    for (int k = 0; k < TCO_MAX_WORKLOADS; k++)
        n += (size_t)snprintf(text + n, cap - n, "%s w%d: api", k ? "," : "", k);
    snprintf(text + n, cap - n, " } } }\n");
    tco_cost c;
    cost_text(text, 0, &c);
    /* Only the last workload has a share: 1000 requests, half fail, cost 1. */
    ck_close(c.cat[TCO_CAT_QUALITY], 500, 1e-12);
    free(text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("backend");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_success_default_not_from_backend_keys);
    tcase_add_test(tc, test_success_workload_named_type);
    tcase_add_test(tc, test_success_256th_workload);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
