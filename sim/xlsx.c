#include "xlsx.h"

#include "compare.h"
#include "number.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

/* A workbook being written: its formats and the first error of any call
 * (later calls still run, but the file is not kept). */
typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *money, *money2, *prob, *month, *count;
    const char *currency;
    lxw_error e;
} book;

/* One colour per strategy, the same in every chart of the workbook. */
static const lxw_color_t palette[] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728,
                                      0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F,
                                      0xBCBD22, 0x17BECF};
#define NPALETTE (sizeof palette / sizeof *palette)

/* The most fan charts drawn on the monthly sheet (one per strategy). */
#define MAX_FANS 12

/* Points of the S-curve: cumulative probabilities 0.5%, 1%, ..., 99.5%
 * (the extremes are left out: one outlier would stretch the axis). */
#define NQUANT 199

static void note(book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->e == LXW_NO_ERROR)
        b->e = e;
}

/* The axes of an S-curve chart: what (NPV, savings) in the currency across, cumulative
 * probability up from 0 to 100%, the legend below. */
static void scurve_axes(book *b, lxw_chart *ch, const char *title, const char *what)
{
    char axis[64];
    chart_title_set_name(ch, title);
    tco_snprintf(axis, sizeof axis, "%s (%s)", what, b->currency);
    chart_axis_set_name(ch->x_axis, axis);
    chart_axis_set_num_format(ch->x_axis, "#,##0");
    chart_axis_set_name(ch->y_axis, "cumulative probability");
    chart_axis_set_num_format(ch->y_axis, "0%");
    chart_axis_set_min(ch->y_axis, 0);
    chart_axis_set_max(ch->y_axis, 1);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
}

static lxw_worksheet *sheet(book *b, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (!ws)
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return ws;
}

/* A string cell, never a formula (worksheet_write_string stores text as
 * is: "=cmd" stays the text "=cmd").  Control characters and invalid
 * UTF-8, which would make the XML invalid, are replaced first (each byte
 * by at most 4), and the text is cut at Excel's 32767 characters. */
static void text(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                 lxw_format *fmt)
{
    char small[256];
    s = s ? s : "";
    size_t size = 4 * strlen(s) + 1;
    size = size > 32768 ? 32768 : size;
    char *buf = size <= sizeof small ? small : malloc(size);
    if (!buf) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    tco_clean_text(s, buf, size);
    note(b, worksheet_write_string(ws, row, col, buf, fmt));
    if (buf != small)
        free(buf);
}

/* A number cell; NaN and infinities (break-even that never happens, an
 * absent threshold) are left blank, as in the CSV files. */
static void number(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double x,
                   lxw_format *fmt)
{
    if (isfinite(x))
        note(b, worksheet_write_number(ws, row, col, x, fmt));
}

/* Column col wide enough for text of w characters (within limits). */
static void width(book *b, lxw_worksheet *ws, lxw_col_t col, size_t w)
{
    w += 2;
    note(b, worksheet_set_column(ws, col, col, w < 12 ? 12 : w > 60 ? 60 : (double)w, NULL));
}

/* A header cell: label, with the currency when money; the column is made
 * wide enough for it. */
static void head(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *label,
                 int money)
{
    char buf[512];
    if (money)
        tco_snprintf(buf, sizeof buf, "%s (%s)", label, b->currency);
    else
        tco_snprintf(buf, sizeof buf, "%s", label);
    text(b, ws, row, col, buf, b->head);
    width(b, ws, col, strlen(buf));
}

/* The strategy column col: wide enough for the longest of names[0..n). */
static void width_names(book *b, lxw_worksheet *ws, lxw_col_t col, const char *const *names,
                        size_t n)
{
    size_t w = strlen("strategy");
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) > w)
            w = strlen(names[i]);
    width(b, ws, col, w);
}

/* The first column, of sc's strategies. */
static void width_strategies(book *b, lxw_worksheet *ws, const tco_scenario *sc)
{
    size_t w = strlen("strategy");
    for (size_t i = 0; i < sc->nstrategies; i++)
        if (strlen(sc->strategies[i].name) > w)
            w = strlen(sc->strategies[i].name);
    width(b, ws, 0, w);
}

static void book_open(book *b, const char *tmp, char *tmpdir, const char *currency)
{
    lxw_workbook_options opt = {.tmpdir = tmpdir};
    memset(b, 0, sizeof *b);
    b->currency = currency && *currency ? currency : "money";
    b->wb = workbook_new_opt(tmp, &opt);
    if (!b->wb) {
        b->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
        return;
    }
    lxw_format **f[] = {&b->head, &b->money, &b->money2, &b->prob, &b->month, &b->count};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (!(*f[i] = workbook_add_format(b->wb)))
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
    if (b->e)
        return;
    format_set_bold(b->head);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    format_set_num_format(b->money, "#,##0");
    format_set_num_format(b->money2, "#,##0.00");
    format_set_num_format(b->prob, "0.0%");
    format_set_num_format(b->month, "0.0");
    format_set_num_format(b->count, "0.00");
}

/* Freezes the header row (and the first column when col is 1). */
static void freeze(lxw_worksheet *ws, lxw_col_t col)
{
    worksheet_freeze_panes(ws, 1, col);
}

/* ---- the sheets of a run ---- */

static void summary_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    static const char *const pct[TCO_NPCT] = {"P5", "P10", "P25", "P50", "P75", "P90", "P95"};
    int ce = sc->risk_tolerance > 0, budget = !isnan(sc->budget);
    lxw_col_t c = 0;
    head(b, ws, 0, c++, "strategy", 0);
    head(b, ws, 0, c++, "mean NPV", 1);
    head(b, ws, 0, c++, "sd of NPV", 1);
    head(b, ws, 0, c++, "standard error of the mean", 1);
    for (int p = 0; p < TCO_NPCT; p++) {
        char l[32];
        tco_snprintf(l, sizeof l, "%s NPV", pct[p]);
        head(b, ws, 0, c++, l, 1);
    }
    head(b, ws, 0, c++, "CVaR95 NPV", 1);
    head(b, ws, 0, c++, "min NPV", 1);
    head(b, ws, 0, c++, "max NPV", 1);
    head(b, ws, 0, c++, "nominal mean", 1);
    head(b, ws, 0, c++, "cost per million tokens", 1);
    head(b, ws, 0, c++, "P(cheapest)", 0);
    head(b, ws, 0, c++, "mean regret", 1);
    head(b, ws, 0, c++, "P95 regret", 1);
    head(b, ws, 0, c++, "P(break-even vs baseline)", 0);
    head(b, ws, 0, c++, "break-even median month", 0);
    head(b, ws, 0, c++, "route changes (mean)", 0);
    head(b, ws, 0, c++, "P(route change)", 0);
    head(b, ws, 0, c++, "first route change median month", 0);
    head(b, ws, 0, c++, "unserved requests (mean)", 0);
    if (ce)
        head(b, ws, 0, c++, "certainty equivalent", 1);
    if (budget)
        head(b, ws, 0, c++, "P(within budget)", 0);
    width_strategies(b, ws, sc);
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        lxw_row_t row = (lxw_row_t)(s + 1);
        c = 0;
        text(b, ws, row, c++, sc->strategies[s].name, NULL);
        number(b, ws, row, c++, q->npv.mean, b->money);
        number(b, ws, row, c++, q->npv.sd, b->money);
        number(b, ws, row, c++, q->npv.se, b->money);
        for (int p = 0; p < TCO_NPCT; p++)
            number(b, ws, row, c++, q->npv.p[p], b->money);
        number(b, ws, row, c++, q->npv.cvar95, b->money);
        number(b, ws, row, c++, q->npv.min, b->money);
        number(b, ws, row, c++, q->npv.max, b->money);
        number(b, ws, row, c++, q->nominal_mean, b->money);
        number(b, ws, row, c++, q->cost_per_mtok, b->money2);
        number(b, ws, row, c++, q->p_cheapest, b->prob);
        number(b, ws, row, c++, q->regret_mean, b->money);
        number(b, ws, row, c++, q->regret_p95, b->money);
        number(b, ws, row, c++, q->breakeven_probability, b->prob);
        number(b, ws, row, c++, q->breakeven_median, b->month);
        number(b, ws, row, c++, q->switches_mean, b->count);
        number(b, ws, row, c++, q->switches_probability, b->prob);
        number(b, ws, row, c++, q->switches_median_first, b->month);
        number(b, ws, row, c++, q->unserved, b->money);
        if (ce)
            number(b, ws, row, c++, q->ce, b->money);
        if (budget)
            number(b, ws, row, c++, q->p_within_budget, b->prob);
    }
    freeze(ws, 1);
}

static void savings_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    static const char *const pct[TCO_NPCT] = {"P5", "P10", "P25", "P50", "P75", "P90", "P95"};
    lxw_col_t c = 0;
    head(b, ws, 0, c++, "strategy", 0);
    head(b, ws, 0, c++, "mean savings vs baseline", 1);
    head(b, ws, 0, c++, "95% interval low", 1);
    head(b, ws, 0, c++, "95% interval high", 1);
    for (int p = 0; p < TCO_NPCT; p++) {
        char l[32];
        tco_snprintf(l, sizeof l, "%s savings", pct[p]);
        head(b, ws, 0, c++, l, 1);
    }
    head(b, ws, 0, c++, "P(saves)", 0);
    /* The threshold of --saves-more-than in the heading; without one the
     * column stays, empty. */
    char more[96] = "P(saves more than the threshold)";
    if (isfinite(res->saves_more_than)) {
        char x[32];
        tco_format_money(res->saves_more_than, x, sizeof x);
        tco_snprintf(more, sizeof more, "P(saves more than %s %s)", x, b->currency);
    }
    head(b, ws, 0, c++, more, 0);
    head(b, ws, 0, c++, "identical to baseline", 0);
    width_strategies(b, ws, sc);
    for (size_t s = 0; s < res->S; s++) {
        const tco_savings *q = &res->st[s].savings;
        lxw_row_t row = (lxw_row_t)(s + 1);
        c = 0;
        text(b, ws, row, c++, sc->strategies[s].name, NULL);
        number(b, ws, row, c++, q->mean, b->money);
        number(b, ws, row, c++, q->ci_low, b->money);
        number(b, ws, row, c++, q->ci_high, b->money);
        for (int p = 0; p < TCO_NPCT; p++)
            number(b, ws, row, c++, q->p[p], b->money);
        number(b, ws, row, c++, q->p_saves, b->prob);
        number(b, ws, row, c++, q->p_saves_more, b->prob);
        number(b, ws, row, c++, q->identical, b->prob);
    }
    freeze(ws, 1);
}

/* P(row strategy's NPV < column strategy's NPV), paired on futures. */
static void pairwise_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    head(b, ws, 0, 0, "P(row cheaper than column)", 0);
    width_strategies(b, ws, sc);
    for (size_t j = 0; j < res->S; j++)
        head(b, ws, 0, (lxw_col_t)(j + 1), sc->strategies[j].name, 0);
    for (size_t i = 0; i < res->S; i++) {
        text(b, ws, (lxw_row_t)(i + 1), 0, sc->strategies[i].name, NULL);
        for (size_t j = 0; j < res->S; j++)
            number(b, ws, (lxw_row_t)(i + 1), (lxw_col_t)(j + 1), res->p_cheaper[i * res->S + j],
                   b->prob);
    }
    freeze(ws, 1);
}

static void monthly_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    static const char *const band[TCO_NBAND] = {"P5 cost", "P25 cost", "P50 cost", "P75 cost",
                                                "P95 cost"};
    head(b, ws, 0, 0, "strategy", 0);
    head(b, ws, 0, 1, "month", 0);
    head(b, ws, 0, 2, "mean cost", 1);
    for (int k = 0; k < TCO_NBAND; k++)
        head(b, ws, 0, (lxw_col_t)(3 + k), band[k], 1);
    width_strategies(b, ws, sc);
    size_t T = (size_t)res->T;
    for (size_t s = 0; s < res->S; s++)
        for (size_t t = 0; t < T; t++) {
            lxw_row_t row = (lxw_row_t)(1 + s * T + t);
            text(b, ws, row, 0, sc->strategies[s].name, NULL);
            number(b, ws, row, 1, (double)(t + 1), NULL);
            number(b, ws, row, 2, res->st[s].monthly_mean[t], b->money);
            for (int k = 0; k < TCO_NBAND; k++)
                number(b, ws, row, (lxw_col_t)(3 + k), res->st[s].monthly_band[k][t], b->money);
        }
    freeze(ws, 1);
    if (T == 0)
        return;
    /* The fan charts: P5, P50 and P95 of each strategy's monthly cost, one
     * chart each, so that each has its own scale. */
    for (size_t s = 0; s < res->S && s < MAX_FANS; s++) {
        lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_LINE);
        if (!ch) {
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        lxw_row_t first = (lxw_row_t)(1 + s * T), last = (lxw_row_t)(s * T + T);
        static const int cols[3] = {3, 5, 7};
        for (int k = 0; k < 3; k++) {
            lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
            if (!ser) {
                note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
                return;
            }
            chart_series_set_categories(ser, "monthly", first, 1, last, 1);
            chart_series_set_values(ser, "monthly", first, (lxw_col_t)cols[k], last,
                                    (lxw_col_t)cols[k]);
            chart_series_set_name_range(ser, "monthly", 0, (lxw_col_t)cols[k]);
            lxw_chart_line line = {.color = palette[s % NPALETTE],
                                   .width = k == 1 ? 2.25f : 1.25f,
                                   .dash_type = k == 1 ? LXW_CHART_LINE_DASH_SOLID
                                                       : LXW_CHART_LINE_DASH_DASH};
            chart_series_set_line(ser, &line);
        }
        char title[400], clean[300], axis[64];
        tco_clean_text(sc->strategies[s].name, clean, sizeof clean);
        tco_snprintf(title, sizeof title, "Monthly cost of %s: P5, P50, P95", clean);
        chart_title_set_name(ch, title);
        chart_axis_set_name(ch->x_axis, "month");
        tco_snprintf(axis, sizeof axis, "cost (%s)", b->currency);
        chart_axis_set_name(ch->y_axis, axis);
        chart_axis_set_num_format(ch->y_axis, "#,##0");
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        lxw_chart_options opt = {.x_scale = 1.5, .y_scale = 1.2};
        note(b, worksheet_insert_chart_opt(ws, (lxw_row_t)(1 + 22 * s), 9, ch, &opt));
    }
}

static void categories_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    head(b, ws, 0, 0, "strategy", 0);
    for (int k = 0; k < TCO_NCAT; k++) {
        char l[64];
        tco_snprintf(l, sizeof l, "mean NPV: %s", tco_category_name((tco_category)k));
        head(b, ws, 0, (lxw_col_t)(1 + k), l, 1);
    }
    head(b, ws, 0, 1 + TCO_NCAT, "total", 1);
    width_strategies(b, ws, sc);
    for (size_t s = 0; s < res->S; s++) {
        lxw_row_t row = (lxw_row_t)(s + 1);
        double total = 0;
        text(b, ws, row, 0, sc->strategies[s].name, NULL);
        for (int k = 0; k < TCO_NCAT; k++) {
            number(b, ws, row, (lxw_col_t)(1 + k), res->st[s].cat[k], b->money);
            total += res->st[s].cat[k];
        }
        number(b, ws, row, 1 + TCO_NCAT, total, b->money);
    }
    freeze(ws, 1);
    /* The categories stacked per strategy, as the categories chart. */
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_BAR_STACKED);
    if (!ch) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    lxw_row_t last = (lxw_row_t)res->S;
    for (int k = 0; k < TCO_NCAT; k++) {
        lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
        if (!ser) {
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(ser, "categories", 1, 0, last, 0);
        chart_series_set_values(ser, "categories", 1, (lxw_col_t)(1 + k), last, (lxw_col_t)(1 + k));
        chart_series_set_name(ser, tco_category_name((tco_category)k));
    }
    char axis[64];
    chart_title_set_name(ch, "Mean NPV by cost category");
    tco_snprintf(axis, sizeof axis, "mean NPV (%s)", b->currency);
    chart_axis_set_name(ch->x_axis, axis);
    chart_axis_set_num_format(ch->x_axis, "#,##0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    /* Taller with more strategies, so that each bar stays readable. */
    double more = res->S > 5 ? (double)(res->S - 5) : 0;
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.0 + 0.1 * more};
    note(b, worksheet_insert_chart_opt(ws, (lxw_row_t)(res->S + 3), 0, ch, &opt));
}

/* The S-curve's data: each strategy's NPV at cumulative probabilities. */
static tco_status quantiles_sheet(book *b, const tco_report *r, lxw_worksheet *ws, tco_error *err)
{
    const tco_scenario *sc = r->sc;
    double p[NQUANT], *v = malloc(NQUANT * sizeof *v);
    if (!v)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    for (int i = 0; i < NQUANT; i++)
        p[i] = (i + 1) / (double)(NQUANT + 1);
    head(b, ws, 0, 0, "cumulative probability", 0);
    for (int i = 0; i < NQUANT; i++)
        number(b, ws, (lxw_row_t)(i + 1), 0, p[i], b->prob);
    for (size_t s = 0; s < r->res->S; s++) {
        char l[400], clean[300];
        tco_clean_text(sc->strategies[s].name, clean, sizeof clean);
        tco_snprintf(l, sizeof l, "%s NPV", clean);
        head(b, ws, 0, (lxw_col_t)(s + 1), l, 1);
        tco_status st = tco_stats_npv_curve(r->run, s, p, NQUANT, v, err);
        if (st != TCO_OK) {
            free(v);
            return st;
        }
        for (int i = 0; i < NQUANT; i++)
            number(b, ws, (lxw_row_t)(i + 1), (lxw_col_t)(s + 1), v[i], b->money);
    }
    free(v);
    freeze(ws, 1);
    return TCO_OK;
}

/* The savings S-curve's data: each strategy's savings against the
 * baseline (baseline NPV minus its NPV, paired on futures) at cumulative
 * probabilities; the baseline itself is left out. */
static tco_status savings_quantiles_sheet(book *b, const tco_report *r, lxw_worksheet *ws,
                                          tco_error *err)
{
    const tco_scenario *sc = r->sc;
    size_t n = (size_t)r->run->n, S = r->res->S;
    double p[NQUANT], *v = malloc(S * NQUANT * sizeof *v);
    if (!v)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    for (int i = 0; i < NQUANT; i++)
        p[i] = (i + 1) / (double)(NQUANT + 1);
    tco_status st = n > 0 ? tco_stats_savings_curves(r->run, p, NQUANT, v, err) : TCO_OK;
    if (st != TCO_OK) {
        free(v);
        return st;
    }
    head(b, ws, 0, 0, "cumulative probability", 0);
    for (int i = 0; i < NQUANT; i++)
        number(b, ws, (lxw_row_t)(i + 1), 0, p[i], b->prob);
    for (size_t s = 1; s < r->res->S && n > 0; s++) {
        char l[400], clean[300];
        tco_clean_text(sc->strategies[s].name, clean, sizeof clean);
        tco_snprintf(l, sizeof l, "%s savings", clean);
        head(b, ws, 0, (lxw_col_t)s, l, 1);
        for (int i = 0; i < NQUANT; i++)
            number(b, ws, (lxw_row_t)(i + 1), (lxw_col_t)s, v[s * NQUANT + (size_t)i], b->money);
    }
    free(v);
    freeze(ws, 1);
    return TCO_OK;
}

/* An S-curve chart at row of ws from sheet: the quantiles in its first
 * column, one series a strategy in columns first_col.. (strategies from
 * s0 to S - 1); what names the quantity across (NPV, savings). */
static void quantile_chart(book *b, const tco_report *r, lxw_worksheet *ws, lxw_row_t row,
                           const char *sheet, size_t s0, lxw_col_t first_col, const char *title,
                           const char *what)
{
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_SCATTER_STRAIGHT);
    if (!ch) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    for (size_t s = s0; s < r->res->S; s++) {
        lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
        if (!ser) {
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        lxw_col_t c = (lxw_col_t)(first_col + (s - s0));
        chart_series_set_categories(ser, sheet, 1, c, NQUANT, c);
        chart_series_set_values(ser, sheet, 1, 0, NQUANT, 0);
        /* The name from its header cell: a name starting with '=' would
         * be taken for a formula by chart_series_set_name. */
        chart_series_set_name_range(ser, sheet, 0, c);
        lxw_chart_line line = {.color = palette[s % NPALETTE], .width = 2.0f};
        chart_series_set_line(ser, &line);
    }
    scurve_axes(b, ch, title, what);
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.5};
    note(b, worksheet_insert_chart_opt(ws, row, 0, ch, &opt));
}

/* The savings S-curve (every strategy but the baseline), from the savings
 * quantiles sheet, at row of ws. */
static void savings_chart(book *b, const tco_report *r, lxw_worksheet *ws, lxw_row_t row)
{
    char title[400], clean[300];
    tco_clean_text(r->sc->strategies[0].name, clean, sizeof clean);
    tco_snprintf(title, sizeof title, "Savings against %s (positive: cheaper than it)", clean);
    quantile_chart(b, r, ws, row, "savings quantiles", 1, 1, title, "savings");
}

/* The S-curve chart, from the quantiles sheet, at row of ws. */
static void scurve_chart(book *b, const tco_report *r, lxw_worksheet *ws, lxw_row_t row)
{
    quantile_chart(b, r, ws, row, "quantiles", 0, 1, "S-curve: NPV against cumulative probability",
                   "NPV");
}

/* Every static input as tcosim describe shows it; clamped (may be NULL):
 * each input's count of clamped draws. */
static void inputs_sheet(book *b, const tco_scenario *sc, const unsigned long *clamped,
                         lxw_worksheet *ws)
{
    static const double q[3] = {0.05, 0.5, 0.95};
    head(b, ws, 0, 0, "input", 0);
    head(b, ws, 0, 1, "distribution", 0);
    head(b, ws, 0, 2, "P5", 0);
    head(b, ws, 0, 3, "P50", 0);
    head(b, ws, 0, 4, "P95", 0);
    if (clamped)
        head(b, ws, 0, 5, "clamped draws", 0);
    size_t w = 8, wd = 14;
    for (size_t k = 0; k < sc->ninputs; k++) {
        const tco_input *in = &sc->inputs[k];
        lxw_row_t row = (lxw_row_t)(k + 1);
        char desc[160];
        double v[3];
        for (int j = 0; j < 3; j++)
            v[j] = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, q[j]));
        /* A lognormal by its percentiles, as tcosim describe shows it: mu
         * and sigma are logarithms, which nobody reads. */
        if (in->dist.kind == TCO_DIST_LOGNORMAL)
            tco_snprintf(desc, sizeof desc, "lognormal(P5 %.3g, P50 %.3g, P95 %.3g)", v[0], v[1],
                         v[2]);
        else
            tco_dist_format(&in->dist, desc, sizeof desc);
        if (in->fresh)
            strncat(desc, " per shock", sizeof desc - strlen(desc) - 1);
        text(b, ws, row, 0, in->path, NULL);
        text(b, ws, row, 1, desc, NULL);
        for (int j = 0; j < 3; j++)
            number(b, ws, row, (lxw_col_t)(2 + j), v[j], NULL);
        if (clamped)
            number(b, ws, row, 5, (double)clamped[k], NULL);
        if (strlen(in->path) > w)
            w = strlen(in->path);
        if (strlen(desc) > wd)
            wd = strlen(desc);
    }
    note(b, worksheet_set_column(ws, 0, 0, w > 70 ? 72 : (double)(w + 2), NULL));
    note(b, worksheet_set_column(ws, 1, 1, wd > 60 ? 62 : (double)(wd + 2), NULL));
    freeze(ws, 1);
}

/* Two columns: what, and its value (text or number). */
static void about_row(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *what, const char *s)
{
    text(b, ws, *row, 0, what, NULL);
    text(b, ws, *row, 1, s, NULL);
    (*row)++;
}

static void about_num(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *what, double x,
                      lxw_format *fmt)
{
    text(b, ws, *row, 0, what, NULL);
    number(b, ws, *row, 1, x, fmt);
    (*row)++;
}

/* The about sheet's header and the scenario's own rows. */
static void about_start(book *b, lxw_worksheet *ws, const tco_scenario *sc, lxw_row_t *row)
{
    head(b, ws, 0, 0, "item", 0);
    head(b, ws, 0, 1, "value", 0);
    note(b, worksheet_set_column(ws, 0, 0, 30, NULL));
    note(b, worksheet_set_column(ws, 1, 1, 80, NULL));
    *row = 1;
    about_row(b, ws, row, "scenario", sc->name);
    if (sc->description && *sc->description)
        about_row(b, ws, row, "description", sc->description);
    about_row(b, ws, row, "currency", sc->currency);
    about_num(b, ws, row, "horizon (months)", sc->horizon, NULL);
    about_num(b, ws, row, "discount rate (a year)", sc->discount_rate, b->prob);
}

static void about_run(book *b, lxw_worksheet *ws, lxw_row_t *row, long futures, uint64_t seed)
{
    char s[32];
    tco_snprintf(s, sizeof s, "%llu", (unsigned long long)seed);
    about_num(b, ws, row, "futures", (double)futures, NULL);
    /* A string: a 64-bit seed does not fit a double. */
    about_row(b, ws, row, "seed", s);
}

/* The version and, when known, where the result comes from; then the
 * header row is frozen. */
static void about_end(book *b, lxw_worksheet *ws, lxw_row_t *row, const tco_provenance *p)
{
    about_row(b, ws, row, "tcosim version", TCO_VERSION);
    if (p) {
        about_row(b, ws, row, "command", p->command);
        about_row(b, ws, row, "scenario file", p->scenario_path);
        about_row(b, ws, row, "scenario SHA-256", p->scenario_sha256);
        for (size_t i = 0; i < p->nsets; i++)
            about_row(b, ws, row, "--set", p->sets[i]);
        about_num(b, ws, row, "threads", p->threads, NULL);
        about_row(b, ws, row, "date (UTC)", p->date);
    }
    freeze(ws, 0);
}

static void about_sheet(book *b, const tco_report *r, lxw_worksheet *ws)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    lxw_row_t row;
    about_start(b, ws, sc, &row);
    if (r->run) {
        about_run(b, ws, &row, r->run->n, r->run->seed);
        about_row(b, ws, &row, "sampling", tco_sampling_name(r->run->sampling));
    }
    about_row(b, ws, &row, "decision criterion", tco_criterion_name(res->criterion));
    about_row(b, ws, &row, "recommended",
              res->recommended >= 0 ? sc->strategies[res->recommended].name : "none");
    about_row(b, ws, &row, "baseline (savings are against it)", sc->strategies[0].name);
    about_num(b, ws, &row, "EVPI (expected value of perfect information)", res->evpi, b->money);
    about_end(b, ws, &row, r->prov);
}

/* ---- writing a workbook whole ---- */

/* The document's title, and its creation date from the provenance's (so
 * that SOURCE_DATE_EPOCH makes the file reproducible); now without one. */
static void properties(book *b, const tco_scenario *sc, const tco_provenance *prov)
{
    char title[400], clean[300];
    tco_clean_text(sc->name, clean, sizeof clean);
    tco_snprintf(title, sizeof title, "tcosim results: %s", clean);
    lxw_doc_properties p = {.title = title};
    struct tm tm = {0};
    if (prov && sscanf(prov->date, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        p.created = timegm(&tm);
    }
    note(b, workbook_set_properties(b->wb, &p));
}

typedef tco_status (*book_fill)(book *b, const void *obj, tco_error *err);

/* Writes the workbook that fill makes into a temporary file in dir, then
 * renames it to dir/results.xlsx.  libxlsxwriter's own temporary files
 * go to dir too. */
static tco_status write_book(const char *dir_in, const tco_scenario *sc,
                             const tco_provenance *prov, book_fill fill, const void *obj,
                             tco_error *err)
{
    char path[4200], tmp[4200], dir[4200];
    if (tco_snprintf(path, sizeof path, "%s/results.xlsx", dir_in) >= (int)sizeof path ||
        tco_snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return tco_error_set(err, TCO_EIO, "%s/results.xlsx: path too long", dir_in);
    /* libxlsxwriter's options take a char *. */
    tco_snprintf(dir, sizeof dir, "%s", dir_in);
    /* mkstemp reserves a name nobody can predict; libxlsxwriter then
     * writes the file under it. */
    int fd = mkstemp(tmp);
    if (fd < 0)
        return tco_error_set(err, TCO_EIO, "%s: cannot write: %s", path, strerror(errno));
    close(fd);
    book b;
    book_open(&b, tmp, dir, sc->currency);
    tco_status st = TCO_OK;
    if (b.e == LXW_NO_ERROR) {
        properties(&b, sc, prov);
        st = fill(&b, obj, err);
    }
    lxw_error e = b.e;
    int en = 0;
    if (b.wb) {
        errno = 0;
        lxw_error ce = workbook_close(b.wb);
        en = errno;
        if (e == LXW_NO_ERROR)
            e = ce;
    }
    if (st != TCO_OK) {
        unlink(tmp);
        return st;
    }
    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        /* libxlsxwriter's words, without their final period, and for a
         * failed file operation the system's reason ("File too large"). */
        char why[256];
        tco_snprintf(why, sizeof why, "%s", lxw_strerror(e));
        size_t len = strlen(why);
        if (len > 0 && why[len - 1] == '.')
            why[len - 1] = '\0';
        int io = e >= LXW_ERROR_CREATING_XLSX_FILE && e <= LXW_ERROR_ZIP_CLOSE && en != 0;
        return tco_error_set(err, TCO_EIO, "%s: cannot write: %s%s%s%s", path, why,
                             io ? " (" : "", io ? strerror(en) : "", io ? ")" : "");
    }
    if (chmod(tmp, tco_file_mode()) != 0 || rename(tmp, path) != 0) {
        en = errno;
        unlink(tmp);
        return tco_error_set(err, TCO_EIO, "%s: cannot write: %s", path, strerror(en));
    }
    return TCO_OK;
}

static tco_status fill_run(book *b, const void *obj, tco_error *err)
{
    const tco_report *r = obj;
    lxw_worksheet *sum = sheet(b, "summary"), *sav = sheet(b, "savings");
    lxw_worksheet *pair = r->res->p_cheaper ? sheet(b, "pairwise") : NULL;
    lxw_worksheet *mon = sheet(b, "monthly"), *cat = sheet(b, "categories");
    lxw_worksheet *qua = r->run ? sheet(b, "quantiles") : NULL;
    lxw_worksheet *squa = r->run && r->res->S > 1 ? sheet(b, "savings quantiles") : NULL;
    lxw_worksheet *inp = sheet(b, "inputs"), *abt = sheet(b, "about");
    if (b->e)
        return TCO_OK;
    summary_sheet(b, r, sum);
    savings_sheet(b, r, sav);
    if (pair)
        pairwise_sheet(b, r, pair);
    monthly_sheet(b, r, mon);
    categories_sheet(b, r, cat);
    if (qua) {
        tco_status st = quantiles_sheet(b, r, qua, err);
        if (st != TCO_OK)
            return st;
        scurve_chart(b, r, sum, (lxw_row_t)(r->res->S + 3));
    }
    if (squa) {
        tco_status st = savings_quantiles_sheet(b, r, squa, err);
        if (st != TCO_OK)
            return st;
        savings_chart(b, r, sav, (lxw_row_t)(r->res->S + 3));
    }
    inputs_sheet(b, r->sc, r->run ? r->run->clamped : NULL, inp);
    about_sheet(b, r, abt);
    return TCO_OK;
}

tco_status tco_xlsx_write_run(const char *dir, const tco_report *r, tco_error *err)
{
    return write_book(dir, r->sc, r->prov, fill_run, r, err);
}

/* ---- a sweep ---- */

typedef struct {
    const tco_scenario *sc;
    const tco_sweep *sw;
    const tco_provenance *prov;
} sweep_obj;

/* One-input sweeps: the mean NPV of each strategy along the input, a
 * column each (a chart needs each series in one range), and its chart. */
static void sweep_means(book *b, const tco_sweep *sw, lxw_worksheet *ws)
{
    head(b, ws, 0, 0, sw->path[0], 0);
    for (size_t s = 0; s < sw->S; s++) {
        char l[400], clean[300];
        tco_clean_text(sw->names[s], clean, sizeof clean);
        tco_snprintf(l, sizeof l, "%s mean NPV", clean);
        head(b, ws, 0, (lxw_col_t)(s + 1), l, 1);
    }
    for (size_t p = 0; p < sw->npoints; p++) {
        number(b, ws, (lxw_row_t)(p + 1), 0, sw->x[0][p], NULL);
        for (size_t s = 0; s < sw->S; s++)
            number(b, ws, (lxw_row_t)(p + 1), (lxw_col_t)(s + 1), sw->mean[p * sw->S + s],
                   b->money);
    }
    freeze(ws, 1);
    if (sw->npoints == 0)
        return;
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
    if (!ch) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    lxw_row_t last = (lxw_row_t)sw->npoints;
    for (size_t s = 0; s < sw->S; s++) {
        lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
        if (!ser) {
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(ser, "sweep means", 1, 0, last, 0);
        chart_series_set_values(ser, "sweep means", 1, (lxw_col_t)(s + 1), last,
                                (lxw_col_t)(s + 1));
        chart_series_set_name_range(ser, "sweep means", 0, (lxw_col_t)(s + 1));
        lxw_chart_line line = {.color = palette[s % NPALETTE], .width = 2.0f};
        chart_series_set_line(ser, &line);
    }
    char axis[300], clean[256];
    chart_title_set_name(ch, "Mean NPV along the sweep");
    tco_clean_text(sw->path[0], clean, sizeof clean);
    tco_snprintf(axis, sizeof axis, "%s%s", clean, sw->log[0] ? " (log scale)" : "");
    chart_axis_set_name(ch->x_axis, axis);
    if (sw->log[0])
        chart_axis_set_log_base(ch->x_axis, 10);
    tco_snprintf(axis, sizeof axis, "mean NPV (%s)", b->currency);
    chart_axis_set_name(ch->y_axis, axis);
    chart_axis_set_num_format(ch->y_axis, "#,##0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.5};
    note(b, worksheet_insert_chart_opt(ws, 1, (lxw_col_t)(sw->S + 2), ch, &opt));
}

static tco_status fill_sweep(book *b, const void *obj, tco_error *err)
{
    const sweep_obj *o = obj;
    const tco_sweep *sw = o->sw;
    lxw_worksheet *ws = sheet(b, "sweep");
    lxw_worksheet *means = sw->nvary == 1 ? sheet(b, "sweep means") : NULL;
    lxw_worksheet *cw = sheet(b, "crossovers"), *inp = sheet(b, "inputs");
    lxw_worksheet *abt = sheet(b, "about");
    if (b->e)
        return TCO_OK;
    lxw_col_t c = 0;
    for (size_t k = 0; k < sw->nvary; k++)
        head(b, ws, 0, c++, sw->path[k], 0);
    lxw_col_t sc0 = c;
    head(b, ws, 0, c++, "strategy", 0);
    head(b, ws, 0, c++, "mean NPV", 1);
    head(b, ws, 0, c++, "P5 NPV", 1);
    head(b, ws, 0, c++, "P50 NPV", 1);
    head(b, ws, 0, c++, "P95 NPV", 1);
    head(b, ws, 0, c++, "P(cheapest)", 0);
    head(b, ws, 0, c++, "P(cheaper than baseline)", 0);
    width_names(b, ws, sc0, (const char *const *)sw->names, sw->S);
    for (size_t p = 0; p < sw->npoints; p++)
        for (size_t s = 0; s < sw->S; s++) {
            size_t k = p * sw->S + s;
            lxw_row_t row = (lxw_row_t)(k + 1);
            c = 0;
            for (size_t j = 0; j < sw->nvary; j++)
                number(b, ws, row, c++, sw->x[j][p], NULL);
            text(b, ws, row, c++, sw->names[s], NULL);
            number(b, ws, row, c++, sw->mean[k], b->money);
            number(b, ws, row, c++, sw->p5[k], b->money);
            number(b, ws, row, c++, sw->p50[k], b->money);
            number(b, ws, row, c++, sw->p95[k], b->money);
            number(b, ws, row, c++, sw->p_cheapest[k], b->prob);
            number(b, ws, row, c++, sw->p_below[k], b->prob);
        }
    freeze(ws, 0);
    if (means)
        sweep_means(b, sw, means);
    /* Crossovers as in crossovers.csv (probability crossings at 50%). */
    size_t max = sw->npoints * (sw->S + 1) + 1;
    tco_crossover *x = malloc(max * sizeof *x);
    if (!x)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    size_t nx = tco_sweep_crossovers(sw, 0.5, x, max);
    head(b, cw, 0, 0, "input", 0);
    head(b, cw, 0, 1, "kind", 0);
    head(b, cw, 0, 2, "from", 0);
    head(b, cw, 0, 3, "to", 0);
    head(b, cw, 0, 4, "value", 0);
    for (size_t i = 0; i < nx; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        text(b, cw, row, 0, x[i].input, NULL);
        text(b, cw, row, 1, x[i].kind ? "probability" : "mean", NULL);
        text(b, cw, row, 2, sw->names[x[i].from], NULL);
        text(b, cw, row, 3, sw->names[x[i].to], NULL);
        number(b, cw, row, 4, x[i].value, NULL);
    }
    free(x);
    note(b, worksheet_set_column(cw, 0, 0, 50, NULL));
    freeze(cw, 0);
    inputs_sheet(b, o->sc, NULL, inp);
    lxw_row_t row;
    about_start(b, abt, o->sc, &row);
    about_run(b, abt, &row, sw->futures, sw->seed);
    for (size_t k = 0; k < sw->nvary; k++)
        about_row(b, abt, &row, "swept input", sw->path[k]);
    about_end(b, abt, &row, o->prov);
    return TCO_OK;
}

tco_status tco_xlsx_write_sweep(const char *dir, const tco_scenario *sc, const tco_sweep *sw,
                                const tco_provenance *prov, tco_error *err)
{
    sweep_obj o = {sc, sw, prov};
    return write_book(dir, sc, prov, fill_sweep, &o, err);
}

/* ---- a sensitivity analysis ---- */

typedef struct {
    const tco_scenario *sc;
    const tco_sensitivity *r;
    const tco_provenance *prov;
    tco_sens_charts charts; /* what the output is, in words */
} sens_obj;

/* The 15 most important inputs as bars, the most important on top. */
static void sens_chart(book *b, const tco_sensitivity *r, lxw_worksheet *ws)
{
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_BAR);
    lxw_chart_series *ser = ch ? chart_add_series(ch, NULL, NULL) : NULL;
    if (!ser) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    lxw_row_t last = (lxw_row_t)(r->nrows < 15 ? r->nrows : 15);
    chart_series_set_categories(ser, "sensitivity", 1, 0, last, 0);
    chart_series_set_values(ser, "sensitivity", 1, 1, last, 1);
    chart_series_set_name_range(ser, "sensitivity", 0, 1);
    lxw_chart_fill fill = {.color = palette[0]};
    chart_series_set_fill(ser, &fill);
    chart_title_set_name(ch, r->method == TCO_SENS_RANK      ? "Rank correlation with the output"
                             : r->method == TCO_SENS_TORNADO ? "Swing of the mean output"
                                                             : "Total-order Sobol index");
    if (r->method == TCO_SENS_TORNADO)
        chart_axis_set_num_format(ch->x_axis, "#,##0");
    /* A bar chart's categories run bottom to top: reversed, the table's
     * first row is on top. */
    chart_axis_set_reverse(ch->y_axis);
    /* Input names at the left edge, clear of bars that point left (a
     * negative correlation). */
    chart_axis_set_label_position(ch->y_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.0 + 0.05 * (double)last};
    note(b, worksheet_insert_chart_opt(ws, 1, r->method == TCO_SENS_SOBOL ? 8 : 5, ch, &opt));
}

static tco_status fill_sens(book *b, const void *obj, tco_error *err)
{
    (void)err;
    const sens_obj *o = obj;
    const tco_sensitivity *r = o->r;
    const tco_scenario *sc = o->sc;
    lxw_worksheet *ws = sheet(b, "sensitivity"), *vw = sheet(b, "value of information");
    lxw_worksheet *inp = sheet(b, "inputs"), *abt = sheet(b, "about");
    if (b->e)
        return TCO_OK;
    head(b, ws, 0, 0, "input", 0);
    if (r->method == TCO_SENS_RANK) {
        head(b, ws, 0, 1, "rank correlation", 0);
        head(b, ws, 0, 2, "95% interval low", 0);
        head(b, ws, 0, 3, "95% interval high", 0);
    } else if (r->method == TCO_SENS_TORNADO) {
        head(b, ws, 0, 1, "swing of the mean", 1);
        head(b, ws, 0, 2, "mean with the input at its P10", 1);
        head(b, ws, 0, 3, "mean with the input at its P90", 1);
    } else {
        head(b, ws, 0, 1, "total-order index", 0);
        head(b, ws, 0, 2, "total 95% low", 0);
        head(b, ws, 0, 3, "total 95% high", 0);
        head(b, ws, 0, 4, "first-order index", 0);
        head(b, ws, 0, 5, "first 95% low", 0);
        head(b, ws, 0, 6, "first 95% high", 0);
    }
    lxw_format *f = r->method == TCO_SENS_TORNADO ? b->money : NULL;
    size_t w = 8;
    for (size_t i = 0; i < r->nrows; i++) {
        const tco_sens_row *q = &r->rows[i];
        const char *path = sc->inputs[q->input].path;
        lxw_row_t row = (lxw_row_t)(i + 1);
        text(b, ws, row, 0, path, NULL);
        if (r->method == TCO_SENS_SOBOL) {
            double v[6] = {q->value2, q->low2, q->high2, q->value, q->low, q->high};
            for (int j = 0; j < 6; j++)
                number(b, ws, row, (lxw_col_t)(1 + j), v[j], NULL);
        } else {
            number(b, ws, row, 1, q->value, f);
            number(b, ws, row, 2, q->low, f);
            number(b, ws, row, 3, q->high, f);
        }
        if (strlen(path) > w)
            w = strlen(path);
    }
    note(b, worksheet_set_column(ws, 0, 0, w > 70 ? 72 : (double)(w + 2), NULL));
    freeze(ws, 1);
    if (r->nrows > 0)
        sens_chart(b, r, ws);

    head(b, vw, 0, 0, "input", 0);
    head(b, vw, 0, 1, "value of perfect information", 1);
    lxw_row_t row = 1;
    text(b, vw, row, 0, "output", NULL);
    text(b, vw, row++, 1, o->charts.what, NULL);
    text(b, vw, row, 0, "mean output (nothing held)", NULL);
    number(b, vw, row++, 1, r->base_mean, b->money);
    text(b, vw, row, 0, "(all inputs: EVPI)", NULL);
    number(b, vw, row++, 1, r->evpi, b->money);
    for (size_t i = 0; i < r->nevppi; i++) {
        text(b, vw, row, 0, sc->inputs[r->evppi[i].input].path, NULL);
        number(b, vw, row++, 1, r->evppi[i].value, b->money);
    }
    note(b, worksheet_set_column(vw, 0, 0, w > 70 ? 72 : (double)(w + 2), NULL));
    freeze(vw, 1);
    inputs_sheet(b, sc, NULL, inp);
    lxw_row_t arow;
    about_start(b, abt, sc, &arow);
    about_row(b, abt, &arow, "method", tco_sens_name(r->method));
    about_row(b, abt, &arow, "output", o->charts.what);
    about_num(b, abt, &arow, "model runs", (double)r->runs, NULL);
    about_end(b, abt, &arow, o->prov);
    return TCO_OK;
}

tco_status tco_xlsx_write_sensitivity(const char *dir, const tco_scenario *sc,
                                      const tco_sensitivity *r, const tco_provenance *prov,
                                      tco_error *err)
{
    sens_obj o = {.sc = sc, .r = r, .prov = prov};
    tco_sens_charts_init(&o.charts, sc, r);
    return write_book(dir, sc, prov, fill_sens, &o, err);
}

/* ---- a comparison of named cases ---- */

/* The cases side by side (as compare.csv): a row per case and strategy. */
static void compare_table(book *b, const tco_compare *cmp, lxw_worksheet *ws)
{
    static const int pct[4] = {0, 3, 5, 6}; /* P5, P50, P90, P95 in TCO_PCT */
    static const char *const pname[4] = {"P5 NPV", "P50 NPV", "P90 NPV", "P95 NPV"};
    lxw_col_t c = 0;
    head(b, ws, 0, c++, "case", 0);
    head(b, ws, 0, c++, "strategy", 0);
    head(b, ws, 0, c++, "mean NPV", 1);
    for (int j = 0; j < 4; j++)
        head(b, ws, 0, c++, pname[j], 1);
    head(b, ws, 0, c++, "CVaR95 NPV", 1);
    head(b, ws, 0, c++, "P(cheapest)", 0);
    head(b, ws, 0, c++, "mean NPV minus the base case's", 1);
    head(b, ws, 0, c++, "mean savings vs baseline", 1);
    head(b, ws, 0, c++, "95% interval low", 1);
    head(b, ws, 0, c++, "95% interval high", 1);
    head(b, ws, 0, c++, "P(saves)", 0);
    size_t w = strlen("case");
    for (size_t k = 0; k < cmp->n; k++)
        w = strlen(cmp->c[k].name) > w ? strlen(cmp->c[k].name) : w;
    width(b, ws, 0, w);
    lxw_row_t row = 1;
    for (size_t k = 0; k < cmp->n; k++) {
        const tco_compare_case *cc = &cmp->c[k];
        for (size_t s = 0; s < cc->res->S; s++, row++) {
            const tco_strategy_result *q = &cc->res->st[s];
            c = 0;
            text(b, ws, row, c++, cc->name, NULL);
            text(b, ws, row, c++, cc->sc->strategies[s].name, NULL);
            number(b, ws, row, c++, q->npv.mean, b->money);
            for (int j = 0; j < 4; j++)
                number(b, ws, row, c++, q->npv.p[pct[j]], b->money);
            number(b, ws, row, c++, q->npv.cvar95, b->money);
            number(b, ws, row, c++, q->p_cheapest, b->prob);
            number(b, ws, row, c++, q->npv.mean - cmp->c[0].res->st[s].npv.mean, b->money);
            /* Savings only where the paired statistics were computed. */
            if (cc->res->p_cheaper) {
                number(b, ws, row, c++, q->savings.mean, b->money);
                number(b, ws, row, c++, q->savings.ci_low, b->money);
                number(b, ws, row, c++, q->savings.ci_high, b->money);
                number(b, ws, row, c++, q->savings.p_saves, b->prob);
            }
        }
    }
    freeze(ws, 2);
}

/* Every case's S-curves (as compare_scurve.csv, without P0 and P100) and
 * the chart that overlays them: a colour per strategy, a dash per case. */
static void compare_curves(book *b, const tco_compare *cmp, lxw_worksheet *ws,
                           lxw_worksheet *chart_ws, lxw_row_t chart_row)
{
    const int N = TCO_COMPARE_NCURVE;
    head(b, ws, 0, 0, "cumulative probability", 0);
    for (int i = 1; i < N - 1; i++)
        number(b, ws, (lxw_row_t)i, 0, (double)i / (N - 1), b->prob);
    lxw_col_t col = 1;
    for (size_t k = 0; k < cmp->n; k++)
        for (size_t s = 0; s < cmp->c[k].sc->nstrategies; s++, col++) {
            char l[700];
            tco_snprintf(l, sizeof l, "%s (%s) NPV", cmp->c[k].sc->strategies[s].name,
                         cmp->c[k].name);
            head(b, ws, 0, col, l, 1);
            for (int i = 1; i < N - 1; i++)
                number(b, ws, (lxw_row_t)i, col, cmp->c[k].curve[s * (size_t)N + (size_t)i],
                       b->money);
        }
    freeze(ws, 1);
    lxw_chart *ch = workbook_add_chart(b->wb, LXW_CHART_SCATTER_STRAIGHT);
    if (!ch) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    static const uint8_t dash[] = {LXW_CHART_LINE_DASH_SOLID, LXW_CHART_LINE_DASH_DASH,
                                   LXW_CHART_LINE_DASH_ROUND_DOT, LXW_CHART_LINE_DASH_LONG_DASH,
                                   LXW_CHART_LINE_DASH_DASH_DOT};
    lxw_row_t last = (lxw_row_t)(N - 2);
    col = 1;
    for (size_t k = 0; k < cmp->n; k++)
        for (size_t s = 0; s < cmp->c[k].sc->nstrategies; s++, col++) {
            lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
            if (!ser) {
                note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
                return;
            }
            chart_series_set_categories(ser, "compare quantiles", 1, col, last, col);
            chart_series_set_values(ser, "compare quantiles", 1, 0, last, 0);
            chart_series_set_name_range(ser, "compare quantiles", 0, col);
            lxw_chart_line line = {.color = palette[s % NPALETTE], .width = 2.0f,
                                   .dash_type = dash[k % (sizeof dash / sizeof *dash)]};
            chart_series_set_line(ser, &line);
        }
    scurve_axes(b, ch, "S-curves of every case", "NPV");
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 2.0};
    note(b, worksheet_insert_chart_opt(chart_ws, chart_row, 0, ch, &opt));
}

static tco_status fill_compare(book *b, const void *obj, tco_error *err)
{
    (void)err;
    const tco_compare *cmp = obj;
    lxw_worksheet *ws = sheet(b, "compare"), *qw = sheet(b, "compare quantiles");
    lxw_worksheet *cw = sheet(b, "cases"), *inp = sheet(b, "inputs"), *abt = sheet(b, "about");
    if (b->e)
        return TCO_OK;
    compare_table(b, cmp, ws);
    size_t rows = 0;
    for (size_t k = 0; k < cmp->n; k++)
        rows += cmp->c[k].res->S;
    compare_curves(b, cmp, qw, ws, (lxw_row_t)(rows + 3));
    head(b, cw, 0, 0, "case", 0);
    head(b, cw, 0, 1, "description", 0);
    for (size_t k = 0; k < cmp->n; k++) {
        text(b, cw, (lxw_row_t)(k + 1), 0, cmp->c[k].name, NULL);
        text(b, cw, (lxw_row_t)(k + 1), 1, cmp->c[k].description, NULL);
    }
    note(b, worksheet_set_column(cw, 1, 1, 80, NULL));
    freeze(cw, 0);
    inputs_sheet(b, cmp->c[0].sc, NULL, inp);
    lxw_row_t row;
    about_start(b, abt, cmp->c[0].sc, &row);
    about_run(b, abt, &row, cmp->futures, cmp->seed);
    about_row(b, abt, &row, "sampling", tco_sampling_name(cmp->sampling));
    about_row(b, abt, &row, "scenario file", cmp->file);
    for (size_t i = 0; i < cmp->nsets; i++)
        about_row(b, abt, &row, "--set (every case)", cmp->sets[i]);
    about_end(b, abt, &row, NULL);
    return TCO_OK;
}

tco_status tco_xlsx_write_compare(const char *dir, const tco_compare *cmp,
                                  const tco_provenance *prov, tco_error *err)
{
    return write_book(dir, cmp->c[0].sc, prov, fill_compare, cmp, err);
}
