/* The chart data a run writes: every number in it must agree with the
 * statistics it stands for (the charts are drawn from these files). */
#define _GNU_SOURCE
#include "testutil.h"

#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/charts.h"
#include "../sim/engine.h"
#include "../sim/stats.h"

static const char *TEXT =
    "scenario: { name: \"charts 'test', v2\", horizon_months: 12, currency: EUR }\n"
    "workloads: { w: { input_tokens: 1000, output_tokens: 200 } }\n"
    "demand: { requests_per_month: { dist: lognormal, p10: 1.0e6, p90: 3.0e6 }, growth_annual: 0.3, volatility_annual: 0.3 }\n"
    "backends:\n"
    "  api: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 8 }\n"
    "  gpu: { type: self_hosted, throughput_tokens_per_gpu_second: { dist: uniform, min: 500, max: 2000 },\n"
    "         gpu: { mode: cloud, hour_price: 2.5 }, staff: { base_fte: 1, cost_per_fte_year: 150000 } }\n"
    "strategies: { api: { route: { w: api } }, gpu: { route: { w: gpu } } }\n";

static tco_run *run;
static tco_scenario *sc;
static tco_results *res;

static void setup(void)
{
    tco_error err;
    ck_assert_msg(load_text(TEXT, &sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options opt = {0};
    opt.futures = 3001;
    ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
    ck_assert_int_eq(tco_results_compute(&res, run, &err), TCO_OK);
}

static void teardown(void)
{
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
}

START_TEST(test_npv_curve_matches_percentiles)
{
    double p[] = {0, 0.05, 0.5, 0.95, 1}, out[5];
    tco_error err;
    for (size_t s = 0; s < 2; s++) {
        ck_assert_int_eq(tco_stats_npv_curve(run, s, p, 5, out, &err), TCO_OK);
        ck_assert_double_eq(out[0], res->st[s].npv.min);
        ck_close(out[1], res->st[s].npv.p[0], 1e-12);
        ck_close(out[2], res->st[s].npv.p[3], 1e-12);
        ck_close(out[3], res->st[s].npv.p[6], 1e-12);
        ck_assert_double_eq(out[4], res->st[s].npv.max);
    }
}
END_TEST

/* The cumulative cost at the horizon is the nominal total: its bands are
 * the percentiles of the nominal totals (single-precision bound). */
START_TEST(test_cumulative_bands)
{
    tco_cumulative *c;
    tco_error err;
    ck_assert_int_eq(tco_cumulative_compute(&c, run, &err), TCO_OK);
    size_t n = (size_t)run->n, T = (size_t)run->T;
    double *x = malloc(n * sizeof *x), want[TCO_NBAND];
    for (size_t s = 0; s < 2; s++) {
        memcpy(x, run->nominal + s * n, n * sizeof *x);
        tco_stats_percentiles(x, n, TCO_BAND, TCO_NBAND, want);
        for (int b = 0; b < TCO_NBAND; b++)
            ck_close(c->cum[(s * TCO_NBAND + (size_t)b) * T + T - 1], want[b], 1e-6);
        /* Month 1's cumulative bands are the monthly bands. */
        for (int b = 0; b < TCO_NBAND; b++)
            ck_close(c->cum[(s * TCO_NBAND + (size_t)b) * T], res->st[s].monthly_band[b][0], 1e-12);
    }
    /* The baseline's difference from itself is zero; the other's at the
     * horizon is the percentile of the differences of nominal totals. */
    for (size_t t = 0; t < T; t++)
        ck_assert_double_eq(c->diff[2 * T + t], 0);
    for (size_t i = 0; i < n; i++)
        x[i] = run->nominal[n + i] - run->nominal[i];
    tco_stats_percentiles(x, n, TCO_BAND, TCO_NBAND, want);
    for (int b = 0; b < TCO_NBAND; b++)
        ck_close(c->diff[(TCO_NBAND + (size_t)b) * T + T - 1], want[b], 1e-5);
    free(x);
    tco_cumulative_free(c);
}
END_TEST

/* The files: densities integrate to the share of futures inside the bins,
 * meta.csv names the run, and a quoted scenario name survives. */
START_TEST(test_files)
{
    char dir[] = "/tmp/tcosim-charts-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    tco_report rep = {sc, run, res, NULL};
    tco_error err;
    ck_assert_msg(tco_chart_data_write(dir, &rep, &err) == TCO_OK, "%s", err.msg);
    char path[256], line[4096];
    snprintf(path, sizeof path, "%s/npv_density.csv", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "npv,api,gpu\n");
    double x0 = 0, x1 = 0, area[2] = {0, 0}, prev = 0;
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        double x, a, b;
        ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf", &x, &a, &b), 3);
        if (rows == 0)
            x0 = x;
        x1 = x;
        area[0] += a;
        area[1] += b;
        prev = x;
        rows++;
    }
    (void)prev;
    fclose(f);
    ck_assert_int_eq(rows, 60);
    double width = (x1 - x0) / 59;
    /* Between P0.5 of one and P99.5 of another: at least 99% of each. */
    for (int s = 0; s < 2; s++)
        /* Densities are written to 6 significant digits. */
        ck_assert_msg(area[s] * width > 0.985 && area[s] * width <= 1 + 1e-4, "area %g",
                      area[s] * width);
    snprintf(path, sizeof path, "%s/meta.csv", dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char all[2048] = "";
    size_t got = fread(all, 1, sizeof all - 1, f);
    all[got] = '\0';
    fclose(f);
    ck_assert_msg(strstr(all, "scenario,\"charts 'test', v2\"\n"), "%s", all);
    ck_assert_ptr_nonnull(strstr(all, "futures,3001\n"));
    ck_assert_ptr_nonnull(strstr(all, "currency,EUR\n"));
    /* fan.csv: the median column is the monthly P50. */
    snprintf(path, sizeof path, "%s/fan.csv", dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "month,api,api p5,api p25,api p75,api p95,gpu,gpu p5,gpu p25,gpu p75,gpu p95\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    double m, v[10];
    ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &m, &v[0], &v[1], &v[2], &v[3],
                            &v[4], &v[5]), 7);
    fclose(f);
    ck_close(v[0], res->st[0].monthly_band[2][0], 1e-9);
    ck_close(v[1], res->st[0].monthly_band[0][0], 1e-9);
    ck_close(v[5], res->st[1].monthly_band[2][0], 1e-9);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST


/* Counts the fields of a CSV line without quoted commas. */
static int fields(const char *line)
{
    int n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Written numbers use a decimal point under a comma-decimal locale (issue
 * 7, defect 2): a program that calls setlocale(LC_ALL, "de_DE.UTF-8") must
 * still get CSV files whose rows have as many fields as their header. */
START_TEST(test_numbers_ignore_locale)
{
    ck_assert_msg(setlocale(LC_ALL, "de_DE.UTF-8") != NULL,
                  "the de_DE.UTF-8 locale is missing: run make deps");
    char probe[32];
    snprintf(probe, sizeof probe, "%.1f", 2.5);
    ck_assert_str_eq(probe, "2,5"); /* the locale is in force */
    char dir[] = "/tmp/tcosim-locale-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    tco_report rep = {sc, run, res, NULL};
    tco_error err;
    char path[256], line[8192];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    ck_assert_msg(tco_write_file(path, tco_write_summary_csv, &rep, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(tco_chart_data_write(dir, &rep, &err) == TCO_OK, "%s", err.msg);
    static const char *const files[] = {"summary.csv", "npv_quantiles.csv", "npv_density.csv",
                                        "fan.csv", "cumulative.csv"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        int want = fields(line), rows = 0, points = 0;
        while (fgets(line, sizeof line, f)) {
            ck_assert_msg(fields(line) == want, "%s: %s", files[k], line);
            points += strchr(line, '.') != NULL;
            rows++;
        }
        fclose(f);
        ck_assert_int_gt(rows, 0);
        ck_assert_int_gt(points, 0);
    }
    /* results.json: the mean NPV reads back whole in the "C" locale. */
    char *buf = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&buf, &size);
    ck_assert_int_eq(tco_write_json(m, &rep), TCO_OK);
    fclose(m);
    setlocale(LC_ALL, "C");
    const char *p = strstr(buf, "\"mean\": ");
    ck_assert_ptr_nonnull(p);
    char *end;
    double mean = strtod(p + 8, &end);
    ck_assert_msg(*end == ',' && end[1] == ' ', "%.40s", p);
    ck_assert_double_eq(mean, res->st[0].npv.mean);
    free(buf);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static tco_status redraw_meta(const char *text, tco_error *err)
{
    char dir[] = "/tmp/tcosim-meta-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/meta.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    /* No templates there: a meta.csv that passes its checks ends in
     * TCO_ECHARTS (templates missing), before gnuplot could run. */
    tco_chart_options o = {0};
    o.plots_dir = "/nonexistent/tcosim-plots";
    tco_status st = tco_charts_redraw(dir, &o, err);
    unlink(path);
    rmdir(dir);
    return st;
}

/* meta.csv is data (issue 7, fuzz 2): charts are chosen only among the
 * known kinds, by exact identifier; quoted values may hold newlines
 * without becoming entries; values are checked. */
START_TEST(test_meta_is_data)
{
    static const char *const HEAD = "key,value\nscenario,\"a\nchart0,evil\"\nfutures,100\nseed,5\n"
                                    "sampling,random\nhorizon_months,12\ncurrency,EUR\nversion,0.1.0\n";
    char text[1024];
    tco_error err;
    /* The quoted newline is part of the name: no chart is listed, so the
     * run's charts are drawn. */
    ck_assert_int_eq(redraw_meta(HEAD, &err), TCO_ECHARTS);
    ck_assert_ptr_nonnull(strstr(err.msg, "templates are missing"));
    snprintf(text, sizeof text, "%schart0,sweep\nextra0,demand.growth_annual\n", HEAD);
    ck_assert_int_eq(redraw_meta(text, &err), TCO_ECHARTS);
    static const char *const bad[] = {"chart0,../../evil\nextra0,\n", "chart0,bars\nextra0,\n",
                                      "chart0,Sweep\n", "chart0,sweep \n", "seed,5\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text, "%s%s", HEAD, bad[i]);
        ck_assert_msg(redraw_meta(text, &err) == TCO_EINVAL, "accepted: %s", bad[i]);
    }
    ck_assert_int_eq(redraw_meta("key,value\nscenario,x\nfutures,1e3\nseed,5\nsampling,random\n"
                                 "currency,EUR\nversion,0.1.0\n",
                                 &err),
                     TCO_EINVAL);
    ck_assert_int_eq(redraw_meta("key,value\nscenario,x\n", &err), TCO_EIO);
}
END_TEST

/* Issue 10: a template missing from an existing plots folder is named as
 * such (it was reported as a gnuplot failure), before gnuplot runs. */
START_TEST(test_missing_template)
{
    char dir[] = "/tmp/tcosim-charts-XXXXXX", plots[64], want[160];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(plots, sizeof plots, "%s/plots-empty", dir);
    ck_assert_int_eq(mkdir(plots, 0700), 0);
    tco_chart_options o = {0};
    o.plots_dir = plots;
    o.title = "t";
    o.foot = "f";
    o.currency = "EUR";
    tco_chart_spec spec = {TCO_CHART_SWEEP, "demand.growth_annual"};
    tco_error err;
    ck_assert_int_eq(tco_charts_draw_list(dir, &spec, 1, &o, &err), TCO_ECHARTS);
    snprintf(want, sizeof want, "template sweep.gp not found in %s", plots);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "gnuplot failed") == NULL, "%s", err.msg);
    char sub[96];
    snprintf(sub, sizeof sub, "%s/plots", dir);
    rmdir(sub);
    rmdir(plots);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("charts");
    TCase *tc = tcase_create("data");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_npv_curve_matches_percentiles);
    tcase_add_test(tc, test_cumulative_bands);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_numbers_ignore_locale);
    tcase_add_test(tc, test_meta_is_data);
    tcase_add_test(tc, test_missing_template);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
