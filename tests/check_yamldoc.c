/* The bounded YAML reader: numbers in YAML 1.2, places in messages, and the
 * limits that keep hostile files small and fast. */
#include "testutil.h"

#include <locale.h>
#include <stdio.h>
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

/* A list entry by its 0-based index (demand.schedule.1.multiplier). */
START_TEST(test_set_sequence)
{
    tco_ydoc *doc, *val;
    tco_error err;
    ck_assert_int_eq(parse("s: [{m: 1}, {m: 2}, 7]\n", &doc, &err), TCO_OK);
    ck_assert_int_eq(tco_ydoc_parse(&val, "--set", "0.5", 3, &err), TCO_OK);
    ck_assert_int_eq(tco_ydoc_set(doc, "s.1.m", tco_ydoc_root(val), &err), TCO_OK);
    const tco_ynode *s = tco_ymap_get(tco_ydoc_root(doc), "s");
    ck_assert_str_eq(tco_ymap_get(s->val[1], "m")->str, "0.5");
    ck_assert_str_eq(tco_ymap_get(s->val[0], "m")->str, "1");
    ck_assert_int_eq(tco_ydoc_set(doc, "s.2", tco_ydoc_root(val), &err), TCO_OK);
    ck_assert_str_eq(s->val[2]->str, "0.5");
    ck_assert_int_eq(tco_ydoc_set(doc, "s.3.m", tco_ydoc_root(val), &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "--set s.3.m: s has 3 entries (0 to 2)"), "%s", err.msg);
    ck_assert_int_eq(tco_ydoc_set(doc, "s.m", tco_ydoc_root(val), &err), TCO_EINVAL);
    ck_assert_msg(strstr(err.msg, "inside a sequence, not a mapping"), "%s", err.msg);
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

/* Issue 7 #2: a host program that sets a German locale must still read
 * 2.5 as 2.5 (strtod alone reads 2, and stops at the '.').  Skips, saying
 * so, when the machine has no de_DE.UTF-8 locale (.ci/run creates it). */
START_TEST(test_numbers_ignore_locale)
{
    if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
        fprintf(stderr, "SKIP test_numbers_ignore_locale: no de_DE.UTF-8 locale "
                        "(create it with: localedef -i de_DE -f UTF-8 de_DE.UTF-8)\n");
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", 2.5);
    ck_assert_msg(strcmp(buf, "2,5") == 0, "the locale is not active: %s", buf);
    const char *texts[] = {"2.5", "1.5e6", "-0.125", ".5"};
    const double want[] = {2.5, 1.5e6, -0.125, 0.5};
    for (size_t i = 0; i < 4; i++) {
        tco_ydoc *doc;
        tco_error err;
        ck_assert_int_eq(parse(texts[i], &doc, &err), TCO_OK);
        double v = 0;
        ck_assert_msg(tco_ynumber(tco_ydoc_root(doc), &v), "%s is not a number", texts[i]);
        ck_assert_msg(v == want[i], "%s read as %.17g", texts[i], v);
        tco_ydoc_free(doc);
    }
    /* "2,5" is not a YAML number in any locale. */
    tco_ydoc *doc;
    tco_error err;
    double v;
    ck_assert_int_eq(parse("2,5", &doc, &err), TCO_OK);
    ck_assert(!tco_ynumber(tco_ydoc_root(doc), &v));
    tco_ydoc_free(doc);
    setlocale(LC_ALL, "C");
}
END_TEST

/* Fuzz #13: a tagged string is text, hex beyond 64 bits is not a number. */
START_TEST(test_tags_and_wide_integers)
{
    struct {
        const char *text;
        int is_number;
        double value;
    } cases[] = {{"!!str 2.5", 0, 0},
                 {"!!float 2.5", 1, 2.5},
                 {"!!int 7", 1, 7},
                 {"!custom 3", 0, 0},
                 {"0xFFFFFFFFFFFFFFFF", 1, 18446744073709551615.0},
                 {"0x10000000000000000", 0, 0},
                 {"0o7777777777777777777777", 0, 0},
                 {"0o1777777777777777777777", 1, 18446744073709551615.0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tco_ydoc *doc;
        tco_error err;
        ck_assert_msg(parse(cases[i].text, &doc, &err) == TCO_OK, "%s", err.msg);
        double v = 0;
        int got = tco_ynumber(tco_ydoc_root(doc), &v);
        ck_assert_msg(got == cases[i].is_number, "%s: number? %d (%.17g)", cases[i].text, got, v);
        if (got)
            ck_assert_double_eq(v, cases[i].value);
        tco_ydoc_free(doc);
    }
}
END_TEST

/* Builds "k0: v\nk1: v\n..." (n keys) into a malloc'd string. */
static char *many_keys(size_t n, int anchors)
{
    char *text = malloc(n * 40 + 64);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!anchors)
            len += (size_t)sprintf(text + len, "k%zu: %zu\n", i, i);
        else if (i % 2 == 0)
            len += (size_t)sprintf(text + len, "k%zu: &a%zu %zu\n", i, i, i);
        else /* each alias names an anchor far back, as a linear search hates */
            len += (size_t)sprintf(text + len, "k%zu: *a%zu\n", i, (i / 2 % 2) ? i - 1 : (i - 1) / 2 & ~(size_t)1);
    }
    text[len] = '\0';
    return text;
}

/* Fuzz #7: 99,000 keys in one map, and 45,000 anchors with 45,000 aliases,
 * load in linear time.  (Before, the duplicate-key check compared every pair
 * and each alias searched every anchor: 99 s and 195 s.  No wall time is
 * asserted; these sizes made the old code run for minutes.) */
START_TEST(test_large_maps_and_anchors)
{
    tco_ydoc *doc;
    tco_error err;
    char *text = many_keys(99000, 0);
    ck_assert_msg(parse(text, &doc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_uint_eq(tco_ydoc_root(doc)->n, 99000);
    tco_ydoc_free(doc);
    /* A repeated key at the very end is still found, with its first place. */
    size_t len = strlen(text);
    text = realloc(text, len + 32);
    strcpy(text + len, "k17: again\n");
    expect_error(text, TCO_EPARSE, "y.yaml:99001:1: duplicate key 'k17' (first at line 18)");
    free(text);

    text = many_keys(90000, 1);
    ck_assert_msg(parse(text, &doc, &err) == TCO_OK, "%s", err.msg);
    const tco_ynode *root = tco_ydoc_root(doc);
    ck_assert_uint_eq(root->n, 90000);
    double v;
    ck_assert(tco_ynumber(tco_ymap_get(root, "k89999"), &v));
    ck_assert_double_eq(v, 89998); /* k89999: *a89998 */
    ck_assert(tco_ynumber(tco_ymap_get(root, "k1"), &v));
    ck_assert_double_eq(v, 0);
    tco_ydoc_free(doc);
    free(text);
    /* A later anchor of the same name hides the earlier one. */
    ck_assert_int_eq(parse("a: &x 1\nb: &x 2\nc: *x\n", &doc, &err), TCO_OK);
    ck_assert(tco_ynumber(tco_ymap_get(tco_ydoc_root(doc), "c"), &v));
    ck_assert_double_eq(v, 2);
    tco_ydoc_free(doc);
}
END_TEST

/* Sweeps set numbers in the tree exactly, without printing them. */
START_TEST(test_set_number)
{
    tco_ydoc *doc;
    tco_error err;
    ck_assert_int_eq(parse("demand: {requests_per_month: 5}\n", &doc, &err), TCO_OK);
    const double values[] = {0.1 + 0.2, 1.0 / 3, 5e-324, -1.7976931348623157e308};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(tco_ydoc_set_number(doc, "demand.growth_annual", values[i], "--vary g", &err),
                         TCO_OK);
        const tco_ynode *g = tco_ymap_get(tco_ymap_get(tco_ydoc_root(doc), "demand"), "growth_annual");
        double v;
        ck_assert(tco_ynumber(g, &v));
        ck_assert_msg(memcmp(&v, &values[i], sizeof v) == 0, "%.17g became %.17g", values[i], v);
        ck_assert_str_eq(g->file, "--vary g");
    }
    ck_assert_int_eq(tco_ydoc_set_number(doc, "demand.x", NAN, "--vary x", &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "finite"));
    ck_assert_ptr_nonnull(err.origin_file); /* raised with TCO_RETURN_ERROR_IF */
    ck_assert_int_gt(err.origin_line, 0);
    tco_ydoc_free(doc);
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
    tcase_add_test(tc, test_set_sequence);
    tcase_add_test(tc, test_nearest);
    tcase_add_test(tc, test_numbers_ignore_locale);
    tcase_add_test(tc, test_tags_and_wide_integers);
    tcase_add_test(tc, test_large_maps_and_anchors);
    tcase_add_test(tc, test_set_number);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
