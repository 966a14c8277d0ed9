/* Sweeps: hold one or two inputs at a grid of values and run the futures at
 * each point with the same seed (common random numbers), so that the
 * differences between points are not noise; then find the crossovers, the
 * values where the answer changes. */
#ifndef TCO_SWEEP_H
#define TCO_SWEEP_H

#include <stdio.h>

#include "engine.h"
#include "error.h"
#include "scenario.h"

typedef struct {
    char *path;
    double *values;
    size_t nvalues;
    int log; /* interpolate (and chart) on a log scale */
} tco_vary;

/* Parses "PATH=LO:HI:N[:log]" or "PATH=V1,V2,...". */
tco_status tco_vary_parse(tco_vary *v, const char *spec, tco_error *err);
void tco_vary_clear(tco_vary *v);

typedef struct {
    size_t nvary, npoints, S;
    char *path[2];
    int log[2];
    size_t n1, n2;          /* values of each input (n2 = 1 for one input) */
    double *x[2];           /* npoints each: the point's values */
    double *mean, *p5, *p50, *p95, *p_cheapest, *p_below; /* npoints x S */
    double *p_pair;         /* npoints x S x S: [(p * S + a) * S + b] = P(NPV of a < NPV of b) */
    double *tokens_per_request; /* npoints: the scenario's mean tokens a request there */
    char **names;           /* S strategy names */
    long futures;
    uint64_t seed;
} tco_sweep;

/* Runs the sweep of the scenario file with its --set options lo. */
tco_status tco_sweep_run(tco_sweep **out, const char *file, const tco_load_options *lo,
                         const tco_vary *v, size_t nv, const tco_run_options *opt,
                         tco_error *err);

/* The same, with sc the scenario file as loaded with lo (not loaded
 * again; it must outlive the call). */
tco_status tco_sweep_run_scenario(tco_sweep **out, const tco_scenario *sc, const char *file,
                                  const tco_load_options *lo, const tco_vary *v, size_t nv,
                                  const tco_run_options *opt, tco_error *err);

/* The same, for points [p0, p1) of the grid only (point p is value p / n2
 * of the first input and p % n2 of the second): the statistics of the
 * other points are NaN; p1 beyond the points stops at the last one.  Each
 * point's statistics are those of the whole sweep, bit for bit, so that
 * processes that run parts of a sweep (tcosim-mpi) give its results. */
tco_status tco_sweep_run_points(tco_sweep **out, const tco_scenario *sc, const char *file,
                                const tco_load_options *lo, const tco_vary *v, size_t nv,
                                const tco_run_options *opt, size_t p0, size_t p1,
                                tco_error *err);

/* One run of a series on the same futures (tco_sweep_runs): the run of
 * tco_run_execute with the series' options and these. */
typedef struct {
    const int *input;         /* inputs held at value[j] in every future (override_input) */
    const double *value;
    size_t nheld;
    const double *uniforms;   /* n x ndims table (the options' uniforms), or NULL */
    const double *uniforms_b; /* with column >= 0: column `column` of each row from this
                                 table instead (a Saltelli design's A_B^(i)) */
    long column;
} tco_sweep_point;

/* Receives run r's NPVs, S x n strategy-major as tco_run's npv. */
typedef tco_status (*tco_sweep_take)(void *ctx, size_t r, const double *npv, size_t n,
                                     tco_error *err);

/* Shares of the work (--shard, tcosim merge; merge.h).  With opt->share
 * set, tco_sweep_runs computes run r of nruns only when mine(ctx, r, nruns)
 * says so, hands it to take and then to keep (when set); every other run
 * is handed to take by replay (when set: the NPVs kept by another shard),
 * or left out.  With stop set, tco_sweep_runs then returns TCO_EINTR and
 * sets stopped: the caller's statistics would be of a part of the runs.  A
 * sweep whose inputs are not all inputs asks mine(ctx, point, points) for
 * each point. */
typedef struct tco_share {
    int (*mine)(void *ctx, size_t r, size_t nruns);
    tco_status (*keep)(void *ctx, size_t r, const double *npv, size_t n, tco_error *err);
    tco_status (*replay)(void *ctx, size_t r, tco_sweep_take take, void *take_ctx,
                         tco_error *err);
    void *ctx;
    int stop, stopped;
} tco_share;

/* The runs pt[0..nruns) of sc on the same futures, with opt's futures,
 * seed, sampling, threads, memory limit and cancel flag (its overrides,
 * uniforms and outputs other than the NPV ignored), handed to take in run
 * order.  Every NPV is that of tco_run_execute on the run, bit for bit, for
 * any thread count; but each future's inputs are sampled once for all the
 * runs, nothing but the NPV is kept, and all the runs of a group (as many
 * as 256 MiB of NPVs hold) share one parallel loop over futures.  A run
 * whose inputs differ from the previous run's in the volume
 * (demand.requests_per_month) alone keeps that run's draw of the future
 * and rescales its demand (tco_future_redraw_demand).  Runs that
 * cannot take this path (a non-finite cost, a value outside its domain)
 * are run by tco_run_execute, whose error is returned.  opt->progress, if
 * set, sees progress_before + futures done of progress_total. */
tco_status tco_sweep_runs(const tco_scenario *sc, const tco_run_options *opt,
                          const tco_sweep_point *pt, size_t nruns, tco_sweep_take take,
                          void *ctx, long progress_before, long progress_total,
                          tco_error *err);

/* tco_sweep_runs costing only the strategies s with costed[s] non-zero
 * (costed NULL: all): the others' NPVs are handed to take as NaN (their
 * values where a run goes the plain way, tco_run_execute), and their costs
 * are never computed, so a non-finite cost of one of them goes unnoticed.  The strategies are costed independently of each other
 * (model.h), so the NPVs of those costed are the same bits as with all.
 * Sensitivity analyses read two strategies of every design run. */
tco_status tco_sweep_runs_costing(const tco_scenario *sc, const tco_run_options *opt,
                                  const tco_sweep_point *pt, size_t nruns,
                                  const unsigned char *costed, tco_sweep_take take, void *ctx,
                                  long progress_before, long progress_total, tco_error *err);
void tco_sweep_free(tco_sweep *sw);

/* The kinds of crossover, read along one axis from lower to higher values
 * of the swept input: `to` is the cheaper one above `value`. */
typedef enum {
    TCO_CROSS_CHEAPEST,    /* the cheapest strategy by mean changes from `from` to `to` */
    TCO_CROSS_PROBABILITY, /* P(to cheaper than from) rises through level */
    TCO_CROSS_MEAN         /* the pair's mean NPVs cross: `to` cheaper on average above */
} tco_cross_kind;

typedef struct {
    char input[256];   /* where: the input's path, and for two inputs
                          "PATH at OTHER=VALUE" */
    int axis;          /* 0: along the first --vary, 1: along the second */
    tco_cross_kind kind;
    int from, to;      /* strategies */
    double value;      /* of the input on this axis */
    double other;      /* the other input's value (NAN for a one-input sweep) */
    double tokens;     /* value in tokens a month when the input is
                          demand.requests_per_month (value x the mean tokens a
                          request), else NAN */
    double level;      /* probability crossings: 0.5 (the CSV) or 0.9 (words) */
} tco_crossover;

/* Whether path is the swept volume, demand.requests_per_month. */
int tco_sweep_is_volume(const char *path);

/* Finds the crossovers along every axis of the sweep (for two inputs: along
 * each input at every value of the other), between every pair of
 * strategies: where the cheapest strategy by mean changes, where two
 * strategies' means cross, and where P(one cheaper than the other) rises
 * through level (by linear interpolation between neighbouring points, on a
 * log scale for log sweeps).  Writes the first max of them to out (which
 * may be NULL when max is 0) and returns how many there are: call with
 * max 0 to size out. */
size_t tco_sweep_crossovers(const tco_sweep *sw, double level, tco_crossover *out, size_t max);

/* Files: sweep.csv, crossovers.csv, and the chart data sweep_chart.csv
 * (one input) or sweep_grid.csv (two). */
tco_status tco_write_sweep_csv(FILE *f, const tco_sweep *sw);
tco_status tco_write_crossovers_csv(FILE *f, const tco_sweep *sw);
tco_status tco_write_sweep_chart_csv(FILE *f, const tco_sweep *sw);

/* The crossovers in words, one per line. */
void tco_write_sweep_words(FILE *f, const tco_sweep *sw);

#endif
