/* make bench: the figures of issue 11's "How to measure", for each scenario
 * named on the command line (make bench: the bundled baseline and
 * bench/v2.yaml, which has every version-2 feature).
 *
 *   bench [SCENARIO...]     a table on standard output, build/bench.json and
 *                           build/bench.md (a Markdown table for the README)
 *
 * First, the NumPy peer measured on this machine (bench_peer): issue 11's
 * engine, built by bench/run.sh as a shared library (BENCH_PEER_LIB), on its
 * baseline (BENCH_PEER_SCENARIO), a ninth of its rate; this engine's
 * 2-thread rate on that scenario over it is the target's multiple.
 *
 * Per scenario: futures per second at 1 and 2 threads (loop and
 * statistics) and their ratio; ns per future-month-strategy; the
 * random-number floor (seeding a future's stream and drawing as many numbers
 * as its static inputs and paths take, counted on the scenario) and the
 * loop's multiple of it; a Poisson count of mean 1/3 by the search and
 * from the table the model draws with; the time of each phase (load, sample, paths, cost,
 * statistics, write: sample and paths from runs that stop there,
 * tco_run_options.stop_after; each once); each strategy's costing per
 * future (tco_future_cost on 20,000 futures); peak memory of `tcosim run` in a
 * child process (run first) at 10^6 futures (10^7 with BENCH_BIG=1, else predicted) and the
 * memory per future; a run beyond the memory budget (its bands recomputed,
 * budget_run) against one that stores its months; a 12-point sweep of demand.requests_per_month (and
 * one of a backend's input that shapes no random path), against 12 runs of
 * its size timed in the same turns, and a rank and a Sobol analysis at 1
 * and 2 threads (best of 11; 1 and 2 threads measured in turn, as the runs,
 * so that a slow spell falls on both, and their ratios the median of the
 * turns' ratios, as every "2 threads over 1").  Each figure is printed with
 * the target and "target met" or "not yet": figures only, nothing
 * here fails on a slow machine.
 *
 * Environment: BENCH_SMOKE=1 tiny sizes (make check: every line printed,
 * no timing judged); BENCH_BIG=1 also measures 10^7 futures (about 1.4 GiB
 * and many minutes); BENCH_FUTURES the run size (default 100000);
 * BENCH_JSON the JSON file (default build/bench.json); BENCH_TCOSIM the
 * program for the memory children (default ./tcosim); BENCH_OUT the scratch
 * folder for written results (default build/bench-out); BENCH_PEER_LIB,
 * BENCH_PEER_SCENARIO and BENCH_PEER_REV the peer's engine, its scenario and
 * its revision's name (without them the peer is the fixed 5,500/s,
 * measured on another machine). */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include "../models/model.h"
#include "../sim/engine.h"
#include "../sim/init.h"
#include "../sim/number.h"
#include "../sim/output.h"
#include "../sim/report.h"
#include "../sim/rng.h"
#include "../sim/sample.h"
#include "../sim/sensitivity.h"
#include "../sim/stats.h"
#include "../sim/sweep.h"
#include "dlbuild.h"

extern char **environ;

/* The NumPy peer of issue 11 runs 5,000-6,000 futures of the baseline a
 * second on one core (on the machine): its midpoint is the
 * reference when the peer is not measured here (bench_peer). */
#define PEER_FUTURES_PER_SECOND 5500.0
/* The issue measured its engine (PEER_REV, bench/run.sh) at 8-10 times the
 * NumPy peer: the peer here is a ninth of that engine's rate here. */
#define PEER_ENGINE_MULTIPLE 9.0
#define PEER_ENGINE_LOW 8.0
#define PEER_ENGINE_HIGH 10.0
#define PEER_TURNS 5
#define TARGET_PEER_MULTIPLE 30.0
#define TARGET_FLOOR_MULTIPLE 10.0
#define TARGET_RUN_RATIO 1.85
#define TARGET_SERIES_RATIO 1.7
#define TARGET_SWEEP_GAIN 2.0
#define TARGET_BIG_BYTES (2.0 * 1024 * 1024 * 1024)

static FILE *json;
static char json_tmp[4200]; /* bench.json while it is written */

/* At exit: bench.json's temporary file, unless it was renamed (main). */
static void remove_json_tmp(void)
{
    if (json_tmp[0])
        unlink(json_tmp);
}
static char outdir[4096] = "build/bench-out"; /* BENCH_OUT: scratch folders */
static int json_first = 1;
static const char *cur_scenario = "";

static void json_str(const char *s)
{
    fputc('"', json);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', json);
        fputc(*s, json);
    }
    fputc('"', json);
}

/* One figure: a line of the table and an object of bench.json.  met: 1
 * target met, 0 not yet, -1 no target. */
/* Every figure, for the Markdown table (README's Speed section): by key,
 * one column per scenario. */
enum { MAXROWS = 96, MAXSC = 4 };
typedef struct {
    char key[48], label[96], unit[12], target[40];
    char value[MAXSC][32];
    int met[MAXSC];
} row;
static row rows[MAXROWS];
static int nrows, cur_index = -1;
static const char *sc_names[MAXSC];
/* The NumPy peer's figures (bench_peer): a table of their own, one value
 * each, while cur_index is PEER_INDEX. */
enum { PEER_INDEX = -2, MAXPEER = 8 };
static row peer_rows[MAXPEER];
static int npeer;
static char peer_title[160];

static void remember(const char *key, const char *label, const char *v, const char *unit,
                     const char *target, int met)
{
    if (cur_index == PEER_INDEX && npeer < MAXPEER) {
        row *p = &peer_rows[npeer++];
        snprintf(p->label, sizeof p->label, "%s", label);
        snprintf(p->unit, sizeof p->unit, "%s", unit);
        snprintf(p->target, sizeof p->target, "%s", target ? target : "");
        snprintf(p->value[0], sizeof p->value[0], "%s", v);
        p->met[0] = met;
        return;
    }
    if (cur_index < 0 || cur_index >= MAXSC)
        return;
    int r = 0;
    while (r < nrows && strcmp(rows[r].key, key) != 0)
        r++;
    if (r == nrows) {
        if (nrows == MAXROWS)
            return;
        nrows++;
        snprintf(rows[r].key, sizeof rows[r].key, "%s", key);
        snprintf(rows[r].label, sizeof rows[r].label, "%s", label);
        snprintf(rows[r].unit, sizeof rows[r].unit, "%s", unit);
        snprintf(rows[r].target, sizeof rows[r].target, "%s", target ? target : "");
        for (int k = 0; k < MAXSC; k++)
            rows[r].met[k] = -2;
    }
    snprintf(rows[r].value[cur_index], sizeof rows[r].value[cur_index], "%s", v);
    rows[r].met[cur_index] = met;
}

/* bench.md: the figures as a Markdown table, a column per scenario. */
static void write_markdown(const char *path, int nsc)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fputs("| figure |", f);
    for (int k = 0; k < nsc && k < MAXSC; k++)
        fprintf(f, " %s |", sc_names[k]);
    fputs(" target |\n|---|", f);
    for (int k = 0; k < nsc && k < MAXSC; k++)
        fputs("---:|", f);
    fputs("---|\n", f);
    for (int r = 0; r < nrows; r++) {
        const char *l = rows[r].label;
        while (*l == ' ')
            l++;
        fprintf(f, "| %s%s%s%s |", l, *rows[r].unit ? " (" : "", rows[r].unit,
                *rows[r].unit ? ")" : "");
        for (int k = 0; k < nsc && k < MAXSC; k++)
            fprintf(f, " %s%s |", rows[r].value[k],
                    rows[r].met[k] == 1 ? " ✓" : rows[r].met[k] == 0 ? " ✗" : "");
        fprintf(f, " %s |\n", rows[r].target);
    }
    if (npeer)
        fprintf(f, "\n| %s | value | target |\n|---|---:|---|\n", peer_title);
    for (int r = 0; r < npeer; r++) {
        const char *l = peer_rows[r].label;
        while (*l == ' ')
            l++;
        fprintf(f, "| %s (%s) | %s%s | %s |\n", l, peer_rows[r].unit, peer_rows[r].value[0],
                peer_rows[r].met[0] == 1 ? " ✓" : peer_rows[r].met[0] == 0 ? " ✗" : "",
                peer_rows[r].target);
    }
    if (fclose(f) != 0)
        fprintf(stderr, "bench: cannot write %s\n", path);
}

static void figure(const char *key, const char *label, double value, const char *unit,
                   int digits, const char *target, int met)
{
    char v[64];
    tco_snprintf(v, sizeof v, "%.*f", digits, value);
    remember(key, label, v, unit, target, met);
    tco_fprintf(stdout, "  %-46s %12s %-9s %-26s %s\n", label, v, unit, target ? target : "",
                met < 0 ? "" : met ? "target met" : "not yet");
    if (!json)
        return;
    fputs(json_first ? "\n  " : ",\n  ", json);
    json_first = 0;
    fputs("{\"scenario\": ", json);
    json_str(cur_scenario);
    fputs(", \"key\": ", json);
    json_str(key);
    fputs(", \"label\": ", json);
    json_str(label);
    tco_fprintf(json, ", \"value\": %.6g, \"unit\": ", isfinite(value) ? value : 0.0);
    json_str(unit);
    fputs(", \"target\": ", json);
    if (target)
        json_str(target);
    else
        fputs("null", json);
    fprintf(json, ", \"met\": %s}", met < 0 ? "null" : met ? "true" : "false");
}

static void fail(const char *what, const tco_error *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err->msg);
    exit(1);
}

typedef struct {
    double loop, stats, run; /* seconds: tco_run_futures, tco_results_compute, both */
    double cpu;              /* the process's CPU seconds of that run (both steps) */
    double loop_cpu, stats_cpu; /* CPU seconds of each step (one thread: its own) */
    double loop_sys; /* of loop_cpu, the kernel's (the run with the least loop_cpu) */
} timing;

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double tv_seconds(struct timeval tv) { return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec; }

/* The process's CPU seconds in the kernel (for a run: mostly clearing the
 * pages its arrays touch first). */
static double sys_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return tv_seconds(ru.ru_stime);
}

/* A run of n futures on threads threads, best of reps; stop: 0 or TCO_STOP_*;
 * monthly_limit: the options' (0: the default budget).  With keep (stop 0),
 * the last run and its results are left in *keep_run and *keep_res (the
 * caller frees them), for the write phase. */
static timing run_best_keep(const tco_scenario *sc, long n, int threads, int stop,
                            size_t monthly_limit, int reps, tco_run **keep_run,
                            tco_results **keep_res)
{
    timing best = {1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 0};
    for (int r = 0; r < reps; r++) {
        tco_run_options opt = {0};
        opt.futures = n;
        opt.threads = threads;
        opt.stop_after = stop;
        opt.monthly_limit = monthly_limit;
        opt.count_bands = 1; /* as tcosim run */
        tco_error err;
        tco_run *run;
        tco_results *res = NULL;
        double c0 = cpu_seconds(), t0 = omp_get_wtime(), s0 = sys_seconds();
        if (tco_run_execute(&run, sc, &opt, &err) != TCO_OK)
            fail("run", &err);
        double t1 = omp_get_wtime(), c1 = cpu_seconds(), s1 = sys_seconds();
        if (!stop && tco_results_compute(&res, run, &err) != TCO_OK)
            fail("statistics", &err);
        double t2 = omp_get_wtime(), c2 = cpu_seconds();
        if (c2 - c0 < best.cpu)
            best.cpu = c2 - c0;
        if (c1 - c0 < best.loop_cpu) {
            best.loop_cpu = c1 - c0;
            best.loop_sys = s1 - s0;
        }
        if (c2 - c1 < best.stats_cpu)
            best.stats_cpu = c2 - c1;
        if (run->seconds < best.loop)
            best.loop = run->seconds;
        if (t2 - t1 < best.stats)
            best.stats = t2 - t1;
        if (t2 - t0 < best.run)
            best.run = t2 - t0;
        if (keep_run && r == reps - 1) {
            *keep_run = run;
            *keep_res = res;
            continue;
        }
        tco_results_free(res);
        tco_run_free(run);
    }
    return best;
}

/* The wall seconds of a run of n futures on 2 threads and its statistics,
 * its monthly costs stored, or (recompute) not: then its monthly and
 * cumulative bands are recomputed from the futures in three counting
 * passes (stats.c), the first counted by the run as it computes them, as
 * tcosim run does beyond the memory budget (10^7 futures). */
static double budget_run(const tco_scenario *sc, long n, int recompute)
{
    tco_run *run;
    tco_results *res;
    /* 1 TiB when stored, whatever TCOSIM_MONTHLY_BYTES says */
    timing t = run_best_keep(sc, n, 2, 0, recompute ? 1 : (size_t)1 << 40, 1, &run, &res);
    if (recompute != (res->cumulative != NULL)) {
        tco_error err;
        tco_error_set(&err, TCO_EINVAL, "the bands were %s", recompute ? "stored" : "recomputed");
        fail("run beyond the memory budget", &err);
    }
    tco_results_free(res);
    tco_run_free(run);
    return t.run;
}

/* The CPU seconds of the loop of a run of n futures on one thread with
 * the events' effects (events.csv: each strategy costed again without
 * each risk event that happened), as `tcosim run` computes them. */
static double effects_loop_cpu(const tco_scenario *sc, long n)
{
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = 1;
    opt.event_effects = 1;
    tco_error err;
    tco_run *run;
    double c0 = cpu_seconds();
    if (tco_run_execute(&run, sc, &opt, &err) != TCO_OK)
        fail("run", &err);
    double c = cpu_seconds() - c0;
    tco_run_free(run);
    return c;
}

static timing run_best(const tco_scenario *sc, long n, int threads, int stop, int reps)
{
    return run_best_keep(sc, n, threads, stop, 0, reps, NULL, NULL);
}

/* Each field the least of a and b. */
static timing timing_min(timing a, timing b)
{
    timing m = {fmin(a.loop, b.loop),   fmin(a.stats, b.stats), fmin(a.run, b.run),
                fmin(a.cpu, b.cpu),     fmin(a.loop_cpu, b.loop_cpu),
                fmin(a.stats_cpu, b.stats_cpu), b.loop_cpu < a.loop_cpu ? b.loop_sys : a.loop_sys};
    return m;
}

/* Steps of b's generator from a (both seeded alike), or -1 beyond a bound. */
static long steps(tco_rng a, const tco_rng *b)
{
    for (long k = 0; k < (1L << 22); k++) {
        if (memcmp(a.s, b->s, sizeof a.s) == 0)
            return k;
        tco_rng_next(&a);
    }
    return -1;
}

/* Where timed loops leave their results, so that the compiler keeps the
 * work (a test of the result against a constant is not enough: GCC drops
 * a call to fputs with an empty string, and then the whole loop). */
static volatile double bench_sink;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (n >= 1; v is sorted in place).  A ratio of two
 * timings is taken as the median of the ratios of pairs timed back to back
 * (one turn each), not as the ratio of each side's best: on this shared
 * machine a slow spell on one side of a single turn moves the ratio of the
 * bests by a third (sweeps at 2.25 times on 2 threads), while a pair shares
 * its spell. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The machine's own two-thread speedup, for the runs' to be read against:
 * draws uniforms from xoshiro256** streams (tco_rng_uniform: registers
 * only, no memory, nothing shared), `draws` on one thread, then draws / 2 on
 * each of two threads; the wall seconds of each in *one and *two.  On a
 * shared machine the second core is not always free: what two threads of
 * pure arithmetic gain is the most a run can. */
static void machine_pair(long draws, const tco_zig *zig, double *one, double *two)
{
    double sink = 0;
    double t0 = omp_get_wtime();
    {
        tco_rng r;
        tco_rng_seed(&r, zig, 1, 0);
        for (long i = 0; i < draws; i++)
            sink += tco_rng_uniform(&r);
    }
    double t1 = omp_get_wtime();
#pragma omp parallel num_threads(2) reduction(+ : sink)
    {
        tco_rng r;
        tco_rng_seed(&r, zig, 1, (uint64_t)omp_get_thread_num() + 1);
        for (long i = 0; i < draws / 2; i++)
            sink += tco_rng_uniform(&r);
    }
    double t2 = omp_get_wtime();
    bench_sink = sink;
    *one = t1 - t0;
    *two = t2 - t1;
}

/* Draws of the paths of f from state r with ziggurat z (steps of r). */
static long draws_with(tco_future *f, const tco_model *m, const double *x, tco_rng r,
                       const tco_zig *z)
{
    tco_rng r0 = r;
    r.zig = z;
    tco_future_draw(f, m, x, &r, NULL);
    r0.zig = z;
    return steps(r0, &r);
}

/* The normals f's paths draw from state r: the paths drawn again with two
 * altered ziggurat tables, once, where every layer accepts at once (a
 * normal in one draw), and twice, where every layer but the first goes to
 * its rejection test and passes it (two draws); the difference is the
 * normals outside the first layer, 127 in 128 of them. */
static long normals_in(tco_future *f, const tco_model *m, const double *x, tco_rng r,
                       const tco_zig *once, const tco_zig *twice)
{
    long d = draws_with(f, m, x, r, twice) - draws_with(f, m, x, r, once);
    return (long)floor((double)d * 128.0 / 127.0 + 0.5);
}

/* The random-number floor: seconds per future to seed its stream and draw
 * the numbers its static inputs and its paths take, each as the kind it
 * is: a ziggurat normal (the random walks' steps, a month's price shocks
 * taken together) or a uniform (the rest: the inputs, the monthly counts,
 * event months), over n futures at one thread, best of reps.  The numbers
 * are counted on the scenario's first M futures, by the steps each
 * future's stream has advanced (setup failures draw one uniform a platform
 * from a stream of their own, two a future of the baseline, not counted);
 * the normals among the paths' draws by normals_in.  *per sets the mean
 * 64-bit draws of a future, *normals the mean normals. */
static double rng_floor(const tco_scenario *sc, long n, int reps, double *per, double *normals)
{
    enum { M = 1000 };
    tco_error err;
    tco_model *m;
    if (tco_model_alloc(&m, sc, &err) != TCO_OK)
            fail("model", &err);
    tco_future *f = tco_future_alloc(m);
    tco_zig zig, once, twice;
    tco_zig_init(&zig);
    /* once: |u| < inf in every layer, a normal in one draw; twice: the
     * first layer as once, every other one to its rejection test (|u| < 0
     * fails), which one uniform passes (equal layers give f0 = f1 =
     * exp(-(1 - u^2) / 2) < 1). */
    for (int i = 0; i <= TCO_ZIG_C; i++)
        once.x[i] = twice.x[i] = 1;
    for (int i = 0; i < TCO_ZIG_C; i++) {
        once.r[i] = INFINITY;
        twice.r[i] = i == 0 ? INFINITY : 0;
    }
    tco_sampler *smp;
    if (tco_sampler_alloc(&smp, sc, sc->sampling, M, sc->seed, &zig, &err) != TCO_OK)
        fail("sampler", &err);
    double *u = calloc(sc->ndims + 1, sizeof *u), *x = calloc(sc->ninputs + 1, sizeof *x);
    double *scratch = calloc(2 * sc->ncorr + 1, sizeof *scratch);
    unsigned *cl = calloc(sc->ninputs + 1, sizeof *cl);
    static long nu[M], nn[M], nz[M];
    if (!f || !u || !x || !scratch || !cl) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    /* The fixed inputs once, as the engine fills them (the uncertain
     * ones are drawn for each future below): without them a rate given as
     * a plain number reads 0, and its counts are never drawn. */
    for (size_t d = 0; d < sc->ndims; d++)
        u[d] = 0.5;
    tco_sample_inputs(sc, u, x, NULL);
    double total = 0, tnorm = 0;
    for (long i = 0; i < M; i++) {
        tco_rng r, r0;
        tco_rng_seed(&r, &zig, sc->seed, (uint64_t)i);
        r0 = r;
        tco_sampler_uniforms(smp, i, &r, u, scratch);
        nu[i] = steps(r0, &r);
        tco_sample_uncertain(sc, u, x, cl);
        nz[i] = normals_in(f, m, x, r, &once, &twice);
        tco_future_draw(f, m, x, &r, cl);
        long all = steps(r0, &r);
        nn[i] = all - nu[i];
        nz[i] = nz[i] < nn[i] ? nz[i] : nn[i];
        total += (double)all;
        tnorm += (double)nz[i];
    }
    *per = total / M;
    *normals = tnorm / M;
    double best = 1e30, sink = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = cpu_seconds();
        for (long i = 0; i < n; i++) {
            tco_rng r;
            tco_rng_seed(&r, &zig, sc->seed, (uint64_t)i);
            double acc = 0;
            for (long k = nu[i % M] + nn[i % M] - nz[i % M]; k > 0; k--)
                acc += tco_rng_uniform(&r);
            for (long k = nz[i % M]; k > 0; k--)
                acc += tco_rng_normal(&r);
            sink += acc;
        }
        double t = (cpu_seconds() - t0) / (double)n;
        best = t < best ? t : best;
    }
    bench_sink = sink; /* keeps the draws */
    free(u);
    free(x);
    free(scratch);
    free(cl);
    tco_sampler_free(smp);
    tco_future_free(f);
    tco_model_free(m);
    return best;
}

/* CPU ns of one Poisson count of mean mu, by the search from 0
 * (tco_rng_poisson_p0) or from a table of its sums (tco_rng_poisson_table,
 * what the model draws with), best of 5 runs of n draws. */
static double poisson_ns(double mu, int table, long n)
{
    tco_zig zig;
    tco_zig_init(&zig);
    tco_poisson_table pt;
    double p0 = exp(-mu), best = 1e30, sink = 0;
    tco_poisson_table_init(&pt, mu, p0);
    for (int rep = 0; rep < 5; rep++) {
        tco_rng r;
        tco_rng_seed(&r, &zig, 1, (uint64_t)rep);
        double t0 = cpu_seconds();
        for (long i = 0; i < n; i++)
            sink += table ? tco_rng_poisson_table(&r, &pt) : tco_rng_poisson_p0(&r, mu, p0);
        double t = cpu_seconds() - t0;
        best = t < best ? t : best;
    }
    bench_sink = sink; /* keeps the draws */
    return best / (double)n * 1e9;
}

/* Peak resident memory (bytes) and wall seconds of `tcosim run` on n
 * futures, 2 threads, no charts, in a child process; 0 when it failed. */
static double child_peak(const char *prog, const char *path, long n, double *secs,
                         double *user, double *sys)
{
    char nbuf[32], memdir[4200];
    snprintf(nbuf, sizeof nbuf, "%ld", n);
    snprintf(memdir, sizeof memdir, "%s/memory", outdir);
    const char *args[] = {prog, "run", path, "-n", nbuf, "--threads", "2", "-q",
                          "--no-plots", "-o", memdir};
    enum { NA = sizeof args / sizeof *args };
    char *argv[NA + 1];
    for (size_t k = 0; k < NA; k++)
        if (!(argv[k] = strdup(args[k]))) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    argv[NA] = NULL;
    pid_t pid;
    double t0 = omp_get_wtime();
    fflush(stdout);
    int rc = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
    for (size_t k = 0; k < NA; k++)
        free(argv[k]);
    if (rc != 0) {
        fprintf(stderr, "bench: cannot start %s: %s\n", prog, strerror(rc));
        return 0;
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s run %s -n %ld failed\n", prog, path, n);
        return 0;
    }
    *secs = omp_get_wtime() - t0;
    *user = tv_seconds(ru.ru_utime);
    *sys = tv_seconds(ru.ru_stime);
    return (double)ru.ru_maxrss * 1024.0;
}

/* Short timings (a sweep, a sensitivity analysis: a second or less) are
 * the best of short_reps runs (11; 1 on the smoke sizes): on a shared
 * machine one run in a few is slowed by other programs; their ratios
 * (2 threads over 1, the sweep's gain) the median of the short_reps
 * pairs (median).  A single pair of a Sobol analysis read 1.1 to 2.8 on
 * this machine; 5 pairs (until the twenty-second session) left their
 * median moving by 0.2 between readings. */
enum { MAX_SHORT_REPS = 11 };
static int short_reps = MAX_SHORT_REPS;

/* A sweep of spec's grid on sc (loaded from path, as the runs': the load
 * is not timed, as it is not in the runs it is compared with): the best
 * wall time of reps, and the best CPU time in *cpu. */
static double sweep_time_of(const tco_scenario *sc, const char *path, const char *spec, long n,
                            int threads, int reps, double *cpu)
{
    tco_error err;
    tco_vary v;
    if (tco_vary_parse(&v, spec, &err) != TCO_OK)
        fail("sweep", &err);
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = threads;
    tco_load_options lo = {0};
    double best = 1e30;
    *cpu = 1e30;
    for (int r = 0; r < reps; r++) {
        tco_sweep *sw;
        double c0 = cpu_seconds(), t0 = omp_get_wtime();
        if (tco_sweep_run_scenario(&sw, sc, path, &lo, &v, 1, &opt, &err) != TCO_OK)
            fail("sweep", &err);
        double t = omp_get_wtime() - t0, c = cpu_seconds() - c0;
        best = t < best ? t : best;
        *cpu = c < *cpu ? c : *cpu;
        tco_sweep_free(sw);
    }
    tco_vary_clear(&v);
    return best;
}

static double sweep_time(const tco_scenario *sc, const char *path, long n, int threads, int reps,
                         double *cpu)
{
    return sweep_time_of(sc, path, "demand.requests_per_month=1.0e6:2.0e7:12", n, threads, reps,
                         cpu);
}

/* The first uncertain input of a backend that shapes no random path
 * (tco_paths_inputs), as a sweep over 12 points from its P10 to its P90
 * into spec; 0 when there is none.  *kept: the dimensions of such inputs
 * (the Sobol design runs that keep A's paths). */
static int static_sweep(const tco_scenario *sc, char *spec, size_t size, size_t *kept)
{
    unsigned char *mark = malloc(sc->ninputs + 1);
    int found = 0;
    *kept = 0;
    if (!mark)
        return 0;
    tco_paths_inputs(sc, mark);
    for (size_t d = 0; d < sc->ndims; d++) {
        int k = sc->dim_input[d];
        const tco_input *in = &sc->inputs[k];
        if (mark[k])
            continue;
        ++*kept;
        double lo = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.1));
        double hi = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.9));
        if (!found && strncmp(in->path, "backends.", 9) == 0 && lo < hi) {
            tco_snprintf(spec, size, "%s=%.17g:%.17g:12", in->path, lo, hi);
            found = 1;
        }
    }
    free(mark);
    return found;
}

/* A sensitivity analysis: the best wall time of reps. */
static double sens_time(const tco_scenario *sc, tco_sens_method m, long n, int threads, int reps)
{
    tco_error err;
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = threads;
    double best = 1e30;
    for (int k = 0; k < reps; k++) {
        tco_sensitivity *r;
        double t0 = omp_get_wtime();
        if (tco_sensitivity_run(&r, sc, &opt, m, -1, -1, &err) != TCO_OK)
            fail("sensitivity", &err);
        double t = omp_get_wtime() - t0;
        best = t < best ? t : best;
        tco_sensitivity_free(r);
    }
    return best;
}

/* Each strategy's costing (tco_future_cost) per future, one thread, the
 * calls alone: nf futures of the scenario's seed (inputs from independent
 * uniforms of each future's stream, without the copula; paths drawn once),
 * every strategy costed on each in turn, wall time less the timer's own. */
static void strategy_costs(const tco_scenario *sc, long nf)
{
    tco_error err;
    tco_model *m;
    if (tco_model_alloc(&m, sc, &err) != TCO_OK)
        fail("model", &err);
    tco_future *f = tco_future_alloc(m);
    const size_t D = sc->ndims, S = sc->nstrategies;
    double *u = malloc((D + 1) * sizeof *u), *x = malloc((sc->ninputs + 1) * sizeof *x);
    double *sec = calloc(S, sizeof *sec);
    if (!f || !u || !x || !sec) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    tco_zig zig;
    tco_zig_init(&zig);
    for (size_t j = 0; j < D; j++)
        u[j] = 0.5;
    tco_sample_inputs(sc, u, x, NULL);
    /* The timer's cost: a pair of reads around nothing. */
    double timer = 0;
    for (int k = 0; k < 1000; k++) {
        double a = omp_get_wtime();
        timer += omp_get_wtime() - a;
    }
    timer /= 1000;
    double sum = 0;
    for (long i = 0; i < nf; i++) {
        tco_rng rng;
        tco_rng_seed(&rng, &zig, sc->seed, (uint64_t)i);
        for (size_t j = 0; j < D; j++)
            u[j] = tco_rng_uniform(&rng);
        tco_sample_uncertain(sc, u, x, NULL);
        tco_future_draw(f, m, x, &rng, NULL);
        for (size_t s = 0; s < S; s++) {
            tco_cost c;
            double a = omp_get_wtime();
            tco_future_cost(f, m, s, NULL, NULL, &c);
            sec[s] += omp_get_wtime() - a - timer;
            sum += c.npv;
        }
    }
    bench_sink = sum;
    double all = 0;
    for (size_t s = 0; s < S; s++) {
        char key[48], label[96];
        snprintf(key, sizeof key, "strategy_cost_ns_%.28s", sc->strategies[s].name);
        tco_snprintf(label, sizeof label, "  costing %.28s, per future", sc->strategies[s].name);
        figure(key, label, sec[s] / (double)nf * 1e9, "ns", 0, NULL, -1);
        all += sec[s];
    }
    char label_all[96];
    tco_snprintf(label_all, sizeof label_all, "costing every strategy, per future (%ld futures)", nf);
    figure("strategy_cost_ns_all", label_all, all / (double)nf * 1e9, "ns", 0, NULL, -1);
    free(sec);
    free(x);
    free(u);
    tco_future_free(f);
    tco_model_free(m);
}

static int met(double v, double target, int above) { return above ? v >= target : v <= target; }

/* Peak memory of `tcosim run` at m0 and m1 futures (and 10^7 with
 * BENCH_BIG), in children. */
typedef struct {
    long m0, m1;
    double p0, p1, big;
    double user1, sys1; /* the m1 child's CPU seconds, in the program and in the kernel */
} memory;

/* A child's ru_maxrss is at least its parent's peak resident size as it
 * started it (Linux carries the peak of the memory an exec replaces), so
 * the children are run before this process makes any run of its own: its
 * peak is then a few MiB, below every child's. */
static memory memory_children(const char *prog, const char *path, int smoke, int big)
{
    memory m = {smoke ? 1000 : 100000, smoke ? 2000 : 1000000, 0, 0, 0, 0, 0};
    double secs, u, k;
    m.p0 = child_peak(prog, path, m.m0, &secs, &u, &k);
    m.p1 = child_peak(prog, path, m.m1, &secs, &m.user1, &m.sys1);
    if (big && !smoke)
        m.big = child_peak(prog, path, 10000000, &secs, &u, &k);
    return m;
}

/* The turns of the runs (1 on the smoke sizes), each a 1-thread and a
 * 2-thread run and 5 pairs of the machine's arithmetic.  7 turns, not 3:
 * on this shared machine one turn's 2 threads over 1 on a run read from
 * 1.41 to 2.42 (20 turns of bench/v2.yaml in a row, median 1.94), and the
 * median of 3 moved by more than the distance to the target between
 * readings. */
enum { RUN_REPS = 7, MACHINE_PAIRS = 5 };

/* The NumPy peer's futures a second measured here (bench_peer), 0 when
 * it is not: then the fixed rate stands in. */
static double peer_here;

/* The NumPy peer, measured on this machine.  Issue 11 measured its engine
 * (the revision BENCH_PEER_REV, built by bench/run.sh as the library
 * BENCH_PEER_LIB) at 8-10 times the peer on its baseline of then
 * (BENCH_PEER_SCENARIO, 6 strategies): in each of PEER_TURNS turns that
 * engine runs the scenario on one thread (its thread's CPU time), then this
 * engine runs it on 2 threads (wall time); the peer here is a ninth of the
 * first's best, and this engine's multiple of the peer the second's best
 * rate over it.
 * The best, not the median of the turns' ratios as for "2 threads over 1":
 * the first is CPU time, which another program on the other core hardly
 * moves, while the second's wall time is what that program takes, so a
 * pair shares nothing that cancels; the target's "two free cores" are the
 * best turn's (one bench read its turns from 22.6 to 33.1).  A constant
 * measured on another machine says nothing of this one: between two
 * sessions the same code ran 1.6 times faster on a new machine. */
/* Whether the peer's engine and scenario are both given (BENCH_PEER_LIB,
 * BENCH_PEER_SCENARIO): the heading, bench.json and bench_peer agree. */
static int peer_given(const char **lib, const char **path)
{
    *lib = getenv("BENCH_PEER_LIB");
    *path = getenv("BENCH_PEER_SCENARIO");
    return *lib && **lib && *path && **path;
}

static void bench_peer(long n, int smoke)
{
    const char *lib, *path, *rev = getenv("BENCH_PEER_REV");
    if (!peer_given(&lib, &path))
        return;
    if (!rev || !*rev)
        rev = "its revision";
    const int reps = smoke ? 1 : PEER_TURNS;
    tco_dlbuild old = {0};
    tco_dlbuild_open(&old, lib, path);
    tco_error err;
    tco_scenario *sc = NULL;
    if (tco_scenario_load(&sc, path, NULL, &err) != TCO_OK)
        fail(path, &err);
    cur_scenario = "peer";
    cur_index = PEER_INDEX;
    tco_snprintf(peer_title, sizeof peer_title,
                 "the NumPy peer, measured here (issue 11's engine, %s, on its %zu-strategy "
                 "baseline)", rev, sc->nstrategies);
    tco_fprintf(stdout, "\n%s: %ld futures x %d months x %zu strategies, turns %d\n", peer_title,
                n, sc->horizon, sc->nstrategies, reps);
    tco_fprintf(stdout, "  %-46s %12s %-9s %-26s %s\n", "figure", "value", "unit", "target", "");
    /* A small run first, not counted: the library's pages warm. */
    tco_dlbuild_run(&old, n < 1000 ? n : 1000);
    double best_old = 1e30, best_new = 1e30, turn[PEER_TURNS];
    for (int r = 0; r < reps; r++) {
        double a = tco_dlbuild_run(&old, n);
        timing b = run_best(sc, n, 2, 0, 1);
        turn[r] = PEER_ENGINE_MULTIPLE * a / b.run;
        best_old = fmin(best_old, a);
        best_new = fmin(best_new, b.run);
    }
    char turns[160] = "";
    for (int r = 0, at = 0; r < reps && at < (int)sizeof turns - 16; r++)
        at += snprintf(turns + at, sizeof turns - (size_t)at, " %.1f", turn[r]);
    double multiple = PEER_ENGINE_MULTIPLE * best_old / best_new;
    peer_here = n / best_old / PEER_ENGINE_MULTIPLE;
    figure("peer_engine_fps_1", "issue 11's engine, 1 thread, CPU", n / best_old, "1/s", 0, NULL,
           -1);
    figure("peer_fps", "the NumPy peer here (a ninth of it)", peer_here, "1/s", 0, NULL, -1);
    figure("peer_this_fps_2", "this engine on that scenario, 2 threads", n / best_new, "1/s", 0,
           NULL, -1);
    figure("peer_multiple_here", "multiple of the peer here, 2 threads", multiple, "x", 1,
           ">= 30x", met(multiple, TARGET_PEER_MULTIPLE, 1));
    figure("peer_multiple_at_8", "  with the peer at an eighth (issue: 8x)",
           multiple * PEER_ENGINE_LOW / PEER_ENGINE_MULTIPLE, "x", 1, NULL, -1);
    figure("peer_multiple_at_10", "  with the peer at a tenth (issue: 10x)",
           multiple * PEER_ENGINE_HIGH / PEER_ENGINE_MULTIPLE, "x", 1, NULL, -1);
    tco_fprintf(stdout, "  (the multiple in each turn:%s)\n", turns);
    tco_scenario_free(sc);
    tco_dlbuild_close(&old);
    cur_index = -1;
}

static void bench_scenario(const char *path, int smoke, int big, long n, const memory *mem)
{
    const int reps = smoke ? 1 : RUN_REPS;
    short_reps = smoke ? 1 : MAX_SHORT_REPS;
    tco_error err;
    cur_scenario = path;
    cur_index++;
    /* load */
    tco_scenario *sc = NULL;
    double load = 1e30;
    /* The load phase on one thread, as the other phases (its quantile
     * tables are built on OpenMP's threads, dist.h). */
    int saved_threads = omp_get_max_threads();
    omp_set_num_threads(1);
    for (int r = 0; r < reps; r++) {
        if (sc)
            tco_scenario_free(sc);
        double t0 = cpu_seconds();
        if (tco_scenario_load(&sc, path, NULL, &err) != TCO_OK)
            fail(path, &err);
        double t = cpu_seconds() - t0;
        load = t < load ? t : load;
    }
    omp_set_num_threads(saved_threads);
    if (cur_index < MAXSC)
        sc_names[cur_index] = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const double T = sc->horizon, S = (double)sc->nstrategies;
    tco_fprintf(stdout, "\n%s (%s): %ld futures x %d months x %zu strategies, %zu inputs, "
                        "runs best of %d\n", path, sc->name, n, sc->horizon, sc->nstrategies,
                sc->ninputs, reps);
    tco_fprintf(stdout, "  %-46s %12s %-9s %-26s %s\n", "figure", "value", "unit", "target", "");

    /* runs at 1 and 2 threads */
    tco_run *wrun = NULL;
    tco_results *wres = NULL;
    /* 1 and 2 threads in turn, so that a slow spell of this shared
     * machine falls on both alike; the last 1-thread run is kept.  The
     * random-number floor is measured in the same turns, best of 5 just
     * before each 1-thread run (a fifth of a second each), so that the
     * loop's multiple of it compares times taken minutes apart no more. */
    timing t1 = {1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 0}, t2 = t1;
    double draws = 0, normals = 0, fl = 1e30, pairs[RUN_REPS], mpairs[RUN_REPS * MACHINE_PAIRS];
    double fturn[RUN_REPS], lturn[RUN_REPS]; /* each turn's floor and loop (CPU s a future) */
    /* Each turn's 2-thread run: the CPUs it had (its process CPU over its
     * wall time) and its CPU over the 1-thread run's. */
    double had[RUN_REPS], over[RUN_REPS];
    double fx = 1e30;
    int nm = 0;
    tco_zig zig;
    tco_zig_init(&zig);
    /* A turn first, untimed, so that both sides of every timed turn run
     * in memory the engine keeps between runs (tco_run_free): without it
     * the first turn's 2-thread run, started while the 1-thread run is
     * alive, faulted fresh memory in, and that turn read the lowest ratio
     * in nine of the eighteenth session's ten readings.  What a new
     * process's first touch costs is the memory children's figure. */
    run_best_keep(sc, n, 1, 0, 0, 1, &wrun, &wres);
    run_best(sc, n, 2, 0, 1);
    for (int r = 0; r < reps; r++) {
        if (wrun) {
            tco_results_free(wres);
            tco_run_free(wrun);
        }
        fturn[r] = rng_floor(sc, n, smoke ? 1 : 5, &draws, &normals);
        fl = fmin(fl, fturn[r]);
        timing a1 = run_best_keep(sc, n, 1, 0, 0, 1, &wrun, &wres), a2 = run_best(sc, n, 2, 0, 1);
        lturn[r] = a1.loop_cpu / n;
        pairs[r] = a1.run / a2.run;
        had[r] = a2.cpu / a2.run;
        over[r] = a2.cpu / a1.cpu;
        t1 = timing_min(t1, a1);
        t2 = timing_min(t2, a2);
        fx = fmin(fx, effects_loop_cpu(sc, n));
        /* The machine's own speedup in the same turns: 5 pairs a turn (a
         * twentieth of a second each on one thread). */
        for (int k = 0; k < MACHINE_PAIRS; k++) {
            double a, b;
            machine_pair(smoke ? 100000 : 30000000, &zig, &a, &b);
            mpairs[nm++] = a / b;
        }
    }
    /* Each turn's ratios, in turn order (median sorts in place). */
    char turns[256] = "";
    for (int r = 0, at = 0; r < reps && at < (int)sizeof turns - 32; r++) {
        double mt[MACHINE_PAIRS];
        memcpy(mt, mpairs + r * MACHINE_PAIRS, sizeof mt);
        at += snprintf(turns + at, sizeof turns - (size_t)at, "%s %.2f/%.2f/%.2f", r ? "," : "",
                       pairs[r], median(mt, MACHINE_PAIRS), had[r]);
    }
    double fps1 = n / t1.run, fps2 = n / t2.run, ratio = median(pairs, reps);
    double machine = median(mpairs, nm);
    /* Against the fixed peer only when it was not measured here
     * (bench_peer): then these carry the target, else they are figures. */
    char tgt[64];
    tco_snprintf(tgt, sizeof tgt, ">= %.0f/s (%.0fx %.0f/s)", TARGET_PEER_MULTIPLE *
                 PEER_FUTURES_PER_SECOND, TARGET_PEER_MULTIPLE, PEER_FUTURES_PER_SECOND);
    const int fixed = !(peer_here > 0);
    figure("futures_per_second_1", "futures per second, 1 thread", fps1, "1/s", 0, NULL, -1);
    figure("futures_per_cpu_second_1", "futures per CPU second, 1 thread", n / t1.cpu, "1/s", 0,
           NULL, -1);
    figure("futures_per_second_2", "futures per second, 2 threads", fps2, "1/s", 0,
           fixed ? tgt : NULL,
           fixed ? met(fps2, TARGET_PEER_MULTIPLE * PEER_FUTURES_PER_SECOND, 1) : -1);
    figure("peer_multiple_2", "multiple of the NumPy peer (5,500/s), 2 thr", fps2 /
           PEER_FUTURES_PER_SECOND, "x", 1, fixed ? ">= 30x" : NULL,
           fixed ? met(fps2 / PEER_FUTURES_PER_SECOND, TARGET_PEER_MULTIPLE, 1) : -1);
    if (!fixed)
        figure("peer_here_multiple_2", "  of the peer here (on its scenario), 2 thr",
               fps2 / peer_here, "x", 1, NULL, -1);
    figure("run_ratio", "2 threads over 1, run", ratio, "x", 2, ">= 1.85x",
           met(ratio, TARGET_RUN_RATIO, 1));
    /* The same two sides as the ratio of their bests (the rates above):
     * what two free cores give, where each side's best turn found the
     * machine quiet; the target stays on the median of the turns. */
    figure("run_ratio_bests", "  the best 2-thread run over the best 1-thread", t1.run / t2.run,
           "x", 2, NULL, -1);
    figure("machine_ratio", "  2 threads over 1, arithmetic alone (machine)", machine, "x", 2,
           NULL, -1);
    figure("run_over_machine", "  the run's over the machine's", ratio / machine, "x", 2, NULL,
           -1);
    /* What a turn's ratio can reach: the CPUs the 2-thread run was given
     * (2 on a free machine; a vCPU the host takes away shows here), and
     * what the second thread cost in CPU (1 where no work is added). */
    figure("run_cpus_2", "  CPUs the 2-thread run had (CPU over wall), median", median(had, reps),
           "", 2, NULL, -1);
    figure("run_cpu_over_1", "  its CPU over the 1-thread run's, median", median(over, reps), "x",
           3, NULL, -1);
    tco_fprintf(stdout, "  (2 threads over 1 in each turn, run/machine/CPUs had:%s)\n", turns);
    figure("ns_per_fms_1", "ns per future-month-strategy, 1 thread", t1.run / (n * T * S) * 1e9,
           "ns", 2, NULL, -1);
    figure("ns_per_fms_1_cpu", "CPU ns per future-month-strategy, 1 thread",
           t1.cpu / (n * T * S) * 1e9, "ns", 2, NULL, -1);
    figure("ns_per_fms_2", "ns per future-month-strategy, 2 threads",
           t2.run / (n * T * S) * 1e9, "ns", 2, NULL, -1);

    /* the floor (measured with the runs above) */
    double loop_pf = t1.loop_cpu / n;
    figure("rng_draws_per_future", "random numbers per future (64-bit draws)", draws, "", 0,
           NULL, -1);
    figure("rng_normals_per_future", "  of which ziggurat normals", normals, "", 0, NULL, -1);
    figure("rng_floor_us", "random-number floor per future, CPU", fl * 1e6, "us", 3, NULL,
           -1);
    figure("loop_us", "loop per future, 1 thread, CPU", loop_pf * 1e6, "us", 3, NULL, -1);
    /* What the runs above leave out and `tcosim run` does: events.csv's
     * costings without each risk event (not a target's figure). */
    figure("loop_effects_us", "  with the events' effects (tcosim run), CPU", fx / n * 1e6, "us",
           3, NULL, -1);
    figure("loop_floor_multiple", "loop's multiple of the floor", loop_pf / fl, "x", 1,
           "<= 10x", met(loop_pf / fl, TARGET_FLOOR_MULTIPLE, 0));
    /* The kernel's share: the first touch of the run's arrays (a fresh
     * run's pages cleared), which the floor has none of. */
    figure("loop_kernel_us", "  of which in the kernel (pages touched first)",
           t1.loop_sys / n * 1e6, "us", 3, NULL, -1);
    figure("loop_floor_multiple_user", "  the multiple without the kernel's time",
           (t1.loop_cpu - t1.loop_sys) / n / fl, "x", 1, NULL, -1);
    /* The same multiple turn by turn: each turn's loop over the floor
     * measured just before it, so that both sides of a ratio share the
     * machine's state (the target's figure sets the best loop of the turns
     * against the best floor of 5 bursts a turn, which a noisy machine
     * favours: many short bursts find a quiet moment more often than a
     * few long loops).  A figure beside the target, not the target. */
    double mturn[RUN_REPS];
    char fturns[256] = "";
    for (int r = 0, at = 0; r < reps; r++) {
        mturn[r] = lturn[r] / fturn[r];
        if (at < (int)sizeof fturns - 16)
            at += snprintf(fturns + at, sizeof fturns - (size_t)at, "%s %.1f", r ? "," : "",
                           mturn[r]);
    }
    figure("loop_floor_multiple_turns", "  each turn's loop over its own floor, median",
           median(mturn, reps), "x", 1, NULL, -1);
    tco_fprintf(stdout, "  (the loop's multiple of the floor in each turn:%s)\n", fturns);
    /* Operations counted at 4 a year: the counts of a month, both ways. */
    long np = smoke ? 10000 : 2000000;
    figure("poisson_search_ns", "a Poisson count (mean 1/3), search, CPU",
           poisson_ns(1 / 3.0, 0, np), "ns", 2, NULL, -1);
    figure("poisson_table_ns", "  from the table of its sums, CPU", poisson_ns(1 / 3.0, 1, np),
           "ns", 2, NULL, -1);

    /* phases, 1 thread: one repetition each (a phase is a per-future
     * figure, not a ratio), the write phase on the last 1-thread run. */
    timing ts = run_best(sc, n, 1, TCO_STOP_SAMPLE, 1);
    timing tp = run_best(sc, n, 1, TCO_STOP_PATHS, 1);
    double write;
    {
        tco_run *run = wrun;
        tco_results *res = wres;
        tco_provenance prov = {0};
        prov.command = "run";
        prov.scenario_path = path;
        prov.threads = 1;
        strcpy(prov.scenario_sha256, "0");
        strcpy(prov.date, "2026-01-01T00:00:00Z");
        tco_report rep = {sc, run, res, &prov};
        char wdir[4200];
        snprintf(wdir, sizeof wdir, "%s/write", outdir);
        if (tco_make_dirs(wdir, &err) != TCO_OK)
            fail("write", &err);
        double t0 = cpu_seconds();
        if (tco_report_write(wdir, &rep, 0, NULL, &err) != TCO_OK)
            fail("write", &err);
        write = cpu_seconds() - t0;
        tco_results_free(res);
        tco_run_free(run);
    }
    double ph[6] = {load, ts.loop_cpu, tp.loop_cpu - ts.loop_cpu, t1.loop_cpu - tp.loop_cpu,
                    t1.stats_cpu, write};
    const char *names[6] = {"load", "sample", "paths", "cost", "statistics", "write"};
    for (int k = 0; k < 6; k++) {
        char key[32], label[64];
        snprintf(key, sizeof key, "phase_%s_ms", names[k]);
        snprintf(label, sizeof label, "phase %s, 1 thread, CPU", names[k]);
        figure(key, label, ph[k] * 1e3, "ms", 1, NULL, -1);
    }
    figure("phase_sample_paths_us", "  sample and paths per future", tp.loop_cpu / n * 1e6, "us", 3,
           NULL, -1);
    figure("phase_cost_us", "  cost per future", ph[3] / n * 1e6, "us", 3, NULL, -1);
    figure("phase_statistics_us", "  statistics per future", ph[4] / n * 1e6, "us", 3, NULL, -1);
    strategy_costs(sc, smoke ? 200 : 20000);

    /* memory, measured at the start (memory_children) */
    long m1 = mem->m1, m0 = mem->m0;
    double p0 = mem->p0, p1 = mem->p1;
    double per = p1 > 0 && p0 > 0 ? (p1 - p0) / (double)(m1 - m0) : NAN;
    char label[96];
    tco_snprintf(label, sizeof label, "peak memory, %s futures (tcosim run)",
                 smoke ? "2000 (smoke; 10^6)" : "10^6");
    figure("peak_mib_1e6", label, p1 / 1048576.0, "MiB", 0, NULL, -1);
    /* What a new process pays for its memory: the kernel clears each page
     * as it is first touched, and on this virtual machine a page the host
     * has taken back costs far more (the runs above reuse their process's
     * memory and mostly do not). */
    figure("fresh_sys_1e6", "  its CPU in the kernel (a new process)", mem->sys1, "s", 3, NULL,
           -1);
    figure("fresh_sys_share_1e6", "  of the process's CPU",
           100 * mem->sys1 / (mem->user1 + mem->sys1), "%", 1, NULL, -1);
    tco_snprintf(label, sizeof label, "memory per future (slope, %ld to %ld)", m0, m1);
    figure("bytes_per_future", label, per, "B", 0, NULL, -1);
    double big_bytes;
    int measured = 0;
    if (big && !smoke) {
        big_bytes = mem->big;
        measured = big_bytes > 0;
    }
    if (!measured) {
        /* Beyond the monthly budget (TCO_MONTHLY_BYTES) a run stores no
         * monthly costs, so the slope below 10^6 does not extend to 10^7:
         * the prediction is the engine's bound plus what the program needs
         * besides (the intercept of the slope). */
        double eng = (double)tco_run_bytes(sc, 10000000, 0, sc->sampling, 2);
        double base = p1 - per * (double)m1;
        figure("engine_bytes_1e7", "tco_run_bytes (the engine's bound), 10^7", eng / 1048576.0,
               "MiB", 0, NULL, -1);
        big_bytes = eng + (isfinite(base) && base > 0 ? base : 0);
    }
    figure(measured ? "peak_mib_1e7" : "peak_mib_1e7_predicted",
           measured ? "peak memory, 10^7 futures (tcosim run)"
                    : "peak memory, 10^7 futures, predicted (bound + base)",
           big_bytes / 1048576.0, "MiB", 0, "< 2048 MiB", met(big_bytes, TARGET_BIG_BYTES, 0));

    /* Beyond the monthly budget: a run whose bands are recomputed, and one
     * of the same size that stores its months, in turn, best of 3. */
    {
        long nb = smoke ? 300 : 50000;
        double stored = 1e30, recomputed = 1e30;
        for (int r = 0; r < (smoke ? 1 : 3); r++) {
            stored = fmin(stored, budget_run(sc, nb, 0));
            recomputed = fmin(recomputed, budget_run(sc, nb, 1));
        }
        figure("recomputed_us", "run beyond the memory budget, 2 thr, per future",
               recomputed / (double)nb * 1e6, "us", 3, NULL, -1);
        figure("recomputed_over_stored", "  over a run that stores its months",
               recomputed / stored, "x", 2, NULL, -1);
    }

    /* sweep and sensitivity */
    long nsw = smoke ? 100 : 10000, nrank = smoke ? 100 : 20000, nsob = smoke ? 32 : 1000;
    /* A run of nsw futures (loop and statistics), the sweep at 1 and at 2
     * threads in turn (short_reps each), as the runs above: what 12
     * separate runs of nsw futures take at 1 thread in CPU time, from runs
     * of that size measured in the same turns as the sweep. */
    double w1 = 1e30, w2 = 1e30, sp[MAX_SHORT_REPS], gp[MAX_SHORT_REPS];
    for (int r = 0; r < short_reps; r++) {
        double o = run_best(sc, nsw, 1, 0, 1).cpu, c, c2;
        double a = sweep_time(sc, path, nsw, 1, 1, &c), b = sweep_time(sc, path, nsw, 2, 1, &c2);
        w1 = fmin(w1, a);
        w2 = fmin(w2, b);
        sp[r] = a / b;
        gp[r] = 12.0 * o / c;
    }
    double sweep_ratio = median(sp, short_reps), sweep_gain = median(gp, short_reps);
    tco_snprintf(label, sizeof label, "sweep, 1 thread (12 points x %ld)", nsw);
    figure("sweep_s_1", label, w1, "s", 3, NULL, -1);
    tco_snprintf(label, sizeof label, "sweep, 2 threads (12 points x %ld)", nsw);
    figure("sweep_s_2", label, w2, "s", 3, NULL, -1);
    figure("sweep_ratio", "2 threads over 1, sweep", sweep_ratio, "x", 2, ">= 1.7x",
           met(sweep_ratio, TARGET_SERIES_RATIO, 1));
    figure("sweep_gain", "12 separate runs over the sweep, 1 thread, CPU", sweep_gain, "x", 2,
           ">= 2x", met(sweep_gain, TARGET_SWEEP_GAIN, 1));
    char spec[512];
    size_t kept;
    if (static_sweep(sc, spec, sizeof spec, &kept)) {
        /* As the volume sweep's gain: a run and the sweep in each turn. */
        double ws = 1e30, sg[MAX_SHORT_REPS];
        for (int r = 0; r < short_reps; r++) {
            double o = run_best(sc, nsw, 1, 0, 1).cpu, cs;
            ws = fmin(ws, sweep_time_of(sc, path, spec, nsw, 1, 1, &cs));
            sg[r] = 12.0 * o / cs;
        }
        *strchr(spec, '=') = '\0';
        tco_fprintf(stdout, "  (an input shaping no random path: %s)\n", spec);
        figure("static_sweep_s_1", "sweep of that input, 1 thread (12 points)", ws, "s", 3, NULL,
               -1);
        figure("static_sweep_gain", "  12 separate runs over it, 1 thread, CPU",
               median(sg, short_reps), "x", 2, NULL, -1);
    }
    figure("sobol_runs", "Sobol design runs (D + 2)", (double)(sc->ndims + 2), "", 0, NULL, -1);
    figure("sobol_runs_kept", "  of which keep A's paths", (double)kept, "", 0, NULL, -1);
    const struct {
        tco_sens_method m;
        const char *name;
        long n;
    } sens[2] = {{TCO_SENS_RANK, "rank", nrank}, {TCO_SENS_SOBOL, "sobol", nsob}};
    for (int k = 0; k < 2; k++) {
        double a = 1e30, b = 1e30, pr[MAX_SHORT_REPS];
        for (int r = 0; r < short_reps; r++) {
            double x = sens_time(sc, sens[k].m, sens[k].n, 1, 1);
            double y = sens_time(sc, sens[k].m, sens[k].n, 2, 1);
            a = fmin(a, x);
            b = fmin(b, y);
            pr[r] = x / y;
        }
        double sr = median(pr, short_reps);
        char key[48];
        long runs = tco_sensitivity_cost(sc, sens[k].m, sens[k].n);
        snprintf(key, sizeof key, "%s_s_1", sens[k].name);
        tco_snprintf(label, sizeof label, "sensitivity %s, 1 thread (%ld futures)", sens[k].name,
                     runs);
        figure(key, label, a, "s", 3, NULL, -1);
        snprintf(key, sizeof key, "%s_s_2", sens[k].name);
        tco_snprintf(label, sizeof label, "sensitivity %s, 2 threads (%ld futures)", sens[k].name,
                     runs);
        figure(key, label, b, "s", 3, NULL, -1);
        snprintf(key, sizeof key, "%s_ratio", sens[k].name);
        tco_snprintf(label, sizeof label, "2 threads over 1, %s", sens[k].name);
        figure(key, label, sr, "x", 2, ">= 1.7x", met(sr, TARGET_SERIES_RATIO, 1));
    }
    tco_scenario_free(sc);
}

int main(int argc, char **argv)
{
    tco_init();
    const char *e = getenv("BENCH_SMOKE");
    int smoke = e && *e && strcmp(e, "0") != 0;
    e = getenv("BENCH_BIG");
    int big = e && *e && strcmp(e, "0") != 0;
    long n = smoke ? 1000 : 100000;
    if ((e = getenv("BENCH_FUTURES")) && *e) {
        char *end;
        n = strtol(e, &end, 10);
        if (*end || n < 1) {
            fprintf(stderr, "bench: BENCH_FUTURES must be a whole number of at least 1, got '%s'\n",
                    e);
            return 2;
        }
    }
    const char *prog = (e = getenv("BENCH_TCOSIM")) && *e ? e : "./tcosim";
    const char *jpath = (e = getenv("BENCH_JSON")) && *e ? e : "build/bench.json";
    if ((e = getenv("BENCH_OUT")) && *e)
        snprintf(outdir, sizeof outdir, "%s", e);
    tco_error err;
    if (tco_make_dirs(outdir, &err) != TCO_OK)
        fail(outdir, &err);
    const char *plib, *pscen;
    const int measured = peer_given(&plib, &pscen);
    char md[4200];
    snprintf(md, sizeof md, "%.*s.md",
             (int)(strlen(jpath) > 5 && strcmp(jpath + strlen(jpath) - 5, ".json") == 0
                       ? strlen(jpath) - 5 : strlen(jpath)), jpath);
    /* No figures of an earlier bench are left beside a failed one:
     * bench.json is written under another name and renamed at the end
     * (removed if the bench stops before), bench.md only at the end. */
    unlink(jpath);
    unlink(md);
    snprintf(json_tmp, sizeof json_tmp, "%s.tmp", jpath);
    atexit(remove_json_tmp);
    json = fopen(json_tmp, "w");
    if (!json)
        fprintf(stderr, "bench: cannot write %s: %s\n", json_tmp, strerror(errno));
    else
        tco_fprintf(json, "{\"smoke\": %s, \"futures\": %ld, \"peer_futures_per_second\": %.0f, "
                          "\"peer_measured\": %s, \"figures\": [", smoke ? "true" : "false", n,
                    PEER_FUTURES_PER_SECOND, measured ? "true" : "false");
    if (measured)
        tco_fprintf(stdout, "make bench%s: %d processors; targets of issue 11 (the NumPy peer: "
                            "measured here, a ninth of issue 11's engine)\n",
                    smoke ? " (smoke sizes: figures are not meaningful)" : "",
                    omp_get_num_procs());
    else
        tco_fprintf(stdout, "make bench%s: %d processors; targets of issue 11 (the NumPy peer: "
                            "%.0f futures/s on one core, the midpoint of the issue's "
                            "5,000-6,000 on its machine)\n",
                    smoke ? " (smoke sizes: figures are not meaningful)" : "",
                    omp_get_num_procs(), PEER_FUTURES_PER_SECOND);
    const char *def[] = {"scenarios/baseline.yaml", "bench/v2.yaml"};
    int ns = argc > 1 ? argc - 1 : 2;
    memory mem[16];
    if (ns > 16) {
        fprintf(stderr, "bench: at most 16 scenarios\n");
        return 2;
    }
    for (int k = 0; k < ns; k++)
        mem[k] = memory_children(prog, argc > 1 ? argv[k + 1] : def[k], smoke, big);
    bench_peer(n, smoke);
    for (int k = 0; k < ns; k++)
        bench_scenario(argc > 1 ? argv[k + 1] : def[k], smoke, big, n, &mem[k]);
    write_markdown(md, ns);
    if (json) {
        fputs("\n]}\n", json);
        int bad = fclose(json) != 0;
        json = NULL;
        if (bad || rename(json_tmp, jpath) != 0)
            fprintf(stderr, "bench: cannot write %s\n", jpath);
        else
            tco_fprintf(stdout, "\nFigures also in %s and %s (README's table)\n", jpath, md);
    }
    return 0;
}
