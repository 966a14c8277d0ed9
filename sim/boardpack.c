#include "boardpack.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decision.h"
#include "number.h"
#include "stats.h"

/* A4 landscape in points: text widths are estimated in these. */
#define PAGE_W 842.0
#define PAGE_H 595.0

/* Colours as 0xRRGGBB. */
#define INK 0x202020u
#define GREY 0x666666u
#define RULE 0x999999u
#define HEAD_FILL 0xE4E8EEu
#define ZEBRA 0xF4F5F7u
#define PICK_FILL 0xDDEFDDu
#define REC_FILL 0xE3ECF7u
#define REC_INK 0x1F3F6Fu

typedef struct {
    FILE *f;
    int page;
} pagew;

/* The sizes report.gp draws (SIZES there). */
static int snap_size(double pt)
{
    static const int sizes[] = {6, 7, 8, 9, 10, 11, 12, 14, 16, 20};
    int best = sizes[0];
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (sizes[i] <= pt + 1e-9)
            best = sizes[i];
    return best;
}

/* The number of characters of UTF-8 text s. */
static size_t nchars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Width of n characters of Sans at pt points, as a fraction of the page.
 * report.gp draws style size pt at 1.4 pt, and pdfcairo draws fonts at
 * about 0.65 of their size: measured on the first page, text averages
 * 0.36 em of pt at 1.0 (0.41 bold), so 0.575 (0.65 bold) at 1.4 errs on
 * the wide side. */
static double chars_width(size_t n, int pt, int bold)
{
    return (double)n * pt * (bold ? 0.65 : 0.575) / PAGE_W;
}

/* s cleaned into buf, cut with an ellipsis to fit width (0: no limit). */
static void fit(const char *s, char *buf, size_t size, double width, int pt, int bold)
{
    tco_clean_text(s, buf, size);
    if (width <= 0 || chars_width(nchars(buf), pt, bold) <= width)
        return;
    size_t keep = 0;
    while (chars_width(keep + 2, pt, bold) <= width)
        keep++;
    size_t i = 0, c = 0;
    for (; buf[i] && c < keep; c++)
        do
            i++;
        while (((unsigned char)buf[i] & 0xC0) == 0x80);
    while (i > 0 && buf[i - 1] == ' ')
        i--;
    if (i + 4 > size)
        i = size > 4 ? size - 4 : 0;
    memcpy(buf + i, "\xE2\x80\xA6", 4); /* U+2026 */
}

static void put_text(pagew *w, double x, double y, int bold, int pt, char align,
                     unsigned colour, double width, const char *s)
{
    char buf[2048];
    pt = snap_size(pt);
    fit(s, buf, sizeof buf, width, pt, bold);
    tco_fprintf(w->f, "T\t%d\t%.4f\t%.4f\t0\t0\t%c%d\t%c\t%u\t%s\n", w->page, x, y,
                bold ? 'B' : 'R', pt, align, colour, buf);
}

static void put_textf(pagew *w, double x, double y, int bold, int pt, char align,
                      unsigned colour, double width, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    tco_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put_text(w, x, y, bold, pt, align, colour, width, buf);
}

static void put_box(pagew *w, double x1, double y1, double x2, double y2, unsigned colour)
{
    tco_fprintf(w->f, "B\t%d\t%.4f\t%.4f\t%.4f\t%.4f\tR8\tl\t%u\t\n", w->page, x1, y1, x2, y2,
                colour);
}

static void put_line(pagew *w, double x1, double y1, double x2, double y2, unsigned colour)
{
    tco_fprintf(w->f, "L\t%d\t%.4f\t%.4f\t%.4f\t%.4f\tR8\tl\t%u\t\n", w->page, x1, y1, x2, y2,
                colour);
}

/* Text s broken at spaces into lines of at most width, from y down by
 * step; at most maxlines (the last cut with an ellipsis).  Returns the y
 * below the last line. */
static double put_wrapped(pagew *w, double x, double y, int bold, int pt, unsigned colour,
                          double width, double step, int maxlines, const char *s)
{
    char clean[4096];
    tco_clean_text(s, clean, sizeof clean);
    pt = snap_size(pt);
    const char *p = clean;
    for (int line = 0; *p && line < maxlines; line++) {
        while (*p == ' ')
            p++;
        size_t len = strlen(p), cut = len;
        if (chars_width(nchars(p), pt, bold) > width && line + 1 < maxlines) {
            /* The last space that keeps the line within width. */
            size_t chars = 0;
            cut = 0;
            for (size_t i = 0; i < len; i++) {
                if (((unsigned char)p[i] & 0xC0) != 0x80)
                    chars++;
                if (chars_width(chars, pt, bold) > width)
                    break;
                if (p[i] == ' ')
                    cut = i;
            }
            if (cut == 0)
                cut = len;
        }
        char buf[4096];
        tco_snprintf(buf, sizeof buf, "%.*s", (int)cut, p);
        put_text(w, x, y, bold, pt, 'l', colour, width, buf);
        p += cut;
        y -= step;
    }
    return y;
}

void tco_path_words(const char *path, char *buf, size_t size)
{
    size_t o = 0;
    if (size == 0)
        return;
    /* The backend, workload, strategy or event name says enough. */
    static const char *const sections[] = {"backends.", "workloads.", "strategies.", "events."};
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        if (strncmp(path, sections[i], strlen(sections[i])) == 0 && strchr(path + strlen(sections[i]), '.')) {
            path += strlen(sections[i]);
            break;
        }
    for (const char *p = path; *p && o + 4 < size; p++) {
        if (*p == '.') {
            if (o + 6 >= size)
                break;
            memcpy(buf + o, " \xE2\x80\xBA ", 5); /* U+203A */
            o += 5;
        } else {
            buf[o++] = *p == '_' ? ' ' : *p;
        }
    }
    buf[o] = '\0';
}

/* Whether the last component of path (or the one before it, for keys
 * per workload such as success_rate.simple) contains one of words. */
static int leaf_has(const char *path, const char *const *words)
{
    const char *last = strrchr(path, '.');
    const char *prev = last;
    if (last)
        while (prev > path && prev[-1] != '.')
            prev--;
    const char *from = prev && prev != last ? prev : last ? last + 1 : path;
    for (size_t i = 0; words[i]; i++)
        if (strstr(from, words[i]))
            return 1;
    return 0;
}

void tco_input_value_words(const char *path, double x, char *buf, size_t size,
                           const char **unit)
{
    static const char *const factor[] = {"factor", "multiplier", "peak_to_average", "pue",
                                         "weight", NULL};
    static const char *const percent[] = {"share", "success_rate", "hit_rate", "trend",
                                          "growth", "probability", "utilization", "discount",
                                          "maintenance", "failure_rate", "_rate_annual", NULL};
    static const char *const money[] = {"price", "cost", "per_kwh", "colocation", "budget",
                                        "value", "fee", NULL};
    /* Counts and durations (rate_per_year, setup.months, base_fte) are
     * plain numbers even under a money or percent section name. */
    static const char *const count[] = {"per_year", "months", "fte", "tokens", "power_kw",
                                        "per_gpu_second", NULL};
    const char *last = strrchr(path, '.');
    last = last ? last + 1 : path;
    int plain = 0;
    for (size_t i = 0; count[i]; i++)
        plain |= strstr(last, count[i]) != NULL;
    plain &= !strstr(last, "cost") && !strstr(last, "price");
    /* Three significant digits first, so 999,999.99 reads 1M, not 1e+03k. */
    char r[32];
    tco_snprintf(r, sizeof r, "%.3g", x);
    if (isfinite(x))
        x = tco_strtod(r, NULL);
    const char *u = "";
    if (!isfinite(x)) {
        tco_snprintf(buf, size, "n/a");
    } else if (!plain && leaf_has(path, factor)) {
        u = "\xC3\x97"; /* U+00D7 */
        tco_snprintf(buf, size, "\xC3\x97%.3g", x);
    } else if (!plain && leaf_has(path, percent) && !strstr(last, "per_mtok")) {
        u = "%";
        tco_snprintf(buf, size, "%.3g%%", 100 * x);
    } else if (!plain && leaf_has(path, money)) {
        u = "money";
        tco_format_money(x, buf, size);
    } else if (fabs(x) >= 1e4) {
        tco_format_money(x, buf, size);
    } else if (fabs(x) >= 100) {
        tco_snprintf(buf, size, "%.0f", x);
    } else {
        tco_snprintf(buf, size, "%.3g", x);
    }
    if (unit)
        *unit = u;
}

/* ---- pieces shared by the three packs ---- */

static void date_words(const tco_provenance *prov, char *buf, size_t size)
{
    if (prov && prov->date[0]) {
        tco_snprintf(buf, size, "%s", prov->date);
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
    else
        tco_snprintf(buf, size, "date unknown");
}

static void header(pagew *w, const tco_scenario *sc, const char *kind, const tco_provenance *prov)
{
    char date[64];
    date_words(prov, date, sizeof date);
    put_textf(w, 0.04, 0.962, 0, 8, 'l', GREY, 0.6, "%s \xC2\xB7 %s", sc->name, kind);
    put_textf(w, 0.96, 0.962, 0, 8, 'r', GREY, 0.3, "%s", date);
    put_line(w, 0.04, 0.948, 0.96, 0.948, RULE);
}

/* The provenance footnote, at most two lines at the foot of the page. */
static void footnote(pagew *w, const tco_scenario *sc, long futures, uint64_t seed,
                     tco_sampling sampling, const tco_provenance *prov)
{
    char text[3000];
    size_t o = 0;
    if (prov) {
        o += (size_t)tco_snprintf(text, sizeof text, "Provenance: tcosim %s %s %s (SHA-256 %s)",
                                  TCO_VERSION, prov->command ? prov->command : "",
                                  prov->scenario_path ? prov->scenario_path : sc->file,
                                  prov->scenario_sha256[0] ? prov->scenario_sha256 : "unknown");
        for (size_t i = 0; i < prov->nsets && o < sizeof text; i++)
            o += (size_t)tco_snprintf(text + o, sizeof text - o, "%s --set %s", i ? "," : ";",
                                      prov->sets[i]);
        if (o < sizeof text)
            o += (size_t)tco_snprintf(text + o, sizeof text - o,
                                      "; %ld futures, seed %llu, %s sampling, %d thread%s; %s.",
                                      futures, (unsigned long long)seed,
                                      tco_sampling_name(sampling), prov->threads,
                                      prov->threads == 1 ? "" : "s", prov->date);
    } else {
        tco_snprintf(text, sizeof text,
                     "Provenance: tcosim %s, scenario %s; %ld futures, seed %llu, %s sampling "
                     "(the command line was not recorded).",
                     TCO_VERSION, sc->file ? sc->file : sc->name, futures,
                     (unsigned long long)seed, tco_sampling_name(sampling));
    }
    put_line(w, 0.04, 0.058, 0.96, 0.058, RULE);
    put_wrapped(w, 0.04, 0.040, 0, 7, GREY, 0.92, 0.018, 2, text);
}

/* The appendix: every static input, uncertain ones in bold, from page
 * first on.  Returns the next free page. */
static int appendix(pagew *w, const tco_scenario *sc, int first, long futures, uint64_t seed,
                    tco_sampling sampling, const tco_provenance *prov)
{
    enum { ROWS = 36 };
    static const double q[3] = {0.05, 0.5, 0.95};
    size_t pages = sc->ninputs ? (sc->ninputs + ROWS - 1) / ROWS : 1;
    char cur[64];
    tco_clean_text(sc->currency, cur, sizeof cur);
    for (size_t pg = 0; pg < pages; pg++) {
        w->page = first + (int)pg;
        header(w, sc, "board pack, appendix", prov);
        put_textf(w, 0.04, 0.905, 1, 14, 'l', INK, 0.9, "Appendix: every input (page %zu of %zu)",
                  pg + 1, pages);
        put_textf(w, 0.04, 0.872, 0, 8, 'l', GREY, 0.92,
                  "%zu static inputs, %zu uncertain (in bold). Percentiles after the input's "
                  "bounds; money in %s with k (thousand) and M (million), rates and shares in %%, "
                  "factors with \xC3\x97.",
                  sc->ninputs, sc->ndims, cur);
        double y = 0.835, rh = 0.0205;
        put_box(w, 0.035, y - rh / 2, 0.965, y + rh / 2, HEAD_FILL);
        put_text(w, 0.04, y, 1, 8, 'l', INK, 0, "input");
        put_text(w, 0.43, y, 1, 8, 'l', INK, 0, "distribution");
        put_text(w, 0.71, y, 1, 8, 'l', INK, 0, "unit");
        put_text(w, 0.81, y, 1, 8, 'r', INK, 0, "P5");
        put_text(w, 0.885, y, 1, 8, 'r', INK, 0, "P50");
        put_text(w, 0.96, y, 1, 8, 'r', INK, 0, "P95");
        for (size_t k = pg * ROWS; k < sc->ninputs && k < (pg + 1) * ROWS; k++) {
            const tco_input *in = &sc->inputs[k];
            y -= rh;
            if ((k - pg * ROWS) % 2)
                put_box(w, 0.035, y - rh / 2, 0.965, y + rh / 2, ZEBRA);
            int unc = in->dim >= 0 || in->fresh;
            char desc[200], v[3][48];
            const char *unit = "";
            tco_input_describe(in, desc, sizeof desc);
            if (in->fresh)
                strncat(desc, " per shock", sizeof desc - strlen(desc) - 1);
            for (int j = 0; j < 3; j++)
                tco_input_value_words(in->path,
                                      tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, q[j])),
                                      v[j], sizeof v[j], &unit);
            put_text(w, 0.04, y, unc, 8, 'l', INK, 0.38, in->path);
            put_text(w, 0.43, y, 0, 8, 'l', INK, 0.27, desc);
            put_text(w, 0.71, y, 0, 8, 'l', GREY, 0.05, strcmp(unit, "money") == 0 ? cur : unit);
            put_text(w, 0.81, y, 0, 8, 'r', INK, 0, v[0]);
            put_text(w, 0.885, y, 0, 8, 'r', INK, 0, v[1]);
            put_text(w, 0.96, y, 0, 8, 'r', INK, 0, v[2]);
        }
        if (pg + 1 == pages && sc->ncorr > 0)
            put_textf(w, 0.04, y - 1.5 * rh, 0, 7, 'l', GREY, 0.9,
                      "%zu inputs are correlated (the scenario's correlations:).", sc->ncorr);
        footnote(w, sc, futures, seed, sampling, prov);
    }
    return first + (int)pages;
}

/* ---- a run ---- */

typedef struct {
    double x;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    double x = ((const keyed *)a)->x, y = ((const keyed *)b)->x;
    return (x > y) - (x < y);
}

/* The swing of the mean of npv[0..n) over ten bins of the futures sorted
 * by x (stride apart): how far learning x moves the expected cost.  k is
 * scratch for n entries. */
static double swing(const double *x, size_t stride, const double *npv, size_t n, keyed *k)
{
    enum { BINS = 10 };
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){x[i * stride], i};
    qsort(k, n, sizeof *k, cmp_keyed);
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    size_t start = 0;
    for (size_t b = 0; b < BINS && start < n; b++) {
        size_t end = b + 1 == BINS ? n : n * (b + 1) / BINS;
        while (end < n && end > start && k[end].x == k[end - 1].x)
            end++;
        if (end <= start)
            continue;
        double sum = 0;
        for (size_t j = start; j < end; j++)
            sum += npv[k[j].i];
        double m = sum / (double)(end - start);
        lo = fmin(lo, m);
        hi = fmax(hi, m);
        start = end;
    }
    return hi > lo ? hi - lo : 0;
}

typedef struct {
    int input;
    double value;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->value != q->value)
        return (p->value < q->value) - (p->value > q->value);
    return (p->input > q->input) - (p->input < q->input);
}

/* The uncertain inputs a run draws once per future. */
static size_t uncertain_inputs(const tco_scenario *sc, ranked *out)
{
    size_t m = 0;
    for (size_t k = 0; k < sc->ninputs; k++)
        if (sc->inputs[k].dim >= 0 && !sc->inputs[k].fresh)
            out[m++] = (ranked){(int)k, 0};
    return m;
}

static void recommendation(const tco_report *r, char *buf, size_t size)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    char cur[64], name[512], base[512], a[32], b[32], c[32], d[32];
    tco_clean_text(sc->currency, cur, sizeof cur);
    tco_clean_text(sc->strategies[0].name, base, sizeof base);
    if (res->recommended < 0) {
        tco_snprintf(buf, size, "No recommendation: no strategy has a finite %s.",
                     tco_criterion_words(res->criterion));
        return;
    }
    const tco_strategy_result *q = &res->st[res->recommended];
    tco_clean_text(sc->strategies[res->recommended].name, name, sizeof name);
    tco_format_money(q->npv.mean, a, sizeof a);
    size_t o = (size_t)tco_snprintf(buf, size,
                                    "Recommendation: %s, which has the %s (the decision "
                                    "criterion %s): mean NPV %s %s over %d months",
                                    name, tco_criterion_words(res->criterion),
                                    tco_criterion_name(res->criterion), a, cur, sc->horizon);
    if (o >= size)
        return;
    if (res->criterion != TCO_CRIT_MEAN) {
        tco_format_money(q->criterion_value, b, sizeof b);
        o += (size_t)tco_snprintf(buf + o, size - o, " (%s %s)", tco_criterion_name(res->criterion),
                                  b);
    }
    if (o >= size)
        return;
    if (res->recommended == 0) {
        tco_snprintf(buf + o, size - o, "; it is the baseline.");
        return;
    }
    tco_format_money(fabs(q->savings.mean), b, sizeof b);
    tco_format_money(q->savings.ci_low, c, sizeof c);
    tco_format_money(q->savings.ci_high, d, sizeof d);
    tco_snprintf(buf + o, size - o, ", %s %s %s than %s (95%% interval of the savings %s to %s).",
                 b, cur, q->savings.mean >= 0 ? "less" : "more", base, c, d);
}

/* The strategies' table from y down; returns the y below it. */
static double strategy_table(pagew *w, const tco_report *r, double y, double bottom)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    enum { MAXROWS = 24 };
    size_t S = res->S, shown = S <= MAXROWS ? S : MAXROWS - 1;
    double rh = (y - bottom) / (double)(shown + 1 + (shown < S));
    if (rh > 0.034)
        rh = 0.034;
    int pt = snap_size(fmin(11, rh * PAGE_H * 0.8));
    if (pt < 6)
        pt = 6;
    static const struct {
        const char *head;
        double x;
        char align;
    } col[] = {{"strategy", 0.045, 'l'},    {"mean NPV", 0.315, 'r'},
               {"P50", 0.385, 'r'},           {"P90", 0.455, 'r'},
               {"P(cheapest)", 0.55, 'r'},    {"saves", 0.625, 'r'},
               {"95% interval", 0.80, 'r'},   {"break-even", 0.955, 'r'}};
    /* The widest each column's text may be (page widths); the interval's
     * "-1.36M to -1.34M" needs the most. */
    static const double width[] = {0.205, 0.09, 0.065, 0.065, 0.085, 0.07, 0.165, 0.14};
    put_box(w, 0.04, y - rh / 2, 0.96, y + rh / 2, HEAD_FILL);
    for (size_t c = 0; c < sizeof col / sizeof *col; c++)
        put_text(w, col[c].x, y, 1, pt, col[c].align, INK, 0, col[c].head);
    for (size_t s = 0; s < shown; s++) {
        const tco_strategy_result *q = &res->st[s];
        int pick = (int)s == res->recommended;
        y -= rh;
        if (pick)
            put_box(w, 0.04, y - rh / 2, 0.96, y + rh / 2, PICK_FILL);
        else if (s % 2)
            put_box(w, 0.04, y - rh / 2, 0.96, y + rh / 2, ZEBRA);
        char v[8][64];
        tco_format_money(q->npv.mean, v[1], sizeof v[1]);
        tco_format_money(q->npv.p[3], v[2], sizeof v[2]);
        tco_format_money(q->npv.p[5], v[3], sizeof v[3]);
        tco_format_percent(q->p_cheapest, 1, v[4], sizeof v[4]);
        if (s == 0) {
            tco_snprintf(v[5], sizeof v[5], "baseline");
            v[6][0] = '\0';
            tco_snprintf(v[7], sizeof v[7], "baseline");
        } else {
            char lo[32], hi[32];
            tco_format_money(q->savings.mean, v[5], sizeof v[5]);
            tco_format_money(q->savings.ci_low, lo, sizeof lo);
            tco_format_money(q->savings.ci_high, hi, sizeof hi);
            tco_snprintf(v[6], sizeof v[6], "%s to %s", lo, hi);
            if (!(q->breakeven_probability > 0))
                tco_snprintf(v[7], sizeof v[7], "never");
            else {
                char pc[32];
                tco_format_percent(q->breakeven_probability, 0, pc, sizeof pc);
                tco_snprintf(v[7], sizeof v[7], "%s, month %.3g", pc, q->breakeven_median);
            }
        }
        put_text(w, col[0].x, y, pick, pt, 'l', INK, width[0], sc->strategies[s].name);
        for (size_t c = 1; c < sizeof col / sizeof *col; c++)
            put_text(w, col[c].x, y, 0, pt, col[c].align, INK, width[c], v[c]);
    }
    if (shown < S) {
        y -= rh;
        put_textf(w, col[0].x, y, 0, pt, 'l', GREY, 0.9,
                  "\xE2\x80\xA6 and %zu more strategies: see summary.csv", S - shown);
    }
    put_line(w, 0.04, y - rh / 2, 0.96, y - rh / 2, RULE);
    return y - rh / 2;
}

/* Strategies that cost exactly the same in many futures (decision.h's
 * rule): P(cheapest) splits those futures between them, which hides the
 * tie; one line under the table says so.  Returns the y below it. */
static double ties_line(pagew *w, const tco_scenario *sc, const tco_results *res, double y)
{
    char text[2048], a[32];
    size_t o = 0, shown = 0;
    for (size_t x = 0; res->identical && x < res->S; x++)
        for (size_t z = x + 1; z < res->S && o < sizeof text; z++) {
            double same = res->identical[x * res->S + z];
            if (!(same >= TCO_TIE_MENTION) || shown == 3)
                continue;
            tco_format_percent(same, 0, a, sizeof a);
            o += (size_t)tco_snprintf(text + o, sizeof text - o, "%s%s costs exactly what %s costs in "
                                      "%s of futures",
                                      shown ? "; " : "Ties: ", sc->strategies[z].name,
                                      sc->strategies[x].name, a);
            shown++;
        }
    if (!shown)
        return y;
    if (o < sizeof text)
        tco_snprintf(text + o, sizeof text - o, " (P(cheapest) splits those futures between them).");
    return put_wrapped(w, 0.04, y - 0.004, 1, 7, INK, 0.92, 0.017, 2, text);
}

tco_status tco_boardpack_run(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    const tco_run *run = r->run;
    pagew w = {f, 1};
    char cur[64], base[512], text[4096];
    tco_clean_text(sc->currency, cur, sizeof cur);
    tco_clean_text(sc->strategies[0].name, base, sizeof base);
    header(&w, sc, "board pack", r->prov);

    tco_snprintf(text, sizeof text, "Which way of serving these workloads costs least over %d "
                 "months?", sc->horizon);
    double y = put_wrapped(&w, 0.04, 0.905, 1, 16, INK, 0.92, 0.04, 1, text);
    if (sc->description && sc->description[0])
        y = put_wrapped(&w, 0.04, y + 0.008, 0, 10, GREY, 0.92, 0.026, 1, sc->description);

    /* The recommendation, shaded. */
    recommendation(r, text, sizeof text);
    double top = y - 0.002;
    double end = put_wrapped(&w, 0.045, top - 0.018, 1, 12, REC_INK, 0.90, 0.03, 3, text);
    put_box(&w, 0.035, end + 0.012, 0.965, top + 0.006, REC_FILL);
    y = end - 0.011;

    y = strategy_table(&w, r, y, 0.43);
    tco_snprintf(text, sizeof text,
                 "NPV in %s over %d months, discounted at %.3g%% a year. Savings: %s's NPV minus "
                 "the strategy's, paired on each future (positive: it costs less). P90: 9 futures "
                 "in 10 cost less. Break-even: futures in which the strategy's cumulative cost "
                 "falls to %s's, and the median month.",
                 cur, sc->horizon, 100 * sc->discount_rate, base, base);
    y = put_wrapped(&w, 0.04, y - 0.018, 0, 7, GREY, 0.92, 0.017, 2, text);
    y = ties_line(&w, sc, res, y);

    /* What decides it: EVPPI of every uncertain input from this run's
     * futures; and the key assumptions by the swing of the recommended
     * strategy's mean NPV over their deciles. */
    ranked *ev = malloc((sc->ndims + 1) * sizeof *ev);
    ranked *sw = malloc((sc->ndims + 1) * sizeof *sw);
    if (!ev || !sw) {
        free(ev);
        free(sw);
        return TCO_ENOMEM;
    }
    size_t m = uncertain_inputs(sc, ev);
    int have = run->inputs && m > 0, failed = 0;
    memcpy(sw, ev, m * sizeof *sw);
    size_t n = (size_t)run->n, S = run->S;
    /* The bins of tco_sensitivity_run, so both report the same EVPPI. */
    size_t bins = n >= 5000 ? 50 : (n / 100 > 2 ? n / 100 : 2);
    int rec = res->recommended >= 0 ? res->recommended : res->best >= 0 ? res->best : 0;
    double best = NAN;
    const int choice = have ? tco_evppi_choice(run->npv, n, S, &best) : -1;
    /* One input per iteration, each thread its own scratch; every value
     * depends on its input alone, so not on the number of threads. */
#pragma omp parallel num_threads(run->threads > 0 ? run->threads : 1) if (have) shared(failed)
    {
        keyed *k = have ? malloc(n * sizeof *k) : NULL;
        if (have && !k) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < (have ? m : 0); i++) {
            if (!k)
                continue;
            const double *x = run->inputs + ev[i].input;
            ev[i].value = tco_evppi_of(x, sc->ninputs, run->npv, n, S, bins, choice, best);
            sw[i].value = swing(x, sc->ninputs, run->npv + (size_t)rec * n, n, k);
        }
        free(k);
    }
    if (failed) {
        free(ev);
        free(sw);
        return TCO_ENOMEM;
    }
    /* tco_evppi gives NAN when no strategy has a finite mean (or out of
     * memory): then nothing is ranked. */
    for (size_t i = 0; have && i < m; i++)
        if (isnan(ev[i].value))
            have = 0;
    if (have) {
        qsort(ev, m, sizeof *ev, cmp_ranked);
        qsort(sw, m, sizeof *sw, cmp_ranked);
    } else {
        /* Without the futures' inputs: the widest ranges relative to the
         * median. */
        for (size_t i = 0; i < m; i++) {
            const tco_input *in = &sc->inputs[sw[i].input];
            double lo = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.05));
            double mid = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.5));
            double hi = tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.95));
            double spread = (hi - lo) / fmax(fabs(mid), 1e-12);
            sw[i].value = isfinite(spread) ? spread : 0;
        }
        qsort(sw, m, sizeof *sw, cmp_ranked);
    }

    double top2 = y - 0.02, xl = 0.04, xr = 0.52;
    size_t shown_be[3] = {0, 0, 0};
    put_text(&w, xl, top2, 1, 11, 'l', INK, 0.44, "What decides it, and what knowing it is worth");
    double yl = top2 - 0.032;
    if (!have) {
        yl = put_wrapped(&w, xl, yl, 0, 9, INK, 0.44, 0.024, 2,
                         m == 0 ? "No uncertain input: nothing to measure."
                         : run->inputs ? "Not computed: no strategy has a finite mean cost."
                                : "Not computed: the run kept no inputs (draw the board pack "
                                  "with the run: tcosim run without --no-plots).");
    } else if (!tco_evppi_worth(ev[0].value, res->evpi)) {
        yl = put_wrapped(&w, xl, yl, 0, 9, INK, 0.44, 0.024, 2,
                         "No single input changes the decision: learning any one input first "
                         "(its EVPPI) is worth less than 1% of learning everything (the EVPI).");
    } else {
        for (size_t i = 0; i < 3 && i < m && tco_evppi_worth(ev[i].value, res->evpi); i++) {
            char words[512], a[32];
            tco_path_words(sc->inputs[ev[i].input].path, words, sizeof words);
            tco_format_money(ev[i].value, a, sizeof a);
            put_textf(&w, xl, yl, 0, 9, 'l', INK, 0.33, "%zu. %s", i + 1, words);
            put_textf(&w, xl + 0.44, yl, 1, 9, 'r', INK, 0.11, "%s %s", a, cur);
            yl -= 0.024;
        }
    }
    if (isfinite(res->evpi)) {
        char a[32];
        tco_format_money(res->evpi, a, sizeof a);
        tco_snprintf(text, sizeof text,
                     "Worth: the expected saving from learning the input before choosing, by "
                     "mean NPV (EVPPI, Strong and Oakley 2014, from this run's futures); "
                     "learning everything: %s %s (EVPI).", a, cur);
        yl = put_wrapped(&w, xl, yl - 0.002, 0, 7, GREY, 0.44, 0.017, 3, text);
    }

    /* The crossovers of a run: break-even against the baseline. */
    put_textf(&w, xl, yl - 0.022, 1, 11, 'l', INK, 0.44, "When it pays back against %s", base);
    yl -= 0.054;
    int said = 0;
    for (int pass = 0; pass < 3; pass++) {
        size_t pick = 0;
        double pmax = 0;
        for (size_t s = 1; s < res->S; s++)
            if (res->st[s].breakeven_probability > pmax) {
                int seen = 0;
                for (int j = 0; j < pass; j++)
                    seen |= shown_be[j] == s;
                if (!seen) {
                    pmax = res->st[s].breakeven_probability;
                    pick = s;
                }
            }
        if (pick == 0)
            break;
        shown_be[pass] = pick;
        put_textf(&w, xl, yl, 0, 9, 'l', INK, 0.44,
                  "%s: in %.0f%% of futures, by month %.3g (median)", sc->strategies[pick].name,
                  100 * pmax, res->st[pick].breakeven_median);
        yl -= 0.024;
        said = 1;
    }
    if (!said && res->S > 1)
        put_textf(&w, xl, yl, 0, 9, 'l', INK, 0.44,
                  "No strategy's cumulative cost falls to %s's within %d months.", base,
                  sc->horizon);

    put_text(&w, xr, top2, 1, 11, 'l', INK, 0.44, "Key assumptions: P5 to P95, and their effect");
    double yr = top2 - 0.032;
    if (m == 0) {
        put_wrapped(&w, xr, yr, 0, 9, INK, 0.44, 0.024, 1, "Every input is fixed.");
    } else {
        put_text(&w, xr + 0.345, yr + 0.004, 0, 8, 'r', GREY, 0, "P5 to P95");
        if (have)
            put_text(&w, 0.96, yr + 0.004, 0, 8, 'r', GREY, 0, "effect");
        yr -= 0.022;
        for (size_t i = 0; i < 6 && i < m; i++) {
            const tco_input *in = &sc->inputs[sw[i].input];
            char words[512], lo[48], hi[48], a[32];
            const char *unit;
            tco_path_words(in->path, words, sizeof words);
            tco_input_value_words(in->path,
                                  tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.05)),
                                  lo, sizeof lo, &unit);
            tco_input_value_words(in->path,
                                  tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, 0.95)),
                                  hi, sizeof hi, &unit);
            put_text(&w, xr, yr, 0, 8, 'l', INK, 0.21, words);
            put_textf(&w, xr + 0.345, yr, 0, 8, 'r', INK, 0.13, "%s to %s", lo, hi);
            if (have) {
                tco_format_money(sw[i].value, a, sizeof a);
                put_textf(&w, 0.96, yr, 0, 8, 'r', INK, 0.09, "%s %s", a, cur);
            }
            yr -= 0.024;
        }
        if (have)
            tco_snprintf(text, sizeof text,
                         "Effect: the spread of %s's mean NPV across the input's deciles. "
                         "Sources: the comments of the scenario file (inputs carry no source "
                         "field). Every input is in the appendix.",
                         sc->strategies[rec].name);
        else
            tco_snprintf(text, sizeof text,
                         "The widest ranges relative to the median (the effects need the run's "
                         "inputs). Sources: the comments of the scenario file (inputs carry no "
                         "source field). Every input is in the appendix.");
        put_wrapped(&w, xr, yr - 0.002, 0, 7, GREY, 0.44, 0.017, 3, text);
    }
    free(ev);
    free(sw);
    footnote(&w, sc, run->n, run->seed, run->sampling, r->prov);
    appendix(&w, sc, 2, run->n, run->seed, run->sampling, r->prov);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* ---- a sweep ---- */

static void value_words(const char *path, double x, char *buf, size_t size)
{
    const char *unit;
    tco_input_value_words(path, x, buf, size, &unit);
}

tco_status tco_boardpack_sweep(FILE *f, const tco_scenario *sc, const tco_sweep *sw,
                               tco_sampling sampling, const tco_provenance *prov)
{
    pagew w = {f, 1};
    char text[4096], a[512], b[512], lo[48], hi[48];
    header(&w, sc, "board pack, sweep", prov);
    tco_path_words(sw->path[0], a, sizeof a);
    double lo0 = HUGE_VAL, hi0 = -HUGE_VAL;
    for (size_t i = 0; i < sw->npoints; i++) {
        lo0 = fmin(lo0, sw->x[0][i]);
        hi0 = fmax(hi0, sw->x[0][i]);
    }
    value_words(sw->path[0], lo0, lo, sizeof lo);
    value_words(sw->path[0], hi0, hi, sizeof hi);
    if (sw->nvary == 1)
        tco_snprintf(text, sizeof text, "Which way costs least as %s goes from %s to %s?", a, lo, hi);
    else {
        tco_path_words(sw->path[1], b, sizeof b);
        tco_snprintf(text, sizeof text, "Which way costs least as %s and %s vary?", a, b);
    }
    double y = put_wrapped(&w, 0.04, 0.905, 1, 16, INK, 0.92, 0.04, 2, text);
    if (sw->nvary == 1)
        tco_snprintf(text, sizeof text,
                     "%zu values of %s, %ld futures at each on the same seed, so the differences "
                     "between points are not noise.",
                     sw->npoints, sw->path[0], sw->futures);
    else
        tco_snprintf(text, sizeof text,
                     "%zu values of %s by %zu of %s, %ld futures at each on the same seed, so the "
                     "differences between points are not noise.",
                     sw->n1, sw->path[0], sw->n2, sw->path[1], sw->futures);
    y = put_wrapped(&w, 0.04, y + 0.008, 0, 10, GREY, 0.92, 0.026, 2, text);

    put_text(&w, 0.04, y - 0.02, 1, 11, 'l', INK, 0.9, "Crossovers: where the answer changes");
    y -= 0.052;
    char *words = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&words, &len);
    if (mem) {
        tco_write_sweep_words(mem, sw);
        fclose(mem);
    }
    int lines = 0, more = 0;
    for (char *p = words, *nl; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (lines < 8)
            y = put_wrapped(&w, 0.05, y, 0, 10, INK, 0.90, 0.026, 2, p);
        else
            more++;
        lines++;
        if (!nl)
            break;
    }
    free(words);
    if (more)
        y = put_wrapped(&w, 0.05, y, 0, 10, GREY, 0.90, 0.026, 1,
                        more == 1 ? "\xE2\x80\xA6 and one more in crossovers.csv"
                                  : "\xE2\x80\xA6 and more in crossovers.csv");

    if (sw->nvary == 1 && sw->npoints > 0) {
        y -= 0.02;
        size_t S = sw->S, np = sw->npoints, shown = np <= 16 ? np : 16;
        put_text(&w, 0.04, y, 1, 11, 'l', INK, 0.9, "The cheapest strategy on average at each point");
        y -= 0.034;
        double rh = fmin(0.026, (y - 0.09) / (double)(shown + 1));
        int pt = snap_size(fmin(9, rh * PAGE_H * 0.8));
        put_box(&w, 0.04, y - rh / 2, 0.96, y + rh / 2, HEAD_FILL);
        put_text(&w, 0.045, y, 1, pt, 'l', INK, 0.25, sw->path[0]);
        put_text(&w, 0.30, y, 1, pt, 'l', INK, 0, "cheapest on average");
        put_text(&w, 0.62, y, 1, pt, 'r', INK, 0, "mean NPV");
        put_text(&w, 0.75, y, 1, pt, 'r', INK, 0, "P(cheapest)");
        put_text(&w, 0.955, y, 1, pt, 'r', INK, 0, "P(cheaper than baseline)");
        for (size_t j = 0; j < shown; j++) {
            size_t i = shown == np ? j : j * (np - 1) / (shown - 1);
            size_t best = 0;
            for (size_t s = 1; s < S; s++)
                if (sw->mean[i * S + s] < sw->mean[i * S + best])
                    best = s;
            y -= rh;
            if (j % 2)
                put_box(&w, 0.04, y - rh / 2, 0.96, y + rh / 2, ZEBRA);
            char v[48], m[32];
            value_words(sw->path[0], sw->x[0][i], v, sizeof v);
            tco_format_money(sw->mean[i * S + best], m, sizeof m);
            put_text(&w, 0.045, y, 0, pt, 'l', INK, 0.25, v);
            put_text(&w, 0.30, y, 1, pt, 'l', INK, 0.22, sw->names[best]);
            put_text(&w, 0.62, y, 0, pt, 'r', INK, 0, m);
            put_textf(&w, 0.75, y, 0, pt, 'r', INK, 0, "%.1f%%", 100 * sw->p_cheapest[i * S + best]);
            if (best == 0)
                put_text(&w, 0.955, y, 0, pt, 'r', INK, 0, "baseline");
            else
                put_textf(&w, 0.955, y, 0, pt, 'r', INK, 0, "%.1f%%", 100 * sw->p_below[i * S + best]);
        }
        put_line(&w, 0.04, y - rh / 2, 0.96, y - rh / 2, RULE);
    } else if (sw->nvary == 2) {
        put_wrapped(&w, 0.04, y - 0.02, 0, 9, GREY, 0.92, 0.024, 2,
                    "The map on the next page shows the cheapest strategy at every pair of "
                    "values; sweep.csv holds every statistic at every point.");
    }
    footnote(&w, sc, sw->futures, sw->seed, sampling, prov);
    appendix(&w, sc, 2, sw->futures, sw->seed, sampling, prov);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* ---- a sensitivity analysis ---- */

/* An index or a correlation with three decimals; "0.000", never "-0.000". */
static void fixed3(double x, char *buf, size_t size)
{
    tco_snprintf(buf, size, "%.3f", fabs(x) < 0.0005 ? 0.0 : x);
}

tco_status tco_boardpack_sensitivity(FILE *f, const tco_scenario *sc, const tco_sensitivity *s,
                                     const char *what, long futures, uint64_t seed,
                                     tco_sampling sampling, const tco_provenance *prov)
{
    pagew w = {f, 1};
    char text[4096], cur[64];
    tco_clean_text(sc->currency, cur, sizeof cur);
    header(&w, sc, "board pack, sensitivity", prov);
    tco_snprintf(text, sizeof text, "Which input decides the %s?", what);
    double y = put_wrapped(&w, 0.04, 0.905, 1, 16, INK, 0.92, 0.04, 2, text);
    char a[32], b[32], c[32];
    tco_format_money(s->base_mean, a, sizeof a);
    tco_snprintf(text, sizeof text, "%s sensitivity of %zu uncertain inputs, %ld futures (%ld "
                 "future-runs of the model); mean output %s %s.",
                 tco_sens_name(s->method), sc->ndims, futures, s->runs, a, cur);
    y = put_wrapped(&w, 0.04, y + 0.008, 0, 10, GREY, 0.92, 0.026, 2, text);

    /* What measuring is worth. */
    double top = y - 0.004;
    double yy = top - 0.018;
    tco_format_money(s->evpi, a, sizeof a);
    if (s->nevppi == 0 || !tco_evppi_worth(s->evppi[0].value, s->evpi)) {
        tco_snprintf(text, sizeof text, "No single input changes the decision: learning any one "
                     "input first (its EVPPI) is worth less than 1%% of learning everything (the "
                     "EVPI, %s %s).", a, cur);
        yy = put_wrapped(&w, 0.045, yy, 1, 12, REC_INK, 0.90, 0.03, 3, text) + 0.03;
    } else {
        put_textf(&w, 0.045, yy, 1, 12, 'l', REC_INK, 0.9,
                  "Worth measuring first (EVPPI; learning everything, the EVPI, is worth %s %s):", a,
                  cur);
        for (size_t i = 0; i < 3 && i < s->nevppi && tco_evppi_worth(s->evppi[i].value, s->evpi);
             i++) {
            char words[512];
            tco_path_words(sc->inputs[s->evppi[i].input].path, words, sizeof words);
            tco_format_money(s->evppi[i].value, b, sizeof b);
            yy -= 0.024;
            put_textf(&w, 0.06, yy, 0, 10, 'l', REC_INK, 0.7, "%zu. %s", i + 1, words);
            put_textf(&w, 0.95, yy, 1, 10, 'r', REC_INK, 0.2, "%s %s", b, cur);
        }
    }
    put_box(&w, 0.035, yy - 0.018, 0.965, top + 0.006, REC_FILL);
    y = yy - 0.018 - 0.04;

    tco_sens_method m = s->method;
    put_text(&w, 0.04, y, 1, 11, 'l', INK, 0.9,
             m == TCO_SENS_RANK      ? "Inputs by rank correlation with the output (95% interval)"
             : m == TCO_SENS_TORNADO ? "Inputs by the swing of the mean output, each held at its P10 and P90"
                                     : "Inputs by total-order Sobol index (first order beside it)");
    y -= 0.034;
    size_t shown = s->nrows < 14 ? s->nrows : 14;
    double rh = fmin(0.026, (y - 0.09) / (double)(shown + 1));
    int pt = snap_size(fmin(9, rh * PAGE_H * 0.8));
    put_box(&w, 0.04, y - rh / 2, 0.96, y + rh / 2, HEAD_FILL);
    put_text(&w, 0.045, y, 1, pt, 'l', INK, 0, "input");
    put_text(&w, 0.70, y, 1, pt, 'r', INK, 0,
             m == TCO_SENS_RANK ? "rank corr." : m == TCO_SENS_TORNADO ? "swing" : "total");
    put_text(&w, 0.82, y, 1, pt, 'r', INK, 0, m == TCO_SENS_TORNADO ? "at P10" : m == TCO_SENS_SOBOL ? "first order" : "low");
    put_text(&w, 0.955, y, 1, pt, 'r', INK, 0, m == TCO_SENS_TORNADO ? "at P90" : m == TCO_SENS_SOBOL ? "interval" : "high");
    for (size_t i = 0; i < shown; i++) {
        const tco_sens_row *q = &s->rows[i];
        char words[512];
        tco_path_words(sc->inputs[q->input].path, words, sizeof words);
        y -= rh;
        if (i % 2)
            put_box(&w, 0.04, y - rh / 2, 0.96, y + rh / 2, ZEBRA);
        put_text(&w, 0.045, y, 0, pt, 'l', INK, 0.55, words);
        if (m == TCO_SENS_TORNADO) {
            tco_format_money(q->value, a, sizeof a);
            tco_format_money(q->low, b, sizeof b);
            tco_format_money(q->high, c, sizeof c);
        } else if (m == TCO_SENS_RANK) {
            fixed3(q->value, a, sizeof a);
            fixed3(q->low, b, sizeof b);
            fixed3(q->high, c, sizeof c);
        } else {
            fixed3(q->value2, a, sizeof a);
            fixed3(q->value, b, sizeof b);
            tco_snprintf(c, sizeof c, "%.2f to %.2f", fabs(q->low2) < 0.005 ? 0.0 : q->low2,
                         fabs(q->high2) < 0.005 ? 0.0 : q->high2);
        }
        put_text(&w, 0.70, y, 0, pt, 'r', INK, 0, a);
        put_text(&w, 0.82, y, 0, pt, 'r', INK, 0, b);
        put_text(&w, 0.955, y, 0, pt, 'r', INK, 0, c);
    }
    put_line(&w, 0.04, y - rh / 2, 0.96, y - rh / 2, RULE);
    footnote(&w, sc, futures, seed, sampling, prov);
    appendix(&w, sc, 2, futures, seed, sampling, prov);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* ---- tcosim compare ---- */

/* One table of the cases side by side: a row a strategy, a column a case
 * (at most max_cases), the value stat() of each; the case's recommended
 * strategy shaded.  Returns the y below it. */
static double case_table(pagew *w, const tco_compare *cmp, size_t ncases, const char *title,
                         double (*stat)(const tco_strategy_result *), double y, double rh, int pt)
{
    const tco_scenario *sc = cmp->c[0].sc;
    size_t S = sc->nstrategies;
    double x0 = 0.30, step = (0.955 - x0) / (double)ncases;
    put_text(w, 0.04, y, 1, 11, 'l', INK, 0.9, title);
    y -= 0.034;
    put_box(w, 0.04, y - rh / 2, 0.96, y + rh / 2, HEAD_FILL);
    put_text(w, 0.045, y, 1, pt, 'l', INK, 0.24, "strategy");
    for (size_t k = 0; k < ncases; k++)
        put_text(w, x0 + step * (double)(k + 1), y, 1, pt, 'r', INK, step - 0.01, cmp->c[k].name);
    for (size_t s = 0; s < S; s++) {
        y -= rh;
        if (s % 2)
            put_box(w, 0.04, y - rh / 2, 0.96, y + rh / 2, ZEBRA);
        put_text(w, 0.045, y, 0, pt, 'l', INK, 0.24, sc->strategies[s].name);
        for (size_t k = 0; k < ncases; k++) {
            const tco_results *res = cmp->c[k].res;
            int pick = res->recommended == (int)s;
            double xr = x0 + step * (double)(k + 1);
            if (pick)
                put_box(w, xr - step + 0.012, y - rh / 2, xr + 0.004, y + rh / 2, PICK_FILL);
            char v[32];
            tco_format_money(stat(&res->st[s]), v, sizeof v);
            put_text(w, xr, y, pick, pt, 'r', INK, step - 0.01, v);
        }
    }
    put_line(w, 0.04, y - rh / 2, 0.96, y - rh / 2, RULE);
    return y - rh / 2;
}

static double stat_mean(const tco_strategy_result *q) { return q->npv.mean; }
static double stat_p90(const tco_strategy_result *q) { return q->npv.p[5]; }

tco_status tco_boardpack_compare(FILE *f, const tco_compare *cmp, const tco_provenance *prov)
{
    enum { MAX_CASES = 6 };
    const tco_scenario *sc = cmp->c[0].sc;
    size_t S = sc->nstrategies, ncases = cmp->n < MAX_CASES ? cmp->n : MAX_CASES;
    pagew w = {f, 1};
    char text[4096], cur[64], name[512];
    tco_clean_text(sc->currency, cur, sizeof cur);
    header(&w, sc, "board pack, cases", prov);
    double y = put_wrapped(&w, 0.04, 0.905, 1, 16, INK, 0.92, 0.04, 1,
                           "How do the cases change the answer?");
    tco_snprintf(text, sizeof text,
                 "The base and %zu case%s on the same %ld futures (seed %llu), so the differences "
                 "between them come from the cases' overrides alone. NPV in %s over %d months.",
                 cmp->n - 1, cmp->n == 2 ? "" : "s", cmp->futures, (unsigned long long)cmp->seed,
                 cur, sc->horizon);
    y = put_wrapped(&w, 0.04, y + 0.008, 0, 10, GREY, 0.92, 0.026, 2, text);

    /* The recommendation of each case, or one line when they agree. */
    int same = 1;
    for (size_t k = 1; k < cmp->n; k++)
        same &= cmp->c[k].res->recommended == cmp->c[0].res->recommended;
    const tco_results *r0 = cmp->c[0].res;
    size_t o = 0;
    if (same && r0->recommended >= 0) {
        tco_clean_text(sc->strategies[r0->recommended].name, name, sizeof name);
        tco_snprintf(text, sizeof text, "Recommendation: %s in every case (%s, the decision "
                     "criterion %s).", name, tco_criterion_words(r0->criterion),
                     tco_criterion_name(r0->criterion));
    } else {
        o = (size_t)tco_snprintf(text, sizeof text, "The recommendation depends on the case:");
        for (size_t k = 0; k < cmp->n && o < sizeof text; k++) {
            const tco_results *res = cmp->c[k].res;
            if (res->recommended >= 0)
                tco_clean_text(sc->strategies[res->recommended].name, name, sizeof name);
            else
                tco_snprintf(name, sizeof name, "none");
            o += (size_t)tco_snprintf(text + o, sizeof text - o, "%s %s: %s", k ? ";" : "",
                                      cmp->c[k].name, name);
        }
        if (o < sizeof text)
            tco_snprintf(text + o, sizeof text - o, " (%s).", tco_criterion_words(r0->criterion));
    }
    double top = y - 0.002;
    double end = put_wrapped(&w, 0.045, top - 0.018, 1, 12, REC_INK, 0.90, 0.03, 3, text);
    put_box(&w, 0.035, end + 0.012, 0.965, top + 0.006, REC_FILL);
    y = end - 0.03;

    /* Two tables, mean and P90, in the room left above the case notes. */
    double room = y - 0.20 - 2 * 0.06;
    double rh = room / (2.0 * (double)(S + 1));
    if (rh > 0.03)
        rh = 0.03;
    int pt = snap_size(fmin(10, rh * PAGE_H * 0.8));
    if (pt < 6)
        pt = 6;
    y = case_table(&w, cmp, ncases, "Mean NPV by case (shaded: the case's recommendation)",
                   stat_mean, y, rh, pt);
    y = case_table(&w, cmp, ncases, "P90 by case (9 futures in 10 cost less)", stat_p90,
                   y - 0.03, rh, pt);
    if (ncases < cmp->n)
        y = put_wrapped(&w, 0.04, y - 0.018, 0, 8, GREY, 0.92, 0.02, 1,
                        "More cases than fit this page: every case is in compare.csv.");

    /* What each case changes. */
    y -= 0.03;
    for (size_t k = 1; k < cmp->n && y > 0.09; k++) {
        const tco_compare_case *c = &cmp->c[k];
        o = (size_t)tco_snprintf(text, sizeof text, "%s: %s", c->name,
                                 c->description && c->description[0] ? c->description
                                                                     : "(no description)");
        y = put_wrapped(&w, 0.045, y, 0, 8, INK, 0.91, 0.02, 1, text);
    }
    footnote(&w, sc, cmp->futures, cmp->seed, cmp->sampling, prov);
    appendix(&w, sc, 2, cmp->futures, cmp->seed, cmp->sampling, prov);
    return ferror(f) ? TCO_EIO : TCO_OK;
}
