#include "charts.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "number.h"
#include "stats.h"

extern char **environ;

const char *const TCO_CHARTS[TCO_NCHARTS] = {"distribution", "scurve",   "fan",      "fan_cumulative",
                                             "categories",   "decision", "breakeven"};

#ifndef TCO_PLOTS_DIR
#define TCO_PLOTS_DIR "/usr/local/share/tcosim/plots"
#endif

/* ---- chart data ---- */

typedef struct {
    const tco_report *r;
    const tco_cumulative *cum;
    double *curve; /* S x NCURVE */
} chart_ctx;

#define NCURVE 201
#define NBINS 60

static tco_status write_meta(FILE *f, const tco_report *r)
{
    fputs("key,value\nscenario,", f);
    tco_csv_string(f, r->sc->name);
    tco_fprintf(f, "\nfutures,%ld\nseed,%llu\nsampling,%s\nhorizon_months,%d\ncurrency,", r->run->n,
            (unsigned long long)r->run->seed, tco_sampling_name(r->run->sampling), r->sc->horizon);
    tco_csv_string(f, r->sc->currency);
    tco_fprintf(f, "\nversion,%s\nbaseline,", TCO_VERSION);
    tco_csv_string(f, r->sc->strategies[0].name);
    fputc('\n', f);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

static void header_group(FILE *f, const char *name, const char *const *cols, int ncols)
{
    for (int c = 0; c < ncols; c++) {
        char h[160];
        if (cols[c][0])
            tco_snprintf(h, sizeof h, "%s %s", name, cols[c]);
        else
            tco_snprintf(h, sizeof h, "%s", name);
        fputc(',', f);
        tco_csv_string(f, h);
    }
}

/* The S-curve: NPV at cumulative probabilities 0, 0.005, ..., 1. */
static tco_status write_quantiles(FILE *f, const chart_ctx *c)
{
    const tco_report *r = c->r;
    fputs("probability", f);
    for (size_t s = 0; s < r->run->S; s++) {
        fputc(',', f);
        tco_csv_string(f, r->sc->strategies[s].name);
    }
    fputc('\n', f);
    for (int q = 0; q < NCURVE; q++) {
        tco_fprintf(f, "%.3f", q / (double)(NCURVE - 1));
        for (size_t s = 0; s < r->run->S; s++)
            tco_fprintf(f, ",%.10g", c->curve[s * NCURVE + (size_t)q]);
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* Densities on common bins between the smallest P0.5 and the largest
 * P99.5 of all strategies (the extreme half-percent tails are left out). */
static tco_status write_density(FILE *f, const chart_ctx *c)
{
    const tco_report *r = c->r;
    size_t S = r->run->S, n = (size_t)r->run->n;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t s = 0; s < S; s++) {
        lo = fmin(lo, c->curve[s * NCURVE + 1]);
        hi = fmax(hi, c->curve[s * NCURVE + NCURVE - 2]);
    }
    if (!(hi > lo))
        hi = lo + fmax(1, fabs(lo) * 1e-6);
    double width = (hi - lo) / NBINS;
    double *count = calloc(S * NBINS, sizeof *count);
    if (!count)
        return TCO_ENOMEM;
    for (size_t s = 0; s < S; s++)
        for (size_t i = 0; i < n; i++) {
            double v = r->run->npv[s * n + i];
            if (v < lo || v > hi)
                continue;
            size_t b = (size_t)((v - lo) / width);
            count[s * NBINS + (b < NBINS ? b : NBINS - 1)] += 1;
        }
    fputs("npv", f);
    for (size_t s = 0; s < S; s++) {
        fputc(',', f);
        tco_csv_string(f, r->sc->strategies[s].name);
    }
    fputc('\n', f);
    for (int b = 0; b < NBINS; b++) {
        tco_fprintf(f, "%.10g", lo + (b + 0.5) * width);
        for (size_t s = 0; s < S; s++)
            tco_fprintf(f, ",%.6g", count[s * NBINS + (size_t)b] / ((double)n * width));
        fputc('\n', f);
    }
    free(count);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* Bands over months: median first (its header is the strategy's name). */
static tco_status write_bands(FILE *f, const tco_report *r, const double *bands, int monthly)
{
    static const char *const cols[] = {"", "p5", "p25", "p75", "p95"};
    static const int order[] = {2, 0, 1, 3, 4}; /* TCO_BAND: p5 p25 p50 p75 p95 */
    size_t S = r->run->S, T = (size_t)r->run->T;
    fputs("month", f);
    for (size_t s = 0; s < S; s++)
        header_group(f, r->sc->strategies[s].name, cols, 5);
    fputc('\n', f);
    for (size_t t = 0; t < T; t++) {
        tco_fprintf(f, "%zu", t + 1);
        for (size_t s = 0; s < S; s++)
            for (int k = 0; k < 5; k++) {
                double v = monthly ? r->res->st[s].monthly_band[order[k]][t]
                                   : bands[(s * TCO_NBAND + (size_t)order[k]) * T + t];
                tco_fprintf(f, ",%.10g", v);
            }
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}


static tco_status w_meta(FILE *f, const tco_report *r) { return write_meta(f, r); }

/* The writers take a tco_report; the chart context rides along in a
 * report copy whose res field is unchanged and whose extra data is found
 * through this small table (set for the duration of one call). */
typedef struct {
    tco_report rep;
    const chart_ctx *ctx;
} chart_report;

static tco_status w_quantiles(FILE *f, const tco_report *r)
{
    return write_quantiles(f, ((const chart_report *)(const void *)r)->ctx);
}
static tco_status w_density(FILE *f, const tco_report *r)
{
    return write_density(f, ((const chart_report *)(const void *)r)->ctx);
}
static tco_status w_fan(FILE *f, const tco_report *r) { return write_bands(f, r, NULL, 1); }
static tco_status w_cumulative(FILE *f, const tco_report *r)
{
    return write_bands(f, r, ((const chart_report *)(const void *)r)->ctx->cum->cum, 0);
}
static tco_status w_breakeven(FILE *f, const tco_report *r)
{
    return write_bands(f, r, ((const chart_report *)(const void *)r)->ctx->cum->diff, 0);
}

static tco_status w_decision(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    size_t S = res->S, bm = 0, bp = 0;
    char a[32], b[32];
    for (size_t s = 1; s < S; s++) {
        if (res->st[s].npv.mean < res->st[bm].npv.mean)
            bm = s;
        if (res->st[s].npv.p[6] < res->st[bp].npv.p[6])
            bp = s;
    }
    tco_format_money(res->st[bm].npv.mean, a, sizeof a);
    tco_fprintf(f, "Cheapest on average: %s, mean NPV %s %s over %d months.\n", sc->strategies[bm].name,
            a, sc->currency, sc->horizon);
    tco_format_money(res->st[bp].npv.p[6], a, sizeof a);
    tco_fprintf(f, "Cheapest in a bad case (P95): %s, P95 NPV %s %s.\n", sc->strategies[bp].name, a,
            sc->currency);
    fputs("Probability of being the cheapest:", f);
    for (size_t s = 0; s < S; s++)
        tco_fprintf(f, "%s %s %.0f%%", s ? "," : "", sc->strategies[s].name,
                100 * res->st[s].p_cheapest);
    fputs(".\n", f);
    tco_fprintf(f, "Strategy: mean NPV / P5 / P50 / P95 / mean regret / break-even against %s:\n",
            sc->strategies[0].name);
    for (size_t s = 0; s < S; s++) {
        const tco_strategy_result *q = &res->st[s];
        char c[32], d[32], e[32];
        tco_format_money(q->npv.mean, a, sizeof a);
        tco_format_money(q->npv.p[0], b, sizeof b);
        tco_format_money(q->npv.p[3], c, sizeof c);
        tco_format_money(q->npv.p[6], d, sizeof d);
        tco_format_money(q->regret_mean, e, sizeof e);
        tco_fprintf(f, "   %s: %s / %s / %s / %s / regret %s / ", sc->strategies[s].name, a, b, c, d, e);
        if (s == 0)
            fputs("baseline\n", f);
        else if (q->breakeven_probability == 0)
            fputs("never breaks even\n", f);
        else
            tco_fprintf(f, "breaks even in %.0f%% of futures, median month %.3g\n",
                    100 * q->breakeven_probability, q->breakeven_median);
    }
    tco_fprintf(f, "NPV in %s, discounted at %.3g%% a year; %ld futures, seed %llu, %s sampling.\n",
            sc->currency, 100 * sc->discount_rate, r->run->n, (unsigned long long)r->run->seed,
            tco_sampling_name(r->run->sampling));
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_chart_data_write(const char *dir, const tco_report *r, tco_error *err)
{
    chart_ctx ctx = {r, NULL, NULL};
    chart_report cr = {*r, &ctx};
    tco_cumulative *cum = NULL;
    size_t S = r->run->S;
    tco_status st;
    ctx.curve = malloc(S * NCURVE * sizeof *ctx.curve);
    if (!ctx.curve)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    double p[NCURVE];
    for (int q = 0; q < NCURVE; q++)
        p[q] = q / (double)(NCURVE - 1);
    for (size_t s = 0; s < S; s++)
        if ((st = tco_stats_npv_curve(r->run, s, p, NCURVE, ctx.curve + s * NCURVE, err)))
            goto done;
    if ((st = tco_cumulative_compute(&cum, r->run, err)))
        goto done;
    ctx.cum = cum;
    static const struct {
        const char *name;
        tco_status (*writer)(FILE *, const tco_report *);
    } files[] = {{"meta.csv", w_meta},         {"decision.txt", w_decision},
                 {"npv_quantiles.csv", w_quantiles}, {"npv_density.csv", w_density},
                 {"fan.csv", w_fan},           {"cumulative.csv", w_cumulative},
                 {"breakeven.csv", w_breakeven}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4200];
        tco_snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if ((st = tco_write_file(path, files[i].writer, &cr.rep, err)))
            goto done;
    }
done:
    free(ctx.curve);
    tco_cumulative_free(cum);
    return st;
}

typedef struct {
    tco_report rep;
    long futures;
    uint64_t seed;
    tco_sampling sampling;
    const tco_chart_spec *charts;
    size_t ncharts;
} meta_report;

static tco_status w_meta_values(FILE *f, const tco_report *r)
{
    const meta_report *m = (const meta_report *)(const void *)r;
    tco_run run;
    memset(&run, 0, sizeof run);
    run.n = m->futures;
    run.seed = m->seed;
    run.sampling = m->sampling;
    tco_report rep = {r->sc, &run, NULL};
    tco_status st = write_meta(f, &rep);
    for (size_t i = 0; i < m->ncharts; i++) {
        tco_fprintf(f, "chart%zu,", i);
        tco_csv_string(f, m->charts[i].name);
        tco_fprintf(f, "\ntemplate%zu,", i);
        tco_csv_string(f, m->charts[i].template);
        tco_fprintf(f, "\nextra%zu,", i);
        tco_csv_string(f, m->charts[i].extra);
        fputc('\n', f);
    }
    return st != TCO_OK || ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_meta(const char *dir, const tco_scenario *sc, long futures, uint64_t seed,
                          tco_sampling sampling, const tco_chart_spec *charts, size_t ncharts,
                          tco_error *err)
{
    meta_report m = {{sc, NULL, NULL}, futures, seed, sampling, charts, ncharts};
    char path[4200];
    tco_snprintf(path, sizeof path, "%s/meta.csv", dir);
    return tco_write_file(path, w_meta_values, &m.rep, err);
}

/* ---- drawing ---- */

void tco_plots_dir(char *buf, size_t size)
{
    const char *env = getenv("TCOSIM_PLOTS");
    if (env && *env) {
        tco_snprintf(buf, size, "%s", env);
        return;
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            struct stat sb;
            char try[4200];
            tco_snprintf(try, sizeof try, "%s/plots/common.gp", exe);
            if (stat(try, &sb) == 0) {
                tco_snprintf(buf, size, "%s/plots", exe);
                return;
            }
            tco_snprintf(try, sizeof try, "%s/../share/tcosim/plots/common.gp", exe);
            if (stat(try, &sb) == 0) {
                tco_snprintf(buf, size, "%s/../share/tcosim/plots", exe);
                return;
            }
        }
    }
    tco_snprintf(buf, size, "%s", TCO_PLOTS_DIR);
}

/* Reads the value of key from meta.csv (a two-column CSV, values possibly
 * quoted). */
static int meta_get(const char *dir, const char *key, char *out, size_t size)
{
    char path[4200];
    tco_snprintf(path, sizeof path, "%s/meta.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    int found = 0;
    size_t klen = strlen(key);
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || line[klen] != ',')
            continue;
        const char *v = line + klen + 1;
        size_t o = 0;
        if (*v == '"') {
            for (v++; *v && o + 1 < size; v++) {
                if (*v == '"' && v[1] == '"')
                    out[o++] = *v++;
                else if (*v == '"')
                    break;
                else
                    out[o++] = *v;
            }
        } else {
            for (; *v && *v != '\n' && *v != '\r' && o + 1 < size; v++)
                out[o++] = *v;
        }
        out[o] = '\0';
        found = 1;
    }
    fclose(f);
    return found;
}

/* Runs gnuplot with argv; its standard error goes to msg.  Returns the
 * exit status, or -1 when gnuplot could not be started (errno set). */
static int run_gnuplot(char *const *argv, char *msg, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", 0, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", 1, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return -1;
    }
    size_t used = 0;
    ssize_t got;
    char chunk[512];
    while ((got = read(fds[0], chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR)) {
        if (got > 0 && used + 1 < size) {
            size_t take = (size_t)got < size - 1 - used ? (size_t)got : size - 1 - used;
            memcpy(msg + used, chunk, take);
            used += take;
        }
    }
    msg[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Draws one chart (or the report) to final through a temporary file. */
static tco_status draw(const char *script, const char *dir, const char *final, const char *fmt,
                       const char *plots, const char *title, const char *foot,
                       const char *currency, const char *extra, tco_error *err)
{
    char tmp[4300];
    tco_snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%s", final, (long)getpid(), fmt);
    const char *args[] = {"gnuplot", "-c", script, dir, tmp, fmt, plots, title, foot, currency,
                          extra};
    enum { NARGS = sizeof args / sizeof *args };
    char *argv[NARGS + 1] = {0};
    for (int i = 0; i < NARGS; i++)
        if (!(argv[i] = strdup(args[i]))) {
            for (int j = 0; j < i; j++)
                free(argv[j]);
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        }
    char msg[1024];
    int rc = run_gnuplot(argv, msg, sizeof msg);
    for (int i = 0; i < NARGS; i++)
        free(argv[i]);
    if (rc < 0) {
        unlink(tmp);
        if (errno == ENOENT)
            return tco_error_set(err, TCO_ECHARTS,
                                 "gnuplot is not installed, so the charts were not drawn (the "
                                 "results are written); install it with: apt-get install "
                                 "gnuplot-nox, then run: tcosim plot %s",
                                 dir);
        return tco_error_set(err, TCO_ECHARTS, "cannot run gnuplot: %s", strerror(errno));
    }
    struct stat sb;
    if (rc != 0 || stat(tmp, &sb) != 0 || sb.st_size == 0) {
        unlink(tmp);
        /* Keep gnuplot's own words, on one line. */
        for (char *p = msg; *p; p++)
            if (*p == '\n')
                *p = ' ';
        return tco_error_set(err, TCO_ECHARTS, "gnuplot failed on %s: %s", script,
                             *msg ? msg : "no message");
    }
    if (rename(tmp, final) != 0) {
        unlink(tmp);
        return tco_error_set(err, TCO_ECHARTS, "%s: cannot write: %s", final, strerror(errno));
    }
    return TCO_OK;
}

tco_status tco_charts_draw_list(const char *dir, const char *plots_dir, const tco_chart_spec *c,
                                size_t n, const char *title, const char *foot,
                                const char *currency, tco_error *err)
{
    char pdir[4200];
    tco_snprintf(pdir, sizeof pdir, "%s/plots", dir);
    tco_status st = tco_make_dirs(pdir, err);
    if (st != TCO_OK)
        return st;
    static const char *const fmts[] = {"png", "svg"};
    for (size_t i = 0; i < n; i++) {
        char script[4200];
        tco_snprintf(script, sizeof script, "%s/%s.gp", plots_dir, c[i].template);
        for (int k = 0; k < 2; k++) {
            char final[4300];
            tco_snprintf(final, sizeof final, "%s/%s.%s", pdir, c[i].name, fmts[k]);
            if ((st = draw(script, dir, final, fmts[k], plots_dir, title, foot, currency,
                           c[i].extra, err)))
                return st;
        }
    }
    return TCO_OK;
}

tco_status tco_charts_draw(const char *dir, const char *plots_dir, tco_error *err)
{
    char name[512], futures[64], seed[64], sampling[32], version[32], currency[64], foot[768];
    if (!meta_get(dir, "scenario", name, sizeof name) ||
        !meta_get(dir, "futures", futures, sizeof futures) ||
        !meta_get(dir, "seed", seed, sizeof seed) ||
        !meta_get(dir, "sampling", sampling, sizeof sampling) ||
        !meta_get(dir, "version", version, sizeof version) ||
        !meta_get(dir, "currency", currency, sizeof currency))
        return tco_error_set(err, TCO_EIO, "%s/meta.csv: missing or incomplete; is %s the output "
                             "folder of a tcosim run?", dir, dir);
    tco_snprintf(foot, sizeof foot, "%s futures, seed %s, %s sampling, tcosim %s", futures, seed,
             sampling, version);
    /* A sweep's or a sensitivity analysis's folder lists its own charts. */
    char cname[8][128], ctemplate[8][128], cextra[8][700];
    tco_chart_spec listed[8];
    size_t nlisted = 0;
    for (size_t i = 0; i < 8; i++) {
        char k1[32], k2[32], k3[32];
        tco_snprintf(k1, sizeof k1, "chart%zu", i);
        tco_snprintf(k2, sizeof k2, "template%zu", i);
        tco_snprintf(k3, sizeof k3, "extra%zu", i);
        if (!meta_get(dir, k1, cname[i], sizeof cname[i]) ||
            !meta_get(dir, k2, ctemplate[i], sizeof ctemplate[i]) ||
            !meta_get(dir, k3, cextra[i], sizeof cextra[i]))
            break;
        listed[nlisted++] = (tco_chart_spec){cname[i], ctemplate[i], cextra[i]};
    }
    if (nlisted)
        return tco_charts_draw_list(dir, plots_dir, listed, nlisted, name, foot, currency, err);
    static const tco_chart_spec charts[TCO_NCHARTS] = {
        {"distribution", "distribution", ""}, {"scurve", "scurve", ""}, {"fan", "fan", "monthly"},
        {"fan_cumulative", "fan", "cumulative"}, {"categories", "categories", ""},
        {"decision", "decision", ""}, {"breakeven", "breakeven", ""}};
    tco_status st = tco_charts_draw_list(dir, plots_dir, charts, TCO_NCHARTS, name, foot, currency,
                                         err);
    if (st != TCO_OK)
        return st;
    char script[4200], final[4300];
    tco_snprintf(script, sizeof script, "%s/report.gp", plots_dir);
    tco_snprintf(final, sizeof final, "%s/report.pdf", dir);
    return draw(script, dir, final, "pdf", plots_dir, name, foot, currency, "", err);
}
