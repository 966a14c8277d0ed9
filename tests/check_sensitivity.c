/* Sensitivity and value of information on cases with known answers. */
#include "testutil.h"

#include "../sim/rng.h"
#include "../sim/sensitivity.h"
#include "../sim/sobolidx.h"
#include "../sim/stats.h"

/* The API's NPV is 12 x 0.001 x V with V ~ uniform(1M, 3M) and nothing
 * else random: the tornado ends are 12 x 0.001 x P10 and x P90 exactly,
 * and the rank correlation of V with the output is 1. */
static const char *LINEAR =
    "scenario: { name: lin, horizon_months: 12 }\n"
    "simulation: { futures: 4000 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0, failure_cost: { dist: uniform, min: 0, max: 5 } } }\n"
    "demand: { requests_per_month: { dist: uniform, min: 1.0e6, max: 3.0e6 } }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
    "strategies: { api: { route: { w: api } } }\n";

START_TEST(test_tornado_and_rank_exact)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(LINEAR, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    tco_sensitivity *r;
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_TORNADO, 0, -1, &err), TCO_OK);
    ck_assert_int_eq(r->rows[0].input, sc->volume);
    ck_close(r->rows[0].low, 12 * 0.001 * 1.2e6, 1e-12);
    ck_close(r->rows[0].high, 12 * 0.001 * 2.8e6, 1e-12);
    ck_close(r->rows[0].value, 12 * 0.001 * 1.6e6, 1e-12);
    /* The failure cost has no effect: success rate 1. */
    ck_assert_double_eq(r->rows[1].value, 0);
    ck_assert_int_eq(r->runs, 4000 * 5);
    tco_sensitivity_free(r);
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_RANK, 0, -1, &err), TCO_OK);
    ck_assert_int_eq(r->rows[0].input, sc->volume);
    ck_close(r->rows[0].value, 1, 1e-12);
    /* Independent input: |rho| within 4 / sqrt(n). */
    ck_assert(fabs(r->rows[1].value) < 4 / sqrt(4000.0));
    ck_assert(r->rows[1].low < r->rows[1].value && r->rows[1].value < r->rows[1].high);
    /* One strategy: no decision, no value of information. */
    ck_assert_double_eq(r->evpi, 0);
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
}
END_TEST

/* Two strategies whose ranking depends on the volume V (the API costs
 * 0.001 V a month, the GPUs 17,300 whatever V), plus an audit whose cost
 * both pay alike.  Learning V before deciding is worth almost all of the
 * EVPI; learning the audit's cost is worth nothing. */
static const char *DECISION =
    "scenario: { name: voi, horizon_months: 12 }\n"
    "simulation: { futures: 20000, seed: 3 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
    "demand: { requests_per_month: { dist: uniform, min: 5.0e6, max: 25.0e6 } }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
    "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
    "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
    "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n"
    "events: { audit: { probability_per_year: 1, effect: { one_off_cost: { dist: uniform, min: 0, max: 1.0e6 } } } }\n";

START_TEST(test_evppi)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(DECISION, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    tco_sensitivity *r;
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_RANK, -1, -1, &err), TCO_OK);
    /* EVPI in closed form: with V uniform on [5M, 25M] and the break-even at
     * V* = 17.3M, the regret of the API (best on average: mean 180,000 vs
     * 207,600) is 12 x 0.001 x (V - V*) when V > V*:
     * E = 0.012 x (25M - 17.3M)^2 / (2 x 20M). */
    double evpi = 0.012 * (25e6 - 17.3e6) * (25e6 - 17.3e6) / (2 * 20e6);
    /* Monte Carlo: the regret's sd is below its range 0.012 x 7.7M; 4 SE. */
    ck_assert_msg(fabs(r->evpi - evpi) <= 4 * 0.012 * 7.7e6 / sqrt(20000.0),
                  "EVPI %.1f, expected %.1f", r->evpi, evpi);
    ck_assert_int_eq(r->evppi[0].input, sc->volume);
    ck_assert_msg(r->evppi[0].value > 0.95 * r->evpi && r->evppi[0].value <= r->evpi + 1e-9,
                  "EVPPI of volume %.1f vs EVPI %.1f", r->evppi[0].value, r->evpi);
    int audit = tco_scenario_input(sc, "events.audit.effect.one_off_cost");
    ck_assert_int_eq(r->evppi[1].input, audit);
    ck_assert_double_eq(r->evppi[1].value, 0);
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
}
END_TEST

START_TEST(test_evppi_by_hand)
{
    /* Four futures, two strategies: x orders them; two bins of two.
     * Means: a 2.5, b 2.5 -> best 2.5.  Bin 1 (x = 1, 2): a 1.5, b 3.5;
     * bin 2: a 3.5, b 1.5.  Inner: (2 x 1.5 + 2 x 1.5) / 4 = 1.5, EVPPI 1. */
    double x[4] = {1, 2, 3, 4};
    double npv[8] = {1, 2, 3, 4, /* b */ 4, 3, 2, 1};
    ck_close(tco_evppi(x, 1, npv, 4, 2, 2), 1.0, 1e-15);
    /* In two steps: a has the lower index of the equal means. */
    double best = 0;
    ck_assert_int_eq(tco_evppi_choice(npv, 4, 2, &best), 0);
    ck_assert_double_eq(best, 2.5);
    ck_close(tco_evppi_of(x, 1, npv, 4, 2, 2, 0, 2.5), 1.0, 1e-15);
    ck_assert(isnan(tco_evppi_of(x, 1, npv, 4, 2, 2, -1, NAN)));
    /* EVPI: min mean 2.5, mean of the minimum (1 + 2 + 2 + 1) / 4 = 1.5. */
    ck_close(tco_stats_evpi(npv, 4, 2), 1.0, 1e-15);
    /* b = 3.5, 3, 2, 1 has the lower mean (2.375): EVPI is its regret
     * (2.5 + 1 + 0 + 0) / 4, not a's (0 + 0 + 1 + 3) / 4. */
    npv[4] = 3.5;
    ck_close(tco_stats_evpi(npv, 4, 2), 0.875, 1e-15);
    /* One bin: no information, no value. */
    ck_assert_double_eq(tco_evppi(x, 1, npv, 4, 2, 1), 0);
}
END_TEST

/* The plain path of tco_evppi: qsort by (x, future), bins of nearly equal
 * counts with ties kept together, the bins' smallest sums. */
typedef struct {
    double x;
    size_t i;
} ref_key;

static int ref_cmp(const void *a, const void *b)
{
    const ref_key *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->i > q->i) - (p->i < q->i);
}

static double ref_evppi(const double *x, const double *npv, size_t n, size_t S, size_t bins)
{
    ref_key *k = malloc(n * sizeof *k);
    double *sum = calloc(S, sizeof *sum), *mean = malloc(S * sizeof *mean);
    for (size_t i = 0; i < n; i++)
        k[i] = (ref_key){x[i], i};
    qsort(k, n, sizeof *k, ref_cmp);
    tco_stats_means(npv, n, S, mean);
    double best = mean[tco_stats_best_mean(mean, S)], inner = 0;
    size_t start = 0;
    for (size_t b = 0; b < bins && start < n; b++) {
        size_t end = b + 1 == bins ? n : (n * (b + 1)) / bins;
        if (end <= start)
            continue;
        while (end < n && k[end].x == k[end - 1].x)
            end++;
        for (size_t s = 0; s < S; s++)
            sum[s] = 0;
        for (size_t j = start; j < end; j++)
            for (size_t s = 0; s < S; s++)
                sum[s] += npv[s * n + k[j].i];
        double m = HUGE_VAL;
        for (size_t s = 0; s < S; s++)
            m = fmin(m, sum[s]);
        inner += m;
        start = end;
    }
    free(k);
    free(sum);
    free(mean);
    double v = best - inner / (double)n;
    return v > 1e-12 * fabs(best) ? v : 0;
}

/* tco_evppi's radix sort orders as qsort does, ties (many, and -0 with +0)
 * by future, on values of both signs and every scale: the same EVPPI. */
START_TEST(test_evppi_sort_equals_qsort)
{
    const size_t n = 5003, S = 3;
    double *x = malloc(n * sizeof *x), *npv = malloc(S * n * sizeof *npv);
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng r;
    tco_rng_seed(&r, &zig, 41, 0);
    for (int form = 0; form < 3; form++) {
        for (size_t i = 0; i < n; i++) {
            double u = tco_rng_uniform(&r);
            x[i] = form == 0   ? floor(u * 7) - 3                       /* ties, 0 */
                   : form == 1 ? (i % 5 < 2 ? (i % 5 ? 0.0 : -0.0) : (u - 0.5) * 1e-300)
                               : (u - 0.3) * pow(10, floor(u * 600) - 300); /* scales */
            for (size_t s = 0; s < S; s++)
                npv[s * n + i] = 1e5 * tco_rng_uniform(&r) + (double)s * x[i] * (form == 0);
        }
        for (size_t bins = 2; bins <= 50; bins += 16) {
            double want = ref_evppi(x, npv, n, S, bins), got = tco_evppi(x, 1, npv, n, S, bins);
            ck_assert_msg(memcmp(&want, &got, sizeof got) == 0, "form %d, %zu bins: %.17g != %.17g",
                          form, bins, got, want);
        }
    }
    free(x);
    free(npv);
}
END_TEST

START_TEST(test_sobol_on_the_model)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(LINEAR, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    opt.futures = 2048;
    tco_sensitivity *r;
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_SOBOL, 0, -1, &err), TCO_OK);
    ck_assert_int_eq(r->quasi, 1);
    ck_assert_int_eq(r->runs, tco_sensitivity_cost(sc, TCO_SENS_SOBOL, 2048));
    /* The volume explains all of the variance, the failure cost none. */
    ck_assert_int_eq(r->rows[0].input, sc->volume);
    /* Both estimators are unbiased, not exact: 1 lies in the intervals. */
    ck_assert_msg(r->rows[0].low2 <= 1 && 1 <= r->rows[0].high2, "total %.4f [%.4f, %.4f]",
                  r->rows[0].value2, r->rows[0].low2, r->rows[0].high2);
    ck_assert_msg(r->rows[0].low <= 1 && 1 <= r->rows[0].high, "first %.4f [%.4f, %.4f]",
                  r->rows[0].value, r->rows[0].low, r->rows[0].high);
    ck_close(r->rows[0].value2, 1, 0.02);
    ck_assert_double_eq(r->rows[1].value2, 0);
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
}
END_TEST

/* The mean over the futures of run's output (output minus versus), summed
 * in future order as the analysis does. */
static double plain_output(const tco_run *run, int output, int versus, double *y)
{
    size_t n = (size_t)run->n;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = run->npv[(size_t)output * n + i] - (versus >= 0 ? run->npv[(size_t)versus * n + i] : 0);
        sum += y[i];
    }
    return sum / (double)n;
}

/* The tornado and Sobol's design runs, made on the same futures in one
 * loop (tco_sweep_runs), equal one plain run each (tco_run_execute), bit
 * for bit, on 1 and 2 threads. */
START_TEST(test_design_runs_equal_plain)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err) == TCO_OK, "%s",
                  err.msg);
    const size_t D = sc->ndims, n = 128;
    double *y = malloc(n * sizeof *y);
    for (int threads = 1; threads <= 2; threads++) {
        tco_run_options opt = {0};
        opt.futures = (long)n;
        opt.threads = threads;
        tco_sensitivity *r;
        ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_TORNADO, -1, -1, &err), TCO_OK);
        for (size_t j = 0; j < r->nrows; j++) {
            int k = r->rows[j].input;
            const tco_input *in = &sc->inputs[k];
            double ends[2];
            for (int e = 0; e < 2; e++) {
                double v = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, e ? 0.9 : 0.1));
                tco_run_options o = opt;
                o.threads = 3 - threads;
                o.override_input = &k;
                o.override_value = &v;
                o.noverride = 1;
                tco_run *run;
                ck_assert(tco_run_execute(&run, sc, &o, &err) == TCO_OK);
                ends[e] = plain_output(run, r->output, r->versus, y);
                tco_run_free(run);
            }
            ck_assert(memcmp(&ends[0], &r->rows[j].low, sizeof(double)) == 0);
            ck_assert(memcmp(&ends[1], &r->rows[j].high, sizeof(double)) == 0);
        }
        int output = r->output, versus = r->versus;
        tco_sensitivity_free(r);
        ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_SOBOL, output, versus, &err),
                         TCO_OK);
        double *A = malloc(n * D * sizeof *A), *B = malloc(n * D * sizeof *B);
        double *M = malloc(n * D * sizeof *M), *f = malloc((D + 2) * n * sizeof *f);
        tco_sobol_index *idx = malloc(D * sizeof *idx);
        int quasi;
        ck_assert(tco_saltelli_design(n, D, sc->seed, A, B, &quasi, &err) == TCO_OK);
        for (size_t m = 0; m < D + 2; m++) {
            if (m >= 2)
                tco_saltelli_mix(A, B, n, D, m - 2, M);
            tco_run_options o = opt;
            o.uniforms = m == 0 ? A : m == 1 ? B : M;
            tco_run *run;
            ck_assert(tco_run_execute(&run, sc, &o, &err) == TCO_OK);
            plain_output(run, output, versus, f + m * n);
            tco_run_free(run);
        }
        ck_assert(tco_sobol_indices(f, f + n, f + 2 * n, n, D, 500, sc->seed, idx, &err) == TCO_OK);
        for (size_t j = 0; j < r->nrows; j++) {
            size_t d = 0;
            while (sc->dim_input[d] != r->rows[j].input)
                d++;
            ck_assert(memcmp(&idx[d].first, &r->rows[j].value, sizeof(double)) == 0);
            ck_assert(memcmp(&idx[d].total, &r->rows[j].value2, sizeof(double)) == 0);
            ck_assert(memcmp(&idx[d].total_lo, &r->rows[j].low2, sizeof(double)) == 0);
        }
        tco_sensitivity_free(r);
        free(A);
        free(B);
        free(M);
        free(f);
        free(idx);
    }
    free(y);
    tco_scenario_free(sc);
}
END_TEST

/* The bootstrap on several threads gives the one-thread intervals, bit for
 * bit: each resample's rows come from where the stream stands at its start. */
START_TEST(test_bootstrap_threads)
{
    const size_t N = 300, D = 3;
    double *f = malloc((D + 2) * N * sizeof *f);
    for (size_t j = 0; j < (D + 2) * N; j++)
        f[j] = sin(2.385 * (double)j) + 0.1 * (double)(j % 7);
    tco_sobol_index one[3], many[3];
    tco_error err;
    ck_assert(tco_sobol_indices(f, f + N, f + 2 * N, N, D, 200, 9, one, &err) == TCO_OK);
    for (int t = 2; t <= 3; t++) {
        ck_assert(tco_sobol_indices_threads(f, f + N, f + 2 * N, N, D, 200, 9, t, many, &err) ==
                  TCO_OK);
        for (size_t i = 0; i < D; i++) {
            ck_assert(memcmp(&one[i].first_lo, &many[i].first_lo, sizeof(double)) == 0);
            ck_assert(memcmp(&one[i].first_hi, &many[i].first_hi, sizeof(double)) == 0);
            ck_assert(memcmp(&one[i].total_lo, &many[i].total_lo, sizeof(double)) == 0);
            ck_assert(memcmp(&one[i].total_hi, &many[i].total_hi, sizeof(double)) == 0);
            ck_assert(memcmp(&one[i].first, &many[i].first, sizeof(double)) == 0);
        }
    }
    free(f);
}
END_TEST

/* Same seed, same indices and intervals, whatever the thread count. */
START_TEST(test_threads)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(DECISION, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_sensitivity *r[2];
    for (int k = 0; k < 2; k++) {
        tco_run_options opt = {0};
        opt.futures = 1024;
        opt.threads = k + 1;
        ck_assert_int_eq(tco_sensitivity_run(&r[k], sc, &opt, TCO_SENS_SOBOL, -1, -1, &err), TCO_OK);
    }
    ck_assert_uint_eq(r[0]->nrows, r[1]->nrows);
    /* Field by field (a memcmp would also compare struct padding). */
    for (size_t i = 0; i < r[0]->nrows; i++) {
        const tco_sens_row *a = &r[0]->rows[i], *b = &r[1]->rows[i];
        ck_assert_int_eq(a->input, b->input);
        ck_assert(a->value == b->value && a->low == b->low && a->high == b->high);
        ck_assert(a->value2 == b->value2 && a->low2 == b->low2 && a->high2 == b->high2);
    }
    ck_assert_uint_eq(r[0]->nevppi, r[1]->nevppi);
    for (size_t i = 0; i < r[0]->nevppi; i++) {
        ck_assert_int_eq(r[0]->evppi[i].input, r[1]->evppi[i].input);
        ck_assert(r[0]->evppi[i].value == r[1]->evppi[i].value);
    }
    ck_assert_double_eq(r[0]->evpi, r[1]->evpi);
    tco_sensitivity_free(r[0]);
    tco_sensitivity_free(r[1]);
    /* Rank correlations and EVPPI (one input a thread) on the baseline,
     * whose many inputs spread over the threads. */
    tco_scenario_free(sc);
    ck_assert_msg(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err) == TCO_OK, "%s",
                  err.msg);
    for (int k = 0; k < 2; k++) {
        tco_run_options opt = {0};
        opt.futures = 600;
        opt.threads = 2 * k + 1;
        ck_assert_int_eq(tco_sensitivity_run(&r[k], sc, &opt, TCO_SENS_RANK, -1, -1, &err), TCO_OK);
    }
    ck_assert_uint_eq(r[0]->nrows, r[1]->nrows);
    for (size_t i = 0; i < r[0]->nrows; i++) {
        const tco_sens_row *a = &r[0]->rows[i], *b = &r[1]->rows[i];
        ck_assert_int_eq(a->input, b->input);
        ck_assert(a->value == b->value && a->low == b->low && a->high == b->high);
    }
    for (size_t i = 0; i < r[0]->nevppi; i++) {
        ck_assert_int_eq(r[0]->evppi[i].input, r[1]->evppi[i].input);
        ck_assert(r[0]->evppi[i].value == r[1]->evppi[i].value);
    }
    /* EVPPI of one input by hand (tco_evppi) equals the analysis's. */
    tco_run_options o = {0};
    o.futures = 600;
    o.threads = 1;
    o.keep_inputs = 1;
    tco_run *run;
    ck_assert(tco_run_execute(&run, sc, &o, &err) == TCO_OK);
    const tco_sens_row *e = &r[1]->evppi[r[1]->nevppi / 2];
    double want = tco_evppi(run->inputs + e->input, sc->ninputs, run->npv, (size_t)run->n,
                            run->S, 6);
    ck_assert_msg(memcmp(&want, &e->value, sizeof want) == 0, "%.17g != %.17g", want, e->value);
    tco_run_free(run);
    tco_sensitivity_free(r[0]);
    tco_sensitivity_free(r[1]);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7, fuzz finding 4: each future's NPV is finite (about 3e307) but
 * no strategy's mean is (the sum overflows): choosing the two strategies
 * to compare read strategy -1.  It is an input error now. */
START_TEST(test_no_finite_mean)
{
    const char *text =
        "scenario: { name: huge, horizon_months: 12, discount_rate_annual: 0 }\n"
        "simulation: { futures: 100, seed: 3 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
        "demand: { requests_per_month: 1.0e6 }\n"
        "backends:\n"
        "  a: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e9, gpu: { mode: cloud, hour_price: 2 },\n"
        "       staff: { base_fte: 1, cost_per_fte_year: { dist: uniform, min: 2.0e307, max: 4.0e307 } } }\n"
        "  b: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e9, gpu: { mode: cloud, hour_price: 3 },\n"
        "       staff: { base_fte: 1, cost_per_fte_year: 3.0e307 } }\n"
        "strategies: { a: { route: { w: a } }, b: { route: { w: b } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    tco_sensitivity *r = NULL;
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_RANK, -1, -1, &err), TCO_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, "no strategy has a finite mean"), "%s", err.msg);
    /* A strategy named explicitly is analysed; its EVPI is not defined. */
    ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, TCO_SENS_RANK, 0, -1, &err), TCO_OK);
    ck_assert(isnan(r->evpi));
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
}
END_TEST

/* Issue 7, fuzz finding 5: an analysis stops when the cancel flag is up. */
START_TEST(test_cancel)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(DECISION, &sc, &err) == TCO_OK, "%s", err.msg);
    volatile sig_atomic_t stop = 1;
    tco_run_options opt = {0};
    opt.cancel = &stop;
    tco_sensitivity *r = NULL;
    for (int m = 0; m < 3; m++) {
        ck_assert_int_eq(tco_sensitivity_run(&r, sc, &opt, (tco_sens_method)m, -1, -1, &err),
                         TCO_EINTR);
        ck_assert_ptr_null(r);
    }
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sensitivity");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tornado_and_rank_exact);
    tcase_add_test(tc, test_evppi);
    tcase_add_test(tc, test_evppi_by_hand);
    tcase_add_test(tc, test_sobol_on_the_model);
    tcase_add_test(tc, test_design_runs_equal_plain);
    tcase_add_test(tc, test_bootstrap_threads);
    tcase_add_test(tc, test_evppi_sort_equals_qsort);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_no_finite_mean);
    tcase_add_test(tc, test_cancel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
