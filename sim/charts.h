/* Charts of a run, drawn by the gnuplot command line from CSV files.
 *
 * A run writes, next to its results, the chart data (wide CSV files, one
 * column group per strategy) and meta.csv; the templates in plots/ turn
 * them into PNG and SVG charts and a multi-page PDF board pack.  gnuplot is
 * started as a child process with its arguments passed directly (no shell),
 * so any path or scenario name is safe. */
#ifndef TCO_CHARTS_H
#define TCO_CHARTS_H

#include <stdint.h>

#include "error.h"
#include "output.h"

/* The charts, in the order of the board pack. */
#define TCO_NCHARTS 7
extern const char *const TCO_CHARTS[TCO_NCHARTS];

/* One chart: drawn by template <plots_dir>/<template>.gp with option extra
 * into <dir>/plots/<name>.png and .svg. */
typedef struct {
    const char *name, *template, *extra;
} tco_chart_spec;

/* Writes meta.csv, decision.txt, npv_quantiles.csv, npv_density.csv,
 * fan.csv, cumulative.csv and breakeven.csv into dir. */
tco_status tco_chart_data_write(const char *dir, const tco_report *r, tco_error *err);

/* Draws every chart of the folder dir into dir/plots/ (PNG and SVG): for a
 * run's folder also dir/report.pdf; for a sweep's or a sensitivity
 * analysis's, the charts its meta.csv lists.  Templates from plots_dir.  Returns TCO_ECHARTS
 * with an explanation (gnuplot missing, or its own error messages) when
 * charts could not be drawn; results are never touched. */
tco_status tco_charts_draw(const char *dir, const char *plots_dir, tco_error *err);


/* Draws the charts of a sweep or sensitivity folder (title, footnote and
 * currency as in the run's charts). */
tco_status tco_charts_draw_list(const char *dir, const char *plots_dir, const tco_chart_spec *c,
                                size_t n, const char *title, const char *foot,
                                const char *currency, tco_error *err);

/* Writes dir/meta.csv for folders other than a run's (sweeps, sensitivity),
 * with the charts that tco_charts_draw will redraw there. */
tco_status tco_write_meta(const char *dir, const tco_scenario *sc, long futures, uint64_t seed,
                          tco_sampling sampling, const tco_chart_spec *charts, size_t ncharts,
                          tco_error *err);

/* The folder of the gnuplot templates: $TCOSIM_PLOTS, else plots/ beside
 * the program (a build tree), else the installed share/tcosim/plots. */
void tco_plots_dir(char *buf, size_t size);

#endif
