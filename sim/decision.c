#include "decision.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "number.h"
#include "output.h"
#include "stats.h"

void tco_format_percent(double p, int decimals, char *buf, size_t size)
{
    if (!isfinite(p)) {
        tco_snprintf(buf, size, "n/a");
        return;
    }
    /* Compare what would be printed, so rounding (half to even) cannot
     * show 0% or 100% for a probability that is neither. */
    char plain[32], zero[32], full[32];
    tco_snprintf(plain, sizeof plain, "%.*f", decimals, 100 * p);
    tco_snprintf(zero, sizeof zero, "%.*f", decimals, 0.0);
    tco_snprintf(full, sizeof full, "%.*f", decimals, 100.0);
    double unit = pow(10, -decimals);
    if (p > 0 && strcmp(plain, zero) == 0)
        tco_snprintf(buf, size, "<%.*f%%", decimals, unit);
    else if (p < 1 && strcmp(plain, full) == 0)
        tco_snprintf(buf, size, ">%.*f%%", decimals, 100 - unit);
    else
        tco_snprintf(buf, size, "%s%%", plain);
}

/* The lowest finite value of v(s) over strategies, first on ties; -1. */
static int lowest(const tco_results *r, int which, int skip)
{
    int best = -1;
    for (size_t s = 0; s < r->S; s++) {
        const tco_strategy_result *q = &r->st[s];
        double v = which == 0 ? q->npv.mean : which == 1 ? q->npv.p[6] : q->criterion_value;
        double b = best < 0          ? 0
                   : which == 0      ? r->st[best].npv.mean
                   : which == 1      ? r->st[best].npv.p[6]
                                     : r->st[best].criterion_value;
        if ((int)s != skip && isfinite(v) && (best < 0 || v < b))
            best = (int)s;
    }
    return best;
}

void tco_decision_compute(tco_decision *d, const tco_results *r)
{
    memset(d, 0, sizeof *d);
    d->criterion = r->criterion;
    d->recommended = r->recommended;
    d->best_mean = lowest(r, 0, -1);
    d->best_p95 = lowest(r, 1, -1);
    d->most_often = r->S > 0 ? 0 : -1;
    for (size_t s = 1; s < r->S; s++)
        if (r->st[s].p_cheapest > r->st[d->most_often].p_cheapest)
            d->most_often = (int)s;
    d->runner_up = d->recommended >= 0 ? lowest(r, 2, d->recommended) : -1;
    d->margin = d->diff_mean = d->diff_low = d->diff_high = NAN;
    d->p_beats = d->p_loses = d->p_identical = NAN;
    if (d->runner_up < 0)
        return;
    size_t a = (size_t)d->recommended, b = (size_t)d->runner_up, S = r->S;
    d->margin = r->st[b].criterion_value - r->st[a].criterion_value;
    d->diff_mean = r->st[b].npv.mean - r->st[a].npv.mean;
    if (r->diff_se) {
        d->diff_low = d->diff_mean - 1.96 * r->diff_se[a * S + b];
        d->diff_high = d->diff_mean + 1.96 * r->diff_se[a * S + b];
    }
    if (r->p_cheaper && r->identical) {
        d->p_beats = r->p_cheaper[a * S + b];
        d->p_loses = r->p_cheaper[b * S + a];
        d->p_identical = r->identical[a * S + b];
    }
}

int tco_decision_near_identical(const tco_results *r, size_t a, size_t b)
{
    if (!r->identical || !r->mean_abs_diff || a == b)
        return 0;
    double scale = fmax(fabs(r->st[a].npv.mean), fabs(r->st[b].npv.mean));
    return r->identical[a * r->S + b] >= TCO_NEAR_IDENTICAL ||
           r->mean_abs_diff[a * r->S + b] <= TCO_NEAR_REL * scale;
}

/* ---- the sentences ---- */

typedef struct {
    FILE *f;
    size_t width;
    char line[2048];
    size_t used;
    const tco_scenario *sc;
    char names[4][256]; /* rotating buffers for clean names */
    int next;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    tco_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t len = strlen(buf);
    if (t->used + len >= sizeof t->line)
        len = sizeof t->line - 1 - t->used;
    memcpy(t->line + t->used, buf, len);
    t->used += len;
    t->line[t->used] = '\0';
}

/* Ends a sentence: writes it, cut at spaces into lines of at most width. */
static void end(text *t)
{
    const char *s = t->line;
    size_t n = t->used;
    while (t->width && n > t->width) {
        size_t cut = t->width;
        while (cut > 0 && s[cut] != ' ')
            cut--;
        if (cut == 0)
            break;
        fwrite(s, 1, cut, t->f);
        fputs("\n  ", t->f);
        s += cut + 1;
        n -= cut + 1;
    }
    fwrite(s, 1, n, t->f);
    fputc('\n', t->f);
    t->used = 0;
    t->line[0] = '\0';
}

static const char *name(text *t, int s)
{
    char *buf = t->names[t->next++ % 4];
    tco_clean_text(t->sc->strategies[s].name, buf, sizeof t->names[0]);
    return buf;
}

static const char *money(double x, char *buf, size_t size)
{
    tco_format_money(x, buf, size);
    return buf;
}

static const char *pct(double p, char *buf, size_t size)
{
    tco_format_percent(p, 0, buf, size);
    return buf;
}

/* The words before item i of a list of n: "", ", ", " and ". */
static const char *joiner(int i, int n)
{
    return i == 0 ? "" : i + 1 == n ? " and " : ", ";
}

/* What the criterion measures, as a noun: "mean NPV", "P95 NPV", ... */
static const char *metric(tco_criterion c)
{
    static const char *const words[TCO_NCRIT] = {"mean NPV",   "P50 NPV",    "P90 NPV",
                                                  "P95 NPV",    "CVaR95 NPV", "certainty equivalent"};
    return c >= 0 && c < TCO_NCRIT ? words[c] : "criterion";
}

/* How strategy s compares on the criterion with the recommended one (whose
 * value is no higher): "costs 140k more on average". */
static void contrast(text *t, const tco_results *r, int s)
{
    const tco_decision *d = &r->decision;
    double gap = r->st[s].criterion_value - r->st[d->recommended].criterion_value;
    char a[32];
    if (!(gap > 0))
        add(t, "ties with it on %s", metric(d->criterion));
    else if (d->criterion == TCO_CRIT_MEAN)
        add(t, "costs %s more on average", money(gap, a, sizeof a));
    else
        add(t, "its %s is %s higher", metric(d->criterion), money(gap, a, sizeof a));
}

tco_status tco_decision_write(FILE *f, const tco_results *r, const tco_scenario *sc, size_t width)
{
    text t = {.f = f, .width = width, .sc = sc};
    const tco_decision *d = &r->decision;
    char a[32], b[32], c[32], cur[128];
    tco_clean_text(sc->currency, cur, sizeof cur);
    int rec = d->recommended;
    if (rec < 0) {
        add(&t, "No recommendation: no strategy has a finite %s.", metric(d->criterion));
        end(&t);
        return ferror(f) ? TCO_EIO : TCO_OK;
    }
    const tco_strategy_result *q = &r->st[rec];
    add(&t, "Recommended: %s (%s, the decision criterion %s): %s %s %s.", name(&t, rec),
        tco_criterion_words(d->criterion), tco_criterion_name(d->criterion), metric(d->criterion),
        money(q->criterion_value, a, sizeof a), cur);
    end(&t);
    /* The runner-up, paired on the same futures. */
    if (d->runner_up >= 0) {
        int ru = d->runner_up;
        if (d->margin > 0 && d->criterion == TCO_CRIT_MEAN)
            add(&t, "The runner-up, %s, costs %s more on average", name(&t, ru),
                money(d->diff_mean, a, sizeof a));
        else {
            if (d->margin > 0)
                add(&t, "The runner-up, %s, has a %s %s higher", name(&t, ru),
                    metric(d->criterion), money(d->margin, a, sizeof a));
            else
                add(&t, "%s has the same %s", name(&t, ru), metric(d->criterion));
            if (d->criterion != TCO_CRIT_MEAN)
                add(&t, "; on average it costs %s %s", money(fabs(d->diff_mean), a, sizeof a),
                    d->diff_mean >= 0 ? "more" : "less");
        }
        /* The interval of the difference just stated (its sign). */
        double sign = d->diff_mean >= 0 ? 1 : -1;
        if (isfinite(d->diff_low))
            add(&t, " (paired 95%% interval%s %s to %s%s)",
                d->criterion == TCO_CRIT_MEAN && !(d->margin > 0) ? " of the difference" : "",
                money(sign > 0 ? d->diff_low : -d->diff_high, a, sizeof a),
                money(sign > 0 ? d->diff_high : -d->diff_low, b, sizeof b),
                d->diff_low <= 0 && d->diff_high >= 0
                    ? ": too close to tell apart with these futures" : "");
        if (isfinite(d->p_beats)) {
            add(&t, "; %s is cheaper in %s of futures, %s in %s", name(&t, rec),
                pct(d->p_beats, a, sizeof a), name(&t, ru), pct(d->p_loses, b, sizeof b));
            if (d->p_identical > 0)
                add(&t, ", they cost the same in %s", pct(d->p_identical, c, sizeof c));
        }
        add(&t, ".");
        if (!(d->margin > 0))
            add(&t, " On a tie the first in the file is recommended.");
        end(&t);
    }
    /* What else is best, and how it agrees or disagrees. */
    int nalso = (d->best_mean == rec && d->criterion != TCO_CRIT_MEAN) +
                (d->best_p95 == rec && d->criterion != TCO_CRIT_P95) + (d->most_often == rec);
    int said = 0;
    if (nalso > 0)
        add(&t, "It is also ");
    if (d->best_mean == rec && d->criterion != TCO_CRIT_MEAN)
        add(&t, "%sthe cheapest on average (mean NPV %s)", joiner(said++, nalso),
            money(q->npv.mean, a, sizeof a));
    if (d->best_p95 == rec && d->criterion != TCO_CRIT_P95)
        add(&t, "%sthe cheapest at P95 (%s)", joiner(said++, nalso),
            money(q->npv.p[6], a, sizeof a));
    if (d->most_often == rec)
        add(&t, "%sthe most often cheapest (%s of futures)", joiner(said++, nalso),
            pct(q->p_cheapest, a, sizeof a));
    if (nalso > 0) {
        add(&t, ".");
        end(&t);
    }
    if (d->best_mean >= 0 && d->best_mean != rec && d->criterion != TCO_CRIT_MEAN) {
        add(&t, "%s has the lowest mean NPV (%s against %s) but ", name(&t, d->best_mean),
            money(r->st[d->best_mean].npv.mean, a, sizeof a), money(q->npv.mean, b, sizeof b));
        contrast(&t, r, d->best_mean);
        add(&t, ".");
        end(&t);
    }
    if (d->best_p95 >= 0 && d->best_p95 != rec && d->criterion != TCO_CRIT_P95) {
        add(&t, "%s is cheaper at P95 (%s against %s) but ", name(&t, d->best_p95),
            money(r->st[d->best_p95].npv.p[6], a, sizeof a), money(q->npv.p[6], b, sizeof b));
        contrast(&t, r, d->best_p95);
        add(&t, ".");
        end(&t);
    }
    if (d->most_often >= 0 && d->most_often != rec) {
        add(&t, "%s is cheapest more often (%s of futures, against %s) but ",
            name(&t, d->most_often), pct(r->st[d->most_often].p_cheapest, a, sizeof a),
            pct(q->p_cheapest, b, sizeof b));
        contrast(&t, r, d->most_often);
        add(&t, ".");
        end(&t);
    }
    /* Savings against the baseline, paired on futures. */
    if (rec != 0) {
        const tco_savings *v = &q->savings;
        add(&t, "Against the baseline %s it saves %s %s on average (95%% interval %s to %s); ",
            name(&t, 0), money(v->mean, a, sizeof a), cur, money(v->ci_low, b, sizeof b),
            money(v->ci_high, c, sizeof c));
        add(&t, "P5 %s, P50 %s, ", money(v->p[0], a, sizeof a), money(v->p[3], b, sizeof b));
        add(&t, "P95 %s; it saves something in %s of futures", money(v->p[6], a, sizeof a),
            pct(v->p_saves, b, sizeof b));
        if (!isnan(v->p_saves_more))
            add(&t, ", more than %s in %s", money(r->saves_more_than, a, sizeof a),
                pct(v->p_saves_more, b, sizeof b));
        add(&t, ".");
        end(&t);
    } else {
        add(&t, "It is the baseline (the first strategy).");
        end(&t);
    }
    /* Ties: which strategies cost exactly the same in many futures; pairs
     * that are near-identical get a warning instead. */
    for (size_t x = 0; r->identical && x < r->S; x++)
        for (size_t y = x + 1; y < r->S; y++) {
            double same = r->identical[x * r->S + y];
            double mad = r->mean_abs_diff[x * r->S + y];
            double scale = fmax(fabs(r->st[x].npv.mean), fabs(r->st[y].npv.mean));
            if (!tco_decision_near_identical(r, x, y)) {
                if (same >= TCO_TIE_MENTION) {
                    add(&t, "%s is identical to %s in %s of futures (P(cheapest) splits them).",
                        name(&t, (int)y), name(&t, (int)x), pct(same, a, sizeof a));
                    end(&t);
                }
            } else if (same >= TCO_NEAR_IDENTICAL) {
                /* The mean difference where they differ: mad / (1 - same). */
                add(&t, "Warning: %s and %s are near-identical: they cost exactly the same in %s "
                        "of futures, so P(cheapest) and the comparison between them rest on the "
                        "other %s",
                    name(&t, (int)x), name(&t, (int)y), pct(same, a, sizeof a),
                    pct(1 - same, b, sizeof b));
                if (same < 1)
                    add(&t, " (where they differ by %s on average)",
                        money(mad / (1 - same), c, sizeof c));
                add(&t, ".");
                end(&t);
            } else {
                char m[32];
                tco_format_percent(scale > 0 ? mad / scale : 0, 2, m, sizeof m);
                add(&t, "Warning: %s and %s are near-identical: their NPVs differ by %s of the "
                        "mean NPV on average (mean absolute difference %s); the choice between "
                        "them hardly matters.",
                    name(&t, (int)x), name(&t, (int)y), m, money(mad, a, sizeof a));
                end(&t);
            }
        }
    return ferror(f) ? TCO_EIO : TCO_OK;
}
