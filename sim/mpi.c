/* The processes of one tcosim job (mpi.h).  Built twice: plain, as one
 * process that refuses to run under an MPI launcher; with -DTCO_MPI by
 * mpicc, as tcosim-mpi.
 *
 * Every exchange but the reduces of a run's statistics (bands_sum) is
 * non-blocking and waited on with short sleeps: Open MPI's blocking calls
 * spin, and a rank that waits for rank 0 to draw its charts would take a
 * core from OpenMP's threads. */
#include "mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "stats.h"

#ifndef TCO_MPI

/* A launcher's environment with more than one process: Open MPI's mpirun,
 * Slurm's srun (PMI-2) and MPICH's hydra; PMIx names each rank. */
static int launched_parallel(void)
{
    static const char *const size_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                            "MPI_LOCALNRANKS"};
    for (size_t k = 0; k < sizeof size_vars / sizeof *size_vars; k++) {
        const char *v = getenv(size_vars[k]);
        if (v && atol(v) > 1)
            return 1;
    }
    const char *r = getenv("PMIX_RANK");
    return r && atol(r) > 0;
}

int tco_par_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (launched_parallel()) {
        /* Said once, by the launcher's first process. */
        const char *r = getenv("OMPI_COMM_WORLD_RANK");
        if (!r)
            r = getenv("PMIX_RANK");
        if (!r)
            r = getenv("PMI_RANK");
        if (r && atol(r) > 0)
            return 2;
        tco_fprintf(stderr, "tcosim: started by an MPI launcher with more than one process; "
                            "this tcosim is built without MPI and each process would write "
                            "the same files.  Build and start tcosim-mpi (make tcosim-mpi; "
                            "mpirun -np P ./tcosim-mpi ...), or run tcosim alone.\n");
        return 2;
    }
    return 0;
}

int tco_par_finish(int status) { return status; }
void tco_par_solo(void) {}
int tco_par_rank(void) { return 0; }
int tco_par_size(void) { return 1; }
int tco_par_enabled(void) { return 0; }

tco_status tco_par_agree(tco_status st, tco_error *err)
{
    (void)err;
    return st;
}

void tco_par_command_begin(void) {}
int tco_par_command_end(int status) { return status; }

tco_status tco_par_run(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                       tco_error *err)
{
    return tco_run_execute(out, sc, opt, err);
}

void tco_par_traffic(double *sent, double *received)
{
    *sent = *received = 0;
}

tco_status tco_par_sweep(tco_sweep **out, const tco_scenario *sc, const char *file,
                         const tco_load_options *lo, const tco_vary *v, size_t nv,
                         const tco_run_options *opt, tco_error *err)
{
    return tco_sweep_run_scenario(out, sc, file, lo, v, nv, opt, err);
}

tco_status tco_par_sensitivity(tco_sensitivity **out, const tco_scenario *sc,
                               const tco_run_options *opt, tco_sens_method method, int output,
                               int versus, tco_error *err)
{
    return tco_sensitivity_run(out, sc, opt, method, output, versus, err);
}

#else /* TCO_MPI */

#include <mpi.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static int rank = 0, size = 1;
static int solo; /* rank 0 runs a command alone: one process */
static double bytes_sent, bytes_received;

int tco_par_rank(void) { return rank; }
int tco_par_size(void) { return solo ? 1 : size; }
void tco_par_solo(void) { solo = 1; }
int tco_par_enabled(void) { return 1; }

int tco_par_init(int *argc, char ***argv)
{
    int provided;
    /* Only the calling thread calls MPI; OpenMP's threads never do. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        tco_fprintf(stderr, "tcosim: MPI could not start\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank > 0) {
        /* Rank 0 prints for the job. */
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 0;
}

/* Waits for req with sleeps of at most a millisecond. */
static void wait_sleeping(MPI_Request *req)
{
    long ns = 20000;
    for (;;) {
        int done = 0;
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        if (ns < 1000000)
            ns *= 2;
    }
}

static void wait_all_sleeping(MPI_Request *req, int count)
{
    for (int k = 0; k < count; k++)
        wait_sleeping(&req[k]);
}

/* Requests from rank 0 to the others serving a run: a tco_run_op, or
 * COMMAND_DONE (kind 0) at the end of the job. */
enum { TAG_COMMAND = 7, COMMAND_DONE = 0 };
static int serving;
static void send_command(const tco_run_op *op);

/* With TCOSIM_MPI_STATS set (make bench-mpi), rank 0 prints each rank's
 * bytes sent and received in the last distributed computation, its peak
 * memory and its CPU time. */
static void print_stats(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                 1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    double mine[4] = {bytes_sent, bytes_received, (double)ru.ru_maxrss * 1024.0, cpu};
    double *all = rank == 0 ? malloc((size_t)size * sizeof mine) : NULL;
    if (rank == 0 && !all)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Request req;
    MPI_Igather(mine, 4, MPI_DOUBLE, all, 4, MPI_DOUBLE, 0, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    for (int r = 0; all && r < size; r++)
        tco_fprintf(stderr, "mpi: rank %d of %d: sent %.0f bytes, received %.0f bytes, peak "
                            "memory %.0f bytes, CPU %.2f s\n",
                    r, size, all[4 * r], all[4 * r + 1], all[4 * r + 2], all[4 * r + 3]);
    free(all);
}

int tco_par_finish(int status)
{
    if (serving) {
        const tco_run_op done = {.kind = COMMAND_DONE};
        send_command(&done);
        serving = 0;
    }
    if (size > 1) {
        MPI_Request req;
        MPI_Ibcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
        wait_sleeping(&req);
    }
    const char *stats = getenv("TCOSIM_MPI_STATS");
    if (stats && *stats && strcmp(stats, "0") != 0)
        print_stats();
    MPI_Finalize();
    return status;
}

/* Exchanges made since tco_par_command_begin. */
static long agreements;

void tco_par_command_begin(void) { agreements = 0; }

int tco_par_command_end(int status)
{
    if (size == 1 || solo || agreements > 0)
        return status;
    tco_error err;
    tco_error_set(&err, TCO_EINVAL, "process %d of %d stopped on its command line (its "
                  "arguments differ from process 0's)", rank, size);
    tco_status st = tco_par_agree(status ? TCO_EINVAL : TCO_OK, &err);
    if (status == 0 && st != TCO_OK) {
        /* Another process stopped; this one has printed nothing wrong. */
        tco_fprintf(stderr, "tcosim: error: %s\n", err.msg);
        return 2;
    }
    return status;
}

tco_status tco_par_agree(tco_status st, tco_error *err)
{
    agreements++;
    if (size == 1 || solo)
        return st;
    int mine = st != TCO_OK ? rank : size, first;
    MPI_Request req;
    MPI_Iallreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    if (first == size)
        return TCO_OK;
    /* The code and message of the first failing rank, for every rank. */
    struct {
        int code;
        char msg[TCO_ERRMSG_MAX];
    } m;
    memset(&m, 0, sizeof m);
    if (rank == first) {
        m.code = (int)st;
        if (err)
            memcpy(m.msg, err->msg, sizeof m.msg);
    }
    MPI_Ibcast(&m, (int)sizeof m, MPI_BYTE, first, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    m.msg[sizeof m.msg - 1] = '\0';
    return tco_error_set(err, (tco_status)m.code, "%s", m.msg);
}

/* The blocks [*b0, *b1) of rank r: contiguous, in rank order, as even as
 * whole blocks allow (a rank may have none). */
static void share(long nblocks, int r, long *b0, long *b1)
{
    *b0 = (long)((double)nblocks * r / size);
    *b1 = (long)((double)nblocks * (r + 1) / size);
}

/* Gathers to rank 0 the futures of every rank in each of nrows rows of
 * an array of unit-sized elements, row j at base + j * stride elements:
 * rank r sends [first_r, last_r) of each row; rank 0 receives in place. */
typedef struct {
    MPI_Request *req;
    int nreq, cap;
    int *counts, *displs; /* per rank: futures and the first one */
} gather;

static tco_status gather_rows(gather *g, void *base, size_t stride, size_t nrows,
                              MPI_Datatype unit, size_t unit_bytes, tco_error *err)
{
    if (!base)
        return TCO_OK;
    if (g->nreq + (int)nrows > g->cap) {
        int cap = g->cap * 2 + (int)nrows;
        MPI_Request *r = realloc(g->req, (size_t)cap * sizeof *r);
        if (!r)
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        g->req = r;
        g->cap = cap;
    }
    for (size_t j = 0; j < nrows; j++) {
        char *row = (char *)base + j * stride * unit_bytes;
        const void *send = rank == 0 ? MPI_IN_PLACE : row + (size_t)g->displs[rank] * unit_bytes;
        MPI_Igatherv(send, g->counts[rank], unit, row, g->counts, g->displs, unit, 0,
                     MPI_COMM_WORLD, &g->req[g->nreq++]);
        double b = (double)g->counts[rank] * (double)unit_bytes;
        if (rank == 0)
            bytes_received += (double)unit_bytes * (double)(g->displs[size - 1] + g->counts[size - 1] - g->counts[0]);
        else
            bytes_sent += b;
    }
    return TCO_OK;
}

/* Every per-future array of the other ranks' futures to rank 0, and
 * every block's sums; rank 0 finishes the run. */
static tco_status collect(tco_run *run, long nblocks, long bs, int spread, tco_error *err)
{
    const size_t S = run->S, T = (size_t)run->T, E = run->E, n = (size_t)run->n;
    const size_t NI = run->sc->ninputs, W = tco_run_block_doubles(run);
    gather g = {0};
    int *bcounts = NULL, *bdispls = NULL;
    double *sums = NULL;
    MPI_Datatype row_in = MPI_DATATYPE_NULL, block = MPI_DATATYPE_NULL;
    tco_status st = TCO_OK;
    g.counts = malloc((size_t)size * sizeof *g.counts);
    g.displs = malloc((size_t)size * sizeof *g.displs);
    bcounts = malloc((size_t)size * sizeof *bcounts);
    bdispls = malloc((size_t)size * sizeof *bdispls);
    long mb0, mb1;
    share(nblocks, rank, &mb0, &mb1);
    sums = malloc((size_t)(rank == 0 ? nblocks : mb1 - mb0 + 1) * W * sizeof *sums);
    if (!g.counts || !g.displs || !bcounts || !bdispls || !sums)
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
    if (st == TCO_OK && rank != 0)
        st = tco_run_blocks_export(run, mb0, mb1, sums, err);
    if ((st = tco_par_agree(st, err)) != TCO_OK)
        goto done;
    for (int r = 0; r < size; r++) {
        long b0, b1;
        share(nblocks, r, &b0, &b1);
        long f0 = b0 * bs < (long)n ? b0 * bs : (long)n, f1 = b1 * bs < (long)n ? b1 * bs : (long)n;
        g.counts[r] = (int)(f1 - f0);
        g.displs[r] = (int)f0;
        bcounts[r] = (int)(b1 - b0);
        bdispls[r] = (int)b0;
    }
    MPI_Type_contiguous((int)(NI ? NI : 1), MPI_DOUBLE, &row_in);
    MPI_Type_commit(&row_in);
    MPI_Type_contiguous((int)W, MPI_DOUBLE, &block);
    MPI_Type_commit(&block);
    /* A spread run gathers only what the board pack (every future's inputs
     * and NPVs, kept when small) and samples.csv (kept with keep_samples:
     * gpus) read future by future. */
    const int all = !spread, samples = spread && run->gpus, board = spread && run->inputs;
#define KEEP(cond, a) ((cond) ? (void *)(a) : NULL)
    if ((st = gather_rows(&g, KEEP(all || board || samples, run->npv), n, S, MPI_DOUBLE,
                          sizeof(double), err)) ||
        (st = gather_rows(&g, KEEP(all, run->nominal), n, S, MPI_DOUBLE, sizeof(double), err)) ||
        (st = gather_rows(&g, KEEP(all, run->monthly), n, S * T, MPI_FLOAT, sizeof(float),
                          err)) ||
        (st = gather_rows(&g, KEEP(all, run->breakeven), n, S, MPI_INT16_T, sizeof(int16_t),
                          err)) ||
        (st = gather_rows(&g, KEEP(all || samples, run->switches), n, S, MPI_INT16_T,
                          sizeof(int16_t), err)) ||
        (st = gather_rows(&g, KEEP(all || samples, run->first_switch), n, S, MPI_INT16_T,
                          sizeof(int16_t), err)) ||
        (st = gather_rows(&g, KEEP(NI && (all || board || samples), run->inputs), 0, 1, row_in,
                          NI * sizeof(double), err)) ||
        (st = gather_rows(&g, KEEP(E && (all || samples), run->event_month), n, E, MPI_INT16_T,
                          sizeof(int16_t), err)) ||
        (st = gather_rows(&g, KEEP(all || samples, run->gpus), n, S, MPI_DOUBLE, sizeof(double),
                          err)))
        MPI_Abort(MPI_COMM_WORLD, 1); /* requests are posted: no way back */
#undef KEEP
    MPI_Request breq;
    MPI_Igatherv(rank == 0 ? MPI_IN_PLACE : sums, bcounts[rank], block, sums, bcounts, bdispls,
                 block, 0, MPI_COMM_WORLD, &breq);
    wait_all_sleeping(g.req, g.nreq);
    wait_sleeping(&breq);
    if (rank == 0)
        bytes_received += (double)(nblocks - (mb1 - mb0)) * (double)W * sizeof(double);
    else
        bytes_sent += (double)(mb1 - mb0) * (double)W * sizeof(double);
    if (rank == 0) {
        /* Rank 0's own blocks are in place already. */
        long b0, b1;
        for (int r = 1; r < size && st == TCO_OK; r++) {
            share(nblocks, r, &b0, &b1);
            st = tco_run_blocks_import(run, b0, b1, sums + (size_t)b0 * W, err);
        }
        if (st == TCO_OK)
            st = tco_run_finish(run, err);
    }
done:
    if (row_in != MPI_DATATYPE_NULL)
        MPI_Type_free(&row_in);
    if (block != MPI_DATATYPE_NULL)
        MPI_Type_free(&block);
    free(g.req);
    free(g.counts);
    free(g.displs);
    free(bcounts);
    free(bdispls);
    free(sums);
    return st;
}

/* On ranks > 0, the per-future arrays in small pages: a rank fills its
 * share of every row (strategy, month), and the engine's huge pages (2 MiB,
 * more than a row of 10^5 futures) would make it hold every row whole. */
static void small_pages(const tco_run *run)
{
#ifdef MADV_NOHUGEPAGE
    const size_t n = (size_t)run->n, S = run->S, T = (size_t)run->T;
    struct {
        void *p;
        size_t bytes;
    } a[] = {{run->npv, S * n * sizeof(double)},
             {run->nominal, S * n * sizeof(double)},
             {run->monthly, S * T * n * sizeof(float)},
             {run->breakeven, S * n * sizeof(int16_t)},
             {run->switches, S * n * sizeof(int16_t)},
             {run->first_switch, S * n * sizeof(int16_t)},
             {run->event_month, run->E * n * sizeof(int16_t)},
             {run->gpus, S * n * sizeof(double)}};
    for (size_t k = 0; k < sizeof a / sizeof *a; k++)
        if (a[k].p && (uintptr_t)a[k].p % 4096 == 0) /* else not in huge pages */
            madvise(a[k].p, a[k].bytes, MADV_NOHUGEPAGE);
#else
    (void)run;
#endif
}

/* The monthly bands of a run whose monthly costs are not stored: every
 * rank recomputes its own blocks' and the counts of the passes (stats.c)
 * are summed.  Rank 0 asks the others (serving the run, below) to join
 * each time it recomputes the bands; it ends their service at the end of
 * the job (tco_par_finish). */
static int serving; /* rank 0: the other ranks serve a run (tentative definition) */

static void send_command(const tco_run_op *op)
{
    for (int r = 1; r < size; r++) {
        MPI_Request req;
        MPI_Isend(op, (int)sizeof *op, MPI_BYTE, r, TAG_COMMAND, MPI_COMM_WORLD, &req);
        wait_sleeping(&req);
    }
}

static void bands_begin(void *ctx, const tco_run_op *op)
{
    (void)ctx;
    send_command(op);
}

static tco_status bands_agree(void *ctx, tco_status st, tco_error *err)
{
    (void)ctx;
    return tco_par_agree(st, err);
}

/* The reduces of a run's statistics block: every process reaches them
 * together (their work between two is the same), and a collective
 * progresses only while its processes call MPI; waited on with sleeps, the
 * megabytes of a selection's histograms took seconds (a spread run of
 * 1,001 futures on 3 processes: 27 s, against 1.7 s blocking). */
static void bands_sum(void *ctx, uint64_t *counts, size_t n)
{
    (void)ctx;
    for (size_t off = 0; off < n;) {
        int chunk = n - off < (size_t)1 << 28 ? (int)(n - off) : 1 << 28;
        MPI_Allreduce(MPI_IN_PLACE, counts + off, chunk, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        off += (size_t)chunk;
    }
    bytes_sent += (double)n * sizeof *counts;
    bytes_received += (double)n * sizeof *counts;
}

static const tco_run_reduce reduce_root = {bands_begin, bands_agree, bands_sum, NULL};
static const tco_run_reduce reduce_other = {NULL, bands_agree, bands_sum, NULL};

/* Ranks > 0: computes with rank 0 what it asks for (the bands of a run
 * whose monthly costs are not stored; every statistic of a spread run),
 * until the job ends. */
static void serve(const tco_run *run)
{
    for (;;) {
        tco_run_op op;
        MPI_Request req;
        MPI_Irecv(&op, (int)sizeof op, MPI_BYTE, 0, TAG_COMMAND, MPI_COMM_WORLD, &req);
        wait_sleeping(&req);
        if (op.kind == COMMAND_DONE)
            return;
        tco_error err;
        /* Its errors are agreed on in the passes; rank 0 reports them. */
        (void)tco_run_serve(run, &op, &err);
    }
}

/* The bytes of per-future results rank 0 would gather from the others
 * (all of them, counted once). */
static double gather_bytes(const tco_scenario *sc, const tco_run_options *opt)
{
    double n = (double)(opt->futures > 0 ? opt->futures : sc->futures);
    double S = (double)sc->nstrategies, T = sc->horizon;
    double per = S * 2 * sizeof(double); /* npv, nominal */
    if (tco_run_stores_monthly(sc, (long)n, opt)) /* monthly, break-even, switches */
        per += S * T * sizeof(float) + S * 3 * sizeof(int16_t);
    if (opt->keep_inputs)
        per += (double)sc->ninputs * sizeof(double);
    if (opt->keep_samples)
        per += (double)sc->nevents * sizeof(int16_t) + S * sizeof(double);
    return n * per;
}

/* TCOSIM_MPI_GATHER_BYTES, else TCO_MPI_GATHER_BYTES (mpi.h). */
static double gather_limit(void)
{
    const char *env = getenv("TCOSIM_MPI_GATHER_BYTES");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (end != env && *end == '\0' && v >= 0)
            return v;
    }
    return (double)TCO_MPI_GATHER_BYTES;
}

/* tco_par_run; with serve, a run whose monthly costs are not stored has
 * its bands recomputed by every rank. */
static tco_status par_run(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                          int serves, tco_error *err)
{
    *out = NULL;
    bytes_sent = bytes_received = 0;
    if (size == 1 || solo)
        return tco_run_execute(out, sc, opt, err);
    /* Beyond the gather size, a spread run: each process keeps its own
     * futures (its share counted by the memory check), stores no monthly
     * costs, and the statistics reduce over the processes. */
    const int spread = serves && gather_bytes(sc, opt) > gather_limit();
    tco_run_options o = *opt;
    o.count_bands = 0; /* the bands' passes are counted over the processes */
    tco_run *run = NULL;
    if (spread) {
        long n = opt->futures > 0 ? opt->futures : sc->futures;
        o.monthly_limit = 1;
        o.held = n / size + 1;
    }
    tco_status st = tco_run_alloc(&run, sc, &o, err);
    if ((st = tco_par_agree(st, err)) != TCO_OK)
        goto fail;
    if (rank > 0 || spread)
        small_pages(run);
    const long n = run->n, bs = tco_run_block_size(run), nblocks = tco_run_blocks(run);
    long b0, b1;
    share(nblocks, rank, &b0, &b1);
    long f0 = b0 * bs < n ? b0 * bs : n, f1 = b1 * bs < n ? b1 * bs : n;
    if (opt->cancel && *opt->cancel)
        st = tco_error_set(err, TCO_EINTR, "interrupted");
    else if (f1 > f0)
        st = tco_run_futures(run, f0, f1, err);
    if ((st = tco_par_agree(st, err)) != TCO_OK)
        goto fail;
    if ((st = collect(run, nblocks, bs, spread, err)) != TCO_OK)
        goto fail;
    if (serves && !run->monthly) {
        run->months_first = b0;
        run->months_last = b1;
        run->reduce = rank == 0 ? &reduce_root : &reduce_other;
    }
    if (spread) {
        run->spread = 1;
        run->first = f0;
        run->last = f1;
        /* Every process keeps the curves, or none does. */
        if (!run->grid)
            run->grid = calloc(2 * run->S * TCO_GRID + 2, sizeof *run->grid);
        tco_error gerr;
        if (tco_par_agree(run->grid ? TCO_OK : TCO_ENOMEM, &gerr) != TCO_OK) {
            free(run->grid);
            run->grid = NULL;
        }
    }
    if (rank == 0) {
        if (opt->progress)
            opt->progress(opt->progress_ctx, n, n);
        serving = run->reduce != NULL;
        *out = run;
    } else {
        if (run->reduce)
            serve(run);
        tco_run_free(run);
    }
    return TCO_OK;
fail:
    tco_run_free(run);
    return st;
}

tco_status tco_par_run(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                       tco_error *err)
{
    return par_run(out, sc, opt, 1, err);
}

void tco_par_traffic(double *sent, double *received)
{
    *sent = bytes_sent;
    *received = bytes_received;
}

/* The contiguous share [*i0, *i1) of count items of rank r. */
static void share_items(size_t count, int r, size_t *i0, size_t *i1)
{
    *i0 = (size_t)((double)count * r / size);
    *i1 = (size_t)((double)count * (r + 1) / size);
}

/* Gathers rows [i0_r, i1_r) of an array of count rows of width doubles
 * to rank 0, in place. */
static void gather_share(double *base, size_t count, size_t width)
{
    MPI_Datatype row;
    MPI_Type_contiguous((int)width, MPI_DOUBLE, &row);
    MPI_Type_commit(&row);
    int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
    if (!counts || !displs)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int r = 0; r < size; r++) {
        size_t i0, i1;
        share_items(count, r, &i0, &i1);
        counts[r] = (int)(i1 - i0);
        displs[r] = (int)i0;
    }
    MPI_Request req;
    MPI_Igatherv(rank == 0 ? MPI_IN_PLACE : base + (size_t)displs[rank] * width, counts[rank],
                 row, base, counts, displs, row, 0, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    double b = (double)width * sizeof(double);
    if (rank == 0)
        bytes_received += b * (double)(count - (size_t)counts[0]);
    else
        bytes_sent += b * counts[rank];
    free(counts);
    free(displs);
    MPI_Type_free(&row);
}

tco_status tco_par_sweep(tco_sweep **out, const tco_scenario *sc, const char *file,
                         const tco_load_options *lo, const tco_vary *v, size_t nv,
                         const tco_run_options *opt, tco_error *err)
{
    *out = NULL;
    bytes_sent = bytes_received = 0;
    if (size == 1 || solo)
        return tco_sweep_run_scenario(out, sc, file, lo, v, nv, opt, err);
    size_t P = v[0].nvalues * (nv > 1 ? v[1].nvalues : 1), p0, p1;
    share_items(P, rank, &p0, &p1);
    tco_sweep *sw = NULL;
    tco_status st = tco_sweep_run_points(&sw, sc, file, lo, v, nv, opt, p0, p1, err);
    if ((st = tco_par_agree(st, err)) != TCO_OK) {
        tco_sweep_free(sw);
        return st;
    }
    const size_t S = sw->S;
    double *const rows[] = {sw->mean, sw->p5, sw->p50, sw->p95, sw->p_cheapest, sw->p_below};
    for (size_t k = 0; k < sizeof rows / sizeof *rows; k++)
        gather_share(rows[k], P, S);
    gather_share(sw->p_pair, P, S * S);
    gather_share(sw->tokens_per_request, P, 1);
    /* The futures and seed of the last point (a point may set them when
     * the file is loaded again with its value), from the last rank. */
    struct {
        long futures;
        unsigned long long seed;
    } last = {sw->futures, (unsigned long long)sw->seed};
    MPI_Request req;
    MPI_Ibcast(&last, (int)sizeof last, MPI_BYTE, size - 1, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    sw->futures = last.futures;
    sw->seed = (uint64_t)last.seed;
    if (rank == 0)
        *out = sw;
    else
        tco_sweep_free(sw);
    return TCO_OK;
}

/* tco_sweep_take that keeps the NPVs of strategies rows[0..nrows) of a
 * run, to send them to rank 0. */
typedef struct {
    double *npv; /* runs x nrows x n */
    const int *rows;
    size_t nrows;
} keep_ctx;

static tco_status keep_npv(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    keep_ctx *k = ctx;
    (void)err;
    for (size_t j = 0; j < k->nrows; j++)
        memcpy(k->npv + (r * k->nrows + j) * n, npv + (size_t)k->rows[j] * n, n * sizeof *npv);
    return TCO_OK;
}

static tco_status par_series_rows(const tco_scenario *sc, const tco_run_options *opt,
                                  const tco_sweep_point *pt, size_t nruns,
                                  const unsigned char *costed, tco_sweep_take take, void *ctx,
                                  const int *rows, size_t nrows, long before, long total,
                                  tco_error *err);

/* tco_sweep_runs_costing over every process (tco_sens_distribute's
 * series): each runs a contiguous share of the runs; rank 0 takes its own
 * as they come, then every other rank's, in run order, of which it
 * receives only the strategies costed. */
static tco_status par_series(const tco_scenario *sc, const tco_run_options *opt,
                             const tco_sweep_point *pt, size_t nruns, const unsigned char *costed,
                             tco_sweep_take take, void *ctx, long before, long total,
                             tco_error *err)
{
    if (size == 1 || solo)
        return tco_sweep_runs_costing(sc, opt, pt, nruns, costed, take, ctx, before, total, err);
    int rows[64], *rowp = rows;
    size_t nrows = 0;
    if (sc->nstrategies > sizeof rows / sizeof *rows &&
        !(rowp = malloc(sc->nstrategies * sizeof *rowp)))
        return tco_par_agree(tco_error_set(err, TCO_ENOMEM, "out of memory"), err);
    for (size_t s = 0; s < sc->nstrategies; s++)
        if (!costed || costed[s])
            rowp[nrows++] = (int)s;
    tco_status st = par_series_rows(sc, opt, pt, nruns, costed, take, ctx, rowp, nrows, before,
                                    total, err);
    if (rowp != rows)
        free(rowp);
    return st;
}

/* par_series with the strategies it sends, rows[0..nrows). */
static tco_status par_series_rows(const tco_scenario *sc, const tco_run_options *opt,
                                  const tco_sweep_point *pt, size_t nruns,
                                  const unsigned char *costed, tco_sweep_take take, void *ctx,
                                  const int *rows, size_t nrows, long before, long total,
                                  tco_error *err)
{
    const size_t n = (size_t)(opt->futures > 0 ? opt->futures : sc->futures);
    const size_t width = nrows * n; /* what a run sends */
    size_t r0, r1;
    share_items(nruns, rank, &r0, &r1);
    keep_ctx keep = {NULL, rows, nrows};
    tco_status st = TCO_OK;
    if (rank > 0 && r1 > r0 && !(keep.npv = malloc((r1 - r0) * width * sizeof *keep.npv)))
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for %zu runs' NPVs", r1 - r0);
    if (st == TCO_OK)
        st = tco_sweep_runs_costing(sc, opt, pt + r0, r1 - r0, costed,
                                    rank == 0 ? take : keep_npv, rank == 0 ? ctx : &keep,
                                    before + (long)(r0 * n), total, err);
    if ((st = tco_par_agree(st, err)) != TCO_OK) {
        free(keep.npv);
        return st;
    }
    MPI_Datatype run;
    MPI_Type_contiguous((int)n, MPI_DOUBLE, &run);
    MPI_Type_commit(&run);
    if (rank > 0) {
        for (size_t r = r0; r < r1; r++) {
            MPI_Request req;
            MPI_Isend(keep.npv + (r - r0) * width, (int)nrows, run, 0, 0, MPI_COMM_WORLD, &req);
            wait_sleeping(&req);
            bytes_sent += (double)width * sizeof(double);
        }
    } else {
        /* Every strategy's row for take, those it does not read NaN. */
        const size_t S = sc->nstrategies;
        double *buf = malloc(S * n * sizeof *buf), *in = malloc(width * sizeof *in);
        if (!buf || !in)
            MPI_Abort(MPI_COMM_WORLD, 1); /* the others are sending */
        for (size_t k = 0; k < S * n; k++)
            buf[k] = NAN;
        size_t own = r1;
        for (size_t r = own; r < nruns; r++) {
            int from = 1;
            size_t a, b;
            for (share_items(nruns, from, &a, &b); r >= b; share_items(nruns, ++from, &a, &b))
                ;
            MPI_Request req;
            MPI_Irecv(in, (int)nrows, run, from, 0, MPI_COMM_WORLD, &req);
            wait_sleeping(&req);
            bytes_received += (double)width * sizeof(double);
            for (size_t j = 0; j < nrows; j++)
                memcpy(buf + (size_t)rows[j] * n, in + j * n, n * sizeof *buf);
            if (st == TCO_OK)
                st = take(ctx, r, buf, n, err);
        }
        free(buf);
        free(in);
    }
    MPI_Type_free(&run);
    free(keep.npv);
    return st;
}

static void par_share(int *v, size_t count)
{
    if (size == 1 || solo)
        return;
    MPI_Request req;
    MPI_Ibcast(v, (int)count, MPI_INT, 0, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
}

/* tco_par_run as tco_sens_distribute's execute: counts the bytes of the
 * whole analysis, not of the base run alone. */
static tco_status par_execute(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                              tco_error *err)
{
    double s = bytes_sent, r = bytes_received;
    tco_status st = par_run(out, sc, opt, 0, err);
    bytes_sent += s;
    bytes_received += r;
    return st;
}

/* The Sobol indices with their bootstrap resamples shared
 * (tco_sens_distribute's indices): rank 0 sends every run's outputs to
 * the others, each computes a contiguous share of the resamples
 * (tco_sobol_resamples: a resample's bits depend on its index alone), and
 * rank 0 gathers them in resample order and takes the intervals. */
static tco_status par_indices(double *fAB, size_t N, size_t D, size_t nboot, uint64_t seed,
                              int threads, tco_sobol_index *out, tco_error *err)
{
    double *rep = malloc((nboot * 2 * D + 1) * sizeof *rep);
    tco_status st = rep ? TCO_OK : tco_error_set(err, TCO_ENOMEM, "out of memory for the bootstrap");
    if ((st = tco_par_agree(st, err)) != TCO_OK) {
        free(rep);
        return st;
    }
    MPI_Datatype run;
    MPI_Type_contiguous((int)N, MPI_DOUBLE, &run);
    MPI_Type_commit(&run);
    MPI_Request req;
    MPI_Ibcast(fAB, (int)(D + 2), run, 0, MPI_COMM_WORLD, &req);
    wait_sleeping(&req);
    MPI_Type_free(&run);
    double b = (double)(D + 2) * (double)N * sizeof(double);
    if (rank == 0)
        bytes_sent += b * (size - 1);
    else
        bytes_received += b;
    size_t b0, b1;
    share_items(nboot, rank, &b0, &b1);
    st = tco_sobol_resamples(fAB, fAB + N, fAB + 2 * N, N, D, b0, b1, seed, threads,
                             rep + b0 * 2 * D, err);
    if ((st = tco_par_agree(st, err)) == TCO_OK) {
        gather_share(rep, nboot, 2 * D);
        if (rank == 0)
            st = tco_sobol_intervals(fAB, fAB + N, fAB + 2 * N, N, D, nboot, rep, out, err);
    }
    free(rep);
    return st;
}

tco_status tco_par_sensitivity(tco_sensitivity **out, const tco_scenario *sc,
                               const tco_run_options *opt, tco_sens_method method, int output,
                               int versus, tco_error *err)
{
    bytes_sent = bytes_received = 0;
    if (size == 1 || solo)
        return tco_sensitivity_run(out, sc, opt, method, output, versus, err);
    tco_sens_distribute d = {par_execute, par_series, par_share, par_indices};
    return tco_sensitivity_run_with(out, sc, opt, method, output, versus, &d, err);
}

#endif /* TCO_MPI */
