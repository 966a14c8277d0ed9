/* Backend types: loading (success rates), and the costs each type adds,
 * checked against MODEL.md by hand on fixed inputs. */
#include "testutil.h"

#include "../models/model.h"
#include "../sim/sample.h"

#include "../sim/schema.h"
#include "backend_example.c"

/* Loads text; when type is given, backend 0 is read again from the YAML
 * mapping spec as a backend of that type (a type outside the registry, as
 * docs/backends.md's example).  Then draws future 0 with every input at its
 * fixed value and costs strategy s: discounted category totals in out,
 * monthly totals in monthly (may be NULL). */
static void cost_swap(const char *text, const tco_backend_type *type, const char *spec,
                      size_t s, tco_cost *out, double *monthly)
{
    tco_scenario *sc;
    tco_error err;
    tco_status st = load_text(text, &sc, &err);
    ck_assert_msg(st == TCO_OK, "%s", err.msg);
    if (type) {
        tco_ydoc *doc;
        ck_assert(tco_ydoc_parse(&doc, "spec.yaml", spec, strlen(spec), &err) == TCO_OK);
        tco_schema c = {sc, &err, sc->ninputs, NULL};
        tco_backend *be = &sc->backends[0];
        tco_backend_clear(be);
        be->type = type;
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "backends.%s", be->name);
        st = tco_backend_load(&c, tco_ydoc_root(doc), prefix, be);
        ck_assert_msg(st == TCO_OK, "%s", err.msg);
        tco_ydoc_free(doc);
    }
    tco_model *m;
    ck_assert(tco_model_alloc(&m, sc, &err) == TCO_OK);
    tco_future *f = tco_future_alloc(m);
    ck_assert(f);
    double *u = calloc(sc->ndims + 1, sizeof *u), *x = calloc(sc->ninputs + 1, sizeof *x);
    unsigned char *mark = malloc(sc->ninputs + 1);
    /* A type that does not say which inputs its draw reads (no
     * random_inputs): every input may shape the paths, none is served
     * again without a draw. */
    ck_assert_int_eq(tco_paths_inputs(sc, mark), !type || type->random_inputs);
    for (size_t j = 0; j < sc->ninputs; j++)
        ck_assert(mark[j] || !type || type->random_inputs);
    free(mark);
    for (size_t d = 0; d < sc->ndims; d++)
        u[d] = 0.5;
    tco_sample_inputs(sc, u, x, NULL);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 1, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    tco_future_cost(f, m, s, monthly, NULL, out);
    free(u);
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}

static void cost_text(const char *text, size_t s, tco_cost *out)
{
    cost_swap(text, NULL, NULL, s, out, NULL);
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

/* Every registered type fills the table, under a name of its own. */
START_TEST(test_registry)
{
    size_t n = 0;
    for (; tco_backend_types[n]; n++) {
        const tco_backend_type *t = tco_backend_types[n];
        ck_assert(t->name && *t->name);
        ck_assert(t->load && t->draw && t->serve && t->monthly_cost);
        ck_assert(t->platform == 0 || t->platform == 1);
        ck_assert(!t->platform || t->max_setup_months);
        ck_assert_ptr_eq(tco_backend_type_find(t->name), t);
        for (size_t j = 0; j < n; j++)
            ck_assert_str_ne(tco_backend_types[j]->name, t->name);
    }
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_eq(tco_backend_type_find("api"), &tco_backend_api);
    ck_assert_ptr_eq(tco_backend_type_find("self_hosted"), &tco_backend_selfhost);
    ck_assert_ptr_null(tco_backend_type_find("managed"));
    ck_assert_ptr_null(tco_backend_type_find(""));
}
END_TEST

/* An unknown type is refused with the registered types and the nearest. */
START_TEST(test_unknown_type)
{
    static const char *text =
        "scenario: { name: q, horizon_months: 1 }\n"
        "workloads: { w: { input_tokens: 1, output_tokens: 1 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends: { m: { type: self_hostd } }\n"
        "strategies: { s: { route: { w: m } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(load_text(text, &sc, &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "test.yaml:4:24: backends.m.type: expected api or self_hosted, "
                                  "got 'self_hostd'; did you mean self_hosted?"),
                  "%s", err.msg);
}
END_TEST

static const char *MANAGED =
    "scenario: { name: m, horizon_months: 2 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 1000, failure_cost: 2 } }\n"
    "demand: { requests_per_month: %g }\n"
    "backends:\n"
    "  m: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 0 }\n"
    "strategies: { s: { route: { w: m } } }\n"
    "events:\n"
    "  hike: { probability_per_year: %g, effect: { price_multiplier: { backend: m, factor: 3 } } }\n";

static const char *MANAGED_SPEC =
    "{ type: managed, input_price_per_mtok: 1, output_price_per_mtok: 3, minimum_monthly: 5,\n"
    "  success_rate: { w: 0.75 } }\n";

/* docs/backends.md's worked example, driven through the table: the monthly
 * minimum, usage above it, a price event on its index, and its success rate
 * read by the shared loader. */
START_TEST(test_example_type)
{
    char text[1024];
    tco_cost c;
    double month[2];
    /* Usage 1000 * (1000 * 1 + 1000 * 3) / 1e6 = 4 < 5: the minimum, twice. */
    snprintf(text, sizeof text, MANAGED, 1000.0, 0.0);
    cost_swap(text, &tco_backend_managed, MANAGED_SPEC, 0, &c, month);
    ck_close(c.cat[TCO_CAT_API], 10, 1e-12);
    /* Quality: 1000 requests * 25% * 2. */
    ck_close(c.cat[TCO_CAT_QUALITY], 1000, 1e-12);
    /* 2000 requests: usage 8 > 5. */
    snprintf(text, sizeof text, MANAGED, 2000.0, 0.0);
    cost_swap(text, &tco_backend_managed, MANAGED_SPEC, 0, &c, month);
    ck_close(c.cat[TCO_CAT_API], 16, 1e-12);
    /* A certain price hike (month 1) triples the index: usage 3 * 4 = 12. */
    snprintf(text, sizeof text, MANAGED, 1000.0, 1.0);
    cost_swap(text, &tco_backend_managed, MANAGED_SPEC, 0, &c, month);
    ck_close(month[0], 12 + 1000 * 0.25 * 2, 1e-12);
    ck_close(month[1], 12 + 1000 * 0.25 * 2, 1e-12);
}
END_TEST

/* A price_multiplier event on a self-hosted backend multiplies its GPU
 * index G_t from the event's month (MODEL.md 7): cloud compute doubles. */
START_TEST(test_price_event_selfhosted)
{
    static const char *text =
        "scenario: { name: p, horizon_months: 3 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  g: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 3,\n"
        "       gpu: { mode: cloud, hour_price: 2.5 } }\n"
        "strategies: { s: { route: { w: g } } }\n"
        "events:\n"
        "  hike: { probability_per_year: 1, effect: { price_multiplier: { backend: g, factor: 2 } } }\n";
    tco_cost c;
    double month[3];
    cost_swap(text, NULL, NULL, 0, &c, month);
    /* 3 GPUs (the minimum) * 730 h * 2.5 * 2, every month. */
    for (int t = 0; t < 3; t++)
        ck_close(month[t], 3 * 730 * 2.5 * 2, 1e-12);
}
END_TEST

/* Fuzz finding 5: 1e9 price shocks a year took 14 s a future (one size
 * drawn per shock).  A rate far beyond validation's bound, set directly in
 * the inputs, now costs O(1) a month: 2,000 futures of 1e8 shocks a month
 * run in well under the test's timeout, and ln M_2, the sum of ln(1 + S)
 * over N ~ 1e8 shocks of size S ~ N(0, 1e-5), has mean N E[ln(1 + S)] =
 * -1e8 * 1e-10 / 2 = -0.005 and sd sqrt(1e8) * 1e-5 = 0.1 (within 4 SE). */
START_TEST(test_shocks_huge_count)
{
    static const char *text =
        "scenario: { name: s, horizon_months: 2 }\n"
        "workloads: { w: { input_tokens: 1, output_tokens: 1 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  m: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 1,\n"
        "       price_shocks: { rate_per_year: 12, size: { dist: normal, mean: 0, sd: 1.0e-5 } } }\n"
        "strategies: { s: { route: { w: m } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_model *m;
    ck_assert(tco_model_alloc(&m, sc, &err) == TCO_OK);
    tco_future *f = tco_future_alloc(m);
    double *x = calloc(sc->ninputs + 1, sizeof *x);
    unsigned *clamped = calloc(sc->ninputs + 1, sizeof *clamped);
    tco_sample_inputs(sc, NULL, x, NULL);
    int rate = tco_scenario_input(sc, "backends.m.price_shocks.rate_per_year");
    ck_assert_int_ge(rate, 0);
    x[rate] = 1.2e9;
    tco_zig zig;
    tco_zig_init(&zig);
    const int n = 2000;
    double sum = 0, ss = 0;
    for (int i = 0; i < n; i++) {
        tco_rng rng;
        tco_rng_seed(&rng, &zig, 5, (uint64_t)i);
        tco_future_draw(f, m, x, &rng, clamped);
        double l = log(tco_future_price_index(f, 0)[1]);
        ck_assert(isfinite(l));
        sum += l;
        ss += l * l;
    }
    double mean = sum / n, sd = sqrt(ss / n - mean * mean);
    ck_assert_msg(fabs(mean + 0.005) < 4 * 0.1 / sqrt(n), "mean %g", mean);
    ck_assert_msg(fabs(sd - 0.1) < 4 * 0.1 / sqrt(2.0 * n), "sd %g", sd);
    free(x);
    free(clamped);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

/* Fuzz finding 5, sampler part, through the model: incidents at 1.2e21 a
 * year (far beyond validation's bound, set directly in the inputs) made
 * GSL's Poisson sampler loop forever; the model's one sampler (PTRS) draws
 * N ~ Poisson(1e20) a month in O(1): operations cost N * 1e-15 = 1e5 (sd of
 * N / mu is 1e-10). */
START_TEST(test_incidents_absurd_rate)
{
    static const char *text =
        "scenario: { name: i, horizon_months: 3 }\n"
        "workloads: { w: { input_tokens: 1, output_tokens: 1 } }\n"
        "demand: { requests_per_month: 1 }\n"
        "backends:\n"
        "  g: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 0,\n"
        "       gpu: { mode: cloud, hour_price: 1 },\n"
        "       incidents: { per_year: 4, cost_per_incident: 1.0e-15 } }\n"
        "strategies: { s: { route: { w: g } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_model *m;
    ck_assert(tco_model_alloc(&m, sc, &err) == TCO_OK);
    tco_future *f = tco_future_alloc(m);
    double *x = calloc(sc->ninputs + 1, sizeof *x);
    tco_sample_inputs(sc, NULL, x, NULL);
    int rate = tco_scenario_input(sc, "backends.g.incidents.per_year");
    ck_assert_int_ge(rate, 0);
    x[rate] = 1.2e21;
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 9, 0);
    tco_future_draw(f, m, x, &rng, NULL);
    double bycat[3 * TCO_NCAT];
    tco_cost cost;
    tco_future_cost(f, m, 0, NULL, bycat, &cost);
    for (int t = 0; t < 3; t++)
        ck_close(bycat[t * TCO_NCAT + TCO_CAT_OPERATIONS], 1e5, 1e-8);
    free(x);
    tco_future_free(f);
    tco_model_free(m);
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("backend");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_success_default_not_from_backend_keys);
    tcase_add_test(tc, test_success_workload_named_type);
    tcase_add_test(tc, test_success_256th_workload);
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_unknown_type);
    tcase_add_test(tc, test_example_type);
    tcase_add_test(tc, test_price_event_selfhosted);
    tcase_add_test(tc, test_shocks_huge_count);
    tcase_add_test(tc, test_incidents_absurd_rate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
