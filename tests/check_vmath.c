/* exp over arrays (sim/vmath.h): its error against long double's expl,
 * in units in the last place, over the range it computes itself; the
 * arguments it leaves to libm; the AVX2 and SSE2 lanes against the plain C
 * path. */
#include "testutil.h"

#include <float.h>
#include <stdint.h>

#include "../sim/rng.h"
#include "../sim/vmath.h"

/* |y - exact| in units of the last place of exact's double binade. */
static double ulps(double y, long double exact)
{
    int e;
    frexpl(exact, &e);
    long double ulp = ldexpl(1.0L, e - DBL_MANT_DIG);
    return (double)(fabsl((long double)y - exact) / ulp);
}

static double worst_over(const double *x, size_t n, double *where)
{
    double *y = malloc(n * sizeof *y), worst = 0;
    ck_assert_ptr_nonnull(y);
    tco_vmath_exp(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double u = ulps(y[i], expl((long double)x[i]));
        if (u > worst) {
            worst = u;
            *where = x[i];
        }
    }
    free(y);
    return worst;
}

/* Within 0.55 of a unit in the last place (0.517 measured; a correctly
 * rounded exp is within a half): over the whole range, near 0 (where
 * k = 0 and the series alone is the result), and at the edges of the
 * reduction, odd multiples of ln(2) / 128, where |r| is largest and k may
 * round either way.  Without the table's low parts the worst is 1.0. */
START_TEST(test_exp_error)
{
    enum { N = 1 << 20 };
    double *x = malloc(N * sizeof *x), where = 0;
    ck_assert_ptr_nonnull(x);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 2026, 11);
    const double ranges[3] = {700, 1, 1e-3};
    for (int g = 0; g < 3; g++) {
        for (size_t i = 0; i < N; i++)
            x[i] = ranges[g] * (2 * tco_rng_uniform(&r) - 1);
        double w = worst_over(x, N, &where);
        if (getenv("TCO_VMATH_REPORT"))
            fprintf(stderr, "range +-%g: worst %.3f ulp\n", ranges[g], w);
        ck_assert_msg(w <= 0.55, "range +-%g: %.3f ulp at %a", ranges[g], w, where);
    }
    for (size_t i = 0; i < N; i++) {
        long k = (long)(i % 129281) - 64640;
        double edge = (k + 0.5) * (0.693147180559945309417 / 64);
        x[i] = edge * (1 + 1e-15 * (2 * tco_rng_uniform(&r) - 1));
    }
    double w = worst_over(x, N, &where);
    if (getenv("TCO_VMATH_REPORT"))
        fprintf(stderr, "edges: worst %.3f ulp\n", w);
    ck_assert_msg(w <= 0.55, "edges of the reduction: %.3f ulp at %a", w, where);
    free(x);
}
END_TEST

/* Known values: exp(0) = 1 exactly, exp(1) = e and exp(ln 2 * 10) = 1024
 * to the last place; beyond +-700, NaN and the infinities, libm's own
 * result. */
START_TEST(test_exp_values)
{
    double x[] = {0.0, -0.0, 1.0, 10 * 0.693147180559945309417, -1.0};
    double y[5];
    tco_vmath_exp(y, x, 5);
    ck_assert(y[0] == 1.0 && y[1] == 1.0);
    ck_assert_msg(ulps(y[2], 2.718281828459045235360287471352662498L) <= 1.0, "%a", y[2]);
    ck_assert_msg(fabs(y[3] - 1024) <= 4 * 1024 * DBL_EPSILON, "%a", y[3]);
    ck_assert_msg(ulps(y[4], 0.367879441171442321595523770161460867L) <= 1.0, "%a", y[4]);
    double big[] = {700.0, 700.5, 709.78, 710.0, -700.0, -701.0, -708.5, -745.0, -746.0,
                    INFINITY, -INFINITY, NAN, 1e308, -1e308};
    size_t nb = sizeof big / sizeof *big;
    double yb[sizeof big / sizeof *big];
    tco_vmath_exp(yb, big, nb);
    ck_assert_msg(ulps(yb[0], expl(700.0L)) <= 1.0, "%a", yb[0]);
    ck_assert_msg(ulps(yb[4], expl(-700.0L)) <= 1.0, "%a", yb[4]);
    for (size_t i = 0; i < nb; i++) {
        if (fabs(big[i]) <= 700)
            continue;
        double e = exp(big[i]);
        ck_assert_msg(memcmp(&yb[i], &e, sizeof e) == 0 || (isnan(yb[i]) && isnan(e)),
                      "exp(%g) = %a, libm %a", big[i], yb[i], e);
    }
    ck_assert(isinf(yb[3]) && yb[3] > 0 && yb[7] > 0 && yb[8] == 0 && isnan(yb[11]));
}
END_TEST

/* Every element, whatever its place in the array (in a lane pair, or the
 * odd one out, or next to an argument left to libm), and in place. */
START_TEST(test_exp_lanes)
{
    enum { N = 37 };
    double x[N], y[N], one[N], z[N];
    for (int i = 0; i < N; i++)
        x[i] = (i == 10 ? 800.0 : (i - 18) * 3.1 + 0.01 * i);
    tco_vmath_exp(y, x, N);
    for (int i = 0; i < N; i++)
        tco_vmath_exp(&one[i], &x[i], 1);
    memcpy(z, x, sizeof z);
    tco_vmath_exp(z, z, N);
    ck_assert(memcmp(y, one, sizeof y) == 0);
    ck_assert(memcmp(y, z, sizeof y) == 0);
    ck_assert(isinf(y[10]));
    for (int i = 0; i < N; i++)
        if (i != 10)
            ck_assert_msg(ulps(y[i], expl((long double)x[i])) <= 1.0, "%d: %a", i, y[i]);
}
END_TEST

/* Four lanes (AVX2, where the processor has it), two (SSE2) and one (plain
 * C) give the same bits: a million arguments over the whole range and at
 * the reduction's edges, with some beyond +-700, infinite and NaN (left to
 * libm) among them, in arrays of every length up to 9 and one long one. */
START_TEST(test_exp_widths)
{
    enum { N = 1 << 20 };
    double *x = malloc(N * sizeof *x), *y[3];
    ck_assert_ptr_nonnull(x);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 2026, 12);
    for (size_t i = 0; i < N; i++) {
        double u = 2 * tco_rng_uniform(&r) - 1;
        long k = (long)(i % 129281) - 64640;
        x[i] = i % 3 == 0 ? 700 * u
             : i % 3 == 1 ? (k + 0.5) * (0.693147180559945309417 / 64) * (1 + 1e-15 * u)
                          : 1e-3 * u;
        if (i % 1001 == 0)
            x[i] = i % 2 ? 800 * u : i % 3 ? INFINITY : NAN;
    }
    const int widths[3] = {4, 2, 1};
    fprintf(stderr, "check_vmath: %d lanes on this processor\n", tco_vmath_lanes());
    for (int w = 0; w < 3; w++) {
        tco_vmath_limit_lanes(widths[w]);
        ck_assert_int_le(tco_vmath_lanes(), widths[w]);
        ck_assert_ptr_nonnull(y[w] = malloc(N * sizeof *y[w]));
        tco_vmath_exp(y[w], x, N);
        /* Short arrays, each from its own place. */
        for (size_t len = 1, at = 0; len <= 9; at += len, len++)
            tco_vmath_exp(y[w] + at, x + at, len);
    }
    tco_vmath_limit_lanes(4);
    for (int w = 1; w < 3; w++)
        for (size_t i = 0; i < N; i++)
            ck_assert_msg(memcmp(&y[0][i], &y[w][i], sizeof(double)) == 0,
                          "exp(%a): %a in %d lanes, %a in %d", x[i], y[0][i], widths[0],
                          y[w][i], widths[w]);
    for (int w = 0; w < 3; w++)
        free(y[w]);
    free(x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vmath");
    TCase *tc = tcase_create("exp");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_exp_error);
    tcase_add_test(tc, test_exp_values);
    tcase_add_test(tc, test_exp_lanes);
    tcase_add_test(tc, test_exp_widths);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
