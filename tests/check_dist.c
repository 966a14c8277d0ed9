/* Distributions and random streams against closed forms.  Every
 * statistical check states its tolerance in standard errors (4 SE: a false
 * alarm about once in 16,000 checks) and uses a fixed seed. */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <omp.h>

#include "../sim/dist.h"
#include "../sim/rng.h"

#define N 200000

static tco_status parse(const char *text, tco_dist *d, const tco_domain *dom, tco_error *err)
{
    tco_ydoc *doc;
    tco_status st = tco_ydoc_parse(&doc, "d.yaml", text, strlen(text), err);
    if (st != TCO_OK)
        return st;
    st = tco_dist_parse(d, tco_ydoc_root(doc), "x", dom, err);
    tco_ydoc_free(doc);
    return st;
}

typedef struct {
    const char *yaml;
    double mean, sd;
    double (*cdf)(double x, const double *p);
    double p[4];
} dcase;

static double cdf_uniform(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double cdf_normal(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double cdf_lognormal(double x, const double *p) { return gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double cdf_triangular(double x, const double *p)
{
    double a = p[0], c = p[1], b = p[2];
    if (x <= a)
        return 0;
    if (x >= b)
        return 1;
    if (x <= c)
        return (x - a) * (x - a) / ((b - a) * (c - a));
    return 1 - (b - x) * (b - x) / ((b - a) * (b - c));
}
static double cdf_beta(double x, const double *p)
{
    return gsl_cdf_beta_P((x - p[2]) / (p[3] - p[2]), p[0], p[1]);
}
static double cdf_gamma(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }
static double cdf_discrete(double x, const double *p)
{
    (void)p; /* values 1, 2, 5 with weights 1, 2, 1 */
    return x < 1 ? 0 : x < 2 ? 0.25 : x < 5 ? 0.75 : 1;
}

/* PERT(1.9, 2.5, 4): alpha = 1 + 4 * 0.6 / 2.1, beta = 1 + 4 * 1.5 / 2.1. */
#define PA (1 + 4 * 0.6 / 2.1)
#define PB (1 + 4 * 1.5 / 2.1)
/* lognormal p10/p90 = 1200/3500. */
#define LMU 7.625297541626798 /* (ln 1200 + ln 3500) / 2 */
#define LSIG 0.417634924610688 /* (ln 3500 - ln 1200) / (2 * 1.2815516) */

/* Means and standard deviations are literals, computed outside this code by
 * numerical integration of the density (midpoint rule, 2e6 cells), so a
 * wrong moment formula in dist.c cannot agree with itself here. */
static const dcase CASES[] = {
    {"{dist: uniform, min: -2.5, max: 7.25}", 2.375, 2.8145825622994254, cdf_uniform,
     {-2.5, 7.25}},
    {"{dist: normal, mean: 2.385, sd: 0.73}", 2.385, 0.73, cdf_normal, {2.385, 0.73}},
    {"{dist: lognormal, p10: 1200, p90: 3500}", 2236.1412581247328, 976.1319338865377,
     cdf_lognormal, {LMU, LSIG}},
    /* The moment form: the file states the mean and sd themselves. */
    {"{dist: lognormal, mean: 5.0e6, sd: 2.0e6}", 5e6, 2e6, cdf_lognormal, {0, 0}},
    {"{dist: triangular, min: 1, mode: 2.5, max: 7}", 3.5, 1.274754878398483, cdf_triangular,
     {1, 2.5, 7}},
    {"{dist: pert, min: 1.9, mode: 2.5, max: 4.0}", 2.65, 0.38031941462785085, cdf_beta,
     {PA, PB, 1.9, 4.0}},
    {"{dist: beta, alpha: 0.7, beta: 2.3, min: 10, max: 20}", 10 + 10 * 0.7 / 3.0,
     2.1147629234082532, cdf_beta, {0.7, 2.3, 10, 20}},
    {"{dist: gamma, shape: 2.2, scale: 3.7}", 2.2 * 3.7, 5.487986880450791 /* sqrt(2.2) * 3.7 */, cdf_gamma, {2.2, 3.7}},
    {"{dist: discrete, values: [5, 1, 2], weights: [1, 1, 2]}", 2.5, 1.5, cdf_discrete, {0}},
};

START_TEST(test_moments_and_quantiles)
{
    const dcase *c = &CASES[_i];
    tco_dist d;
    tco_error err;
    ck_assert_msg(parse(c->yaml, &d, &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
    double p[4];
    memcpy(p, c->p, sizeof p);
    if (d.kind == TCO_DIST_LOGNORMAL && p[1] == 0) {
        /* Moment form: sigma^2 = ln(1 + sd^2/mean^2), mu = ln mean - sigma^2/2. */
        double s2 = log(1 + 0.16);
        p[0] = log(5e6) - s2 / 2;
        p[1] = sqrt(s2);
    }
    double mean = c->mean, sd = c->sd;
    ck_close(tco_dist_mean(&d), mean, 1e-9);
    ck_close(tco_dist_sd(&d), sd, 1e-9);

    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 2385, (uint64_t)_i);
    double *x = malloc(N * sizeof *x);
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += x[i] = tco_dist_quantile(&d, tco_rng_uniform(&r));
    double m = sum / N, ss = 0, s4 = 0;
    for (int i = 0; i < N; i++) {
        double e = (x[i] - m) * (x[i] - m);
        ss += e;
        s4 += e * e;
    }
    double var = ss / (N - 1), m4 = s4 / N;
    ck_assert_msg(fabs(m - mean) <= 4 * sd / sqrt(N), "%s: mean %.8g, expected %.8g (4 SE = %.3g)",
                  c->yaml, m, mean, 4 * sd / sqrt(N));
    double se_var = sqrt((m4 - var * var) / N);
    ck_assert_msg(fabs(var - sd * sd) <= 4 * se_var, "%s: variance %.8g, expected %.8g", c->yaml,
                  var, sd * sd);
    /* Quantiles: the share of draws at or below the exact quantile. */
    const double ps[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    /* Discrete: values 1, 2, 5 with probabilities 1/4, 1/2, 1/4, so by hand
     * the quantiles are 1, 1, 2, 2, 5 and the CDF there 1/4, 1/4, 3/4, 3/4, 1. */
    const double dq[] = {1, 1, 2, 2, 5}, dcdf[] = {0.25, 0.25, 0.75, 0.75, 1};
    for (size_t k = 0; k < 5; k++) {
        double q = tco_dist_quantile(&d, ps[k]);
        double want = ps[k];
        if (d.kind == TCO_DIST_DISCRETE) {
            ck_assert_msg(q == dq[k], "discrete quantile %.2f = %g, expected %g", ps[k], q, dq[k]);
            want = dcdf[k];
        } else {
            ck_close(c->cdf(q, p), want, 1e-7);
        }
        int below = 0;
        for (int i = 0; i < N; i++)
            below += x[i] <= q;
        double share = (double)below / N, se = sqrt(want * (1 - want) / N);
        ck_assert_msg(fabs(share - want) <= 4 * se + 1e-12, "%s: P(X <= q%.2f) = %.5f", c->yaml,
                      ps[k], share);
    }
    free(x);
    tco_dist_clear(&d);
}
END_TEST

START_TEST(test_lognormal_percentile_forms)
{
    tco_dist d;
    tco_error err;
    ck_assert_int_eq(parse("{dist: lognormal, p10: 2.0e6, p90: 8.0e6}", &d, &TCO_DOM_POS, &err), TCO_OK);
    ck_close(tco_dist_quantile(&d, 0.10), 2.0e6, 1e-7);
    ck_close(tco_dist_quantile(&d, 0.90), 8.0e6, 1e-7);
    ck_close(tco_dist_quantile(&d, 0.50), 4.0e6, 1e-12);
    tco_dist_clear(&d);
    ck_assert_int_eq(parse("{dist: lognormal, p5: 0.5, p95: 4.5}", &d, &TCO_DOM_POS, &err), TCO_OK);
    ck_close(tco_dist_quantile(&d, 0.05), 0.5, 1e-7);
    ck_close(tco_dist_quantile(&d, 0.95), 4.5, 1e-7);
    ck_close(tco_dist_quantile(&d, 0.50), 1.5, 1e-12);
    tco_dist_clear(&d);
}
END_TEST

/* The tabulated beta and gamma quantiles against GSL's exact inverses. */
START_TEST(test_tabulated_quantiles)
{
    const char *texts[] = {"{dist: pert, min: 1, mode: 1, max: 4}",
                           "{dist: pert, min: 0.6, mode: 0.8, max: 0.9}",
                           "{dist: beta, alpha: 0.5, beta: 0.5}",
                           "{dist: beta, alpha: 30, beta: 2.5, min: -1, max: 3}",
                           "{dist: gamma, shape: 0.4, scale: 2}",
                           "{dist: gamma, shape: 9, scale: 0.5}"};
    for (size_t c = 0; c < sizeof texts / sizeof *texts; c++) {
        tco_dist d;
        tco_error err;
        ck_assert_int_eq(parse(texts[c], &d, &TCO_DOM_ANY, &err), TCO_OK);
        double lo, hi, worst = 0;
        tco_dist_support(&d, &lo, &hi);
        double range = isfinite(hi) ? hi - lo : tco_dist_sd(&d);
        for (int i = 1; i < 20000; i++) {
            double u = i / 20000.0;
            if (i % 7 == 0)
                u = pow(10, -1 - i % 12); /* the far lower tail */
            double exact = d.kind == TCO_DIST_GAMMA
                               ? gsl_cdf_gamma_Pinv(u, d.alpha, d.beta)
                               : d.a + (d.b - d.a) * gsl_cdf_beta_Pinv(u, d.alpha, d.beta);
            double err_ = fabs(tco_dist_quantile(&d, u) - exact) / range;
            worst = err_ > worst ? err_ : worst;
        }
        ck_assert_msg(worst < 1e-7, "%s: worst relative error %.3g", texts[c], worst);
        tco_dist_clear(&d);
    }
}
END_TEST

static void expect_error(const char *text, const tco_domain *dom, const char *needle)
{
    tco_dist d;
    tco_error err;
    tco_status st = parse(text, &d, dom, &err);
    ck_assert_msg(st != TCO_OK, "%s: accepted", text);
    ck_assert_msg(strstr(err.msg, needle), "%s: message '%s' lacks '%s'", text, err.msg, needle);
    ck_assert_msg(strstr(err.msg, "d.yaml:1:"), "%s: message '%s' has no place", text, err.msg);
}

START_TEST(test_parse_errors)
{
    expect_error("{dist: lognormal, p10: 9, p90: 3}", &TCO_DOM_POS, "0 < p10 < p90");
    expect_error("{dist: lognormal, p10: 3, p90: 3}", &TCO_DOM_POS, "0 < p10 < p90");
    expect_error("{dist: normal, mean: 1, sd: -0.3}", &TCO_DOM_ANY, "sd > 0 (got -0.3)");
    expect_error("{dist: normal, mean: 1, sd: 0}", &TCO_DOM_ANY, "sd > 0");
    expect_error("{dist: pert, min: 3, mode: 2, max: 5}", &TCO_DOM_ANY, "min <= mode");
    expect_error("{dist: triangular, min: 1, mode: 6, max: 5}", &TCO_DOM_ANY, "mode <= max");
    expect_error("{dist: uniform, min: 5, max: 5}", &TCO_DOM_ANY, "min < max");
    expect_error("{dist: prt, min: 1, mode: 2, max: 3}", &TCO_DOM_ANY, "did you mean pert?");
    expect_error("{dist: normal, mean: 1, sdd: 2}", &TCO_DOM_ANY, "did you mean sd?");
    expect_error("{dist: normal, mean: 1}", &TCO_DOM_ANY, "needs 'sd'");
    expect_error("{dist: uniform, min: -2, max: -1}", &TCO_DOM_NONNEG, "must be >= 0");
    expect_error("{dist: uniform, min: -1, max: 0}", &TCO_DOM_POS, "must be > 0");
    expect_error("-3", &TCO_DOM_NONNEG, "must be >= 0");
    expect_error("1_000", &TCO_DOM_ANY, "no '_'");
    expect_error("'12'", &TCO_DOM_ANY, "expected a number");
    expect_error("{dist: discrete, values: [1, 2], weights: [1]}", &TCO_DOM_ANY, "one per value");
    expect_error("{dist: discrete, values: [1, 2], weights: [0, 0]}", &TCO_DOM_ANY, "add up to 0");
    expect_error("{dist: lognormal, p10: 1, p90: 3, mean: 2, sd: 1}", &TCO_DOM_POS, "not both");
    expect_error("{dist: gamma, shape: 0, scale: 1}", &TCO_DOM_ANY, "shape > 0");
    expect_error("{dist: beta, alpha: 1, beta: 1, min: 2, max: 1}", &TCO_DOM_ANY, "min < max");
    expect_error("{mean: 1, sd: 1}", &TCO_DOM_ANY, "needs a 'dist' key");
    expect_error("[1, 2]", &TCO_DOM_ANY, "got a sequence");
    expect_error(".nan", &TCO_DOM_ANY, "finite");
}
END_TEST

/* Fuzz #13: weights near DBL_MAX overflow their sum; both values must
 * still be drawn, half the time each. */
START_TEST(test_discrete_huge_weights)
{
    tco_dist d;
    tco_error err;
    ck_assert_msg(parse("{dist: discrete, values: [3, 7], weights: [1e308, 1e308]}", &d,
                        &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
    ck_assert_double_eq(tco_dist_quantile(&d, 0.25), 3);
    ck_assert_double_eq(tco_dist_quantile(&d, 0.75), 7);
    ck_assert_double_eq(d.cum[0], 0.5);
    ck_close(tco_dist_mean(&d), 5, 1e-12);
    tco_dist_clear(&d);
}
END_TEST

/* Fuzz #7: 190,000 values given in descending order (the worst case of the
 * old insertion sort, which ran for over 300 s) load and sort. */
START_TEST(test_discrete_long_list)
{
    const size_t n = 190000;
    char *text = malloc(n * 12 + 64);
    size_t len = (size_t)sprintf(text, "{dist: discrete, values: [");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%s%zu", i ? ", " : "", n - i);
    strcpy(text + len, "]}");
    tco_dist d;
    tco_error err;
    ck_assert_msg(parse(text, &d, &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
    ck_assert_uint_eq(d.nvalues, n);
    for (size_t i = 0; i < n; i++)
        ck_assert(d.values[i] == (double)(i + 1));
    ck_assert_double_eq(tco_dist_quantile(&d, 0.5), 95000);
    tco_dist_clear(&d);
    free(text);
}
END_TEST

/* Fuzz #6: GSL's inverse CDFs fail at some table nodes (Beta(300, 2) at 21
 * of 2,049, Gamma(0.1) at 943, Beta(0.01, 0.5) at 902); every
 * quantile must still be finite, monotone and invert the CDF. */
START_TEST(test_tables_where_gsl_fails)
{
    const char *texts[] = {"{dist: beta, alpha: 300, beta: 2}", "{dist: gamma, shape: 0.1, scale: 1}",
                           "{dist: beta, alpha: 0.05, beta: 0.5}",
                           "{dist: beta, alpha: 10000, beta: 10000}"};
    for (size_t c = 0; c < sizeof texts / sizeof *texts; c++) {
        tco_dist d;
        tco_error err;
        ck_assert_msg(parse(texts[c], &d, &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
        double prev = -HUGE_VAL;
        int checked = 0;
        for (int i = 1; i < 4000; i++) {
            double u = i / 4000.0;
            double q = tco_dist_quantile(&d, u);
            /* Monotone up to rounding (subnormal quantiles of Beta(0.001,
             * 0.001) are interpolated in steps of 5e-324). */
            ck_assert_msg(isfinite(q) && q >= prev - (1e-12 * fabs(prev) + 1e-300),
                          "%s: Q(%g) = %g after %g", texts[c], u, q, prev);
            prev = q;
            /* Where the CDF is steep enough to resolve, F(Q(u)) = u. */
            double f = d.kind == TCO_DIST_GAMMA ? gsl_cdf_gamma_P(q, d.alpha, d.beta)
                                                : gsl_cdf_beta_P(q, d.alpha, d.beta);
            if (q > 1e-300 && q < 1 - 1e-12 && isfinite(f)) {
                ck_assert_msg(fabs(f - u) < 1e-6, "%s: F(Q(%g)) = %.9g", texts[c], u, f);
                checked++;
            }
        }
        ck_assert_int_gt(checked, 100);
        tco_dist_clear(&d);
    }
}
END_TEST

/* The plain path of a tabulated beta quantile: GSL's inverse at the nodes
 * around u, GSL's own density for their slopes (the table computes the
 * density's normalising constant once), cubic Hermite in logit(u) between
 * them, kept between the nodes.  For parameters where GSL's inverse is
 * good at every node, the table must give the same double. */
static double plain_beta_quantile(double a, double b, double u)
{
    const int nodes = 2049;
    const double vmax = 23, h = 2 * vmax / (nodes - 1);
    double pos = (log(u / (1 - u)) + vmax) / h;
    int j = (int)pos;
    double s = pos - j, q[2], dq[2];
    for (int k = 0; k < 2; k++) {
        double v = -vmax + (j + k) * h, uk = 1 / (1 + exp(-v));
        q[k] = gsl_cdf_beta_Pinv(uk, a, b);
        dq[k] = uk * (1 - uk) / gsl_ran_beta_pdf(q[k], a, b);
    }
    double s2 = s * s, s3 = s2 * s;
    double x = (2 * s3 - 3 * s2 + 1) * q[0] + (s3 - 2 * s2 + s) * h * dq[0] +
               (-2 * s3 + 3 * s2) * q[1] + (s3 - s2) * h * dq[1];
    return fmin(fmax(x, q[0]), q[1]);
}

START_TEST(test_table_equals_plain_path)
{
    const char *texts[] = {"{dist: beta, alpha: 2.3, beta: 4.1}",
                           "{dist: pert, min: 1.9, mode: 2.5, max: 4.0}",
                           "{dist: beta, alpha: 0.7, beta: 2.3}"};
    for (size_t c = 0; c < sizeof texts / sizeof *texts; c++) {
        tco_dist d;
        tco_error err;
        ck_assert_msg(parse(texts[c], &d, &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
        double scale = d.kind == TCO_DIST_PERT ? d.b - d.a : 1, lo = d.kind == TCO_DIST_PERT ? d.a : 0;
        for (int i = 1; i < 3000; i++) {
            double u = (i - 0.37) / 3000.0;
            double want = lo + scale * plain_beta_quantile(d.alpha, d.beta, u);
            double got = tco_dist_quantile(&d, u);
            ck_assert_msg(memcmp(&want, &got, sizeof got) == 0, "%s: Q(%.17g) = %.17g, plain %.17g",
                          texts[c], u, got, want);
            /* Located first (the sampler's way: tco_sample_uncertain). */
            got = tco_dist_quantile_at(&d, u, tco_dist_locate(&d, u));
            ck_assert_msg(memcmp(&want, &got, sizeof got) == 0,
                          "%s: Q(%.17g) located = %.17g, plain %.17g", texts[c], u, got, want);
        }
        tco_dist_clear(&d);
    }
}
END_TEST

/* tco_dist_quantile_at after tco_dist_locate, beyond a table's range
 * (GSL's inverse) and for the kinds without a table (their closed forms). */
START_TEST(test_located_quantiles)
{
    tco_dist d;
    tco_error err;
    ck_assert_msg(parse("{dist: beta, alpha: 2.3, beta: 4.1}", &d, &TCO_DOM_ANY, &err) == TCO_OK,
                  "%s", err.msg);
    const double tails[] = {1e-12, 1e-11, 1 - 1e-11, 1 - 1e-12};
    for (int i = 0; i < 4; i++) {
        double want = gsl_cdf_beta_Pinv(tails[i], 2.3, 4.1);
        double got = tco_dist_quantile_at(&d, tails[i], tco_dist_locate(&d, tails[i]));
        ck_assert_msg(fabs(got - want) <= 1e-12 * fabs(want), "Q(%g) = %.17g, GSL %.17g",
                      tails[i], got, want);
    }
    tco_dist_clear(&d);
    const double u = 0.8;
    ck_assert(parse("{dist: normal, mean: 3, sd: 2}", &d, &TCO_DOM_ANY, &err) == TCO_OK);
    ck_assert_double_eq_tol(tco_dist_quantile_at(&d, u, tco_dist_locate(&d, u)),
                            3 + 2 * gsl_cdf_ugaussian_Pinv(u), 1e-14);
    tco_dist_clear(&d);
    ck_assert(parse("{dist: uniform, min: 2, max: 6}", &d, &TCO_DOM_ANY, &err) == TCO_OK);
    ck_assert_double_eq_tol(tco_dist_quantile_at(&d, u, tco_dist_locate(&d, u)), 5.2, 1e-14);
    tco_dist_clear(&d);
    /* Triangular(0, 1, 1): Q(u) = sqrt(u). */
    ck_assert(parse("{dist: triangular, min: 0, mode: 1, max: 1}", &d, &TCO_DOM_ANY, &err) ==
              TCO_OK);
    ck_assert_double_eq_tol(tco_dist_quantile_at(&d, u, tco_dist_locate(&d, u)), sqrt(u), 1e-15);
    tco_dist_clear(&d);
}
END_TEST

/* A table is built on OpenMP's threads; it must not depend on their
 * number, also where GSL's inverse fails and nodes are bisected in order. */
START_TEST(test_table_thread_independent)
{
    const char *texts[] = {"{dist: beta, alpha: 300, beta: 2}", "{dist: gamma, shape: 0.1, scale: 1}",
                           "{dist: beta, alpha: 0.05, beta: 0.5}",
                           "{dist: pert, min: 1.9, mode: 2.5, max: 4.0}"};
    int saved = omp_get_max_threads();
    for (size_t c = 0; c < sizeof texts / sizeof *texts; c++) {
        tco_dist d[3];
        tco_error err;
        for (int k = 0; k < 3; k++) {
            omp_set_num_threads(k == 0 ? 1 : k == 1 ? 2 : 5);
            ck_assert_msg(parse(texts[c], &d[k], &TCO_DOM_ANY, &err) == TCO_OK, "%s", err.msg);
        }
        for (int i = 1; i < 5000; i++) {
            double u = i / 5000.0;
            if (i % 9 == 0)
                u = pow(10, -1 - i % 13);
            double q1 = tco_dist_quantile(&d[0], u), q2 = tco_dist_quantile(&d[1], u),
                   q5 = tco_dist_quantile(&d[2], u);
            ck_assert_msg(memcmp(&q1, &q2, sizeof q1) == 0 && memcmp(&q1, &q5, sizeof q1) == 0,
                          "%s: Q(%g) = %.17g (1 thread), %.17g (2), %.17g (5)", texts[c], u, q1,
                          q2, q5);
        }
        for (int k = 0; k < 3; k++)
            tco_dist_clear(&d[k]);
    }
    omp_set_num_threads(saved);
}
END_TEST

/* Fuzz #6: validate hung for minutes on pert {min: -1e308} (its alpha
 * overflowed to infinity inside GSL); shapes GSL cannot invert are refused
 * with the path and the bounds, and huge ranges either work or are refused. */
START_TEST(test_extreme_parameters)
{
    tco_dist d;
    tco_error err;
    ck_assert_msg(parse("{dist: pert, min: -1e308, mode: 0, max: 1}", &d, &TCO_DOM_ANY, &err) ==
                      TCO_OK, "%s", err.msg);
    ck_assert(isfinite(d.alpha) && isfinite(d.beta));
    ck_assert(isfinite(tco_dist_quantile(&d, 0.5)));
    tco_dist_clear(&d);
    expect_error("{dist: pert, min: -1e308, mode: 0, max: 1e308}", &TCO_DOM_ANY, "too far apart");
    expect_error("{dist: uniform, min: -1e308, max: 1e308}", &TCO_DOM_ANY, "too far apart");
    expect_error("{dist: beta, alpha: 1e6, beta: 1e6}", &TCO_DOM_ANY, "in [0.01, 100000]");
    expect_error("{dist: gamma, shape: 0.005, scale: 1}", &TCO_DOM_ANY, "in [0.01, 100000]");
    expect_error("{dist: pert, min: 1, mode: 2, max: 3, lambda: 1e9}", &TCO_DOM_ANY,
                 "lambda <= 10000");
}
END_TEST

/* Fuzz #7: aliased PERTs share one quantile table (a 44 KB file built one
 * table per use: 613 MB); the number of distinct tables is capped. */
START_TEST(test_table_cache)
{
    tco_dist_cache *cache = tco_dist_cache_alloc();
    ck_assert_ptr_nonnull(cache);
    tco_ydoc *doc;
    tco_error err;
    const char *text = "{dist: pert, min: 1, mode: 2, max: 4}";
    ck_assert_int_eq(tco_ydoc_parse(&doc, "d.yaml", text, strlen(text), &err), TCO_OK);
    tco_dist d[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(tco_dist_parse_cached(&d[i], tco_ydoc_root(doc), "x", &TCO_DOM_ANY, cache,
                                               &err), TCO_OK);
    ck_assert_ptr_eq(d[0].table, d[1].table);
    ck_assert_ptr_eq(d[1].table, d[2].table);
    tco_dist_cache_free(cache); /* the tables stay with their distributions */
    ck_assert_double_eq(tco_dist_quantile(&d[2], 0.5), tco_dist_quantile(&d[0], 0.5));
    for (int i = 0; i < 3; i++)
        tco_dist_clear(&d[i]);
    tco_ydoc_free(doc);
    /* More distinct tables than the cap are refused with a limit error. */
    cache = tco_dist_cache_alloc();
    tco_status st = TCO_OK;
    int made = 0;
    for (int i = 0; i < 1100 && st == TCO_OK; i++) {
        char t[128];
        snprintf(t, sizeof t, "{dist: pert, min: 0, mode: %d, max: 2000}", i + 1);
        ck_assert_int_eq(tco_ydoc_parse(&doc, "d.yaml", t, strlen(t), &err), TCO_OK);
        tco_dist one;
        st = tco_dist_parse_cached(&one, tco_ydoc_root(doc), "x", &TCO_DOM_ANY, cache, &err);
        if (st == TCO_OK) {
            made++;
            tco_dist_clear(&one);
        }
        tco_ydoc_free(doc);
    }
    ck_assert_int_eq(st, TCO_ELIMIT);
    ck_assert_int_eq(made, 1024);
    ck_assert_ptr_nonnull(strstr(err.msg, "d.yaml:1:1: x: more than 1024 distinct"));
    tco_dist_cache_free(cache);
}
END_TEST

/* A triangular whose range dwarfs its values: hi - sqrt((1 - u)(hi - lo)(hi - mode))
 * cancels to 0, below min (found by fuzz_dist); the quantile stays inside
 * [min, max]. */
START_TEST(test_triangular_cancellation)
{
    tco_ydoc *doc;
    tco_error err;
    const char *text = "{dist: triangular, min: 1, mode: 91, max: 5.6666666666666667e84}";
    ck_assert_int_eq(tco_ydoc_parse(&doc, "t.yaml", text, strlen(text), &err), TCO_OK);
    tco_dist d;
    ck_assert_int_eq(tco_dist_parse(&d, tco_ydoc_root(doc), "x", &TCO_DOM_ANY, &err), TCO_OK);
    static const double us[] = {5.5511151231257827e-17, 1e-12, 0.5, 1 - 1e-16};
    for (size_t i = 0; i < 4; i++) {
        double x = tco_dist_quantile(&d, us[i]);
        ck_assert_msg(x >= 1 && x <= 5.6666666666666667e84, "u = %g gives %g", us[i], x);
    }
    tco_dist_clear(&d);
    tco_ydoc_free(doc);
}
END_TEST

/* The normal quantile of AS 241 against GSL's (an implementation of its
 * own): the same bits everywhere, in the central region, the two outer
 * ones (r up to 5 and beyond, r = sqrt(-ln min(p, 1 - p))), at their
 * edges and at 0, 1 and outside; and Phi(x) = p, by GSL's Phi, to 4e-15
 * relative in the centre (1.5e-15 at worst on a grid of 10^6: both err by
 * a few units of 1e-16). */
START_TEST(test_normal_quantile)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 7, 41);
    double edge5 = exp(-25.0);
    for (long i = 0; i < 1000000; i++) {
        double p;
        switch (i % 4) {
        case 0: p = tco_rng_uniform(&r); break;
        case 1: p = pow(10.0, -300 * tco_rng_uniform(&r)); break;
        case 2: p = 1 - pow(10.0, -16 * tco_rng_uniform(&r)); break;
        default: p = (i % 8 < 4 ? 0.075 : edge5) * (1 + 1e-12 * (2 * tco_rng_uniform(&r) - 1)); break;
        }
        double a = tco_dist_normal_quantile(p), g = gsl_cdf_ugaussian_Pinv(p);
        ck_assert_msg(memcmp(&a, &g, sizeof a) == 0, "p = %a: %a, GSL %a", p, a, g);
        if (i % 4 == 0 && fabs(p - 0.5) <= 0.425)
            ck_assert_msg(fabs(gsl_cdf_ugaussian_P(a) - p) <= 4e-15 * p, "p = %.17g", p);
    }
    double edges[] = {0.0, 1.0, 0.5, 0.075, 0.925, nextafter(0.075, 0), nextafter(0.925, 1),
                      5e-324, 1e-300, nextafter(1.0, 0)};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        double a = tco_dist_normal_quantile(edges[i]), g = gsl_cdf_ugaussian_Pinv(edges[i]);
        ck_assert_msg(memcmp(&a, &g, sizeof a) == 0, "p = %a: %a, GSL %a", edges[i], a, g);
    }
    ck_assert(isinf(tco_dist_normal_quantile(0.0)) && tco_dist_normal_quantile(0.0) < 0);
    ck_assert(isinf(tco_dist_normal_quantile(1.0)) && tco_dist_normal_quantile(1.0) > 0);
    ck_assert(tco_dist_normal_quantile(0.5) == 0);
    ck_assert(isnan(tco_dist_normal_quantile(NAN)) && isnan(tco_dist_normal_quantile(-0.5)) &&
              isnan(tco_dist_normal_quantile(1.5)));
    ck_close(tco_dist_normal_quantile(0.975), 1.959963984540054, 1e-15);
}
END_TEST

START_TEST(test_domain_clamp)
{
    ck_assert_double_eq(tco_domain_clamp(&TCO_DOM_NONNEG, -2.5), 0);
    ck_assert_double_eq(tco_domain_clamp(&TCO_DOM_UNIT, 1.5), 1);
    ck_assert(tco_domain_clamp(&TCO_DOM_GT_M1, -3) > -1);
    ck_assert(tco_domain_clamp(&TCO_DOM_UNIT_RIGHT_OPEN, 1) < 1);
    ck_assert_double_eq(tco_domain_clamp(&TCO_DOM_ANY, -1e300), -1e300);
    ck_assert(!tco_domain_contains(&TCO_DOM_POS, 0));
    ck_assert(tco_domain_contains(&TCO_DOM_UNIT_LEFT_OPEN, 1));
}
END_TEST

START_TEST(test_rng_normal)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 7, 3);
    const int n = 2000000;
    double sum = 0, ss = 0;
    int below = 0, tail = 0;
    for (int i = 0; i < n; i++) {
        double z = tco_rng_normal(&r);
        sum += z;
        ss += z * z;
        below += z <= 1.6448536269514722;
        tail += z > 3.5;
    }
    double mean = sum / n, var = ss / n - mean * mean;
    ck_assert_msg(fabs(mean) <= 4 / sqrt(n), "mean %g", mean);
    ck_assert_msg(fabs(var - 1) <= 4 * sqrt(2.0 / n), "variance %g", var);
    ck_assert_msg(fabs((double)below / n - 0.95) <= 4 * sqrt(0.95 * 0.05 / n), "P(Z<=1.645)");
    double pt = gsl_cdf_ugaussian_Q(3.5);
    ck_assert_msg(fabs((double)tail / n - pt) <= 4 * sqrt(pt / n), "tail %g vs %g",
                  (double)tail / n, pt);
}
END_TEST

/* The model's Poisson sampler (inversion below 10, PTRS from 10): sample
 * mean and variance within 4 standard errors, and the frequency of each of
 * the 80 counts around the mean that are expected at least 20 times within
 * 4.5 standard errors of the Poisson probability, computed here from
 * exp(-mu) mu^k / k! (not from the sampler's recursion). */
START_TEST(test_rng_poisson)
{
    tco_zig zig;
    tco_zig_init(&zig);
    const double mus[] = {0.25, 3.7, 9.99, 10.0, 35.0, 2500.0, 1.0e7};
    enum { NMU = sizeof mus / sizeof *mus, KMAX = 80 };
    for (int m = 0; m < NMU; m++) {
        tco_rng r;
        tco_rng_seed(&r, &zig, 11, (uint64_t)m);
        const int n = 200000;
        double mu = mus[m], sum = 0, ss = 0;
        long freq[KMAX] = {0};
        double k0 = mu < 40 ? 0 : floor(mu) - 40;
        for (int i = 0; i < n; i++) {
            double c = tco_rng_poisson(&r, mu);
            ck_assert(c >= 0 && c == floor(c));
            if (c >= k0 && c < k0 + KMAX)
                freq[(int)(c - k0)]++;
            /* Centred sums keep the variance exact at mu = 1e7. */
            sum += c - mu;
            ss += (c - mu) * (c - mu);
        }
        double dmean = sum / n, var = ss / n - dmean * dmean;
        ck_assert_msg(fabs(dmean) <= 4 * sqrt(mu / n), "mu %g: mean off by %g", mu, dmean);
        /* Var of the sample variance of a Poisson: (mu + 2 mu^2) / n. */
        ck_assert_msg(fabs(var - mu) <= 4 * sqrt((mu + 2 * mu * mu) / n), "mu %g: var %g", mu,
                      var);
        int tested = 0;
        for (int j = 0; j < KMAX; j++) {
            double k = k0 + j;
            double p = exp(-mu + k * log(mu) - lgamma(k + 1));
            if (n * p < 20)
                continue;
            double se = sqrt(p * (1 - p) / n);
            ck_assert_msg(fabs((double)freq[j] / n - p) <= 4.5 * se, "mu %g: P(%g) = %g, drawn %g",
                          mu, k, p, (double)freq[j] / n);
            tested++;
        }
        ck_assert_int_ge(tested, 2);
    }
    /* Same draws for the small means of the bundled scenarios: inversion from
     * one uniform, 0 exactly when u <= exp(-mu). */
    tco_rng a, b;
    tco_rng_seed(&a, &zig, 3, 0);
    tco_rng_seed(&b, &zig, 3, 0);
    for (int i = 0; i < 1000; i++) {
        double u = tco_rng_uniform(&a);
        double k = tco_rng_poisson(&b, 0.5);
        ck_assert_msg((k == 0) == (u <= exp(-0.5)), "u %g gave %g", u, k);
        ck_assert((k <= 1) == (u <= exp(-0.5) * 1.5));
    }
    ck_assert(tco_rng_poisson(&a, 0) == 0);
    ck_assert(tco_rng_poisson(&a, -1) == 0);
    ck_assert(tco_rng_poisson(&a, NAN) == 0);
}
END_TEST

/* Counts from a table of one mean (tco_rng_poisson_table, the model's
 * operations) are the search's counts from the same draws, bit for bit,
 * and leave the stream where the search leaves it: small means, means
 * whose counts often pass the table's end (8), the PTRS range, and means
 * that draw nothing. */
START_TEST(test_rng_poisson_table)
{
    tco_zig zig;
    tco_zig_init(&zig);
    const double mus[] = {0.25, 1e-300, 3.7, 5.5, 9.99, 10.0, 35.0, 0, -1, NAN};
    enum { NMU = sizeof mus / sizeof *mus };
    long beyond = 0;
    for (int m = 0; m < NMU; m++) {
        tco_rng a, b;
        tco_rng_seed(&a, &zig, 5, (uint64_t)m);
        b = a;
        double mu = mus[m];
        tco_poisson_table pt;
        tco_poisson_table_init(&pt, mu, exp(-mu));
        tco_rng c = a;
        static double kc[50000];
        tco_rng_poisson_counts(&c, &pt, kc, 50000);
        for (int i = 0; i < 50000; i++) {
            double ka = tco_rng_poisson_table(&a, &pt), kb = tco_rng_poisson_p0(&b, mu, exp(-mu));
            ck_assert_msg(memcmp(&ka, &kb, sizeof ka) == 0, "mu %g: %g, search %g", mu, ka, kb);
            ck_assert(memcmp(a.s, b.s, sizeof a.s) == 0);
            /* The counts in one call (tco_rng_poisson_counts): the same. */
            ck_assert_msg(memcmp(&ka, &kc[i], sizeof ka) == 0, "mu %g: %g, counts %g", mu, ka,
                          kc[i]);
            beyond += ka >= TCO_POISSON_TABLE && mu < TCO_POISSON_PTRS_MIN;
        }
        ck_assert(memcmp(a.s, c.s, sizeof a.s) == 0);
    }
    ck_assert_int_gt(beyond, 1000);
}
END_TEST

/* Absurd rates (1e20 events a year) take O(1) time per draw: GSL's sampler
 * looped once per event and never returned. */
START_TEST(test_rng_poisson_huge)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 7, 1);
    const double mu = 1e20 / 12;
    double sum = 0;
    for (int i = 0; i < 10000; i++) {
        double c = tco_rng_poisson(&r, mu);
        ck_assert(isfinite(c));
        sum += (c - mu) / sqrt(mu);
    }
    /* Standardised mean of 10,000 draws: sd 0.01. */
    ck_assert_msg(fabs(sum / 10000) < 0.05, "standardised mean %g", sum / 10000);
}
END_TEST

START_TEST(test_rng_streams)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng a, b, c;
    tco_rng_seed(&a, &zig, 1, 42);
    tco_rng_seed(&b, &zig, 1, 42);
    tco_rng_seed(&c, &zig, 1, 43);
    uint64_t x = tco_rng_next(&a);
    ck_assert(x == tco_rng_next(&b));
    ck_assert(x != tco_rng_next(&c));
    /* No two of 200,000 neighbouring streams start alike (64-bit seeding). */
    const int n = 200000;
    uint64_t *first = malloc(n * sizeof *first);
    for (int i = 0; i < n; i++) {
        tco_rng_seed(&a, &zig, 5, (uint64_t)i);
        first[i] = tco_rng_next(&a);
    }
    int dup = 0;
    for (int i = 1; i < n; i++)
        dup += first[i] == first[i - 1];
    ck_assert_int_eq(dup, 0);
    free(first);
    /* Through GSL: a uniform in [0, 1). */
    gsl_rng g = tco_rng_gsl(&a);
    double u = gsl_rng_uniform(&g);
    ck_assert(u >= 0 && u < 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_moments_and_quantiles, 0, (int)(sizeof CASES / sizeof *CASES));
    tcase_add_test(tc, test_lognormal_percentile_forms);
    tcase_add_test(tc, test_normal_quantile);
    tcase_add_test(tc, test_tabulated_quantiles);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_domain_clamp);
    tcase_add_test(tc, test_triangular_cancellation);
    tcase_add_test(tc, test_discrete_huge_weights);
    tcase_add_test(tc, test_discrete_long_list);
    tcase_add_test(tc, test_tables_where_gsl_fails);
    tcase_add_test(tc, test_table_equals_plain_path);
    tcase_add_test(tc, test_located_quantiles);
    tcase_add_test(tc, test_table_thread_independent);
    tcase_add_test(tc, test_extreme_parameters);
    tcase_add_test(tc, test_table_cache);
    tcase_add_test(tc, test_rng_normal);
    tcase_add_test(tc, test_rng_poisson);
    tcase_add_test(tc, test_rng_poisson_huge);
    tcase_add_test(tc, test_rng_poisson_table);
    tcase_add_test(tc, test_rng_streams);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
