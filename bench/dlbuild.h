/* A build of the engine loaded as a shared library (bench/ab.sh builds
 * them): make bench-ab loads two and times them in turn (ab.c); make bench
 * loads the engine of the revision issue 11 was filed against, the
 * yardstick of the NumPy peer (bench.c). */
#ifndef TCO_BENCH_DLBUILD_H
#define TCO_BENCH_DLBUILD_H

#include "../sim/engine.h"
#include "../sim/scenario.h"
#include "../sim/stats.h"

/* The entry points each build exports (the public API of sim/). */
typedef struct {
    const char *path;
    void *handle;
    tco_status (*load)(tco_scenario **, const char *, const tco_load_options *, tco_error *);
    void (*scenario_free)(tco_scenario *);
    tco_status (*execute)(tco_run **, const tco_scenario *, const tco_run_options *,
                          tco_error *);
    void (*run_free)(tco_run *);
    tco_status (*compute)(tco_results **, const tco_run *, tco_error *);
    void (*results_free)(tco_results *);
    tco_scenario *sc;
} tco_dlbuild;

/* Loads the library at path (RTLD_DEEPBIND: its calls to its own
 * functions stay within it, though this program or another build export
 * the same names) and the scenario with it.  On an error, a message on
 * standard error and exit(2). */
void tco_dlbuild_open(tco_dlbuild *b, const char *path, const char *scenario);

/* One run of n futures on one thread, loop and statistics
 * (tco_run_execute and tco_results_compute): the calling thread's CPU
 * seconds (the kernel's work for it included). */
double tco_dlbuild_run(tco_dlbuild *b, long n);

/* The calling thread's CPU seconds. */
double tco_thread_cpu(void);

void tco_dlbuild_close(tco_dlbuild *b);

#endif
