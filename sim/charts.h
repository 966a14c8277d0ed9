/* Charts of a run, drawn by the gnuplot command line from CSV files.
 *
 * A run writes, next to its results, the chart data (wide CSV files, one
 * column group per strategy) and meta.csv; the templates in plots/ turn
 * them into PNG and SVG charts and a multi-page PDF board pack.  gnuplot is
 * started as a child process with its arguments passed directly (no shell),
 * in a process group of its own, with a timeout. */
#ifndef TCO_CHARTS_H
#define TCO_CHARTS_H

#include <stdint.h>

#include "error.h"
#include "output.h"

#include <signal.h>

/* The kinds of chart, each drawn by a template compiled into this table
 * (never named by a data file). */
typedef enum {
    TCO_CHART_DISTRIBUTION, TCO_CHART_SCURVE, TCO_CHART_FAN, TCO_CHART_FAN_CUMULATIVE,
    TCO_CHART_CATEGORIES, TCO_CHART_DECISION, TCO_CHART_BREAKEVEN, /* a run's, in board order */
    TCO_CHART_SWEEP, TCO_CHART_SWEEP2D,                            /* a sweep's */
    TCO_CHART_TORNADO, TCO_CHART_SOBOL, TCO_CHART_RANK, TCO_CHART_VOI, /* sensitivity's */
    TCO_CHART_COMPARE, /* compare's S-curves; drawn with its board pack, report.pdf */
    TCO_CHART_SAVINGS, /* a run's: savings against the baseline (appended) */
    TCO_NKINDS
} tco_chart_kind;

/* The identifier of a kind: its file name in plots/ (static string). */
const char *tco_chart_id(tco_chart_kind k);

/* One chart: drawn into <dir>/plots/<id>.png and .svg; extra is the
 * template's option (the input paths of a sweep, what a sensitivity
 * analysis studies), ignored for kinds with a fixed option. */
typedef struct {
    tco_chart_kind kind;
    const char *extra;
} tco_chart_spec;

/* Seconds gnuplot may take on one chart unless told otherwise. */
#define TCO_CHART_TIMEOUT 60.0

/* The most strategies charted: more make unreadable legends and charts
 * that take minutes (300 strategies: over 2 minutes). */
#define TCO_CHART_MAX_STRATEGIES 40

typedef struct {
    const char *plots_dir;              /* the templates (see tco_plots_dir) */
    const char *title, *foot, *currency; /* texts on every chart */
    double timeout;                      /* seconds per chart; <= 0: TCO_CHART_TIMEOUT */
    const volatile sig_atomic_t *cancel; /* when set to nonzero, stop (TCO_EINTR) */
    size_t strategies;                   /* strategies in the data; 0: not checked */
} tco_chart_options;

/* Writes meta.csv, decision.txt, npv_quantiles.csv, npv_density.csv,
 * fan.csv, cumulative.csv and breakeven.csv into dir. */
tco_status tco_chart_data_write(const char *dir, const tco_report *r, tco_error *err);

/* Draws a run's charts into dir/plots/ (PNG and SVG) and dir/report.pdf.
 * gnuplot sees absolute paths only and texts without control characters;
 * it writes into a private folder, and a chart is installed only when it is
 * whole (PNG IEND chunk, </svg>, %%EOF).  Returns TCO_ECHARTS with an
 * explanation (gnuplot missing, its own error messages, an incomplete file,
 * the timeout), TCO_EINTR when cancelled; results are never touched. */
tco_status tco_charts_draw_run(const char *dir, const tco_chart_options *o, tco_error *err);

/* Draws the n charts c of a sweep or sensitivity folder, as above. */
tco_status tco_charts_draw_list(const char *dir, const tco_chart_spec *c, size_t n,
                                const tco_chart_options *o, tco_error *err);

/* Redraws the charts of an earlier run's, sweep's or sensitivity
 * analysis's folder from its files (tcosim plot).  Texts come from its
 * meta.csv, read as data: the charts are only chosen among the kinds above
 * by their exact identifiers, and values are checked.  o's texts are
 * ignored.  Drawing folders left in dir by a killed redraw are removed: the
 * caller holds the folder's lock (tco_outdir_lock). */
tco_status tco_charts_redraw(const char *dir, const tco_chart_options *o, tco_error *err);

/* Writes dir/meta.csv for folders other than a run's (sweeps, sensitivity),
 * with the charts that tco_charts_redraw will redraw there. */
tco_status tco_write_meta(const char *dir, const tco_scenario *sc, long futures, uint64_t seed,
                          tco_sampling sampling, const tco_chart_spec *charts, size_t ncharts,
                          tco_error *err);

/* The footnote of every chart: "1000 futures, seed 5, random sampling,
 * tcosim 0.1.0". */
void tco_chart_footnote(char *buf, size_t size, long futures, uint64_t seed,
                        tco_sampling sampling);

/* The folder of the gnuplot templates: $TCOSIM_PLOTS, else plots/ beside
 * the program (a build tree), else the installed share/tcosim/plots. */
void tco_plots_dir(char *buf, size_t size);

#endif
