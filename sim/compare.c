#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "boardpack.h"
#include "number.h"
#include "output.h"
#include "xlsx.h"

void tco_compare_free(tco_compare *cmp)
{
    if (!cmp)
        return;
    for (size_t k = 0; k < cmp->n; k++) {
        tco_scenario_free(cmp->c[k].sc);
        tco_results_free(cmp->c[k].res);
        free(cmp->c[k].curve);
    }
    free(cmp->c);
    tco_case_list_free(cmp->list);
    free(cmp);
}

/* Refuses a case whose strategies differ from the base's: the comparison
 * is of the same decisions under other assumptions. */
static tco_status same_strategies(const tco_scenario *base, const tco_scenario *sc,
                                  const char *name, tco_error *err)
{
    int same = base->nstrategies == sc->nstrategies;
    for (size_t s = 0; same && s < sc->nstrategies; s++)
        same = strcmp(base->strategies[s].name, sc->strategies[s].name) == 0;
    if (!same)
        return tco_error_set(err, TCO_EINVAL,
                             "%s: case %s changes the list of strategies; compare needs the "
                             "scenario's strategies in every case",
                             base->file, name);
    return TCO_OK;
}

tco_status tco_compare_run(tco_compare **out, const char *path, const tco_load_options *base,
                           const char *const *names, size_t nnames, const tco_run_options *opt,
                           tco_error *err)
{
    *out = NULL;
    tco_compare *cmp = calloc(1, sizeof *cmp);
    tco_run *run = NULL;
    tco_status st;
    if (!cmp)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    cmp->file = path;
    cmp->sets = base ? base->sets : NULL;
    cmp->nsets = base ? base->nsets : 0;
    if ((st = tco_case_list_read(&cmp->list, path, err)) != TCO_OK)
        goto fail;
    size_t want = names ? nnames : cmp->list->n;
    if (want == 0) {
        st = tco_error_set(err, TCO_EINVAL,
                           "%s: no cases to compare: add a cases: block (docs/scenario.md, "
                           "section 14)",
                           path);
        goto fail;
    }
    if (!(cmp->c = calloc(want + 1, sizeof *cmp->c))) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto fail;
    }
    /* Load every case first: an error in the last one shows at once. */
    for (size_t k = 0; k <= want; k++) {
        tco_compare_case *c = &cmp->c[k];
        tco_load_options lo = {base ? base->sets : NULL, base ? base->nsets : 0, NULL};
        if (k == 0) {
            c->name = TCO_CASE_BASE;
            c->description = "";
        } else {
            const char *name = names ? names[k - 1] : cmp->list->c[k - 1].name;
            for (size_t j = 1; j < k; j++)
                if (strcmp(cmp->c[j].name, name) == 0) {
                    st = tco_error_set(err, TCO_EINVAL, "--cases: %s is named twice", name);
                    goto fail;
                }
            lo.case_name = name;
            int i = tco_case_list_find(cmp->list, name);
            if (i >= 0) {
                c->info = &cmp->list->c[i];
                c->name = c->info->name;
                c->description = c->info->description;
            }
        }
        /* The base's quantile tables serve every case where a distribution
         * is the same (the same tables, so the same numbers). */
        st = tco_scenario_reload_with(&c->sc, path, &lo, NULL, 0, k > 0 ? cmp->c[0].sc : NULL,
                                      err);
        cmp->n = k + 1;
        if (st == TCO_OK && k > 0)
            st = same_strategies(cmp->c[0].sc, c->sc, c->name, err);
        if (st != TCO_OK)
            goto fail;
    }
    /* One seed, one number of futures, one sampling method for all: the
     * base's unless the command line says otherwise. */
    const tco_scenario *b = cmp->c[0].sc;
    tco_run_options o = *opt;
    o.futures = opt->futures > 0 ? opt->futures : b->futures;
    o.seed = opt->seed_set ? opt->seed : b->seed;
    o.seed_set = 1;
    o.sampling = opt->sampling_set ? opt->sampling : b->sampling;
    o.sampling_set = 1;
    o.keep_inputs = 0;
    o.count_bands = 1; /* each case's bands are computed */
    double p[TCO_COMPARE_NCURVE];
    for (int k = 0; k < TCO_COMPARE_NCURVE; k++)
        p[k] = (double)k / (TCO_COMPARE_NCURVE - 1);
    for (size_t k = 0; k < cmp->n; k++) {
        tco_compare_case *c = &cmp->c[k];
        tco_progress_span prog = {opt, (long)k * o.futures, (long)cmp->n * o.futures};
        if (opt->progress) {
            o.progress = tco_progress_span_report;
            o.progress_ctx = &prog;
        }
        if ((st = tco_run_execute(&run, c->sc, &o, err)) != TCO_OK ||
            (st = tco_results_compute(&c->res, run, err)) != TCO_OK)
            goto fail;
        size_t S = c->sc->nstrategies;
        if (!(c->curve = malloc(S * TCO_COMPARE_NCURVE * sizeof *c->curve))) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t s = 0; s < S; s++)
            if ((st = tco_stats_npv_curve(run, s, p, TCO_COMPARE_NCURVE,
                                          c->curve + s * TCO_COMPARE_NCURVE, err)) != TCO_OK)
                goto fail;
        cmp->futures = run->n;
        cmp->seed = run->seed;
        cmp->sampling = run->sampling;
        cmp->threads = run->threads;
        cmp->seconds += run->seconds;
        tco_run_free(run);
        run = NULL;
    }
    *out = cmp;
    return TCO_OK;
fail:
    tco_run_free(run);
    tco_compare_free(cmp);
    return st;
}

/* ---- files ---- */

/* tco_write_file takes tco_report writers: the comparison rides along. */
typedef struct {
    tco_report rep;
    const tco_compare *cmp;
} compare_report;

static const tco_compare *of(const tco_report *r)
{
    return ((const compare_report *)(const void *)r)->cmp;
}

static void csvnum(FILE *f, double x)
{
    fputc(',', f);
    if (isfinite(x))
        tco_fprintf(f, "%.10g", x);
}

static void jsonnum(FILE *f, const char *key, double x, const char *sep)
{
    tco_fprintf(f, "\"%s\": ", key);
    if (isfinite(x))
        tco_fprintf(f, "%.17g", x);
    else
        fputs("null", f);
    fputs(sep, f);
}

/* The mean of strategy s in the base case (the same strategy: same index,
 * checked by same_strategies). */
static double base_mean(const tco_compare *cmp, size_t s)
{
    return cmp->c[0].res->st[s].npv.mean;
}

/* Whether the savings against the baseline were computed (they come with
 * the pairwise matrices). */
static int has_savings(const tco_results *res)
{
    return res->p_cheaper != NULL;
}

enum { P5 = 0, P50 = 3, P90 = 5, P95 = 6 }; /* indices in TCO_PCT */

static tco_status w_csv(FILE *f, const tco_report *r)
{
    const tco_compare *cmp = of(r);
    fputs("case,strategy,mean,p5,p50,p90,p95,cvar95,p_cheapest,mean_vs_base,savings_mean,"
          "savings_ci_low,savings_ci_high,savings_p5,savings_p50,savings_p95,p_saves\n",
          f);
    for (size_t k = 0; k < cmp->n; k++) {
        const tco_compare_case *c = &cmp->c[k];
        for (size_t s = 0; s < c->res->S; s++) {
            const tco_strategy_result *q = &c->res->st[s];
            tco_csv_string(f, c->name);
            fputc(',', f);
            tco_csv_string(f, c->sc->strategies[s].name);
            double v[] = {q->npv.mean,    q->npv.p[P5],   q->npv.p[P50], q->npv.p[P90],
                          q->npv.p[P95],  q->npv.cvar95,  q->p_cheapest,
                          q->npv.mean - base_mean(cmp, s)};
            for (size_t i = 0; i < sizeof v / sizeof *v; i++)
                csvnum(f, v[i]);
            const tco_savings *g = &q->savings;
            double w[] = {g->mean, g->ci_low, g->ci_high, g->p[P5], g->p[P50], g->p[P95],
                          g->p_saves};
            for (size_t i = 0; i < sizeof w / sizeof *w; i++)
                csvnum(f, has_savings(c->res) ? w[i] : NAN);
            fputc('\n', f);
        }
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

static tco_status w_json(FILE *f, const tco_report *r)
{
    const tco_compare *cmp = of(r);
    const tco_scenario *b = cmp->c[0].sc;
    fputs("{\n  \"scenario\": ", f);
    tco_json_string(f, b->name);
    fputs(", \"file\": ", f);
    tco_json_string(f, cmp->file);
    tco_fprintf(f, ",\n  \"futures\": %ld, \"seed\": %llu, \"sampling\": \"%s\", ", cmp->futures,
                (unsigned long long)cmp->seed, tco_sampling_name(cmp->sampling));
    fputs("\"currency\": ", f);
    tco_json_string(f, b->currency);
    tco_fprintf(f, ", \"tcosim_version\": \"%s\",\n  \"sets\": [", TCO_VERSION);
    for (size_t i = 0; i < cmp->nsets; i++) {
        fputs(i ? ", " : "", f);
        tco_json_string(f, cmp->sets[i]);
    }
    fputs("],\n  \"cases\": [\n", f);
    for (size_t k = 0; k < cmp->n; k++) {
        const tco_compare_case *c = &cmp->c[k];
        const tco_results *res = c->res;
        fputs("    { \"name\": ", f);
        tco_json_string(f, c->name);
        fputs(", \"description\": ", f);
        tco_json_string(f, c->description);
        fputs(",\n      \"set\": {", f);
        for (size_t j = 0; c->info && j < c->info->nset; j++) {
            fputs(j ? ", " : " ", f);
            tco_json_string(f, c->info->path[j]);
            fputs(": ", f);
            tco_json_string(f, c->info->value[j]);
        }
        fputs(c->info && c->info->nset ? " },\n" : "},\n", f);
        fputs("      \"lowest_mean\": ", f);
        if (res->best >= 0)
            tco_json_string(f, c->sc->strategies[res->best].name);
        else
            fputs("null", f);
        fputs(", \"recommended\": ", f);
        if (res->recommended >= 0)
            tco_json_string(f, c->sc->strategies[res->recommended].name);
        else
            fputs("null", f);
        fputs(",\n      \"strategies\": [\n", f);
        for (size_t s = 0; s < res->S; s++) {
            const tco_strategy_result *q = &res->st[s];
            fputs("        { \"name\": ", f);
            tco_json_string(f, c->sc->strategies[s].name);
            fputs(", ", f);
            jsonnum(f, "mean", q->npv.mean, ", ");
            jsonnum(f, "p5", q->npv.p[P5], ", ");
            jsonnum(f, "p50", q->npv.p[P50], ", ");
            jsonnum(f, "p90", q->npv.p[P90], ", ");
            jsonnum(f, "p95", q->npv.p[P95], ", ");
            jsonnum(f, "cvar95", q->npv.cvar95, ",\n          ");
            jsonnum(f, "p_cheapest", q->p_cheapest, ", ");
            jsonnum(f, "mean_vs_base", q->npv.mean - base_mean(cmp, s), ", ");
            fputs("\"savings\": ", f);
            if (has_savings(res)) {
                const tco_savings *g = &q->savings;
                fputs("{ ", f);
                jsonnum(f, "mean", g->mean, ", ");
                jsonnum(f, "ci_low", g->ci_low, ", ");
                jsonnum(f, "ci_high", g->ci_high, ", ");
                jsonnum(f, "p5", g->p[P5], ", ");
                jsonnum(f, "p50", g->p[P50], ", ");
                jsonnum(f, "p95", g->p[P95], ", ");
                jsonnum(f, "p_saves", g->p_saves, " }");
            } else {
                fputs("null", f);
            }
            fputs(s + 1 < res->S ? " },\n" : " }\n", f);
        }
        fputs(k + 1 < cmp->n ? "      ] },\n" : "      ] }\n", f);
    }
    fputs("  ]\n}\n", f);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* Every case's S-curves side by side: column "strategy (case)" holds the
 * NPV at probability p, cases in order, strategies in order within. */
static tco_status w_scurve(FILE *f, const tco_report *r)
{
    const tco_compare *cmp = of(r);
    fputs("p", f);
    for (size_t k = 0; k < cmp->n; k++)
        for (size_t s = 0; s < cmp->c[k].sc->nstrategies; s++) {
            char col[600];
            tco_snprintf(col, sizeof col, "%s (%s)", cmp->c[k].sc->strategies[s].name,
                         cmp->c[k].name);
            fputc(',', f);
            tco_csv_string(f, col);
        }
    fputc('\n', f);
    for (int i = 0; i < TCO_COMPARE_NCURVE; i++) {
        tco_fprintf(f, "%.10g", (double)i / (TCO_COMPARE_NCURVE - 1));
        for (size_t k = 0; k < cmp->n; k++)
            for (size_t s = 0; s < cmp->c[k].sc->nstrategies; s++)
                csvnum(f, cmp->c[k].curve[s * TCO_COMPARE_NCURVE + (size_t)i]);
        fputc('\n', f);
    }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

static tco_status w_table(FILE *f, const tco_report *r)
{
    return tco_write_compare_table(f, of(r));
}

/* The board pack's pages (boardpack.h). */
static tco_status w_board(FILE *f, const tco_report *r)
{
    return tco_boardpack_compare(f, of(r), r->prov);
}

tco_status tco_write_compare_table(FILE *f, const tco_compare *cmp)
{
    const tco_scenario *b = cmp->c[0].sc;
    size_t w = 8;
    for (size_t s = 0; s < b->nstrategies; s++) {
        size_t len = strlen(b->strategies[s].name);
        w = len > w ? len : w;
    }
    int sav = has_savings(cmp->c[0].res) && b->nstrategies > 1;
    /* 73 columns of numbers (82 with the savings) and the names: at most 100. */
    size_t wmax = sav ? 18 : 24;
    w = w > wmax ? wmax : w;
    tco_fprintf(f, "%s: %zu case%s and the base on the same %ld futures, seed %llu, %s "
                   "sampling; NPV in %s\n\n",
                b->name, cmp->n - 1, cmp->n == 2 ? "" : "s", cmp->futures,
                (unsigned long long)cmp->seed, tco_sampling_name(cmp->sampling), b->currency);
    tco_fprintf(f, "  %-*s %8s %8s %8s %8s %8s %8s %7s %8s", (int)w, "strategy", "mean", "P5",
                "P50", "P90", "P95", "CVaR95", "P(best)", "vs base");
    if (sav)
        tco_fprintf(f, " %8s", "saves");
    fputc('\n', f);
    for (size_t k = 0; k < cmp->n; k++) {
        const tco_compare_case *c = &cmp->c[k];
        /* The case's line fits in 100 columns: its description is cut. */
        char desc[100];
        size_t room = strlen(c->name) + 3 < sizeof desc ? sizeof desc - strlen(c->name) - 2 : 1;
        tco_clean_text(c->description, desc, room);
        tco_fprintf(f, "%s%s%s\n", c->name, *desc ? ": " : "", desc);
        for (size_t s = 0; s < c->res->S; s++) {
            const tco_strategy_result *q = &c->res->st[s];
            char name[100], v[8][32];
            tco_clean_text(c->sc->strategies[s].name, name, sizeof name);
            double x[] = {q->npv.mean,   q->npv.p[P5],  q->npv.p[P50], q->npv.p[P90],
                          q->npv.p[P95], q->npv.cvar95, q->npv.mean - base_mean(cmp, s),
                          q->savings.mean};
            for (int i = 0; i < 8; i++)
                tco_format_money(x[i], v[i], sizeof v[i]);
            if (k == 0)
                tco_snprintf(v[6], sizeof v[6], "-");
            else if (x[6] > 0) {
                char plus[32];
                tco_snprintf(plus, sizeof plus, "+%s", v[6]);
                memcpy(v[6], plus, sizeof v[6]);
            }
            char pc[16];
            tco_snprintf(pc, sizeof pc, "%.0f%%", q->p_cheapest * 100);
            tco_fprintf(f, "  %-*.*s %8s %8s %8s %8s %8s %8s %7s %8s", (int)w, (int)w, name, v[0],
                        v[1], v[2], v[3], v[4], v[5], pc, v[6]);
            if (sav)
                tco_fprintf(f, " %8s", s == 0 ? "-" : v[7]);
            fputc('\n', f);
        }
        if (c->res->best >= 0)
            tco_fprintf(f, "  lowest mean: %s\n", c->sc->strategies[c->res->best].name);
    }
    tco_fprintf(f, "\nP(best): the chance of being the cheapest; vs base: mean minus the base's.\n");
    if (sav)
        tco_fprintf(f, "saves: mean saving against %s, the scenario's baseline, in the same "
                       "futures.\n",
                    b->strategies[0].name);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_compare_write(const char *dir, const tco_compare *cmp, tco_chart_spec *spec,
                             char *extra, size_t size, const tco_provenance *prov,
                             tco_error *err)
{
    compare_report cr = {{cmp->c[0].sc, NULL, NULL, prov}, cmp};
    tco_status xst = tco_xlsx_write_compare(dir, cmp, prov, err);
    if (xst != TCO_OK)
        return xst;
    static const struct {
        const char *file;
        tco_status (*writer)(FILE *, const tco_report *);
    } files[] = {{"compare.csv", w_csv},
                 {"compare.json", w_json},
                 {"compare_scurve.csv", w_scurve},
                 {"compare_table.txt", w_table},
                 {"board.tsv", w_board}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4200];
        tco_snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
        tco_status st = tco_write_file(path, files[i].writer, &cr.rep, err);
        if (st != TCO_OK)
            return st;
    }
    /* The chart's option: strategies per case, to colour by strategy and
     * dash by case, then the case names for its legend (all or none:
     * meta.csv keeps at most 700 characters). */
    size_t used = (size_t)tco_snprintf(extra, size, "%zu", cmp->c[0].sc->nstrategies), len = used;
    for (size_t k = 0; k < cmp->n; k++)
        len += 1 + strlen(cmp->c[k].name);
    for (size_t k = 0; len < 600 && len < size && k < cmp->n; k++)
        used += (size_t)tco_snprintf(extra + used, size - used, " %s", cmp->c[k].name);
    spec->kind = TCO_CHART_COMPARE;
    spec->extra = extra;
    return tco_write_meta(dir, cmp->c[0].sc, cmp->futures, cmp->seed, cmp->sampling, spec, 1, prov,
                          err);
}
