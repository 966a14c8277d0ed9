#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "output.h"
#include "stats.h"

#define MAX_POINTS 10000

void tco_vary_clear(tco_vary *v)
{
    free(v->path);
    free(v->values);
    memset(v, 0, sizeof *v);
}

static int parse_number(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t len = (size_t)(end - s);
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return tco_parse_double(buf, out) == 0 && isfinite(*out);
}

tco_status tco_vary_parse(tco_vary *v, const char *spec, tco_error *err)
{
    memset(v, 0, sizeof *v);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return tco_error_set(err, TCO_EINVAL,
                             "--vary %s: expected PATH=LO:HI:N[:log] or PATH=V1,V2,...", spec);
    v->path = malloc((size_t)(eq - spec) + 1);
    if (!v->path)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    memcpy(v->path, spec, (size_t)(eq - spec));
    v->path[eq - spec] = '\0';
    const char *rest = eq + 1;
    if (strchr(rest, ':')) {
        const char *c1 = strchr(rest, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
        double lo, hi, nn;
        if (!c2 || !parse_number(rest, c1, &lo) || !parse_number(c1 + 1, c2, &hi) ||
            !parse_number(c2 + 1, c3 ? c3 : c2 + strlen(c2), &nn) || (c3 && strcmp(c3, ":log"))) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_EINVAL,
                                 "--vary %s: expected PATH=LO:HI:N or PATH=LO:HI:N:log with numbers",
                                 spec);
        }
        if (nn != floor(nn) || nn < 2 || nn > MAX_POINTS || !(hi > lo)) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_EINVAL,
                                 "--vary %s: needs LO < HI and N a whole number from 2 to %d", spec,
                                 MAX_POINTS);
        }
        v->log = c3 != NULL;
        if (v->log && !(lo > 0)) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_EINVAL, "--vary %s: a log sweep needs LO > 0", spec);
        }
        v->nvalues = (size_t)nn;
        if (!(v->values = malloc(v->nvalues * sizeof *v->values))) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < v->nvalues; i++) {
            double f = (double)i / (double)(v->nvalues - 1);
            v->values[i] = v->log ? exp(log(lo) + f * (log(hi) - log(lo))) : lo + f * (hi - lo);
        }
        v->values[v->nvalues - 1] = hi;
        return TCO_OK;
    }
    size_t count = 1;
    for (const char *p = rest; *p; p++)
        count += *p == ',';
    if (count > MAX_POINTS || !(v->values = malloc(count * sizeof *v->values))) {
        tco_vary_clear(v);
        return tco_error_set(err, TCO_EINVAL, "--vary %s: too many values", spec);
    }
    const char *p = rest;
    for (size_t i = 0; i < count; i++) {
        const char *e = strchr(p, ',');
        if (!e)
            e = p + strlen(p);
        if (!parse_number(p, e, &v->values[i])) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_EINVAL, "--vary %s: '%.*s' is not a number", spec,
                                 (int)(e - p), p);
        }
        if (i > 0 && !(v->values[i] > v->values[i - 1])) {
            tco_vary_clear(v);
            return tco_error_set(err, TCO_EINVAL, "--vary %s: values must increase", spec);
        }
        p = e + 1;
    }
    v->nvalues = count;
    return TCO_OK;
}

void tco_sweep_free(tco_sweep *sw)
{
    if (!sw)
        return;
    for (int k = 0; k < 2; k++) {
        free(sw->path[k]);
        free(sw->x[k]);
    }
    free(sw->mean);
    free(sw->p5);
    free(sw->p50);
    free(sw->p95);
    free(sw->p_cheapest);
    free(sw->p_below);
    for (size_t s = 0; sw->names && s < sw->S; s++)
        free(sw->names[s]);
    free(sw->names);
    free(sw);
}

/* Statistics of one point; scratch holds n + S doubles. */
static void point_stats(const tco_run *run, tco_sweep *sw, size_t p, double *scratch)
{
    size_t n = (size_t)run->n, S = run->S;
    static const double q[3] = {0.05, 0.5, 0.95};
    double *pc = scratch + n;
    tco_stats_p_cheapest(run->npv, n, S, pc);
    for (size_t s = 0; s < S; s++)
        sw->p_cheapest[p * S + s] = pc[s];
    tco_stats_means(run->npv, n, S, sw->mean + p * S);
    for (size_t s = 0; s < S; s++) {
        const double *v = run->npv + s * n;
        double below = 0;
        for (size_t i = 0; i < n; i++)
            below += v[i] < run->npv[i];
        memcpy(scratch, v, n * sizeof *v);
        double out[3];
        tco_stats_percentiles(scratch, n, q, 3, out);
        size_t k = p * S + s;
        sw->p5[k] = out[0];
        sw->p50[k] = out[1];
        sw->p95[k] = out[2];
        sw->p_below[k] = below / (double)n;
    }
}

tco_status tco_sweep_run(tco_sweep **out, const char *file, const tco_load_options *lo,
                         const tco_vary *v, size_t nv, const tco_run_options *opt,
                         tco_error *err)
{
    *out = NULL;
    tco_scenario *sc = NULL;
    tco_run *run = NULL;
    double *scratch = NULL;
    const char **sets = NULL;
    tco_status st = tco_scenario_load(&sc, file, lo, err);
    if (st != TCO_OK)
        return st;
    tco_sweep *sw = calloc(1, sizeof *sw);
    if (!sw) {
        tco_scenario_free(sc);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    sw->nvary = nv;
    sw->n1 = v[0].nvalues;
    sw->n2 = nv > 1 ? v[1].nvalues : 1;
    sw->npoints = sw->n1 * sw->n2;
    sw->S = sc->nstrategies;
    size_t P = sw->npoints, S = sw->S;
    int input[2] = {-1, -1};
    for (size_t k = 0; k < nv; k++) {
        sw->path[k] = malloc(strlen(v[k].path) + 1);
        if (sw->path[k])
            strcpy(sw->path[k], v[k].path);
        sw->log[k] = v[k].log;
        input[k] = tco_scenario_input(sc, v[k].path);
        if (input[k] >= 0 && sc->inputs[input[k]].fresh) {
            st = tco_error_set(err, TCO_EINVAL, "--vary %s: this input is drawn afresh at each "
                               "price shock and cannot be held", v[k].path);
            goto fail;
        }
    }
    if (nv == 2 && strcmp(v[0].path, v[1].path) == 0) {
        st = tco_error_set(err, TCO_EINVAL, "--vary: %s is varied twice", v[0].path);
        goto fail;
    }
    sw->x[0] = malloc(P * sizeof(double));
    sw->x[1] = malloc(P * sizeof(double));
    sw->mean = malloc(P * S * sizeof(double));
    sw->p5 = malloc(P * S * sizeof(double));
    sw->p50 = malloc(P * S * sizeof(double));
    sw->p95 = malloc(P * S * sizeof(double));
    sw->p_cheapest = malloc(P * S * sizeof(double));
    sw->p_below = malloc(P * S * sizeof(double));
    sw->names = calloc(S, sizeof *sw->names);
    sets = calloc((lo ? lo->nsets : 0) + 2, sizeof *sets);
    if (!sw->path[0] || (nv > 1 && !sw->path[1]) || !sw->x[0] || !sw->x[1] || !sw->mean ||
        !sw->p5 || !sw->p50 || !sw->p95 || !sw->p_cheapest || !sw->p_below || !sw->names || !sets) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t s = 0; s < S; s++)
        if (!(sw->names[s] = malloc(strlen(sc->strategies[s].name) + 1))) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto fail;
        } else {
            strcpy(sw->names[s], sc->strategies[s].name);
        }
    for (size_t i = 0; lo && i < lo->nsets; i++)
        sets[i] = lo->sets[i];
    for (size_t p = 0; p < P; p++) {
        size_t i1 = p / sw->n2, i2 = p % sw->n2;
        double val[2] = {v[0].values[i1], nv > 1 ? v[1].values[i2] : 0};
        sw->x[0][p] = val[0];
        sw->x[1][p] = val[1];
        /* Static inputs are held in place (their uniforms still drawn: common
         * random numbers); any other value is set in the file and reloaded. */
        tco_scenario *psc = sc;
        tco_override ovr[2];
        size_t novr = 0;
        for (size_t k = 0; k < nv; k++)
            if (input[k] < 0)
                ovr[novr++] = (tco_override){v[k].path, val[k]};
        if (novr > 0) {
            tco_load_options plo = {sets, lo ? lo->nsets : 0, lo ? lo->case_name : NULL};
            if ((st = tco_scenario_load_with(&psc, file, &plo, ovr, novr, err)))
                goto fail;
            if (psc->ndims != sc->ndims) {
                tco_scenario_free(psc);
                st = tco_error_set(err, TCO_EINVAL, "--vary: setting %s changes which inputs are "
                                   "uncertain; vary a static input instead", v[0].path);
                goto fail;
            }
        }
        int oi[2];
        double ov[2];
        size_t no = 0;
        for (size_t k = 0; k < nv; k++)
            if (input[k] >= 0) {
                oi[no] = input[k];
                ov[no++] = val[k];
            }
        tco_run_options o = *opt;
        o.override_input = oi;
        o.override_value = ov;
        o.noverride = no;
        long per = opt->futures > 0 ? opt->futures : psc->futures;
        tco_progress_span prog = {opt, (long)p * per, (long)P * per};
        if (opt->progress) {
            o.progress = tco_progress_span_report;
            o.progress_ctx = &prog;
        }
        st = tco_run_execute(&run, psc, &o, err);
        if (psc != sc)
            tco_scenario_free(psc);
        if (st != TCO_OK)
            goto fail;
        if (!scratch && !(scratch = malloc(((size_t)run->n + S) * sizeof *scratch))) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto fail;
        }
        sw->futures = run->n;
        sw->seed = run->seed;
        point_stats(run, sw, p, scratch);
        tco_run_free(run);
        run = NULL;
    }
    free(scratch);
    free(sets);
    tco_scenario_free(sc);
    *out = sw;
    return TCO_OK;
fail:
    free(scratch);
    free(sets);
    tco_run_free(run);
    tco_scenario_free(sc);
    tco_sweep_free(sw);
    return st;
}

/* Where g (values at points a, b) crosses zero, on the sweep's scale. */
static double cross(double xa, double xb, double ga, double gb, int log_scale)
{
    double f = ga / (ga - gb);
    if (log_scale)
        return exp(log(xa) + f * (log(xb) - log(xa)));
    return xa + f * (xb - xa);
}

size_t tco_sweep_crossovers(const tco_sweep *sw, double level, tco_crossover *out, size_t max)
{
    size_t nc = 0, S = sw->S;
    for (size_t row = 0; row < sw->n2; row++) {
        char label[256];
        if (sw->nvary > 1)
            tco_snprintf(label, sizeof label, "%s at %s=%.6g", sw->path[0], sw->path[1],
                         sw->x[1][row]);
        else
            snprintf(label, sizeof label, "%s", sw->path[0]);
        for (size_t i = 0; i + 1 < sw->n1; i++) {
            size_t a = i * sw->n2 + row, b = (i + 1) * sw->n2 + row;
            double xa = sw->x[0][a], xb = sw->x[0][b];
            /* The cheapest strategy by mean. */
            int ca = tco_stats_best_mean(sw->mean + a * S, S);
            int cb = tco_stats_best_mean(sw->mean + b * S, S);
            if (ca != cb && ca >= 0 && cb >= 0 && level == 0.5 && nc < max) {
                double ga = sw->mean[a * S + cb] - sw->mean[a * S + ca];
                double gb = sw->mean[b * S + cb] - sw->mean[b * S + ca];
                out[nc] = (tco_crossover){"", 0, ca, cb, cross(xa, xb, ga, gb, sw->log[0]), 0};
                snprintf(out[nc].input, sizeof out[nc].input, "%s", label);
                nc++;
            }
            /* P(cheaper than the baseline) through level. */
            for (size_t s = 1; s < S; s++) {
                double ga = sw->p_below[a * S + s] - level, gb = sw->p_below[b * S + s] - level;
                if ((ga < 0) == (gb < 0) || nc >= max)
                    continue;
                int up = gb >= 0;
                out[nc] = (tco_crossover){"", 1, up ? 0 : (int)s, up ? (int)s : 0,
                                          cross(xa, xb, ga, gb, sw->log[0]), level};
                snprintf(out[nc].input, sizeof out[nc].input, "%s", label);
                nc++;
            }
        }
    }
    return nc;
}

tco_status tco_write_sweep_csv(FILE *f, const tco_sweep *sw)
{
    for (size_t k = 0; k < sw->nvary; k++) {
        tco_csv_string(f, sw->path[k]);
        fputc(',', f);
    }
    fputs("strategy,mean,p5,p50,p95,p_cheapest,p_cheaper_than_baseline\n", f);
    for (size_t p = 0; p < sw->npoints; p++)
        for (size_t s = 0; s < sw->S; s++) {
            size_t k = p * sw->S + s;
            for (size_t j = 0; j < sw->nvary; j++)
                tco_fprintf(f, "%.10g,", sw->x[j][p]);
            tco_csv_string(f, sw->names[s]);
            tco_fprintf(f, ",%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", sw->mean[k], sw->p5[k], sw->p50[k],
                    sw->p95[k], sw->p_cheapest[k], sw->p_below[k]);
        }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_crossovers_csv(FILE *f, const tco_sweep *sw)
{
    size_t max = sw->npoints * (sw->S + 1) + 1;
    tco_crossover *c = malloc(max * sizeof *c);
    if (!c)
        return TCO_ENOMEM;
    size_t nc = tco_sweep_crossovers(sw, 0.5, c, max);
    fputs("input,kind,from,to,value\n", f);
    for (size_t i = 0; i < nc; i++) {
        tco_csv_string(f, c[i].input);
        fprintf(f, ",%s,", c[i].kind ? "probability" : "mean");
        tco_csv_string(f, sw->names[c[i].from]);
        fputc(',', f);
        tco_csv_string(f, sw->names[c[i].to]);
        tco_fprintf(f, ",%.10g\n", c[i].value);
    }
    free(c);
    return ferror(f) ? TCO_EIO : TCO_OK;
}

tco_status tco_write_sweep_chart_csv(FILE *f, const tco_sweep *sw)
{
    size_t S = sw->S;
    if (sw->nvary == 1) {
        /* x, then per strategy: median (headed by its name), P5, P95. */
        fputs("x", f);
        for (size_t s = 0; s < S; s++) {
            char h[200];
            fputc(',', f);
            tco_csv_string(f, sw->names[s]);
            snprintf(h, sizeof h, "%s p5", sw->names[s]);
            fputc(',', f);
            tco_csv_string(f, h);
            snprintf(h, sizeof h, "%s p95", sw->names[s]);
            fputc(',', f);
            tco_csv_string(f, h);
        }
        fputc('\n', f);
        for (size_t p = 0; p < sw->npoints; p++) {
            tco_fprintf(f, "%.10g", sw->x[0][p]);
            for (size_t s = 0; s < S; s++)
                tco_fprintf(f, ",%.10g,%.10g,%.10g", sw->p50[p * S + s], sw->p5[p * S + s],
                        sw->p95[p * S + s]);
            fputc('\n', f);
        }
        return ferror(f) ? TCO_EIO : TCO_OK;
    }
    /* Two inputs: one row per grid cell with its bounds (midpoints between
     * values, geometric on log scales), the cheapest strategy by mean
     * (1-based) and the largest P(cheaper than the baseline) of the other
     * strategies; then the strategies' names as headers of empty columns,
     * for the chart's legend. */
    fputs("x1,x2,x1lo,x1hi,x2lo,x2hi,cheapest,p_some_cheaper_than_baseline", f);
    for (size_t s = 0; s < S; s++) {
        fputc(',', f);
        tco_csv_string(f, sw->names[s]);
    }
    fputc('\n', f);
    const double *v1 = sw->x[0], *v2 = sw->x[1];
    for (size_t i = 0; i < sw->n1; i++)
        for (size_t j = 0; j < sw->n2; j++) {
            size_t p = i * sw->n2 + j;
            int c = tco_stats_best_mean(sw->mean + p * S, S); /* -1: none (0 in the file) */
            double pb = 0;
            for (size_t s = 1; s < S; s++)
                pb = fmax(pb, sw->p_below[p * S + s]);
            double a = v1[i * sw->n2], lo1, hi1, lo2, hi2;
            double prev1 = i ? v1[(i - 1) * sw->n2] : a, next1 = i + 1 < sw->n1 ? v1[(i + 1) * sw->n2] : a;
            double b = v2[j], prev2 = j ? v2[j - 1] : b, next2 = j + 1 < sw->n2 ? v2[j + 1] : b;
            lo1 = sw->log[0] ? sqrt(a * (i ? prev1 : a * a / next1)) : (a + (i ? prev1 : 2 * a - next1)) / 2;
            hi1 = sw->log[0] ? sqrt(a * (i + 1 < sw->n1 ? next1 : a * a / prev1))
                             : (a + (i + 1 < sw->n1 ? next1 : 2 * a - prev1)) / 2;
            lo2 = sw->log[1] ? sqrt(b * (j ? prev2 : b * b / next2)) : (b + (j ? prev2 : 2 * b - next2)) / 2;
            hi2 = sw->log[1] ? sqrt(b * (j + 1 < sw->n2 ? next2 : b * b / prev2))
                             : (b + (j + 1 < sw->n2 ? next2 : 2 * b - prev2)) / 2;
            tco_fprintf(f, "%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%d,%.10g", a, b, lo1, hi1, lo2, hi2,
                        c + 1, pb);
            for (size_t s = 0; s < S; s++)
                fputs(",0", f);
            fputc('\n', f);
        }
    return ferror(f) ? TCO_EIO : TCO_OK;
}

/* A swept value in words: 3.4M for volumes and money, 0.25 for rates. */
static void fmt_value(double x, char *buf, size_t size)
{
    if (fabs(x) >= 1e4)
        tco_format_money(x, buf, size);
    else
        tco_snprintf(buf, size, "%.4g", x);
}

void tco_write_sweep_words(FILE *f, const tco_sweep *sw)
{
    size_t max = sw->npoints * (sw->S + 1) + 1;
    tco_crossover *c50 = malloc(max * sizeof *c50), *c90 = malloc(max * sizeof *c90);
    if (!c50 || !c90) {
        free(c50);
        free(c90);
        return;
    }
    size_t n50 = tco_sweep_crossovers(sw, 0.5, c50, max);
    size_t n90 = tco_sweep_crossovers(sw, 0.9, c90, max);
    const char *base = sw->names[0];
    int said = 0;
    for (size_t i = 0; i < n50; i++) {
        char v[32];
        fmt_value(c50[i].value, v, sizeof v);
        if (c50[i].kind == 0) {
            fprintf(f, "The cheapest strategy on average changes from %s to %s at %s = %s.\n",
                    sw->names[c50[i].from], sw->names[c50[i].to], c50[i].input, v);
            said = 1;
            continue;
        }
        int s = c50[i].from == 0 ? c50[i].to : c50[i].from;
        int up = c50[i].from == 0;
        /* up: the chance rises with the swept value, so cheaper above it. */
        fprintf(f, "%s becomes cheaper than %s %s %s = %s (more likely than not)", sw->names[s],
                base, up ? "above" : "below", c50[i].input, v);
        /* The matching 90% crossing, if any, in the same direction. */
        for (size_t j = 0; j < n90; j++)
            if (c90[j].kind == 1 && c90[j].from == c50[i].from && c90[j].to == c50[i].to &&
                strcmp(c90[j].input, c50[i].input) == 0) {
                fmt_value(c90[j].value, v, sizeof v);
                fprintf(f, "; 90%% sure %s %s", up ? "above" : "below", v);
                break;
            }
        fputs(".\n", f);
        said = 1;
    }
    if (!said)
        fprintf(f, "No crossover in the swept range: the same strategy is cheapest on average "
                   "at every point, and no strategy's chance of beating %s crosses 50%%.\n",
                base);
    free(c50);
    free(c90);
}
