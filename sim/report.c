#include "report.h"

#include "number.h"

tco_status tco_report_write(const char *dir, const tco_report *r, int samples,
                            const volatile sig_atomic_t *cancel, tco_error *err)
{
    static const struct {
        const char *name;
        tco_status (*writer)(FILE *, const tco_report *);
    } files[] = {{"results.json", tco_write_json},
                 {"summary.csv", tco_write_summary_csv},
                 {"monthly.csv", tco_write_monthly_csv},
                 {"categories.csv", tco_write_categories_csv},
                 {"samples.csv", tco_write_samples_csv}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (files[i].writer == tco_write_samples_csv && !samples)
            continue;
        if (cancel && *cancel)
            return tco_error_set(err, TCO_EINTR, "interrupted while writing %s", files[i].name);
        char path[4200];
        tco_snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        tco_status st = tco_write_file(path, files[i].writer, r, err);
        if (st != TCO_OK)
            return st;
    }
    if (cancel && *cancel)
        return tco_error_set(err, TCO_EINTR, "interrupted while writing the chart data");
    return tco_chart_data_write(dir, r, err);
}

/* tco_write_file takes a report; other objects ride in a larger struct
 * whose first member is that report. */
typedef struct {
    tco_report rep; /* first: the writer receives a pointer to it */
    const void *obj;
    tco_status (*write)(FILE *, const void *, const tco_scenario *);
} any_writer;

static tco_status call_any(FILE *f, const tco_report *r)
{
    const any_writer *w = (const any_writer *)(const void *)r;
    return w->write(f, w->obj, r->sc);
}

static tco_status write_any(const char *dir, const char *name,
                            tco_status (*write)(FILE *, const void *, const tco_scenario *),
                            const void *obj, const tco_scenario *sc, tco_error *err)
{
    any_writer w = {{sc, NULL, NULL}, obj, write};
    char path[4200];
    tco_snprintf(path, sizeof path, "%s/%s", dir, name);
    return tco_write_file(path, call_any, &w.rep, err);
}

static tco_status w_sweep(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_sweep_csv(f, o);
}

static tco_status w_cross(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_crossovers_csv(f, o);
}

static tco_status w_sweep_chart(FILE *f, const void *o, const tco_scenario *sc)
{
    (void)sc;
    return tco_write_sweep_chart_csv(f, o);
}

static tco_status w_sens(FILE *f, const void *o, const tco_scenario *sc)
{
    return tco_write_sensitivity_csv(f, o, sc);
}

tco_status tco_report_write_sweep(const char *dir, const tco_scenario *sc, const tco_sweep *sw,
                                  tco_sampling sampling, tco_chart_spec *spec, char *extra,
                                  size_t size, tco_error *err)
{
    if (sw->nvary == 1) {
        tco_snprintf(extra, size, "%s%s", sw->path[0], sw->log[0] ? " log" : "");
        *spec = (tco_chart_spec){TCO_CHART_SWEEP, extra};
    } else {
        tco_snprintf(extra, size, "%s%s|%s%s", sw->path[0], sw->log[0] ? " log" : "",
                     sw->path[1], sw->log[1] ? " log" : "");
        *spec = (tco_chart_spec){TCO_CHART_SWEEP2D, extra};
    }
    tco_status st;
    if ((st = write_any(dir, "sweep.csv", w_sweep, sw, sc, err)) ||
        (st = write_any(dir, "crossovers.csv", w_cross, sw, sc, err)) ||
        (st = write_any(dir, sw->nvary == 1 ? "sweep_chart.csv" : "sweep_grid.csv",
                        w_sweep_chart, sw, sc, err)))
        return st;
    return tco_write_meta(dir, sc, sw->futures, sw->seed, sampling, spec, 1, err);
}

tco_status tco_report_write_sensitivity(const char *dir, const tco_scenario *sc,
                                        const tco_sensitivity *r, long futures, uint64_t seed,
                                        tco_sampling sampling, const tco_chart_spec *specs,
                                        size_t nspecs, tco_error *err)
{
    tco_status st = write_any(dir, "sensitivity.csv", w_sens, r, sc, err);
    if (st != TCO_OK)
        return st;
    return tco_write_meta(dir, sc, futures, seed, sampling, specs, nspecs, err);
}
