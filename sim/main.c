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
#include "compare.h"
#include "converge.h"
#include "outdir.h"
#include "report.h"
#include "engine.h"
#include "merge.h"
#include "mpi.h"
#include "number.h"
#include "output.h"
#include "scenario.h"
#include "sensitivity.h"
#include "sha256.h"
#include "stats.h"
#include "sweep.h"

/* Exit statuses (documented in the man page and README). */
enum { EXIT_INPUT = 2, EXIT_CHARTS = 3, EXIT_INTERRUPTED = 130 };

static int fail(const tco_error *err);

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const char *prog = "tcosim";

static int usage_error(const char *fmt, const char *arg)
{
    tco_fprintf(stderr, "%s: ", prog);
    tco_fprintf(stderr, fmt, arg);
    tco_fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return EXIT_INPUT;
}

static int fail(const tco_error *err)
{
    tco_fprintf(stderr, "%s: error: %s\n", prog, err->msg);
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

/* Prints the scenario's warnings (implausible values) to standard error. */
static void print_warnings(const tco_scenario *sc)
{
    for (const char *w = sc->warnings; w && *w;) {
        const char *nl = strchr(w, '\n');
        int len = nl ? (int)(nl - w) : (int)strlen(w);
        tco_fprintf(stderr, "%s: warning: %.*s\n", prog, len, w);
        w += len + (nl != NULL);
    }
}

/* The options every drawing shares: templates, timeout, the cancel flag.
 * TCOSIM_CHART_TIMEOUT sets the seconds gnuplot may take on one chart. */
static tco_chart_options chart_options(char *plots, size_t size)
{
    tco_chart_options o = {0};
    tco_plots_dir(plots, size);
    o.plots_dir = plots;
    const char *t = getenv("TCOSIM_CHART_TIMEOUT");
    double v;
    if (t && tco_parse_double(t, &v) == 0 && v > 0)
        o.timeout = v;
    o.cancel = &interrupted;
    return o;
}

/* tcosim plot DIR: redraws the charts of an earlier run from its files. */
static int cmd_plot(const char *dir)
{
    char plots[4096];
    tco_chart_options o = chart_options(plots, sizeof plots);
    tco_error err;
    tco_outdir *lock = NULL;
    install_signals();
    int status = 0;
    if (tco_outdir_lock(&lock, dir, &err) != TCO_OK || tco_charts_redraw(dir, &o, &err) != TCO_OK)
        status = fail(&err);
    else
        tco_fprintf(stderr, "Charts in %s/plots/\n", dir);
    tco_outdir_close(lock);
    return status;
}

/* What the charts of a folder show: a run's charts when specs is NULL. */
typedef struct {
    const char *title, *foot, *currency;
    const tco_chart_spec *specs;
    size_t nspecs, strategies;
} chart_texts;

/* Ends the writing of an output folder: draws its charts (unless charts is
 * NULL), then swaps the folder in whole.  Interrupted at any point, it
 * leaves the previous folder as it was and returns 130; failed charts are
 * reported (exit 3) and the results installed all the same. */
static int finish_folder(tco_outdir *od, const chart_texts *charts, int quiet)
{
    tco_error err;
    int status = 0, drew = 0;
    if (charts) {
        char plots[4096];
        tco_chart_options o = chart_options(plots, sizeof plots);
        o.title = charts->title;
        o.foot = charts->foot;
        o.currency = charts->currency;
        o.strategies = charts->strategies;
        const char *work = tco_outdir_work(od);
        tco_status st = charts->specs
                            ? tco_charts_draw_list(work, charts->specs, charts->nspecs, &o, &err)
                            : tco_charts_draw_run(work, &o, &err);
        if (st == TCO_EINTR)
            return fail(&err);
        if (st != TCO_OK) {
            status = fail(&err);
            if (err.code == TCO_ECHARTS)
                tco_fprintf(stderr, "%s: the results are in %s/; draw the charts later with: "
                                    "tcosim plot %s\n",
                            prog, tco_outdir_target(od), tco_outdir_target(od));
        } else {
            drew = 1;
        }
    }
    if (interrupted) {
        tco_error_set(&err, TCO_EINTR, "interrupted; %s was left as it was",
                      tco_outdir_target(od));
        return fail(&err);
    }
    if (tco_outdir_commit(od, &err) != TCO_OK)
        return fail(&err);
    if (!quiet && drew) {
        const char *dir = tco_outdir_target(od);
        char pdf[4200];
        tco_snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
        if (access(pdf, R_OK) == 0)
            tco_fprintf(stderr, "Charts in %s/plots/ and the board pack in %s\n", dir, pdf);
        else
            tco_fprintf(stderr, "Charts in %s/plots/\n", dir);
    }
    return status;
}

static void print_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim COMMAND [OPTIONS] SCENARIO...\n"
           "Monte Carlo cost and risk of serving AI workloads: own GPUs, model APIs, or both.\n\n"
           "Commands:\n"
           "  run SCENARIO        simulate futures, print a table, write the output folder\n"
           "  validate FILE...    check scenario files without running them\n"
           "  describe FILE [PATTERN]  list the inputs (whose path contains PATTERN)\n"
           "  plot OUTDIR         redraw the charts and report.pdf of an earlier run\n"
           "  sweep SCENARIO      vary one or two inputs over a grid; find the crossovers\n"
           "  sensitivity SCENARIO  which input decides the answer; value of information\n"
           "  compare SCENARIO    the scenario and its named cases on the same futures\n"
           "  merge PART... -o DIR  the output of a sweep or sensitivity run in shards (--shard)\n\n"
           "Options:\n"
           "  -h, --help          show this help (tcosim run --help: the run options)\n"
           "  -V, --version       show the version\n\n"
           "Exit status: 0 success, 1 runtime failure, 2 bad input or arguments,\n"
           "3 results written but charts missing (e.g. no gnuplot), 130 interrupted.\n"
           "See man tcosim.\n");
}

static void print_run_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim run SCENARIO [OPTIONS]\n\n"
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
           "      --case NAME         apply the scenario's case NAME (its cases: block) first\n"
           "      --criterion NAME    the decision criterion: mean, p50, p90, p95, cvar95 or\n"
           "                          certainty_equivalent (default: decision.criterion)\n"
           "      --saves-more-than X also the probability that each strategy saves more than\n"
           "                          X (in the scenario's currency) against the baseline\n"
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
    double v = tco_strtod(s, &end);
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
    tco_fprintf(stderr, "\r[%s] %3.0f%%  %ld/%ld futures", bar, 100.0 * (double)done / (double)total,
            done, total);
    fflush(stderr);
}

static int cmd_validate(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("validate needs at least one %s", "scenario file");
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage_error("validate takes scenario files only, not options like '%s' "
                               "(to check a --set, run with it: tcosim run FILE --set ... -n 1)",
                               argv[i]);
    int status = 0;
    for (int i = 0; i < argc; i++) {
        tco_error err;
        tco_scenario *sc;
        if (tco_scenario_load(&sc, argv[i], NULL, &err) != TCO_OK ||
            tco_cases_validate(argv[i], NULL, &err) != TCO_OK) {
            tco_scenario_free(sc);
            status = fail(&err);
            continue;
        }
        print_warnings(sc);
        tco_fprintf(stdout, "%s: ok (%zu workloads, %zu backends, %zu strategies, %zu uncertain inputs)\n",
               argv[i], sc->nworkloads, sc->nbackends, sc->nstrategies, sc->ndims);
        tco_scenario_free(sc);
    }
    return status;
}

static void print_describe_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim describe FILE [PATTERN]\n"
           "Lists every static input with its distribution and P5/P50/P95 (lognormals by\n"
           "their percentiles; numbers as 2.08M, 845k).\n\n"
           "      --filter PATTERN   only the inputs whose path contains PATTERN (a substring:\n"
           "                         backends.llama-70b, hour_price); also as a second argument\n"
           "  -h, --help             show this help\n");
}

/* tcosim describe FILE [PATTERN | --filter PATTERN]. */
static int cmd_describe(int argc, char **argv)
{
    const char *file = NULL, *filter = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--filter") == 0 || strncmp(a, "--filter=", 9) == 0) {
            if (filter)
                return usage_error("%s", "describe: one filter at most");
            if (a[8] == '=')
                filter = a + 9;
            else if (i + 1 < argc)
                filter = argv[++i];
            else
                return usage_error("%s", "--filter needs a PATTERN");
        } else if (a[0] == '-' && a[1]) {
            return usage_error("describe: unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else if (!filter) {
            filter = a;
        } else {
            return usage_error("%s", "describe takes one scenario file and one PATTERN");
        }
    }
    if (!file)
        return usage_error("describe takes one %s", "scenario file");
    if (filter && !*filter)
        return usage_error("%s", "--filter: the PATTERN is empty");
    tco_error err;
    tco_scenario *sc;
    if (tco_scenario_load(&sc, file, NULL, &err) != TCO_OK)
        return fail(&err);
    print_warnings(sc);
    int status = 0;
    size_t matched = 0;
    for (size_t k = 0; filter && k < sc->ninputs; k++)
        matched += strstr(sc->inputs[k].path, filter) != NULL;
    if (filter && matched == 0) {
        tco_fprintf(stderr, "%s: describe: no input of %s has '%s' in its path\n", prog, file,
                    filter);
        status = EXIT_INPUT;
    } else {
        tco_write_inputs_table_filtered(stdout, sc, filter);
    }
    tco_scenario_free(sc);
    return status;
}

enum {
    OPT_SEED = 256, OPT_SAMPLING, OPT_THREADS, OPT_SET, OPT_FORMAT, OPT_SAMPLES, OPT_NOPLOTS,
    OPT_VARY, OPT_METHOD, OPT_OUTPUT_STRATEGY, OPT_VERSUS, OPT_TARGET_RSE, OPT_MAX_FUTURES,
    OPT_CRITERION, OPT_CASE, OPT_CASES, OPT_SAVES_MORE, OPT_SHARD
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
    char criterion_set[64]; /* --criterion NAME as "decision.criterion=NAME" */
    const char *case_name;  /* --case NAME */
    const char *cases;      /* compare --cases a,b,c */
    int has_saves_more;     /* --saves-more-than X given */
    double saves_more_than;
    const char *shard;      /* sweep, sensitivity --shard i/N */
} cli;

static void print_sweep_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim sweep SCENARIO --vary PATH=LO:HI:N[:log] [--vary ...] [OPTIONS]\n\n"
           "Runs the futures at each point of a grid of one or two inputs, with the same seed\n"
           "(common random numbers), and finds the crossovers.\n\n"
           "      --vary PATH=LO:HI:N[:log]   N values from LO to HI (log: geometric)\n"
           "      --vary PATH=V1,V2,...       the listed values (increasing)\n"
           "  -n, --futures N, --seed N, --sampling M, --threads N, --set PATH=VALUE,\n"
           "  -o, --output DIR (default out/<name>-sweep), -q, --no-plots, --case NAME: as for run\n"
           "      --shard i/N                 compute shard i's share of the points and write a\n"
           "                                  part to -o DIR; then tcosim merge (tcosim merge --help)\n\n"
           "Writes sweep.csv, crossovers.csv (input,other_input,other_value,kind,from,to,value,\n"
           "tokens_per_month: every pair of strategies, along each input) and a chart.\n");
}

static void print_sensitivity_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim sensitivity SCENARIO [--method rank|tornado|sobol] [OPTIONS]\n\n"
           "Which uncertain input decides the answer, and what is learning it worth?\n"
           "The output is the NPV of --strategy STRATEGY, or its difference from --versus\n"
           "OTHER; by default the difference between the two strategies with the lowest\n"
           "mean NPV.\n\n"
           "      --method rank      Spearman correlation with the output (one run; default)\n"
           "      --method tornado   each input at its P10 and P90 (2 runs per input)\n"
           "      --method sobol     first- and total-order indices (N (D + 2) runs)\n"
           "      --strategy STRATEGY, --versus OTHER\n"
           "  -n, --futures N, --seed N, --sampling M, --threads N, --set PATH=VALUE,\n"
           "  -o, --output DIR (default out/<name>-sensitivity), -q, --no-plots, --case NAME\n"
           "      --shard i/N        compute shard i's share of the design's runs and write a\n"
           "                         part to -o DIR; then tcosim merge (tcosim merge --help)\n\n"
           "Writes sensitivity.csv (method,input,value,low,high), with the expected value of\n"
           "perfect information (evpi) and of partial perfect information per input (evppi),\n"
           "and charts.\n");
}

static void print_compare_help(void);

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
        {"criterion", required_argument, NULL, OPT_CRITERION},
        {"case", required_argument, NULL, OPT_CASE}, {"cases", required_argument, NULL, OPT_CASES},
        {"saves-more-than", required_argument, NULL, OPT_SAVES_MORE},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int is_run = strcmp(c->cmd, "run") == 0, is_sweep = strcmp(c->cmd, "sweep") == 0;
    int is_sens = strcmp(c->cmd, "sensitivity") == 0;
    c->format = "table";
    c->plots = 1;
    if (!(c->sets = calloc((size_t)argc + 1, sizeof *c->sets)))
        return EXIT_FAILURE;
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
            omp_set_num_threads((int)v); /* the load's quantile tables (dist.h) too */
            break;
        case OPT_SET:
            c->sets[c->nsets++] = optarg;
            break;
        case 'o':
            if (!*optarg)
                return usage_error("%s", "-o/--output: the folder name is empty");
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
            c->target_rse = tco_strtod(optarg, &end);
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
        case OPT_CRITERION:
            if (!is_run) {
                name = "--criterion";
            } else if (tco_criterion_parse(optarg) < 0) {
                const char *near = tco_criterion_nearest(optarg);
                tco_fprintf(stderr, "%s: --criterion: expected mean, p50, p90, p95, cvar95 or "
                                    "certainty_equivalent, got '%s'%s%s%s\n",
                            prog, optarg, near ? "; did you mean " : "", near ? near : "",
                            near ? "?" : "");
                return EXIT_INPUT;
            } else {
                /* Applied as the last --set, so it overrides the scenario's. */
                tco_snprintf(c->criterion_set, sizeof c->criterion_set, "decision.criterion=%s",
                             optarg);
            }
            break;
        case OPT_CASE:
            if (strcmp(c->cmd, "compare") == 0)
                name = "--case (compare takes --cases a,b,c)";
            c->case_name = optarg;
            break;
        case OPT_CASES:
            if (strcmp(c->cmd, "compare") != 0)
                name = "--cases";
            c->cases = optarg;
            break;
        case OPT_SAVES_MORE: {
            char *end;
            errno = 0;
            c->saves_more_than = tco_strtod(optarg, &end);
            c->has_saves_more = 1;
            if (!is_run)
                name = "--saves-more-than";
            else if (end == optarg || *end || errno || !isfinite(c->saves_more_than))
                return usage_error("--saves-more-than: expected an amount of money, e.g. 1e6, "
                                   "got '%s'",
                                   optarg);
            break;
        }
        case OPT_SHARD:
            if (!is_sweep && !is_sens)
                name = "--shard";
            c->shard = optarg;
            break;
        case 'h':
            if (strcmp(c->cmd, "compare") == 0)
                print_compare_help();
            else if (is_run)
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
            tco_fprintf(stderr, "%s: %s is not an option of %s\nTry '%s %s --help'.\n", prog, name,
                    c->cmd, prog, c->cmd);
            return EXIT_INPUT;
        }
    }
    if (c->criterion_set[0])
        c->sets[c->nsets++] = c->criterion_set;
    if (optind != argc - 1)
        return usage_error("needs exactly one %s", "scenario file");
    if (is_sweep && c->nvary == 0)
        return usage_error("%s", "sweep needs --vary PATH=LO:HI:N (or PATH=V1,V2,...)");
    if (c->versus && !c->strategy)
        return usage_error("%s", "--versus goes with --strategy STRATEGY");
    if (c->versus && strcmp(c->versus, c->strategy) == 0)
        return usage_error("--strategy and --versus both name '%s': the output would be 0 in "
                           "every future; name two different strategies", c->versus);
    if (c->shard && tco_par_size() > 1)
        return usage_error("--shard %s: the processes of tcosim-mpi already share the work; "
                           "use --shard with tcosim, or tcosim-mpi without it", c->shard);
    c->file = argv[optind];
    return 0;
}


/* The output folder: the option, else out/<safe scenario name><suffix>. */
static void output_dir(const cli *c, const tco_scenario *sc, const char *suffix, char *dir,
                       size_t size)
{
    if (c->outdir) {
        tco_snprintf(dir, size, "%s", c->outdir);
    } else {
        char safe[256];
        tco_safe_name(sc->name, safe, sizeof safe);
        tco_snprintf(dir, size, "out/%s%s", safe, suffix);
    }
}

/* The provenance of a result (output.h): the scenario file's hash, every
 * --set in order, the threads and the date.  The date is now in UTC, or
 * SOURCE_DATE_EPOCH's (seconds since 1970, the reproducible-builds
 * convention) when set, so that outputs can be compared byte for byte. */
static int provenance_fill(tco_provenance *p, const char *command, const cli *c, int threads)
{
    tco_error err;
    memset(p, 0, sizeof *p);
    p->command = command;
    p->scenario_path = c->file;
    p->sets = c->sets;
    p->nsets = c->nsets;
    p->threads = threads;
    if (tco_sha256_file(c->file, p->scenario_sha256, &err) != TCO_OK)
        return fail(&err);
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        double v;
        if (!parse_count(epoch, 0, 253402300799.0, &v)) {
            tco_fprintf(stderr, "%s: SOURCE_DATE_EPOCH: expected seconds since 1970, got '%s'\n",
                        prog, epoch);
            return EXIT_INPUT;
        }
        now = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm))
        p->date[0] = '\0';
    return 0;
}

/* "Results in DIR/ (1.23 s on 2 threads)", with the processes of a
 * tcosim-mpi job when more than one. */
static void print_results_line(const char *dir, double seconds, int threads)
{
    int procs = tco_par_size();
    char who[64] = "";
    if (procs > 1)
        tco_snprintf(who, sizeof who, "%d processes x ", procs);
    tco_fprintf(stdout, "\nResults in %s/ (%.2f s on %s%d thread%s)\n", dir, seconds, who,
                threads, threads == 1 ? "" : "s");
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
    tco_outdir *od = NULL;
    tco_load_options lo = {c.sets, c.nsets, c.case_name};
    /* Every process loads the scenario; one that cannot stops them all. */
    if (tco_par_agree(tco_scenario_load(&sc, file, &lo, &err), &err) != TCO_OK) {
        tco_scenario_free(sc);
        free(c.sets);
        return fail(&err);
    }
    if (c.target_rse > 0) {
        /* --target-rse doubles the futures until a target: rank 0 alone. */
        if (tco_par_rank() > 0) {
            tco_scenario_free(sc);
            free(c.sets);
            return 0;
        }
        tco_par_solo();
    }
    print_warnings(sc);
    progress_state ps = {omp_get_wtime(), 0, !quiet && isatty(STDERR_FILENO)};
    c.ro.keep_samples = samples;
    c.ro.event_effects = 1; /* events.csv */
    c.ro.count_bands = 1;   /* its bands are computed */
    /* The board pack's EVPPI and key assumptions read every future's
     * inputs: kept with the charts when they take at most 512 MiB (20,000
     * futures of 100 inputs: 16 MB) and the run still fits in the memory
     * allowed (80% of this machine's, as tco_run_alloc checks). */
    long nkeep = c.target_rse > 0 ? (c.max_futures > 0 ? (long)c.max_futures : 1000000)
                 : c.ro.futures > 0 ? c.ro.futures
                                    : sc->futures;
    size_t phys = tco_physical_memory();
    size_t limit = c.ro.memory_limit ? c.ro.memory_limit : phys ? phys / 10 * 8 : (size_t)8 << 30;
    c.ro.keep_inputs =
        samples || (plots && nkeep > 0 &&
                    (double)nkeep * (double)sc->ninputs * sizeof(double) <= 512.0 * 1024 * 1024 &&
                    tco_run_bytes(sc, nkeep, 1, c.ro.sampling_set ? c.ro.sampling : sc->sampling,
                                  tco_run_threads(c.ro.threads)) <= limit);
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    c.ro.cancel = &interrupted;
    install_signals();
    tco_status st;
    if (c.target_rse > 0) {
        long max = c.max_futures > 0 ? (long)c.max_futures : 1000000;
        tco_converge_report cr;
        st = tco_run_to_target(&run, &res, sc, &c.ro, c.target_rse, max, &cr, &err);
        if (st == TCO_OK && !quiet)
            tco_fprintf(stderr, "%s at %ld futures: the largest relative standard error of a "
                                "strategy's mean NPV is %.3g%s (target %.3g)\n",
                        cr.reached ? "Stopped" : "Reached --max-futures", cr.futures,
                        cr.worst_rse, cr.reached ? "" : ", above the target", c.target_rse);
    } else {
        /* Over every process of tcosim-mpi: rank 0 gets the whole run. */
        st = tco_par_run(&run, sc, &c.ro, &err);
        if (st == TCO_OK && !run)
            goto done; /* another rank's share, handed to rank 0 */
        if (st == TCO_OK)
            st = tco_results_compute(&res, run, &err);
    }
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (st != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    if (c.has_saves_more)
        tco_results_set_saves_more_than(res, run, c.saves_more_than);
    tco_provenance prov;
    if ((status = provenance_fill(&prov, "run", &c, run->threads)) != 0)
        goto done;
    tco_report rep = {sc, run, res, &prov};
    char dir[4096];
    output_dir(&c, sc, "", dir, sizeof dir);
    if (tco_outdir_open(&od, dir, &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    if ((st = tco_report_write(tco_outdir_work(od), &rep, samples, &interrupted, &err))) {
        status = fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0)
        tco_write_json(stdout, &rep);
    else if (strcmp(format, "csv") == 0)
        tco_write_summary_csv(stdout, &rep);
    else if (!quiet)
        tco_write_table(stdout, &rep);
    if (fflush(stdout) != 0) {
        tco_fprintf(stderr, "%s: error: cannot write to standard output\n", prog);
        status = EXIT_FAILURE;
        goto done;
    }
    char foot[1024];
    tco_provenance_line(foot, sizeof foot, &prov, run->n, run->seed, run->sampling);
    chart_texts texts = {sc->name, foot, sc->currency, NULL, 0, sc->nstrategies};
    status = finish_folder(od, plots ? &texts : NULL, quiet);
    if (!quiet && strcmp(format, "table") == 0 && (status == 0 || status == EXIT_CHARTS))
        print_results_line(dir, run->seconds, run->threads);
done:
    tco_outdir_close(od);
    free(c.sets);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    return status;
}

/* ---- --shard and merge (merge.h) ---- */

/* The parts being merged, while tcosim merge runs the command again. */
static const tco_parts *merging = NULL;

/* The share of the work of --shard, or of merge (nothing run, the rest
 * replayed from the parts) into c->ro.share; S: kept NPV columns (a
 * sensitivity design), 0 for a sweep. */
static int shard_setup(cli *c, tco_shard_share *shs, tco_share *msh, size_t S)
{
    tco_error err;
    size_t i, n;
    memset(shs, 0, sizeof *shs);
    if (c->shard) {
        if (tco_shard_parse(c->shard, &i, &n, &err) != TCO_OK)
            return usage_error("%s", err.msg);
        if (!c->outdir)
            return usage_error("--shard %s needs -o DIR, the folder of this shard's part",
                               c->shard);
        tco_shard_share_init(shs, i, n, S);
        c->ro.share = &shs->share;
    } else if (merging) {
        tco_merge_share_init(msh, merging);
        c->ro.share = msh;
    }
    return 0;
}

/* The command's arguments in one canonical form (the same for every shard
 * of a command): the scenario, then each option given; --shard, -o, -q,
 * --no-plots and --threads left out.  Strings point into c. */
static size_t canonical_args(const cli *c, char **args, char (*num)[32])
{
    size_t k = 0, m = 0;
    args[k++] = (char *)(uintptr_t)c->file;
    for (size_t j = 0; j < c->nsets && k + 2 < TCO_PART_MAX_ARGS - 20; j++) {
        args[k++] = (char *)(uintptr_t)"--set";
        args[k++] = (char *)(uintptr_t)c->sets[j];
    }
    for (size_t j = 0; j < c->nvary; j++) {
        args[k++] = (char *)(uintptr_t)"--vary";
        args[k++] = (char *)(uintptr_t)c->vary[j];
    }
    const char *names[] = {"--method", "--strategy", "--versus", "--case"};
    const char *vals[] = {c->method, c->strategy, c->versus, c->case_name};
    for (int j = 0; j < 4; j++)
        if (vals[j]) {
            args[k++] = (char *)(uintptr_t)names[j];
            args[k++] = (char *)(uintptr_t)vals[j];
        }
    if (c->ro.futures > 0) {
        tco_snprintf(num[m], sizeof num[m], "%ld", c->ro.futures);
        args[k++] = (char *)(uintptr_t)"--futures";
        args[k++] = num[m++];
    }
    if (c->ro.seed_set) {
        tco_snprintf(num[m], sizeof num[m], "%llu", (unsigned long long)c->ro.seed);
        args[k++] = (char *)(uintptr_t)"--seed";
        args[k++] = num[m++];
    }
    if (c->ro.sampling_set) {
        args[k++] = (char *)(uintptr_t)"--sampling";
        args[k++] = (char *)(uintptr_t)(c->ro.sampling == TCO_SAMPLING_LHS     ? "lhs"
                                        : c->ro.sampling == TCO_SAMPLING_SOBOL ? "sobol"
                                                                               : "random");
    }
    return k;
}

/* Writes this shard's part: units [first, last) of `units`, unit u's row
 * at rows[(u - first) * row]. */
static int write_part(const cli *c, const tco_scenario *sc, const char *command, size_t units,
                      size_t row, const double *rows, long futures, uint64_t seed)
{
    tco_error err;
    tco_part_header h;
    char num[4][32];
    memset(&h, 0, sizeof h);
    if (c->nsets > TCO_PART_MAX_ARGS / 2 - 20)
        return usage_error("%s", "--shard: too many --set options to record in a part");
    tco_snprintf(h.version, sizeof h.version, "%s", TCO_VERSION);
    tco_snprintf(h.command, sizeof h.command, "%s", command);
    tco_snprintf(h.scenario, sizeof h.scenario, "%s", c->file);
    if (tco_sha256_file(c->file, h.sha256, &err) != TCO_OK)
        return fail(&err);
    h.seed = seed;
    h.futures = futures;
    if (tco_shard_parse(c->shard, &h.shard, &h.nshards, &err) != TCO_OK)
        return usage_error("%s", err.msg);
    h.threads = tco_run_threads(c->ro.threads);
    h.units = units;
    h.row = row;
    h.nargs = canonical_args(c, h.args, num);
    /* h.args point into c: not freed. */
    if (tco_part_write(c->outdir, &h, rows, &err) != TCO_OK)
        return fail(&err);
    if (!c->quiet) {
        size_t first = tco_shard_first(units, h.shard, h.nshards);
        size_t last = tco_shard_first(units, h.shard + 1, h.nshards);
        tco_fprintf(stdout, "%s: shard %zu/%zu of the %s: %zu of %zu %s in %s/\n", sc->name,
                    h.shard, h.nshards, command, last - first, units,
                    strcmp(command, "sweep") == 0 ? "points" : "design runs", c->outdir);
    }
    return 0;
}

/* After a sweep with --shard: its points' statistics to the part; during
 * merge: every point's statistics from the parts. */
static int sweep_shard_or_merge(const cli *c, const tco_scenario *sc, tco_sweep *sw)
{
    size_t R = tco_sweep_row_size(sw->S), P = sw->npoints;
    if (merging) {
        if (merging->h.units != P || merging->h.row != R) {
            tco_fprintf(stderr, "%s: error: the parts hold %zu points of %zu numbers; the "
                                "command has %zu of %zu\n",
                        prog, merging->h.units, merging->h.row, P, R);
            return EXIT_INPUT;
        }
        for (size_t p = 0; p < P; p++)
            tco_sweep_row_set(sw, p, merging->rows + p * R);
        return 0;
    }
    size_t i, n;
    tco_error err;
    if (tco_shard_parse(c->shard, &i, &n, &err) != TCO_OK)
        return usage_error("%s", err.msg);
    size_t first = tco_shard_first(P, i, n), last = tco_shard_first(P, i + 1, n);
    double *rows = malloc(((last - first) * R + 1) * sizeof *rows);
    if (!rows) {
        tco_fprintf(stderr, "%s: error: out of memory\n", prog);
        return EXIT_FAILURE;
    }
    for (size_t p = first; p < last; p++)
        tco_sweep_row_get(sw, p, rows + (p - first) * R);
    int status = write_part(c, sc, "sweep", P, R, rows, sw->futures, sw->seed);
    free(rows);
    return status;
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
    tco_outdir *od = NULL;
    int status = 0;
    tco_load_options lo = {c.sets, c.nsets, c.case_name};
    for (size_t k = 0; k < c.nvary; k++)
        if (tco_vary_parse(&v[k], c.vary[k], &err) != TCO_OK) {
            status = fail(&err);
            goto done;
        }
    if (tco_par_agree(tco_scenario_load(&sc, c.file, &lo, &err), &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    print_warnings(sc);
    /* Every value of a --vary inside its input's domain, said before any
     * run (a number that is not an input is checked where the file is
     * read again with it). */
    for (size_t k = 0; k < c.nvary; k++) {
        int in = tco_scenario_input(sc, v[k].path);
        for (size_t i = 0; in >= 0 && i < v[k].nvalues; i++)
            if (!tco_domain_contains(&sc->inputs[in].dom, v[k].values[i])) {
                char dom[64], msg[4400];
                tco_domain_format(&sc->inputs[in].dom, dom, sizeof dom);
                tco_snprintf(msg, sizeof msg, "%s: %g is outside the domain of %s (it must be %s)",
                             c.vary[k], v[k].values[i], v[k].path, dom);
                status = usage_error("--vary %s", msg);
                goto done;
            }
    }
    install_signals();
    c.ro.cancel = &interrupted;
    progress_state ps = {omp_get_wtime(), 0, !c.quiet && isatty(STDERR_FILENO)};
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    tco_shard_share shs;
    tco_share mshare;
    if ((status = shard_setup(&c, &shs, &mshare, 0)) != 0)
        goto done;
    tco_status swst = tco_par_sweep(&sw, sc, c.file, &lo, v, c.nvary, &c.ro, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (swst != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    if (!sw)
        goto done; /* another rank's points, handed to rank 0 */
    if (c.shard || merging) {
        status = sweep_shard_or_merge(&c, sc, sw);
        if (c.shard || status)
            goto done;
    }
    char dir[4096];
    output_dir(&c, sc, "-sweep", dir, sizeof dir);
    tco_sampling sampling = c.ro.sampling_set ? c.ro.sampling : sc->sampling;
    char extra[700], foot[1024];
    tco_chart_spec spec;
    tco_provenance prov;
    if ((status = provenance_fill(&prov, "sweep", &c, tco_run_threads(c.ro.threads))) != 0)
        goto done;
    tco_provenance_line(foot, sizeof foot, &prov, sw->futures, sw->seed, sampling);
    if (tco_outdir_open(&od, dir, &err) ||
        tco_report_write_sweep(tco_outdir_work(od), sc, sw, sampling, &spec, extra, sizeof extra,
                               &prov, &err)) {
        status = fail(&err);
        goto done;
    }
    if (!c.quiet) {
        tco_fprintf(stdout, "%s: %zu points x %ld futures, seed %llu\nProvenance: %s\n\n",
                    sc->name, sw->npoints, sw->futures, (unsigned long long)sw->seed, foot);
        tco_write_sweep_words(stdout, sw);
        fflush(stdout);
    }
    chart_texts texts = {sc->name, foot, sc->currency, &spec, 1, sc->nstrategies};
    status = finish_folder(od, c.plots ? &texts : NULL, c.quiet);
    if (!c.quiet && (status == 0 || status == EXIT_CHARTS))
        tco_fprintf(stdout, "\nResults in %s/\n", dir);
done:
    tco_outdir_close(od);
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
    tco_outdir *od = NULL;
    int status = 0;
    tco_load_options lo = {c.sets, c.nsets, c.case_name};
    if (tco_par_agree(tco_scenario_load(&sc, c.file, &lo, &err), &err) != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    print_warnings(sc);
    int output = -1, versus = -1;
    const char *names[2] = {c.strategy, c.versus};
    int *idx[2] = {&output, &versus};
    for (int k = 0; k < 2; k++) {
        if (!names[k])
            continue;
        *idx[k] = tco_scenario_strategy(sc, names[k]);
        if (*idx[k] < 0) {
            tco_fprintf(stderr, "%s: error: %s: no strategy named '%s'\n", prog,
                    k ? "--versus" : "--strategy", names[k]);
            status = EXIT_INPUT;
            goto done;
        }
    }
    tco_sens_method m = !c.method || strcmp(c.method, "rank") == 0 ? TCO_SENS_RANK
                        : strcmp(c.method, "tornado") == 0        ? TCO_SENS_TORNADO
                                                                  : TCO_SENS_SOBOL;
    long n = c.ro.futures > 0 ? c.ro.futures : sc->futures;
    if (!c.quiet) {
        tco_fprintf(stdout, "%s: %s sensitivity of %zu uncertain inputs: %ld future-runs of the model",
               sc->name, tco_sens_name(m), sc->ndims, tco_sensitivity_cost(sc, m, n));
        if (m == TCO_SENS_SOBOL)
            tco_fprintf(stdout, " (N (D + 2) = %ld x %zu, plus a base run of %ld)", n, sc->ndims + 2, n);
        tco_fprintf(stdout, "\n");
        fflush(stdout);
    }
    install_signals();
    c.ro.cancel = &interrupted;
    progress_state ps = {omp_get_wtime(), 0, !c.quiet && isatty(STDERR_FILENO)};
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    tco_shard_share shs;
    tco_share mshare;
    if ((status = shard_setup(&c, &shs, &mshare, sc->nstrategies)) != 0)
        goto done;
    tco_status sst = tco_par_sensitivity(&r, sc, &c.ro, m, output, versus, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (c.shard) {
        status = !interrupted && (sst == TCO_OK || (sst == TCO_EINTR && shs.share.stopped))
                     ? write_part(&c, sc, "sensitivity", shs.units, sc->nstrategies * (size_t)n,
                                  shs.rows, n, c.ro.seed_set ? c.ro.seed : sc->seed)
                     : fail(&err);
        tco_shard_share_clear(&shs);
        goto done;
    }
    if (sst != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    if (!r)
        goto done; /* another rank's runs, handed to rank 0 */
    char dir[4096];
    output_dir(&c, sc, "-sensitivity", dir, sizeof dir);
    tco_sampling sampling = c.ro.sampling_set ? c.ro.sampling : sc->sampling;
    uint64_t seed = c.ro.seed_set ? c.ro.seed : sc->seed;
    tco_sens_charts charts;
    tco_sens_charts_init(&charts, sc, r);
    tco_provenance prov;
    char foot[1024];
    if ((status = provenance_fill(&prov, "sensitivity", &c, tco_run_threads(c.ro.threads))) != 0)
        goto done;
    tco_provenance_line(foot, sizeof foot, &prov, n, seed, sampling);
    if (tco_outdir_open(&od, dir, &err) ||
        tco_report_write_sensitivity(tco_outdir_work(od), sc, r, n, seed, sampling, charts.specs,
                                     charts.nspecs, &prov, &err)) {
        status = fail(&err);
        goto done;
    }
    if (!c.quiet) {
        tco_fprintf(stdout, "Provenance: %s\n", foot);
        tco_write_sensitivity_table(stdout, r, sc, charts.what);
        fflush(stdout);
    }
    chart_texts texts = {sc->name, foot, sc->currency, charts.specs, charts.nspecs, 0};
    status = finish_folder(od, c.plots ? &texts : NULL, c.quiet);
    if (!c.quiet && (status == 0 || status == EXIT_CHARTS))
        tco_fprintf(stdout, "\nResults in %s/\n", dir);
done:
    tco_outdir_close(od);
    tco_sensitivity_free(r);
    tco_scenario_free(sc);
    free(c.sets);
    return status;
}

static void print_compare_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim compare SCENARIO [--cases A,B,...] [OPTIONS]\n\n"
           "Runs the scenario and its named cases (the cases: block; all of them unless\n"
           "--cases names some) on the same futures: one seed, one number of futures, one\n"
           "sampling method (common random numbers), side by side.\n\n"
           "      --cases A,B,...     the cases to compare with the base (default: all)\n"
           "  -n, --futures N         number of futures (default: simulation.futures)\n"
           "      --seed N            random seed (default: simulation.seed)\n"
           "      --sampling METHOD   random, lhs or sobol (default: simulation.sampling)\n"
           "      --threads N         threads (default: all cores)\n"
           "      --set PATH=VALUE    replace a scenario value in the base and every case\n"
           "  -o, --output DIR        output folder (default: out/<scenario name>-compare)\n"
           "      --no-plots          skip the charts and the board pack\n"
           "  -q, --quiet             print nothing on success\n\n"
           "Writes compare.csv (one row per case and strategy), compare.json,\n"
           "compare_scurve.csv, compare_table.txt, plots/compare.png (the S-curves of every\n"
           "case overlaid) and report.pdf.\n");
}

/* tcosim compare: the options, then the library (compare.h) does the work. */
static int cmd_compare(int argc, char **argv)
{
    cli c = {0};
    c.cmd = "compare";
    int rc = parse_cli(argc, argv, &c);
    if (rc != 0) {
        free(c.sets);
        return rc < 0 ? 0 : rc;
    }
    tco_error err;
    tco_compare *cmp = NULL;
    tco_outdir *od = NULL;
    char *list = NULL;
    const char **names = NULL;
    size_t nnames = 0;
    int status = 0;
    if (c.cases) {
        /* --cases a,b,c: split a copy at the commas. */
        if (!(list = strdup(c.cases)) || !(names = calloc(strlen(c.cases) + 1, sizeof *names))) {
            status = EXIT_FAILURE;
            goto done;
        }
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
            names[nnames++] = tok;
        if (nnames == 0) {
            status = usage_error("--cases: expected case names separated by commas, got '%s'",
                                 c.cases);
            goto done;
        }
    }
    tco_load_options lo = {c.sets, c.nsets, NULL};
    install_signals();
    c.ro.cancel = &interrupted;
    progress_state ps = {omp_get_wtime(), 0, !c.quiet && isatty(STDERR_FILENO)};
    c.ro.progress = progress;
    c.ro.progress_ctx = &ps;
    tco_status st = tco_compare_run(&cmp, c.file, &lo, names, nnames, &c.ro, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (st != TCO_OK) {
        status = fail(&err);
        goto done;
    }
    const tco_scenario *sc = cmp->c[0].sc;
    char dir[4096], extra[700], foot[1024];
    tco_provenance prov;
    if ((status = provenance_fill(&prov, "compare", &c, cmp->threads)) != 0)
        goto done;
    output_dir(&c, sc, "-compare", dir, sizeof dir);
    tco_chart_spec spec;
    if (tco_outdir_open(&od, dir, &err) ||
        tco_compare_write(tco_outdir_work(od), cmp, &spec, extra, sizeof extra, &prov, &err)) {
        status = fail(&err);
        goto done;
    }
    if (!c.quiet) {
        tco_write_compare_table(stdout, cmp);
        fflush(stdout);
    }
    tco_provenance_line(foot, sizeof foot, &prov, cmp->futures, cmp->seed, cmp->sampling);
    chart_texts texts = {sc->name, foot, sc->currency, &spec, 1, sc->nstrategies};
    status = finish_folder(od, c.plots ? &texts : NULL, c.quiet);
    if (!c.quiet && (status == 0 || status == EXIT_CHARTS))
        tco_fprintf(stdout, "\nResults in %s/ (%.2f s on %d thread%s)\n", dir, cmp->seconds,
                    cmp->threads, cmp->threads == 1 ? "" : "s");
done:
    tco_outdir_close(od);
    tco_compare_free(cmp);
    free(names);
    free(list);
    free(c.sets);
    return status;
}

static void print_merge_help(void)
{
    tco_fprintf(stdout, "Usage: tcosim merge PART... [-o DIR] [-q] [--no-plots]\n\n"
           "Writes the output folder of a sweep or sensitivity analysis run in shards, the\n"
           "same files as one process would write.  Each shard i of N ran the same command\n"
           "with --shard i/N -o PART (from a job array, GNU parallel, any machines sharing\n"
           "the scenario file); merge checks that the parts belong together (one command,\n"
           "one scenario file, unchanged since, every shard once) and writes the command's\n"
           "output from them (a sensitivity analysis runs its base run again; nothing else\n"
           "is computed twice).  Run it in the folder the shards ran in.\n\n"
           "  -o, --output DIR    the output folder (default: the command's default)\n"
           "  -q, --quiet         print nothing but errors\n"
           "      --no-plots      write no charts\n"
           "  -h, --help          show this help\n\n"
           "Example: for i in 0 1 2; do tcosim sweep s.yaml --vary PATH=1:9:9 --shard $i/3 \\\n"
           "           -o parts/$i; done; tcosim merge parts/* -o out\n");
}

static int cmd_merge(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"output-dir", required_argument, NULL, 'o'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"no-plots", no_argument, NULL, OPT_NOPLOTS},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *outdir = NULL;
    int quiet = 0, plots = 1, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
        switch (ch) {
        case 'o':
            if (!*optarg)
                return usage_error("%s", "-o/--output: the folder name is empty");
            outdir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_NOPLOTS:
            plots = 0;
            break;
        case 'h':
            print_merge_help();
            return 0;
        default:
            return usage_error("%s", "merge: invalid option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "merge needs the parts: tcosim merge PART... -o DIR");
    tco_error err;
    tco_parts *parts;
    if (tco_parts_read(&parts, argv + optind, (size_t)(argc - optind), &err) != TCO_OK)
        return fail(&err);
    char *args[TCO_PART_MAX_ARGS + 8];
    int n = 0;
    args[n++] = parts->h.command;
    for (size_t k = 0; k < parts->h.nargs; k++)
        args[n++] = parts->h.args[k];
    /* The provenance names shard 0's threads, as its command would. */
    char o_opt[] = "-o", q_opt[] = "-q", np_opt[] = "--no-plots", t_opt[] = "--threads", t[16];
    tco_snprintf(t, sizeof t, "%d", parts->h.threads);
    args[n++] = t_opt;
    args[n++] = t;
    if (outdir) {
        args[n++] = o_opt;
        args[n++] = (char *)(uintptr_t)outdir;
    }
    if (quiet)
        args[n++] = q_opt;
    if (!plots)
        args[n++] = np_opt;
    args[n] = NULL;
    merging = parts;
    int status = strcmp(parts->h.command, "sweep") == 0 ? cmd_sweep(n, args)
                 : strcmp(parts->h.command, "sensitivity") == 0
                     ? cmd_sensitivity(n, args)
                     : usage_error("merge: parts of '%s', which has no shards", parts->h.command);
    merging = NULL;
    tco_parts_free(parts);
    return status;
}

/* The processes of a tcosim-mpi job (mpi.h) share the work of run, sweep
 * and sensitivity; rank 0 does every other command alone (and run
 * --target-rse), and prints and writes for the job. */
static int distributed(const char *cmd)
{
    return strcmp(cmd, "run") == 0 || strcmp(cmd, "sweep") == 0 ||
           strcmp(cmd, "sensitivity") == 0;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    int status = tco_par_init(&argc, &argv);
    if (status != 0)
        return status;
    if (argc >= 2 && distributed(argv[1])) {
        tco_par_command_begin();
        status = tco_par_command_end(dispatch(argc, argv));
    } else if (tco_par_rank() == 0) {
        tco_par_solo();
        status = dispatch(argc, argv);
    }
    return tco_par_finish(status);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_help();
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 && argc > 2) {
        /* tcosim help CMD is tcosim CMD --help. */
        static char help_opt[] = "--help";
        char *args[] = {argv[0], argv[2], help_opt, NULL};
        if (strcmp(argv[2], "help") != 0)
            return dispatch(3, args);
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        tco_fprintf(stdout, "tcosim %s\n", TCO_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0)
        return cmd_sensitivity(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            tco_fprintf(stdout, "Usage: tcosim validate FILE...\nChecks scenario files; exit 2 when one is invalid.\n"
                                "Implausible values (a percentage where a fraction belongs) are warnings.\n\n"
                                "  -h, --help             show this help\n");
            return 0;
        }
        return cmd_validate(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "plot") == 0) {
        if (argc != 3 || strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0) {
            tco_fprintf(stdout, "Usage: tcosim plot OUTDIR\nRedraws the charts (OUTDIR/plots/) of a run (and its report.pdf), a sweep or a "
                   "sensitivity analysis, from its CSV files.\nTemplates: $TCOSIM_PLOTS, else plots/ "
                   "beside the program, else the installed ones.\n\n"
                   "  -h, --help             show this help\n");
            return argc == 3 ? 0 : EXIT_INPUT;
        }
        return cmd_plot(argv[2]);
    }
    if (strcmp(cmd, "describe") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            print_describe_help();
            return 0;
        }
        return cmd_describe(argc - 2, argv + 2);
    }
    return usage_error("unknown command '%s'", cmd);
}
