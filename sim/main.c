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
#include "stats.h"

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
    if (!quiet)
        fprintf(stderr, "Charts in %s/plots/ and the board pack in %s/report.pdf\n", dir, dir);
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
           "  plot OUTDIR         redraw the charts and report.pdf of an earlier run\n\n"
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

enum { OPT_SEED = 256, OPT_SAMPLING, OPT_THREADS, OPT_SET, OPT_FORMAT, OPT_SAMPLES, OPT_NOPLOTS };

static int cmd_run(int argc, char **argv)
{
    static const struct option longs[] = {
        {"futures", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, OPT_SEED},
        {"sampling", required_argument, NULL, OPT_SAMPLING},
        {"threads", required_argument, NULL, OPT_THREADS}, {"set", required_argument, NULL, OPT_SET},
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, OPT_FORMAT},
        {"samples", no_argument, NULL, OPT_SAMPLES}, {"quiet", no_argument, NULL, 'q'},
        {"no-plots", no_argument, NULL, OPT_NOPLOTS},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    tco_run_options ro = {0};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    const char *outdir = NULL, *format = "table";
    int samples = 0, quiet = 0, status = 0, plots = 1;
    double v;
    if (!sets)
        return EXIT_FAILURE;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "n:o:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_count(optarg, -1e300, 1e300, &v) || v < 1) {
                free(sets);
                return usage_error("--futures: expected a whole number of at least 1, got '%s'",
                                   optarg);
            }
            ro.futures = v > 9e18 ? (long)9e18 : (long)v;
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(optarg, &end, 10);
            if (end == optarg || *end || errno || optarg[0] == '-') {
                free(sets);
                return usage_error("--seed: expected a whole number >= 0, got '%s'", optarg);
            }
            ro.seed = s;
            ro.seed_set = 1;
            break;
        }
        case OPT_SAMPLING:
            ro.sampling_set = 1;
            if (strcmp(optarg, "random") == 0)
                ro.sampling = TCO_SAMPLING_RANDOM;
            else if (strcmp(optarg, "lhs") == 0)
                ro.sampling = TCO_SAMPLING_LHS;
            else if (strcmp(optarg, "sobol") == 0)
                ro.sampling = TCO_SAMPLING_SOBOL;
            else {
                free(sets);
                return usage_error("--sampling: expected random, lhs or sobol, got '%s'", optarg);
            }
            break;
        case OPT_THREADS:
            if (!parse_count(optarg, 1, 1024, &v)) {
                free(sets);
                return usage_error("--threads: expected a whole number from 1 to 1024, got '%s'",
                                   optarg);
            }
            ro.threads = (int)v;
            break;
        case OPT_SET:
            sets[nsets++] = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json") && strcmp(optarg, "csv")) {
                free(sets);
                return usage_error("--format: expected table, json or csv, got '%s'", optarg);
            }
            format = optarg;
            break;
        case OPT_SAMPLES:
            samples = 1;
            break;
        case OPT_NOPLOTS:
            plots = 0;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            print_run_help();
            free(sets);
            return 0;
        default:
            free(sets);
            return usage_error("%s", "invalid option");
        }
    }
    if (optind != argc - 1) {
        free(sets);
        return usage_error("run needs exactly one %s", "scenario file");
    }
    const char *file = argv[optind];
    tco_error err;
    tco_scenario *sc = NULL;
    tco_run *run = NULL;
    tco_results *res = NULL;
    tco_load_options lo = {sets, nsets};
    if (tco_scenario_load(&sc, file, &lo, &err) != TCO_OK) {
        free(sets);
        return fail(&err);
    }
    free(sets);
    progress_state ps = {omp_get_wtime(), 0, !quiet && isatty(STDERR_FILENO)};
    ro.keep_inputs = samples;
    ro.progress = progress;
    ro.progress_ctx = &ps;
    ro.cancel = &interrupted;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tco_status st = tco_run_execute(&run, sc, &ro, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (st == TCO_OK)
        st = tco_results_compute(&res, run, &err);
    if (st != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    tco_report rep = {sc, run, res};
    /* The output folder. */
    char dir[4096];
    if (outdir) {
        snprintf(dir, sizeof dir, "%s", outdir);
    } else {
        char safe[256];
        tco_safe_name(sc->name, safe, sizeof safe);
        snprintf(dir, sizeof dir, "out/%s", safe);
    }
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
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    return status;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
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
    if (strcmp(cmd, "validate") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            printf("Usage: tcosim validate FILE...\nChecks scenario files; exit 2 when one is invalid.\n");
            return 0;
        }
        return cmd_validate(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "plot") == 0) {
        if (argc != 3 || strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0) {
            printf("Usage: tcosim plot OUTDIR\nRedraws the charts (OUTDIR/plots/) and OUTDIR/report.pdf "
                   "from the CSV files of an earlier run.\nTemplates: $TCOSIM_PLOTS, else plots/ "
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
