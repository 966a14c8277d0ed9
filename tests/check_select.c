/* Distributed selection (select.h) on simulated partitions: an array cut
 * into 1 to 5 uneven parts (some empty), each part on its own thread, the
 * counts summed by a barrier-based reduce as MPI_Allreduce would.  The
 * percentiles must equal tco_stats_percentiles over the whole array bit for
 * bit, the order statistics a full sort's; the exact sum must equal
 * hand-worked values and not depend on the parts. */
#include "testutil.h"
#include "world.h"

#include "../sim/rng.h"
#include "../sim/select.h"
#include "../sim/stats.h"

#include <float.h>
#include <pthread.h>
#include <stdint.h>

/* ---- a simulated set of partitions ---- */

#define WORLD_MAX 5

typedef enum { JOB_PCT_D, JOB_PCT_F, JOB_RANKS_D, JOB_CVAR } job_kind;

typedef struct {
    world *w;
    job_kind kind;
    const double *x;
    const float *xf;
    size_t n, ncol, stride;
    const double *p;
    size_t np;
    const size_t *k;
    double alpha;
    double *out;
    tco_status st;
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    tco_error err;
    tco_select_reduce red = j->w ? world_reduce : NULL;
    switch (j->kind) {
    case JOB_PCT_D:
        j->st = tco_select_percentiles_d(j->x, j->n, j->ncol, j->stride, j->p, j->np, j->out,
                                         red, j->w, &err);
        break;
    case JOB_PCT_F:
        j->st = tco_select_percentiles_f(j->xf, j->n, j->ncol, j->stride, j->p, j->np, j->out,
                                         red, j->w, &err);
        break;
    case JOB_RANKS_D:
        j->st = tco_select_ranks_d(j->x, j->n, j->ncol, j->stride, j->k, j->np, j->out, red,
                                   j->w, &err);
        break;
    case JOB_CVAR:
        j->st = tco_select_cvar(j->x, j->n, j->alpha, j->out, red, j->w, &err);
        break;
    }
    return NULL;
}

/* Runs proto on the parts of x (n values per column, ncol columns of
 * stride n) cut at cut[0..P-1): part q holds values [cut[q-1], cut[q]).
 * Every part's output (outsize doubles) must be the same; it goes to out. */
static tco_status run_parts(job proto, const double *x, const float *xf, size_t n, size_t ncol,
                            int P, const size_t *cut, double *out, size_t outsize)
{
    static world w; /* large: not on the stack */
    job jobs[WORLD_MAX];
    pthread_t th[WORLD_MAX];
    double *outs = malloc(P * (outsize ? outsize : 1) * sizeof *outs);
    ck_assert_ptr_nonnull(outs);
    world_init(&w, P);
    /* Each part gets its own copy of its columns (as a process would). */
    double *part[WORLD_MAX];
    float *partf[WORLD_MAX];
    for (int q = 0; q < P; q++) {
        size_t a = q ? cut[q - 1] : 0, b = q + 1 < P ? cut[q] : n, m = b - a;
        part[q] = malloc((m * ncol > 0 ? m * ncol : 1) * sizeof *part[q]);
        partf[q] = malloc((m * ncol > 0 ? m * ncol : 1) * sizeof *partf[q]);
        for (size_t c = 0; c < ncol; c++)
            for (size_t i = 0; i < m; i++) {
                if (x)
                    part[q][c * m + i] = x[c * n + a + i];
                if (xf)
                    partf[q][c * m + i] = xf[c * n + a + i];
            }
        jobs[q] = proto;
        jobs[q].w = P > 1 ? &w : NULL;
        jobs[q].x = part[q];
        jobs[q].xf = partf[q];
        jobs[q].n = m;
        jobs[q].ncol = ncol;
        jobs[q].stride = m;
        jobs[q].out = outs + q * outsize;
        ck_assert_int_eq(pthread_create(&th[q], NULL, job_run, &jobs[q]), 0);
    }
    tco_status st = TCO_OK;
    for (int q = 0; q < P; q++) {
        pthread_join(th[q], NULL);
        if (q == 0)
            st = jobs[q].st;
        ck_assert_int_eq(jobs[q].st, st);
        if (st == TCO_OK)
            ck_assert_mem_eq(outs + q * outsize, outs, outsize * sizeof *outs);
        free(part[q]);
        free(partf[q]);
    }
    if (st == TCO_OK)
        memcpy(out, outs, outsize * sizeof *out);
    world_destroy(&w);
    free(outs);
    return st;
}

/* Uneven cuts of n values into P parts, some empty when the rng says. */
static void make_cuts(tco_rng *r, size_t n, int P, size_t *cut)
{
    for (int q = 0; q + 1 < P; q++)
        cut[q] = n ? tco_rng_next(r) % (n + 1) : 0;
    for (int a = 1; a + 1 < P; a++) /* sorted */
        for (int b = a; b > 0 && cut[b - 1] > cut[b]; b--) {
            size_t t = cut[b];
            cut[b] = cut[b - 1];
            cut[b - 1] = t;
        }
    if (P > 2 && (tco_rng_next(r) & 1))
        cut[1] = cut[0]; /* an empty part */
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whether x holds zeros of both signs: then a percentile that falls among
 * them is -0 or +0 by key order here, by the input's order in
 * tco_stats_percentiles (select.h), and only its value is compared. */
static int mixed_zeros(const double *x, const float *xf, size_t n)
{
    int neg = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x ? x[i] : (double)xf[i];
        if (v == 0)
            *(signbit(v) ? &neg : &pos) = 1;
    }
    return neg && pos;
}

static int same(double a, double b, int mixed)
{
    return mixed && a == 0 && b == 0 ? 1 : memcmp(&a, &b, sizeof a) == 0;
}

/* Percentiles of x[0..n) through P parts against tco_stats_percentiles
 * (and _f), bit for bit. */
static void check_percentiles(tco_rng *r, const double *x, size_t n, const double *p,
                              size_t np, int P)
{
    size_t cut[WORLD_MAX];
    make_cuts(r, n, P, cut);
    double *want = malloc(np * sizeof *want), *got = malloc(np * sizeof *got);
    double *copy = malloc(n * sizeof *copy);
    float *xf = malloc(n * sizeof *xf), *copyf = malloc(n * sizeof *copyf);
    memcpy(copy, x, n * sizeof *x);
    tco_stats_percentiles(copy, n, p, np, want);
    job proto = {.kind = JOB_PCT_D, .p = p, .np = np};
    ck_assert_int_eq(run_parts(proto, x, NULL, n, 1, P, cut, got, np), TCO_OK);
    int mixed = mixed_zeros(x, NULL, n);
    for (size_t q = 0; q < np; q++)
        ck_assert_msg(same(got[q], want[q], mixed),
                      "n %zu, P %d, p %g: %a, expected %a", n, P, p[q], got[q], want[q]);
    for (size_t i = 0; i < n; i++)
        xf[i] = copyf[i] = (float)x[i];
    tco_stats_percentiles_f(copyf, n, p, np, want);
    proto.kind = JOB_PCT_F;
    ck_assert_int_eq(run_parts(proto, NULL, xf, n, 1, P, cut, got, np), TCO_OK);
    mixed = mixed_zeros(NULL, xf, n);
    for (size_t q = 0; q < np; q++)
        ck_assert_msg(same(got[q], want[q], mixed),
                      "float: n %zu, P %d, p %g: %a, expected %a", n, P, p[q], got[q], want[q]);
    free(want);
    free(got);
    free(copy);
    free(xf);
    free(copyf);
}

static const double PCT7[] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

START_TEST(test_keys_order)
{
    const double d[] = {-INFINITY, -DBL_MAX, -2.385, -DBL_MIN, -4.9e-324, -0.0, 0.0,
                        4.9e-324,  DBL_MIN,  1.0,    2.385,    DBL_MAX,   INFINITY};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++) {
        uint64_t k = tco_select_key_d(d[i]);
        double back = tco_select_key_to_d(k);
        ck_assert_mem_eq(&back, &d[i], sizeof back);
        if (i > 0)
            ck_assert_uint_lt(tco_select_key_d(d[i - 1]), k);
        float f = (float)d[i], fb = tco_select_key_to_f(tco_select_key_f(f));
        ck_assert_mem_eq(&fb, &f, sizeof f);
        if (i > 0 && (float)d[i - 1] != f)
            ck_assert_uint_lt(tco_select_key_f((float)d[i - 1]), tco_select_key_f(f));
    }
    ck_assert_uint_lt(tco_select_key_f(-0.0f), tco_select_key_f(0.0f));
}
END_TEST

START_TEST(test_by_hand)
{
    /* The type-7 case of check_stats, cut into three parts (one empty). */
    const double x[] = {40, 15, 50, 35, 20}, p[] = {0.05, 0.4, 0.5, 0.95, 1.0};
    const size_t cut[] = {2, 2};
    double out[5];
    job proto = {.kind = JOB_PCT_D, .p = p, .np = 5};
    ck_assert_int_eq(run_parts(proto, x, NULL, 5, 1, 3, cut, out, 5), TCO_OK);
    ck_assert_double_eq(out[0], 16);
    ck_assert_double_eq(out[1], 29);
    ck_assert_double_eq(out[2], 35);
    ck_assert_double_eq(out[3], 48);
    ck_assert_double_eq(out[4], 50);
    /* n = 1 on the second of two parts; n = 2 split one and one. */
    const double one = 2.385, half = 0.5;
    const size_t c1[] = {0}, c2[] = {1};
    ck_assert_int_eq(run_parts((job){.kind = JOB_PCT_D, .p = &half, .np = 1}, &one, NULL, 1, 1,
                               2, c1, out, 1),
                     TCO_OK);
    ck_assert_double_eq(out[0], 2.385);
    const double two[] = {7.25, -1.5}, q3[] = {0, 0.25, 1};
    ck_assert_int_eq(run_parts((job){.kind = JOB_PCT_D, .p = q3, .np = 3}, two, NULL, 2, 1, 2,
                               c2, out, 3),
                     TCO_OK);
    ck_assert_double_eq(out[0], -1.5);
    ck_assert_double_eq(out[1], -1.5 + 0.25 * 8.75);
    ck_assert_double_eq(out[2], 7.25);
}
END_TEST

START_TEST(test_against_stats_random)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 12, 0);
    const size_t sizes[] = {1, 2, 3, 5, 17, 100, 1001, 5000};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int P = 1; P <= WORLD_MAX; P++)
            for (int kind = 0; kind < 3; kind++) {
                size_t n = sizes[si];
                double *x = malloc(n * sizeof *x);
                for (size_t i = 0; i < n; i++) {
                    double u = tco_rng_uniform(&r);
                    x[i] = kind == 0   ? 1e6 * (u - 0.3) * exp(4 * u)    /* spread */
                           : kind == 1 ? (double)(tco_rng_next(&r) % 4) - 1.5 /* ties */
                                       : 2.385;                           /* all equal */
                }
                check_percentiles(&r, x, n, PCT7, 7, P);
                free(x);
            }
}
END_TEST

START_TEST(test_extremes)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 13, 0);
    const double pool[] = {-DBL_MAX, DBL_MAX,  -INFINITY, INFINITY, 4.9e-324, -4.9e-324,
                           DBL_MIN,  -DBL_MIN, 1e300,     -1e-300,  3.0,      FLT_MAX};
    const double p[] = {0, 0.01, 0.05, 0.3, 0.5, 0.7, 0.95, 0.99, 1};
    for (int trial = 0; trial < 60; trial++) {
        size_t n = 1 + tco_rng_next(&r) % 40;
        double *x = malloc(n * sizeof *x);
        for (size_t i = 0; i < n; i++)
            x[i] = pool[tco_rng_next(&r) % (sizeof pool / sizeof *pool)];
        check_percentiles(&r, x, n, p, 9, 1 + trial % WORLD_MAX);
        free(x);
    }
}
END_TEST

START_TEST(test_signed_zeros)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 14, 0);
    /* All -0: -0 everywhere, as tco_stats_percentiles gives. */
    double z[9];
    for (int i = 0; i < 9; i++)
        z[i] = -0.0;
    check_percentiles(&r, z, 9, PCT7, 7, 3);
    /* -0 and +0 mixed with other values: every percentile equal in value
     * to tco_stats_percentiles' (the sign of a zero is by key order here,
     * by the input's order there), and -0 below +0 by key order. */
    double x[] = {0.0, -0.0, 1.5, -0.0, 0.0, -2.0, 0.0, -0.0};
    const double p[] = {0, 1.0 / 7, 2.0 / 7, 3.0 / 7, 4.0 / 7, 5.0 / 7, 6.0 / 7, 1};
    double want[8], got[8], copy[8];
    memcpy(copy, x, sizeof x);
    tco_stats_percentiles(copy, 8, p, 8, want);
    const size_t cut[] = {3, 3, 5, 8};
    job proto = {.kind = JOB_PCT_D, .p = p, .np = 8};
    ck_assert_int_eq(run_parts(proto, x, NULL, 8, 1, 5, cut, got, 8), TCO_OK);
    const double sorted[] = {-2.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, 1.5};
    for (int q = 0; q < 8; q++) {
        ck_assert_double_eq(got[q], want[q]);
        double s = sorted[(int)lround(p[q] * 7)];
        ck_assert_mem_eq(&got[q], &s, sizeof s);
    }
}
END_TEST

START_TEST(test_many_ranks_many_columns)
{
    /* An S-curve's 100 probabilities over three columns of 2,000 values
     * (the third all ties), against a full sort. */
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 15, 0);
    const size_t n = 2000, ncol = 3, np = 100;
    double *x = malloc(ncol * n * sizeof *x), *s = malloc(n * sizeof *s);
    double p[100], *got = malloc(ncol * np * sizeof *got), want[100];
    for (size_t q = 0; q < np; q++)
        p[q] = ((double)q + 0.5) / (double)np;
    for (size_t i = 0; i < n; i++) {
        x[i] = tco_rng_normal(&r) * 1e5 + 3e6;
        x[n + i] = -tco_rng_uniform(&r) * 1e-3;
        x[2 * n + i] = (double)(i % 5) * 0.25;
    }
    size_t cut[4] = {0};
    make_cuts(&r, n, 4, cut);
    job proto = {.kind = JOB_PCT_D, .p = p, .np = np};
    ck_assert_int_eq(run_parts(proto, x, NULL, n, ncol, 4, cut, got, ncol * np), TCO_OK);
    for (size_t c = 0; c < ncol; c++) {
        memcpy(s, x + c * n, n * sizeof *s);
        tco_stats_percentiles(s, n, p, np, want);
        ck_assert_mem_eq(got + c * np, want, np * sizeof *want);
        qsort(s, n, sizeof *s, cmp_d);
        for (size_t q = 0; q < np; q++) {
            double h = (double)(n - 1) * p[q];
            size_t lo = (size_t)floor(h);
            double w = s[lo] == s[lo + 1] ? s[lo] : s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
            ck_assert_double_eq(got[c * np + q], w);
        }
    }
    /* Order statistics themselves. */
    size_t k[] = {0, 1, 999, 1000, 1999};
    double ks[5 * 3];
    proto = (job){.kind = JOB_RANKS_D, .k = k, .np = 5};
    ck_assert_int_eq(run_parts(proto, x, NULL, n, ncol, 4, cut, ks, 15), TCO_OK);
    for (size_t c = 0; c < ncol; c++) {
        memcpy(s, x + c * n, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_d);
        for (int j = 0; j < 5; j++)
            ck_assert_double_eq(ks[c * 5 + (size_t)j], s[k[j]]);
    }
    free(x);
    free(s);
    free(got);
}
END_TEST

START_TEST(test_large_threads)
{
    /* 2 x 60,000 values: counted on every OpenMP thread of each of three
     * parts; the same bits as tco_stats_percentiles. */
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 18, 0);
    const size_t n = 60000, np = 100;
    double *x = malloc(2 * n * sizeof *x), *s = malloc(n * sizeof *s), p[100];
    double got[200], want[100];
    for (size_t q = 0; q < np; q++)
        p[q] = (double)q / (double)(np - 1);
    for (size_t i = 0; i < 2 * n; i++)
        x[i] = i < n ? 2.385e6 * exp(0.7 * tco_rng_normal(&r)) : (double)(tco_rng_next(&r) % 97);
    const size_t cut[] = {n / 3, n / 3 + 7};
    ck_assert_int_eq(run_parts((job){.kind = JOB_PCT_D, .p = p, .np = np}, x, NULL, n, 2, 3, cut,
                               got, 2 * np),
                     TCO_OK);
    for (size_t c = 0; c < 2; c++) {
        memcpy(s, x + c * n, n * sizeof *s);
        tco_stats_percentiles(s, n, p, np, want);
        ck_assert_mem_eq(got + c * np, want, sizeof want);
    }
    free(x);
    free(s);
}
END_TEST

static int cmp_f(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* tco_select_count_column (a column's keys at once, as the recomputed
 * monthly bands count them) against tco_select_count (a key at a time):
 * the same histograms in every pass, bit for bit, counted into two
 * threads' histograms of one selection; the keys in uneven runs of 1 to
 * 37.  Columns: clustered values, values over many octaves of both signs,
 * ties; 1, 2, 5, 10 and 40 ranks, so that a column has one histogram,
 * 2 to 16, and more than 16 (where tco_select_count halves).  After
 * the passes (each value counted twice, once by each), rank k is the
 * (k / 2)-th smallest value. */
START_TEST(test_count_column)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 23, 0);
    enum { N = 3000, NCOL = 3 };
    float *x = malloc(NCOL * N * sizeof *x), *sorted = malloc(N * sizeof *sorted);
    uint32_t *keys = malloc(N * sizeof *keys);
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)(2.4e6 * exp(0.05 * tco_rng_normal(&r)));
        x[N + i] = (float)((tco_rng_uniform(&r) < 0.3 ? -1 : 1) * exp(20 * tco_rng_normal(&r)));
        x[2 * N + i] = (float)(i % 7) * 0.5f;
    }
    const size_t nrs[] = {1, 2, 5, 10, 40};
    int seen_one = 0, seen_few = 0, seen_many = 0;
    for (size_t v = 0; v < sizeof nrs / sizeof *nrs; v++) {
        size_t nr = nrs[v], ranks[40];
        for (size_t j = 0; j < nr; j++) /* ascending, distinct, below 2N */
            ranks[j] = nr == 1 ? N : (2 * N - 1) * j / (nr - 1);
        tco_select *sel;
        tco_error err;
        ck_assert_int_eq(tco_select_alloc(&sel, NCOL, ranks, nr, 32, 2, &err), TCO_OK);
        while (sel->pass < sel->npass) {
            tco_select_begin(sel);
            uint32_t *h0 = tco_select_thread_hist(sel, 0), *h1 = tco_select_thread_hist(sel, 1);
            for (size_t c = 0; c < NCOL; c++) {
                unsigned ng = sel->ngroup[c];
                seen_one |= ng == 1;
                seen_few |= ng > 1 && ng <= 16;
                seen_many |= ng > 16;
                for (size_t i = 0; i < N; i++) {
                    keys[i] = tco_select_key_f(x[c * N + i]);
                    tco_select_count(sel, h0, c, keys[i]);
                }
                for (size_t i = 0, run; i < N; i += run) {
                    run = 1 + tco_rng_next(&r) % 37;
                    run = run < N - i ? run : N - i;
                    tco_select_count_column(sel, h1, c, keys + i, run);
                }
            }
            ck_assert_mem_eq(h0, h1, sel->nhist * TCO_SELECT_BINS * sizeof *h0);
            tco_select_end(sel, NULL, NULL);
        }
        for (size_t c = 0; c < NCOL; c++) {
            memcpy(sorted, x + c * N, N * sizeof *sorted);
            qsort(sorted, N, sizeof *sorted, cmp_f);
            for (size_t j = 0; j < nr; j++) {
                float got = tco_select_key_to_f((uint32_t)tco_select_result(sel, c, j));
                ck_assert_float_eq(got, sorted[ranks[j] / 2]);
            }
        }
        tco_select_free(sel);
    }
    ck_assert(seen_one && seen_few && seen_many);
    free(x);
    free(sorted);
    free(keys);
}
END_TEST

START_TEST(test_errors)
{
    tco_error err;
    double out[2];
    const double p = 0.5;
    ck_assert_int_eq(tco_select_percentiles_d(NULL, 0, 1, 0, &p, 1, out, NULL, NULL, &err),
                     TCO_EINVAL);
    ck_assert_int_eq(tco_select_cvar(NULL, 0, 0.05, out, NULL, NULL, &err), TCO_EINVAL);
    const double x[] = {1, 2};
    const size_t k = 2, kk[] = {1, 0};
    ck_assert_int_eq(tco_select_ranks_d(x, 2, 1, 2, &k, 1, out, NULL, NULL, &err), TCO_EINVAL);
    ck_assert_int_eq(tco_select_ranks_d(x, 2, 1, 2, kk, 2, out, NULL, NULL, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "ascending"));
    /* Across parts, no values anywhere is an error on every part. */
    const size_t cut[] = {0};
    ck_assert_int_eq(run_parts((job){.kind = JOB_PCT_D, .p = &p, .np = 1}, x, NULL, 0, 1, 2,
                               cut, out, 1),
                     TCO_EINVAL);
}
END_TEST

START_TEST(test_xsum_by_hand)
{
    tco_xsum a;
    /* 1e308 + 1e308 - 1e308: 1e308 exactly (a running sum overflows). */
    tco_xsum_init(&a);
    tco_xsum_add(&a, 1e308);
    tco_xsum_add(&a, 1e308);
    tco_xsum_add(&a, -1e308);
    ck_assert_double_eq(tco_xsum_value(&a), 1e308);
    /* 1 + 2^-60 - 1 = 2^-60. */
    tco_xsum_init(&a);
    tco_xsum_add(&a, 1);
    tco_xsum_add(&a, 0x1p-60);
    tco_xsum_add(&a, -1);
    ck_assert_double_eq(tco_xsum_value(&a), 0x1p-60);
    /* Ties to even: 2^53 + 1 -> 2^53; 2^53 + 1 + 2^-10 -> 2^53 + 2;
     * 2^53 + 3 -> 2^53 + 4. */
    tco_xsum_init(&a);
    tco_xsum_add(&a, 0x1p53);
    tco_xsum_add(&a, 1);
    ck_assert_double_eq(tco_xsum_value(&a), 0x1p53);
    tco_xsum_add(&a, 0x1p-10);
    ck_assert_double_eq(tco_xsum_value(&a), 0x1p53 + 2);
    tco_xsum_init(&a);
    tco_xsum_add(&a, 0x1p53);
    tco_xsum_add(&a, 3);
    ck_assert_double_eq(tco_xsum_value(&a), 0x1p53 + 4);
    /* Ten times the double nearest 0.1 is 1 + 2^-54 + ..., nearest 1. */
    tco_xsum_init(&a);
    tco_xsum_add_times(&a, 0.1, 10);
    ck_assert_double_eq(tco_xsum_value(&a), 1.0);
    /* Subnormals, negatives, zero. */
    tco_xsum_init(&a);
    tco_xsum_add(&a, 4.9e-324);
    tco_xsum_add(&a, 4.9e-324);
    ck_assert_double_eq(tco_xsum_value(&a), 2 * 4.9e-324);
    tco_xsum_add(&a, -2.5);
    ck_assert_double_eq(tco_xsum_value(&a), -2.5);
    tco_xsum_add(&a, 2.5);
    tco_xsum_add_times(&a, -4.9e-324, 2);
    ck_assert_double_eq(tco_xsum_value(&a), 0);
    /* Huge counts: 3 x 2^40 copies of DBL_MAX over 2^41 copies of
     * -DBL_MAX leave 2^40 DBL_MAX: infinite; 2^-40 of that is DBL_MAX. */
    tco_xsum_init(&a);
    tco_xsum_add_times(&a, DBL_MAX, 3 * ((uint64_t)1 << 40));
    tco_xsum_add_times(&a, -DBL_MAX, (uint64_t)1 << 41);
    ck_assert(isinf(tco_xsum_value(&a)));
    tco_xsum_add_times(&a, -DBL_MAX, ((uint64_t)1 << 40) - 1);
    ck_assert_double_eq(tco_xsum_value(&a), DBL_MAX);
    /* Negation: b = 1e308 + 1 - 2^-1074 + 3 negated rounds to -1e308;
     * plus 1e308 + 4 it is 2^-1074; plus b, 1e308 + 4. */
    tco_xsum b, c;
    tco_xsum_init(&b);
    tco_xsum_add(&b, 1e308);
    tco_xsum_add(&b, 1);
    tco_xsum_add(&b, -4.9e-324);
    tco_xsum_add(&b, 3);
    c = b;
    tco_xsum_negate(&c);
    ck_assert_double_eq(tco_xsum_value(&c), -1e308);
    tco_xsum_add(&c, 1e308);
    tco_xsum_add(&c, 4);
    ck_assert_double_eq(tco_xsum_value(&c), 4.9e-324);
    tco_xsum_merge(&c, &b); /* 1e308 + 4 */
    tco_xsum_add(&c, -1e308);
    tco_xsum_add(&c, -4);
    ck_assert_double_eq(tco_xsum_value(&c), 0);
    tco_xsum_add(&c, -INFINITY);
    tco_xsum_negate(&c);
    ck_assert(isinf(tco_xsum_value(&c)) && tco_xsum_value(&c) > 0);
    /* Infinities and NaN. */
    tco_xsum_add(&a, INFINITY);
    ck_assert(isinf(tco_xsum_value(&a)) && tco_xsum_value(&a) > 0);
    tco_xsum_add(&a, -INFINITY);
    ck_assert(isnan(tco_xsum_value(&a)));
}
END_TEST

/* The large accumulator gives the plain one's sums: random bit patterns
 * over every finite double (subnormals, zeros of both signs, the largest),
 * integers times 2^-20 (their sums and sums of absolute values exact as
 * doubles), one value added 10,000 times (each part moved every 2,047
 * adds) against its product, and infinities and NaN as the plain sum
 * counts them. */
START_TEST(test_xsum_large)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 23, 0);
    tco_xsum_large *l = malloc(sizeof *l);
    ck_assert_ptr_nonnull(l);
    for (int trial = 0; trial < 40; trial++) {
        tco_xsum a, b;
        tco_xsum_init(&a);
        tco_xsum_init(&b);
        tco_xsum_large_init(l);
        int64_t exact = 0, exact_abs = 0;
        for (int i = 0; i < 5000; i++) {
            double v;
            if (trial % 2) {
                uint64_t u;
                do
                    u = tco_rng_next(&r);
                while (((u >> 52) & 0x7ff) == 0x7ff);
                if (i % 7 == 0) /* subnormals and zeros */
                    u &= 0x800fffffffffffffu >> (tco_rng_next(&r) % 2 ? 0 : 52);
                memcpy(&v, &u, sizeof v);
            } else {
                int64_t k = (int64_t)(tco_rng_next(&r) >> 24) - ((int64_t)1 << 39);
                exact += k;
                exact_abs += k < 0 ? -k : k;
                v = ldexp((double)k, -20);
            }
            tco_xsum_add(&a, v);
            tco_xsum_add(&b, fabs(v));
            tco_xsum_large_add(l, v);
        }
        tco_xsum_large_flush(l);
        double sum = tco_xsum_value(&l->sum), abs = tco_xsum_value(&l->abs);
        ck_assert_msg(sum == tco_xsum_value(&a) || (isnan(sum) && isnan(tco_xsum_value(&a))),
                      "trial %d: %a vs %a", trial, sum, tco_xsum_value(&a));
        ck_assert_msg(abs == tco_xsum_value(&b), "trial %d: %a vs %a", trial, abs,
                      tco_xsum_value(&b));
        if (trial % 2 == 0) {
            ck_assert_double_eq(sum, ldexp((double)exact, -20));
            ck_assert_double_eq(abs, ldexp((double)exact_abs, -20));
        }
    }
    /* The widest significand, 70,000 times (a part overflows unless it
     * is moved every 2,047 adds), and -2 x 3,001 times. */
    const double w = 0x1.fffffffffffffp+3;
    tco_xsum_large_init(l);
    for (int i = 0; i < 70000; i++)
        tco_xsum_large_add(l, w);
    for (int i = 0; i < 3001; i++)
        tco_xsum_large_add(l, -2.0);
    tco_xsum_large_flush(l);
    tco_xsum want, want_abs;
    tco_xsum_init(&want);
    tco_xsum_add_times(&want, w, 70000);
    want_abs = want;
    tco_xsum_add_times(&want, -2.0, 3001);
    tco_xsum_add_times(&want_abs, 2.0, 3001);
    ck_assert_double_eq(tco_xsum_value(&l->sum), tco_xsum_value(&want));
    ck_assert_double_eq(tco_xsum_value(&l->abs), tco_xsum_value(&want_abs));
    /* Infinities and NaN. */
    tco_xsum_large_add(l, INFINITY);
    tco_xsum_large_flush(l);
    ck_assert(isinf(tco_xsum_value(&l->sum)) && tco_xsum_value(&l->sum) > 0);
    tco_xsum_large_add(l, -INFINITY);
    ck_assert(isnan(tco_xsum_value(&l->sum)));
    ck_assert(isinf(tco_xsum_value(&l->abs)) && tco_xsum_value(&l->abs) > 0);
    tco_xsum_large_add(l, NAN);
    ck_assert(isnan(tco_xsum_value(&l->abs)));
    free(l);
}
END_TEST

START_TEST(test_xsum_exact_against_integers)
{
    /* Values k 2^-20 with integers |k| < 2^40: the exact sum is an integer
     * times 2^-20, below 2^53 after 4,000 terms, so it is a double. */
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 16, 0);
    for (int trial = 0; trial < 20; trial++) {
        tco_xsum a, b, parts[3];
        tco_xsum_init(&a);
        tco_xsum_init(&b);
        for (int q = 0; q < 3; q++)
            tco_xsum_init(&parts[q]);
        int64_t exact = 0;
        double naive = 0;
        for (int i = 0; i < 4000; i++) {
            int64_t k = (int64_t)(tco_rng_next(&r) >> 24) - ((int64_t)1 << 39);
            double v = ldexp((double)k, -20);
            exact += k;
            naive += v;
            tco_xsum_add(&a, v);
            tco_xsum_add(&parts[tco_rng_next(&r) % 3], v);
        }
        for (int q = 2; q >= 0; q--)
            tco_xsum_merge(&b, &parts[q]);
        ck_assert_double_eq(tco_xsum_value(&a), ldexp((double)exact, -20));
        ck_assert_double_eq(tco_xsum_value(&b), ldexp((double)exact, -20));
        (void)naive;
    }
}
END_TEST

START_TEST(test_cvar)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 17, 0);
    /* Integers: every sum is exact, so equal to tco_stats_cvar's bits,
     * ties at the threshold included (5% of 40 values: the 2 largest). */
    double x[40], copy[40], got;
    for (int i = 0; i < 40; i++)
        x[i] = (double)(i % 7) * 1000 + 12;
    memcpy(copy, x, sizeof x);
    double want = tco_stats_cvar(copy, 40, 0.05);
    ck_assert_double_eq(want, 6012);
    const size_t cut3[] = {11, 11};
    ck_assert_int_eq(run_parts((job){.kind = JOB_CVAR, .alpha = 0.05}, x, NULL, 40, 1, 3, cut3,
                               &got, 1),
                     TCO_OK);
    ck_assert_double_eq(got, want);
    /* Real-valued costs: the same for any cut (exact sum), and the same
     * bits as tco_stats_cvar (which sums its m largest exactly too). */
    for (int trial = 0; trial < 30; trial++) {
        size_t n = 200 + tco_rng_next(&r) % 5000;
        double *v = malloc(n * sizeof *v), *c = malloc(n * sizeof *c), first = 0;
        for (size_t i = 0; i < n; i++)
            v[i] = 3.1e6 * exp(0.4 * tco_rng_normal(&r));
        memcpy(c, v, n * sizeof *v);
        double today = tco_stats_cvar(c, n, 0.05);
        for (int P = 1; P <= WORLD_MAX; P++) {
            size_t cut[WORLD_MAX];
            make_cuts(&r, n, P, cut);
            ck_assert_int_eq(run_parts((job){.kind = JOB_CVAR, .alpha = 0.05}, v, NULL, n, 1, P,
                                       cut, &got, 1),
                             TCO_OK);
            if (P == 1)
                first = got;
            ck_assert_mem_eq(&got, &first, sizeof got);
        }
        ck_assert_msg(first == today, "CVaR %a against %a", first, today);
        free(v);
        free(c);
    }
}
END_TEST

static Suite *select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_keys_order);
    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_against_stats_random);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_signed_zeros);
    tcase_add_test(tc, test_many_ranks_many_columns);
    tcase_add_test(tc, test_large_threads);
    tcase_add_test(tc, test_count_column);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_xsum_by_hand);
    tcase_add_test(tc, test_xsum_exact_against_integers);
    tcase_add_test(tc, test_xsum_large);
    tcase_add_test(tc, test_cvar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(select_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
