#include "charts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "number.h"
#include "outdir.h"
#include "stats.h"

extern char **environ;

/* Every chart the program draws: its identifier (the file name and the
 * only thing meta.csv may name), its template, and its fixed option (NULL:
 * the caller's).  Templates are never taken from a data file. */
static const struct {
    const char *id, *template, *extra;
} KINDS[TCO_NKINDS] = {
    [TCO_CHART_DISTRIBUTION] = {"distribution", "distribution", ""},
    [TCO_CHART_SCURVE] = {"scurve", "scurve", ""},
    [TCO_CHART_FAN] = {"fan", "fan", "monthly"},
    [TCO_CHART_FAN_CUMULATIVE] = {"fan_cumulative", "fan", "cumulative"},
    [TCO_CHART_CATEGORIES] = {"categories", "categories", ""},
    [TCO_CHART_DECISION] = {"decision", "decision", ""},
    [TCO_CHART_BREAKEVEN] = {"breakeven", "breakeven", ""},
    [TCO_CHART_SWEEP] = {"sweep", "sweep", NULL},
    [TCO_CHART_SWEEP2D] = {"sweep2d", "sweep2d", NULL},
    [TCO_CHART_TORNADO] = {"tornado", "tornado", NULL},
    [TCO_CHART_SOBOL] = {"sobol", "sobol", NULL},
    [TCO_CHART_RANK] = {"rank", "bars", NULL},
    [TCO_CHART_VOI] = {"voi", "bars", "evppi"},
    [TCO_CHART_COMPARE] = {"compare", "compare", NULL},
    [TCO_CHART_SAVINGS] = {"savings", "savings", ""},
};

const char *tco_chart_id(tco_chart_kind k) { return KINDS[k].id; }

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

/* A name in a chart's data file: control characters escaped (gnuplot
 * reads one record per line), quoted when it holds a comma, a quote or a
 * '#'.  No spreadsheet-formula prefix: these files are read by gnuplot. */
static void gp_string(FILE *f, const char *s)
{
    char clean[1024];
    tco_clean_text(s, clean, sizeof clean);
    if (!strpbrk(clean, ",\"#") && clean[0] != ' ') {
        fputs(clean, f);
        return;
    }
    fputc('"', f);
    for (const char *p = clean; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* A value of meta.csv, exactly as given (read back by tco_charts_redraw). */
static void meta_string(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static tco_status write_meta(FILE *f, const tco_report *r)
{
    fputs("key,value\nscenario,", f);
    meta_string(f, r->sc->name);
    tco_fprintf(f, "\nfutures,%ld\nseed,%llu\nsampling,%s\nhorizon_months,%d\ncurrency,", r->run->n,
            (unsigned long long)r->run->seed, tco_sampling_name(r->run->sampling), r->sc->horizon);
    meta_string(f, r->sc->currency);
    tco_fprintf(f, "\nversion,%s\nbaseline,", TCO_VERSION);
    meta_string(f, r->sc->strategies[0].name);
    fputc('\n', f);
    if (r->prov) {
        /* Provenance (output.h): read by people, and the footnote again
         * when tcosim plot redraws. */
        const tco_provenance *p = r->prov;
        char line[1024];
        fputs("command,", f);
        meta_string(f, p->command ? p->command : "");
        fputs("\nscenario_file,", f);
        meta_string(f, p->scenario_path ? p->scenario_path : "");
        tco_fprintf(f, "\nscenario_sha256,%s\n", p->scenario_sha256);
        for (size_t i = 0; i < p->nsets; i++) {
            tco_fprintf(f, "set%zu,", i + 1);
            meta_string(f, p->sets[i]);
            fputc('\n', f);
        }
        tco_fprintf(f, "threads,%d\ndate,", p->threads);
        meta_string(f, p->date);
        tco_provenance_line(line, sizeof line, p, r->run->n, r->run->seed, r->run->sampling);
        fputs("\nprovenance,", f);
        meta_string(f, line);
        fputc('\n', f);
    }
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
        gp_string(f, h);
    }
}

/* The S-curve: NPV at cumulative probabilities 0, 0.005, ..., 1. */
static tco_status write_quantiles(FILE *f, const chart_ctx *c)
{
    const tco_report *r = c->r;
    fputs("probability", f);
    for (size_t s = 0; s < r->run->S; s++) {
        fputc(',', f);
        gp_string(f, r->sc->strategies[s].name);
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
    tco_stats_npv_density(r->run, lo, hi, NBINS, count);
    fputs("npv", f);
    for (size_t s = 0; s < S; s++) {
        fputc(',', f);
        gp_string(f, r->sc->strategies[s].name);
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

/* decision.txt is read one label per line: names and the currency are
 * written without control characters. */
static tco_status w_decision(FILE *f, const tco_report *r)
{
    /* The decision summary of the terminal and results.json (decision.h). */
    return tco_decision_write(f, r->res, r->sc, 100);
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
    if ((st = tco_stats_npv_curves(r->run, p, NCURVE, ctx.curve, err)))
        goto done;
    /* Computed with the results when the run recomputes its monthly costs. */
    if (r->res->cumulative)
        ctx.cum = r->res->cumulative;
    else if ((st = tco_cumulative_compute(&cum, r->run, err)))
        goto done;
    else
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
    tco_report rep = {r->sc, &run, NULL, r->prov};
    tco_status st = write_meta(f, &rep);
    for (size_t i = 0; i < m->ncharts; i++) {
        tco_fprintf(f, "chart%zu,%s\nextra%zu,", i, KINDS[m->charts[i].kind].id, i);
        meta_string(f, m->charts[i].extra ? m->charts[i].extra : "");
        fputc('\n', f);
    }
    return st != TCO_OK || ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_meta(const char *dir, const tco_scenario *sc, long futures, uint64_t seed,
                          tco_sampling sampling, const tco_chart_spec *charts, size_t ncharts,
                          const tco_provenance *prov, tco_error *err)
{
    meta_report m = {{sc, NULL, NULL, prov}, futures, seed, sampling, charts, ncharts};
    char path[4200];
    tco_snprintf(path, sizeof path, "%s/meta.csv", dir);
    return tco_write_file(path, w_meta_values, &m.rep, err);
}

/* ---- drawing ---- */

void tco_chart_footnote(char *buf, size_t size, long futures, uint64_t seed,
                        tco_sampling sampling)
{
    tco_snprintf(buf, size, "%ld futures, seed %llu, %s sampling, tcosim %s", futures,
                 (unsigned long long)seed, tco_sampling_name(sampling), TCO_VERSION);
}

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
            /* A program built in a folder of the source tree (build-asan/). */
            tco_snprintf(try, sizeof try, "%s/../plots/common.gp", exe);
            if (stat(try, &sb) == 0) {
                tco_snprintf(buf, size, "%s/../plots", exe);
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { GP_FAILED = -1, GP_TIMEOUT = -2, GP_CANCELLED = -3 };

/* Runs gnuplot with argv in a process group of its own (killed whole on a
 * timeout or a cancel); its standard error goes to msg.  Returns its exit
 * status, or GP_FAILED (errno set: not started), GP_TIMEOUT or
 * GP_CANCELLED. */
static int run_gnuplot(char *const *argv, const tco_chart_options *o, char *msg, size_t size)
{
    int fds[2] = {-1, -1}, rc = 0;
    pid_t pid = 0;
    /* Charts are drawn several at once (draw_all): one spawn at a time,
     * so that no other gnuplot inherits this one's pipe (its reader would
     * wait for that one to end too). */
#pragma omp critical(tco_gnuplot_spawn)
    {
        if (pipe(fds) != 0) {
            rc = errno;
        } else {
            fcntl(fds[0], F_SETFD, FD_CLOEXEC);
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
            posix_spawn_file_actions_addclose(&fa, fds[0]);
            posix_spawn_file_actions_addclose(&fa, fds[1]);
            posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
            posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
            posix_spawnattr_t attr;
            posix_spawnattr_init(&attr);
            posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
            posix_spawnattr_setpgroup(&attr, 0);
            rc = posix_spawnp(&pid, "gnuplot", &fa, &attr, argv, environ);
            posix_spawn_file_actions_destroy(&fa);
            posix_spawnattr_destroy(&attr);
            close(fds[1]);
            if (rc != 0)
                close(fds[0]);
        }
    }
    if (rc != 0) {
        errno = rc;
        return GP_FAILED;
    }
    double limit = o->timeout > 0 ? o->timeout : TCO_CHART_TIMEOUT, start = now();
    int outcome = 0;
    size_t used = 0;
    for (;;) {
        if (o->cancel && *o->cancel)
            outcome = GP_CANCELLED;
        else if (now() - start > limit)
            outcome = GP_TIMEOUT;
        if (outcome) {
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        char chunk[512];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
            break;
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
            return GP_FAILED;
    if (outcome)
        return outcome;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Whether path holds a whole chart: a PNG ends with its IEND chunk, an
 * SVG with </svg>, a PDF with %%EOF (a full disk cuts them short). */
static int chart_complete(const char *path, const char *fmt)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    unsigned char head[8] = {0}, tail[64] = {0};
    int ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= 16 &&
             pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head;
    size_t nt = ok && sb.st_size < (off_t)sizeof tail ? (size_t)sb.st_size : sizeof tail;
    ok = ok && pread(fd, tail, nt, sb.st_size - (off_t)nt) == (ssize_t)nt;
    close(fd);
    if (!ok)
        return 0;
    if (strcmp(fmt, "png") == 0) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
        return memcmp(head, sig, 8) == 0 && memcmp(tail + nt - 12, iend, 12) == 0;
    }
    while (nt > 0 && (tail[nt - 1] == '\n' || tail[nt - 1] == '\r' || tail[nt - 1] == ' '))
        nt--;
    if (strcmp(fmt, "svg") == 0)
        return nt >= 6 && memcmp(tail + nt - 6, "</svg>", 6) == 0;
    return memcmp(head, "%PDF-", 5) == 0 && nt >= 5 && memcmp(tail + nt - 5, "%%EOF", 5) == 0;
}

/* A drawing session: absolute folders (gnuplot takes a file name that
 * starts with '|' or '<' for a command, so every path it sees starts with
 * '/'), texts cleaned of control characters, and a private folder (mkdtemp)
 * where gnuplot writes before a chart is checked and installed. */
typedef struct {
    char dir[PATH_MAX], plots[PATH_MAX], work[PATH_MAX + 32];
    char title[512], foot[512], currency[128];
    const tco_chart_options *o;
} session;

static tco_status session_open(session *ss, const char *dir, const tco_chart_options *o,
                               const char *title, const char *foot, const char *currency,
                               tco_error *err)
{
    memset(ss, 0, sizeof *ss);
    if (o->strategies > TCO_CHART_MAX_STRATEGIES)
        return tco_error_set(err, TCO_ECHARTS,
                             "%zu strategies: charts are drawn for at most %d (the results are "
                             "written)",
                             o->strategies, TCO_CHART_MAX_STRATEGIES);
    ss->o = o;
    if (!realpath(dir, ss->dir))
        return tco_error_set(err, TCO_EIO, "%s: %s", dir, strerror(errno));
    if (!realpath(o->plots_dir, ss->plots))
        return tco_error_set(err, TCO_ECHARTS, "%s: the chart templates are missing: %s",
                             o->plots_dir, strerror(errno));
    tco_clean_text(title, ss->title, sizeof ss->title);
    tco_clean_text(foot, ss->foot, sizeof ss->foot);
    tco_clean_text(currency, ss->currency, sizeof ss->currency);
    char pdir[PATH_MAX + 16];
    tco_snprintf(pdir, sizeof pdir, "%s/plots", ss->dir);
    tco_status st = tco_make_dirs(pdir, err);
    if (st != TCO_OK)
        return st;
    tco_snprintf(ss->work, sizeof ss->work, "%s/.tcosim-draw-XXXXXX", ss->dir);
    if (!mkdtemp(ss->work)) {
        ss->work[0] = '\0';
        return tco_error_set(err, TCO_EIO, "%s: cannot create a folder: %s", ss->dir,
                             strerror(errno));
    }
    return TCO_OK;
}

static void session_close(session *ss)
{
    if (ss->work[0])
        tco_remove_tree(ss->work);
}

/* Draws one chart (or the report) with template tpl into final; *stop is
 * set when gnuplot was stopped (interrupted or too slow). */
static tco_status draw(const session *ss, const char *tpl, const char *name, const char *final,
                       const char *fmt, const char *extra, int *stop, tco_error *err)
{
    if (ss->o->cancel && *ss->o->cancel)
        return tco_error_set(err, TCO_EINTR, "interrupted while drawing the charts");
    char script[PATH_MAX + 64], tmp[PATH_MAX + 128], cextra[1024];
    tco_snprintf(script, sizeof script, "%s/%s.gp", ss->plots, tpl);
    /* A missing template (or common.gp, which each one calls) is not a
     * gnuplot failure: say which and where. */
    const char *need[] = {tpl, "common"};
    for (int i = 0; i < 2; i++) {
        char path[PATH_MAX + 64];
        tco_snprintf(path, sizeof path, "%s/%s.gp", ss->plots, need[i]);
        if (access(path, R_OK) != 0)
            return tco_error_set(err, TCO_ECHARTS, "template %s.gp not found in %s (%s); the "
                                 "results are written", need[i], ss->plots, strerror(errno));
    }
    tco_snprintf(tmp, sizeof tmp, "%s/%s.%s", ss->work, name, fmt);
    tco_clean_text(extra, cextra, sizeof cextra);
    const char *args[] = {"gnuplot", "-c", script, ss->dir, tmp, fmt, ss->plots, ss->title,
                          ss->foot, ss->currency, cextra};
    enum { NARGS = sizeof args / sizeof *args };
    char *argv[NARGS + 1] = {0};
    for (int i = 0; i < NARGS; i++)
        if (!(argv[i] = strdup(args[i]))) {
            for (int j = 0; j < i; j++)
                free(argv[j]);
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        }
    char msg[1024];
    int rc = run_gnuplot(argv, ss->o, msg, sizeof msg);
    for (int i = 0; i < NARGS; i++)
        free(argv[i]);
    *stop = rc == GP_CANCELLED || rc == GP_TIMEOUT;
    if (rc == GP_CANCELLED)
        return tco_error_set(err, TCO_EINTR, "interrupted while drawing the charts");
    if (rc == GP_TIMEOUT)
        return tco_error_set(err, TCO_ECHARTS,
                             "gnuplot took more than %g s on %s.%s and was stopped (too many "
                             "strategies or inputs to draw? the results are written)",
                             ss->o->timeout > 0 ? ss->o->timeout : TCO_CHART_TIMEOUT, name, fmt);
    if (rc == GP_FAILED) {
        if (errno == ENOENT)
            return tco_error_set(err, TCO_ECHARTS,
                                 "gnuplot is not installed, so the charts were not drawn (the "
                                 "results are written); install it with: apt-get install "
                                 "gnuplot-nox, then run: tcosim plot FOLDER");
        return tco_error_set(err, TCO_ECHARTS, "cannot run gnuplot: %s", strerror(errno));
    }
    if (rc != 0) {
        /* Keep gnuplot's own words, on one line. */
        for (char *p = msg; *p; p++)
            if (*p == '\n')
                *p = ' ';
        return tco_error_set(err, TCO_ECHARTS, "gnuplot failed on %s: %s", script,
                             *msg ? msg : "no message");
    }
    if (!chart_complete(tmp, fmt))
        return tco_error_set(err, TCO_ECHARTS,
                             "%s.%s: gnuplot wrote an incomplete file (disk full?); the chart "
                             "was not installed",
                             name, fmt);
    if (chmod(tmp, tco_file_mode()) != 0 || rename(tmp, final) != 0)
        return tco_error_set(err, TCO_ECHARTS, "%s: cannot write: %s", final, strerror(errno));
    return TCO_OK;
}

/* gnuplot processes at once: TCOSIM_CHART_JOBS, else the processors
 * online, at most 8. */
static int chart_jobs(void)
{
    const char *env = getenv("TCOSIM_CHART_JOBS");
    double v;
    if (env && tco_parse_double(env, &v) == 0 && v >= 1 && v <= 64)
        return (int)v;
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    return procs < 1 ? 1 : procs > 8 ? 8 : (int)procs;
}

/* The board pack, report.pdf, when the folder has its pages (board.tsv,
 * sim/boardpack.h; a folder written by an older tcosim has none): 1 and
 * its template's option in extra, else 0.  first: a sweep's or a
 * sensitivity analysis's first chart, NULL for a run's. */
static int board_extra(const session *ss, const tco_chart_spec *first, char *extra, size_t size)
{
    char path[PATH_MAX + 32];
    tco_snprintf(path, sizeof path, "%s/board.tsv", ss->dir);
    if (access(path, R_OK) != 0)
        return 0;
    extra[0] = '\0';
    if (first)
        tco_snprintf(extra, size, "%s %s", KINDS[first->kind].id,
                     KINDS[first->kind].extra ? KINDS[first->kind].extra
                     : first->extra           ? first->extra
                                              : "");
    return 1;
}

/* Each chart of c in PNG and SVG, and the board pack when board (its
 * template redraws the charts from the data files, so it need not wait for
 * them), several at once (chart_jobs), the board pack, the longest, first.
 * A chart that fails does not stop the others, so the error returned is
 * the same whatever the order they end in: the first failure in c's
 * order, then the board pack's.  Once gnuplot has been interrupted or
 * stopped as too slow, no further chart is started, and an interruption
 * is returned before any other failure. */
static tco_status draw_all(const session *ss, const tco_chart_spec *c, size_t n, int board,
                           const tco_chart_spec *first, tco_error *err)
{
    static const char *const fmts[] = {"png", "svg"};
    char bextra[1024] = "";
    board = board && board_extra(ss, first, bextra, sizeof bextra);
    const size_t m = 2 * n + (size_t)board;
    tco_status *st = calloc(m + 1, sizeof *st);
    tco_error *errs = calloc(m + 1, sizeof *errs);
    if (!st || !errs) {
        free(st);
        free(errs);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(chart_jobs()) shared(failed)
    for (size_t q = 0; q < m; q++) {
        int stop;
#pragma omp atomic read
        stop = failed;
        if (stop)
            continue;
        stop = 0;
        /* Task 0 is the board pack (when drawn); its status goes last. */
        size_t slot = board ? (q == 0 ? m - 1 : q - 1) : q;
        if (board && q == 0) {
            char path[PATH_MAX + 32];
            tco_snprintf(path, sizeof path, "%s/report.pdf", ss->dir);
            st[slot] = draw(ss, "report", "report", path, "pdf", bextra, &stop, &errs[slot]);
        } else {
            size_t i = slot / 2;
            int k = (int)(slot % 2);
            const char *id = KINDS[c[i].kind].id;
            const char *extra = KINDS[c[i].kind].extra ? KINDS[c[i].kind].extra
                                : c[i].extra             ? c[i].extra
                                                         : "";
            char final[PATH_MAX + 64];
            tco_snprintf(final, sizeof final, "%s/plots/%s.%s", ss->dir, id, fmts[k]);
            st[slot] = draw(ss, KINDS[c[i].kind].template, id, final, fmts[k], extra, &stop,
                            &errs[slot]);
        }
        if (stop || st[slot] == TCO_EINTR) {
#pragma omp atomic write
            failed = 1;
        }
    }
    tco_status result = TCO_OK;
    for (size_t q = 0; q < m && result != TCO_EINTR; q++)
        if (st[q] != TCO_OK && (result == TCO_OK || st[q] == TCO_EINTR)) {
            result = st[q];
            *err = errs[q];
        }
    free(st);
    free(errs);
    return result;
}

tco_status tco_charts_draw_list(const char *dir, const tco_chart_spec *c, size_t n,
                                const tco_chart_options *o, tco_error *err)
{
    session ss;
    tco_status st = session_open(&ss, dir, o, o->title, o->foot, o->currency, err);
    if (st == TCO_OK)
        st = draw_all(&ss, c, n, n > 0, c, err);
    session_close(&ss);
    return st;
}

static tco_status draw_run(const session *ss, tco_error *err)
{
    static const tco_chart_spec charts[] = {
        {TCO_CHART_DISTRIBUTION, NULL}, {TCO_CHART_SCURVE, NULL},     {TCO_CHART_FAN, NULL},
        {TCO_CHART_FAN_CUMULATIVE, NULL}, {TCO_CHART_CATEGORIES, NULL}, {TCO_CHART_DECISION, NULL},
        {TCO_CHART_BREAKEVEN, NULL}, {TCO_CHART_SAVINGS, NULL}};
    return draw_all(ss, charts, sizeof charts / sizeof *charts, 1, NULL, err);
}

tco_status tco_charts_draw_run(const char *dir, const tco_chart_options *o, tco_error *err)
{
    session ss;
    tco_status st = session_open(&ss, dir, o, o->title, o->foot, o->currency, err);
    if (st == TCO_OK)
        st = draw_run(&ss, err);
    session_close(&ss);
    return st;
}

/* ---- meta.csv, read back by tcosim plot ---- */

#define META_MAX 1024 /* keys; one per --set of the run */
#define META_BYTES 65536

typedef struct {
    char *key[META_MAX], *value[META_MAX];
    size_t n;
} meta;

static void meta_clear(meta *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->key[i]);
        free(m->value[i]);
    }
    m->n = 0;
}

/* One CSV field (RFC 4180: quotes doubled inside quoted fields, which may
 * hold newlines); *p moves past the field and its separator. */
static char *csv_field(const char **p, int *end_of_record)
{
    const char *s = *p;
    size_t cap = strlen(s) + 1, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"' && s[1] == '"')
                out[o++] = *s++;
            else if (*s == '"') {
                s++;
                break;
            } else
                out[o++] = *s;
        }
    } else {
        for (; *s && *s != ',' && *s != '\n' && *s != '\r'; s++)
            out[o++] = *s;
    }
    out[o] = '\0';
    if (*s == '\r')
        s++;
    *end_of_record = *s != ',';
    if (*s)
        s++;
    *p = s;
    return out;
}

static tco_status meta_read(meta *m, const char *dir, tco_error *err)
{
    char path[PATH_MAX + 16];
    tco_snprintf(path, sizeof path, "%s/meta.csv", dir);
    m->n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return tco_error_set(err, TCO_EIO, "%s/meta.csv: missing; is %s the output folder of a "
                             "tcosim run?", dir, dir);
    char *text = malloc(META_BYTES + 1);
    size_t got = text ? fread(text, 1, META_BYTES + 1, f) : 0;
    fclose(f);
    if (!text)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    if (got > META_BYTES || memchr(text, '\0', got)) {
        free(text);
        return tco_error_set(err, TCO_EINVAL, "%s: not a tcosim meta.csv (too large or binary)",
                             path);
    }
    text[got] = '\0';
    const char *p = text;
    tco_status st = TCO_OK;
    int line = 0;
    while (*p && st == TCO_OK) {
        int end;
        line++;
        char *k = csv_field(&p, &end), *v = NULL;
        if (k && !end)
            v = csv_field(&p, &end);
        if (!k || (!v && *k)) {
            free(k);
            free(v);
            if (!k)
                st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            else
                st = tco_error_set(err, TCO_EINVAL, "%s: record %d: expected key,value", path, line);
            break;
        }
        if (!end || m->n == META_MAX) {
            free(k);
            free(v);
            st = tco_error_set(err, TCO_EINVAL, "%s: record %d: expected key,value", path, line);
            break;
        }
        if (!*k) {
            free(k);
            free(v);
            continue;
        }
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->key[i], k) == 0)
                st = tco_error_set(err, TCO_EINVAL, "%s: key '%s' given twice", path, k);
        m->key[m->n] = k;
        m->value[m->n++] = v;
    }
    free(text);
    return st;
}

static const char *meta_get(const meta *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->key[i], key) == 0)
            return m->value[i];
    return NULL;
}

/* Whether s has only characters from set and is 1 to max bytes long. */
static int only(const char *s, const char *set, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && strspn(s, set) == n;
}

/* Private drawing folders left in dir by a killed tcosim plot. */
static void remove_draw_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, ".tcosim-draw-", 13) == 0) {
            char path[PATH_MAX + 64];
            if (tco_snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
                tco_remove_tree(path);
        }
    closedir(d);
}

tco_status tco_charts_redraw(const char *dir, const tco_chart_options *o, tco_error *err)
{
    meta m = {0};
    remove_draw_leftovers(dir);
    tco_status st = meta_read(&m, dir, err);
    if (st != TCO_OK) {
        meta_clear(&m);
        return st;
    }
    const char *name = meta_get(&m, "scenario"), *futures = meta_get(&m, "futures"),
               *seed = meta_get(&m, "seed"), *sampling = meta_get(&m, "sampling"),
               *version = meta_get(&m, "version"), *currency = meta_get(&m, "currency");
    static const char *const DIGITS = "0123456789";
    if (!name || !futures || !seed || !sampling || !version || !currency) {
        st = tco_error_set(err, TCO_EIO, "%s/meta.csv: incomplete; is %s the output folder of a "
                           "tcosim run?", dir, dir);
        goto done;
    }
    if (strlen(name) > 4096 || strlen(currency) > 256 || !only(futures, DIGITS, 20) ||
        !only(seed, DIGITS, 20) || !only(version, "0123456789.", 20) ||
        (strcmp(sampling, "random") && strcmp(sampling, "lhs") && strcmp(sampling, "sobol"))) {
        st = tco_error_set(err, TCO_EINVAL, "%s/meta.csv: a value is not what tcosim writes",
                           dir);
        goto done;
    }
    char foot[1024];
    const char *line = meta_get(&m, "provenance");
    if (line && strlen(line) < sizeof foot)
        tco_snprintf(foot, sizeof foot, "%s", line); /* the run's own footnote */
    else
        tco_snprintf(foot, sizeof foot, "%s futures, seed %s, %s sampling, tcosim %s", futures,
                     seed, sampling, version);
    /* A sweep's or a sensitivity analysis's folder names its charts, each
     * one of the kinds below by its exact identifier. */
    static const tco_chart_kind listable[] = {TCO_CHART_SWEEP, TCO_CHART_SWEEP2D,
                                              TCO_CHART_TORNADO, TCO_CHART_SOBOL,
                                              TCO_CHART_RANK, TCO_CHART_VOI,
                                              TCO_CHART_COMPARE};
    tco_chart_spec listed[8];
    size_t nlisted = 0;
    for (size_t i = 0; i < 8; i++) {
        char k1[16], k2[16];
        tco_snprintf(k1, sizeof k1, "chart%zu", i);
        tco_snprintf(k2, sizeof k2, "extra%zu", i);
        const char *id = meta_get(&m, k1), *extra = meta_get(&m, k2);
        if (!id)
            break;
        size_t k = 0;
        while (k < sizeof listable / sizeof *listable && strcmp(id, KINDS[listable[k]].id) != 0)
            k++;
        if (k == sizeof listable / sizeof *listable || (extra && strlen(extra) > 700)) {
            st = tco_error_set(err, TCO_EINVAL, "%s/meta.csv: %s: not a chart tcosim draws",
                               dir, k1);
            goto done;
        }
        listed[nlisted++] = (tco_chart_spec){listable[k], extra ? extra : ""};
    }
    tco_chart_options opt = *o;
    opt.title = name;
    opt.foot = foot;
    opt.currency = currency;
    st = nlisted ? tco_charts_draw_list(dir, listed, nlisted, &opt, err)
                 : tco_charts_draw_run(dir, &opt, err);
done:
    meta_clear(&m);
    return st;
}
