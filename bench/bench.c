/* make bench: speed and memory of the engine on a bundled scenario.
 *
 * Reports futures per second, nanoseconds per future-month and per
 * future-month-strategy at 1 and 2 threads (loop alone, and with the
 * statistics), the ratio of the two, and the peak memory of a separate
 * process running 1 million futures.  Figures only: nothing here fails on a
 * slow machine.  Compare ratios measured in one run; these machines are
 * shared and noisy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "../sim/engine.h"
#include "../sim/stats.h"

static int run_once(const tco_scenario *sc, long n, int threads, double *loop, double *total)
{
    tco_run_options opt = {0};
    opt.futures = n;
    opt.threads = threads;
    tco_error err;
    tco_run *run;
    tco_results *res;
    double t0 = omp_get_wtime();
    if (tco_run_execute(&run, sc, &opt, &err) != TCO_OK ||
        tco_results_compute(&res, run, &err) != TCO_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    *total = omp_get_wtime() - t0;
    *loop = run->seconds;
    tco_results_free(res);
    tco_run_free(run);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "scenarios/baseline.yaml";
    long n = 100000;
    if (argc > 2) {
        char *end;
        n = strtol(argv[2], &end, 10);
        if (*end || n < 1) {
            fprintf(stderr, "bench: futures must be a whole number of at least 1, got '%s'\n",
                    argv[2]);
            return 2;
        }
    }
    int reps = 5;
    tco_error err;
    tco_scenario *sc;
    if (tco_scenario_load(&sc, path, NULL, &err) != TCO_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    printf("scenario %s: %ld futures x %d months x %zu strategies (best of %d)\n", path, n,
           sc->horizon, sc->nstrategies, reps);
    printf("%-8s %10s %10s %14s %16s %16s\n", "threads", "loop s", "total s", "futures/s",
           "ns/future-month", "ns/fut-mo-strat");
    double best[3] = {0};
    for (int threads = 1; threads <= 2; threads++) {
        double bl = 1e30, bt = 1e30;
        for (int r = 0; r < reps; r++) {
            double loop, total;
            if (run_once(sc, n, threads, &loop, &total))
                return 1;
            bl = loop < bl ? loop : bl;
            bt = total < bt ? total : bt;
        }
        best[threads] = bt;
        double fm = (double)n * sc->horizon;
        printf("%-8d %10.3f %10.3f %14.0f %16.2f %16.2f\n", threads, bl, bt, n / bt, bt / fm * 1e9,
               bt / (fm * (double)sc->nstrategies) * 1e9);
    }
    printf("speed-up, 2 threads over 1 (total): %.2fx\n", best[1] / best[2]);
    /* Peak memory of 1 million futures: the program in a child process
     * (OpenMP does not survive fork), whose peak is its own. */
    fflush(stdout);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "./tcosim run '%s' -n 1000000 --threads 2 -q --no-plots -o build/bench-out", path);
    double t0 = omp_get_wtime();
    int rc = system(cmd);
    double secs = omp_get_wtime() - t0;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    if (rc != 0)
        printf("1,000,000 futures: the program failed (status %d)\n", rc);
    else
        printf("1,000,000 futures, 2 threads, whole program with files: %.2f s, peak memory %.0f MiB\n",
               secs, ru.ru_maxrss / 1024.0);
    tco_scenario_free(sc);
    return 0;
}
