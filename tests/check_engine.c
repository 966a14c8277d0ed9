/* The engine: analytic expectations within stated standard errors, the
 * rank correlation the copula achieves, bit-identical results whatever the
 * thread count, and the refusals (memory, interruption). */
#define _GNU_SOURCE
#include "testutil.h"

#include <float.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <omp.h>
#include <gsl/gsl_cdf.h>

#include "../sim/engine.h"
#include "../sim/output.h"
#include "../sim/sample.h"
#include "../sim/stats.h"

/* E[NPV] is known in closed form (see expected_npv). */
static const char *ANALYTIC =
    "scenario: { name: analytic, horizon_months: 24, discount_rate_annual: 0.1 }\n"
    "simulation: { futures: 40000, seed: 2385 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
    "demand:\n"
    "  requests_per_month: { dist: lognormal, mean: 1.0e6, sd: 3.0e5 }\n"
    "  growth_annual: 0.3\n"
    "  volatility_annual: 0.25\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0, price_trend_annual: -0.2,\n"
    "         price_shocks: { rate_per_year: 2, size: { dist: normal, mean: -0.1, sd: 0.05 } } }\n"
    "  gpu:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: 1.0e9\n"
    "    gpu: { mode: cloud, hour_price: { dist: triangular, min: 1.5, mode: 2, max: 4 },\n"
    "           price_trend_annual: -0.1, price_volatility_annual: 0.3 }\n"
    "    staff: { base_fte: 1, cost_per_fte_year: 120000 }\n"
    "    updates: { per_year: 3, cost_per_update: 2000 }\n"
    "    incidents: { per_year: 6, cost_per_incident: 500 }\n"
    "strategies:\n"
    "  api: { route: { w: api } }\n"
    "  own: { route: { w: gpu } }\n"
    "events:\n"
    "  audit: { probability_per_year: 0.5, effect: { one_off_cost: 10000 } }\n";

static void expected_npv(double out[2])
{
    double h = 1 - pow(0.5, 1.0 / 12), lambda = 2.0 / 12;
    double m_step = pow(0.8, 1.0 / 12) * exp(lambda * -0.1);
    double hp = (1.5 + 2 + 4) / 3.0;
    out[0] = out[1] = 0;
    for (int t = 1; t <= 24; t++) {
        double d = pow(1.1, -t / 12.0);
        double ev = 10000 * pow(1 - h, t - 1) * h;
        double v = 1e6 * pow(1.3, (t - 1) / 12.0);
        out[0] += d * (v * 1000 / 1e6 * pow(m_step, t - 1) + ev);
        out[1] += d * (730 * hp * pow(0.9, (t - 1) / 12.0) + 10000 + 3.0 / 12 * 2000 +
                       6.0 / 12 * 500 + ev);
    }
}

static tco_run *run_text(const char *text, tco_run_options *opt, tco_scenario **sc)
{
    tco_error err;
    ck_assert_msg(load_text(text, sc, &err) == TCO_OK, "%s", err.msg);
    tco_run *run;
    ck_assert_msg(tco_run_execute(&run, *sc, opt, &err) == TCO_OK, "%s", err.msg);
    return run;
}

START_TEST(test_analytic_means)
{
    const tco_sampling methods[] = {TCO_SAMPLING_RANDOM, TCO_SAMPLING_LHS, TCO_SAMPLING_SOBOL};
    double want[2];
    expected_npv(want);
    for (int m = 0; m < 3; m++) {
        tco_scenario *sc;
        tco_run_options opt = {0};
        opt.sampling = methods[m];
        opt.sampling_set = 1;
        tco_run *run = run_text(ANALYTIC, &opt, &sc);
        tco_results *res;
        tco_error err;
        ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
        for (int s = 0; s < 2; s++) {
            const tco_summary *q = &res->st[s].npv;
            ck_assert_msg(fabs(q->mean - want[s]) <= 4 * q->se,
                          "%s strategy %d: mean %.2f, expected %.2f, 4 SE %.2f",
                          tco_sampling_name(methods[m]), s, q->mean, want[s], 4 * q->se);
        }
        /* The monthly mean of the exact sums agrees with the NPV. */
        double npv = 0;
        for (int t = 0; t < 24; t++)
            npv += pow(1.1, -(t + 1) / 12.0) * res->st[1].monthly_mean[t];
        ck_close(npv, res->st[1].npv.mean, 1e-9);
        /* Categories add up to the NPV. */
        double sum = 0;
        for (int c = 0; c < TCO_NCAT; c++)
            sum += res->st[0].cat[c];
        ck_close(sum, res->st[0].npv.mean, 1e-9);
        tco_results_free(res);
        tco_run_free(run);
        tco_scenario_free(sc);
    }
}
END_TEST

static const char *CORRELATED =
    "scenario: { name: corr, horizon_months: 3 }\n"
    "workloads: { w: { input_tokens: 100, output_tokens: 100 } }\n"
    "demand:\n"
    "  requests_per_month: { dist: lognormal, p10: 1.0e5, p90: 1.0e6 }\n"
    "  growth_annual: { dist: pert, min: -0.2, mode: 0.3, max: 1.5 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: { dist: uniform, min: 1, max: 3 }, output_price_per_mtok: 4,\n"
    "         price_trend_annual: { dist: normal, mean: -0.3, sd: 0.1 } }\n"
    "strategies: { api: { route: { w: api } } }\n"
    "correlations:\n"
    "  - { between: [demand.growth_annual, demand.requests_per_month], rank_correlation: 0.6 }\n"
    "  - { between: [backends.api.price_trend_annual, demand.growth_annual], rank_correlation: -0.4 }\n";

static void ranks(const double *x, size_t stride, size_t n, double *r)
{
    size_t *idx = malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* Insertion into order by a simple merge sort would do; n is small. */
    for (size_t w = 1; w < n; w *= 2) {
        size_t *tmp = malloc(n * sizeof *tmp);
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = x[idx[a] * stride] <= x[idx[b] * stride] ? idx[a++] : idx[b++];
            while (a < mid)
                tmp[k++] = idx[a++];
            while (b < hi)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
        free(tmp);
    }
    for (size_t i = 0; i < n; i++)
        r[idx[i]] = (double)i;
    free(idx);
}

static double spearman(const tco_run *run, int a, int b)
{
    size_t n = (size_t)run->n, ni = run->sc->ninputs;
    double *ra = malloc(n * sizeof *ra), *rb = malloc(n * sizeof *rb);
    ranks(run->inputs + a, ni, n, ra);
    ranks(run->inputs + b, ni, n, rb);
    double m = (n - 1) / 2.0, sab = 0, saa = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (ra[i] - m) * (rb[i] - m);
        saa += (ra[i] - m) * (ra[i] - m);
    }
    free(ra);
    free(rb);
    return sab / saa;
}

START_TEST(test_rank_correlation)
{
    const tco_sampling methods[] = {TCO_SAMPLING_RANDOM, TCO_SAMPLING_LHS, TCO_SAMPLING_SOBOL};
    for (int m = 0; m < 3; m++) {
        tco_scenario *sc;
        tco_run_options opt = {0};
        opt.futures = 20000;
        opt.keep_inputs = 1;
        opt.sampling = methods[m];
        opt.sampling_set = 1;
        tco_run *run = run_text(CORRELATED, &opt, &sc);
        int vol = tco_scenario_input(sc, "demand.requests_per_month");
        int gro = tco_scenario_input(sc, "demand.growth_annual");
        int tre = tco_scenario_input(sc, "backends.api.price_trend_annual");
        int pin = tco_scenario_input(sc, "backends.api.input_price_per_mtok");
        /* The standard error of Spearman's rho is at most about
         * 1/sqrt(n - 1); the tolerance is 4 of those. */
        double tol = 4 / sqrt(20000.0 - 1);
        double r1 = spearman(run, gro, vol), r2 = spearman(run, tre, gro), r3 = spearman(run, pin, vol);
        ck_assert_msg(fabs(r1 - 0.6) <= tol, "%s: rho %.4f, asked 0.6", tco_sampling_name(methods[m]), r1);
        ck_assert_msg(fabs(r2 + 0.4) <= tol, "%s: rho %.4f, asked -0.4", tco_sampling_name(methods[m]), r2);
        ck_assert_msg(fabs(r3) <= tol, "%s: rho %.4f, asked 0", tco_sampling_name(methods[m]), r3);
        tco_run_free(run);
        tco_scenario_free(sc);
    }
}
END_TEST

static char *json_of(const tco_scenario *sc, const tco_run *run)
{
    tco_results *res;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    tco_report rep = {sc, run, res, NULL};
    tco_write_json(f, &rep);
    fclose(f);
    tco_results_free(res);
    return buf;
}

START_TEST(test_thread_invariance)
{
    static const char *variants[] = {"random", "lhs", "sobol"};
    for (int v = 0; v < 3; v++) {
        char *text = malloc(strlen(ANALYTIC) + strlen(CORRELATED) + 200);
        /* The analytic scenario with correlations of its own. */
        sprintf(text, "%s" "correlations:\n"
                      "  - { between: [demand.requests_per_month, backends.gpu.gpu.hour_price], rank_correlation: 0.5 }\n",
                ANALYTIC);
        char *json[3];
        tco_run *runs[3];
        tco_scenario *sc[3];
        const int threads[3] = {1, 2, 4};
        for (int k = 0; k < 3; k++) {
            tco_run_options opt = {0};
            opt.futures = 5003; /* not a multiple of the block size */
            opt.threads = threads[k];
            opt.sampling = (tco_sampling)v;
            opt.sampling_set = 1;
            runs[k] = run_text(text, &opt, &sc[k]);
            json[k] = json_of(sc[k], runs[k]);
        }
        for (int k = 1; k < 3; k++) {
            size_t n = (size_t)runs[0]->n, S = runs[0]->S, T = (size_t)runs[0]->T;
            ck_assert_msg(memcmp(runs[0]->npv, runs[k]->npv, S * n * sizeof(double)) == 0,
                          "%s: NPVs differ with %d threads", variants[v], threads[k]);
            ck_assert(memcmp(runs[0]->monthly, runs[k]->monthly, S * T * n * sizeof(float)) == 0);
            ck_assert_msg(strcmp(json[0], json[k]) == 0, "%s: results.json differs with %d threads",
                          variants[v], threads[k]);
        }
        for (int k = 0; k < 3; k++) {
            free(json[k]);
            tco_run_free(runs[k]);
            tco_scenario_free(sc[k]);
        }
        free(text);
    }
}
END_TEST

/* make bench's phases (tco_run_options.stop_after): a run that stops after
 * the static inputs or after the paths samples the same inputs as a whole
 * run, and costs nothing (its means are 0). */
START_TEST(test_stop_after)
{
    const int stops[3] = {0, TCO_STOP_SAMPLE, TCO_STOP_PATHS};
    tco_run *runs[3];
    tco_scenario *sc[3];
    for (int k = 0; k < 3; k++) {
        tco_run_options opt = {0};
        opt.futures = 3001;
        opt.threads = 2;
        opt.keep_inputs = 1;
        opt.stop_after = stops[k];
        runs[k] = run_text(ANALYTIC, &opt, &sc[k]);
    }
    size_t n = (size_t)runs[0]->n, S = runs[0]->S, NI = sc[0]->ninputs;
    int costed = 0;
    for (size_t i = 0; i < S * n; i++)
        costed |= runs[0]->npv[i] != 0;
    ck_assert(costed);
    for (int k = 1; k < 3; k++) {
        ck_assert(memcmp(runs[0]->inputs, runs[k]->inputs, n * NI * sizeof(double)) == 0);
        for (size_t i = 0; i < S * (size_t)runs[k]->T; i++)
            ck_assert(runs[k]->monthly_mean[i] == 0);
        ck_assert(runs[k]->tokens_mean == 0);
    }
    for (int k = 0; k < 3; k++) {
        tco_run_free(runs[k]);
        tco_scenario_free(sc[k]);
    }
}
END_TEST

START_TEST(test_seed_changes_results)
{
    tco_scenario *sc;
    tco_run_options opt = {0};
    opt.futures = 1000;
    opt.seed = 1;
    opt.seed_set = 1;
    tco_run *a = run_text(ANALYTIC, &opt, &sc);
    opt.seed = 2;
    tco_run *b;
    tco_error err;
    ck_assert_int_eq(tco_run_execute(&b, sc, &opt, &err), TCO_OK);
    ck_assert(memcmp(a->npv, b->npv, 1000 * sizeof(double)) != 0);
    tco_run_free(a);
    tco_run_free(b);
    tco_scenario_free(sc);
}
END_TEST

START_TEST(test_refusals)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(load_text(ANALYTIC, &sc, &err), TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 1000000000000L;
    tco_run *run;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_ENOMEM);
    ck_assert_msg(strstr(err.msg, "would need about") && strstr(err.msg, "TiB"), "%s", err.msg);
    ck_assert_ptr_null(run);
    volatile sig_atomic_t stop = 1;
    opt.futures = 10000;
    opt.cancel = &stop;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_EINTR);
    ck_assert_ptr_null(run);
    tco_scenario_free(sc);
}
END_TEST

/* Monthly bands are exact percentiles of single-precision monthly costs:
 * recompute every future's months in double precision with the model
 * directly (the same streams as the engine) and compare with the exact
 * type-7 percentiles, within the documented bound 2^-24 of the larger
 * magnitude involved. */
START_TEST(test_monthly_bands_bound)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(load_text(ANALYTIC, &sc, &err), TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 3000;
    tco_run *run;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    tco_results *res;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    size_t n = 3000, T = 24, S = 2;
    double *months = malloc(S * T * n * sizeof *months);
    tco_model *m;
    ck_assert_int_eq(tco_model_alloc(&m, sc, &err), TCO_OK);
    tco_future *fu = tco_future_alloc(m);
    tco_sampler *smp;
    tco_zig zig;
    tco_zig_init(&zig);
    ck_assert_int_eq(tco_sampler_alloc(&smp, sc, TCO_SAMPLING_RANDOM, (long)n, sc->seed, &zig, &err), TCO_OK);
    double *u = malloc((sc->ndims + 1) * sizeof *u), *x = malloc(sc->ninputs * sizeof *x);
    double scratch[8], mon[24];
    for (size_t i = 0; i < n; i++) {
        tco_rng rng;
        tco_rng_seed(&rng, &zig, sc->seed, i);
        tco_sampler_uniforms(smp, (long)i, &rng, u, scratch);
        tco_sample_inputs(sc, u, x, NULL);
        tco_future_draw(fu, m, x, &rng, NULL);
        for (size_t s = 0; s < S; s++) {
            tco_cost cost;
            tco_future_cost(fu, m, s, mon, NULL, &cost);
            ck_assert_double_eq(cost.npv, run->npv[s * n + i]); /* the same future */
            for (size_t t = 0; t < T; t++)
                months[(s * T + t) * n + i] = mon[t];
        }
    }
    double *col = malloc(n * sizeof *col), exact[TCO_NBAND];
    for (size_t s = 0; s < S; s++)
        for (size_t t = 0; t < T; t++) {
            memcpy(col, months + (s * T + t) * n, n * sizeof *col);
            double big = 0;
            for (size_t i = 0; i < n; i++)
                big = fmax(big, fabs(col[i]));
            tco_stats_percentiles(col, n, TCO_BAND, TCO_NBAND, exact);
            for (int b = 0; b < TCO_NBAND; b++) {
                double got = res->st[s].monthly_band[b][t];
                ck_assert_msg(fabs(got - exact[b]) <= 0x1.0p-24 * big,
                              "s %zu t %zu band %d: %.10g vs exact %.10g", s, t, b, got, exact[b]);
            }
        }
    free(col);
    free(months);
    free(u);
    free(x);
    tco_sampler_free(smp);
    tco_future_free(fu);
    tco_model_free(m);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Cost per million tokens on fixed inputs: the API charges 1 per million
 * input tokens, so its cost per million tokens is 1; the GPUs cost
 * 17,300 a month for 2M requests of 1000 tokens: 8.65. */
START_TEST(test_cost_per_mtok_and_clamps)
{
    const char *text =
        "scenario: { name: cpm, horizon_months: 12 }\n"
        "simulation: { futures: 20000, seed: 4 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 2.0e6, growth_annual: { dist: normal, mean: 0, sd: 0.5 } }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0,\n"
        "         discount: { dist: normal, mean: 0, sd: 0.1 } }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
        "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "strategies: { own: { route: { w: gpu } }, api: { route: { w: api } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    tco_run *run;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    tco_results *res;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    /* own: 17,300 a month whatever the volume. */
    for (long i = 0; i < run->n; i++)
        ck_assert_double_eq(run->nominal[i], 12 * 17300.0);
    /* api: discount clamped to [0, 1): half the draws of a normal(0, 0.1)
     * are below 0 and become 0; the rest are discounts.  Its cost per
     * million tokens is then 1 - discount, averaged: 1 - E[max(0, D)] =
     * 1 - 0.1 / sqrt(2 pi). */
    double want = 1 - 0.1 / sqrt(2 * M_PI);
    /* sd of (1 - max(0, D)) is below 0.1: 4 SE. */
    ck_assert_msg(fabs(res->st[1].cost_per_mtok - want) <= 4 * 0.1 / sqrt(20000.0),
                  "cost per Mtok %.5f, expected %.5f", res->st[1].cost_per_mtok, want);
    int k = tco_scenario_input(sc, "backends.api.discount");
    /* Clamps: Binomial(20000, 1/2) below 0; 4 SE = 4 x sqrt(5000). */
    ck_assert_msg(fabs((double)run->clamped[k] - 10000) <= 4 * sqrt(5000.0), "clamped %lu",
                  run->clamped[k]);
    int g = tco_scenario_input(sc, "demand.growth_annual");
    /* Growth: normal(0, 0.5) below -1 has probability Phi(-2) = 0.02275. */
    double pg = 0.0227501319;
    ck_assert_msg(fabs((double)run->clamped[g] - 20000 * pg) <= 4 * sqrt(20000 * pg * (1 - pg)),
                  "growth clamped %lu", run->clamped[g]);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    /* With no growth, own serves 12 x 2M x 1000 tokens for 207,600: 8.65
     * per million tokens in every future. */
    char *fixed = malloc(strlen(text) + 1);
    strcpy(fixed, text);
    char *g0 = strstr(fixed, "growth_annual: { dist: normal, mean: 0, sd: 0.5 }");
    memcpy(g0, "growth_annual: 0                                 ", 49);
    ck_assert_msg(load_text(fixed, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    ck_close(res->st[0].cost_per_mtok, 8.65, 1e-12);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    free(fixed);
}
END_TEST

/* Issue 7, defect 3: a normal throughput with a large spread is clamped to
 * the smallest positive double, the GPU count becomes infinite, and with no
 * staff section a month costs NaN.  The run is an input error naming the
 * strategy, the month and category, and the clamped input by its path and
 * place; the same future is named whatever the thread count. */
static const char *NONFINITE =
    "scenario: { name: nan, horizon_months: 12, discount_rate_annual: 0.1 }\n"
    "simulation: { futures: 3000, seed: 7 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
    "demand: { requests_per_month: 1.0e6, growth_annual: 0.1 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
    "  gpu:\n"
    "    type: self_hosted\n"
    "    throughput_tokens_per_gpu_second: { dist: normal, mean: 1000, sd: 5000 }\n"
    "    gpu: { mode: cloud, hour_price: 2 }\n"
    "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";

START_TEST(test_non_finite_cost_is_an_error)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(NONFINITE, &sc, &err) == TCO_OK, "%s", err.msg);
    char first[TCO_ERRMSG_MAX];
    for (int threads = 1; threads <= 2; threads++) {
        tco_run_options opt = {0};
        opt.threads = threads;
        tco_run *run = NULL;
        ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_EINVAL);
        ck_assert_ptr_null(run);
        ck_assert_msg(strstr(err.msg, "strategy own") && strstr(err.msg, "month 1, compute") &&
                          strstr(err.msg, "test.yaml:9:") &&
                          strstr(err.msg, "backends.gpu.throughput_tokens_per_gpu_second"),
                      "%s", err.msg);
        if (threads == 1)
            strcpy(first, err.msg);
        else
            ck_assert_str_eq(err.msg, first);
    }
    tco_scenario_free(sc);
}
END_TEST

/* Monthly costs beyond float range (1e45 a month is a finite double) are
 * stored as +inf, without an undefined conversion, and their bands are
 * +inf; the NPV stays exact.  Issue 7, fuzz finding 1: the same input at
 * more than 8,192 futures overflowed the selection's scratch. */
static const char *HUGE_TEXT =
        "scenario: { name: huge, horizon_months: 3, discount_rate_annual: 0 }\n"
        "simulation: { futures: 9000, seed: 5 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "  gpu:\n"
        "    type: self_hosted\n"
        "    throughput_tokens_per_gpu_second: 1.0e9\n"
        "    gpu: { mode: cloud, hour_price: 2 }\n"
        "    staff: { base_fte: 1, cost_per_fte_year: { dist: uniform, min: 1.2e45, max: 2.4e45 } }\n"
        "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";

START_TEST(test_costs_beyond_float_range)
{
    tco_scenario *sc;
    tco_run_options opt = {0};
    tco_run *run = run_text(HUGE_TEXT, &opt, &sc);
    /* Months 1 and 2 are stored as a pair, month 3 alone (engine.c): each
     * an infinity, and the api strategy's finite. */
    for (int t = 0; t < 3; t++) {
        ck_assert(isinf(run->monthly[(1 * 3 + t) * 9000]) && run->monthly[(1 * 3 + t) * 9000] > 0);
        ck_assert(isfinite(run->monthly[(0 * 3 + t) * 9000]));
    }
    ck_assert(isfinite(run->npv[9000]) && run->npv[9000] > 3e44);
    tco_results *res;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    ck_assert(isinf(res->st[1].monthly_band[2][0]));
    /* Staff cost is E[U(1.2e45, 2.4e45)] / 12 = 1.5e44 a month. */
    ck_close(res->st[1].monthly_mean[0], 1.5e44, 1e-2);
    ck_assert(res->st[0].monthly_band[2][0] < FLT_MAX);
    tco_cumulative *cu;
    ck_assert_int_eq(tco_cumulative_compute(&cu, run, &err), TCO_OK);
    ck_assert(isinf(cu->cum[(1 * TCO_NBAND + 2) * 3 + 2]));
    ck_assert(isinf(cu->diff[(1 * TCO_NBAND + 2) * 3 + 2]));
    ck_assert(isfinite(cu->cum[(0 * TCO_NBAND + 2) * 3 + 2]));
    tco_cumulative_free(cu);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7, fuzz finding 1: a 600-month horizon with 50%/yr demand
 * volatility at more than 8,192 futures: monthly costs spread over many
 * orders of magnitude, so the bucket selection recurses to its deepest
 * level (a heap overflow under ASan before the fix). */
START_TEST(test_long_volatile_horizon)
{
    const char *text =
        "scenario: { name: long, horizon_months: 600 }\n"
        "simulation: { futures: 8300, seed: 11 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0.2, volatility_annual: 0.5 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "strategies: { api: { route: { w: api } } }\n";
    tco_scenario *sc;
    tco_run_options opt = {0};
    tco_run *run = run_text(text, &opt, &sc);
    tco_results *res;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    /* Month 600's median against a sort of its column. */
    size_t n = 8300;
    float *col = malloc(n * sizeof *col);
    memcpy(col, run->monthly + 599 * n, n * sizeof *col);
    for (size_t a = 1; a < n; a++) /* insertion sort: n is small enough */
        for (size_t b = a; b > 0 && col[b - 1] > col[b]; b--) {
            float t = col[b];
            col[b] = col[b - 1];
            col[b - 1] = t;
        }
    double h = (n - 1) * 0.5, frac = h - floor(h);
    size_t r = (size_t)floor(h);
    double want = col[r] + frac * ((double)col[r + 1] - col[r]);
    ck_assert_double_eq(res->st[0].monthly_band[2][599], want);
    free(col);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7, fuzz finding 11: OMP_NUM_THREADS=100000 crashed libgomp.  A
 * request for 100,000 threads runs on at most 4 per processor (and 256),
 * with the same results as one thread. */
START_TEST(test_thread_cap)
{
    tco_scenario *sc;
    tco_run_options opt = {0};
    opt.futures = 2000;
    opt.threads = 100000;
    tco_run *many = run_text(ANALYTIC, &opt, &sc);
    ck_assert_int_le(many->threads, TCO_MAX_THREADS);
    ck_assert_int_le(many->threads, 4 * omp_get_num_procs());
    ck_assert_int_ge(many->threads, 1);
    ck_assert_int_eq(tco_run_threads(100000), many->threads);
    ck_assert_int_eq(tco_run_threads(1), 1);
    opt.threads = 1;
    tco_run *one;
    tco_error err;
    ck_assert_int_eq(tco_run_execute(&one, sc, &opt, &err), TCO_OK);
    ck_assert(memcmp(one->npv, many->npv, 2 * 2000 * sizeof(double)) == 0);
    tco_run_free(one);
    tco_run_free(many);
    tco_scenario_free(sc);
}
END_TEST

static volatile sig_atomic_t alarm_cancel;

static void on_alarm(int sig)
{
    (void)sig;
    alarm_cancel = 1;
}

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* Issue 7, fuzz finding 5: slow futures (12,000 price shocks a year, the
 * most validation allows, over fifty years) in one block of 64.  The cancel flag, raised by a timer
 * 50 ms in, stops the run at the next future, not at the end of the block. */
START_TEST(test_cancel_within_block)
{
    const char *text =
        "scenario: { name: slow, horizon_months: 600 }\n"
        "simulation: { futures: 64, seed: 7 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0.1 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0,\n"
        "         price_shocks: { rate_per_year: 12000, size: { dist: normal, mean: 0, sd: 0.0001 } } }\n"
        "strategies: { api: { route: { w: api } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    opt.threads = 1;
    tco_run *run = NULL;
    double t0 = now_seconds();
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    double full = now_seconds() - t0;
    tco_run_free(run);
    signal(SIGALRM, on_alarm);
    alarm_cancel = 0;
    opt.cancel = &alarm_cancel;
    struct itimerval it = {{0, 0}, {0, 50000}};
    t0 = now_seconds();
    setitimer(ITIMER_REAL, &it, NULL);
    tco_status st = tco_run_execute(&run, sc, &opt, &err);
    double took = now_seconds() - t0;
    /* A future takes full / 64: checked once a block, the run would go to
     * its end; checked at every future, it stops soon after 50 ms.  The
     * bound is half the run, not a few futures, so that a busy machine
     * cannot fail it. */
    if (full > 0.5) {
        ck_assert_int_eq(st, TCO_EINTR);
        ck_assert_msg(took < full / 2, "stopped after %.3f s (full run %.3f s)", took, full);
    }
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7, item 9: stratification checked exactly, not within the
 * plain-random margin.  Latin hypercube: in every dimension each of the n
 * strata [k/n, (k+1)/n) holds exactly one future.  Sobol (with its random
 * shift modulo 1): the first 2^m points put exactly one point in each
 * interval [k/2^m, (k+1)/2^m) of every dimension, since the unshifted
 * points are k/2^m in each one-dimensional projection; dimensions past
 * GSL's 40 are Latin hypercube columns.  42 uncertain inputs cover both. */
static void check_strata(const tco_scenario *sc, tco_sampling method, long n)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_sampler *smp;
    tco_error err;
    ck_assert_int_eq(tco_sampler_alloc(&smp, sc, method, n, 2385, &zig, &err), TCO_OK);
    size_t D = sc->ndims;
    double *u = malloc(n * D * sizeof *u), scratch[8];
    for (long i = 0; i < n; i++) {
        tco_rng rng;
        tco_rng_seed(&rng, &zig, 2385, (uint64_t)i);
        tco_sampler_uniforms(smp, i, &rng, u + (size_t)i * D, scratch);
    }
    int *count = malloc((size_t)n * sizeof *count);
    for (size_t d = 0; d < D; d++) {
        memset(count, 0, (size_t)n * sizeof *count);
        for (long i = 0; i < n; i++) {
            double v = u[(size_t)i * D + d];
            ck_assert(v > 0 && v < 1);
            count[(long)(v * (double)n)]++;
        }
        for (long k = 0; k < n; k++)
            ck_assert_msg(count[k] == 1, "%s, dimension %zu: stratum %ld holds %d points",
                          tco_sampling_name(method), d, k, count[k]);
    }
    free(count);
    free(u);
    tco_sampler_free(smp);
}

START_TEST(test_stratification_exact)
{
    char *text = malloc(8192);
    strcpy(text, "scenario: { name: strata, horizon_months: 2 }\n"
                 "workloads:\n");
    for (int w = 0; w < 41; w++)
        sprintf(text + strlen(text),
                "  w%d: { input_tokens: 100, output_tokens: 0, failure_cost: { dist: uniform, min: 0, max: %d } }\n",
                w, w + 1);
    strcat(text, "demand: { requests_per_month: { dist: uniform, min: 1.0e5, max: 2.0e5 } }\n"
                 "backends: { api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 } }\n"
                 "strategies: { api: { route: {");
    for (int w = 0; w < 41; w++)
        sprintf(text + strlen(text), "%s w%d: api", w ? "," : "", w);
    strcat(text, " } } }\n");
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    ck_assert_uint_eq(sc->ndims, 42);
    check_strata(sc, TCO_SAMPLING_LHS, 1000);
    check_strata(sc, TCO_SAMPLING_LHS, 7);
    check_strata(sc, TCO_SAMPLING_SOBOL, 1024);
    check_strata(sc, TCO_SAMPLING_SOBOL, 64);
    tco_scenario_free(sc);
    free(text);
}
END_TEST

/* The engine in three steps: ranges of whole blocks in any order, one
 * range computed twice, any thread count: the same bits as one
 * tco_run_execute.  Ranges that are not whole blocks, and finishing with a
 * block missing, are refused. */
START_TEST(test_ranges_any_order)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(load_text(ANALYTIC, &sc, &err), TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 70000; /* blocks of 69: the last one short */
    opt.threads = 1;
    tco_run *ref;
    ck_assert_int_eq(tco_run_execute(&ref, sc, &opt, &err), TCO_OK);
    const size_t n = 70000, S = 2, T = 24;
    for (int threads = 1; threads <= 2; threads++) {
        opt.threads = threads;
        tco_run *run;
        ck_assert_int_eq(tco_run_alloc(&run, sc, &opt, &err), TCO_OK);
        long bs = tco_run_block_size(run);
        ck_assert_int_eq(bs, 69);
        ck_assert_int_eq(tco_run_futures(run, 1, 69, &err), TCO_EINVAL);
        ck_assert_int_eq(tco_run_futures(run, 0, 100, &err), TCO_EINVAL);
        ck_assert_int_eq(tco_run_futures(run, 0, 70001, &err), TCO_EINVAL);
        /* The tail first, then the middle, the head twice. */
        ck_assert_int_eq(tco_run_futures(run, 1000 * bs, 70000, &err), TCO_OK);
        ck_assert_int_eq(tco_run_futures(run, 7 * bs, 1000 * bs, &err), TCO_OK);
        ck_assert_int_eq(tco_run_finish(run, &err), TCO_EINVAL);
        ck_assert_msg(strstr(err.msg, "futures from 0 on"), "%s", err.msg);
        ck_assert_int_eq(tco_run_futures(run, 0, 7 * bs, &err), TCO_OK);
        ck_assert_int_eq(tco_run_futures(run, 0, 7 * bs, &err), TCO_OK);
        ck_assert_int_eq(tco_run_finish(run, &err), TCO_OK);
        ck_assert_int_eq(tco_run_futures(run, 0, bs, &err), TCO_EINVAL);
        ck_assert(memcmp(ref->npv, run->npv, S * n * sizeof(double)) == 0);
        ck_assert(memcmp(ref->nominal, run->nominal, S * n * sizeof(double)) == 0);
        ck_assert(memcmp(ref->monthly, run->monthly, S * T * n * sizeof(float)) == 0);
        ck_assert(memcmp(ref->breakeven, run->breakeven, S * n * sizeof(int16_t)) == 0);
        for (size_t j = 0; j < S * T; j++)
            ck_assert(ref->monthly_mean[j] == run->monthly_mean[j]);
        for (size_t j = 0; j < S * TCO_NCAT; j++)
            ck_assert(ref->cat_mean[j] == run->cat_mean[j]);
        for (size_t s = 0; s < S; s++)
            ck_assert(ref->cpm_mean[s] == run->cpm_mean[s]);
        ck_assert(ref->tokens_mean == run->tokens_mean);
        tco_run_free(run);
    }
    tco_run_free(ref);
    tco_scenario_free(sc);
}
END_TEST

/* Break-even, computed by the engine from monthly totals: the API costs
 * 0.001 a request on 15M requests a month growing 50% a year, the GPUs
 * 17,300 a month.  Cumulative costs, by hand: the API's after month t is
 * sum 15,000 x 1.5^((k-1)/12), the GPUs' 17,300 t; own breaks even from
 * the first month after which it stays at or below the API.  The API
 * strategy is the baseline (break-even 1). */
START_TEST(test_breakeven_by_hand)
{
    const char *text =
        "scenario: { name: be, horizon_months: 24 }\n"
        "simulation: { futures: 100 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.5e7, growth_annual: 0.5 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
        "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";
    double api = 0, want = 0;
    int from = 0;
    for (int t = 1; t <= 24; t++) {
        api += 15000 * pow(1.5, (t - 1) / 12.0);
        if (17300.0 * t <= api) {
            if (!from)
                from = t;
        } else {
            from = 0;
        }
    }
    want = from;
    ck_assert(want > 1 && want < 24); /* the API's cumulative cost overtakes within the horizon */
    tco_scenario *sc;
    tco_run_options opt = {0};
    tco_run *run = run_text(text, &opt, &sc);
    for (long i = 0; i < 100; i++) {
        ck_assert_int_eq(run->breakeven[i], 1);
        ck_assert_int_eq(run->breakeven[100 + i], (int)want);
    }
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Every future's monthly costs as stored (the engine's groups of futures
 * transposed into run->monthly, streamed where a whole group is aligned),
 * by hand: each future's volume V is uniform, flat across months but for
 * 50% growth a year; the API costs V x 1,000 tokens at 1 a million, so
 * V / 1,000 x 1.5^((t - 1) / 12) in month t; the GPU 17,300 a month.  On
 * 1 and 2 threads, for numbers of futures that are and are not multiples
 * of a group (16) and of 4, and a run added block by block in any order. */
START_TEST(test_monthly_by_hand)
{
    const char *text =
        "scenario: { name: months, horizon_months: 24 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: { dist: uniform, min: 1.0e6, max: 3.0e6 }, growth_annual: 0.5 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
        "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";
    const long sizes[] = {37, 1000, 1003, 4098};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++)
        for (int threads = 1; threads <= 2; threads++) {
            tco_scenario *sc;
            tco_run_options opt = {0};
            opt.futures = sizes[z];
            opt.threads = threads;
            opt.keep_inputs = 1;
            tco_run *run = run_text(text, &opt, &sc);
            const size_t n = (size_t)sizes[z], T = 24, NI = sc->ninputs;
            ck_assert_ptr_nonnull(run->monthly);
            for (size_t i = 0; i < n; i++) {
                double v = run->inputs[i * NI + (size_t)sc->volume];
                ck_assert(v >= 1e6 && v <= 3e6);
                for (size_t t = 0; t < T; t++) {
                    double api = v / 1000 * pow(1.5, (double)t / 12);
                    float got = run->monthly[t * n + i], own = run->monthly[(T + t) * n + i];
                    ck_assert_msg(fabs(got - api) <= 1e-6 * api,
                                  "%zu futures, %d threads: future %zu month %zu: %.9g, by hand %.9g",
                                  n, threads, i, t + 1, (double)got, api);
                    ck_assert_msg(own == 17300.0f, "%zu futures: future %zu month %zu: %.9g", n, i,
                                  t + 1, (double)own);
                }
            }
            if (n == 4098 && threads == 2) {
                /* Blocks added in reverse order: the same floats. */
                tco_run *rev;
                tco_error err;
                ck_assert_int_eq(tco_run_alloc(&rev, sc, &opt, &err), TCO_OK);
                long bs = tco_run_block_size(rev);
                for (long b = ((long)n - 1) / bs; b >= 0; b--)
                    ck_assert_int_eq(tco_run_futures(rev, b * bs,
                                                     (b + 1) * bs < (long)n ? (b + 1) * bs : (long)n,
                                                     &err), TCO_OK);
                ck_assert_int_eq(tco_run_finish(rev, &err), TCO_OK);
                ck_assert(memcmp(run->monthly, rev->monthly, 2 * T * n * sizeof(float)) == 0);
                tco_run_free(rev);
            }
            tco_run_free(run);
            tco_scenario_free(sc);
        }
}
END_TEST

/* xoshiro256** known-answer vector: state {1, 2, 3, 4}, the first ten
 * outputs of the authors' reference implementation (Blackman and Vigna). */

/* Route changes (MODEL.md 20) in closed form: demand is flat (no growth, no
 * volatility), so the volume switch fires in month 1, with the new route
 * from month 2, exactly when V_1 > 3e6; V_1 is lognormal with P10 1e6 and
 * P90 4e6, ln V_1 ~ N((ln 1e6 + ln 4e6) / 2, s^2), s = ln 4 / (2 z_0.9).
 * The count is 0 or 1, so its mean is the probability; the first month is
 * 2 in every future that switches.  Within 4 standard errors. */
START_TEST(test_switches_closed_form)
{
    const char *text =
        "scenario: { name: switches, horizon_months: 12 }\n"
        "simulation: { futures: 20000, seed: 2385, sampling: random }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 4.0e6 } }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 0 }\n"
        "  b: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "strategies:\n"
        "  stay: { route: { w: a } }\n"
        "  move:\n"
        "    route: { w: a }\n"
        "    switch: { when: { requests_per_month_above: 3.0e6 }, route: { w: b } }\n";
    tco_run_options opt = {0};
    tco_scenario *sc;
    tco_run *run = run_text(text, &opt, &sc);
    tco_results *res;
    tco_error err;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    double mu = (log(1e6) + log(4e6)) / 2, sd = log(4.0) / (2 * gsl_cdf_ugaussian_Pinv(0.9));
    double p = gsl_cdf_ugaussian_Q((log(3e6) - mu) / sd); /* 0.1588 */
    double se = sqrt(p * (1 - p) / 20000);
    const tco_strategy_result *q = &res->st[1];
    ck_assert_msg(fabs(q->switches_probability - p) < 4 * se, "P(switch) %.5f, expected %.5f",
                  q->switches_probability, p);
    ck_assert_double_eq(q->switches_mean, q->switches_probability);
    ck_assert_double_eq(q->switches_median_first, 2);
    ck_assert_double_eq(res->st[0].switches_mean, 0);
    ck_assert_double_eq(res->st[0].switches_probability, 0);
    ck_assert(isnan(res->st[0].switches_median_first));
    /* Each future by its own volume. */
    for (long i = 0; i < run->n; i++) {
        int fired = run->switches[run->n + i];
        ck_assert_int_eq(run->first_switch[run->n + i], fired ? 2 : 0);
        ck_assert_int_eq(run->switches[i], 0);
    }
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* A review strategy on volatile demand and uncertain GPU prices: switches
 * back and forth, the same with 1 and 2 threads, bit for bit. */
static const char *REVIEW_TEXT =
        "scenario: { name: review, horizon_months: 36 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 200, failure_cost: 0.01 } }\n"
        "demand: { requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 8.0e6 },\n"
        "          growth_annual: 0.2, volatility_annual: 0.8 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 8, fixed_monthly_cost: 500,\n"
        "       price_shocks: { rate_per_year: 2, size: { dist: normal, mean: 0, sd: 0.2 } } }\n"
        "  g:\n"
        "    type: self_hosted\n"
        "    throughput_tokens_per_gpu_second: 2000\n"
        "    gpu: { mode: cloud, hour_price: { dist: uniform, min: 1, max: 4 }, price_volatility_annual: 0.3 }\n"
        "    staff: { base_fte: 0.5, cost_per_fte_year: 150000 }\n"
        "    setup: { months: 1, cost: 10000 }\n"
        "    incidents: { per_year: 4, cost_per_incident: 2000 }\n"
        "    success_rate: { w: 0.97 }\n"
        "strategies:\n"
        "  api: { route: { w: a } }\n"
        "  review:\n"
        "    route: { w: a }\n"
        "    fallback: a\n"
        "    review: { every_months: 3, hysteresis: 0.05, switching_cost: 5000,\n"
        "              options: { own: { w: g } } }\n";

START_TEST(test_review_thread_invariance)
{
    const char *text = REVIEW_TEXT;
    tco_run *runs[2];
    tco_scenario *sc[2];
    char *json[2];
    for (int k = 0; k < 2; k++) {
        tco_run_options opt = {0};
        opt.futures = 3001;
        opt.threads = k + 1;
        runs[k] = run_text(text, &opt, &sc[k]);
        json[k] = json_of(sc[k], runs[k]);
    }
    size_t n = (size_t)runs[0]->n, S = runs[0]->S;
    ck_assert(memcmp(runs[0]->npv, runs[1]->npv, S * n * sizeof(double)) == 0);
    ck_assert(memcmp(runs[0]->switches, runs[1]->switches, S * n * sizeof(int16_t)) == 0);
    ck_assert(memcmp(runs[0]->first_switch, runs[1]->first_switch, S * n * sizeof(int16_t)) == 0);
    ck_assert_str_eq(json[0], json[1]);
    /* The scenario does what it is for: some futures switch more than once,
     * some never. */
    int many = 0, none = 0;
    for (size_t i = 0; i < n; i++) {
        many += runs[0]->switches[n + i] >= 2;
        none += runs[0]->switches[n + i] == 0;
    }
    ck_assert_int_gt(many, 0);
    ck_assert_int_gt(none, 0);
    for (int k = 0; k < 2; k++) {
        free(json[k]);
        tco_run_free(runs[k]);
        tco_scenario_free(sc[k]);
    }
}
END_TEST

START_TEST(test_rng_known_answers)
{
    static const uint64_t want[10] = {11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
                                      1216172134540287360ULL, 607988272756665600ULL,
                                      16172922978634559625ULL, 8476171486693032832ULL,
                                      10595114339597558777ULL, 2904607092377533576ULL};
    tco_rng r = {{1, 2, 3, 4}, NULL};
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(tco_rng_next(&r), want[i]);
    /* Uniforms are (top 53 bits + 1/2) / 2^53: 11520 >> 11 = 5. */
    tco_rng u = {{1, 2, 3, 4}, NULL};
    ck_assert_double_eq(tco_rng_uniform(&u), 5.5 * 0x1.0p-53);
}
END_TEST


/* Break-even (MODEL.md 19) by hand: 1e6 requests a month of 1000 input
 * tokens (1e9 tokens), 4 months, no growth or volatility.  Nominal costs a
 * month (price per million tokens x 1000):
 *   base  (api 1):                      1000 1000 1000 1000, cumulative 1000 2000 3000 4000
 *   same  (api 1):                      tied every month: no break-even (version 1 said month 1)
 *   later (1.5 in months 1-2, 0.25 from 3): 1500 1500 250 250 -> 1500 3000 3250 3500:
 *         above in month 3, below in month 4 by 500: break-even month 4
 *   tied  (1.5, then 0.5 from 3):       1500 1500 500 500 -> 1500 3000 3500 4000:
 *         equal at the horizon: no break-even (version 1 said month 4)
 *   cheap (api 0.5):                    500 a month, below from month 1: month 1 */
START_TEST(test_breakeven_tied_future)
{
    const char *text =
        "scenario: { name: be, horizon_months: 4 }\n"
        "simulation: { futures: 3, seed: 1 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0 }\n"
        "backends:\n"
        "  one: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "  dear: { type: api, input_price_per_mtok: 1.5, output_price_per_mtok: 0 }\n"
        "  quarter: { type: api, input_price_per_mtok: 0.25, output_price_per_mtok: 0 }\n"
        "  half: { type: api, input_price_per_mtok: 0.5, output_price_per_mtok: 0 }\n"
        "strategies:\n"
        "  base: { route: { w: one } }\n"
        "  same: { route: { w: one } }\n"
        "  later: { phases: [ { from_month: 1, route: { w: dear } }, { from_month: 3, route: { w: quarter } } ] }\n"
        "  tied: { phases: [ { from_month: 1, route: { w: dear } }, { from_month: 3, route: { w: half } } ] }\n"
        "  cheap: { route: { w: half } }\n";
    tco_scenario *sc;
    tco_run_options opt = {0};
    tco_run *run = run_text(text, &opt, &sc);
    const double nominal[5] = {4000, 4000, 3500, 4000, 2000};
    const int month[5] = {1, 0, 4, 0, 1};
    for (size_t s = 0; s < 5; s++)
        for (long i = 0; i < run->n; i++) {
            ck_assert_double_eq(run->nominal[s * (size_t)run->n + (size_t)i], nominal[s]);
            ck_assert_msg(run->breakeven[s * (size_t)run->n + (size_t)i] == month[s],
                          "strategy %zu: break-even %d, expected %d", s,
                          run->breakeven[s * (size_t)run->n + (size_t)i], month[s]);
        }
    tco_error err;
    tco_results *res;
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
    ck_assert_double_eq(res->st[1].breakeven_probability, 0);
    ck_assert(isnan(res->st[1].breakeven_median));
    ck_assert_double_eq(res->st[2].breakeven_probability, 1);
    ck_assert_double_eq(res->st[2].breakeven_median, 4);
    ck_assert_double_eq(res->st[3].breakeven_probability, 0);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* With and without risk events: two strategies on fixed paths (no
 * volatility, no price shocks) and events in month 1 (probability 1), so
 * every future is the same and each contribution is a few lines by hand.
 * api costs 1e6 requests x 1000 tokens x 2/Mtok = 2000 a month, api2 at
 * 3/Mtok 3000; D_t = 1.1^(-t/12). */
static const char *EVENTS_FIXED =
    "scenario: { name: ev, horizon_months: 3, discount_rate_annual: 0.1 }\n"
    "simulation: { futures: 300, seed: 3 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
    "demand: { requests_per_month: 1.0e6 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 0 }\n"
    "  api2: { type: api, input_price_per_mtok: 3, output_price_per_mtok: 0 }\n"
    "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1000, min_gpus: 2,\n"
    "         gpu: { mode: cloud, hour_price: 3.0 } }\n"
    "strategies:\n"
    "  a: { route: { w: api } }\n"
    "  g: { route: { w: gpu } }\n"
    "events:\n"
    "  audit: { probability_per_year: 1, effect: { one_off_cost: 12000 } }\n"
    "  hike: { probability_per_year: 1, effect: { price_multiplier: { backend: api, factor: 1.5 } } }\n"
    "  ban: { probability_per_year: 1,\n"
    "         effect: { exclude_backend: { backend: api, reroute_to: api2, cost: 5000 } } }\n";

START_TEST(test_event_effects_by_hand)
{
    tco_scenario *sc;
    tco_run_options opt = {0};
    opt.event_effects = 1;
    opt.threads = 2;
    tco_run *run = run_text(EVENTS_FIXED, &opt, &sc);
    ck_assert_int_eq(run->E, 3);
    const double D1 = pow(1.1, -1 / 12.0);
    double sumD = 0;
    for (int t = 1; t <= 3; t++)
        sumD += pow(1.1, -t / 12.0);
    /* Strategy a with every event: api is banned from month 1, so api2
     * serves (3000 a month), plus 12000 and 5000 in month 1; the hike on
     * api changes nothing.  Without any: 2000 a month. */
    double npv_a = 3000 * sumD + 17000 * D1, none_a = 2000 * sumD;
    /* g: 2 GPUs at 3/h (4380 a month) plus the audit. */
    double npv_g = 4380 * sumD + 12000 * D1;
    ck_close(run->npv[0], npv_a, 1e-12);
    ck_close(run->npv[run->n], npv_g, 1e-12);
    enum { AUDIT, HIKE, BAN, ALL };
    const double *c = run->event_effect; /* [event * 2 + strategy] */
    /* audit: 12000 D_1 = 12000 / 1.1^(1/12) = 11905.07 for both. */
    ck_close(c[AUDIT * 2 + 0], 11905.07, 1e-6);
    ck_close(c[AUDIT * 2 + 1], 12000 * D1, 1e-12);
    /* hike: the ban moves a off api, so the price of api no longer
     * matters: 0; g never reaches api. */
    ck_assert_double_eq(c[HIKE * 2 + 0], 0);
    ck_assert_double_eq(c[HIKE * 2 + 1], 0);
    /* ban: without it, a stays on api at 1.5 x 2000 = 3000 a month, the same
     * as api2; only the 5000 is the ban's: 5000 D_1 = 4960.44. */
    ck_close(c[BAN * 2 + 0], 4960.44, 1e-6);
    ck_assert_double_eq(c[BAN * 2 + 1], 0);
    /* All events: 17000 D_1 + 1000 a month; for g the audit alone. */
    ck_close(c[ALL * 2 + 0], npv_a - none_a, 1e-12);
    ck_close(c[ALL * 2 + 0], 17000 * D1 + 1000 * sumD, 1e-12);
    ck_close(c[ALL * 2 + 1], 12000 * D1, 1e-12);
    for (int k = 0; k <= 3; k++) {
        ck_assert_double_eq(run->event_prob[k], 1);
        for (int s = 0; s < 2; s++)
            ck_assert_msg(run->event_effect_se[k * 2 + s] < 1e-6, "identical futures, se %g",
                          run->event_effect_se[k * 2 + s]);
    }
    /* Costed again: a without the ban, and without both ban and hike (the
     * one-off is known); not without the hike alone, since a never reads
     * api's price from month 1 on (the ban moved it); g reaches neither. */
    ck_assert_int_eq(run->event_recosts, 2 * run->n);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* A price multiplier by hand: without the exclusion, the hike is what
 * makes api cost 3000 instead of 2000 from month 1. */
START_TEST(test_event_price_multiplier_by_hand)
{
    const char *text =
        "scenario: { name: ev, horizon_months: 12, discount_rate_annual: 0.1 }\n"
        "simulation: { futures: 64, seed: 3 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 0 }\n"
        "strategies:\n"
        "  a: { route: { w: api } }\n"
        "events:\n"
        "  hike: { probability_per_year: 1, effect: { price_multiplier: { backend: api, factor: 1.5 } } }\n";
    tco_scenario *sc;
    tco_run_options opt = {0};
    opt.event_effects = 1;
    tco_run *run = run_text(text, &opt, &sc);
    /* 1000 a month over 12 months: sum of 1000 / 1.1^(t/12) = 11400.49. */
    double want = 0;
    for (int t = 1; t <= 12; t++)
        want += 1000 * pow(1.1, -t / 12.0);
    ck_close(run->event_effect[0], want, 1e-12);
    ck_close(run->event_effect[0], 11400.49, 1e-6);
    ck_close(run->event_effect[1], want, 1e-12); /* all events: the hike alone */
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* Events in random months on fixed paths: every future's NPV without the
 * event is the same number (the scenario without its events), so the mean
 * NPV minus the contribution must be that number; and a one-off cost's
 * contribution is the mean of C D_E over the drawn months E. */
START_TEST(test_event_effects_random_months)
{
    const char *head =
        "scenario: { name: ev, horizon_months: 24, discount_rate_annual: 0.1 }\n"
        "simulation: { futures: 3001, seed: 17 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6, growth_annual: 0.3 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 0 }\n"
        "  api2: { type: api, input_price_per_mtok: 2.5, output_price_per_mtok: 0 }\n"
        "strategies:\n"
        "  a: { route: { w: api } }\n"
        "  b: { route: { w: api2 } }\n";
    const char *events[2] = {
        "events:\n"
        "  ban: { probability_per_year: 0.4,\n"
        "         effect: { exclude_backend: { backend: api, reroute_to: api2, cost: 7000 } } }\n",
        "events:\n"
        "  audit: { probability_per_year: 0.3, effect: { one_off_cost: 12000 } }\n"};
    char text[2048];
    tco_scenario *sc0;
    tco_run_options opt = {0};
    tco_run *none = run_text(head, &opt, &sc0);
    for (int v = 0; v < 2; v++) {
        snprintf(text, sizeof text, "%s%s", head, events[v]);
        tco_scenario *sc;
        opt.event_effects = 1;
        opt.keep_samples = 1;
        tco_run *run = run_text(text, &opt, &sc);
        const size_t n = (size_t)run->n;
        long happened = 0;
        double cd = 0;
        for (size_t i = 0; i < n; i++) {
            int e = run->event_month[i];
            ck_assert(e >= 0 && e <= 24);
            happened += e > 0;
            cd += e ? 12000 * pow(1.1, -e / 12.0) : 0;
        }
        ck_assert_double_eq(run->event_prob[0], (double)happened / (double)n);
        ck_assert_double_eq(run->event_prob[1], run->event_prob[0]);
        /* P(within 24 months) = 1 - (1 - p)^2: 0.64 or 0.51, within 4 se. */
        double p = v == 0 ? 0.64 : 0.51;
        ck_assert(fabs(run->event_prob[0] - p) < 4 * sqrt(p * (1 - p) / (double)n));
        for (size_t s = 0; s < 2; s++) {
            double mean = 0;
            for (size_t i = 0; i < n; i++)
                mean += run->npv[s * n + i];
            mean /= (double)n;
            /* Single event: its row and all events' are the same. */
            ck_assert_double_eq(run->event_effect[s], run->event_effect[2 + s]);
            ck_close(mean - run->event_effect[s], none->npv[s * n], 1e-12);
        }
        if (v == 1)
            for (size_t s = 0; s < 2; s++)
                ck_close(run->event_effect[s], cd / (double)n, 1e-12);
        else
            ck_assert_double_eq(run->event_effect[1], 0); /* b never reaches api */
        tco_run_free(run);
        tco_scenario_free(sc);
    }
    tco_run_free(none);
    tco_scenario_free(sc0);
}
END_TEST

/* Contributions, event months and GPUs do not depend on the thread count,
 * and computing contributions leaves every other result as it was. */
START_TEST(test_event_effects_thread_invariance)
{
    char *text = malloc(strlen(ANALYTIC) + 600);
    sprintf(text, "%s"
                  "  hike: { probability_per_year: 0.4, effect: { price_multiplier: { backend: api, factor: 1.3 } } }\n"
                  "  short: { probability_per_year: 0.3, effect: { price_multiplier: { backend: gpu, factor: 1.6 } } }\n"
                  "  ban: { probability_per_year: 0.2,\n"
                  "         effect: { exclude_backend: { backend: api, reroute_to: gpu, cost: 1000 } } }\n",
            ANALYTIC);
    tco_run *runs[3];
    tco_scenario *sc[3];
    const int threads[3] = {1, 2, 1};
    for (int k = 0; k < 3; k++) {
        tco_run_options opt = {0};
        opt.futures = 3003;
        opt.threads = threads[k];
        opt.event_effects = k < 2;
        opt.keep_samples = k < 2;
        runs[k] = run_text(text, &opt, &sc[k]);
    }
    const size_t n = (size_t)runs[0]->n, S = runs[0]->S, E = runs[0]->E;
    ck_assert_int_eq(E, 4);
    ck_assert(memcmp(runs[0]->event_effect, runs[1]->event_effect, (E + 1) * S * sizeof(double)) == 0);
    ck_assert(memcmp(runs[0]->event_effect_se, runs[1]->event_effect_se,
                     (E + 1) * S * sizeof(double)) == 0);
    ck_assert(memcmp(runs[0]->event_prob, runs[1]->event_prob, (E + 1) * sizeof(double)) == 0);
    ck_assert(memcmp(runs[0]->event_month, runs[1]->event_month, E * n * sizeof(int16_t)) == 0);
    ck_assert(memcmp(runs[0]->gpus, runs[1]->gpus, S * n * sizeof(double)) == 0);
    ck_assert_int_eq(runs[0]->event_recosts, runs[1]->event_recosts);
    for (int k = 1; k < 3; k++) {
        ck_assert(memcmp(runs[0]->npv, runs[k]->npv, S * n * sizeof(double)) == 0);
        ck_assert(memcmp(runs[0]->monthly_mean, runs[k]->monthly_mean,
                         S * (size_t)runs[0]->T * sizeof(double)) == 0);
    }
    ck_assert_ptr_null(runs[2]->event_effect);
    ck_assert_ptr_null(runs[2]->event_month);
    ck_assert_ptr_null(runs[2]->gpus);
    /* Some contributions are positive: the hike raises api's cost. */
    ck_assert(runs[0]->event_effect[1 * S + 0] > 0);
    for (int k = 0; k < 3; k++) {
        tco_run_free(runs[k]);
        tco_scenario_free(sc[k]);
    }
    free(text);
}
END_TEST

/* samples.csv's event months and GPUs, and events.csv, on EVENTS_FIXED:
 * every event in month 1; a has no GPUs, g its min_gpus, 2. */
START_TEST(test_event_files)
{
    tco_scenario *sc;
    tco_run_options opt = {0};
    opt.futures = 64;
    opt.event_effects = 1;
    opt.keep_samples = 1;
    opt.keep_inputs = 1;
    tco_run *run = run_text(EVENTS_FIXED, &opt, &sc);
    tco_error err;
    tco_results *res;
    ck_assert_msg(tco_results_compute(&res, run, &err) == TCO_OK, "%s", err.msg);
    tco_report rep = {sc, run, res, NULL};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(tco_write_samples_csv(f, &rep), TCO_OK);
    fclose(f);
    const char *eol = strchr(buf, '\n');
    ck_assert_ptr_nonnull(eol);
    const char *tail = "event_month.audit,event_month.hike,event_month.ban,"
                       "gpus_at_horizon.a,gpus_at_horizon.g\n";
    ck_assert_msg(strncmp(eol + 1 - strlen(tail), tail, strlen(tail)) == 0, "%.*s",
                  (int)(eol - buf), buf);
    const char *row = strchr(eol + 1, '\n');
    ck_assert_msg(strncmp(row - 10, ",1,1,1,0,2", 10) == 0, "%.*s", (int)(row - eol), eol + 1);
    free(buf);
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(tco_write_events_csv(f, &rep), TCO_OK);
    fclose(f);
    ck_assert_msg(strncmp(buf,
                          "event,kind,strategy,contribution_mean,contribution_se,p_happens\n"
                          "audit,one_off_cost,a,11905.0",
                          91) == 0,
                  "%s", buf);
    ck_assert_ptr_nonnull(strstr(buf, "\nban,exclude_backend,a,4960.44"));
    ck_assert_ptr_nonnull(strstr(buf, "\nall events,all,g,11905.0"));
    free(buf);
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(tco_write_table(f, &rep), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(buf, "  ban (P 100%): +4,960 a, 0 g\n"), "%s", buf);
    free(buf);
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(tco_write_json(f, &rep), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(buf, "\"events\": { \"costings_again\": 128, \"each\": [\n"
                              "      { \"name\": \"audit\", \"kind\": \"one_off_cost\", "
                              "\"p_happens\": 1, \"contribution_mean\": { \"a\": 11905.0"),
                  "%s", buf);
    free(buf);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}
END_TEST

/* A run whose monthly costs exceed its monthly_limit stores none (nor
 * break-even and switch months, counted instead); its monthly and
 * cumulative bands, recomputed from the futures, are the same bits as
 * those of the stored arrays, and so is everything else, on 1 and
 * 2 threads: with events (ANALYTIC), reviews and price shocks, and costs
 * beyond float range (infinite bands). */
START_TEST(test_monthly_recomputed)
{
    /* Runs k: 0 stores its months; 1 and 2 do not, and 2 counts the
     * bands' first pass as it computes its futures (count_bands). */
    enum { K = 3 };
    const char *texts[] = {ANALYTIC, REVIEW_TEXT, HUGE_TEXT};
    for (size_t x = 0; x < sizeof texts / sizeof *texts; x++)
        for (int threads = 1; threads <= 2; threads++) {
            tco_run *run[K];
            tco_scenario *sc[K];
            tco_results *res[K];
            tco_cumulative *cu[K];
            char *json[K];
            tco_error err;
            for (int k = 0; k < K; k++) {
                tco_run_options opt = {0};
                opt.futures = 2500 + (long)x * 3000;
                opt.threads = threads;
                opt.event_effects = 1;
                opt.monthly_limit = k ? 1 : (size_t)1 << 40;
                opt.count_bands = k == 2;
                run[k] = run_text(texts[x], &opt, &sc[k]);
                ck_assert(k ? !run[k]->monthly : run[k]->monthly != NULL);
                ck_assert(k ? !run[k]->breakeven && !run[k]->switches : run[k]->breakeven != NULL);
                ck_assert_msg(tco_results_compute(&res[k], run[k], &err) == TCO_OK, "%s", err.msg);
                ck_assert(k ? res[k]->cumulative != NULL : !res[k]->cumulative);
                /* The counted pass is taken by the first bands computed;
                 * these count all three. */
                ck_assert_ptr_null(tco_run_take_bands_pass(run[k]));
                ck_assert_int_eq(tco_cumulative_compute(&cu[k], run[k], &err), TCO_OK);
                json[k] = json_of(sc[k], run[k]);
            }
            size_t S = run[0]->S, T = (size_t)run[0]->T, bands = S * TCO_NBAND * T;
            for (int k = 1; k < K; k++) {
                for (size_t s = 0; s < S; s++)
                    for (int b = 0; b < TCO_NBAND; b++)
                        ck_assert_msg(memcmp(res[0]->st[s].monthly_band[b],
                                             res[k]->st[s].monthly_band[b],
                                             T * sizeof(double)) == 0,
                                      "scenario %zu, %d threads, run %d: strategy %zu band %d", x,
                                      threads, k, s, b);
                ck_assert(memcmp(cu[0]->cum, cu[k]->cum, bands * sizeof(double)) == 0);
                ck_assert(memcmp(cu[0]->diff, cu[k]->diff, bands * sizeof(double)) == 0);
                ck_assert(memcmp(cu[k]->cum, res[k]->cumulative->cum, bands * sizeof(double)) == 0);
                ck_assert(memcmp(cu[k]->diff, res[k]->cumulative->diff, bands * sizeof(double)) ==
                          0);
                ck_assert_str_eq(json[0], json[k]);
            }
            for (int k = 0; k < K; k++) {
                free(json[k]);
                tco_cumulative_free(cu[k]);
                tco_results_free(res[k]);
                tco_run_free(run[k]);
                tco_scenario_free(sc[k]);
            }
        }
}
END_TEST

/* The bands' first pass counted by a run (count_bands) is there only
 * for a run beyond its monthly limit, is taken once, and is refused
 * when a block was computed twice (its futures counted twice): the
 * bands are then counted in three passes, the same as stored. */
START_TEST(test_bands_pass)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err), TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 1001;
    opt.threads = 2;
    opt.count_bands = 1;
    tco_run *run;
    opt.monthly_limit = (size_t)1 << 40; /* stored: nothing counted */
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    ck_assert_ptr_null(tco_run_take_bands_pass(run));
    tco_results *want;
    ck_assert_int_eq(tco_results_compute(&want, run, &err), TCO_OK);
    tco_run_free(run);
    opt.monthly_limit = 1;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    tco_bands_pass *p = tco_run_take_bands_pass(run);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(tco_run_take_bands_pass(run));
    tco_bands_pass_free(p);
    tco_run_free(run);
    for (int twice = 0; twice < 2; twice++) {
        ck_assert_int_eq(tco_run_alloc(&run, sc, &opt, &err), TCO_OK);
        const long bs = tco_run_block_size(run);
        ck_assert_int_eq(tco_run_futures(run, 0, run->n, &err), TCO_OK);
        if (twice)
            ck_assert_int_eq(tco_run_futures(run, bs, 2 * bs, &err), TCO_OK);
        ck_assert_int_eq(tco_run_finish(run, &err), TCO_OK);
        tco_results *res;
        ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
        ck_assert_ptr_nonnull(res->cumulative);
        for (size_t s = 0; s < run->S; s++)
            for (int b = 0; b < TCO_NBAND; b++)
                ck_assert_msg(memcmp(want->st[s].monthly_band[b], res->st[s].monthly_band[b],
                                     (size_t)run->T * sizeof(double)) == 0,
                              "computed twice: %d, strategy %zu band %d", twice, s, b);
        tco_results_free(res);
        tco_run_free(run);
    }
    tco_results_free(want);
    tco_scenario_free(sc);
}
END_TEST

/* A run without monthly arrays and without an engine (built by hand, or
 * finished and stripped) cannot recompute them: an error, not a crash. */
START_TEST(test_monthly_not_recomputable)
{
    tco_run run;
    memset(&run, 0, sizeof run);
    run.n = 1;
    run.S = 1;
    run.T = 1;
    run.threads = 1;
    tco_cumulative *cu;
    tco_error err;
    ck_assert_int_eq(tco_cumulative_compute(&cu, &run, &err), TCO_EINVAL);
    ck_assert_ptr_null(cu);
}
END_TEST

/* Blocks computed by three runs (as three processes of tcosim-mpi would),
 * their sums moved by tco_run_blocks_export and _import and their
 * per-future arrays copied into the first: every mean, count and event
 * effect of the first, once finished, is tco_run_execute's, bit for bit.
 * The baseline has events (event effects) and clamped inputs. */
START_TEST(test_blocks_moved)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err), TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 1001; /* 16 blocks of 64, the last one short */
    opt.threads = 2;
    opt.event_effects = 1;
    opt.keep_inputs = 1;
    tco_run *ref, *part[3];
    ck_assert_int_eq(tco_run_execute(&ref, sc, &opt, &err), TCO_OK);
    /* The pieces in poisoned memory (test_poisoned_memory_same_bits): a
     * piece's arrays outside its own blocks hold NaNs until imported. */
    tco_run_memory_poison(1);
    const long from[4] = {0, 5, 11, 16};
    const size_t n = 1001, S = ref->S, T = (size_t)ref->T, E = ref->E, NI = sc->ninputs;
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(tco_run_alloc(&part[k], sc, &opt, &err), TCO_OK);
        ck_assert_int_eq(tco_run_blocks(part[k]), 16);
        long f0 = from[k] * 64, f1 = from[k + 1] * 64 < 1001 ? from[k + 1] * 64 : 1001;
        ck_assert_int_eq(tco_run_futures(part[k], f0, f1, &err), TCO_OK);
    }
    tco_run_memory_poison(0);
    size_t w = tco_run_block_doubles(part[0]);
    double *buf = malloc(16 * w * sizeof *buf);
    ck_assert_ptr_nonnull(buf);
    /* Blocks not computed here, or beyond the run, cannot be moved. */
    ck_assert_int_eq(tco_run_blocks_export(part[1], 0, 6, buf, &err), TCO_EINVAL);
    ck_assert_int_eq(tco_run_blocks_export(part[1], 5, 17, buf, &err), TCO_EINVAL);
    for (int k = 1; k < 3; k++) {
        ck_assert_int_eq(tco_run_blocks_export(part[k], from[k], from[k + 1], buf, &err), TCO_OK);
        ck_assert_int_eq(tco_run_blocks_import(part[0], from[k], from[k + 1], buf, &err), TCO_OK);
        size_t f0 = (size_t)from[k] * 64, f1 = (size_t)from[k + 1] * 64 < n ? (size_t)from[k + 1] * 64 : n;
        for (size_t s = 0; s < S; s++) {
            memcpy(part[0]->npv + s * n + f0, part[k]->npv + s * n + f0, (f1 - f0) * sizeof(double));
            memcpy(part[0]->nominal + s * n + f0, part[k]->nominal + s * n + f0,
                   (f1 - f0) * sizeof(double));
            memcpy(part[0]->breakeven + s * n + f0, part[k]->breakeven + s * n + f0,
                   (f1 - f0) * sizeof(int16_t));
        }
        for (size_t j = 0; j < S * T; j++)
            memcpy(part[0]->monthly + j * n + f0, part[k]->monthly + j * n + f0,
                   (f1 - f0) * sizeof(float));
        memcpy(part[0]->inputs + f0 * NI, part[k]->inputs + f0 * NI, (f1 - f0) * NI * sizeof(double));
    }
    ck_assert_int_eq(tco_run_finish(part[0], &err), TCO_OK);
    ck_assert_int_eq(tco_run_blocks_import(part[0], 0, 1, buf, &err), TCO_EINVAL);
    tco_run *run = part[0];
    ck_assert(memcmp(ref->npv, run->npv, S * n * sizeof(double)) == 0);
    ck_assert(memcmp(ref->monthly, run->monthly, S * T * n * sizeof(float)) == 0);
    ck_assert(memcmp(ref->inputs, run->inputs, n * NI * sizeof(double)) == 0);
    ck_assert(memcmp(ref->monthly_mean, run->monthly_mean, S * T * sizeof(double)) == 0);
    ck_assert(memcmp(ref->cat_mean, run->cat_mean, S * TCO_NCAT * sizeof(double)) == 0);
    ck_assert(memcmp(ref->cpm_mean, run->cpm_mean, S * sizeof(double)) == 0);
    ck_assert(memcmp(ref->unserved_mean, run->unserved_mean, S * sizeof(double)) == 0);
    ck_assert(memcmp(&ref->tokens_mean, &run->tokens_mean, sizeof(double)) == 0);
    ck_assert(memcmp(ref->clamped, run->clamped, (NI ? NI : 1) * sizeof(unsigned long)) == 0);
    ck_assert(memcmp(ref->breakeven_count, run->breakeven_count,
                     S * (T + 2) * sizeof(unsigned long)) == 0);
    ck_assert(memcmp(ref->first_switch_count, run->first_switch_count,
                     S * (T + 2) * sizeof(unsigned long)) == 0);
    ck_assert(memcmp(ref->switches_total, run->switches_total, S * sizeof(unsigned long)) == 0);
    ck_assert_uint_gt(E, 0);
    ck_assert(memcmp(ref->event_effect, run->event_effect, (E + 1) * S * sizeof(double)) == 0);
    ck_assert(memcmp(ref->event_effect_se, run->event_effect_se, (E + 1) * S * sizeof(double)) ==
              0);
    ck_assert(memcmp(ref->event_prob, run->event_prob, (E + 1) * sizeof(double)) == 0);
    ck_assert_int_eq(ref->event_recosts, run->event_recosts);
    free(buf);
    for (int k = 0; k < 3; k++)
        tco_run_free(part[k]);
    tco_run_free(ref);
    tco_scenario_free(sc);
}
END_TEST

/* Per-future arrays hold whatever the memory held before (tco_run_free
 * keeps them for the next run, and a fresh block is not cleared either):
 * every array a run allocates filled with 0xff bytes first (NaNs, -1s)
 * must give the same bits, per future and in every statistic, stored
 * monthly costs or not, with every kept array, on 1 and 2 threads. */
START_TEST(test_poisoned_memory_same_bits)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(tco_scenario_load(&sc, "bench/v2.yaml", NULL, &err), TCO_OK);
    ck_assert_uint_gt(sc->nevents, 0);
    for (int v = 0; v < 4; v++) {
        tco_run_options opt = {0};
        opt.futures = 3001; /* the last block short */
        opt.threads = 1 + v % 2;
        opt.keep_samples = v < 2;
        opt.keep_inputs = v < 2;
        opt.event_effects = 1;
        opt.monthly_limit = v < 2 ? (size_t)1 << 40 : 1;
        opt.sampling = v == 1 ? TCO_SAMPLING_LHS : TCO_SAMPLING_RANDOM;
        opt.sampling_set = 1;
        tco_run *run[2];
        char *json[2];
        for (int k = 0; k < 2; k++) {
            tco_run_memory_release();
            tco_run_memory_poison(k);
            ck_assert_int_eq(tco_run_execute(&run[k], sc, &opt, &err), TCO_OK);
            tco_run_memory_poison(0);
            json[k] = json_of(sc, run[k]);
        }
        const size_t n = 3001, S = run[0]->S, T = (size_t)run[0]->T, E = run[0]->E,
                     NI = sc->ninputs;
        ck_assert_uint_gt(E, 0);
        ck_assert(memcmp(run[0]->npv, run[1]->npv, S * n * sizeof(double)) == 0);
        ck_assert(memcmp(run[0]->nominal, run[1]->nominal, S * n * sizeof(double)) == 0);
        ck_assert(memcmp(run[0]->monthly_mean, run[1]->monthly_mean, S * T * sizeof(double)) == 0);
        ck_assert(memcmp(run[0]->event_effect, run[1]->event_effect, (E + 1) * S * sizeof(double)) ==
                  0);
        if (v < 2) {
            ck_assert(memcmp(run[0]->monthly, run[1]->monthly, S * T * n * sizeof(float)) == 0);
            ck_assert(memcmp(run[0]->breakeven, run[1]->breakeven, S * n * sizeof(int16_t)) == 0);
            ck_assert(memcmp(run[0]->switches, run[1]->switches, S * n * sizeof(int16_t)) == 0);
            ck_assert(memcmp(run[0]->first_switch, run[1]->first_switch, S * n * sizeof(int16_t)) ==
                      0);
            ck_assert(memcmp(run[0]->inputs, run[1]->inputs, n * NI * sizeof(double)) == 0);
            ck_assert(memcmp(run[0]->event_month, run[1]->event_month, E * n * sizeof(int16_t)) ==
                      0);
            ck_assert(memcmp(run[0]->gpus, run[1]->gpus, S * n * sizeof(double)) == 0);
        } else {
            ck_assert(!run[0]->monthly && !run[1]->monthly);
        }
        ck_assert_msg(strcmp(json[0], json[1]) == 0, "variant %d: results.json differs", v);
        for (int k = 0; k < 2; k++) {
            free(json[k]);
            tco_run_free(run[k]);
        }
    }
    tco_run_memory_release();
    tco_scenario_free(sc);
}
END_TEST

/* Which arrays tco_run_free keeps and the next runs take: a run of the
 * same size takes them (the same addresses) and gives the same bits; a
 * run with arrays of other sizes has them freed, and nothing is kept
 * beyond the most that was live at once (two runs alive keep two runs'). */
START_TEST(test_memory_kept)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err), TCO_OK);
    tco_run_memory_release();
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    tco_run_options opt = {0};
    opt.futures = 4000;
    opt.threads = 2;
    tco_run *a, *b, *c, *d, *e;
    ck_assert_int_eq(tco_run_execute(&a, sc, &opt, &err), TCO_OK);
    const size_t n = 4000, S = a->S, T = (size_t)a->T, mib2 = (size_t)2 << 20;
    /* Only the monthly costs reach 2 MiB at this size. */
    ck_assert_uint_lt(S * n * sizeof(double), mib2);
    ck_assert_uint_ge(S * T * n * sizeof(float), mib2);
    const size_t one = (S * T * n * sizeof(float) + mib2 - 1) / mib2 * mib2;
    float *monthly = malloc(S * T * n * sizeof *monthly);
    double *npv = malloc(S * n * sizeof *npv);
    ck_assert(monthly && npv);
    memcpy(monthly, a->monthly, S * T * n * sizeof *monthly);
    memcpy(npv, a->npv, S * n * sizeof *npv);
    const uintptr_t where = (uintptr_t)a->monthly;
    tco_run_free(a);
    ck_assert_uint_eq(tco_run_memory_kept(), one);
    ck_assert_int_eq(tco_run_execute(&b, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq((uintptr_t)b->monthly, where);
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    ck_assert(memcmp(b->monthly, monthly, S * T * n * sizeof *monthly) == 0);
    ck_assert(memcmp(b->npv, npv, S * n * sizeof *npv) == 0);
    tco_run_free(b);
    /* Twice the futures: the kept array does not fit and is freed. */
    opt.futures = 8000;
    ck_assert_int_eq(tco_run_execute(&c, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    tco_run_free(c);
    ck_assert_uint_ge(tco_run_memory_kept(), 2 * one - mib2);
    /* Two runs alive at once, then one: it takes one of their arrays and
     * the other stays kept (no more than was live before). */
    opt.futures = 4000;
    ck_assert_int_eq(tco_run_execute(&d, sc, &opt, &err), TCO_OK);
    ck_assert_int_eq(tco_run_execute(&e, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    tco_run_free(d);
    tco_run_free(e);
    ck_assert_uint_eq(tco_run_memory_kept(), 2 * one);
    ck_assert_int_eq(tco_run_execute(&a, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq(tco_run_memory_kept(), one);
    ck_assert(memcmp(a->monthly, monthly, S * T * n * sizeof *monthly) == 0);
    tco_run_memory_release();
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    tco_run_free(a);
    ck_assert_uint_eq(tco_run_memory_kept(), one);
    /* A run with arrays of other sizes only, well within what was live
     * before: the kept array is of no size it has, and is freed. */
    opt.futures = 2000;
    ck_assert_uint_ge(S * T * 2000 * sizeof(float), mib2);
    ck_assert_uint_lt(S * T * 2000 * sizeof(float), one - mib2);
    ck_assert_int_eq(tco_run_execute(&a, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    tco_run_free(a);
    /* Two runs alive again, then one that also keeps its inputs (an array
     * of 2 MiB or more the others did not have): it takes one monthly
     * array, and the other, though of a size it has, would take the
     * process beyond the most that was live at once, so it is freed. */
    opt.futures = 4000;
    ck_assert_int_eq(tco_run_execute(&d, sc, &opt, &err), TCO_OK);
    ck_assert_int_eq(tco_run_execute(&e, sc, &opt, &err), TCO_OK);
    tco_run_free(d);
    tco_run_free(e);
    ck_assert_uint_eq(tco_run_memory_kept(), 2 * one);
    opt.keep_inputs = 1;
    ck_assert_uint_ge(n * sc->ninputs * sizeof(double), mib2);
    ck_assert_int_eq(tco_run_execute(&a, sc, &opt, &err), TCO_OK);
    ck_assert_uint_eq(tco_run_memory_kept(), 0);
    ck_assert(memcmp(a->monthly, monthly, S * T * n * sizeof *monthly) == 0);
    tco_run_free(a);
    free(monthly);
    free(npv);
    tco_run_memory_release();
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_analytic_means);
    tcase_add_test(tc, test_rank_correlation);
    tcase_add_test(tc, test_thread_invariance);
    tcase_add_test(tc, test_seed_changes_results);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_monthly_bands_bound);
    tcase_add_test(tc, test_cost_per_mtok_and_clamps);
    tcase_add_test(tc, test_breakeven_by_hand);
    tcase_add_test(tc, test_monthly_by_hand);
    tcase_add_test(tc, test_non_finite_cost_is_an_error);
    tcase_add_test(tc, test_costs_beyond_float_range);
    tcase_add_test(tc, test_long_volatile_horizon);
    tcase_add_test(tc, test_thread_cap);
    tcase_add_test(tc, test_cancel_within_block);
    tcase_add_test(tc, test_stratification_exact);
    tcase_add_test(tc, test_ranges_any_order);
    tcase_add_test(tc, test_breakeven_tied_future);
    tcase_add_test(tc, test_rng_known_answers);
    tcase_add_test(tc, test_switches_closed_form);
    tcase_add_test(tc, test_review_thread_invariance);
    tcase_add_test(tc, test_event_effects_by_hand);
    tcase_add_test(tc, test_event_price_multiplier_by_hand);
    tcase_add_test(tc, test_event_effects_random_months);
    tcase_add_test(tc, test_event_effects_thread_invariance);
    tcase_add_test(tc, test_event_files);
    tcase_add_test(tc, test_stop_after);
    tcase_add_test(tc, test_monthly_recomputed);
    tcase_add_test(tc, test_bands_pass);
    tcase_add_test(tc, test_monthly_not_recomputable);
    tcase_add_test(tc, test_blocks_moved);
    tcase_add_test(tc, test_poisoned_memory_same_bits);
    tcase_add_test(tc, test_memory_kept);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
