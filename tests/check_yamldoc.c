/* The bounded YAML reader: numbers in YAML 1.2, places in messages, and the
 * limits that keep hostile files small and fast. */
#include "testutil.h"

#include <time.h>

static tco_status parse(const char *text, tco_ydoc **doc, tco_error *err)
{
    return tco_ydoc_parse(doc, "y.yaml", text, strlen(text), err);
}

START_TEST(test_numbers)
{
    struct {
        const char *text;
        int is_number;
        double value;
    } cases[] = {{"1.5e6", 1, 1.5e6}, {"-2.385", 1, -2.385}, {"+7", 1, 7},   {".5", 1, 0.5},
                 {"5.", 1, 5},        {"1e3", 1, 1000},      {"0x1F", 1, 31}, {"0o17", 1, 15},
                 {"1_000", 0, 0},     {"1,000", 0, 0},       {"e5", 0, 0},    {"1e", 0, 0},
                 {"yes", 0, 0},       {"'3'", 0, 0},         {"0b101", 0, 0}, {"-.inf", 1, -HUGE_VAL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tco_ydoc *doc;
        tco_error err;
        ck_assert_int_eq(parse(cases[i].text, &doc, &err), TCO_OK);
        double v = 0;
        int got = tco_ynumber(tco_ydoc_root(doc), &v);
        ck_assert_msg(got == cases[i].is_number, "%s: number? %d", cases[i].text, got);
        if (got)
            ck_assert_double_eq(v, cases[i].value);
        tco_ydoc_free(doc);
    }
}
END_TEST

START_TEST(test_places)
{
    tco_ydoc *doc;
    tco_error err;
    ck_assert_int_eq(parse("a:\n  b: 1\n  c: [x, y]\n", &doc, &err), TCO_OK);
    const tco_ynode *c = tco_ymap_get(tco_ymap_get(tco_ydoc_root(doc), "a"), "c");
    ck_assert_int_eq(c->line, 3);
    ck_assert_int_eq(c->col, 6);
    ck_assert_int_eq(c->val[1]->col, 10);
    tco_ydoc_free(doc);
}
END_TEST

static void expect_error(const char *text, tco_status code, const char *needle)
{
    tco_ydoc *doc;
    tco_error err;
    tco_status st = tco_ydoc_parse(&doc, "y.yaml", text, strlen(text), &err);
    ck_assert_msg(st == code, "status %d, expected %d (%s)", st, code, err.msg);
    ck_assert_ptr_null(doc);
    ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

START_TEST(test_errors)
{
    expect_error("a: [1, 2\nb: 3\n", TCO_EPARSE, "y.yaml:");
    expect_error("a: 1\na: 2\n", TCO_EPARSE, "y.yaml:2:1: duplicate key 'a'");
    expect_error("", TCO_EPARSE, "empty file");
    expect_error("# only a comment\n", TCO_EPARSE, "empty file");
    expect_error("a: *nothing\n", TCO_EPARSE, "alias *nothing");
    expect_error("a: 1\n---\nb: 2\n", TCO_EPARSE, "second");
    expect_error("? [1, 2]\n: 3\n", TCO_EPARSE, "plain name");
    static const char bin[] = "a: 1\0\1\2";
    tco_ydoc *doc;
    tco_error err;
    ck_assert_int_eq(tco_ydoc_parse(&doc, "b.bin", bin, sizeof bin, &err), TCO_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "binary"));
    ck_assert_int_eq(tco_ydoc_read_file(&doc, "/nonexistent/x.yaml", &err), TCO_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
}
END_TEST

/* 200 KB of nesting must be refused quickly, not parsed for half a minute. */
START_TEST(test_depth_limit)
{
    size_t n = 200000;
    char *text = malloc(n + 1);
    memset(text, '[', n);
    text[n] = '\0';
    clock_t t0 = clock();
    expect_error(text, TCO_ELIMIT, "nesting deeper than 64");
    ck_assert_msg((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0, "took too long");
    free(text);
}
END_TEST

/* The "billion laughs": nine levels of ten aliases each. */
START_TEST(test_alias_bomb)
{
    char text[4096] = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; i++) {
        char line[256];
        snprintf(line, sizeof line, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                 i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(text, line);
    }
    expect_error(text, TCO_ELIMIT, "past 200000 nodes");
    /* A modest alias is fine and expands to a copy. */
    tco_ydoc *doc;
    tco_error err;
    ck_assert_int_eq(parse("base: &b {x: 1}\nother: *b\n", &doc, &err), TCO_OK);
    double v;
    ck_assert(tco_ynumber(tco_ymap_get(tco_ymap_get(tco_ydoc_root(doc), "other"), "x"), &v));
    ck_assert_double_eq(v, 1);
    tco_ydoc_free(doc);
}
END_TEST

START_TEST(test_set)
{
    tco_ydoc *doc, *val;
    tco_error err;
    ck_assert_int_eq(parse("demand: {requests_per_month: 5}\n", &doc, &err), TCO_OK);
    ck_assert_int_eq(tco_ydoc_parse(&val, "--set", "{dist: normal, mean: 0.3, sd: 0.1}", 34, &err),
                     TCO_OK);
    ck_assert_int_eq(tco_ydoc_set(doc, "demand.growth_annual", tco_ydoc_root(val), &err), TCO_OK);
    const tco_ynode *g = tco_ymap_get(tco_ymap_get(tco_ydoc_root(doc), "demand"), "growth_annual");
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(tco_ymap_get(g, "dist")->str, "normal");
    ck_assert_int_eq(tco_ydoc_set(doc, "demand.requests_per_month.x", tco_ydoc_root(val), &err),
                     TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a mapping"));
    tco_ydoc_free(val);
    tco_ydoc_free(doc);
}
END_TEST

START_TEST(test_nearest)
{
    const char *const keys[] = {"requests_per_month", "growth_annual", "volatility_annual"};
    ck_assert_str_eq(tco_ynearest("growth_anual", keys, 3), "growth_annual");
    ck_assert_str_eq(tco_ynearest("volatility", keys, 3), "volatility_annual");
    ck_assert_ptr_null(tco_ynearest("zzz", keys, 3));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("yamldoc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_places);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_alias_bomb);
    tcase_add_test(tc, test_set);
    tcase_add_test(tc, test_nearest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
