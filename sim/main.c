/* tcosim: the command-line program.  It parses arguments and calls the
 * library; every computation lives in sim/ and models/. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "charts.h"
#include "engine.h"
#include "output.h"
#include "scenario.h"
#include "sensitivity.h"
#include "stats.h"
#include "sweep.h"

/* Exit statuses (documented in the man page and README). */
enum { EXIT_INPUT = 2, EXIT_CHARTS = 3, EXIT_INTERRUPTED = 130 };

static int fail(const tco_error *err);

/* Draws the charts of dir; reports a failure, returns the exit status. */
static int draw_charts(const char *dir, int quiet)
{
    char plots[4096];
    tco_error err;
    tco_plots_dir(plots, sizeof plots);
    if (tco_charts_draw(dir, plots, &err) != TCO_OK)
        return fail(&err);
    if (!quiet) {
        char pdf[4200];
        snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
        if (access(pdf, R_OK) == 0)
            fprintf(stderr, "Charts in %s/plots/ and the board pack in %s\n", dir, pdf);
        else
            fprintf(stderr, "Charts in %s/plots/\n", dir);
    }
    return 0;
}

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const char *prog = "tcosim";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return EXIT_INPUT;
}

static int fail(const tco_error *err)
{
    fprintf(stderr, "%s: error: %s\n", prog, err->msg);
    switch (err->code) {
    case TCO_EINVAL:
    case TCO_EPARSE:
    case TCO_ELIMIT:
        return EXIT_INPUT;
    case TCO_EINTR:
        return EXIT_INTERRUPTED;
    case TCO_ECHARTS:
        return EXIT_CHARTS;
    case TCO_ENOMEM:
        return EXIT_INPUT;
    default:
        return EXIT_FAILURE;
    }
}

static void print_help(void)
{
    printf("Usage: tcosim COMMAND [OPTIONS] SCENARIO...\n"
           "Monte Carlo cost and risk of serving AI workloads: own GPUs, model APIs, or both.\n\n"
           "Commands:\n"
           "  run SCENARIO        simulate futures, print a table, write the output folder\n"
           "  validate FILE...    check scenario files without running them\n"
           "  describe FILE       list every uncertain input with its distribution\n"
           "  plot OUTDIR         redraw the charts and report.pdf of an earlier run\n"
           "  sweep SCENARIO      vary one or two inputs over a grid; find the crossovers\n"
           "  sensitivity SCENARIO  which input decides the answer; value of information\n\n"
           "Options:\n"
           "  -h, --help          show this help (tcosim run --help: the run options)\n"
           "  -V, --version       show the version\n\n"
           "Exit status: 0 success, 1 runtime failure, 2 bad input or arguments,\n"
           "3 results written but charts missing (e.g. no gnuplot), 130 interrupted.\n"
           "See man tcosim.\n");
}

static void print_run_help(void)
{
    printf("Usage: tcosim run SCENARIO [OPTIONS]\n\n"
           "  -n, --futures N         number of futures (default: simulation.futures)\n"
           "      --seed N            random seed (default: simulation.seed)\n"
           "      --sampling METHOD   random, lhs or sobol (default: simulation.sampling)\n"
           "      --threads N         threads (default: all cores; OMP_NUM_THREADS respected)\n"
           "      --set PATH=VALUE    replace a scenario value before validation (repeatable),\n"
           "                          e.g. --set demand.requests_per_month=5e6\n"
           "  -o, --output DIR        output folder (default: out/<scenario name>)\n"
           "      --format FORMAT     table (default), json or csv on standard output\n"
           "      --samples           also write samples.csv (inputs and NPVs per future)\n"
           "      --no-plots          skip the charts (their data is written all the same)\n"
           "      --target-rse X      add futures (doubling) until every strategy's mean NPV\n"
           "                          has a relative standard error of at most X\n"
           "      --max-futures N     the most futures --target-rse may use (1000000)\n"
           "  -q, --quiet             print nothing on success but the chosen format\n"
           "                          (table: nothing at all)\n"
           "  -h, --help              show this help\n\n"
           "Writes results.json, summary.csv, monthly.csv, categories.csv, the chart data,\n"
           "charts (plots/*.png, plots/*.svg, drawn by gnuplot) and report.pdf to the output\n"
           "folder; each file appears whole or not at all.\n");
}

/* Parses a whole number such as 100000 or 1e5. */
static int parse_count(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v != floor(v))
        return 0;
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

typedef struct {
    double start;
    int shown;
    int tty;
} progress_state;

static void progress(void *ctx, long done, long total)
{
    progress_state *p = ctx;
    if (!p->tty)
        return;
    double now = omp_get_wtime();
    if (!p->shown && now - p->start < 0.4)
        return;
    p->shown = 1;
    int width = 40, fill = (int)((double)width * (double)done / (double)total);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %3.0f%%  %ld/%ld futures", bar, 100.0 * (double)done / (double)total,
            done, total);
    fflush(stderr);
}

static int cmd_validate(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("validate needs at least one %s", "scenario file");
    int status = 0;
    for (int i = 0; i < argc; i++) {
        tco_error err;
        tco_scenario *sc;
        if (tco_scenario_load(&sc, argv[i], NULL, &err) != TCO_OK) {
            status = fail(&err);
            continue;
        }
        printf("%s: ok (%zu workloads, %zu backends, %zu strategies, %zu uncertain inputs)\n",
               argv[i], sc->nworkloads, sc->nbackends, sc->nstrategies, sc->ndims);
        tco_scenario_free(sc);
    }
    return status;
}

static int cmd_describe(int argc, char **argv)
{
    if (argc != 1)
        return usage_error("describe takes one %s", "scenario file");
    tco_error err;
    tco_scenario *sc;
    if (tco_scenario_load(&sc, argv[0], NULL, &err) != TCO_OK)
        return fail(&err);
    printf("%s: %zu static inputs, %zu uncertain\n\n", sc->name, sc->ninputs, sc->ndims);
    printf("%-60s %-44s %11s %11s %11s\n", "input", "distribution", "P5", "P50", "P95");
    for (size_t k = 0; k < sc->ninputs; k++) {
        const tco_input *in = &sc->inputs[k];
        char desc[160];
        tco_dist_format(&in->dist, desc, sizeof desc);
        if (in->fresh)
            strncat(desc, " per shock", sizeof desc - strlen(desc) - 1);
        double q[3] = {0.05, 0.5, 0.95};
        printf("%-60s %-44s", in->path, desc);
        for (int j = 0; j < 3; j++)
            printf(" %11.5g", tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, q[j])));
        printf("\n");
    }
    for (size_t i = 0; i < sc->ncorr; i++)
        if (i == 0)
            printf("\n%zu inputs are correlated (see correlations:)\n", sc->ncorr);
    tco_scenario_free(sc);
    return 0;
}

enum {
    OPT_SEED = 256, OPT_SAMPLING, OPT_THREADS, OPT_SET, OPT_FORMAT, OPT_SAMPLES, OPT_NOPLOTS,
    OPT_VARY, OPT_METHOD, OPT_OUTPUT_STRATEGY, OPT_VERSUS, OPT_TARGET_RSE, OPT_MAX_FUTURES
};

/* The options of run, sweep and sensitivity (each takes the ones it lists
 * in its help). */
typedef struct {
    const char *cmd;
    tco_run_options ro;
    const char **sets;
    size_t nsets;
    const char *outdir, *format, *file;
    int samples, quiet, plots;
    const char *vary[2];
    size_t nvary;
    const char *method, *strategy, *versus;
    double target_rse, max_futures;
} cli;

static void print_sweep_help(void)
{
    printf("Usage: tcosim sweep SCENARIO --vary PATH=LO:HI:N[:log] [--vary ...] [OPTIONS]\n\n"
           "Runs the futures at each point of a grid of one or two inputs, with the same seed\n"
           "(common random numbers), and finds the crossovers.\n\n"
           "      --vary PATH=LO:HI:N[:log]   N values from LO to HI (log: geometric)\n"
           "      --vary PATH=V1,V2,...       the listed values (increasing)\n"
           "  -n, --futures N, --seed N, --sampling M, --threads N, --set PATH=VALUE,\n"
           "  -o, --output DIR (default out/<name>-sweep), -q, --no-plots: as for run\n\n"
           "Writes sweep.csv, crossovers.csv (input,kind,from,to,value) and a chart.\n");
}

static void print_sensitivity_help(void)
{
    printf("Usage: tcosim sensitivity SCENARIO [--method rank|tornado|sobol] [OPTIONS]\n\n"
           "Which uncertain input decides the answer, and what is learning it worth?\n"
           "The output is the NPV of --output STRATEGY, or its difference from --versus\n"
           "OTHER; by default the difference between the two strategies with the lowest\n"
           "mean NPV.\n\n"
           "      --method rank      Spearman correlation with the output (one run; default)\n"
           "      --method tornado   each input at its P10 and P90 (2 runs per input)\n"
           "      --method sobol     first- and total-order indices (N (D + 2) runs)\n"
           "      --output STRATEGY, --versus OTHER\n"
           "  -n, --futures N, --seed N, --sampling M, --threads N, --set PATH=VALUE,\n"
           "  -o, --output-dir DIR (default out/<name>-sensitivity), -q, --no-plots\n\n"
           "Writes sensitivity.csv (method,input,value,low,high), with the expected value of\n"
           "perfect information (evpi) and of partial perfect information per input (evppi),\n"
           "and charts.\n");
}

static int parse_cli(int argc, char **argv, cli *c)
{
    static const struct option longs[] = {
        {"futures", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, OPT_SEED},
        {"sampling", required_argument, NULL, OPT_SAMPLING},
        {"threads", required_argument, NULL, OPT_THREADS}, {"set", required_argument, NULL, OPT_SET},
        {"output", required_argument, NULL, 'o'}, {"output-dir", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"samples", no_argument, NULL, OPT_SAMPLES}, {"quiet", no_argument, NULL, 'q'},
        {"no-plots", no_argument, NULL, OPT_NOPLOTS}, {"vary", required_argument, NULL, OPT_VARY},
        {"method", required_argument, NULL, OPT_METHOD},
        {"strategy", required_argument, NULL, OPT_OUTPUT_STRATEGY},
        {"versus", required_argument, NULL, OPT_VERSUS},
        {"target-rse", required_argument, NULL, OPT_TARGET_RSE},
        {"max-futures", required_argument, NULL, OPT_MAX_FUTURES},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int is_run = strcmp(c->cmd, "run") == 0, is_sweep = strcmp(c->cmd, "sweep") == 0;
    int is_sens = strcmp(c->cmd, "sensitivity") == 0;
    c->format = "table";
    c->plots = 1;
    if (!(c->sets = calloc((size_t)argc + 1, sizeof *c->sets)))
        return EXIT_FAILURE;
    /* sensitivity's --output names a strategy (as the interface
     * has it); its folder is --output-dir or -o. */
    static char strategy_opt[] = "--strategy";
    for (int i = 1; is_sens && i < argc; i++)
        if (strcmp(argv[i], "--output") == 0)
            argv[i] = strategy_opt;
    optind = 1;
    int ch;
    double v;
    while ((ch = getopt_long(argc, argv, "n:o:qh", longs, NULL)) != -1) {
        const char *name = NULL;
        switch (ch) {
        case 'n':
            if (!parse_count(optarg, -1e300, 1e300, &v) || v < 1)
                return usage_error("--futures: expected a whole number of at least 1, got '%s'",
                                   optarg);
            c->ro.futures = v > 9e18 ? (long)9e18 : (long)v;
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long sd = strtoull(optarg, &end, 10);
            if (end == optarg || *end || errno || optarg[0] == '-')
                return usage_error("--seed: expected a whole number >= 0, got '%s'", optarg);
            c->ro.seed = sd;
            c->ro.seed_set = 1;
            break;
        }
        case OPT_SAMPLING:
            c->ro.sampling_set = 1;
            if (strcmp(optarg, "random") == 0)
                c->ro.sampling = TCO_SAMPLING_RANDOM;
            else if (strcmp(optarg, "lhs") == 0)
                c->ro.sampling = TCO_SAMPLING_LHS;
            else if (strcmp(optarg, "sobol") == 0)
                c->ro.sampling = TCO_SAMPLING_SOBOL;
            else
                return usage_error("--sampling: expected random, lhs or sobol, got '%s'", optarg);
            break;
        case OPT_THREADS:
            if (!parse_count(optarg, 1, 1024, &v))
                return usage_error("--threads: expected a whole number from 1 to 1024, got '%s'",
                                   optarg);
            c->ro.threads = (int)v;
            break;
        case OPT_SET:
            c->sets[c->nsets++] = optarg;
            break;
        case 'o':
            c->outdir = optarg;
            break;
        case OPT_FORMAT:
            if (!is_run)
                name = "--format";
            else if (strcmp(optarg, "table") && strcmp(optarg, "json") && strcmp(optarg, "csv"))
                return usage_error("--format: expected table, json or csv, got '%s'", optarg);
            c->format = optarg;
            break;
        case OPT_SAMPLES:
            if (!is_run)
                name = "--samples";
            c->samples = 1;
            break;
        case OPT_NOPLOTS:
            c->plots = 0;
            break;
        case 'q':
            c->quiet = 1;
            break;
        case OPT_VARY:
            if (!is_sweep)
                name = "--vary";
            else if (c->nvary == 2)
                return usage_error("%s", "--vary: at most two inputs");
            else
                c->vary[c->nvary++] = optarg;
            break;
        case OPT_METHOD:
            if (!is_sens)
                name = "--method";
            else if (strcmp(optarg, "rank") && strcmp(optarg, "tornado") && strcmp(optarg, "sobol"))
                return usage_error("--method: expected rank, tornado or sobol, got '%s'", optarg);
            c->method = optarg;
            break;
        case OPT_OUTPUT_STRATEGY:
            if (!is_sens)
                name = "--strategy";
            c->strategy = optarg;
            break;
        case OPT_VERSUS:
            if (!is_sens)
                name = "--versus";
            c->versus = optarg;
            break;
        case OPT_TARGET_RSE: {
            char *end;
            errno = 0;
            c->target_rse = strtod(optarg, &end);
            if (!is_run)
                name = "--target-rse";
            else if (end == optarg || *end || errno || !(c->target_rse > 0 && c->target_rse < 1))
                return usage_error("--target-rse: expected a number between 0 and 1, e.g. 0.005, got '%s'",
                                   optarg);
            break;
        }
        case OPT_MAX_FUTURES:
            if (!is_run)
                name = "--max-futures";
            else if (!parse_count(optarg, 1, 1e12, &c->max_futures))
                return usage_error("--max-futures: expected a whole number of at least 1, got '%s'",
                                   optarg);
            break;
        case 'h':
            if (is_run)
                print_run_help();
            else if (is_sweep)
                print_sweep_help();
            else
                print_sensitivity_help();
            return -1;
        default:
            return usage_error("%s", "invalid option");
        }
        if (name) {
            fprintf(stderr, "%s: %s is not an option of %s\nTry '%s %s --help'.\n", prog, name,
                    c->cmd, prog, c->cmd);
            return EXIT_INPUT;
        }
    }
    if (optind != argc - 1)
        return usage_error("needs exactly one %s", "scenario file");
    if (is_sweep && c->nvary == 0)
        return usage_error("%s", "sweep needs --vary PATH=LO:HI:N (or PATH=V1,V2,...)");
    if (c->versus && !c->strategy)
        return usage_error("%s", "--versus goes with --output STRATEGY");
    c->file = argv[optind];
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The output folder: the option, else out/<safe scenario name><suffix>. */
static void output_dir(const cli *c, const tco_scenario *sc, const char *suffix, char *dir,
                       size_t size)
{
    if (c->outdir) {
        snprintf(dir, size, "%s", c->outdir);
    } else {
        char safe[256];
        tco_safe_name(sc->name, safe, sizeof safe);
        snprintf(dir, size, "out/%s%s", safe, suffix);
    }
}

/* Runs until every strategy's relative standard error is at most target:
 * futures double from the first batch (deterministic for a seed). */
static tco_status run_to_target(const tco_scenario *sc, cli *c, tco_run **run, tco_results **res,
                                tco_error *err)
{
    long n = c->ro.futures > 0 ? c->ro.futures : sc->futures;
    long max = c->max_futures > 0 ? (long)c->max_futures : 1000000;
    if (n > max)
        n = max;
    for (;;) {
        c->ro.futures = n;
        tco_status st = tco_run_execute(run, sc, &c->ro, err);
        if (st == TCO_OK)
            st = tco_results_compute(res, *run, err);
        if (st != TCO_OK)
            return st;
        double worst = 0;
        for (size_t s = 0; s < (*res)->S; s++) {
            const tco_summary *q = &(*res)->st[s].npv;
            double rse = q->mean != 0 ? q->se / fabs(q->mean) : (q->se > 0 ? HUGE_VAL : 0);
            worst = fmax(worst, rse);
        }
        if (worst <= c->target_rse || n >= max) {
            if (!c->quiet)
                fprintf(stderr, "%s at %ld futures: the largest relative standard error of a "
                                "strategy's mean NPV is %.3g%s (target %.3g)\n",
                        worst <= c->target_rse ? "Stopped" : "Reached --max-futures", n, worst,
                        worst <= c->target_rse ? "" : ", above the target", c->target_rse);
            return TCO_OK;
        }
        tco_results_free(*res);
        tco_run_free(*run);
        *res = NULL;
        *run = NULL;
        n = n > max / 2 ? max : 2 * n;
    }
}

static int cmd_run(int argc, char **argv)
{
    cli c = {0};
    c.cmd = "run";
    int rc = parse_cli(argc, argv, &c);
    if (rc != 0) {
        free(c.sets);
        return rc < 0 ? 0 : rc;
    }
    const char *file = c.file, *format = c.format;
    int samples = c.samples, quiet = c.quiet, plots = c.plots, status = 0;
    tco_error err;
    tco_scenario *sc = NULL;
    tco_run *run = NULL;
    tco_results *res = NULL;
    tco_load_options lo = {c.sets, c.nsets};
    if (tco_scenario_load(&sc, file, &lo, &err) != TCO_OK) {
        free(c.sets);
        return fail(&err);
    }
    progress_state ps = {omp_get_wtime(), 0, !quiet && isatty(STDERR_FILENO)};
    c.ro.keep_inputs = samples;
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    c.ro.cancel = &interrupted;
    install_signals();
    tco_status st;
    if (c.target_rse > 0) {
        st = run_to_target(sc, &c, &run, &res, &err);
    } else {
        st = tco_run_execute(&run, sc, &c.ro, &err);
        if (st == TCO_OK)
            st = tco_results_compute(&res, run, &err);
    }
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (st != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    tco_report rep = {sc, run, res};
    char dir[4096];
    output_dir(&c, sc, "", dir, sizeof dir);
    if (tco_make_dirs(dir, &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    static const struct {
        const char *name;
        tco_status (*writer)(FILE *, const tco_report *);
    } files[] = {{"results.json", tco_write_json},
                 {"summary.csv", tco_write_summary_csv},
                 {"monthly.csv", tco_write_monthly_csv},
                 {"categories.csv", tco_write_categories_csv},
                 {"samples.csv", tco_write_samples_csv}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (i == 4 && !samples)
            continue;
        if (interrupted) {
            tco_error_set(&err, TCO_EINTR, "interrupted; %s and later files were not written",
                          files[i].name);
            status = fail(&err);
            goto done;
        }
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (tco_write_file(path, files[i].writer, &rep, &err) != TCO_OK) {
            status = fail(&err);
            goto done;
        }
    }
    if (!interrupted && tco_chart_data_write(dir, &rep, &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0)
        tco_write_json(stdout, &rep);
    else if (strcmp(format, "csv") == 0)
        tco_write_summary_csv(stdout, &rep);
    else if (!quiet) {
        tco_write_table(stdout, &rep);
        printf("\nResults in %s/ (%.2f s on %d thread%s)\n", dir, run->seconds, run->threads,
               run->threads == 1 ? "" : "s");
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: error: cannot write to standard output\n", prog);
        status = EXIT_FAILURE;
    }
    if (status == 0 && plots)
        status = draw_charts(dir, quiet);
done:
    free(c.sets);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    return status;
}

/* Writes path atomically from a writer that takes an arbitrary object. */
typedef struct {
    tco_report rep; /* first: the writer receives a pointer to it */
    const void *obj;
    const tco_scenario *sc;
    tco_status (*write)(FILE *, const void *, const tco_scenario *);
} any_writer;

static tco_status call_any(FILE *f, const tco_report *r)
{
    const any_writer *w = (const any_writer *)(const void *)r;
    return w->write(f, w->obj, w->sc);
}

static tco_status write_any(const char *dir, const char *name,
                            tco_status (*write)(FILE *, const void *, const tco_scenario *),
                            const void *obj, const tco_scenario *sc, tco_error *err)
{
    any_writer w = {{sc, NULL, NULL}, obj, sc, write};
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tco_write_file(path, call_any, &w.rep, err);
}

static tco_status w_sweep(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_sweep_csv(f, o);
}
static tco_status w_cross(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_crossovers_csv(f, o);
}
static tco_status w_sweep_chart(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_sweep_chart_csv(f, o);
}
static tco_status w_sens(FILE *f, const void *o, const tco_scenario *sc)
{
    return tco_write_sensitivity_csv(f, o, sc);
}

static int draw_list(const char *dir, const tco_scenario *sc, long futures, uint64_t seed,
                     tco_sampling sampling, const tco_chart_spec *charts, size_t n, int quiet)
{
    char plots[4096], foot[512];
    tco_error err;
    tco_plots_dir(plots, sizeof plots);
    snprintf(foot, sizeof foot, "%ld futures, seed %llu, %s sampling, tcosim %s", futures,
             (unsigned long long)seed, tco_sampling_name(sampling), TCO_VERSION);
    if (tco_charts_draw_list(dir, plots, charts, n, sc->name, foot, sc->currency, &err) != TCO_OK)
        return fail(&err);
    if (!quiet)
        fprintf(stderr, "Charts in %s/plots/\n", dir);
    return 0;
}

static int cmd_sweep(int argc, char **argv)
{
    cli c = {0};
    c.cmd = "sweep";
    int rc = parse_cli(argc, argv, &c);
    if (rc != 0) {
        free(c.sets);
        return rc < 0 ? 0 : rc;
    }
    tco_error err;
    tco_vary v[2] = {{0}};
    tco_sweep *sw = NULL;
    tco_scenario *sc = NULL;
    int status = 0;
    tco_load_options lo = {c.sets, c.nsets};
    for (size_t k = 0; k < c.nvary; k++)
        if (tco_vary_parse(&v[k], c.vary[k], &err) != TCO_OK) {
            status = fail(&err);
            goto done;
        }
    if (tco_scenario_load(&sc, c.file, &lo, &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    install_signals();
    c.ro.cancel = &interrupted;
    progress_state ps = {omp_get_wtime(), 0, !c.quiet && isatty(STDERR_FILENO)};
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    tco_status swst = tco_sweep_run(&sw, c.file, &lo, v, c.nvary, &c.ro, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (swst != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    char dir[4096];
    output_dir(&c, sc, "-sweep", dir, sizeof dir);
    tco_sampling sampling = c.ro.sampling_set ? c.ro.sampling : sc->sampling;
    char extra[700];
    tco_chart_spec spec;
    if (c.nvary == 1) {
        snprintf(extra, sizeof extra, "%s%s", sw->path[0], sw->log[0] ? " log" : "");
        spec = (tco_chart_spec){"sweep", "sweep", extra};
    } else {
        snprintf(extra, sizeof extra, "%s%s|%s%s", sw->path[0], sw->log[0] ? " log" : "",
                 sw->path[1], sw->log[1] ? " log" : "");
        spec = (tco_chart_spec){"sweep2d", "sweep2d", extra};
    }
    if (tco_make_dirs(dir, &err) || write_any(dir, "sweep.csv", w_sweep, sw, sc, &err) ||
        write_any(dir, "crossovers.csv", w_cross, sw, sc, &err) ||
        write_any(dir, c.nvary == 1 ? "sweep_chart.csv" : "sweep_grid.csv", w_sweep_chart, sw, sc,
                  &err) ||
        tco_write_meta(dir, sc, sw->futures, sw->seed, sampling, &spec, 1, &err)) {
        status = fail(&err);
        goto done;
    }
    if (!c.quiet) {
        printf("%s: %zu points x %ld futures, seed %llu\n\n", sc->name, sw->npoints, sw->futures,
               (unsigned long long)sw->seed);
        tco_write_sweep_words(stdout, sw);
        printf("\nResults in %s/\n", dir);
        fflush(stdout);
    }
    if (c.plots)
        status = draw_list(dir, sc, sw->futures, sw->seed, sampling, &spec, 1, c.quiet);
done:
    for (size_t k = 0; k < 2; k++)
        tco_vary_clear(&v[k]);
    tco_sweep_free(sw);
    tco_scenario_free(sc);
    free(c.sets);
    return status;
}

static int cmd_sensitivity(int argc, char **argv)
{
    cli c = {0};
    c.cmd = "sensitivity";
    int rc = parse_cli(argc, argv, &c);
    if (rc != 0) {
        free(c.sets);
        return rc < 0 ? 0 : rc;
    }
    tco_error err;
    tco_scenario *sc = NULL;
    tco_sensitivity *r = NULL;
    int status = 0;
    tco_load_options lo = {c.sets, c.nsets};
    if (tco_scenario_load(&sc, c.file, &lo, &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    int output = -1, versus = -1;
    const char *names[2] = {c.strategy, c.versus};
    int *idx[2] = {&output, &versus};
    for (int k = 0; k < 2; k++) {
        if (!names[k])
            continue;
        *idx[k] = tco_scenario_strategy(sc, names[k]);
        if (*idx[k] < 0) {
            fprintf(stderr, "%s: error: %s: no strategy named '%s'\n", prog,
                    k ? "--versus" : "--output", names[k]);
            status = EXIT_INPUT;
            goto done;
        }
    }
    tco_sens_method m = !c.method || strcmp(c.method, "rank") == 0 ? TCO_SENS_RANK
                        : strcmp(c.method, "tornado") == 0        ? TCO_SENS_TORNADO
                                                                  : TCO_SENS_SOBOL;
    long n = c.ro.futures > 0 ? c.ro.futures : sc->futures;
    if (!c.quiet) {
        printf("%s: %s sensitivity of %zu uncertain inputs: %ld future-runs of the model",
               sc->name, tco_sens_name(m), sc->ndims, tco_sensitivity_cost(sc, m, n));
        if (m == TCO_SENS_SOBOL)
            printf(" (N (D + 2) = %ld x %zu, plus a base run of %ld)", n, sc->ndims + 2, n);
        printf("\n");
        fflush(stdout);
    }
    install_signals();
    c.ro.cancel = &interrupted;
    progress_state ps = {omp_get_wtime(), 0, !c.quiet && isatty(STDERR_FILENO)};
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    tco_status sst = tco_sensitivity_run(&r, sc, &c.ro, m, output, versus, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (sst != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    char dir[4096], what[300];
    output_dir(&c, sc, "-sensitivity", dir, sizeof dir);
    if (r->versus >= 0)
        snprintf(what, sizeof what, "NPV of %s minus %s", sc->strategies[r->output].name,
                 sc->strategies[r->versus].name);
    else
        snprintf(what, sizeof what, "NPV of %s", sc->strategies[r->output].name);
    tco_sampling sampling = c.ro.sampling_set ? c.ro.sampling : sc->sampling;
    uint64_t seed = c.ro.seed_set ? c.ro.seed : sc->seed;
    tco_chart_spec specs[2];
    size_t ns = 0;
    char rank_extra[320];
    snprintf(rank_extra, sizeof rank_extra, "rank|%s", what);
    if (m == TCO_SENS_TORNADO)
        specs[ns++] = (tco_chart_spec){"tornado", "tornado", what};
    else if (m == TCO_SENS_SOBOL)
        specs[ns++] = (tco_chart_spec){"sobol", "sobol", what};
    else
        specs[ns++] = (tco_chart_spec){"rank", "bars", rank_extra};
    specs[ns++] = (tco_chart_spec){"voi", "bars", "evppi"};
    if (tco_make_dirs(dir, &err) || write_any(dir, "sensitivity.csv", w_sens, r, sc, &err) ||
        tco_write_meta(dir, sc, n, seed, sampling, specs, ns, &err)) {
        status = fail(&err);
        goto done;
    }
    if (!c.quiet) {
        char a[32];
        tco_format_money(r->base_mean, a, sizeof a);
        printf("Output: %s (mean %s %s)\n\n", what, a, sc->currency);
        if (m == TCO_SENS_SOBOL && !r->quasi)
            printf("(more than 20 uncertain inputs: the design uses pseudo-random numbers, as "
                   "GSL's Sobol sequence stops at 40 dimensions)\n");
        printf("%-60s %12s %12s %12s\n", "input",
               m == TCO_SENS_RANK ? "rank corr." : m == TCO_SENS_TORNADO ? "swing" : "total",
               m == TCO_SENS_TORNADO ? "at P10" : "low", m == TCO_SENS_TORNADO ? "at P90" : "high");
        for (size_t i = 0; i < r->nrows && i < 15; i++) {
            const tco_sens_row *q = &r->rows[i];
            if (m == TCO_SENS_SOBOL)
                printf("%-60s %12.3f %12.3f %12.3f  (first order %.3f)\n",
                       sc->inputs[q->input].path, q->value2, q->low2, q->high2, q->value);
            else if (m == TCO_SENS_RANK)
                printf("%-60s %12.3f %12.3f %12.3f\n", sc->inputs[q->input].path, q->value, q->low,
                       q->high);
            else {
                char b[32], d[32];
                tco_format_money(q->value, a, sizeof a);
                tco_format_money(q->low, b, sizeof b);
                tco_format_money(q->high, d, sizeof d);
                printf("%-60s %12s %12s %12s\n", sc->inputs[q->input].path, a, b, d);
            }
        }
        tco_format_money(r->evpi, a, sizeof a);
        printf("\nExpected value of perfect information (EVPI): %s %s. Worth measuring first:\n", a,
               sc->currency);
        for (size_t i = 0; i < r->nevppi && i < 5; i++) {
            tco_format_money(r->evppi[i].value, a, sizeof a);
            printf("  %-58s EVPPI %s\n", sc->inputs[r->evppi[i].input].path, a);
        }
        printf("\nResults in %s/\n", dir);
        fflush(stdout);
    }
    if (c.plots)
        status = draw_list(dir, sc, n, seed, sampling, specs, ns, c.quiet);
done:
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
    free(c.sets);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help();
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tcosim %s\n", TCO_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0)
        return cmd_sensitivity(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            printf("Usage: tcosim validate FILE...\nChecks scenario files; exit 2 when one is invalid.\n");
            return 0;
        }
        return cmd_validate(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "plot") == 0) {
        if (argc != 3 || strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0) {
            printf("Usage: tcosim plot OUTDIR\nRedraws the charts (OUTDIR/plots/) of a run (and its report.pdf), a sweep or a "
                   "sensitivity analysis, from its CSV files.\nTemplates: $TCOSIM_PLOTS, else plots/ "
                   "beside the program, else the installed ones.\n");
            return argc == 3 ? 0 : EXIT_INPUT;
        }
        return draw_charts(argv[2], 0);
    }
    if (strcmp(cmd, "describe") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            printf("Usage: tcosim describe FILE\nLists every static input with its distribution "
                   "and P5/P50/P95.\n");
            return 0;
        }
        return cmd_describe(argc - 2, argv + 2);
    }
    return usage_error("unknown command '%s'", cmd);
}
