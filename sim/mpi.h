/* The processes of one tcosim job: MPI in tcosim-mpi (sim/mpi.c built with
 * -DTCO_MPI by mpicc), one process in tcosim.  The program (main.c) calls
 * these and nothing of MPI; the library (libtcosim.a) knows nothing of them.
 *
 * The model of a job: every process parses the same arguments and loads
 * the same scenario; the work (blocks of futures of a run) is split in
 * contiguous ranges by rank; rank 0 receives every per-future array and
 * every block's sums, then computes the statistics and writes every file
 * exactly as one process would.  The other ranks print nothing and write
 * nothing (their standard output and error go to /dev/null).  A failure on
 * any rank is agreed on at the next exchange, so that no rank waits for
 * another that has given up: the error of the lowest failing rank is
 * printed once, by rank 0. */
#ifndef TCO_MPI_H
#define TCO_MPI_H

#include "engine.h"
#include "error.h"
#include "sensitivity.h"
#include "sweep.h"

/* Starts the job: MPI_Init in tcosim-mpi (run without mpirun: one
 * process).  In plain tcosim, returns 2 with a message when started by an
 * MPI launcher with more than one process (the environment of mpirun,
 * srun or hydra says so), else 0.  On ranks > 0, standard output and error
 * are sent to /dev/null. */
int tco_par_init(int *argc, char ***argv);

/* Ends the job with rank 0's exit status, which every rank returns (so
 * that mpirun exits with it); other ranks wait for it without spinning. */
int tco_par_finish(int status);

int tco_par_rank(void);
/* The processes of the job, 1 once tco_par_solo is called. */
int tco_par_size(void);

/* Rank 0 runs a command alone (compare, merge, plot...; run
 * --target-rse): every function here acts as for one process. */
void tco_par_solo(void);

/* Whether this program is tcosim-mpi. */
int tco_par_enabled(void);

/* Agrees on a status: st is this rank's; returns the status of the lowest
 * failing rank (TCO_OK when none failed), its error copied into err on
 * every rank.  A collective call: every rank must make it. */
tco_status tco_par_agree(tco_status st, tco_error *err);

/* Around a command that every process runs (run, sweep, sensitivity):
 * a process that stops before the command's first exchange (on an
 * argument the others accepted, or on --help) joins that exchange in
 * tco_par_command_end, so that the others learn of it instead of waiting;
 * rank 0 then says which process stopped.  Returns the command's status,
 * or 2 when another process stopped alone. */
void tco_par_command_begin(void);
int tco_par_command_end(int status);

/* Bytes of per-future results rank 0 gathers at most (TCOSIM_MPI_GATHER_BYTES
 * overrides it): 2 GiB, 10^7 futures of the bundled baseline. */
#define TCO_MPI_GATHER_BYTES ((size_t)2 << 30)

/* tco_run_execute over every process: each computes its share of the
 * blocks of futures.  Up to the gather size, on rank 0 *out is the whole
 * run, every per-future array and mean the same bits as tco_run_execute
 * would give; when its monthly costs are not stored, the other ranks stay
 * in this call until tco_par_finish, recomputing their blocks each time
 * rank 0 recomputes the bands (tco_results_compute, tco_cumulative_compute:
 * the run's reduce).  Beyond it, a spread run (engine.h): rank 0 gets the
 * means and counts of every future but holds only its own share of the
 * per-future arrays (and every future's NPVs and inputs when the inputs
 * are kept, with everything samples.csv reads when keep_samples); the
 * other ranks stay in this call, computing with rank 0 every statistic it
 * asks for (stats.h, tco_run_serve), until tco_par_finish.  On other ranks
 * *out is NULL on success.  The error is agreed (the lowest failing
 * rank's).  opt->progress is called once, on rank 0, at the end. */
tco_status tco_par_run(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                       tco_error *err);

/* tco_sweep_run_scenario over every process: each runs a contiguous share
 * of the grid's points (tco_sweep_run_points) and rank 0 gathers their
 * statistics (not their futures); on rank 0 *out is the whole sweep, bit
 * for bit, elsewhere NULL on success. */
tco_status tco_par_sweep(tco_sweep **out, const tco_scenario *sc, const char *file,
                         const tco_load_options *lo, const tco_vary *v, size_t nv,
                         const tco_run_options *opt, tco_error *err);

/* tco_sensitivity_run over every process: the base run split by blocks of
 * futures (tco_par_run), the design runs (tornado, Sobol) by runs, each
 * run's NPVs sent to rank 0.  On rank 0 *out is tco_sensitivity_run's
 * result, bit for bit, elsewhere NULL on success. */
tco_status tco_par_sensitivity(tco_sensitivity **out, const tco_scenario *sc,
                               const tco_run_options *opt, tco_sens_method method, int output,
                               int versus, tco_error *err);

/* Bytes this process sent and received in the last tco_par_run (make
 * bench-mpi). */
void tco_par_traffic(double *sent, double *received);

#endif
