#include "report.h"

#include "boardpack.h"
#include "number.h"
#include "xlsx.h"

static tco_status w_board(FILE *f, const tco_report *r) { return tco_boardpack_run(f, r); }

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
                 {"samples.csv", tco_write_samples_csv},
                 {"savings.csv", tco_write_savings_csv},
                 {"pairs.csv", tco_write_pairs_csv},
                 {"savings_curve.csv", tco_write_savings_curve_csv},
                 {"events.csv", tco_write_events_csv}};
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
        return tco_error_set(err, TCO_EINTR, "interrupted while writing results.xlsx");
    tco_status st = tco_xlsx_write_run(dir, r, err);
    if (st != TCO_OK)
        return st;
    if (cancel && *cancel)
        return tco_error_set(err, TCO_EINTR, "interrupted while writing the chart data");
    st = tco_chart_data_write(dir, r, err);
    if (st != TCO_OK)
        return st;
    /* The board pack's own pages (boardpack.h), drawn with the charts. */
    char path[4200];
    tco_snprintf(path, sizeof path, "%s/board.tsv", dir);
    return tco_write_file(path, w_board, r, err);
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
    any_writer w = {{sc, NULL, NULL, NULL}, obj, write};
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

/* The board pack pages of a sweep and of a sensitivity analysis. */
typedef struct {
    const void *obj;
    const char *what;
    long futures;
    uint64_t seed;
    tco_sampling sampling;
    const tco_provenance *prov;
} board_args;

static tco_status w_board_sweep(FILE *f, const void *o, const tco_scenario *sc)
{
    const board_args *a = o;
    return tco_boardpack_sweep(f, sc, a->obj, a->sampling, a->prov);
}

static tco_status w_board_sens(FILE *f, const void *o, const tco_scenario *sc)
{
    const board_args *a = o;
    return tco_boardpack_sensitivity(f, sc, a->obj, a->what, a->futures, a->seed, a->sampling,
                                     a->prov);
}

tco_status tco_report_write_sweep(const char *dir, const tco_scenario *sc, const tco_sweep *sw,
                                  tco_sampling sampling, tco_chart_spec *spec, char *extra,
                                  size_t size, const tco_provenance *prov, tco_error *err)
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
    if ((st = tco_xlsx_write_sweep(dir, sc, sw, prov, err)))
        return st;
    if ((st = write_any(dir, "sweep.csv", w_sweep, sw, sc, err)) ||
        (st = write_any(dir, "crossovers.csv", w_cross, sw, sc, err)) ||
        (st = write_any(dir, sw->nvary == 1 ? "sweep_chart.csv" : "sweep_grid.csv",
                        w_sweep_chart, sw, sc, err)))
        return st;
    board_args ba = {sw, NULL, sw->futures, sw->seed, sampling, prov};
    if ((st = write_any(dir, "board.tsv", w_board_sweep, &ba, sc, err)))
        return st;
    return tco_write_meta(dir, sc, sw->futures, sw->seed, sampling, spec, 1, prov, err);
}

tco_status tco_report_write_sensitivity(const char *dir, const tco_scenario *sc,
                                        const tco_sensitivity *r, long futures, uint64_t seed,
                                        tco_sampling sampling, const tco_chart_spec *specs,
                                        size_t nspecs, const tco_provenance *prov,
                                        tco_error *err)
{
    tco_status st = tco_xlsx_write_sensitivity(dir, sc, r, prov, err);
    if (st == TCO_OK)
        st = write_any(dir, "sensitivity.csv", w_sens, r, sc, err);
    if (st != TCO_OK)
        return st;
    tco_sens_charts charts;
    tco_sens_charts_init(&charts, sc, r);
    board_args ba = {r, charts.what, futures, seed, sampling, prov};
    if ((st = write_any(dir, "board.tsv", w_board_sens, &ba, sc, err)))
        return st;
    return tco_write_meta(dir, sc, futures, seed, sampling, specs, nspecs, prov, err);
}


static size_t worth_measuring(const tco_sensitivity *r)
{
    size_t m = 0;
    for (size_t i = 0; i < r->nevppi; i++)
        m += tco_evppi_worth(r->evppi[i].value, r->evpi);
    return m;
}

void tco_sens_charts_init(tco_sens_charts *c, const tco_scenario *sc, const tco_sensitivity *r)
{
    if (r->versus >= 0)
        tco_snprintf(c->what, sizeof c->what, "NPV of %s minus %s",
                     sc->strategies[r->output].name, sc->strategies[r->versus].name);
    else
        tco_snprintf(c->what, sizeof c->what, "NPV of %s", sc->strategies[r->output].name);
    tco_snprintf(c->rank_extra, sizeof c->rank_extra, "rank|%s", c->what);
    c->nspecs = 0;
    if (r->method == TCO_SENS_TORNADO)
        c->specs[c->nspecs++] = (tco_chart_spec){TCO_CHART_TORNADO, c->what};
    else if (r->method == TCO_SENS_SOBOL)
        c->specs[c->nspecs++] = (tco_chart_spec){TCO_CHART_SOBOL, c->what};
    else
        c->specs[c->nspecs++] = (tco_chart_spec){TCO_CHART_RANK, c->rank_extra};
    if (worth_measuring(r) > 0) /* an empty value-of-information chart says nothing */
        c->specs[c->nspecs++] = (tco_chart_spec){TCO_CHART_VOI, NULL};
}

tco_status tco_write_sensitivity_table(FILE *f, const tco_sensitivity *r, const tco_scenario *sc,
                                       const char *what)
{
    tco_sens_method m = r->method;
    char a[32], b[32], d[32];
    tco_format_money(r->base_mean, a, sizeof a);
    tco_fprintf(f, "Output: %s (mean %s %s)\n\n", what, a, sc->currency);
    if (m == TCO_SENS_SOBOL && !r->quasi)
        fputs("(more than 20 uncertain inputs: the design uses pseudo-random numbers, as GSL's "
              "Sobol sequence stops at 40 dimensions)\n",
              f);
    tco_fprintf(f, "%-60s %12s %12s %12s\n", "input",
                m == TCO_SENS_RANK ? "rank corr." : m == TCO_SENS_TORNADO ? "swing" : "total",
                m == TCO_SENS_TORNADO ? "at P10" : "low", m == TCO_SENS_TORNADO ? "at P90" : "high");
    for (size_t i = 0; i < r->nrows && i < 15; i++) {
        const tco_sens_row *q = &r->rows[i];
        const char *path = sc->inputs[q->input].path;
        if (m == TCO_SENS_SOBOL)
            tco_fprintf(f, "%-60s %12.3f %12.3f %12.3f  (first order %.3f)\n", path, q->value2,
                        q->low2, q->high2, q->value);
        else if (m == TCO_SENS_RANK)
            tco_fprintf(f, "%-60s %12.3f %12.3f %12.3f\n", path, q->value, q->low, q->high);
        else {
            tco_format_money(q->value, a, sizeof a);
            tco_format_money(q->low, b, sizeof b);
            tco_format_money(q->high, d, sizeof d);
            tco_fprintf(f, "%-60s %12s %12s %12s\n", path, a, b, d);
        }
    }
    tco_format_money(r->evpi, a, sizeof a);
    tco_fprintf(f, "\nExpected value of perfect information (EVPI): %s %s. ", a, sc->currency);
    if (worth_measuring(r) == 0) {
        tco_fprintf(f, "No single input changes the decision (no input's EVPPI is above %g%% of "
                       "the EVPI).\n",
                    100 * TCO_EVPPI_NOISE);
        return ferror(f) ? TCO_EIO : TCO_OK;
    }
    fputs("Worth measuring first:\n", f);
    /* Most valuable first (sorted): stop at the first below the threshold. */
    for (size_t i = 0; i < r->nevppi && i < 5 && tco_evppi_worth(r->evppi[i].value, r->evpi);
         i++) {
        tco_format_money(r->evppi[i].value, a, sizeof a);
        tco_fprintf(f, "  %-58s EVPPI %s\n", sc->inputs[r->evppi[i].input].path, a);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}
