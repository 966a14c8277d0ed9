/* Sweeps and crossovers against closed forms, and their independence of
#define _GNU_SOURCE
 * the thread count. */
#include "testutil.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "../sim/dist.h"
#include "../sim/sobolidx.h"
#include "../sim/stats.h"
#include "../sim/sweep.h"

/* API: 1000 input tokens at 1 per million: 0.001 a request.  Self-hosted:
 * one GPU at 10 an hour (7,300 a month) and one engineer at 120,000 a year
 * (10,000 a month): 17,300 a month whatever the volume.  Break-even volume:
 * 17,300 / 0.001 = 17.3 million requests a month, at any horizon. */
static const char *DET =
    "scenario: { name: det, horizon_months: 12 }\n"
    "simulation: { futures: 50 }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 0 } }\n"
    "demand: { requests_per_month: 1.0e6 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
    "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
    "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
    "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tcosim-sweep-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static tco_sweep *sweep(const char *file, const char *v1, const char *v2, int threads)
{
    tco_vary v[2];
    tco_error err;
    ck_assert_msg(tco_vary_parse(&v[0], v1, &err) == TCO_OK, "%s", err.msg);
    if (v2)
        ck_assert_msg(tco_vary_parse(&v[1], v2, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    opt.threads = threads;
    tco_sweep *sw;
    ck_assert_msg(tco_sweep_run(&sw, file, NULL, v, v2 ? 2 : 1, &opt, &err) == TCO_OK, "%s", err.msg);
    tco_vary_clear(&v[0]);
    if (v2)
        tco_vary_clear(&v[1]);
    return sw;
}

START_TEST(test_crossover_closed_form)
{
    char *file = write_temp(DET);
    tco_sweep *sw = sweep(file, "demand.requests_per_month=5e6:30e6:6", NULL, 0);
    ck_assert_uint_eq(sw->npoints, 6);
    ck_close(sw->mean[0], 12 * 0.001 * 5e6, 1e-12);       /* api at 5M */
    ck_close(sw->mean[1], 12 * 17300.0, 1e-12);            /* own */
    /* One workload of 1000 tokens a request. */
    ck_close(sw->tokens_per_request[0], 1000, 1e-12);
    tco_crossover c[16];
    size_t n = tco_sweep_crossovers(sw, 0.5, c, 16);
    /* Between 15M and 20M: the cheapest changes, the pair's means cross,
     * P(own cheaper than api) rises through 50%. */
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(c[0].kind, TCO_CROSS_CHEAPEST);
    ck_assert_int_eq(c[0].from, 0);
    ck_assert_int_eq(c[0].to, 1);
    ck_assert_int_eq(c[0].axis, 0);
    /* The mean difference is linear in volume: interpolation is exact. */
    ck_close(c[0].value, 17.3e6, 1e-9);
    ck_close(c[0].tokens, 17.3e9, 1e-9);
    ck_assert(isnan(c[0].other));
    ck_assert_int_eq(c[1].kind, TCO_CROSS_MEAN);
    ck_close(c[1].value, 17.3e6, 1e-9);
    /* P(own cheaper than api) jumps from 0 at 15M to 1 at 20M: linear
     * interpolation puts 50% at 17.5M. */
    ck_assert_int_eq(c[2].kind, TCO_CROSS_PROBABILITY);
    ck_assert_int_eq(c[2].from, 0);
    ck_assert_int_eq(c[2].to, 1);
    ck_close(c[2].value, 17.5e6, 1e-12);
    char buf[2048];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    tco_write_sweep_words(f, sw);
    fclose(f);
    ck_assert_msg(strstr(buf, "changes from api to own at demand.requests_per_month = 17.3M "
                              "(17.3B tokens a month)"), "%s", buf);
    ck_assert_msg(strstr(buf, "own becomes cheaper than api above demand.requests_per_month = "
                              "17.5M (17.5B tokens a month), more likely than not; 90% sure "
                              "above 19.5M (19.5B tokens a month)."), "%s", buf);
    f = fmemopen(buf, sizeof buf, "w");
    tco_write_crossovers_csv(f, sw);
    fclose(f);
    ck_assert_msg(strstr(buf, "input,other_input,other_value,kind,from,to,value,tokens_per_month\n"
                              "demand.requests_per_month,,,cheapest,api,own,17300000,1.73e+10\n"
                              "demand.requests_per_month,,,mean,api,own,17300000,1.73e+10\n"
                              "demand.requests_per_month,,,probability,api,own,17500000,1.75e+10\n"),
                  "%s", buf);
    tco_sweep_free(sw);
    /* A log sweep interpolates on the log scale: exact for the geometric
     * mean of the bracketing points only when the difference is linear in
     * log volume, so here the value lies strictly inside the bracket. */
    sw = sweep(file, "demand.requests_per_month=1e6:1e8:5:log", NULL, 0);
    n = tco_sweep_crossovers(sw, 0.5, c, 16);
    ck_assert_uint_ge(n, 1);
    ck_assert(c[0].value > 1e7 && c[0].value < 3.17e7);
    tco_sweep_free(sw);
    unlink(file);
}
END_TEST

/* Every pair, not only against the baseline: a second self-hosted
 * strategy at 20 an hour costs 14,600 + 10,000 = 24,600 a month, so the
 * API's mean crosses it at 24.6M requests (24.6G tokens), and P(own2
 * cheaper than api) jumps from 0 at 20M to 1 at 25M (50% at 22.5M).  own
 * and own2 never cross (own is 7,300 cheaper every month).  Tokens: two
 * workloads, shares 3 and 1 (normalised to 0.75 and 0.25), of 1000 + 0 and
 * 2000 + 1000 tokens: 0.75 x 1000 + 0.25 x 3000 = 1500 tokens a request. */
START_TEST(test_every_pair)
{
    const char *text =
        "scenario: { name: pairs, horizon_months: 12 }\n"
        "simulation: { futures: 20 }\n"
        "workloads: { w: { share: 3, input_tokens: 1000, output_tokens: 0 },\n"
        "             v: { share: 1, input_tokens: 2000, output_tokens: 1000 } }\n"
        "demand: { requests_per_month: 1.0e6 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 0 }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
        "         gpu: { mode: cloud, hour_price: 10 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "  gpu2: { type: self_hosted, throughput_tokens_per_gpu_second: 1.0e12, min_gpus: 1,\n"
        "         gpu: { mode: cloud, hour_price: 20 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "strategies: { api: { route: { w: api, v: api } }, own: { route: { w: gpu, v: gpu } },\n"
        "              own2: { route: { w: gpu2, v: gpu2 } } }\n";
    char *file = write_temp(text);
    /* API cost a request: 0.75 x 0.001 + 0.25 x 0.002 = 0.00125; own
     * breaks even at 17,300 / 0.00125 = 13.84M, own2 at 24,600 / 0.00125
     * = 19.68M. */
    tco_sweep *sw = sweep(file, "demand.requests_per_month=5e6:30e6:6", NULL, 0);
    ck_close(sw->tokens_per_request[0], 1500, 1e-12);
    size_t max = tco_sweep_crossovers(sw, 0.5, NULL, 0);
    tco_crossover *c = malloc(max * sizeof *c);
    size_t n = tco_sweep_crossovers(sw, 0.5, c, max);
    ck_assert_uint_eq(n, max);
    int cheapest = 0, mean_own = 0, mean_own2 = 0, p_own = 0, p_own2 = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_ne(c[i].from == 1 && c[i].to == 2, 1);
        ck_assert_int_ne(c[i].from == 2 && c[i].to == 1, 1);
        ck_close(c[i].tokens, 1500 * c[i].value, 1e-12);
        if (c[i].kind == TCO_CROSS_CHEAPEST) {
            cheapest++;
            ck_close(c[i].value, 13.84e6, 1e-9);
        } else if (c[i].kind == TCO_CROSS_MEAN && c[i].to == 1) {
            mean_own++;
            ck_close(c[i].value, 13.84e6, 1e-9);
        } else if (c[i].kind == TCO_CROSS_MEAN && c[i].to == 2) {
            mean_own2++;
            ck_assert_int_eq(c[i].from, 0);
            ck_close(c[i].value, 19.68e6, 1e-9);
        } else if (c[i].kind == TCO_CROSS_PROBABILITY && c[i].to == 1) {
            p_own++;
            ck_close(c[i].value, 12.5e6, 1e-12); /* 0 at 10M, 1 at 15M */
        } else if (c[i].kind == TCO_CROSS_PROBABILITY && c[i].to == 2) {
            p_own2++;
            ck_assert_int_eq(c[i].from, 0);
            ck_close(c[i].value, 17.5e6, 1e-12); /* 0 at 15M, 1 at 20M */
        }
    }
    ck_assert_int_eq(cheapest, 1);
    ck_assert_int_eq(mean_own, 1);
    ck_assert_int_eq(mean_own2, 1);
    ck_assert_int_eq(p_own, 1);
    ck_assert_int_eq(p_own2, 1);
    ck_assert_uint_eq(n, 5);
    /* A smaller buffer gets the first crossovers and the count of all. */
    tco_crossover first[2];
    ck_assert_uint_eq(tco_sweep_crossovers(sw, 0.5, first, 2), 5);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(first[i].kind, c[i].kind);
        ck_assert_int_eq(first[i].from, c[i].from);
        ck_assert_int_eq(first[i].to, c[i].to);
        ck_assert_double_eq(first[i].value, c[i].value);
    }
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    tco_write_sweep_words(f, sw);
    fclose(f);
    ck_assert_msg(strstr(buf, "own2 becomes cheaper than api above demand.requests_per_month = "
                              "17.5M (26.2B tokens a month)"), "%s", buf);
    free(c);
    tco_sweep_free(sw);
    unlink(file);
}
END_TEST

/* Two inputs: volume V and the API's input price p.  Along the volume, for
 * every price, the crossover is at V = 17,300 / (0.001 p); along the price,
 * for every volume, at p = 17,300 / (0.001 V): 1.5043478 at 11.5M (between
 * 1 and 2), 0.82380952 at 21M (between 0.8 and 1), outside the prices at
 * 2M, 30.5M and 40M.  The cost is linear in p: interpolation is exact. */
START_TEST(test_two_inputs)
{
    char *file = write_temp(DET);
    tco_sweep *sw = sweep(file, "demand.requests_per_month=2e6:40e6:5",
                          "backends.api.input_price_per_mtok=0.8,1,2", 0);
    ck_assert_uint_eq(sw->npoints, 15);
    size_t max = tco_sweep_crossovers(sw, 0.5, NULL, 0);
    tco_crossover *c = malloc(max * sizeof *c);
    size_t n = tco_sweep_crossovers(sw, 0.5, c, max);
    ck_assert_uint_eq(n, max);
    const double prices[3] = {0.8, 1, 2};
    int found = 0, found_price = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].kind != TCO_CROSS_CHEAPEST)
            continue;
        if (c[i].axis == 0) {
            for (int k = 0; k < 3; k++)
                if (c[i].other == prices[k]) {
                    ck_close(c[i].value, 17300 / (0.001 * prices[k]), 1e-9);
                    ck_close(c[i].tokens, 1000 * c[i].value, 1e-9);
                    found++;
                }
        } else {
            ck_assert(isnan(c[i].tokens)); /* a price is not a volume */
            char label[128];
            snprintf(label, sizeof label, "backends.api.input_price_per_mtok at demand.requests_per_month=%g",
                     c[i].other);
            ck_assert_str_eq(c[i].input, label);
            ck_assert_int_eq(c[i].from, 0); /* cheaper below the price: the API */
            ck_assert_int_eq(c[i].to, 1);
            if (c[i].other == 11.5e6)
                ck_close(c[i].value, 1.5043478260869565, 1e-12);
            else if (c[i].other == 21e6)
                ck_close(c[i].value, 0.82380952380952381, 1e-12);
            else
                ck_abort_msg("crossover along the price at %g", c[i].other);
            found_price++;
        }
    }
    ck_assert_int_eq(found, 3);
    ck_assert_int_eq(found_price, 2);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    tco_write_crossovers_csv(f, sw);
    fclose(f);
    ck_assert_msg(strstr(buf, "\nbackends.api.input_price_per_mtok,demand.requests_per_month,11500000,"
                              "cheapest,api,own,1.504347826,\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "\ndemand.requests_per_month,backends.api.input_price_per_mtok,2,"
                              "cheapest,api,own,8650000,8650000000\n"), "%s", buf);
    free(buf);
    /* In words, each line with its own 90% crossing: P(own cheaper) jumps
     * from 0 to 1 between 2M and 11.5M at p = 2 (50% at 6.75M, 90% at
     * 10.55M) and between 21M and 30.5M at p = 0.8 (50% at 25.75M, 90% at
     * 29.55M). */
    f = open_memstream(&buf, &len);
    tco_write_sweep_words(f, sw);
    fclose(f);
    ck_assert_msg(strstr(buf, "own becomes cheaper than api above demand.requests_per_month = 25.8M "
                              "(25.8B tokens a month) at backends.api.input_price_per_mtok = 0.8, "
                              "more likely than not; 90% sure above 29.6M (29.6B tokens a month).\n"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "at backends.api.input_price_per_mtok = 2, more likely than not; 90% "
                              "sure above 10.6M"), "%s", buf);
    free(buf);
    free(c);
    tco_sweep_free(sw);
    unlink(file);
}
END_TEST

START_TEST(test_threads_and_crn)
{
    const char *text =
        "scenario: { name: noisy, horizon_months: 24 }\n"
        "simulation: { futures: 3000, seed: 11 }\n"
        "workloads: { w: { input_tokens: 1000, output_tokens: 200 } }\n"
        "demand: { requests_per_month: { dist: lognormal, p10: 2.0e6, p90: 8.0e6 }, growth_annual: { dist: normal, mean: 0.3, sd: 0.2 }, volatility_annual: 0.3 }\n"
        "backends:\n"
        "  api: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 4, price_trend_annual: { dist: uniform, min: -0.5, max: 0 } }\n"
        "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: { dist: uniform, min: 500, max: 2000 },\n"
        "         gpu: { mode: cloud, hour_price: 2.5, price_volatility_annual: 0.2 }, staff: { base_fte: 1, cost_per_fte_year: 120000 } }\n"
        "strategies: { api: { route: { w: api } }, own: { route: { w: gpu } } }\n";
    char *file = write_temp(text);
    tco_sweep *a = sweep(file, "demand.growth_annual=0:1:4", "backends.gpu.gpu.hour_price=2,3", 1);
    tco_sweep *b = sweep(file, "demand.growth_annual=0:1:4", "backends.gpu.gpu.hour_price=2,3", 2);
    size_t k = a->npoints * a->S;
    ck_assert(memcmp(a->mean, b->mean, k * sizeof(double)) == 0);
    ck_assert(memcmp(a->p5, b->p5, k * sizeof(double)) == 0);
    ck_assert(memcmp(a->p_below, b->p_below, k * sizeof(double)) == 0);
    /* Common random numbers: holding the GPU price changes nothing for the
     * API strategy, whose cost is then identical at both prices. */
    for (size_t p = 0; p + 1 < a->npoints; p += 2)
        ck_assert_double_eq(a->mean[p * 2], a->mean[(p + 1) * 2]);
    tco_sweep_free(a);
    tco_sweep_free(b);
    unlink(file);
}
END_TEST

/* tco_sweep_take that keeps every run's NPVs (S x n each). */
typedef struct {
    double *npv;
    size_t S, n;
} keep_ctx;

static tco_status keep_npv(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    (void)err;
    keep_ctx *c = ctx;
    ck_assert_uint_eq(n, c->n);
    memcpy(c->npv + r * c->S * n, npv, c->S * n * sizeof *npv);
    return TCO_OK;
}

/* Run r of pt the plain way (tco_run_execute) equals the shared loop's,
 * bit for bit. */
static void check_plain_costed(const tco_scenario *sc, const tco_run_options *opt,
                               const tco_sweep_point *pt, size_t nruns, const double *npv,
                               size_t n, const unsigned char *costed)
{
    const size_t S = sc->nstrategies, D = sc->ndims;
    double *mixed = malloc(n * (D ? D : 1) * sizeof *mixed);
    for (size_t r = 0; r < nruns; r++) {
        tco_run_options o = *opt;
        o.override_input = pt[r].input;
        o.override_value = pt[r].value;
        o.noverride = pt[r].nheld;
        o.uniforms = pt[r].uniforms;
        if (pt[r].column >= 0) {
            memcpy(mixed, pt[r].uniforms, n * D * sizeof *mixed);
            for (size_t i = 0; i < n; i++)
                mixed[i * D + (size_t)pt[r].column] = pt[r].uniforms_b[i * D + (size_t)pt[r].column];
            o.uniforms = mixed;
        }
        tco_run *run;
        tco_error err;
        ck_assert_msg(tco_run_execute(&run, sc, &o, &err) == TCO_OK, "%s", err.msg);
        for (size_t k = 0; k < S * n; k++)
            if (costed && !costed[k / n])
                ck_assert_msg(isnan(npv[r * S * n + k]), "run %zu, strategy %zu: costed", r, k / n);
            else
                ck_assert_msg(memcmp(&run->npv[k], &npv[r * S * n + k], sizeof(double)) == 0,
                          "%s: run %zu, strategy %zu, future %zu: %.17g != %.17g", sc->file, r,
                          k / n, k % n, npv[r * S * n + k], run->npv[k]);
        tco_run_free(run);
    }
    free(mixed);
}

static void check_plain(const tco_scenario *sc, const tco_run_options *opt,
                        const tco_sweep_point *pt, size_t nruns, const double *npv, size_t n)
{
    check_plain_costed(sc, opt, pt, nruns, npv, n, NULL);
}

/* The shared loop of tco_sweep_runs (inputs sampled once, a volume sweep
 * drawn once and its demand rescaled, Saltelli columns mixed in place)
 * against tco_run_execute on each run, on every bundled scenario and on
 * one with a demand schedule, windows and a cap, on 1 and 2 threads. */
static void check_runs_equal_plain(const tco_scenario *sc)
{
    const size_t S = sc->nstrategies, D = sc->ndims, n = 300;
    int vol = sc->volume, other = -1;
    for (size_t d = 0; d < D && other < 0; d++)
        if (sc->dim_input[d] != vol && !sc->inputs[sc->dim_input[d]].fresh)
            other = sc->dim_input[d];
    ck_assert_int_ge(other, 0);
    double vv[4] = {1.5e6, 4.0e6, 2.5e7, 9.0e5};
    double ov[3];
    const tco_input *oin = &sc->inputs[other];
    for (int e = 0; e < 3; e++)
        ov[e] = tco_domain_clamp(&oin->dom, tco_dist_quantile(&oin->dist, 0.1 + 0.4 * e));
    int both[2] = {vol, other};
    double bv[2] = {3.0e6, ov[2]};
    tco_sweep_point pt[8];
    for (int p = 0; p < 4; p++)
        pt[p] = (tco_sweep_point){&vol, &vv[p], 1, NULL, NULL, -1};
    double *A = malloc(n * D * sizeof *A), *B = malloc(n * D * sizeof *B);
    int quasi;
    tco_error err;
    ck_assert(tco_saltelli_design(n, D, 17, A, B, &quasi, &err) == TCO_OK);
    for (int threads = 1; threads <= 2; threads++) {
        tco_run_options opt = {0};
        opt.futures = (long)n;
        opt.threads = threads;
        keep_ctx c = {malloc(8 * S * n * sizeof(double)), S, n};
        /* The volume alone: one draw a future, its demand rescaled. */
        ck_assert_msg(tco_sweep_runs(sc, &opt, pt, 4, keep_npv, &c, 0, 0, &err) == TCO_OK, "%s",
                      err.msg);
        check_plain(sc, &opt, pt, 4, c.npv, n);
        /* Another input, and two inputs at once: drawn again each run. */
        for (int p = 0; p < 3; p++)
            pt[4 + p] = (tco_sweep_point){&other, &ov[p], 1, NULL, NULL, -1};
        pt[7] = (tco_sweep_point){both, bv, 2, NULL, NULL, -1};
        ck_assert(tco_sweep_runs(sc, &opt, pt + 4, 4, keep_npv, &c, 0, 0, &err) == TCO_OK);
        check_plain(sc, &opt, pt + 4, 4, c.npv, n);
        /* A Saltelli design: A, B, and A with column d from B. */
        /* The volume's column right after A: A's draw rescaled. */
        long vd = sc->inputs[vol].dim >= 0 ? sc->inputs[vol].dim : 0;
        tco_sweep_point dp[4] = {{NULL, NULL, 0, A, NULL, -1},
                                 {NULL, NULL, 0, A, B, vd},
                                 {NULL, NULL, 0, B, NULL, -1},
                                 {NULL, NULL, 0, A, B, (long)D - 1}};
        ck_assert(tco_sweep_runs(sc, &opt, dp, 4, keep_npv, &c, 0, 0, &err) == TCO_OK);
        check_plain(sc, &opt, dp, 4, c.npv, n);
        /* Two strategies costed (as sensitivity's design runs do), after
         * the volume alone: theirs the same bits, the others NaN. */
        unsigned char *costed = calloc(S, 1);
        costed[S - 1] = 1;
        costed[S / 2] = 1;
        ck_assert(tco_sweep_runs_costing(sc, &opt, dp, 4, costed, keep_npv, &c, 0, 0, &err) ==
                  TCO_OK);
        check_plain_costed(sc, &opt, dp, 4, c.npv, n, costed);
        ck_assert(tco_sweep_runs_costing(sc, &opt, pt, 4, costed, keep_npv, &c, 0, 0, &err) ==
                  TCO_OK);
        check_plain_costed(sc, &opt, pt, 4, c.npv, n, costed);
        /* Inputs that shape no random path, one of each owner (a backend's,
         * an event's, a strategy's setting), held at three values in
         * turn: the paths kept, only what the input enters served again,
         * the strategies it does not reach not costed again. */
        unsigned char *mark = malloc(sc->ninputs + 1);
        tco_paths_inputs(sc, mark);
        static const char *const owners[] = {"backends.", "events.", "strategies."};
        int held[3];
        double hv[9];
        size_t nh = 0;
        for (int o = 0; o < 3; o++)
            for (size_t d = 0; d < D; d++) {
                int k = sc->dim_input[d];
                const tco_input *in = &sc->inputs[k];
                if (mark[k] || in->fresh || strncmp(in->path, owners[o], strlen(owners[o])) != 0)
                    continue;
                held[nh] = k;
                for (int e = 0; e < 3; e++)
                    hv[3 * nh + (size_t)e] =
                        tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.1 + 0.4 * e));
                nh++;
                break;
            }
        ck_assert_uint_ge(nh, 1);
        tco_sweep_point hp[9];
        for (size_t h = 0; h < nh; h++)
            for (int e = 0; e < 3; e++)
                hp[3 * h + (size_t)e] = (tco_sweep_point){&held[h], &hv[3 * h + (size_t)e], 1,
                                                          NULL, NULL, -1};
        free(c.npv);
        c.npv = malloc(3 * nh * S * n * sizeof(double));
        ck_assert(tco_sweep_runs(sc, &opt, hp, 3 * nh, keep_npv, &c, 0, 0, &err) == TCO_OK);
        check_plain(sc, &opt, hp, 3 * nh, c.npv, n);
        ck_assert(tco_sweep_runs_costing(sc, &opt, hp, 3 * nh, costed, keep_npv, &c, 0, 0,
                                         &err) == TCO_OK);
        check_plain_costed(sc, &opt, hp, 3 * nh, c.npv, n, costed);
        free(mark);
        free(costed);
        free(c.npv);
    }
    free(A);
    free(B);
}

START_TEST(test_runs_equal_plain)
{
    static const char *files[] = {"scenarios/baseline.yaml", "scenarios/crossover.yaml",
                                  "scenarios/extraction.yaml", "scenarios/owned.yaml",
                                  "scenarios/regulated.yaml"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        tco_scenario *sc;
        tco_error err;
        ck_assert_msg(tco_scenario_load(&sc, files[k], NULL, &err) == TCO_OK, "%s", err.msg);
        check_runs_equal_plain(sc);
        tco_scenario_free(sc);
    }
    /* Version 2 demand: a schedule, windows, a cap on growth, events. */
    const char *text =
        "scenario: { name: v2, horizon_months: 18 }\n"
        "simulation: { seed: 5 }\n"
        "workloads:\n"
        "  a: { share: 3, input_tokens: 1000, output_tokens: 500, failure_cost: 0.1, end_month: 14 }\n"
        "  b: { share: { dist: uniform, min: 0.5, max: 2 }, input_tokens: 2000, output_tokens: 1000, start_month: 4 }\n"
        "demand:\n"
        "  requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 5.0e6 }\n"
        "  growth_annual: { dist: normal, mean: 0.8, sd: 0.4 }\n"
        "  volatility_annual: 0.4\n"
        "  max_multiple: 2\n"
        "  schedule:\n"
        "    - { from_month: 1, multiplier: 0.05 }\n"
        "    - { from_month: 4, multiplier: { dist: uniform, min: 0.5, max: 1 } }\n"
        "backends:\n"
        "  api1: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 8 }\n"
        "  cloud1:\n"
        "    type: self_hosted\n"
        "    throughput_tokens_per_gpu_second: { dist: uniform, min: 400, max: 900 }\n"
        "    gpu: { mode: cloud, hour_price: 2.0, price_volatility_annual: 0.2 }\n"
        "    setup: { months: 2, cost: 10000 }\n"
        "strategies:\n"
        "  api: { route: { a: api1, b: api1 } }\n"
        "  open: { route: { a: cloud1, b: cloud1 }, fallback: api1 }\n"
        "  switch:\n"
        "    route: { a: api1, b: api1 }\n"
        "    switch: { when: { requests_per_month_above: 880000 }, route: { a: cloud1, b: api1 } }\n"
        "    fallback: api1\n"
        "events:\n"
        "  hike: { probability_per_year: 0.5, effect: { price_multiplier: { backend: api1, factor: { dist: uniform, min: 1.2, max: 1.6 } } } }\n";
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(load_text(text, &sc, &err) == TCO_OK, "%s", err.msg);
    check_runs_equal_plain(sc);
    tco_scenario_free(sc);
}
END_TEST

/* A sweep point equals a plain run with the value held, for a volume
 * sweep (the shared loop's rescaled demand) on 1 and 2 threads. */
START_TEST(test_point_equals_run)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err) == TCO_OK, "%s",
                  err.msg);
    for (int threads = 1; threads <= 2; threads++) {
        tco_vary v;
        ck_assert(tco_vary_parse(&v, "demand.requests_per_month=1e6:4e7:5:log", &err) == TCO_OK);
        tco_run_options opt = {0};
        opt.futures = 400;
        opt.threads = threads;
        tco_sweep *sw;
        ck_assert_msg(tco_sweep_run_scenario(&sw, sc, "scenarios/baseline.yaml", NULL, &v, 1, &opt,
                                             &err) == TCO_OK, "%s", err.msg);
        for (size_t p = 0; p < sw->npoints; p++) {
            tco_run_options o = opt;
            int in = sc->volume;
            o.threads = 3 - threads;
            o.override_input = &in;
            o.override_value = &v.values[p];
            o.noverride = 1;
            tco_run *run;
            ck_assert(tco_run_execute(&run, sc, &o, &err) == TCO_OK);
            double mean[16];
            tco_stats_means(run->npv, (size_t)run->n, run->S, mean);
            for (size_t s = 0; s < sw->S; s++)
                ck_assert(memcmp(&mean[s], &sw->mean[p * sw->S + s], sizeof(double)) == 0);
            tco_run_free(run);
        }
        tco_sweep_free(sw);
        tco_vary_clear(&v);
    }
    tco_scenario_free(sc);
}
END_TEST

/* Points the shared loop hands to the plain run give the plain run's
 * error: a cost that is not finite, a value outside the input's domain. */
START_TEST(test_point_errors_are_the_runs)
{
    tco_scenario *sc;
    tco_error err, plain;
    ck_assert(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err) == TCO_OK);
    static const char *specs[2] = {"demand.requests_per_month=1e6,1e306",
                                   "demand.requests_per_month=-5,1e6"};
    double bad[2] = {1e306, -5};
    for (int k = 0; k < 2; k++) {
        tco_vary v;
        ck_assert(tco_vary_parse(&v, specs[k], &err) == TCO_OK);
        tco_run_options opt = {0};
        opt.futures = 300;
        opt.threads = 2;
        tco_sweep *sw = NULL;
        tco_status st = tco_sweep_run_scenario(&sw, sc, "scenarios/baseline.yaml", NULL, &v, 1,
                                               &opt, &err);
        ck_assert_ptr_null(sw);
        int in = sc->volume;
        opt.override_input = &in;
        opt.override_value = &bad[k];
        opt.noverride = 1;
        tco_run *run = NULL;
        ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &plain), st);
        ck_assert_int_eq(st, TCO_EINVAL);
        ck_assert_str_eq(err.msg, plain.msg);
        tco_vary_clear(&v);
    }
    tco_scenario_free(sc);
}
END_TEST

/* A point that is not an input reloads the file reusing the first load's
 * quantile tables: the same numbers as a load of its own, and the sweep's
 * means those of a plain run of it, on 1 and 2 threads. */
START_TEST(test_reload_reuses_tables)
{
    const char *file = "scenarios/baseline.yaml";
    tco_scenario *sc, *own, *re;
    tco_error err;
    ck_assert(tco_scenario_load(&sc, file, NULL, &err) == TCO_OK);
    tco_override ovr = {"demand.volatility_annual", 0.35};
    ck_assert(tco_scenario_load_with(&own, file, NULL, &ovr, 1, &err) == TCO_OK);
    ck_assert(tco_scenario_reload_with(&re, file, NULL, &ovr, 1, sc, &err) == TCO_OK);
    ck_assert_uint_eq(own->ninputs, re->ninputs);
    for (size_t k = 0; k < own->ninputs; k++)
        for (int q = 1; q < 100; q++) {
            double a = tco_dist_quantile(&own->inputs[k].dist, q / 100.0);
            double b = tco_dist_quantile(&re->inputs[k].dist, q / 100.0);
            ck_assert(memcmp(&a, &b, sizeof a) == 0);
        }
    for (int threads = 1; threads <= 2; threads++) {
        tco_vary v;
        ck_assert(tco_vary_parse(&v, "demand.volatility_annual=0.1,0.35", &err) == TCO_OK);
        tco_run_options opt = {0};
        opt.futures = 200;
        opt.threads = threads;
        tco_sweep *sw;
        ck_assert_msg(tco_sweep_run_scenario(&sw, sc, file, NULL, &v, 1, &opt, &err) == TCO_OK,
                      "%s", err.msg);
        tco_run *run;
        opt.threads = 3 - threads;
        ck_assert(tco_run_execute(&run, own, &opt, &err) == TCO_OK);
        double mean[16];
        tco_stats_means(run->npv, (size_t)run->n, run->S, mean);
        for (size_t s = 0; s < sw->S; s++)
            ck_assert(memcmp(&mean[s], &sw->mean[sw->S + s], sizeof(double)) == 0);
        tco_run_free(run);
        tco_sweep_free(sw);
        tco_vary_clear(&v);
    }
    tco_scenario_free(re);
    tco_scenario_free(own);
    tco_scenario_free(sc);
}
END_TEST

/* Under a tight memory limit the points come in several groups, each
 * starting with a draw of its own: the same numbers. */
START_TEST(test_groups_same_numbers)
{
    const char *file = "scenarios/baseline.yaml";
    tco_scenario *sc;
    tco_error err;
    ck_assert(tco_scenario_load(&sc, file, NULL, &err) == TCO_OK);
    tco_vary v;
    /* 24 points: a limit just above one run's bytes holds about 12 runs'
     * NPVs, so the points come in at least two groups. */
    ck_assert(tco_vary_parse(&v, "demand.requests_per_month=1e6:4e7:24:log", &err) == TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 200;
    opt.threads = 2;
    tco_sweep *a, *b;
    ck_assert(tco_sweep_run_scenario(&a, sc, file, NULL, &v, 1, &opt, &err) == TCO_OK);
    size_t run = tco_run_bytes(sc, opt.futures, 0, sc->sampling, 2);
    size_t per = sc->nstrategies * (size_t)opt.futures * sizeof(double);
    opt.memory_limit = run + 1;
    ck_assert_uint_lt(opt.memory_limit / 2 / per, 24); /* more than one group */
    ck_assert(tco_sweep_run_scenario(&b, sc, file, NULL, &v, 1, &opt, &err) == TCO_OK);
    size_t k = a->npoints * a->S;
    ck_assert(memcmp(a->mean, b->mean, k * sizeof(double)) == 0);
    ck_assert(memcmp(a->p95, b->p95, k * sizeof(double)) == 0);
    ck_assert(memcmp(a->p_pair, b->p_pair, k * a->S * sizeof(double)) == 0);
    tco_sweep_free(a);
    tco_sweep_free(b);
    tco_vary_clear(&v);
    tco_scenario_free(sc);
}
END_TEST

START_TEST(test_vary_parse)
{
    tco_vary v;
    tco_error err;
    ck_assert_int_eq(tco_vary_parse(&v, "a.b=1:100:3:log", &err), TCO_OK);
    ck_assert_uint_eq(v.nvalues, 3);
    ck_close(v.values[1], 10, 1e-12);
    ck_assert_int_eq(v.log, 1);
    tco_vary_clear(&v);
    const char *bad[] = {"a.b", "a.b=1:2", "a.b=2:1:3", "a.b=1:2:1", "a.b=0:2:3:log",
                         "a.b=1,x", "a.b=3,2", "a.b=1:2:3:lin", "=1,2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(tco_vary_parse(&v, bad[i], &err) == TCO_EINVAL, "%s accepted", bad[i]);
        ck_assert_msg(strstr(err.msg, "--vary"), "%s", err.msg);
    }
}
END_TEST

/* Issue 7, defect 2 (sweep side): under a German locale, --vary values
 * are read with a decimal point and the CSV files are written with
 * decimal points.  (The swept input is held in place, so the scenario
 * text, read by the YAML layer, plays no part in these numbers.) */
START_TEST(test_locale_independent)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "de_DE.utf8"));
    tco_vary v;
    tco_error err;
    ck_assert_msg(tco_vary_parse(&v, "a.b=2.5,3.75", &err) == TCO_OK, "%s", err.msg);
    ck_assert_double_eq(v.values[0], 2.5);
    ck_assert_double_eq(v.values[1], 3.75);
    tco_vary_clear(&v);
    char *file = write_temp(DET);
    tco_sweep *sw = sweep(file, "demand.requests_per_month=2500000.5,4e6", NULL, 1);
    ck_close(sw->mean[0], 12 * 0.001 * 2500000.5, 1e-12);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(tco_write_sweep_csv(f, sw), TCO_OK);
    ck_assert_int_eq(tco_write_sweep_chart_csv(f, sw), TCO_OK);
    fclose(f);
    ck_assert_msg(strstr(buf, "2500000.5,api,30000.006,") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "2500000,5") == NULL, "decimal comma in:\n%s", buf);
    free(buf);
    tco_sweep_free(sw);
    unlink(file);
    setlocale(LC_ALL, "C");
}
END_TEST

/* Issue 7, fuzz finding 5: a sweep stops when the cancel flag is up. */
START_TEST(test_cancel)
{
    char *file = write_temp(DET);
    tco_vary v;
    tco_error err;
    ck_assert_int_eq(tco_vary_parse(&v, "demand.requests_per_month=5e6:30e6:6", &err), TCO_OK);
    volatile sig_atomic_t stop = 1;
    tco_run_options opt = {0};
    opt.cancel = &stop;
    tco_sweep *sw = NULL;
    ck_assert_int_eq(tco_sweep_run(&sw, file, NULL, &v, 1, &opt, &err), TCO_EINTR);
    ck_assert_ptr_null(sw);
    tco_vary_clear(&v);
    unlink(file);
}
END_TEST

/* A sweep run in parts (tco_sweep_run_points: as processes of tcosim-mpi
 * run theirs) has, at each point, the whole sweep's statistics bit for
 * bit, and NaN at the points of the other parts; on a grid of an input
 * and a number that is not one (the file read again at each point). */
START_TEST(test_points_in_parts)
{
    const char *file = "scenarios/baseline.yaml";
    tco_scenario *sc;
    tco_error err;
    ck_assert(tco_scenario_load(&sc, file, NULL, &err) == TCO_OK);
    tco_vary v[2];
    ck_assert(tco_vary_parse(&v[0], "demand.requests_per_month=1e6:1e7:3:log", &err) == TCO_OK);
    ck_assert(tco_vary_parse(&v[1], "demand.volatility_annual=0.1,0.3", &err) == TCO_OK);
    tco_run_options opt = {0};
    opt.futures = 150;
    opt.threads = 2;
    tco_sweep *whole;
    ck_assert_msg(tco_sweep_run_scenario(&whole, sc, file, NULL, v, 2, &opt, &err) == TCO_OK,
                  "%s", err.msg);
    const size_t P = whole->npoints, S = whole->S;
    ck_assert_uint_eq(P, 6);
    static const size_t cut[] = {0, 2, 2, 5, 99};
    for (int k = 0; k < 4; k++) {
        tco_sweep *part;
        ck_assert_msg(tco_sweep_run_points(&part, sc, file, NULL, v, 2, &opt, cut[k],
                                           cut[k + 1], &err) == TCO_OK,
                      "%s", err.msg);
        ck_assert_uint_eq(part->npoints, P);
        for (size_t p = 0; p < P; p++) {
            int mine = p >= cut[k] && p < cut[k + 1];
            const double *a[] = {whole->mean, whole->p5, whole->p50, whole->p95,
                                 whole->p_cheapest, whole->p_below};
            const double *b[] = {part->mean, part->p5, part->p50, part->p95, part->p_cheapest,
                                 part->p_below};
            for (size_t j = 0; j < sizeof a / sizeof *a; j++)
                for (size_t s = 0; s < S; s++)
                    ck_assert(mine ? memcmp(&a[j][p * S + s], &b[j][p * S + s], sizeof(double)) == 0
                                   : isnan(b[j][p * S + s]));
            ck_assert(mine ? memcmp(whole->p_pair + p * S * S, part->p_pair + p * S * S,
                                    S * S * sizeof(double)) == 0
                           : isnan(part->p_pair[p * S * S]));
            ck_assert(mine ? whole->tokens_per_request[p] == part->tokens_per_request[p]
                           : isnan(part->tokens_per_request[p]));
            ck_assert(whole->x[0][p] == part->x[0][p] && whole->x[1][p] == part->x[1][p]);
        }
        tco_sweep_free(part);
    }
    tco_sweep_free(whole);
    tco_vary_clear(&v[0]);
    tco_vary_clear(&v[1]);
    tco_scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_crossover_closed_form);
    tcase_add_test(tc, test_every_pair);
    tcase_add_test(tc, test_two_inputs);
    tcase_add_test(tc, test_threads_and_crn);
    tcase_add_test(tc, test_runs_equal_plain);
    tcase_add_test(tc, test_point_equals_run);
    tcase_add_test(tc, test_point_errors_are_the_runs);
    tcase_add_test(tc, test_reload_reuses_tables);
    tcase_add_test(tc, test_groups_same_numbers);
    tcase_add_test(tc, test_vary_parse);
    tcase_add_test(tc, test_locale_independent);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_points_in_parts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
