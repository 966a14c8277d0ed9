/* tcosim compare: the scenario and its named cases (cases.h) run on the
 * same futures (common random numbers: one seed, one number of futures,
 * one sampling method for all), side by side.
 *
 * A case's own simulation block is ignored: every case uses the base's
 * (or the command line's) seed, futures and sampling, so that the
 * differences between cases come from their overrides alone.  Every case
 * must keep the scenario's strategies, in the same order. */
#ifndef TCO_COMPARE_H
#define TCO_COMPARE_H

#include <stdio.h>

#include "cases.h"
#include "charts.h"
#include "engine.h"
#include "stats.h"

/* Points of each S-curve in compare_scurve.csv: NPV at P = k / (N - 1). */
#define TCO_COMPARE_NCURVE 201

typedef struct {
    const char *name;        /* TCO_CASE_BASE or the case's (owned by the list) */
    const char *description; /* "" when none */
    const tco_case_info *info; /* NULL for the base */
    tco_scenario *sc;
    tco_results *res;
    double *curve;           /* S x TCO_COMPARE_NCURVE */
} tco_compare_case;

typedef struct {
    const char *file;        /* the scenario path as given (not owned) */
    const char *const *sets; /* the --set overrides applied to every case (not owned) */
    size_t nsets;
    size_t n;                /* cases, the base first */
    tco_compare_case *c;
    tco_case_list *list;
    long futures;
    uint64_t seed;
    tco_sampling sampling;
    int threads;
    double seconds;          /* wall time of every run together */
} tco_compare;

/* Runs the scenario at path (with base's --set overrides, which apply to
 * every case after the case's own) and the cases named names[0..nnames),
 * or every case of the file when names is NULL, on the same futures.
 * Every case is loaded and checked before any is run.  opt gives the
 * futures, seed, sampling, threads, progress (over all runs) and cancel
 * flag.  *out belongs to the caller (tco_compare_free). */
tco_status tco_compare_run(tco_compare **out, const char *path, const tco_load_options *base,
                           const char *const *names, size_t nnames, const tco_run_options *opt,
                           tco_error *err);

void tco_compare_free(tco_compare *cmp);

/* Writes compare.csv, compare.json, compare_scurve.csv, compare_table.txt
 * and meta.csv (naming the compare chart) into dir.  *spec is set to the
 * chart; its extra points into extra (size bytes, the caller's). */
tco_status tco_compare_write(const char *dir, const tco_compare *cmp, tco_chart_spec *spec,
                             char *extra, size_t size, tco_error *err);

/* The table people read, at most 100 columns wide: one block of rows per
 * case, one row per strategy. */
tco_status tco_write_compare_table(FILE *f, const tco_compare *cmp);

#endif
