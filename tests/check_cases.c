/* Named cases (cases.h) and the comparison of cases (compare.h): the form
 * of a cases block, overrides applied at the right place, and costs worked
 * out by hand on the same futures. */
#include "testutil.h"

#include <stdio.h>

#include "../sim/cases.h"
#include "../sim/compare.h"

static const char *const HEAD =
    "scenario: { name: t, horizon_months: 12 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 100 } }\n"
    "demand: { requests_per_month: 10000 }\n"
    "backends:\n"
    "  a: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 10 }\n"
    "  b: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 30 }\n"
    "strategies:\n"
    "  first: { route: { w: a } }\n"
    "  second: { route: { w: b } }\n";

/* The error of tco_cases_check on the cases block text (NULL: none). */
static tco_status check_block(const char *block, tco_error *err)
{
    tco_ydoc *doc;
    ck_assert_int_eq(tco_ydoc_parse(&doc, "c.yaml", block, strlen(block), err), TCO_OK);
    tco_status st = tco_cases_check(tco_ymap_get(tco_ydoc_root(doc), "cases"), err);
    tco_ydoc_free(doc);
    return st;
}

START_TEST(test_form)
{
    struct {
        const char *block, *needle;
    } bad[] = {
        {"cases: [a, b]", "c.yaml:1:8: cases: expected a mapping of case names"},
        {"cases: { base: { set: { a.b: 1 } } }", "cases.base: 'base' names the scenario"},
        {"cases: { 'a b': { set: { a.b: 1 } } }", "cases.a b: a case name is 1 to 64"},
        {"cases: { x: 3 }", "cases.x: expected a mapping with set"},
        {"cases: { x: { sett: { a.b: 1 } } }", "c.yaml:1:15: cases.x.sett: unknown key 'sett'; did you mean set"},
        {"cases: { x: { description: d } }", "cases.x: missing key 'set'"},
        {"cases: { x: { set: {} } }", "cases.x.set: expected a non-empty mapping"},
        {"cases: { x: { set: 3 } }", "cases.x.set: expected a non-empty mapping"},
        {"cases: { x: { description: { a: 1 }, set: { a.b: 1 } } }", "cases.x.description: expected text"},
        {"cases: { x: { set: { .a: 1 } } }", "cases.x.set..a: expected a dotted path"},
        {"cases: { x: { set: { a.: 1 } } }", "expected a dotted path"},
        {"cases: { x: { set: { cases.y.set: 1 } } }", "expected a dotted path"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tco_error err;
        ck_assert_int_ne(check_block(bad[i].block, &err), TCO_OK);
        ck_assert_msg(strstr(err.msg, bad[i].needle), "%s: got '%s'", bad[i].block, err.msg);
    }
    tco_error err;
    ck_assert_int_eq(check_block("cases: { x.1_y-z: { description: d, set: { a.b: 1 } } }", &err),
                     TCO_OK);
    ck_assert_int_eq(check_block("other: 1", &err), TCO_OK); /* no block */
}
END_TEST

START_TEST(test_apply)
{
    const char *text = "demand: { requests_per_month: 10000 }\n"
                       "cases:\n"
                       "  hi:\n"
                       "    set:\n"
                       "      demand.requests_per_month: { dist: uniform, min: 1, max: 2 }\n"
                       "      demand.growth_annual: 0.25\n";
    tco_ydoc *doc;
    tco_error err;
    ck_assert_int_eq(tco_ydoc_parse(&doc, "c.yaml", text, strlen(text), &err), TCO_OK);
    ck_assert_int_eq(tco_cases_apply(doc, "hi", &err), TCO_OK);
    const tco_ynode *demand = tco_ymap_get(tco_ydoc_root(doc), "demand");
    const tco_ynode *r = tco_ymap_get(demand, "requests_per_month");
    ck_assert_int_eq(r->kind, TCO_YMAP);
    ck_assert_str_eq(tco_ymap_get(r, "dist")->str, "uniform");
    /* The value keeps the override's place (line 5, column 34). */
    ck_assert_uint_eq(r->line, 5);
    ck_assert_uint_eq(r->col, 34);
    /* A key the override created sits at the override's key (line 6,
     * column 7), not at its parent map's (line 1). */
    ck_assert_uint_eq(demand->n, 2);
    ck_assert_str_eq(demand->key[1]->str, "growth_annual");
    ck_assert_uint_eq(demand->key[1]->line, 6);
    ck_assert_uint_eq(demand->key[1]->col, 7);
    double v;
    ck_assert(tco_ynumber(demand->val[1], &v));
    ck_assert_double_eq(v, 0.25);
    /* An unknown case names the cases: key and the known ones. */
    ck_assert_int_eq(tco_cases_apply(doc, "ho", &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "c.yaml:2:1: --case ho: no such case"));
    ck_assert_ptr_nonnull(strstr(err.msg, "(the cases: hi)"));
    tco_ydoc_free(doc);

    const char *none = "demand: { requests_per_month: 10000 }\n";
    ck_assert_int_eq(tco_ydoc_parse(&doc, "n.yaml", none, strlen(none), &err), TCO_OK);
    ck_assert_int_eq(tco_cases_apply(doc, "hi", &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "n.yaml:1:1: --case hi: the scenario has no cases"));
    tco_ydoc_free(doc);
}
END_TEST

/* Writes HEAD and extra to a temporary file; returns its path (static). */
static const char *write_scenario(const char *extra)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/check_cases-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(HEAD, f);
    fputs(extra, f);
    fclose(f);
    return path;
}

START_TEST(test_compare_by_hand)
{
    /* A request is 1000 input and 100 output tokens, 10000 a month for 12
     * months, no uncertainty, no discounting:
     *   a: 1000 x 2/1e6 + 100 x 10/1e6 = 0.003 a request, x 120000 = 360
     *   b: 1000 x 1/1e6 + 100 x 30/1e6 = 0.004, x 120000 = 480
     *   busier (20000 a month): 720 and 960
     *   cheap-b (b's output at 5): 0.0015, x 120000 = 180 */
    const char *path = write_scenario("cases:\n"
                                      "  busier: { set: { demand.requests_per_month: 20000 } }\n"
                                      "  cheap-b:\n"
                                      "    description: b's output at 5\n"
                                      "    set: { backends.b.output_price_per_mtok: 5 }\n");
    tco_run_options ro = {0};
    ro.futures = 16;
    ro.threads = 1;
    tco_compare *cmp;
    tco_error err;
    ck_assert_int_eq(tco_compare_run(&cmp, path, NULL, NULL, 0, &ro, &err), TCO_OK);
    ck_assert_uint_eq(cmp->n, 3);
    ck_assert_str_eq(cmp->c[0].name, TCO_CASE_BASE);
    ck_assert_str_eq(cmp->c[2].name, "cheap-b");
    ck_assert_str_eq(cmp->c[2].description, "b's output at 5");
    ck_assert_int_eq(cmp->futures, 16);
    const double want[3][2] = {{360, 480}, {720, 960}, {360, 180}};
    for (size_t k = 0; k < 3; k++)
        for (size_t s = 0; s < 2; s++) {
            ck_close(cmp->c[k].res->st[s].npv.mean, want[k][s], 1e-12);
            /* Every point of the S-curve is the one cost. */
            ck_close(cmp->c[k].curve[s * TCO_COMPARE_NCURVE], want[k][s], 1e-12);
            ck_close(cmp->c[k].curve[s * TCO_COMPARE_NCURVE + TCO_COMPARE_NCURVE - 1], want[k][s],
                     1e-12);
        }
    ck_assert_int_eq(cmp->c[2].res->best, 1);
    tco_compare_free(cmp);

    /* --set applies after the case: b's output back at 20 in cheap-b gives
     * 0.001 + 0.002 = 0.003 a request, 360. */
    const char *sets[] = {"backends.b.output_price_per_mtok=20"};
    tco_load_options lo = {sets, 1, NULL};
    const char *names[] = {"cheap-b"};
    ck_assert_int_eq(tco_compare_run(&cmp, path, &lo, names, 1, &ro, &err), TCO_OK);
    ck_assert_uint_eq(cmp->n, 2);
    ck_close(cmp->c[0].res->st[1].npv.mean, 120000 * 0.003, 1e-12);
    ck_close(cmp->c[1].res->st[1].npv.mean, 120000 * 0.003, 1e-12);
    tco_compare_free(cmp);

    /* A case named twice, and a case unknown, stop before any run. */
    const char *twice[] = {"busier", "busier"};
    ck_assert_int_eq(tco_compare_run(&cmp, path, NULL, twice, 2, &ro, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "busier is named twice"));
    const char *unknown[] = {"busy"};
    ck_assert_int_eq(tco_compare_run(&cmp, path, NULL, unknown, 1, &ro, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "--case busy: no such case"));
    unlink(path);
}
END_TEST

START_TEST(test_compare_same_strategies)
{
    /* A case that reroutes keeps the strategies: allowed.  One that adds a
     * strategy cannot be compared. */
    const char *path = write_scenario(
        "cases:\n"
        "  more: { set: { strategies.third: { route: { w: a } } } }\n");
    tco_run_options ro = {0};
    ro.futures = 4;
    ro.threads = 1;
    tco_compare *cmp;
    tco_error err;
    ck_assert_int_eq(tco_compare_run(&cmp, path, NULL, NULL, 0, &ro, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "case more changes the list of strategies"));
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cases");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_form);
    tcase_add_test(tc, test_apply);
    tcase_add_test(tc, test_compare_by_hand);
    tcase_add_test(tc, test_compare_same_strategies);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
