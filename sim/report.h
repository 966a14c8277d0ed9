/* The files of an output folder: what a run, a sweep and a sensitivity
 * analysis write, each file whole (see tco_write_file).  The folder itself
 * is made one unit by outdir.h; these functions only fill it. */
#ifndef TCO_REPORT_H
#define TCO_REPORT_H

#include <signal.h>

#include "charts.h"
#include "output.h"
#include "sensitivity.h"
#include "sweep.h"

/* Writes a run's results.json, summary.csv, monthly.csv, categories.csv,
 * samples.csv (when samples), meta.csv and the chart data into dir.  Checks
 * *cancel (may be NULL) between files: TCO_EINTR when set. */
tco_status tco_report_write(const char *dir, const tco_report *r, int samples,
                            const volatile sig_atomic_t *cancel, tco_error *err);

/* Writes a sweep's sweep.csv, crossovers.csv, chart data and meta.csv
 * (naming its chart) into dir.  *spec is set to the sweep's chart; its
 * extra points into extra (size bytes, owned by the caller). */
tco_status tco_report_write_sweep(const char *dir, const tco_scenario *sc, const tco_sweep *sw,
                                  tco_sampling sampling, tco_chart_spec *spec, char *extra,
                                  size_t size, tco_error *err);

/* Writes sensitivity.csv and meta.csv (naming the charts specs) into dir. */
tco_status tco_report_write_sensitivity(const char *dir, const tco_scenario *sc,
                                        const tco_sensitivity *r, long futures, uint64_t seed,
                                        tco_sampling sampling, const tco_chart_spec *specs,
                                        size_t nspecs, tco_error *err);

/* The charts of a sensitivity analysis, and what its output is in words
 * ("NPV of open minus api").  specs point into the struct: do not copy it. */
typedef struct {
    char what[300], rank_extra[320];
    tco_chart_spec specs[2];
    size_t nspecs;
} tco_sens_charts;

void tco_sens_charts_init(tco_sens_charts *c, const tco_scenario *sc, const tco_sensitivity *r);

/* The sensitivity table people read: the 15 most important inputs, the
 * EVPI and the 5 inputs most worth measuring. */
tco_status tco_write_sensitivity_table(FILE *f, const tco_sensitivity *r, const tco_scenario *sc,
                                       const char *what);

#endif
