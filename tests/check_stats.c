/* Percentiles (type 7), CVaR and the decision statistics, on values worked
 * out by hand, and the selection algorithm against a full sort. */
#include "testutil.h"
#include "handrun.h"

#include "../sim/output.h"
#include "../sim/rng.h"
#include "../sim/select.h"
#include "../sim/stats.h"

#include <stdlib.h>

START_TEST(test_type7_by_hand)
{
    double x[] = {40, 15, 50, 35, 20};
    const double p[] = {0.05, 0.4, 0.5, 0.95, 1.0};
    double out[5];
    tco_stats_percentiles(x, 5, p, 5, out);
    /* h = 4p: 0.2 -> 15 + 0.2 * 5; 1.6 -> 20 + 0.6 * 15; 2 -> 35;
     * 3.8 -> 40 + 0.8 * 10; 4 -> 50. */
    ck_close(out[0], 16, 1e-15);
    ck_close(out[1], 29, 1e-15);
    ck_close(out[2], 35, 1e-15);
    ck_close(out[3], 48, 1e-15);
    ck_close(out[4], 50, 1e-15);
    double one = 2.385, half = 0.5, m;
    tco_stats_percentiles(&one, 1, &half, 1, &m);
    ck_assert_double_eq(m, 2.385);
}
END_TEST

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_selection_matches_sort)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 3, 0);
    const double p[] = {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95};
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 1 + tco_rng_next(&r) % 700;
        int levels = trial % 3 == 0 ? 3 : 1000000; /* many ties in a third */
        double *x = malloc(n * sizeof *x), *s = malloc(n * sizeof *s);
        float *xf = malloc(n * sizeof *xf);
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)(tco_rng_next(&r) % (uint64_t)levels) - 17.5;
            xf[i] = (float)x[i];
        }
        memcpy(s, x, n * sizeof *x);
        qsort(s, n, sizeof *s, cmp);
        double got[7], gotf[7];
        tco_stats_percentiles(x, n, p, 7, got);
        tco_stats_percentiles_f(xf, n, p, 7, gotf);
        for (int k = 0; k < 7; k++) {
            double h = (double)(n - 1) * p[k];
            size_t lo = (size_t)floor(h);
            double want = lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[lo];
            ck_assert_msg(fabs(got[k] - want) <= 1e-9 * fmax(1, fabs(want)),
                          "n %zu p %g: %g vs %g", n, p[k], got[k], want);
            ck_assert_msg(fabs(gotf[k] - want) <= 1e-5 * fmax(1, fabs(want)), "float n %zu", n);
        }
        double cv = tco_stats_cvar(x, n, 0.05);
        size_t m = (size_t)ceil(0.05 * (double)n - 1e-9);
        m = m < 1 ? 1 : m;
        double want = 0;
        for (size_t i = n - m; i < n; i++)
            want += s[i];
        ck_close(cv, want / (double)m, 1e-12);
        free(x);
        free(s);
        free(xf);
    }
}
END_TEST

static int cmpf(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Large columns take the bucket-selection path: heavy tails (one bucket
 * holds most values and is bucketed again), many ties, a constant column. */
START_TEST(test_bucket_selection_large)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 17, 0);
    const size_t n = 150001;
    float *x = malloc(n * sizeof *x), *s = malloc(n * sizeof *s);
    const double p[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int kind = 0; kind < 4; kind++) {
        for (size_t i = 0; i < n; i++) {
            double z = tco_rng_normal(&r);
            x[i] = kind == 0   ? (float)(1e5 * exp(2.5 * z))           /* heavy right tail */
                   : kind == 1 ? (float)(tco_rng_next(&r) % 7) * 1000.0f /* ties */
                   : kind == 2 ? 2.385f                                /* constant */
                               : (float)(z < 3.5 ? z : 1e30);          /* extreme outliers */
        }
        memcpy(s, x, n * sizeof *x);
        qsort(s, n, sizeof *s, cmpf);
        double got[5];
        tco_stats_percentiles_f(x, n, p, 5, got);
        for (int k = 0; k < 5; k++) {
            double h = (double)(n - 1) * p[k];
            size_t lo = (size_t)floor(h);
            double want = s[lo] + (h - (double)lo) * ((double)s[lo + 1] - s[lo]);
            ck_assert_msg(got[k] == want, "kind %d p %g: %.9g vs %.9g", kind, p[k], got[k], want);
        }
    }
    free(x);
    free(s);
}
END_TEST

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Doubles take bucket selection too (x left as it is): every kind of the
 * floats' test above, a column whose wanted buckets hold more than a
 * quarter of it (partitioned in place instead), nested outliers (each
 * level leaves all but one value in one bucket), infinities and a range
 * beyond the largest double (partitioned); and CVaR, by the threshold the
 * selection finds, against the mean of the largest values sorted. */
START_TEST(test_bucket_selection_doubles)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 19, 0);
    const size_t n = 100003;
    double *x = malloc(n * sizeof *x), *s = malloc(n * sizeof *s);
    const double p[] = {0, 0.05, 0.25, 0.5, 0.75, 0.95, 1};
    for (int kind = 0; kind < 8; kind++) {
        for (size_t i = 0; i < n; i++) {
            double z = tco_rng_normal(&r);
            x[i] = kind == 0   ? 1e5 * exp(2.5 * z)                    /* heavy right tail */
                   : kind == 1 ? (double)(tco_rng_next(&r) % 7) * 1e3 /* ties: > n / 4 gathered */
                   : kind == 2 ? 2.385                                /* constant */
                   : kind == 3 ? (z < 3.5 ? z : 1e300)                /* extreme outliers */
                   : kind == 4 ? (double)(1 + tco_rng_next(&r) % 36)  /* months */
                   : kind == 5 ? (i % 9 ? z : INFINITY)               /* infinities */
                   : kind == 6 ? (i % 2 ? -DBL_MAX : DBL_MAX) * fabs(z) / 8 /* range overflows */
                               : (double)((i * 7919) % n) * 1e-3;     /* nested outliers, below */
        }
        if (kind == 7) {
            x[11] = 1e300;
            x[222] = 1e200;
            x[3333] = 1e100;
        }
        memcpy(s, x, n * sizeof *x);
        qsort(s, n, sizeof *s, cmpd);
        double got[7];
        double *c = malloc(n * sizeof *c);
        memcpy(c, x, n * sizeof *c);
        tco_stats_percentiles(c, n, p, 7, got);
        for (int k = 0; k < 7; k++) {
            double h = (double)(n - 1) * p[k];
            size_t lo = (size_t)floor(h);
            double frac = h - (double)lo;
            double want = !(frac > 0) || s[lo + 1] == s[lo] ? s[lo]
                                                            : s[lo] + frac * (s[lo + 1] - s[lo]);
            ck_assert_msg(got[k] == want || (isnan(got[k]) && isnan(want)),
                          "kind %d p %g: %.17g vs %.17g", kind, p[k], got[k], want);
        }
        /* CVaR at 5%: the mean of the 5001 largest, summed exactly. */
        memcpy(c, x, n * sizeof *c);
        double cv = tco_stats_cvar(c, n, 0.05);
        if (kind != 5 && kind != 6) {
            tco_xsum a;
            tco_xsum_init(&a);
            for (size_t i = n - 5001; i < n; i++)
                tco_xsum_add(&a, s[i]);
            double want = tco_xsum_value(&a) / 5001;
            ck_assert_msg(cv == want, "kind %d cvar: %.17g vs %.17g", kind, cv, want);
        }
        free(c);
    }
    free(x);
    free(s);
}
END_TEST

/* Type-7 percentile p of sorted s[0..n), in double, as the definition says. *//* Type-7 percentile p of sorted s[0..n), in double, as the definition says. */
static double type7_sorted(const float *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    double frac = h - (double)lo;
    if (!(frac > 0) || lo + 1 >= n || s[lo + 1] == s[lo])
        return s[lo];
    return s[lo] + frac * ((double)s[lo + 1] - s[lo]);
}

/* Issue 7, defect 4: any number of probabilities, not only the first 31.
 * 101 probabilities 0, 0.01, ..., 1 on a small column (partitioning) and on
 * a large one (bucket selection), against a full sort. */
START_TEST(test_many_probabilities)
{
    enum { NP = 101 };
    double p[NP], got[NP], gotf[NP];
    for (int k = 0; k < NP; k++)
        p[k] = k / 100.0;
    const size_t sizes[] = {257, 40000, 40003}; /* 40003: a tail after the SSE lanes */
    for (int z = 0; z < 3; z++) {
        size_t n = sizes[z];
        double *x = malloc(n * sizeof *x);
        float *xf = malloc(n * sizeof *xf), *s = malloc(n * sizeof *s);
        for (size_t i = 0; i < n; i++) {
            /* A permutation of 0.5, 1.5, ..., n - 0.5 (7919 is prime). */
            xf[i] = (float)((i * 7919) % n) + 0.5f;
            x[i] = xf[i];
            s[i] = (float)i + 0.5f;
        }
        /* The column kept as it is (the engine's bands): the same
         * values, and the column unchanged. */
        float *keep = malloc(n * sizeof *keep), *spare = malloc(n * sizeof *spare);
        double gotk[NP];
        memcpy(keep, xf, n * sizeof *keep);
        tco_stats_percentiles_f_kept(keep, spare, n, p, NP, gotk);
        ck_assert(memcmp(keep, xf, n * sizeof *keep) == 0);
        tco_stats_percentiles(x, n, p, NP, got);
        tco_stats_percentiles_f(xf, n, p, NP, gotf);
        for (int k = 0; k < NP; k++) {
            double want = type7_sorted(s, n, p[k]); /* = 0.5 + (n - 1) p */
            ck_assert_msg(got[k] == want, "n %zu p %g: %.17g vs %.17g", n, p[k], got[k], want);
            ck_assert_msg(gotf[k] == want, "float n %zu p %g: %.17g vs %.17g", n, p[k], gotf[k],
                          want);
            ck_assert_msg(gotk[k] == want, "kept n %zu p %g: %.17g vs %.17g", n, p[k], gotk[k],
                          want);
        }
        free(keep);
        free(spare);
        ck_assert_double_eq(got[NP - 1], (double)n - 0.5);
        free(x);
        free(xf);
        free(s);
    }
}
END_TEST

/* A column holding a NaN is partitioned, never bucketed (a NaN has no
 * bucket, and converting one to a bucket number is undefined): floats,
 * the NaN in the SSE lanes or in the tail after them, kept or not, give
 * the bits the same values give as doubles, whose selection partitions
 * such a column too (the same partitioning, on the same order). */
START_TEST(test_nan_column_partitioned)
{
    const size_t n = 40003;
    const double p[] = {0, 0.05, 0.25, 0.5, 0.75, 0.95, 1};
    double *x = malloc(n * sizeof *x);
    float *xf = malloc(n * sizeof *xf), *keep = malloc(n * sizeof *keep);
    float *spare = malloc(n * sizeof *spare);
    for (int where = 0; where < 3; where++) {
        for (size_t i = 0; i < n; i++)
            xf[i] = (float)((i * 7919) % n) + 0.5f;
        xf[where == 0 ? 6 : where == 1 ? n - 1 : n / 2] = NAN;
        for (size_t i = 0; i < n; i++)
            x[i] = xf[i];
        memcpy(keep, xf, n * sizeof *keep);
        double got[7], gotf[7], gotk[7];
        tco_stats_percentiles_f_kept(keep, spare, n, p, 7, gotk);
        tco_stats_percentiles(x, n, p, 7, got);
        tco_stats_percentiles_f(xf, n, p, 7, gotf);
        for (int k = 0; k < 7; k++) {
            ck_assert_msg(memcmp(&got[k], &gotf[k], sizeof got[k]) == 0,
                          "NaN at %d p %g: float %.17g, double %.17g", where, p[k], gotf[k], got[k]);
            ck_assert_msg(memcmp(&got[k], &gotk[k], sizeof got[k]) == 0,
                          "NaN at %d p %g: kept %.17g, double %.17g", where, p[k], gotk[k], got[k]);
        }
    }
    free(x);
    free(xf);
    free(keep);
    free(spare);
}
END_TEST

/* Issue 7, fuzz finding 1: a column whose every bucketing level leaves all
 * but one value in one bucket recurses to the deepest level and needs 4n
 * floats of scratch (it had 3n: a heap overflow under ASan).  Values
 * beyond float range (+inf) have no bucket; they must be selected too. */
START_TEST(test_bucket_selection_adversarial)
{
    const size_t n = 20000;
    float *x = malloc(n * sizeof *x), *s = malloc(n * sizeof *s);
    const double p[] = {0.05, 0.25, 0.5, 0.75, 0.95, 1.0};
    for (int kind = 0; kind < 2; kind++) {
        for (size_t i = 0; i < n; i++)
            x[i] = (float)((i * 7919) % n) * 1e-3f;
        /* Outliers nested by factors of 10^4, one per level. */
        x[11] = 1e30f;
        x[222] = 1e26f;
        x[3333] = 1e22f;
        if (kind == 1)
            for (size_t i = 0; i < n; i += 9)
                x[i] = INFINITY;
        memcpy(s, x, n * sizeof *x);
        qsort(s, n, sizeof *s, cmpf);
        double got[6];
        tco_stats_percentiles_f(x, n, p, 6, got);
        for (int k = 0; k < 6; k++) {
            double want = type7_sorted(s, n, p[k]);
            ck_assert_msg(got[k] == want, "kind %d p %g: %.9g vs %.9g", kind, p[k], got[k], want);
        }
    }
    ck_assert(isinf(x[0]) || x[0] >= 0); /* x was only permuted */
    free(x);
    free(s);
}
END_TEST

START_TEST(test_cvar_by_hand)
{
    double x[21];
    for (int i = 0; i < 21; i++)
        x[i] = 21 - i;
    /* ceil(0.05 * 21) = 2 largest: (21 + 20) / 2. */
    ck_close(tco_stats_cvar(x, 21, 0.05), 20.5, 1e-15);
    for (int i = 0; i < 20; i++)
        x[i] = i + 1;
    ck_close(tco_stats_cvar(x, 20, 0.05), 20, 1e-15);
    /* A NaN anywhere: no order, no CVaR (and no failed assertion on the
     * values counted above the threshold), small column or large. */
    for (int i = 0; i < 21; i++)
        x[i] = i % 5 ? 21 - i : NAN;
    ck_assert(isnan(tco_stats_cvar(x, 21, 0.05)));
    enum { NL = 10000 };
    double *y = malloc(NL * sizeof *y);
    for (int i = 0; i < NL; i++)
        y[i] = i % 97 ? (double)((i * 7919) % NL) : NAN;
    ck_assert(isnan(tco_stats_cvar(y, NL, 0.05)));
    free(y);
}
END_TEST

/* Decision statistics on a hand-made run of 4 futures and 3 strategies. */
START_TEST(test_decision_statistics)
{
    double npv[] = {/* base */ 10, 20, 30, 40,
                    /* b    */ 12, 18, 30, 35,
                    /* c    */ 9, 25, 31, 35};
    double nominal[12];
    for (int i = 0; i < 12; i++)
        nominal[i] = npv[i] + 1;
    int16_t be[] = {1, 1, 1, 1, 0, 3, 5, 2, 4, 0, 0, 0};
    float monthly[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    double mmean[3] = {2.5, 6.5, 10.5}, cat[3 * TCO_NCAT] = {0}, cpm[3] = {1, 2, 3};
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = 3;
    sc.horizon = 1;
    tco_results *r = hand_results_with(&sc, npv, nominal, monthly, be, mmean, cat, cpm, 3, 4, 2);
    /* Cheapest: future 1 c; future 2 b; future 3 base and b tie; future 4
     * b and c tie. */
    ck_close(r->st[0].p_cheapest, 0.5 / 4, 1e-15);
    ck_close(r->st[1].p_cheapest, (1 + 0.5 + 0.5) / 4, 1e-15);
    ck_close(r->st[2].p_cheapest, (1 + 0.5) / 4, 1e-15);
    /* Regret of base: 1, 2, 0, 5 -> mean 2; P95: h = 2.85 over 0,1,2,5. */
    ck_close(r->st[0].regret_mean, 2, 1e-15);
    ck_close(r->st[0].regret_p95, 2 + 0.85 * 3, 1e-15);
    /* NPV of base: mean 25, sd sqrt(500/3), P50 25, CVaR95 the largest. */
    ck_close(r->st[0].npv.mean, 25, 1e-15);
    ck_close(r->st[0].npv.sd, sqrt(500.0 / 3), 1e-14);
    ck_close(r->st[0].npv.se, sqrt(500.0 / 3) / 2, 1e-14);
    ck_close(r->st[0].npv.p[3], 25, 1e-15);
    ck_close(r->st[0].npv.cvar95, 40, 1e-15);
    ck_close(r->st[0].nominal_mean, 26, 1e-15);
    /* Break-even of b: months 3, 5, 2 in 3 futures of 4: median 3. */
    ck_close(r->st[1].breakeven_probability, 0.75, 1e-15);
    ck_close(r->st[1].breakeven_median, 3, 1e-15);
    ck_close(r->st[2].breakeven_probability, 0.25, 1e-15);
    ck_close(r->st[2].breakeven_median, 4, 1e-15);
    /* Without switch arrays (a run built by hand): no route changes. */
    ck_close(r->st[2].switches_mean, 0, 0);
    ck_assert(isnan(r->st[2].switches_median_first));
    /* Monthly band of strategy b: 5, 6, 7, 8 -> P25 = 5.75. */
    ck_close(r->st[1].monthly_band[1][0], 5.75, 1e-7);
    tco_results_free(r);
}
END_TEST


/* Route changes (MODEL.md 20) by hand: strategy 1 changes route 2, 0, 1
 * and 3 times in four futures (mean 1.5, at least one in 3 of 4), first
 * from months 5, -, 9 and 3: median of {3, 5, 9} = 5.  Strategy 2 changes
 * once, in 2 futures, from months 4 and 7: median 5.5.  Strategy 0 never:
 * zeros and no median. */
START_TEST(test_switches_by_hand)
{
    double npv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, nominal[12];
    memcpy(nominal, npv, sizeof npv);
    int16_t be[12] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    int16_t sw[12] = {0, 0, 0, 0, 2, 0, 1, 3, 0, 1, 1, 0};
    int16_t first[12] = {0, 0, 0, 0, 5, 0, 9, 3, 0, 4, 7, 0};
    float monthly[12] = {0};
    double mmean[3] = {0}, cat[3 * TCO_NCAT] = {0}, cpm[3] = {0};
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = 3;
    sc.horizon = 1;
    tco_results *r = hand_results_switching(&sc, npv, nominal, monthly, be, sw, first, mmean, cat,
                                            cpm, 3, 4, 1);
    ck_close(r->st[0].switches_mean, 0, 0);
    ck_close(r->st[0].switches_probability, 0, 0);
    ck_assert(isnan(r->st[0].switches_median_first));
    ck_close(r->st[1].switches_mean, 1.5, 1e-15);
    ck_close(r->st[1].switches_probability, 0.75, 1e-15);
    ck_close(r->st[1].switches_median_first, 5, 1e-15);
    ck_close(r->st[2].switches_mean, 0.5, 1e-15);
    ck_close(r->st[2].switches_probability, 0.5, 1e-15);
    ck_close(r->st[2].switches_median_first, 5.5, 1e-15);
    tco_results_free(r);
}
END_TEST


/* Results of S strategies over n futures with NPVs npv (no months): the
 * decision statistics of MODEL.md 19 under sc's decision block. */
static tco_results *decide(const tco_scenario *sc, const double *npv, size_t S, long n)
{
    return hand_results(sc, npv, NULL, NULL, S, n, 2);
}


/* Sums are exact (select.h, tco_xsum): 1e16 + 1 - 1e16 + 1 in any order
 * is 2, where a running sum in future order gives 1 (1e16 + 1 rounds to
 * 1e16). */
START_TEST(test_exact_sums_by_hand)
{
    const double npv[] = {/* a */ 1e16, 1, -1e16, 1,
                          /* b */ 0, 0, 0, 0};
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = 2;
    sc.horizon = 1;
    tco_results *r = decide(&sc, npv, 2, 4);
    ck_assert_double_eq(r->st[0].npv.mean, 0.5);
    ck_assert_double_eq(r->st[0].nominal_mean, 0.5);
    /* b saves a - b = a's costs. */
    ck_assert_double_eq(r->st[1].savings.mean, 0.5);
    /* Cheapest: 0, 0, -1e16, 0; regret of a: 1e16, 1, 0, 1 (sum 1e16 + 2,
     * a double); b is best on average, regret 0, 0, 1e16, 0. */
    ck_assert_double_eq(r->st[0].regret_mean, 2.5e15 + 0.5);
    ck_assert_double_eq(r->st[1].regret_mean, 2.5e15);
    ck_assert_int_eq(r->best, 1);
    ck_assert_double_eq(r->evpi, 2.5e15);
    ck_assert_double_eq(tco_stats_evpi(npv, 4, 2), 2.5e15);
    double mean[2];
    tco_stats_means(npv, 4, 2, mean);
    ck_assert_double_eq(mean[0], 0.5);
    tco_results_free(r);
}
END_TEST

/* CVaR with ties at the threshold: 5% of 60 values is the 3 largest,
 * 2^53, 1 and 1 of five 1s: (2^53 + 2) / 3 exactly rounded (a running sum
 * starting at 2^53 would lose both ones). */
START_TEST(test_cvar_exact_ties)
{
    double x[60];
    for (int i = 0; i < 60; i++)
        x[i] = i < 5 ? 1 : -5;
    x[30] = 0x1p53;
    ck_assert_double_eq(tco_stats_cvar(x, 60, 0.05), (0x1p53 + 2) / 3);
    /* All tied: 3 x 0.1 rounded once (as the product 0.1 * 3 is), over 3;
     * not 0.1 itself. */
    for (int i = 0; i < 60; i++)
        x[i] = 0.1;
    ck_assert_double_eq(tco_stats_cvar(x, 60, 0.05), 0.1 * 3 / 3);
}
END_TEST

/* Every statistic of a run is the same, bit for bit, for its futures in
 * another order, on 1, 2 or 4 threads, and each mean is the merge of
 * exact sums over any partition of the futures. */
static tco_results *decide_threads(const tco_scenario *sc, const double *npv, size_t S, long n,
                                   int threads)
{
    size_t N = S * (size_t)n;
    double *nominal = malloc(N * sizeof *nominal);
    float *monthly = malloc(N * sizeof *monthly);
    ck_assert(nominal && monthly);
    for (size_t i = 0; i < N; i++) {
        nominal[i] = npv[i] * 1.0625 + 0.1;
        monthly[i] = (float)npv[i];
    }
    tco_results *r = hand_results(sc, npv, nominal, monthly, S, n, threads);
    free(nominal);
    free(monthly);
    return r;
}

#define SAME(a, b) ck_assert_msg(memcmp(&(a), &(b), sizeof(a)) == 0, "%s: %a against %a", #a, a, b)

static void same_results(const tco_results *a, const tco_results *b)
{
    size_t S = a->S;
    SAME(a->evpi, b->evpi);
    ck_assert_int_eq(a->best, b->best);
    ck_assert_int_eq(a->recommended, b->recommended);
    for (size_t s = 0; s < S; s++) {
        const tco_strategy_result *p = &a->st[s], *q = &b->st[s];
        SAME(p->npv.mean, q->npv.mean);
        SAME(p->npv.sd, q->npv.sd);
        SAME(p->npv.se, q->npv.se);
        SAME(p->npv.cvar95, q->npv.cvar95);
        SAME(p->npv.min, q->npv.min);
        SAME(p->npv.max, q->npv.max);
        for (int k = 0; k < TCO_NPCT; k++) {
            SAME(p->npv.p[k], q->npv.p[k]);
            SAME(p->savings.p[k], q->savings.p[k]);
        }
        SAME(p->nominal_mean, q->nominal_mean);
        SAME(p->regret_mean, q->regret_mean);
        SAME(p->regret_p95, q->regret_p95);
        SAME(p->ce, q->ce);
        SAME(p->p_cheapest, q->p_cheapest);
        SAME(p->savings.mean, q->savings.mean);
        SAME(p->savings.ci_low, q->savings.ci_low);
        SAME(p->savings.ci_high, q->savings.ci_high);
        SAME(p->savings.p_saves, q->savings.p_saves);
        SAME(p->savings.identical, q->savings.identical);
        SAME(p->monthly_band[2][0], q->monthly_band[2][0]);
    }
    for (size_t j = 0; j < S * S; j++) {
        SAME(a->p_cheaper[j], b->p_cheaper[j]);
        SAME(a->identical[j], b->identical[j]);
        SAME(a->mean_abs_diff[j], b->mean_abs_diff[j]);
        SAME(a->diff_se[j], b->diff_se[j]);
    }
}

START_TEST(test_order_and_partition_free)
{
    enum { S = 4, N = 3001 };
    static double npv[S * N], shuf[S * N];
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng rng;
    tco_rng_seed(&rng, &zig, 41, 0);
    /* Costs of many magnitudes (so sums in another order round
     * differently), ties between strategies (three-way shares of the
     * cheapest) and ties at the CVaR threshold. */
    for (size_t i = 0; i < N; i++) {
        double base = 3.1e6 * exp(1.5 * tco_rng_normal(&rng));
        for (size_t s = 0; s < S; s++)
            npv[s * N + i] = i % 7 == 0 ? base : base * (1 + 0.1 * tco_rng_normal(&rng)) + s;
        if (i % 11 == 0)
            npv[i] = npv[N + i] = npv[2 * N + i] = 1.5e8;
    }
    size_t perm[N];
    for (size_t i = 0; i < N; i++)
        perm[i] = i;
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = tco_rng_next(&rng) % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t s = 0; s < S; s++)
        for (size_t i = 0; i < N; i++)
            shuf[s * N + i] = npv[s * N + perm[i]];
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = S;
    sc.horizon = 1;
    sc.risk_tolerance = 2e6;
    sc.budget = 4e6;
    tco_results *r1 = decide_threads(&sc, npv, S, N, 1);
    /* The running sums in future order of before: not the same bits in
     * the other order (else this test would show nothing). */
    double fwd = 0, bwd = 0;
    for (size_t i = 0; i < N; i++)
        fwd += npv[i];
    for (size_t i = 0; i < N; i++)
        bwd += shuf[i];
    ck_assert(fwd != bwd);
    for (int threads = 1; threads <= 4; threads *= 2) {
        tco_results *r2 = decide_threads(&sc, shuf, S, N, threads);
        same_results(r1, r2);
        tco_results_free(r2);
        r2 = decide_threads(&sc, npv, S, N, threads);
        same_results(r1, r2);
        tco_results_free(r2);
    }
    /* A mean merged from the exact sums of three parts (as processes would
     * hold them): the same bits. */
    for (size_t s = 0; s < S; s++) {
        tco_xsum part[3], all;
        for (int q = 0; q < 3; q++)
            tco_xsum_init(&part[q]);
        tco_xsum_init(&all);
        for (size_t i = 0; i < N; i++)
            tco_xsum_add(&part[i < 1000 ? 0 : i < 1001 ? 1 : 2], shuf[s * N + i]);
        for (int q = 2; q >= 0; q--)
            tco_xsum_merge(&all, &part[q]);
        double mean = tco_xsum_value(&all) / N;
        SAME(mean, r1->st[s].npv.mean);
    }
    /* CVaR as a distributed run computes it (select.h). */
    for (size_t s = 0; s < S; s++) {
        double cv;
        tco_error err;
        ck_assert_int_eq(tco_select_cvar(shuf + s * N, N, 0.05, &cv, NULL, NULL, &err), TCO_OK);
        SAME(cv, r1->st[s].npv.cvar95);
    }
    tco_results_free(r1);
}
END_TEST

/* The certainty equivalent by hand: x = {0, ln 3}, RT = 1: m = ln 3,
 * (1/2)(e^-ln3 + 1) = 2/3, CE = ln 3 + ln(2/3) = ln 2.  Shifted by 1e6 it
 * shifts by 1e6 (no overflow: the sum is taken relative to the maximum);
 * a constant's CE is the constant. */
START_TEST(test_ce_by_hand)
{
    double x[2] = {0, log(3.0)};
    ck_close(tco_stats_ce(x, 2, 1), log(2.0), 1e-15);
    double y[2] = {1e6, 1e6 + log(3.0)};
    ck_close(tco_stats_ce(y, 2, 1), 1e6 + log(2.0), 1e-9);
    double z[3] = {7, 7, 7};
    ck_close(tco_stats_ce(z, 3, 1e-3), 7, 1e-15);
    ck_close(tco_stats_ce(z, 3, 1e9), 7, 1e-15);
}
END_TEST

/* Closed forms on a normal NPV (mu 1e6, sigma 2e5), n = 200000 futures:
 *   CE (RT = 4e5) = mu + sigma^2 / (2 RT) = 1.05e6; its standard error by
 *     the delta method is RT sqrt((exp((sigma/RT)^2) - 1) / n) = 477;
 *   CVaR95 = mu + sigma phi(z95) / 0.05 = mu + 2.0627128 sigma
 *     = 1412542.6; standard error sigma sqrt(0.304 / (0.05 n)) = 1103;
 *   P(NPV <= mu + sigma) = Phi(1) = 0.8413447; standard error
 *     sqrt(p (1 - p) / n) = 0.000817.
 * Each within 4 standard errors. */
START_TEST(test_decision_closed_forms)
{
    enum { N = 200000 };
    static double x[N];
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng g;
    tco_rng_seed(&g, &zig, 17, 0);
    for (int i = 0; i < N; i++)
        x[i] = 1e6 + 2e5 * tco_rng_normal(&g);
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.criterion = TCO_CRIT_CE;
    sc.risk_tolerance = 4e5;
    sc.budget = 1.2e6;
    tco_results *r = decide(&sc, x, 1, N);
    ck_assert_msg(fabs(r->st[0].ce - 1.05e6) < 4 * 477, "CE %.1f", r->st[0].ce);
    ck_assert_msg(fabs(r->st[0].npv.cvar95 - 1412542.6) < 4 * 1103, "CVaR %.1f", r->st[0].npv.cvar95);
    ck_assert_msg(fabs(r->st[0].p_within_budget - 0.8413447) < 4 * 0.000817, "P %.5f",
                  r->st[0].p_within_budget);
    ck_assert_double_eq(r->st[0].criterion_value, r->st[0].ce);
    ck_assert_int_eq(r->recommended, 0);
    tco_results_free(r);
}
END_TEST

/* The recommended strategy under each criterion, four futures by hand:
 *   A {10,10,10,10}: mean 10, P50 10, P90 10, P95 10, CVaR95 10, CE 10.
 *   B {0,0,0,36}: mean 9, P50 0, P90 (h = 2.7) 25.2, P95 (h = 2.85) 30.6,
 *     CVaR95 (the ceil(0.2) = 1 largest) 36; CE(RT 10) = 36 + 10 ln((3
 *     e^-3.6 + 1) / 4) = 22.9249; CE(RT 1) = 36 + ln((3 e^-36 + 1)/4) = 34.614.
 *   C {5,5,11,11}: mean 8, P50 8, P90 11, P95 11, CVaR95 11; CE(RT 10) =
 *     11 + 10 ln((2 e^-0.6 + 2) / 4) = 8.44341; CE(RT 1) = 11 + ln((2 e^-6
 *     + 2) / 4) = 10.3093.
 *   D = A, after it (ties: file order).
 * mean: C; p50: B; p90, p95, cvar95: A (tied with D); CE RT 10: C;
 * CE RT 1: A.  A budget of 9: P(NPV <= 9) = 0, 3/4, 1/2, 0. */
START_TEST(test_recommended_by_hand)
{
    const double npv[16] = {10, 10, 10, 10, 0, 0, 0, 36, 5, 5, 11, 11, 10, 10, 10, 10};
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.risk_tolerance = 10;
    sc.budget = 9;
    const int want[TCO_NCRIT] = {2, 1, 0, 0, 0, 2};
    for (int c = 0; c < TCO_NCRIT; c++) {
        sc.criterion = (tco_criterion)c;
        tco_results *r = decide(&sc, npv, 4, 4);
        ck_assert_msg(r->recommended == want[c], "%s: %d", tco_criterion_name((tco_criterion)c),
                      r->recommended);
        ck_assert_int_eq(r->criterion, c);
        if (c == TCO_CRIT_CE) {
            ck_close(r->st[0].ce, 10, 1e-12);
            ck_close(r->st[1].ce, 36 + 10 * log((3 * exp(-3.6) + 1) / 4), 1e-12);
            ck_close(r->st[1].ce, 22.9249, 1e-4);
            ck_close(r->st[2].ce, 8.44341, 1e-5);
            ck_close(r->st[1].npv.p[5], 25.2, 1e-12);
            ck_close(r->st[1].npv.p[6], 30.6, 1e-12);
        }
        ck_close(r->st[0].p_within_budget, 0, 0);
        ck_close(r->st[1].p_within_budget, 0.75, 0);
        ck_close(r->st[2].p_within_budget, 0.5, 0);
        tco_results_free(r);
    }
    sc.risk_tolerance = 1;
    sc.criterion = TCO_CRIT_CE;
    tco_results *r = decide(&sc, npv, 4, 4);
    ck_close(r->st[1].ce, 34.6137, 1e-4);
    ck_close(r->st[2].ce, 10.3093, 1e-4);
    ck_assert_int_eq(r->recommended, 0);
    tco_results_free(r);
    /* Without a risk tolerance or a budget: NAN, not computed. */
    sc.risk_tolerance = NAN;
    sc.budget = NAN;
    sc.criterion = TCO_CRIT_MEAN;
    r = decide(&sc, npv, 4, 4);
    ck_assert(isnan(r->st[0].ce) && isnan(r->st[0].p_within_budget));
    ck_assert_int_eq(r->recommended, 2);
    tco_results_free(r);
}
END_TEST


/* Savings, P(A cheaper than B) and ties, four futures by hand:
 *   A (baseline) {10, 20, 30, 40}: mean 25, P95 (h = 2.85) 38.5
 *   B {10, 15, 35, 20}: mean 20, sorted {10, 15, 20, 35}: P95 32.75
 *   C = A: mean 25
 * Savings of B: A - B = {0, 5, -5, 20}: mean 5; deviations -5, 0, -10, 15:
 *   sd = sqrt(350 / 3) = 10.80123, SE = sd / 2 = 5.400617, interval
 *   5 -+ 1.96 SE = [-5.585209, 15.585209]; sorted {-5, 0, 5, 20}: P5
 *   (h = 0.15) -4.25, P50 2.5, P95 (h = 2.85) 17.75; P(> 0) = 2/4;
 *   identical in future 1: 1/4; P(> 4) = 2/4, P(> 5) = 1/4 (strictly).
 * Pairs: B < A in futures 2 and 4 (0.5), A < B in future 3 (0.25), equal
 *   in future 1 (0.25); mean |A - B| = (0 + 5 + 5 + 20) / 4 = 7.5.
 *   A and C: equal in every future (near-identical); A and B are not
 *   (25% identical, 7.5 > 0.1% of 25).
 * P(cheapest): future 1 a three-way tie, 2 B, 3 A and C tie, 4 B: A and C
 *   (1/3 + 1/2) / 4 = 0.2083, B (1/3 + 2) / 4 = 0.5833.
 * Decision (mean): B recommended; runner-up A (tied with C: the first);
 *   margin 5; B cheaper than A in 50%, A cheaper in 25%, equal in 25%;
 *   B is also best at P95 and most often cheapest. */
START_TEST(test_savings_and_pairs_by_hand)
{
    const double npv[12] = {10, 20, 30, 40, 10, 15, 35, 20, 10, 20, 30, 40};
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.criterion = TCO_CRIT_MEAN;
    sc.budget = NAN;
    tco_results *r = decide(&sc, npv, 3, 4);
    const tco_savings *v = &r->st[1].savings;
    ck_close(v->mean, 5, 1e-15);
    ck_close(v->ci_low, -5.585209, 1e-6);
    ck_close(v->ci_high, 15.585209, 1e-6);
    ck_close(v->p[0], -4.25, 1e-14);
    ck_close(v->p[3], 2.5, 1e-14);
    ck_close(v->p[6], 17.75, 1e-14);
    ck_close(v->p_saves, 0.5, 0);
    ck_close(v->identical, 0.25, 0);
    ck_assert(isnan(v->p_saves_more) && isnan(r->saves_more_than));
    ck_close(r->st[0].savings.mean, 0, 0);
    ck_close(r->st[0].savings.identical, 1, 0);
    ck_close(r->st[0].savings.p_saves, 0, 0);
    ck_close(r->st[2].savings.p[6], 0, 0);
    /* p_cheaper[a * 3 + b] = P(a < b). */
    ck_close(r->p_cheaper[1 * 3 + 0], 0.5, 0);
    ck_close(r->p_cheaper[0 * 3 + 1], 0.25, 0);
    ck_close(r->identical[0 * 3 + 1], 0.25, 0);
    ck_close(r->identical[1 * 3 + 0], 0.25, 0);
    ck_close(r->p_cheaper[0 * 3 + 2], 0, 0);
    ck_close(r->p_cheaper[0 * 3 + 0], 0, 0);
    ck_close(r->identical[0 * 3 + 2], 1, 0);
    ck_close(r->identical[1 * 3 + 1], 1, 0);
    ck_close(r->mean_abs_diff[0 * 3 + 1], 7.5, 1e-15);
    ck_close(r->diff_se[0 * 3 + 1], 5.400617, 1e-6);
    ck_assert(tco_decision_near_identical(r, 0, 2));
    ck_assert(!tco_decision_near_identical(r, 0, 1));
    ck_close(r->st[0].p_cheapest, 0.2083333, 1e-7);
    ck_close(r->st[1].p_cheapest, 0.5833333, 1e-7);
    const tco_decision *d = &r->decision;
    ck_assert_int_eq(d->recommended, 1);
    ck_assert_int_eq(d->runner_up, 0);
    ck_assert_int_eq(d->best_mean, 1);
    ck_assert_int_eq(d->best_p95, 1);
    ck_assert_int_eq(d->most_often, 1);
    ck_close(d->margin, 5, 1e-15);
    ck_close(d->diff_mean, 5, 1e-15);
    ck_close(d->p_beats, 0.5, 0);
    ck_close(d->p_loses, 0.25, 0);
    ck_close(d->p_identical, 0.25, 0);
    /* The threshold, strictly: P(savings > 4) = 1/2, P(> 5) = 1/4. */
    tco_run run;
    memset(&run, 0, sizeof run);
    run.n = 4;
    run.npv = (double *)(uintptr_t)npv;
    tco_results_set_saves_more_than(r, &run, 4);
    ck_close(r->st[1].savings.p_saves_more, 0.5, 0);
    tco_results_set_saves_more_than(r, &run, 5);
    ck_close(r->st[1].savings.p_saves_more, 0.25, 0);
    ck_close(r->st[2].savings.p_saves_more, 0, 0);
    ck_close(r->saves_more_than, 5, 0);
    tco_results_free(r);
}
END_TEST

/* A closed form: A = 1e6 + 2e5 Z1, B = A - (5e4 + 1e5 Z2), so B's savings
 * are normal (mean 5e4, sd 1e5), n = 200000 futures:
 *   mean 5e4, SE 1e5 / sqrt(n) = 223.6; the interval half-width
 *     1.96 SE = 438.3 (within 2%: the sample sd's own error is 0.16%);
 *   P50 5e4, SE sqrt(pi / 2) 223.6 = 280.3;
 *   P5 5e4 - 1.6448536e5 = -114485.4, SE sigma sqrt(0.05 0.95 / n) /
 *     phi(1.6448536) = 1e5 0.00048734 / 0.10313564 = 472.5;
 *   P(saves) = P(B cheaper than A) = Phi(0.5) = 0.6914625, SE
 *     sqrt(p (1 - p) / n) = 0.001033;
 *   P(saves more than 1e5) = 1 - Phi(0.5) = 0.3085375, the same SE.
 * Each within 4 standard errors. */
START_TEST(test_savings_closed_form)
{
    enum { N = 200000 };
    static double x[2 * N];
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng g;
    tco_rng_seed(&g, &zig, 29, 0);
    for (int i = 0; i < N; i++) {
        x[i] = 1e6 + 2e5 * tco_rng_normal(&g);
        x[N + i] = x[i] - (5e4 + 1e5 * tco_rng_normal(&g));
    }
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.budget = NAN;
    tco_results *r = decide(&sc, x, 2, N);
    const tco_savings *v = &r->st[1].savings;
    ck_assert_msg(fabs(v->mean - 5e4) < 4 * 223.6, "mean %.1f", v->mean);
    ck_assert_msg(fabs((v->ci_high - v->ci_low) / 2 - 438.3) < 0.02 * 438.3, "half-width %.1f",
                  (v->ci_high - v->ci_low) / 2);
    ck_close(v->ci_low + v->ci_high, 2 * v->mean, 1e-9);
    ck_assert_msg(fabs(v->p[3] - 5e4) < 4 * 280.3, "P50 %.1f", v->p[3]);
    ck_assert_msg(fabs(v->p[0] + 114485.4) < 4 * 472.5, "P5 %.1f", v->p[0]);
    ck_assert_msg(fabs(v->p_saves - 0.6914625) < 4 * 0.001033, "P(saves) %.5f", v->p_saves);
    ck_close(r->p_cheaper[1 * 2 + 0], v->p_saves, 1e-15);
    tco_run run;
    memset(&run, 0, sizeof run);
    run.n = N;
    run.npv = x;
    tco_results_set_saves_more_than(r, &run, 1e5);
    ck_assert_msg(fabs(v->p_saves_more - 0.3085375) < 4 * 0.001033, "P(saves > 1e5) %.5f",
                  v->p_saves_more);
    tco_results_free(r);
}
END_TEST

START_TEST(test_format_percent)
{
    char b[16];
    const struct {
        double p;
        int decimals;
        const char *want;
    } c[] = {{0, 0, "0%"},         {0.001, 0, "<1%"},       {0.0049, 0, "<1%"}, {0.0051, 0, "1%"},
             {0.005, 0, "<1%"},   {0.5, 0, "50%"},         {0.994, 0, "99%"},
             {0.995, 0, ">99%"},   {0.9999, 0, ">99%"},     {1, 0, "100%"},
             {0.0004, 1, "<0.1%"}, {0.0006, 1, "0.1%"},     {0.9996, 1, ">99.9%"},
             {0.125, 1, "12.5%"},  {NAN, 0, "n/a"}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        tco_format_percent(c[i].p, c[i].decimals, b, sizeof b);
        ck_assert_msg(strcmp(b, c[i].want) == 0, "%g: %s, want %s", c[i].p, b, c[i].want);
    }
}
END_TEST

/* The text of the decision never names a winner other than the
 * recommended one.  Four futures by hand:
 *   A (baseline) {10, 10, 10, 10}: mean 10, P95 10, cheapest in future 4;
 *   B {9, 9, 9, 30}: mean 14.25, P95 (h = 2.85) 9 + 0.85 21 = 26.85,
 *     cheapest in futures 1-3 (75%).
 * Recommended (mean): A; B is cheapest more often but costs 4.25 more on
 * average. */
START_TEST(test_decision_text_by_hand)
{
    const double npv[8] = {10, 10, 10, 10, 9, 9, 9, 30};
    tco_strategy st[2];
    memset(st, 0, sizeof st);
    st[0].name = (char *)(uintptr_t)"A";
    st[1].name = (char *)(uintptr_t)"B";
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.budget = NAN;
    sc.name = (char *)(uintptr_t)"t";
    sc.currency = (char *)(uintptr_t)"EUR";
    sc.strategies = st;
    sc.nstrategies = 2;
    sc.horizon = 1;
    tco_results *r = decide(&sc, npv, 2, 4);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(tco_decision_write(f, r, &sc, 0), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "Recommended: A (lowest mean NPV, the decision criterion mean): "
                               "mean NPV 10 EUR.\n"),
                  "%s", text);
    ck_assert_msg(strstr(text, "The runner-up, B, costs 4.25 more on average"), "%s", text);
    ck_assert_msg(strstr(text, "It is also the cheapest at P95 (10).\n"), "%s", text);
    ck_assert_msg(strstr(text, "\nB is cheapest more often (75% of futures, against 25%) but costs "
                               "4.25 more on average.\n"),
                  "%s", text);
    ck_assert_msg(strstr(text, "It is the baseline"), "%s", text);
    ck_assert_msg(!strstr(text, "Warning"), "%s", text);
    free(text);
    tco_results_free(r);
    /* C = A + 0.001 in every future: never identical, but the mean
     * absolute difference 0.001 is 0.01% of C's mean 10.001, below 0.1%:
     * near-identical, and the runner-up, 0.001 dearer in every future. */
    const double npv3[12] = {10, 10, 10, 10, 9, 9, 9, 30, 10.001, 10.001, 10.001, 10.001};
    tco_strategy st3[3];
    memset(st3, 0, sizeof st3);
    st3[0].name = st[0].name;
    st3[1].name = st[1].name;
    st3[2].name = (char *)(uintptr_t)"C";
    sc.strategies = st3;
    sc.nstrategies = 3;
    r = decide(&sc, npv3, 3, 4);
    f = open_memstream(&text, &len);
    ck_assert_int_eq(tco_decision_write(f, r, &sc, 0), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "\nThe runner-up, C, costs 0.001 more on average (paired 95% "
                               "interval 0.001 to 0.001); A is cheaper in 100% of futures, C in "
                               "0%.\n"),
                  "%s", text);
    ck_assert_msg(strstr(text, "\nWarning: A and C are near-identical: their NPVs differ by 0.01% "
                               "of the mean NPV on average (mean absolute difference 0.001); the "
                               "choice between them hardly matters.\n"),
                  "%s", text);
    ck_assert_msg(!strstr(text, "identical to"), "%s", text);
    free(text);
    tco_results_free(r);
    /* A tie on the criterion: A {1, 2} and B {2, 1}, both mean 1.5; the
     * difference B - A = {1, -1}: mean 0, sd sqrt(2), SE 1, interval
     * -1.96 to 1.96; A is cheaper in future 1, B in future 2. */
    const double tie[4] = {1, 2, 2, 1};
    sc.strategies = st;
    sc.nstrategies = 2;
    r = decide(&sc, tie, 2, 2);
    f = open_memstream(&text, &len);
    ck_assert_int_eq(tco_decision_write(f, r, &sc, 0), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "\nB has the same mean NPV (paired 95% interval of the difference "
                               "-1.96 to 1.96: too close to tell apart with these futures); A is "
                               "cheaper in 50% of futures, B in 50%. On a tie the first in the "
                               "file is recommended.\n"),
                  "%s", text);
    free(text);
    tco_results_free(r);
}
END_TEST

/* The terminal table: a break-even in 1 future of 1000 reads "<1%", not
 * "0%" (P(cheapest) with one decimal: B is cheapest in 999 futures,
 * 99.9%; A in 1, 0.1%), and the table carries the decision's sentences. */
START_TEST(test_table_percentages)
{
    enum { N = 1000 };
    static double npv[2 * N], nominal[2 * N], mmean[2], cat[2 * TCO_NCAT], cpm[2];
    static int16_t be[2 * N];
    static float monthly[2 * N];
    unsigned long clamped[1] = {0};
    for (int i = 0; i < N; i++) {
        npv[i] = 100;
        npv[N + i] = i == 0 ? 200 : 50;
        be[N + i] = i == 0 ? 3 : 0;
    }
    memcpy(nominal, npv, sizeof npv);
    tco_strategy st[2];
    memset(st, 0, sizeof st);
    st[0].name = (char *)(uintptr_t)"A";
    st[1].name = (char *)(uintptr_t)"B";
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.budget = NAN;
    sc.name = (char *)(uintptr_t)"t";
    sc.currency = (char *)(uintptr_t)"EUR";
    sc.strategies = st;
    sc.nstrategies = 2;
    sc.horizon = 1;
    tco_run run;
    hand_run(&run, &sc, npv, nominal, monthly, 2, N, 1);
    run.breakeven = be;
    run.monthly_mean = mmean;
    run.cat_mean = cat;
    run.cpm_mean = cpm;
    run.clamped = clamped;
    tco_results *r;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&r, &run, &err), TCO_OK);
    tco_report rep = {&sc, &run, r, NULL};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(tco_write_table(f, &rep), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "<1%, median month 3\n"), "%s", text);
    ck_assert_msg(strstr(text, " 0.1% ") && strstr(text, " 99.9% "), "%s", text);
    ck_assert_msg(strstr(text, "\nRecommended: B (lowest mean NPV"), "%s", text);
    ck_assert_msg(strstr(text, "saves something in >99% of futures"), "%s", text);
    free(text);
    tco_results_free(r);
}
END_TEST

/* Every strategy's S-curve at once, strategies in parallel, equals each
 * curve alone, bit for bit, on 1, 2 and 3 threads. */
START_TEST(test_npv_curves_parallel)
{
    enum { N = 997, S = 5, NP = 41 };
    static double npv[S * N];
    for (size_t i = 0; i < S * N; i++)
        npv[i] = sin(2.385 * (double)i) * 1e6 + (double)(i % 17) * 0.125;
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = S;
    tco_run run;
    hand_run(&run, &sc, npv, NULL, NULL, S, N, 1);
    double p[NP], one[NP], all[S * NP];
    for (int q = 0; q < NP; q++)
        p[q] = q / (double)(NP - 1);
    tco_error err;
    for (int threads = 1; threads <= 3; threads++) {
        run.threads = threads;
        ck_assert_int_eq(tco_stats_npv_curves(&run, p, NP, all, &err), TCO_OK);
        for (size_t s = 0; s < S; s++) {
            ck_assert_int_eq(tco_stats_npv_curve(&run, s, p, NP, one, &err), TCO_OK);
            ck_assert(memcmp(one, all + s * NP, sizeof one) == 0);
        }
        ck_assert(all[0] <= all[NP - 1]);
    }
}
END_TEST

/* Type 7 from a sorted column, by its formula: h = (n - 1) p. */
static double type7_sorted_d(const double *v, size_t n, double p)
{
    double h = (double)(n - 1) * p, lo = floor(h);
    size_t j = (size_t)lo;
    return j + 1 < n ? v[j] + (h - lo) * (v[j + 1] - v[j]) : v[n - 1];
}

/* A run keeps its curves at k / 200 (tco_run's grid) once a report asks
 * for them: the S-curves and the savings curves at any probabilities of
 * that grid, then read from it, are type 7 of the sorted columns (NPVs,
 * and the first strategy's minus each other's); probabilities off the
 * grid are computed from the futures; clearing the flags (new futures)
 * computes the curves anew. */
START_TEST(test_curves_kept)
{
    enum { N = 1001, S = 3 };
    static double npv[S * N], col[N];
    for (size_t i = 0; i < S * N; i++)
        npv[i] = sin(1.7 * (double)i) * 1e5 + (double)(i % 13) * 0.25;
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.nstrategies = S;
    tco_run run;
    hand_run(&run, &sc, npv, NULL, NULL, S, N, 2);
    run.grid = calloc(2 * S * TCO_GRID + 2, sizeof *run.grid);
    ck_assert_ptr_nonnull(run.grid);
    const double p[] = {0.5, 0.05, 0.95, 0, 1, 0.125}, off[] = {0.123, 0.5};
    double curve[S * 6], one[6], two[2];
    tco_error err;
    for (int pass = 0; pass < 2; pass++) {
        ck_assert_int_eq(tco_stats_npv_curves(&run, p, 6, curve, &err), TCO_OK);
        ck_assert(run.grid[2 * S * TCO_GRID] == 1); /* kept */
        for (size_t s = 0; s < S; s++) {
            memcpy(col, npv + s * N, sizeof col);
            qsort(col, N, sizeof *col, cmpd);
            ck_assert_int_eq(tco_stats_npv_curve(&run, s, p, 6, one, &err), TCO_OK);
            for (int q = 0; q < 6; q++) {
                ck_assert_double_eq_tol(curve[s * 6 + q], type7_sorted_d(col, N, p[q]), 1e-9);
                ck_assert(one[q] == curve[s * 6 + q]);
            }
            ck_assert_int_eq(tco_stats_npv_curve(&run, s, off, 2, two, &err), TCO_OK);
            ck_assert_double_eq_tol(two[0], type7_sorted_d(col, N, off[0]), 1e-9);
            ck_assert(two[1] == curve[s * 6]);
        }
        ck_assert_int_eq(tco_stats_savings_curves(&run, p, 6, curve, &err), TCO_OK);
        ck_assert(run.grid[2 * S * TCO_GRID + 1] == 1);
        for (size_t s = 1; s < S; s++) {
            for (size_t i = 0; i < N; i++)
                col[i] = npv[i] - npv[s * N + i];
            qsort(col, N, sizeof *col, cmpd);
            for (int q = 0; q < 6; q++)
                ck_assert_double_eq_tol(curve[s * 6 + q], type7_sorted_d(col, N, p[q]), 1e-9);
        }
        /* New futures (as run_blocks does): the curves are computed anew. */
        for (size_t i = 0; i < S * N; i++)
            npv[i] = cos(0.9 * (double)i) * 1e4;
        run.grid[2 * S * TCO_GRID] = run.grid[2 * S * TCO_GRID + 1] = 0;
    }
    free(run.grid);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_type7_by_hand);
    tcase_add_test(tc, test_curves_kept);
    tcase_add_test(tc, test_selection_matches_sort);
    tcase_add_test(tc, test_bucket_selection_large);
    tcase_add_test(tc, test_many_probabilities);
    tcase_add_test(tc, test_nan_column_partitioned);
    tcase_add_test(tc, test_bucket_selection_adversarial);
    tcase_add_test(tc, test_bucket_selection_doubles);
    tcase_add_test(tc, test_cvar_by_hand);
    tcase_add_test(tc, test_cvar_exact_ties);
    tcase_add_test(tc, test_exact_sums_by_hand);
    tcase_add_test(tc, test_order_and_partition_free);
    tcase_add_test(tc, test_decision_statistics);
    tcase_add_test(tc, test_switches_by_hand);
    tcase_add_test(tc, test_ce_by_hand);
    tcase_add_test(tc, test_decision_closed_forms);
    tcase_add_test(tc, test_recommended_by_hand);
    tcase_add_test(tc, test_savings_and_pairs_by_hand);
    tcase_add_test(tc, test_savings_closed_form);
    tcase_add_test(tc, test_format_percent);
    tcase_add_test(tc, test_decision_text_by_hand);
    tcase_add_test(tc, test_table_percentages);
    tcase_add_test(tc, test_npv_curves_parallel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
