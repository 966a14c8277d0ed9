/* Sampling of the static inputs (sim/sample.h): Latin hypercube strata,
 * the Sobol points' stratification (net property), the copula's achieved
 * rank correlations, and the inverse transform of the uniforms. */
#include "testutil.h"

#include <gsl/gsl_qrng.h>
#include <stdio.h>

#include "../sim/sample.h"

/* A scenario with nw workloads whose shares are uncertain (one dimension
 * each), plus the lines of extra. */
static tco_scenario *many_dims(int nw, const char *extra)
{
    size_t cap = 64 * (size_t)nw + 4096;
    char *text = malloc(cap), *p = text;
    p += sprintf(p, "scenario: { name: dims, horizon_months: 2 }\nworkloads:\n");
    for (int k = 0; k < nw; k++)
        p += sprintf(p, "  w%d: { share: { dist: uniform, min: 1, max: 2 }, input_tokens: 1, "
                        "output_tokens: 1 }\n", k);
    p += sprintf(p, "demand: { requests_per_month: 10 }\n"
                    "backends: { api: { type: api, input_price_per_mtok: 1, "
                    "output_price_per_mtok: 1 } }\n"
                    "strategies: { s: { route: {");
    for (int k = 0; k < nw; k++)
        p += sprintf(p, "%s w%d: api", k ? "," : "", k);
    p += sprintf(p, " } } }\n%s", extra);
    tco_scenario *sc;
    tco_error err;
    tco_status st = load_text(text, &sc, &err);
    ck_assert_msg(st == TCO_OK, "%s", err.msg);
    free(text);
    return sc;
}

/* All n rows of uniforms of a sampler (n x ndims). */
static double *rows(const tco_scenario *sc, tco_sampling method, long n, uint64_t seed)
{
    static tco_zig zig;
    tco_zig_init(&zig);
    tco_sampler *s;
    tco_error err;
    ck_assert_int_eq(tco_sampler_alloc(&s, sc, method, n, seed, &zig, &err), TCO_OK);
    double *u = malloc((size_t)n * sc->ndims * sizeof *u);
    double *scratch = malloc((2 * sc->ncorr + 1) * sizeof *scratch);
    for (long i = 0; i < n; i++) {
        tco_rng r;
        tco_rng_seed(&r, &zig, seed, (uint64_t)i);
        tco_sampler_uniforms(s, i, &r, u + (size_t)i * sc->ndims, scratch);
    }
    free(scratch);
    tco_sampler_free(s);
    return u;
}

/* Each of the first rows of u (n x nd, strata of width 1/nstrata) holds
 * at most one value per stratum [k/n, (k+1)/n) in columns d0 to d1 - 1, and
 * every value is inside (0, 1).  With rows = nstrata: exactly one. */
static void assert_strata_of(const double *u, long rows, long n, size_t nd, size_t d0, size_t d1)
{
    char *seen = malloc((size_t)n);
    for (size_t d = d0; d < d1; d++) {
        memset(seen, 0, (size_t)n);
        for (long i = 0; i < rows; i++) {
            double v = u[(size_t)i * nd + d];
            ck_assert_msg(v > 0 && v < 1, "dim %zu row %ld: %g", d, i, v);
            long k = (long)(v * (double)n);
            ck_assert_msg(!seen[k], "dim %zu: stratum %ld of %ld holds two points", d, k, n);
            seen[k] = 1;
        }
    }
    free(seen);
}

static void assert_strata(const double *u, long n, size_t nd, size_t d0, size_t d1)
{
    assert_strata_of(u, n, n, nd, d0, d1);
}

START_TEST(test_lhs_strata)
{
    tco_scenario *sc = many_dims(6, "");
    ck_assert_uint_eq(sc->ndims, 6);
    static const long sizes[] = {1, 2, 7, 1000, 4099};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        double *u = rows(sc, TCO_SAMPLING_LHS, sizes[k], 2385);
        assert_strata(u, sizes[k], sc->ndims, 0, sc->ndims);
        /* Columns are permuted independently: dims 0 and 1 are not in the
         * same order (probability 1/n! otherwise). */
        if (sizes[k] >= 7) {
            int same = 1;
            for (long i = 0; i < sizes[k]; i++)
                same &= (long)(u[i * 6] * sizes[k]) == (long)(u[i * 6 + 1] * sizes[k]);
            ck_assert(!same);
        }
        free(u);
    }
    tco_scenario_free(sc);
}
END_TEST

/* Plain random sampling does not stratify: with 1000 points, some stratum
 * is empty (the check above could fail). */
START_TEST(test_random_not_strata)
{
    tco_scenario *sc = many_dims(1, "");
    long n = 1000, empty = 0;
    double *u = rows(sc, TCO_SAMPLING_RANDOM, n, 2385);
    char seen[1000] = {0};
    for (long i = 0; i < n; i++)
        seen[(long)(u[i] * n)] = 1;
    for (long k = 0; k < n; k++)
        empty += !seen[k];
    /* About n/e empty strata: 368 +- 15. */
    ck_assert_int_gt(empty, 300);
    free(u);
    tco_scenario_free(sc);
}
END_TEST

/* Sobol: the first n = 2^m points of the sequence (index 0, the origin,
 * included) form a (0, m, 1)-net in every one-dimensional projection, one
 * point per interval [k/n, (k+1)/n), and the random shift modulo 1 keeps
 * that; the first two coordinates, shift undone, form a (0, m, 2)-net:
 * every elementary box of volume 1/n holds one point.  GSL's generator
 * starts at index 1, not at the origin, so its first n points are not a
 * net (one stratum empty, one doubled, in every dimension): the check is
 * made on the first n - 1 rows, which must be n - 1 points of the net
 * whether or not the sampler puts the origin first.  Dimensions past 40
 * are Latin hypercube columns: all n rows stratified. */
START_TEST(test_sobol_net)
{
    tco_scenario *sc = many_dims(44, "");
    ck_assert_uint_eq(sc->ndims, 44);
    const long n = 1024;
    const int m = 10;
    double *u = rows(sc, TCO_SAMPLING_SOBOL, n, 7);
    assert_strata_of(u, n - 1, n, 44, 0, 40);
    assert_strata(u, n, 44, 40, 44);
    /* The shift of each Sobol dimension is the stream (seed, GLOBAL | 1). */
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 7, TCO_STREAM_GLOBAL | 1);
    double shift0 = tco_rng_uniform(&r), shift1 = tco_rng_uniform(&r);
    int *count = calloc((size_t)n, sizeof *count);
    long misplaced = 0;
    for (int a = 0; a <= m; a++) {
        int b = m - a;
        memset(count, 0, (size_t)n * sizeof *count);
        for (long i = 0; i < n - 1; i++) {
            double x = u[i * 44] - shift0, y = u[i * 44 + 1] - shift1;
            x += x < 0;
            y += y < 0;
            long bx = (long)(x * (1L << a)), by = (long)(y * (1L << b));
            count[bx * (1L << b) + by]++;
        }
        for (long k = 0; k < n; k++)
            misplaced += count[k] > 1;
    }
    ck_assert_msg(misplaced == 0, "%ld elementary boxes hold two points or more", misplaced);
    /* Another seed shifts differently. */
    double *v = rows(sc, TCO_SAMPLING_SOBOL, n, 8);
    ck_assert(v[0] != u[0]);
    free(v);
    free(count);
    free(u);
    tco_scenario_free(sc);
}
END_TEST

/* Ranks of x (n values, distinct) into r, 0-based. */
static int cmp_idx_x;
static const double *cmp_base;
static int by_value(const void *a, const void *b)
{
    double x = cmp_base[*(const long *)a], y = cmp_base[*(const long *)b];
    (void)cmp_idx_x;
    return (x > y) - (x < y);
}

static double spearman(const double *u, long n, size_t nd, size_t d1, size_t d2)
{
    double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    double *ra = malloc((size_t)n * sizeof *ra), *rb = malloc((size_t)n * sizeof *rb);
    long *idx = malloc((size_t)n * sizeof *idx);
    for (long i = 0; i < n; i++) {
        a[i] = u[(size_t)i * nd + d1];
        b[i] = u[(size_t)i * nd + d2];
    }
    for (int pass = 0; pass < 2; pass++) {
        cmp_base = pass ? b : a;
        for (long i = 0; i < n; i++)
            idx[i] = i;
        qsort(idx, (size_t)n, sizeof *idx, by_value);
        for (long i = 0; i < n; i++)
            (pass ? rb : ra)[idx[i]] = (double)i;
    }
    double mean = (n - 1) / 2.0, sab = 0, saa = 0;
    for (long i = 0; i < n; i++) {
        sab += (ra[i] - mean) * (rb[i] - mean);
        saa += (ra[i] - mean) * (ra[i] - mean);
    }
    free(a);
    free(b);
    free(ra);
    free(rb);
    free(idx);
    return sab / saa;
}

/* The copula: Spearman correlations of 0.6 and -0.3 (and 0 for a pair not
 * named) achieved within 4 standard errors.  The SE of a sample Spearman
 * coefficient is about (1 - rho^2) / sqrt(n - 1) (normal scores; 1/sqrt(n-1)
 * is the bound used here). */
START_TEST(test_copula_rank_correlation)
{
    tco_scenario *sc = many_dims(3, "correlations:\n"
                                    "  - { between: [workloads.w0.share, workloads.w1.share], "
                                    "rank_correlation: 0.6 }\n"
                                    "  - { between: [workloads.w0.share, workloads.w2.share], "
                                    "rank_correlation: -0.3 }\n");
    ck_assert_uint_eq(sc->ncorr, 3);
    int d[3];
    for (int k = 0; k < 3; k++) {
        char path[64];
        snprintf(path, sizeof path, "workloads.w%d.share", k);
        int in = tco_scenario_input(sc, path);
        ck_assert_int_ge(in, 0);
        d[k] = sc->inputs[in].dim;
    }
    const long n = 20000;
    const double se = 1 / sqrt(n - 1.0);
    static const tco_sampling methods[] = {TCO_SAMPLING_RANDOM, TCO_SAMPLING_LHS};
    for (size_t k = 0; k < 2; k++) {
        double *u = rows(sc, methods[k], n, 11);
        double r01 = spearman(u, n, 3, (size_t)d[0], (size_t)d[1]);
        double r02 = spearman(u, n, 3, (size_t)d[0], (size_t)d[2]);
        double r12 = spearman(u, n, 3, (size_t)d[1], (size_t)d[2]);
        ck_assert_msg(fabs(r01 - 0.6) < 4 * se, "%s: rho(w0, w1) = %g, wanted 0.6",
                      tco_sampling_name(methods[k]), r01);
        ck_assert_msg(fabs(r02 + 0.3) < 4 * se, "%s: rho(w0, w2) = %g, wanted -0.3",
                      tco_sampling_name(methods[k]), r02);
        /* w1 and w2 are linked through w0 only: with normal-score
         * correlations p01 = 2 sin(pi 0.6 / 6), p02 = 2 sin(pi -0.3 / 6),
         * p12 = 0, so their rank correlation is 0. */
        ck_assert_msg(fabs(r12) < 4 * se, "rho(w1, w2) = %g, wanted 0", r12);
        free(u);
    }
    tco_scenario_free(sc);
}
END_TEST

/* Inverse transform: a uniform(1, 2) share at u is 1 + u; fixed inputs keep
 * their value whatever the uniforms. */
START_TEST(test_inverse_transform)
{
    tco_scenario *sc = many_dims(2, "");
    double u[2] = {0.25, 0.875};
    double *x = malloc(sc->ninputs * sizeof *x);
    tco_sample_inputs(sc, u, x, NULL);
    for (int k = 0; k < 2; k++) {
        char path[64];
        snprintf(path, sizeof path, "workloads.w%d.share", k);
        int in = tco_scenario_input(sc, path);
        ck_assert_double_eq_tol(x[in], 1 + u[sc->inputs[in].dim], 1e-15);
    }
    int v = tco_scenario_input(sc, "demand.requests_per_month");
    ck_assert_int_ge(v, 0);
    ck_assert_double_eq(x[v], 10);
    free(x);
    tco_scenario_free(sc);
}
END_TEST

/* Sobol rows are GSL's points, bit for bit: row 0 the origin, row i the
 * i-th point of gsl_qrng_get, shifted modulo 1 as the sampler always did
 * (u = x + shift, minus 1 if >= 1, 2^-60 if <= 0).  Checked on the whole
 * rows for the first 5000 futures at 1, 7 and 40 dimensions, and on the
 * numerators of all 40 dimensions up to past i = 2^20. */
START_TEST(test_sobol_is_gsl)
{
    static const int dims[] = {1, 7, 40};
    tco_zig zig;
    tco_zig_init(&zig);
    for (size_t k = 0; k < sizeof dims / sizeof *dims; k++) {
        int nd = dims[k];
        tco_scenario *sc = many_dims(nd, "");
        const long n = 5000;
        double *u = rows(sc, TCO_SAMPLING_SOBOL, n, 31);
        tco_rng r;
        tco_rng_seed(&r, &zig, 31, TCO_STREAM_GLOBAL | 1);
        double shift[40], pt[40] = {0};
        for (int d = 0; d < nd; d++)
            shift[d] = tco_rng_uniform(&r);
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)nd);
        for (long i = 0; i < n; i++) {
            if (i > 0)
                gsl_qrng_get(q, pt);
            for (int d = 0; d < nd; d++) {
                double v = pt[d] + shift[d];
                v -= (v >= 1.0);
                if (v <= 0.0)
                    v = 0x1.0p-60;
                ck_assert_msg(u[i * nd + d] == v, "%d dims, row %ld dim %d: %a, GSL %a", nd, i,
                              d, u[i * nd + d], v);
            }
        }
        gsl_qrng_free(q);
        free(u);
        tco_scenario_free(sc);
    }
    tco_scenario *sc = many_dims(40, "");
    tco_sampler *s;
    tco_error err;
    const long n = (1L << 20) + 1000;
    ck_assert_int_eq(tco_sampler_alloc(&s, sc, TCO_SAMPLING_SOBOL, n, 3, &zig, &err), TCO_OK);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 40);
    double pt[40];
    long checked = 0;
    for (long i = 1; i < n; i++) {
        ck_assert_int_eq(gsl_qrng_get(q, pt), 0);
        if (i > 4096 && (i & 1023) != 0 && labs(i - (1L << 20)) > 64 && labs(i - (1L << 19)) > 64)
            continue;
        for (size_t d = 0; d < 40; d++)
            ck_assert_msg((double)tco_sobol_numerator(s, i, d) * 0x1.0p-30 == pt[d],
                          "point %ld dim %zu", i, d);
        checked++;
    }
    ck_assert_int_gt(checked, 5000);
    /* Index 0, the origin. */
    for (size_t d = 0; d < 40; d++)
        ck_assert_uint_eq(tco_sobol_numerator(s, 0, d), 0);
    gsl_qrng_free(q);
    tco_sampler_free(s);
    tco_scenario_free(sc);
}
END_TEST

/* LHS columns are computed per future: for each n, every column's stratum
 * map is a permutation of [0, n) (each stratum exactly once), its inverse
 * undoes it, and each row's value lies in its stratum. */
START_TEST(test_lhs_permutation)
{
    tco_scenario *sc = many_dims(3, "");
    static const long sizes[] = {1, 2, 3, 1000, 1001, 65537};
    tco_zig zig;
    tco_zig_init(&zig);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        long n = sizes[k];
        tco_sampler *s;
        tco_error err;
        ck_assert_int_eq(tco_sampler_alloc(&s, sc, TCO_SAMPLING_LHS, n, 77, &zig, &err), TCO_OK);
        char *seen = calloc((size_t)n, 1);
        double *u = rows(sc, TCO_SAMPLING_LHS, n, 77);
        for (size_t d = 0; d < 3; d++) {
            memset(seen, 0, (size_t)n);
            for (long i = 0; i < n; i++) {
                long st = tco_lhs_stratum(s, i, d);
                ck_assert_msg(st >= 0 && st < n, "n %ld dim %zu: stratum %ld", n, d, st);
                ck_assert_msg(!seen[st], "n %ld dim %zu: stratum %ld twice", n, d, st);
                seen[st] = 1;
                ck_assert_int_eq(tco_lhs_stratum_inverse(s, st, d), i);
                double v = u[(size_t)i * 3 + d];
                ck_assert_msg(v > 0 && v < 1 && (long)(v * (double)n) == st,
                              "n %ld row %ld dim %zu: %a not in stratum %ld", n, i, d, v, st);
            }
        }
        /* Distinct columns get distinct permutations (n >= 7). */
        if (n >= 7) {
            long same = 0;
            for (long i = 0; i < n; i++)
                same += tco_lhs_stratum(s, i, 0) == tco_lhs_stratum(s, i, 1);
            ck_assert_int_lt(same, n / 2 + 1);
        }
        free(u);
        free(seen);
        tco_sampler_free(s);
    }
    tco_scenario_free(sc);
}
END_TEST

/* LHS beats random sampling on an additive function: the mean of
 * f(u) = sum_d (d + 1) u_d over n = 100 futures, replicated over 200 seeds,
 * has a variance of O(1/n^3) with LHS against O(1/n) with random sampling
 * (Stein 1987), so a ratio near 1e-4; the test asks for < 0.01. */
START_TEST(test_lhs_variance)
{
    tco_scenario *sc = many_dims(4, "");
    const long n = 100;
    const int reps = 200;
    double var[2];
    static const tco_sampling methods[] = {TCO_SAMPLING_RANDOM, TCO_SAMPLING_LHS};
    for (int m = 0; m < 2; m++) {
        double sum = 0, sum2 = 0;
        for (int rep = 0; rep < reps; rep++) {
            double *u = rows(sc, methods[m], n, 1000 + (uint64_t)rep);
            double mean = 0;
            for (long i = 0; i < n; i++)
                for (size_t d = 0; d < 4; d++)
                    mean += (double)(d + 1) * u[i * 4 + d];
            mean /= (double)n;
            sum += mean;
            sum2 += mean * mean;
            free(u);
        }
        var[m] = (sum2 - sum * sum / reps) / (reps - 1);
    }
    /* Random: var of the mean is sum (d+1)^2 / 12 / n = 30 / 1200. */
    ck_assert_msg(var[0] > 0.5 * 0.025 && var[0] < 1.5 * 0.025, "random: %g", var[0]);
    ck_assert_msg(var[1] < 0.01 * var[0], "lhs %g, random %g", var[1], var[0]);
    tco_scenario_free(sc);
}
END_TEST

/* A row does not depend on the others: the rows of futures [a, b) are the
 * same whether they are computed alone, backwards, from a sampler that
 * never saw the other futures, or by several threads in any order. */
START_TEST(test_rows_on_their_own)
{
    tco_scenario *sc = many_dims(45, "");
    const long n = 1001;
    tco_zig zig;
    tco_zig_init(&zig);
    static const tco_sampling methods[] = {TCO_SAMPLING_LHS, TCO_SAMPLING_SOBOL};
    for (int m = 0; m < 2; m++) {
        double *u = rows(sc, methods[m], n, 5);
        tco_sampler *s;
        tco_error err;
        ck_assert_int_eq(tco_sampler_alloc(&s, sc, methods[m], n, 5, &zig, &err), TCO_OK);
        double *v = calloc((size_t)n * 45, sizeof *v);
        long bad = 0;
#pragma omp parallel for schedule(dynamic, 7) num_threads(4) reduction(+ : bad)
        for (long j = 0; j < n; j++) {
            long i = n - 1 - j;
            double scratch[1];
            tco_rng r;
            tco_rng_seed(&r, &zig, 5, (uint64_t)i);
            tco_sampler_uniforms(s, i, &r, v + (size_t)i * 45, scratch);
            bad += memcmp(u + (size_t)i * 45, v + (size_t)i * 45, 45 * sizeof *v) != 0;
        }
        ck_assert_int_eq(bad, 0);
        free(v);
        free(u);
        tco_sampler_free(s);
    }
    tco_scenario_free(sc);
}
END_TEST

/* The sampler's memory does not grow with the number of futures. */
START_TEST(test_sampler_bytes)
{
    tco_scenario *sc = many_dims(5, "");
    ck_assert_uint_eq(tco_sampler_bytes(sc, TCO_SAMPLING_LHS, 10),
                      tco_sampler_bytes(sc, TCO_SAMPLING_LHS, 100000000));
    ck_assert_uint_lt(tco_sampler_bytes(sc, TCO_SAMPLING_SOBOL, 100000000), 16384);
    ck_assert_uint_eq(tco_sampler_bytes(sc, TCO_SAMPLING_RANDOM, 100000000), 0);
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("sample");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lhs_strata);
    tcase_add_test(tc, test_random_not_strata);
    tcase_add_test(tc, test_sobol_net);
    tcase_add_test(tc, test_copula_rank_correlation);
    tcase_add_test(tc, test_inverse_transform);
    tcase_add_test(tc, test_sobol_is_gsl);
    tcase_add_test(tc, test_lhs_permutation);
    tcase_add_test(tc, test_lhs_variance);
    tcase_add_test(tc, test_rows_on_their_own);
    tcase_add_test(tc, test_sampler_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
