#include "output.h"

#include "number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 when s
 * does not start one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
        return 0;
    return n;
}

/* Invalid UTF-8 bytes (a file name in Latin-1, say) become U+FFFD, so the
 * results file is always valid JSON text (RFC 8259 requires UTF-8). */
void tco_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned char c = *s;
        size_t n = utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            s++;
            continue;
        }
        if (c == '"' || c == '\\')
            tco_fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            tco_fprintf(f, "\\u%04x", c);
        else
            fwrite(s, 1, n, f);
        s += n;
    }
    fputc('"', f);
}

/* A field that a spreadsheet would read as a formula (=, +, -, @, or a tab
 * or carriage return first) is written with a single quote in front: the
 * OWASP advice against CSV injection.  '#' is quoted too. */
void tco_csv_string(FILE *f, const char *s)
{
    int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    if (!formula && !strpbrk(s, ",\"\n\r#")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void tco_clean_text(const char *str, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    if (size == 0)
        return;
    while (*s) {
        char esc[8] = "";
        size_t n = utf8_len(s), len;
        const char *out;
        if (n == 0 || *s < 0x20 || *s == 0x7f) {
            if (*s == '\n')
                memcpy(esc, "\\n", 3);
            else if (*s == '\t')
                memcpy(esc, "\\t", 3);
            else if (n == 0)
                memcpy(esc, "\xEF\xBF\xBD", 4); /* U+FFFD */
            else
                tco_snprintf(esc, sizeof esc, "\\x%02x", *s);
            out = esc;
            len = strlen(esc);
            n = 1;
        } else {
            out = (const char *)s;
            len = n;
        }
        if (o + len + 1 > size)
            break;
        memcpy(buf + o, out, len);
        o += len;
        s += n;
    }
    buf[o] = '\0';
}

static void num(FILE *f, double x)
{
    if (isfinite(x))
        tco_fprintf(f, "%.17g", x);
    else
        fputs("null", f);
}

static void csvnum(FILE *f, double x)
{
    if (isfinite(x))
        tco_fprintf(f, "%.10g", x);
}

static void json_array(FILE *f, const double *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        num(f, v[i]);
    }
    fputc(']', f);
}

/* A strategy's name, or null for -1. */
static void json_name(FILE *f, const tco_scenario *sc, int s)
{
    if (s >= 0)
        tco_json_string(f, sc->strategies[s].name);
    else
        fputs("null", f);
}

/* An S x S matrix as rows ([a][b]); null when absent. */
static void json_matrix(FILE *f, const double *m, size_t S)
{
    if (!m) {
        fputs("null", f);
        return;
    }
    fputc('[', f);
    for (size_t a = 0; a < S; a++) {
        fputs(a ? ",\n    " : "\n    ", f);
        json_array(f, m + a * S, S);
    }
    fputs(" ]", f);
}

/* The keys of the decision object after "recommended" (decision.h). */
static void json_decision(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    const tco_decision *d = &res->decision;
    const tco_scenario *sc = r->sc;
    fputs(", \"runner_up\": ", f);
    json_name(f, sc, d->runner_up);
    fputs(", \"best_mean\": ", f);
    json_name(f, sc, d->best_mean);
    fputs(", \"best_p95\": ", f);
    json_name(f, sc, d->best_p95);
    fputs(", \"most_often_cheapest\": ", f);
    json_name(f, sc, d->most_often);
    fputs(",\n    \"margin\": ", f);
    num(f, d->margin);
    fputs(", \"runner_up_minus_recommended\": { \"mean\": ", f);
    num(f, d->diff_mean);
    fputs(", \"ci_low\": ", f);
    num(f, d->diff_low);
    fputs(", \"ci_high\": ", f);
    num(f, d->diff_high);
    fputs(" },\n    \"p_recommended_cheaper\": ", f);
    num(f, d->p_beats);
    fputs(", \"p_runner_up_cheaper\": ", f);
    num(f, d->p_loses);
    fputs(", \"p_identical\": ", f);
    num(f, d->p_identical);
    fputs(",\n    \"near_identical\": [", f);
    int first = 1;
    for (size_t a = 0; a < res->S; a++)
        for (size_t b = a + 1; b < res->S; b++)
            if (tco_decision_near_identical(res, a, b)) {
                fputs(first ? "[" : ", [", f);
                json_name(f, sc, (int)a);
                fputs(", ", f);
                json_name(f, sc, (int)b);
                fputc(']', f);
                first = 0;
            }
    fputs("],\n    \"text\": ", f);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m && tco_decision_write(m, res, sc, 0) == TCO_OK && fclose(m) == 0) {
        while (len > 0 && text[len - 1] == '\n')
            text[--len] = '\0';
        tco_json_string(f, text);
    } else {
        fputs("null", f);
    }
    free(text);
}

/* The "provenance" object of results.json, after the last key. */
static void write_json_provenance(FILE *f, const tco_provenance *p)
{
    fputs(",\n  \"provenance\": { \"command\": ", f);
    tco_json_string(f, p->command ? p->command : "");
    fputs(", \"scenario_file\": ", f);
    tco_json_string(f, p->scenario_path ? p->scenario_path : "");
    tco_fprintf(f, ", \"scenario_sha256\": \"%s\",\n    \"sets\": [", p->scenario_sha256);
    for (size_t i = 0; i < p->nsets; i++) {
        fputs(i ? ", " : "", f);
        tco_json_string(f, p->sets[i]);
    }
    tco_fprintf(f, "], \"threads\": %d, \"date\": ", p->threads);
    tco_json_string(f, p->date);
    fputs(" }", f);
}
static void json_events(FILE *f, const tco_report *r);
static void table_events(FILE *f, const tco_report *r);

tco_status tco_write_json(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    const tco_run *run = r->run;
    static const char *const pnames[TCO_NPCT] = {"p5", "p10", "p25", "p50", "p75", "p90", "p95"};
    static const char *const bnames[TCO_NBAND] = {"p5", "p25", "p50", "p75", "p95"};
    fputs("{\n  \"scenario\": ", f);
    tco_json_string(f, sc->name);
    if (sc->case_name) { /* run --case NAME (cases.h) */
        fputs(", \"case\": ", f);
        tco_json_string(f, sc->case_name);
    }
    tco_fprintf(f, ", \"futures\": %ld, \"seed\": %llu, \"horizon_months\": %d,\n", run->n,
            (unsigned long long)run->seed, sc->horizon);
    fputs("  \"currency\": ", f);
    tco_json_string(f, sc->currency);
    tco_fprintf(f, ", \"sampling\": \"%s\", \"tcosim_version\": \"%s\",\n  \"strategies\": [\n",
            tco_sampling_name(run->sampling), TCO_VERSION);
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        fputs("    { \"name\": ", f);
        tco_json_string(f, sc->strategies[s].name);
        fputs(",\n      \"npv\": { \"mean\": ", f);
        num(f, q->npv.mean);
        fputs(", \"sd\": ", f);
        num(f, q->npv.sd);
        fputs(", \"se\": ", f);
        num(f, q->npv.se);
        for (int p = 0; p < TCO_NPCT; p++) {
            tco_fprintf(f, ", \"%s\": ", pnames[p]);
            num(f, q->npv.p[p]);
        }
        fputs(", \"cvar95\": ", f);
        num(f, q->npv.cvar95);
        fputs(", \"min\": ", f);
        num(f, q->npv.min);
        fputs(", \"max\": ", f);
        num(f, q->npv.max);
        if (sc->risk_tolerance > 0) {
            fputs(", \"ce\": ", f);
            num(f, q->ce);
        }
        fputs(" },\n      \"nominal_mean\": ", f);
        num(f, q->nominal_mean);
        fputs(", \"cost_per_mtok\": ", f);
        num(f, q->cost_per_mtok);
        fputs(", \"p_cheapest\": ", f);
        num(f, q->p_cheapest);
        if (!isnan(sc->budget)) {
            fputs(", \"p_within_budget\": ", f);
            num(f, q->p_within_budget);
        }
        fputs(",\n      \"regret\": { \"mean\": ", f);
        num(f, q->regret_mean);
        fputs(", \"p95\": ", f);
        num(f, q->regret_p95);
        fputs(" },\n      \"breakeven\": { \"probability\": ", f);
        num(f, q->breakeven_probability);
        fputs(", \"median_month\": ", f);
        num(f, q->breakeven_median);
        fputs(" },\n      \"switches\": { \"mean\": ", f);
        num(f, q->switches_mean);
        fputs(", \"probability\": ", f);
        num(f, q->switches_probability);
        fputs(", \"median_first_month\": ", f);
        num(f, q->switches_median_first);
        fputs(" },\n      \"unserved\": ", f);
        num(f, q->unserved);
        fputs(",\n      \"monthly\": { \"mean\": ", f);
        json_array(f, q->monthly_mean, (size_t)res->T);
        for (int b = 0; b < TCO_NBAND; b++) {
            tco_fprintf(f, ",\n                   \"%s\": ", bnames[b]);
            json_array(f, q->monthly_band[b], (size_t)res->T);
        }
        fputs(" },\n      \"categories\": {", f);
        for (int c = 0; c < TCO_NCAT; c++) {
            tco_fprintf(f, "%s\"%s\": ", c ? ", " : " ", tco_category_name((tco_category)c));
            num(f, q->cat[c]);
        }
        fputs(" },\n      \"savings\": { \"mean\": ", f);
        num(f, q->savings.mean);
        fputs(", \"ci_low\": ", f);
        num(f, q->savings.ci_low);
        fputs(", \"ci_high\": ", f);
        num(f, q->savings.ci_high);
        for (int p = 0; p < TCO_NPCT; p++) {
            tco_fprintf(f, ", \"%s\": ", pnames[p]);
            num(f, q->savings.p[p]);
        }
        fputs(", \"p_saves\": ", f);
        num(f, q->savings.p_saves);
        fputs(", \"p_saves_more\": ", f);
        num(f, q->savings.p_saves_more);
        fputs(", \"identical\": ", f);
        num(f, q->savings.identical);
        tco_fprintf(f, " } }%s\n", s + 1 < res->S ? "," : "");
    }
    fputs("  ],\n  \"evpi\": ", f);
    num(f, res->evpi);
    tco_fprintf(f, ",\n  \"decision\": { \"criterion\": \"%s\", \"recommended\": ",
                tco_criterion_name(res->criterion));
    json_name(f, sc, res->recommended);
    json_decision(f, r);
    fputs(" },\n  \"saves_more_than\": ", f);
    num(f, res->saves_more_than);
    fputs(",\n  \"p_cheaper\": ", f);
    json_matrix(f, res->p_cheaper, res->S);
    fputs(",\n  \"identical\": ", f);
    json_matrix(f, res->identical, res->S);
    fputs(",\n  \"clamped\": {", f);
    int first = 1;
    for (size_t k = 0; k < sc->ninputs; k++) {
        if (!run->clamped[k])
            continue;
        fputs(first ? " " : ", ", f);
        tco_json_string(f, sc->inputs[k].path);
        tco_fprintf(f, ": %lu", run->clamped[k]);
        first = 0;
    }
    fputs(first ? "}" : " }", f);
    if (run->event_effect && run->E)
        json_events(f, r);
    if (r->prov)
        write_json_provenance(f, r->prov);
    fputs("\n}\n", f);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_summary_csv(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    fputs("strategy,mean,sd,se,p5,p10,p25,p50,p75,p90,p95,cvar95,min,max,nominal_mean,"
          "cost_per_mtok,p_cheapest,regret_mean,regret_p95,breakeven_probability,"
          "breakeven_median_month,switches_mean,switches_probability,switches_median_first_month,"
          "unserved",
          f);
    /* MODEL.md 20: columns only when the decision block asks for them. */
    int ce = r->sc->risk_tolerance > 0, budget = !isnan(r->sc->budget);
    fputs(ce ? ",ce" : "", f);
    fputs(budget ? ",p_within_budget\n" : "\n", f);
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        tco_csv_string(f, r->sc->strategies[s].name);
        double v[] = {q->npv.mean, q->npv.sd, q->npv.se};
        for (size_t i = 0; i < 3; i++) {
            fputc(',', f);
            csvnum(f, v[i]);
        }
        for (int p = 0; p < TCO_NPCT; p++) {
            fputc(',', f);
            csvnum(f, q->npv.p[p]);
        }
        double w[] = {q->npv.cvar95, q->npv.min, q->npv.max, q->nominal_mean, q->cost_per_mtok,
                      q->p_cheapest, q->regret_mean, q->regret_p95, q->breakeven_probability,
                      q->breakeven_median, q->switches_mean, q->switches_probability,
                      q->switches_median_first, q->unserved};
        for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
            fputc(',', f);
            csvnum(f, w[i]);
        }
        if (ce) {
            fputc(',', f);
            csvnum(f, q->ce);
        }
        if (budget) {
            fputc(',', f);
            csvnum(f, q->p_within_budget);
        }
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_savings_csv(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    fputs("strategy,baseline,mean,ci_low,ci_high,p5,p10,p25,p50,p75,p90,p95,p_saves,"
          "saves_more_than,p_saves_more,identical\n",
          f);
    for (size_t s = 0; s < res->S; s++) {
        const tco_savings *v = &res->st[s].savings;
        tco_csv_string(f, r->sc->strategies[s].name);
        fputc(',', f);
        tco_csv_string(f, r->sc->strategies[0].name);
        double w[] = {v->mean, v->ci_low, v->ci_high};
        for (size_t i = 0; i < 3; i++) {
            fputc(',', f);
            csvnum(f, w[i]);
        }
        for (int p = 0; p < TCO_NPCT; p++) {
            fputc(',', f);
            csvnum(f, v->p[p]);
        }
        double x[] = {v->p_saves, res->saves_more_than, v->p_saves_more, v->identical};
        for (size_t i = 0; i < 4; i++) {
            fputc(',', f);
            csvnum(f, x[i]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_pairs_csv(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    size_t S = res->S;
    fputs("strategy,versus,p_cheaper,p_identical,p_costlier,mean_difference,"
          "mean_difference_se,mean_abs_difference,near_identical\n",
          f);
    for (size_t a = 0; res->p_cheaper && a < S; a++)
        for (size_t b = 0; b < S; b++) {
            if (a == b)
                continue;
            tco_csv_string(f, r->sc->strategies[a].name);
            fputc(',', f);
            tco_csv_string(f, r->sc->strategies[b].name);
            double w[] = {res->p_cheaper[a * S + b], res->identical[a * S + b],
                          res->p_cheaper[b * S + a], res->st[a].npv.mean - res->st[b].npv.mean,
                          res->diff_se[a * S + b], res->mean_abs_diff[a * S + b]};
            for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
                fputc(',', f);
                csvnum(f, w[i]);
            }
            tco_fprintf(f, ",%d\n", tco_decision_near_identical(res, a, b));
        }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

#define SAVINGS_CURVE 101

tco_status tco_write_savings_curve_csv(FILE *f, const tco_report *r)
{
    const tco_run *run = r->run;
    size_t S = run->S;
    double p[SAVINGS_CURVE];
    for (int q = 0; q < SAVINGS_CURVE; q++)
        p[q] = q / (double)(SAVINGS_CURVE - 1);
    double *curve = malloc(S * SAVINGS_CURVE * sizeof *curve);
    tco_error err;
    if (!curve)
        return TCO_ENOMEM;
    tco_status st = tco_stats_savings_curves(run, p, SAVINGS_CURVE, curve, &err);
    if (st != TCO_OK) {
        free(curve);
        return st;
    }
    fputs("probability", f);
    for (size_t s = 1; s < S; s++) {
        /* Read by gnuplot: no formula quoting, but commas and quotes. */
        char clean[512];
        tco_clean_text(r->sc->strategies[s].name, clean, sizeof clean);
        fputc(',', f);
        if (strpbrk(clean, ",\"#") || clean[0] == ' ') {
            fputc('"', f);
            for (const char *c = clean; *c; c++) {
                if (*c == '"')
                    fputc('"', f);
                fputc(*c, f);
            }
            fputc('"', f);
        } else {
            fputs(clean, f);
        }
    }
    fputc('\n', f);
    for (int q = 0; q < SAVINGS_CURVE; q++) {
        tco_fprintf(f, "%.2f", p[q]);
        for (size_t s = 1; s < S; s++)
            tco_fprintf(f, ",%.10g", curve[s * SAVINGS_CURVE + (size_t)q]);
        fputc('\n', f);
    }
    free(curve);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_monthly_csv(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    fputs("strategy,month,mean,p5,p25,p50,p75,p95\n", f);
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        for (int t = 0; t < res->T; t++) {
            tco_csv_string(f, r->sc->strategies[s].name);
            tco_fprintf(f, ",%d,", t + 1);
            csvnum(f, q->monthly_mean[t]);
            for (int b = 0; b < TCO_NBAND; b++) {
                fputc(',', f);
                csvnum(f, q->monthly_band[b][t]);
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_categories_csv(FILE *f, const tco_report *r)
{
    const tco_results *res = r->res;
    fputs("strategy", f);
    for (int c = 0; c < TCO_NCAT; c++)
        tco_fprintf(f, ",%s", tco_category_name((tco_category)c));
    fputs(",total\n", f);
    for (size_t s = 0; s < res->S; s++) {
        tco_csv_string(f, r->sc->strategies[s].name);
        double total = 0;
        for (int c = 0; c < TCO_NCAT; c++) {
            fputc(',', f);
            csvnum(f, res->st[s].cat[c]);
            total += res->st[s].cat[c];
        }
        fputc(',', f);
        csvnum(f, total);
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_samples_csv(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_run *run = r->run;
    if (!run->inputs || !run->switches) /* kept with keep_samples */
        return TCO_EINVAL;
    fputs("future", f);
    for (size_t k = 0; k < sc->ninputs; k++)
        if (!sc->inputs[k].fresh) {
            fputc(',', f);
            tco_csv_string(f, sc->inputs[k].path);
        }
    for (size_t s = 0; s < run->S; s++) {
        char name[128];
        tco_snprintf(name, sizeof name, "npv.%s", sc->strategies[s].name);
        fputc(',', f);
        tco_csv_string(f, name);
    }
    /* Route changes (MODEL.md 20): their number and the month from which
     * the first new route applies (0: none). */
    for (size_t s = 0; s < run->S; s++) {
        char name[128];
        tco_snprintf(name, sizeof name, "switches.%s", sc->strategies[s].name);
        fputc(',', f);
        tco_csv_string(f, name);
        tco_snprintf(name, sizeof name, "first_switch_month.%s", sc->strategies[s].name);
        fputc(',', f);
        tco_csv_string(f, name);
    }
    /* Each event's month (empty: it does not happen within the horizon),
     * each strategy's GPUs in service in month T (tco_cost's gpus). */
    for (size_t k = 0; run->event_month && k < run->E; k++) {
        char name[128];
        tco_snprintf(name, sizeof name, "event_month.%s", sc->events[k].name);
        fputc(',', f);
        tco_csv_string(f, name);
    }
    for (size_t s = 0; run->gpus && s < run->S; s++) {
        char name[128];
        tco_snprintf(name, sizeof name, "gpus_at_horizon.%s", sc->strategies[s].name);
        fputc(',', f);
        tco_csv_string(f, name);
    }
    fputc('\n', f);
    for (long i = 0; i < run->n; i++) {
        tco_fprintf(f, "%ld", i + 1);
        const double *x = run->inputs + (size_t)i * sc->ninputs;
        for (size_t k = 0; k < sc->ninputs; k++)
            if (!sc->inputs[k].fresh)
                tco_fprintf(f, ",%.10g", x[k]);
        for (size_t s = 0; s < run->S; s++)
            tco_fprintf(f, ",%.10g", run->npv[s * (size_t)run->n + (size_t)i]);
        for (size_t s = 0; s < run->S; s++) {
            size_t si = s * (size_t)run->n + (size_t)i;
            tco_fprintf(f, ",%d,%d", run->switches[si], run->first_switch[si]);
        }
        for (size_t k = 0; run->event_month && k < run->E; k++) {
            int month = run->event_month[k * (size_t)run->n + (size_t)i];
            if (month)
                tco_fprintf(f, ",%d", month);
            else
                fputc(',', f);
        }
        for (size_t s = 0; run->gpus && s < run->S; s++)
            tco_fprintf(f, ",%.10g", run->gpus[s * (size_t)run->n + (size_t)i]);
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* The kind of event k as its scenario key says it, "all" for row E. */
static const char *event_kind(const tco_scenario *sc, size_t k)
{
    if (k == sc->nevents)
        return "all";
    switch (sc->events[k].kind) {
    case TCO_EVENT_PRICE:
        return "price_multiplier";
    case TCO_EVENT_EXCLUDE:
        return "exclude_backend";
    default:
        return "one_off_cost";
    }
}

tco_status tco_write_events_csv(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_run *run = r->run;
    fputs("event,kind,strategy,contribution_mean,contribution_se,p_happens\n", f);
    for (size_t k = 0; run->event_effect && run->E && k <= run->E; k++)
        for (size_t s = 0; s < run->S; s++) {
            tco_csv_string(f, k < run->E ? sc->events[k].name : "all events");
            tco_fprintf(f, ",%s,", event_kind(sc, k));
            tco_csv_string(f, sc->strategies[s].name);
            fputc(',', f);
            csvnum(f, run->event_effect[k * run->S + s]);
            fputc(',', f);
            csvnum(f, run->event_effect_se[k * run->S + s]);
            fputc(',', f);
            csvnum(f, run->event_prob[k]);
            fputc('\n', f);
        }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* results.json's "events": each event's contribution to each strategy's
 * mean NPV, then all events' (tco_write_events_csv says the same). */
static void json_events(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_run *run = r->run;
    tco_fprintf(f, ",\n  \"events\": { \"costings_again\": %ld, \"each\": [", run->event_recosts);
    for (size_t k = 0; k <= run->E; k++) {
        if (k == run->E)
            fputs("],\n    \"all\":", f);
        else
            fputs(k ? ",\n      { \"name\": " : "\n      { \"name\": ", f);
        if (k < run->E) {
            tco_json_string(f, sc->events[k].name);
            tco_fprintf(f, ", \"kind\": \"%s\",", event_kind(sc, k));
        } else {
            fputs(" {", f);
        }
        fputs(" \"p_happens\": ", f);
        num(f, run->event_prob[k]);
        for (int se = 0; se < 2; se++) {
            const double *v = (se ? run->event_effect_se : run->event_effect) + k * run->S;
            fputs(se ? ", \"contribution_se\": {" : ", \"contribution_mean\": {", f);
            for (size_t s = 0; s < run->S; s++) {
                fputs(s ? ", " : " ", f);
                tco_json_string(f, sc->strategies[s].name);
                fputs(": ", f);
                num(f, v[s]);
            }
            fputs(" }", f);
        }
        fputs(" }", f);
    }
    fputs(" }", f);
}

/* The table's lines on risk events: what each adds to each strategy's
 * mean NPV, and all of them together (when there are two or more). */
static void table_events(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_run *run = r->run;
    tco_fprintf(f, "\nRisk events add to mean NPV (each against the same futures without it; "
                   "P: chance it happens within %d months):\n", sc->horizon);
    for (size_t k = 0; k <= run->E - (run->E == 1); k++) {
        tco_fprintf(f, "  %s (P %.0f%%):", k < run->E ? sc->events[k].name : "all events",
                    100 * run->event_prob[k]);
        for (size_t s = 0; s < run->S; s++) {
            char a[32];
            double v = run->event_effect[k * run->S + s];
            tco_format_money(v, a, sizeof a);
            tco_fprintf(f, "%s %s%s %s", s ? "," : "", v > 0 ? "+" : "", a,
                        sc->strategies[s].name);
        }
        fputc('\n', f);
    }
}

void tco_format_money(double x, char *buf, size_t size)
{
    double a = fabs(x);
    const char *sign = x < 0 ? "-" : "";
    if (!isfinite(x))
        tco_snprintf(buf, size, "n/a");
    else if (a >= 1e9)
        tco_snprintf(buf, size, "%s%.3gB", sign, a / 1e9);
    else if (a >= 1e6)
        tco_snprintf(buf, size, "%s%.3gM", sign, a / 1e6);
    else if (a >= 1e4)
        tco_snprintf(buf, size, "%s%.3gk", sign, a / 1e3);
    else if (a >= 1000)
        tco_snprintf(buf, size, "%s%d,%03d", sign, (int)(a + 0.5) / 1000, (int)(a + 0.5) % 1000);
    else if (a >= 100 || a == 0)
        tco_snprintf(buf, size, "%s%.0f", sign, a);
    else
        tco_snprintf(buf, size, "%s%.3g", sign, a);
}

tco_status tco_write_table(FILE *f, const tco_report *r)
{
    const tco_scenario *sc = r->sc;
    const tco_results *res = r->res;
    const tco_run *run = r->run;
    char a[32], b[32], c[32], d[32], e[32], g[32];
    tco_fprintf(f, "%s%s%s: %ld futures, seed %llu, %s sampling, %d months; NPV in %s",
            sc->name, sc->case_name ? ", case " : "", sc->case_name ? sc->case_name : "", run->n, (unsigned long long)run->seed, tco_sampling_name(run->sampling),
            sc->horizon, sc->currency);
    if (sc->discount_rate != 0)
        tco_fprintf(f, " discounted at %.3g%% a year", sc->discount_rate * 100);
    else
        fputs(", undiscounted", f);
    fputc('\n', f);
    if (sc->description && sc->description[0]) {
        char desc[512];
        tco_clean_text(sc->description, desc, sizeof desc);
        tco_fprintf(f, "%s\n", desc);
    }
    if (r->prov) {
        char line[1024];
        tco_provenance_line(line, sizeof line, r->prov, run->n, run->seed, run->sampling);
        tco_fprintf(f, "Provenance: %s\n", line);
        if (strstr(line, " --set (listed in meta.csv)"))
            for (size_t i = 0; i < r->prov->nsets; i++) {
                char set[560];
                tco_clean_text(r->prov->sets[i], set, sizeof set);
                tco_fprintf(f, "  --set %s\n", set);
            }
    }
    fputc('\n', f);
    size_t w = 8;
    for (size_t s = 0; s < res->S; s++)
        if (strlen(sc->strategies[s].name) > w)
            w = strlen(sc->strategies[s].name);
    tco_fprintf(f, "%-*s %9s %9s %9s %9s %9s %11s %9s  %s\n", (int)w, "strategy", "mean", "P5", "P50",
            "P95", "CVaR95", "P(cheapest)", "regret", "break-even vs baseline");
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        tco_format_money(q->npv.mean, a, sizeof a);
        tco_format_money(q->npv.p[0], b, sizeof b);
        tco_format_money(q->npv.p[3], c, sizeof c);
        tco_format_money(q->npv.p[6], d, sizeof d);
        tco_format_money(q->npv.cvar95, e, sizeof e);
        tco_format_money(q->regret_mean, g, sizeof g);
        char be[64], pc[16], pb[16];
        tco_format_percent(q->breakeven_probability, 0, pb, sizeof pb);
        tco_format_percent(q->p_cheapest, 1, pc, sizeof pc);
        if (s == 0)
            tco_snprintf(be, sizeof be, "(baseline)");
        else if (q->breakeven_probability == 0)
            tco_snprintf(be, sizeof be, "never");
        else
            tco_snprintf(be, sizeof be, "%s, median month %.3g", pb, q->breakeven_median);
        tco_fprintf(f, "%-*s %9s %9s %9s %9s %9s %11s %9s  %s\n", (int)w, sc->strategies[s].name,
                a, b, c, d, e, pc, g, be);
    }
    /* Route changes of the strategies that can change route (MODEL.md 20). */
    int heading = 0;
    for (size_t s = 0; s < res->S; s++) {
        const tco_strategy_result *q = &res->st[s];
        if (!tco_strategy_can_switch(&sc->strategies[s]))
            continue;
        if (!heading++)
            fputc('\n', f);
        char ps[16];
        tco_format_percent(q->switches_probability, 0, ps, sizeof ps);
        tco_fprintf(f, "route changes of %s: mean %.3g a future, at least one in %s of futures",
                    sc->strategies[s].name, q->switches_mean, ps);
        if (q->switches_probability > 0)
            tco_fprintf(f, ", the first from month %.3g (median)", q->switches_median_first);
        fputs("\n", f);
    }
    /* The decision in sentences: the same as decision.txt and results.json. */
    fputc('\n', f);
    tco_decision_write(f, res, sc, 100);
    if (res->best >= 0) {
        tco_format_money(res->evpi, a, sizeof a);
        tco_fprintf(f, "Perfect information would be worth %s %s (EVPI: the mean regret of %s, "
                       "best on average); tcosim sensitivity says which input to measure.\n",
                    a, sc->currency, sc->strategies[res->best].name);
    }
    for (size_t k = 0; k < sc->ninputs; k++)
        if (run->clamped[k]) {
            char dom[64];
            tco_domain_format(&sc->inputs[k].dom, dom, sizeof dom);
            tco_fprintf(f, "note: %lu draws of %s fell outside its domain (%s) and were clamped\n",
                    run->clamped[k], sc->inputs[k].path, dom);
        }
    if (run->event_effect && run->E)
        table_events(f, r);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_make_dirs(const char *dir, tco_error *err)
{
    char path[4096];
    if (tco_snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return tco_error_set(err, TCO_EIO, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return tco_error_set(err, TCO_EIO, "%s: cannot create folder: %s", path,
                                     strerror(errno));
            *p = saved;
            if (!saved)
                break;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tco_error_set(err, TCO_EIO, "%s: not a folder", dir);
    return TCO_OK;
}

mode_t tco_file_mode(void)
{
    /* umask can only be read by setting it; the program is single-threaded
     * when it writes files. */
    mode_t m = umask(022);
    umask(m);
    return 0666 & ~m;
}

tco_status tco_write_file(const char *path, tco_status (*writer)(FILE *, const tco_report *),
                          const tco_report *r, tco_error *err)
{
    /* mkstemp: a new file with a name nobody can predict (O_CREAT|O_EXCL),
     * so a symbolic link planted in the folder is never followed. */
    char tmp[4200];
    if (tco_snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return tco_error_set(err, TCO_EIO, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return tco_error_set(err, TCO_EIO, "%s: cannot write: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return tco_error_set(err, TCO_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    errno = 0;
    tco_status st = writer(f, r);
    if (fchmod(fd, tco_file_mode()) != 0 || fflush(f) != 0 || ferror(f))
        st = st != TCO_OK ? st : TCO_EIO;
    int e = errno;
    if (fclose(f) != 0 && st == TCO_OK) {
        st = TCO_EIO;
        e = errno;
    }
    if (st == TCO_OK && rename(tmp, path) != 0) {
        st = TCO_EIO;
        e = errno;
    }
    if (st != TCO_OK) {
        unlink(tmp);
        return tco_error_set(err, st, "%s: cannot write: %s", path, e ? strerror(e) : "error");
    }
    return TCO_OK;
}

void tco_safe_name(const char *name, char *buf, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
        buf[i] = ok ? c : '_';
    }
    buf[i] = '\0';
    if (i == 0 || strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
        tco_snprintf(buf, size, "scenario");
}

/* A number as people read it: 3 significant digits with a k, M or B
 * suffix from 10,000 on ("2.08M", "845k"), else up to 4 ("0.5", "1500"). */
static void readable(double x, char *buf, size_t size)
{
    double a = fabs(x);
    if (a >= 1e9)
        tco_snprintf(buf, size, "%.3gB", x / 1e9);
    else if (a >= 1e6)
        tco_snprintf(buf, size, "%.3gM", x / 1e6);
    else if (a >= 1e4)
        tco_snprintf(buf, size, "%.3gk", x / 1e3);
    else
        tco_snprintf(buf, size, "%.4g", x);
}

/* A distribution in readable numbers; a lognormal by its percentiles pct
 * (P5, P50, P95): mu and sigma are logarithms, which nobody reads. */
static void describe_dist(const tco_dist *d, const char (*pct)[32], char *buf, size_t size)
{
    char a[32], b[32], c[32];
    readable(d->a, a, sizeof a);
    readable(d->b, b, sizeof b);
    readable(d->c, c, sizeof c);
    switch (d->kind) {
    case TCO_DIST_FIXED: tco_snprintf(buf, size, "fixed %s", a); return;
    case TCO_DIST_UNIFORM: tco_snprintf(buf, size, "uniform(min %s, max %s)", a, b); return;
    case TCO_DIST_NORMAL: tco_snprintf(buf, size, "normal(mean %s, sd %s)", a, b); return;
    case TCO_DIST_LOGNORMAL:
        tco_snprintf(buf, size, "lognormal(P5 %s, P50 %s, P95 %s)", pct[0], pct[1], pct[2]);
        return;
    case TCO_DIST_TRIANGULAR:
        tco_snprintf(buf, size, "triangular(min %s, mode %s, max %s)", a, c, b);
        return;
    case TCO_DIST_PERT: tco_snprintf(buf, size, "pert(min %s, mode %s, max %s)", a, c, b); return;
    default: tco_dist_format(d, buf, size); return; /* beta, gamma, discrete: as written */
    }
}

void tco_input_describe(const tco_input *in, char *buf, size_t size)
{
    static const double q[3] = {0.05, 0.5, 0.95};
    char v[3][32];
    for (int j = 0; j < 3; j++)
        readable(tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, q[j])), v[j], sizeof v[j]);
    describe_dist(&in->dist, (const char(*)[32])v, buf, size);
}

tco_status tco_write_inputs_table(FILE *f, const tco_scenario *sc)
{
    return tco_write_inputs_table_filtered(f, sc, NULL);
}

tco_status tco_write_inputs_table_filtered(FILE *f, const tco_scenario *sc, const char *filter)
{
    size_t shown = 0, uncertain = 0;
    for (size_t k = 0; k < sc->ninputs; k++)
        if (!filter || strstr(sc->inputs[k].path, filter)) {
            shown++;
            uncertain += tco_dist_uncertain(&sc->inputs[k].dist) != 0;
        }
    if (filter)
        tco_fprintf(f, "%s: %zu of %zu static inputs have '%s' in their path, %zu uncertain\n\n",
                    sc->name, shown, sc->ninputs, filter, uncertain);
    else
        tco_fprintf(f, "%s: %zu static inputs, %zu uncertain\n\n", sc->name, sc->ninputs,
                    sc->ndims);
    tco_fprintf(f, "%-60s %-44s %10s %10s %10s\n", "input", "distribution", "P5", "P50", "P95");
    static const double q[3] = {0.05, 0.5, 0.95};
    for (size_t k = 0; k < sc->ninputs; k++) {
        const tco_input *in = &sc->inputs[k];
        if (filter && !strstr(in->path, filter))
            continue;
        char desc[160], v[3][32];
        for (int j = 0; j < 3; j++)
            readable(tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, q[j])), v[j],
                     sizeof v[j]);
        describe_dist(&in->dist, (const char(*)[32])v, desc, sizeof desc);
        if (in->fresh)
            strncat(desc, " per shock", sizeof desc - strlen(desc) - 1);
        tco_fprintf(f, "%-60s %-44s %10s %10s %10s\n", in->path, desc, v[0], v[1], v[2]);
    }
    if (sc->ncorr > 0)
        tco_fprintf(f, "\n%zu inputs are correlated (see correlations:)\n", sc->ncorr);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* Appends text to buf (size bytes, always terminated). */
static void append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 < size)
        tco_snprintf(buf + used, size - used, "%s", text);
}

void tco_provenance_line(char *buf, size_t size, const tco_provenance *p, long futures,
                         uint64_t seed, tco_sampling sampling)
{
    char part[600];
    if (size == 0)
        return;
    buf[0] = '\0';
    if (p) {
        const char *path = p->scenario_path ? p->scenario_path : "";
        const char *base = strrchr(path, '/');
        tco_clean_text(base ? base + 1 : path, part, sizeof part);
        append(buf, size, part);
        tco_snprintf(part, sizeof part, " sha256 %.8s, ", p->scenario_sha256);
        append(buf, size, part);
        /* Every --set while they fit on a chart's footnote, else their
         * number (results.json and meta.csv list them all). */
        size_t total = 0;
        for (size_t i = 0; i < p->nsets; i++)
            total += strlen(p->sets[i]) + 8;
        for (size_t i = 0; i < p->nsets && total <= TCO_PROVENANCE_SETS_MAX; i++) {
            char set[560];
            tco_clean_text(p->sets[i], set, sizeof set);
            tco_snprintf(part, sizeof part, "--set %s, ", set);
            append(buf, size, part);
        }
        if (total > TCO_PROVENANCE_SETS_MAX) {
            tco_snprintf(part, sizeof part, "%zu --set (listed in meta.csv), ", p->nsets);
            append(buf, size, part);
        }
    }
    tco_snprintf(part, sizeof part, "seed %llu, %ld futures, %s", (unsigned long long)seed, futures,
                 tco_sampling_name(sampling));
    append(buf, size, part);
    if (p) {
        tco_snprintf(part, sizeof part, ", %d thread%s", p->threads, p->threads == 1 ? "" : "s");
        append(buf, size, part);
    }
    tco_snprintf(part, sizeof part, ", tcosim %s", TCO_VERSION);
    append(buf, size, part);
    if (p && p->date[0]) {
        tco_snprintf(part, sizeof part, ", %.10s", p->date);
        append(buf, size, part);
    }
}
