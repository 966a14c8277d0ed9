/* The Excel workbook of an output folder, DIR/results.xlsx (libxlsxwriter):
 * a sheet per table, units and currency in the headers, number formats,
 * frozen header rows and native Excel charts, so that an analyst can go on
 * in a spreadsheet.  Every name from the scenario goes in as a string cell,
 * never as a formula.
 *
 * Each function writes dir/results.xlsx whole: a temporary file in dir,
 * renamed into place when complete (like tco_write_file).  libxlsxwriter's
 * own temporary files go to dir too.  Errors name the file. */
#ifndef TCO_XLSX_H
#define TCO_XLSX_H

#include "compare.h"
#include "output.h"
#include "sensitivity.h"
#include "sweep.h"

/* A run: sheets summary (MODEL.md 10 per strategy, with the S-curve chart),
 * savings (against the baseline, with the savings S-curve), pairwise
 * (P(row cheaper than column), when computed), monthly (with a fan chart
 * per strategy), categories (with a stacked bar chart), quantiles and
 * savings quantiles (the data of the two S-curves), inputs (as tcosim
 * describe shows them) and about (the run and its provenance).  r->run may
 * be NULL: the quantile sheets, their charts and the clamped counts are
 * then left out. */
tco_status tco_xlsx_write_run(const char *dir, const tco_report *r, tco_error *err);

/* A sweep: sheets sweep (as sweep.csv), sweep means (a one-input sweep's
 * mean NPV along the input, with its chart), crossovers, inputs and about.
 * prov may be NULL. */
tco_status tco_xlsx_write_sweep(const char *dir, const tco_scenario *sc, const tco_sweep *sw,
                                const tco_provenance *prov, tco_error *err);

/* A sensitivity analysis: sheets sensitivity (one row per input, with a
 * bar chart), value of information (the output in words, its mean, EVPI
 * and each input's EVPPI), inputs and about.  prov may be NULL. */
tco_status tco_xlsx_write_sensitivity(const char *dir, const tco_scenario *sc,
                                      const tco_sensitivity *r, const tco_provenance *prov,
                                      tco_error *err);

/* A comparison of named cases (tcosim compare): sheets compare (a row per
 * case and strategy, as compare.csv, with the S-curves of every case
 * overlaid), compare quantiles (their data), cases (names and
 * descriptions), inputs (of the base case) and about. */
tco_status tco_xlsx_write_compare(const char *dir, const tco_compare *cmp,
                                  const tco_provenance *prov, tco_error *err);

#endif
