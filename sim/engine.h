/* The Monte Carlo loop: samples futures in parallel and costs every
 * strategy on each (common random numbers).
 *
 * Futures are processed in fixed blocks whose size depends on the number of
 * futures only; per-block sums are added in block order, and per-future
 * values are stored at their index, so a run gives bit-identical results for
 * any number of threads. */
#ifndef TCO_ENGINE_H
#define TCO_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../models/model.h"
#include "error.h"
#include "scenario.h"

typedef struct {
    long futures;          /* 0: the scenario's simulation.futures */
    uint64_t seed;
    int seed_set;          /* 0: the scenario's simulation.seed */
    tco_sampling sampling;
    int sampling_set;      /* 0: the scenario's simulation.sampling */
    int threads;           /* 0: all (OMP_NUM_THREADS respected); capped by tco_run_threads */
    int keep_inputs;       /* store every future's static inputs */
    int keep_samples;      /* store every future's event months and GPUs at the horizon
                              (samples.csv) */
    int event_effects;     /* compute each event's contribution to each strategy's mean
                              NPV (tco_run's event_effect): the futures in which events
                              happen are costed again without them */
    size_t memory_limit;   /* bytes; 0: 80% of physical memory */
    long held;             /* futures this process fills (a spread run of tcosim-mpi):
                              the memory check counts these; 0: all */
    int alone;             /* cost every future alone, never four at once in vector lanes
                              (models/lanes.h; the same results: the tests compare them) */
    int stop_after;        /* benchmarks (make bench): TCO_STOP_SAMPLE ends each future
                              after its static inputs, TCO_STOP_PATHS after its paths;
                              no strategy is costed: per-future results are not
                              written, means are 0.  0: whole futures */
    /* Inputs held at a value in every future (sweeps, tornado): input
     * override_input[j] takes override_value[j].  An uncertain input still
     * consumes its uniform, so the other inputs and the paths see the same
     * random numbers as without the override (common random numbers). */
    const int *override_input;
    const double *override_value;
    size_t noverride;
    /* Uniforms supplied by the caller, futures x ndims, row i for future i
     * (Saltelli designs); no copula is applied to them. */
    const double *uniforms;
    /* Called by tco_run_execute between chunks with the futures done so far. */
    void (*progress)(void *ctx, long done, long total);
    void *progress_ctx;
    const volatile sig_atomic_t *cancel; /* stop early when it becomes non-zero (read at every future) */
    /* Bytes of monthly costs (S x T x n floats) a run stores; beyond, it
     * stores none and the statistics that read them (monthly and
     * cumulative bands) recompute the futures instead (tco_run_months),
     * with the same results bit for bit.  0: TCOSIM_MONTHLY_BYTES from the
     * environment when set, else TCO_MONTHLY_BYTES. */
    size_t monthly_limit;
    /* Beyond monthly_limit: the run counts the first pass of its monthly
     * and cumulative bands as it computes its futures (tco_bands_pass,
     * stats.h), so that the bands compute them again twice, not three
     * times.  For runs whose bands are computed (tcosim run); a run read
     * for its NPVs alone would only be slower.  Not over the processes of
     * tcosim-mpi. */
    int count_bands;
    /* --shard and tcosim merge (sweep.h, tco_share): which runs of a sweep
     * or sensitivity design this process computes.  NULL: all. */
    struct tco_share *share;
} tco_run_options;

enum { TCO_STOP_SAMPLE = 1, TCO_STOP_PATHS = 2 };

/* The default monthly_limit: 1.25 GiB (1.16 million futures of 36 months
 * and 8 strategies, as the bundled baseline). */
#define TCO_MONTHLY_BYTES ((size_t)5 << 28)

/* The engine's state between tco_run_alloc and tco_run_finish. */
typedef struct tco_engine tco_engine;

/* The first counting pass of a run's bands (stats.h). */
typedef struct tco_bands_pass tco_bands_pass;

/* What one process of a tcosim-mpi job asks the others to compute with it
 * (tco_run_reduce's begin): every statistic of a run that reads its
 * futures, each process reading those it holds. */
typedef enum {
    TCO_OP_BANDS = 1, /* tco_cumulative_compute (monthly and cumulative bands) */
    TCO_OP_RESULTS,   /* tco_results_compute */
    TCO_OP_SAVES_MORE,/* tco_results_set_saves_more_than, x[0] */
    TCO_OP_CURVE,     /* tco_stats_npv_curve of strategy s */
    TCO_OP_CURVES,    /* tco_stats_npv_curves */
    TCO_OP_SAVINGS,   /* tco_stats_savings_curves */
    TCO_OP_DENSITY    /* tco_stats_npv_density: x[0] lo, x[1] hi, np bins */
} tco_op_kind;

/* At most this many probabilities in one request (an S-curve's). */
#define TCO_OP_MAXP 256

typedef struct {
    int kind;                 /* tco_op_kind */
    int s;                    /* TCO_OP_CURVE: the strategy */
    size_t np;                /* probabilities in p, or bins */
    double x[2];
    double p[TCO_OP_MAXP];
} tco_run_op;

/* The processes of a tcosim-mpi job computing a run's statistics
 * together (sim/mpi.c): each holds the futures of its own blocks; the
 * counting passes of the selections and the exact sums (select.h) add
 * over the processes.  Two cases: the monthly bands of a run whose monthly
 * costs are not stored (each process visits its blocks, tco_run's
 * months_first and months_last), and a spread run (tco_run's spread),
 * whose per-future arrays are filled only over [first, last) on each
 * process: every statistic that reads them is computed so. */
typedef struct tco_run_reduce {
    /* Before a statistic that reads the futures; on the process that
     * writes the results it asks the others to compute op too (they call
     * tco_run_serve with it).  NULL on the others. */
    void (*begin)(void *ctx, const tco_run_op *op);
    /* Agrees on st over the processes: the status of the lowest failing
     * one, its message in err.  After each pass's visit of the futures. */
    tco_status (*agree)(void *ctx, tco_status st, tco_error *err);
    /* Sums counts[0..n) over the processes, in place (select.h's
     * tco_select_reduce).  Every process calls both the same number of
     * times. */
    void (*sum)(void *ctx, uint64_t *counts, size_t n);
    void *ctx;
} tco_run_reduce;

typedef struct {
    const tco_scenario *sc;
    long n;                /* futures */
    uint64_t seed;
    tco_sampling sampling;
    int threads;
    int T;
    size_t S;
    double *npv;           /* S x n, strategy-major */
    double *nominal;       /* S x n */
    float *monthly;        /* S x T x n: month t of strategy s at [(s*T + t)*n + i]; NULL
                              beyond the options' monthly_limit (tco_run_months
                              recomputes them) */
    int16_t *breakeven;    /* S x n: the first month from which the strategy's cumulative
                              nominal cost stays at or below strategy 0's (from the
                              monthly totals, in double); 0 never; 1 for strategy 0 */
    int16_t *switches;     /* S x n: route changes made by switch or review (MODEL.md 20) */
    int16_t *first_switch; /* S x n: the month from which the first new route applies; 0 none */
    /* breakeven, switches and first_switch are stored with the monthly
     * arrays or when keep_samples, else NULL; their statistics come from
     * these counts, always filled by tco_run_finish: */
    unsigned long *breakeven_count;    /* S x (T + 2): futures by break-even month m (0 never)
                                          at [s * (T + 2) + m] */
    unsigned long *first_switch_count; /* S x (T + 2): futures that change route by the
                                          month of their first change, as breakeven_count */
    unsigned long *switches_total;     /* S: route changes over all futures */
    double *inputs;        /* n x ninputs when kept, else NULL */
    size_t E;              /* events of the scenario */
    int16_t *event_month;  /* E x n when keep_samples, else NULL: event e's month in future
                              i at [e*n + i], 0 when it does not happen within the horizon */
    double *gpus;          /* S x n when keep_samples, else NULL: tco_cost's gpus */
    /* With and without risk events, when event_effects (else NULL): row e
     * < E for event e, row E for all events together; column s for
     * strategy s.  The contribution of event e to strategy s in a future is
     * its NPV minus its NPV on the same future with e left out
     * (tco_future_mask_events: the same draws, e never happening); of all
     * events, minus its NPV with none.  Means over every future (0 where e
     * does not happen), standard errors sd / sqrt(n). */
    double *event_effect;    /* (E + 1) x S */
    double *event_effect_se; /* (E + 1) x S */
    double *event_prob;      /* E + 1: the fraction of futures in which event e happens
                                within the horizon; [E]: in which some event does */
    long event_recosts;      /* strategy costings done again without events */
    double tokens_mean;    /* mean tokens served per future */
    double *monthly_mean;  /* S x T, exact (summed in double) */
    double *cat_mean;      /* S x TCO_NCAT, discounted */
    double *cpm_mean;      /* S, cost per million tokens, mean over the futures in which
                              the strategy serves tokens (MODEL.md 15) */
    double *unserved_mean; /* S, unserved requests per future (MODEL.md 15, 20) */
    unsigned long *clamped; /* per input */
    double seconds;        /* wall time spent computing futures */
    long lane_costs;       /* strategy costings done four futures at once in vector lanes
                              (models/lanes.h), as many as computed (a block computed
                              again counts again); 0 with tco_run_options.alone */
    tco_engine *engine;    /* the engine's own; NULL once finished */
    long months_first, months_last; /* the blocks tco_run_months visits: all, unless a
                                       process of tcosim-mpi sets its own */
    const tco_run_reduce *reduce;   /* NULL: one process */
    /* A spread run (tcosim-mpi beyond its gather size): this process holds
     * futures [first, last) of every per-future array (npv, nominal, and
     * the others when kept), the rest of them are not filled; monthly is
     * NULL; the statistics read by the reports reduce over the processes
     * (reduce).  0 otherwise: every future is held. */
    int spread;
    long first, last;
    /* The curves at the probabilities k / (TCO_GRID - 1), kept once
     * computed (the S-curves, the Excel sheet's quantiles and the savings
     * curves all read them): 2 x S x TCO_GRID doubles and a flag a kind
     * (stats.c), cleared when futures are computed.  Allocated with the
     * run (every process of a spread run keeps them, or none does), freed
     * with it; NULL: none kept. */
    double *grid;
} tco_run;

#define TCO_GRID 201

/* Progress over a series of runs (sweeps, sensitivity analyses): set a
 * run's progress to tco_progress_span with progress_ctx pointing to this;
 * the caller's own callback in user sees done_before + done of total. */
typedef struct {
    const tco_run_options *user;
    long done_before, total;
} tco_progress_span;

void tco_progress_span_report(void *ctx, long done, long total);

/* At most this many threads, and at most 4 per processor: libgomp fails on
 * absurd counts (OMP_NUM_THREADS=100000). */
#define TCO_MAX_THREADS 256

/* The threads a run uses for a request (0: OpenMP's default), capped. */
int tco_run_threads(int requested);

/* Bytes a run of n futures would hold (results and scratch included; the
 * monthly arrays only when they fit in the default monthly limit). */
size_t tco_run_bytes(const tco_scenario *sc, long n, int keep_inputs, tco_sampling sampling,
                     int threads);

/* Whether a run of n futures with these options stores its monthly costs
 * (their bytes within the options' monthly_limit). */
int tco_run_stores_monthly(const tco_scenario *sc, long n, const tco_run_options *opt);

/* A run in three steps, in the manner of GSL's workspaces:
 *
 *   tco_run_alloc     resolves the options, checks the memory a run needs,
 *                     builds the model, the sampler and one workspace per
 *                     thread; computes no future.
 *   tco_run_futures   computes futures [first, last): per-future results
 *                     (npv, nominal, monthly, breakeven, switches, inputs) at their
 *                     index, sums per block.  Call it on any ranges in any
 *                     order, repeatedly: futures fall in blocks fixed by the
 *                     number of futures alone (tco_run_block_size), and a
 *                     range is whole blocks, so every future and every
 *                     block sum is the same whatever the ranges and the
 *                     number of threads.  The options' cancel flag is read
 *                     at every future (TCO_EINTR); a future whose cost is
 *                     not finite is an input error (TCO_EINVAL) naming the
 *                     strategy, month, category and the inputs behind it.
 *   tco_run_finish    adds the block sums in block order into the means
 *                     (monthly_mean, cat_mean, cpm_mean, tokens_mean,
 *                     clamped) and releases the engine's state (but for
 *                     the model, the sampler and the workspaces when
 *                     monthly is NULL: tco_run_months uses them); every
 *                     block must have been computed.
 *
 * Progress is the caller's: report it between ranges.  The run keeps a
 * copy of opt, not of the arrays it points to (override_input,
 * override_value, uniforms, cancel), which must outlive the run's
 * tco_run_futures calls; opt->progress is not called by these three.
 * On success *out belongs to the caller (tco_run_free). */
tco_status tco_run_alloc(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                         tco_error *err);

/* Futures per block: a range given to tco_run_futures starts at a multiple
 * of it and ends at a multiple of it or at run->n. */
long tco_run_block_size(const tco_run *run);

tco_status tco_run_futures(tco_run *run, long first, long last, tco_error *err);

tco_status tco_run_finish(tco_run *run, tco_error *err);

/* The sums of whole blocks, to move between processes (tcosim-mpi): a
 * process computes some blocks, exports their sums, and the one that
 * finishes the run imports them, so that tco_run_finish adds every block
 * in block order as if one process had computed them all.  A block's sums
 * are tco_run_block_doubles doubles (counts are whole numbers below 2^53,
 * held exactly); the layout is the engine's own and is only meant for
 * tco_run_blocks_import on a run allocated with the same scenario and
 * options.  Blocks [b0, b1) go to or from buf, (b1 - b0) x that many
 * doubles, owned by the caller.  Export needs every block computed;
 * import marks them computed (the per-future arrays are the caller's to
 * fill).  Both before tco_run_finish. */
size_t tco_run_block_doubles(const tco_run *run);
long tco_run_blocks(const tco_run *run);
tco_status tco_run_blocks_export(const tco_run *run, long b0, long b1, double *buf,
                                 tco_error *err);
tco_status tco_run_blocks_import(tco_run *run, long b0, long b1, const double *buf,
                                 tco_error *err);

/* All three steps: every future in one parallel region, opt->progress
 * called by the calling thread as futures are done (about every 2%, then
 * once with total), cancellation checked at every future.  On success
 * *out belongs to the caller (tco_run_free). */
tco_status tco_run_execute(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                           tco_error *err);

/* Frees a run.  Its per-future arrays of 2 MiB or more are kept for the
 * next tco_run_alloc in the process, which takes those of the sizes it
 * needs and frees those of sizes it has none of (and more, down to the
 * most that was ever live at once) before its loop touches its own: a
 * process that runs a scenario again does not fault its memory in again. */
void tco_run_free(tco_run *run);

/* Bytes of the arrays kept by tco_run_free and not yet taken or freed. */
size_t tco_run_memory_kept(void);

/* Frees the arrays kept by tco_run_free (the next run asks the system for
 * fresh memory). */
void tco_run_memory_release(void);

/* For tests: when on, every per-future array a run allocates from then on
 * is filled with 0xff bytes (NaNs, -1s) first, whether kept or fresh, so
 * that a result which depended on what memory held before would change. */
void tco_run_memory_poison(int on);

/* The first pass of the bands counted as the run computed its futures
 * (tco_run_options.count_bands), now the caller's (tco_bands_pass_free):
 * when each future of blocks [months_first, months_last) was counted
 * once, and no other; else NULL.  Once: the next call returns NULL. */
tco_bands_pass *tco_run_take_bands_pass(const tco_run *run);

/* The monthly costs of every future again, for a run whose monthly
 * arrays are not stored: futures are drawn and costed as by
 * tco_run_futures, in parallel on the run's threads, and visit is called
 * once per future with the thread's number (0 .. run->threads - 1), the
 * future's index and its S x T monthly costs as they would be stored
 * (month t of strategy s at [s * T + t], in single precision).  Calls on
 * one thread come in increasing future order; calls on different threads
 * run at once.  Needs the engine kept by tco_run_finish when monthly is
 * NULL (the options' arrays must still be alive), or, before it, every
 * block of [months_first, months_last) computed; TCO_EINTR when the
 * options' cancel flag is raised.  Visits the futures of blocks
 * [run->months_first, run->months_last) only. */
tco_status tco_run_months(const tco_run *run,
                          void (*visit)(void *ctx, int thread, long i, const float *month),
                          void *ctx, tco_error *err);

/* Physical memory of this machine in bytes (0 if unknown). */
size_t tco_physical_memory(void);

/* Formats a byte count as "1.2 GiB" into buf. */
void tco_format_bytes(size_t bytes, char *buf, size_t size);

/* A strategy's cost on one future is usable only when every total is a
 * finite number: a NaN or an infinity would poison every statistic.  The
 * one test, for runs, sweeps and sensitivity analyses alike. */
int tco_cost_is_finite(const tco_cost *c);

#endif
