/* The board pack's words (boardpack.c): input paths in words and input
 * values in readable units.  The pages themselves are read back from the
 * PDF by tests/board/run.sh. */
#include "testutil.h"

#include <math.h>

#include "../sim/boardpack.h"

START_TEST(test_path_words)
{
    char buf[256];
    tco_path_words("backends.llama-70b.gpu.hour_price", buf, sizeof buf);
    ck_assert_str_eq(buf, "llama-70b \xE2\x80\xBA gpu \xE2\x80\xBA hour price");
    tco_path_words("demand.growth_annual", buf, sizeof buf);
    ck_assert_str_eq(buf, "demand \xE2\x80\xBA growth annual");
    /* A section with nothing after its name keeps it. */
    tco_path_words("events.audit", buf, sizeof buf);
    ck_assert_str_eq(buf, "events \xE2\x80\xBA audit");
    /* Cut short, never past the buffer. */
    tco_path_words("demand.requests_per_month", buf, 12);
    ck_assert_uint_lt(strlen(buf), 12);
    ck_assert_str_eq(buf, "demand");
}
END_TEST

static void check(const char *path, double x, const char *want, const char *want_unit)
{
    char buf[64];
    const char *unit = NULL;
    tco_input_value_words(path, x, buf, sizeof buf, &unit);
    ck_assert_msg(strcmp(buf, want) == 0, "%s = %g: got '%s', expected '%s'", path, x, buf, want);
    ck_assert_msg(strcmp(unit, want_unit) == 0, "%s: unit '%s', expected '%s'", path, unit,
                  want_unit);
}

START_TEST(test_value_words)
{
    /* 999,999.99 rounds to 1.00e6 at three digits: "1M" (tco_format_money
     * alone gives "1e+03k"). */
    check("demand.requests_per_month", 999999.99, "1M", "");
    check("demand.requests_per_month", 2084900, "2.08M", "");
    check("backends.gpu.gpu.hour_price", 2.1582, "2.16", "money");
    check("backends.gpu.staff.cost_per_fte_year", 162020, "162k", "money");
    check("workloads.chat.share", 0.75, "75%", "%");
    check("demand.growth_annual", -0.2, "-20%", "%");
    check("backends.gpu.success_rate.docs", 0.9058, "90.6%", "%");
    check("events.hike.effect.price_multiplier.factor", 1.335, "\xC3\x97" "1.33", "\xC3\x97");
    /* Counts under money-like names stay counts. */
    check("backends.api.price_shocks.rate_per_year", 1, "1", "");
    check("backends.gpu.staff.base_fte", 2.1912, "2.19", "");
    check("backends.gpu.setup.months", 3.2552, "3.26", "");
    check("backends.api.input_price_per_mtok", 0.4, "0.4", "money");
    check("workloads.docs.input_tokens", 5127.4, "5130", "");
    check("demand.requests_per_month", NAN, "n/a", "");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("boardpack");
    TCase *tc = tcase_create("words");
    tcase_add_test(tc, test_path_words);
    tcase_add_test(tc, test_value_words);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
