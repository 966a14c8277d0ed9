#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../models/lanes.h"
#include "../models/model.h"
#include "number.h"
#include "output.h"
#include "rng.h"
#include "sample.h"
#include "sobolidx.h"
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
    free(sw->p_pair);
    free(sw->tokens_per_request);
    for (size_t s = 0; sw->names && s < sw->S; s++)
        free(sw->names[s]);
    free(sw->names);
    free(sw);
}

/* Statistics of one point from its NPVs (S x n); scratch holds n + S
 * doubles. */
static void point_stats(const double *npv, size_t n, size_t S, tco_sweep *sw, size_t p,
                        double *scratch)
{
    static const double q[3] = {0.05, 0.5, 0.95};
    double *pc = scratch + n;
    tco_stats_p_cheapest(npv, n, S, pc);
    for (size_t s = 0; s < S; s++)
        sw->p_cheapest[p * S + s] = pc[s];
    tco_stats_means(npv, n, S, sw->mean + p * S);
    for (size_t s = 0; s < S; s++) {
        const double *v = npv + s * n;
        double below = 0;
        for (size_t i = 0; i < n; i++)
            below += v[i] < npv[i];
        memcpy(scratch, v, n * sizeof *v);
        double out[3];
        tco_stats_percentiles(scratch, n, q, 3, out);
        size_t k = p * S + s;
        sw->p5[k] = out[0];
        sw->p50[k] = out[1];
        sw->p95[k] = out[2];
        sw->p_below[k] = below / (double)n;
        for (size_t t = 0; t < S; t++) {
            const double *u = npv + t * n;
            double c = 0;
            for (size_t i = 0; i < n; i++)
                c += v[i] < u[i];
            sw->p_pair[(p * S + s) * S + t] = c / (double)n;
        }
    }
}

/* tco_sweep_take for a sweep: a point's statistics. */
typedef struct {
    tco_sweep *sw;
    double *scratch;
    size_t nscratch;
    size_t first; /* the point of run 0 */
} stats_ctx;

static tco_status take_point(void *ctx, size_t p, const double *npv, size_t n, tco_error *err)
{
    stats_ctx *c = ctx;
    if (c->nscratch < n + c->sw->S) {
        free(c->scratch);
        c->nscratch = 0;
        if (!(c->scratch = malloc((n + c->sw->S) * sizeof *c->scratch)))
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        c->nscratch = n + c->sw->S;
    }
    c->sw->futures = (long)n;
    point_stats(npv, n, c->sw->S, c->sw, c->first + p, c->scratch);
    return TCO_OK;
}

int tco_sweep_is_volume(const char *path)
{
    return strcmp(path, "demand.requests_per_month") == 0;
}

/* The mean of input i at a point: its held value when held, else the mean
 * of its distribution. */
static double input_mean(const tco_scenario *sc, int i, const int *held, const double *value,
                         size_t nheld)
{
    for (size_t k = 0; k < nheld; k++)
        if (held[k] == i)
            return value[k];
    return tco_dist_mean(&sc->inputs[i].dist);
}

/* The scenario's mean tokens a request (input and output) at a point: each
 * workload's mean tokens weighted by its mean share, the shares normalised
 * (MODEL.md 3; equal shares when they are all 0).  A ratio of means, not
 * the mean of the per-future ratio: the figure that converts a volume in
 * requests into the tokens a month that API prices are quoted for. */
static double tokens_per_request(const tco_scenario *sc, const int *held, const double *value,
                                 size_t nheld)
{
    double total = 0, shares = 0, plain = 0;
    for (size_t w = 0; w < sc->nworkloads; w++) {
        const tco_workload *wl = &sc->workloads[w];
        double share = input_mean(sc, wl->share, held, value, nheld);
        double tokens = input_mean(sc, wl->input_tokens, held, value, nheld) +
                        input_mean(sc, wl->output_tokens, held, value, nheld);
        total += share * tokens;
        shares += share;
        plain += tokens;
    }
    if (sc->nworkloads == 0)
        return 0;
    return shares > 0 ? total / shares : plain / (double)sc->nworkloads;
}

tco_status tco_sweep_run(tco_sweep **out, const char *file, const tco_load_options *lo,
                         const tco_vary *v, size_t nv, const tco_run_options *opt,
                         tco_error *err)
{
    *out = NULL;
    tco_scenario *sc = NULL;
    tco_status st = tco_scenario_load(&sc, file, lo, err);
    if (st != TCO_OK)
        return st;
    st = tco_sweep_run_scenario(out, sc, file, lo, v, nv, opt, err);
    tco_scenario_free(sc);
    return st;
}

tco_status tco_sweep_run_scenario(tco_sweep **out, const tco_scenario *sc, const char *file,
                                  const tco_load_options *lo, const tco_vary *v, size_t nv,
                                  const tco_run_options *opt, tco_error *err)
{
    return tco_sweep_run_points(out, sc, file, lo, v, nv, opt, 0, (size_t)-1, err);
}

tco_status tco_sweep_run_points(tco_sweep **out, const tco_scenario *sc, const char *file,
                                const tco_load_options *lo, const tco_vary *v, size_t nv,
                                const tco_run_options *opt, size_t p0, size_t p1,
                                tco_error *err)
{
    *out = NULL;
    const char **sets = NULL;
    tco_sweep_point *pts = NULL;
    int *pin = NULL;
    double *pval = NULL;
    stats_ctx sctx = {NULL, NULL, 0, 0};
    tco_status st = TCO_OK;
    tco_sweep *sw = calloc(1, sizeof *sw);
    if (!sw)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    sctx.sw = sw;
    sw->nvary = nv;
    sw->n1 = v[0].nvalues;
    sw->n2 = nv > 1 ? v[1].nvalues : 1;
    sw->npoints = sw->n1 * sw->n2;
    sw->S = sc->nstrategies;
    size_t P = sw->npoints, S = sw->S;
    p1 = p1 < P ? p1 : P;
    p0 = p0 < p1 ? p0 : p1;
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
    sw->p_pair = malloc(P * S * S * sizeof(double));
    sw->tokens_per_request = malloc(P * sizeof(double));
    sw->names = calloc(S, sizeof *sw->names);
    sets = calloc((lo ? lo->nsets : 0) + 2, sizeof *sets);
    pts = calloc(P, sizeof *pts);
    pin = malloc(P * 2 * sizeof *pin);
    pval = malloc(P * 2 * sizeof *pval);
    if (!sw->path[0] || (nv > 1 && !sw->path[1]) || !sw->x[0] || !sw->x[1] || !sw->mean ||
        !sw->p5 || !sw->p50 || !sw->p95 || !sw->p_cheapest || !sw->p_below || !sw->p_pair || !sw->tokens_per_request ||
        !sw->names || !sets || !pts || !pin || !pval) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto fail;
    }
    /* The points not run here: no statistics. */
    for (size_t k = 0; k < P * S * S; k++) {
        if (k < P)
            sw->tokens_per_request[k] = NAN;
        if (k < P * S)
            sw->mean[k] = sw->p5[k] = sw->p50[k] = sw->p95[k] = sw->p_cheapest[k] =
                sw->p_below[k] = NAN;
        sw->p_pair[k] = NAN;
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
    int all_inputs = 1;
    for (size_t k = 0; k < nv; k++)
        all_inputs &= input[k] >= 0;
    long per = opt->futures > 0 ? opt->futures : sc->futures;
    sw->futures = per;
    sw->seed = opt->seed_set ? opt->seed : sc->seed;
    for (size_t p = 0; p < P; p++) {
        size_t i1 = p / sw->n2, i2 = p % sw->n2;
        double val[2] = {v[0].values[i1], nv > 1 ? v[1].values[i2] : 0};
        sw->x[0][p] = val[0];
        sw->x[1][p] = val[1];
        /* Static inputs are held in place (their uniforms still drawn: common
         * random numbers); any other value is set in the file and reloaded. */
        int *oi = pin + 2 * p;
        double *ov = pval + 2 * p;
        size_t no = 0;
        for (size_t k = 0; k < nv; k++)
            if (input[k] >= 0) {
                oi[no] = input[k];
                ov[no++] = val[k];
            }
        pts[p] = (tco_sweep_point){oi, ov, no, NULL, NULL, -1};
        if (p < p0 || p >= p1)
            continue;
        if (all_inputs) {
            sw->tokens_per_request[p] = tokens_per_request(sc, oi, ov, no);
            continue;
        }
        /* A value that is not an input: the file is loaded again with it
         * set, and the point run alone. */
        tco_scenario *psc = NULL;
        tco_override ovr[2];
        size_t novr = 0;
        for (size_t k = 0; k < nv; k++)
            if (input[k] < 0)
                ovr[novr++] = (tco_override){v[k].path, val[k]};
        tco_load_options plo = {sets, lo ? lo->nsets : 0, lo ? lo->case_name : NULL};
        if ((st = tco_scenario_reload_with(&psc, file, &plo, ovr, novr, sc, err)))
            goto fail;
        if (psc->ndims != sc->ndims) {
            tco_scenario_free(psc);
            st = tco_error_set(err, TCO_EINVAL, "--vary: setting %s changes which inputs are "
                               "uncertain; vary a static input instead", v[0].path);
            goto fail;
        }
        sw->tokens_per_request[p] = tokens_per_request(psc, oi, ov, no);
        sw->seed = opt->seed_set ? opt->seed : psc->seed;
        per = opt->futures > 0 ? opt->futures : psc->futures;
        sctx.first = p;
        tco_run_options po = *opt;
        po.share = NULL;
        if (!opt->share || opt->share->mine(opt->share->ctx, p, P))
            st = tco_sweep_runs(psc, &po, &pts[p], 1, take_point, &sctx, (long)p * per,
                                (long)P * per, err);
        tco_scenario_free(psc);
        if (st != TCO_OK)
            goto fail;
    }
    /* Every point on the same futures in one loop (tco_sweep_runs). */
    sctx.first = p0;
    if (all_inputs && p1 > p0 &&
        (st = tco_sweep_runs(sc, opt, pts + p0, p1 - p0, take_point, &sctx, (long)p0 * per,
                             (long)P * per, err)))
        goto fail;
    free(sctx.scratch);
    free(sets);
    free(pts);
    free(pin);
    free(pval);
    *out = sw;
    return TCO_OK;
fail:
    free(sctx.scratch);
    free(sets);
    free(pts);
    free(pin);
    free(pval);
    tco_sweep_free(sw);
    return st;
}

/* ---- Runs on the same futures ---------------------------------------- */

#define GROUP_BYTES ((size_t)256 << 20)

/* Run r the plain way (tco_run_execute): the reference the shared loop
 * must equal, and the path for what that loop does not handle. */
static tco_status plain_run(const tco_scenario *sc, const tco_run_options *opt,
                            const tco_sweep_point *p, size_t r, tco_sweep_take take, void *ctx,
                            tco_error *err)
{
    tco_run_options o = *opt;
    double *mixed = NULL;
    tco_run *run = NULL;
    o.keep_inputs = 0;
    o.keep_samples = 0;
    o.event_effects = 0;
    o.progress = NULL;
    o.override_input = p->input;
    o.override_value = p->value;
    o.noverride = p->nheld;
    o.uniforms = p->uniforms;
    if (p->uniforms && p->uniforms_b && p->column >= 0) {
        long n = opt->futures > 0 ? opt->futures : sc->futures;
        if (n < 1 || !(mixed = malloc((size_t)n * sc->ndims * sizeof *mixed)))
            return tco_error_set(err, TCO_ENOMEM, "out of memory for the Sobol design");
        tco_saltelli_mix(p->uniforms, p->uniforms_b, (size_t)n, sc->ndims, (size_t)p->column,
                         mixed);
        o.uniforms = mixed;
    }
    tco_status st = tco_run_execute(&run, sc, &o, err);
    if (st == TCO_OK)
        st = take(ctx, r, run->npv, (size_t)run->n, err);
    tco_run_free(run);
    free(mixed);
    return st;
}

/* One thread's workspace, on cache lines of its own (written at every
 * run). */
typedef struct {
    _Alignas(64) tco_future *future;
    double *u, *scratch;
    double *xfix;         /* the fixed inputs, uncertain ones at their medians */
    double *x0;           /* this future's sampled inputs (the scenario's sampling) */
    double *x;            /* the inputs the future is computed with (its f->x) */
    double *xd;           /* the inputs of its last draw (its random paths) */
    int *changed;         /* NI: the inputs a run changes from the last */
    double *xr;           /* a run's inputs */
    const double *table[2]; /* caller's tables whose row i is sampled in xt */
    double *xt[2];
    int drawn;            /* x holds a draw of this future */
    size_t nc;            /* the inputs changed from the run before (changed), NI + 1: any */
    int prev_ok;          /* the run before in buf has every strategy of this future */
    int ok;               /* this run's strategies are finite so far */
} runs_ws;

/* Whether two input vectors differ in input v alone (or not at all). */
static int same_but(const double *a, const double *b, size_t NI, int v)
{
    return memcmp(a, b, (size_t)v * sizeof *a) == 0 &&
           memcmp(a + v + 1, b + v + 1, (NI - (size_t)v - 1) * sizeof *a) == 0;
}

/* The inputs of run p in future i from a caller's table: row i sampled as
 * tco_sample_uncertain does (once a table and future: A's row serves
 * every A_B^(i)), then column `column` from uniforms_b, sampled alone
 * (each uncertain input is its own dimension's quantile, clamped). */
static void table_inputs(const tco_scenario *sc, const tco_sweep_point *p, long i, runs_ws *w)
{
    const size_t NI = sc->ninputs, D = sc->ndims;
    int slot = w->table[0] == p->uniforms ? 0 : w->table[1] == p->uniforms ? 1 : -1;
    if (slot < 0) {
        slot = w->table[0] && !w->table[1] ? 1 : 0;
        memcpy(w->xt[slot], w->xfix, NI * sizeof *w->xt[slot]);
        tco_sample_uncertain(sc, p->uniforms + (size_t)i * D, w->xt[slot], NULL);
        w->table[slot] = p->uniforms;
    }
    memcpy(w->xr, w->xt[slot], NI * sizeof *w->xr);
    if (p->uniforms_b && p->column >= 0) {
        const tco_input *in = &sc->inputs[sc->dim_input[p->column]];
        double v = tco_dist_quantile(&in->dist, p->uniforms_b[(size_t)i * D + (size_t)p->column]);
        w->xr[sc->dim_input[p->column]] = tco_domain_clamp(&in->dom, v);
    }
}

/* Future i of runs [g0, g1) on workspace w, as tco_run_execute's loop
 * computes it (rng seeded by future, uniforms, inputs, overrides, draw):
 * its state before the first run. */
static void future_start(const tco_scenario *sc, const tco_sampler *sampler, const tco_zig *zig,
                         uint64_t seed, long i, runs_ws *w, tco_rng *rng0)
{
    tco_rng_seed(rng0, zig, seed, (uint64_t)i);
    if (sampler) {
        tco_sampler_uniforms(sampler, i, rng0, w->u, w->scratch);
        memcpy(w->x0, w->xfix, sc->ninputs * sizeof *w->x0);
        tco_sample_uncertain(sc, w->u, w->x0, NULL);
    }
    w->drawn = 0;
    w->table[0] = w->table[1] = NULL;
    w->prev_ok = 0;
}

/* Future i's inputs and paths for run p: every run of a future draws from
 * the same stream (the rng after the scenario's sampling, rng0, or as
 * seeded when a table gives the uniforms), so a run whose inputs differ
 * from the last run's in the volume alone rescales its demand
 * (tco_future_redraw_demand), and one whose inputs differ from the last
 * draw's only in inputs that shape no random path keeps the paths drawn
 * and computes again what the changed inputs enter
 * (tco_future_serve_inputs): both the same bits as drawing again.  The
 * inputs changed into w->changed and w->nc. */
static void future_run(const tco_scenario *sc, const tco_model *model, const tco_sampler *sampler,
                       const tco_sweep_point *p, long i, const tco_rng *rng0, runs_ws *w)
{
    const size_t NI = sc->ninputs;
    if (sampler)
        memcpy(w->xr, w->x0, NI * sizeof *w->xr);
    else
        table_inputs(sc, p, i, w);
    for (size_t j = 0; j < p->nheld; j++)
        w->xr[p->input[j]] = p->value[j];
    if (w->drawn && same_but(w->xr, w->x, NI, sc->volume)) {
        w->x[sc->volume] = w->xr[sc->volume];
        tco_future_redraw_demand(w->future, model);
        w->nc = NI + 1;
    } else if (w->drawn && tco_future_same_paths(model, w->xr, w->xd)) {
        w->nc = 0;
        for (size_t j = 0; j < NI; j++)
            if (memcmp(&w->xr[j], &w->x[j], sizeof *w->x) != 0)
                w->changed[w->nc++] = (int)j;
        memcpy(w->x, w->xr, NI * sizeof *w->x);
        tco_future_serve_inputs(w->future, model, w->changed, w->nc);
    } else {
        w->nc = NI + 1;
        memcpy(w->x, w->xr, NI * sizeof *w->x);
        memcpy(w->xd, w->xr, NI * sizeof *w->xd);
        tco_rng rng = *rng0;
        tco_future_draw(w->future, model, w->x, &rng, NULL);
        w->drawn = 1;
    }
    w->ok = 1;
}

/* Futures i .. i + G - 1 (G at most TCO_LANES; one without lanes) of runs
 * [g0, g1), future i + l on workspace w[l] (future_start, future_run);
 * NPVs into buf.  A strategy that none of a run's changed inputs reaches
 * keeps the future's cost of the run before, without costing; the others
 * are costed as tco_run_execute costs them, in vector lanes where it
 * would (two or more futures that the lanes can cost), else alone: the
 * same bits either way. */
static void runs_group(const tco_scenario *sc, const tco_model *model, const tco_sampler *sampler,
                       const tco_zig *zig, uint64_t seed, const tco_sweep_point *pt, size_t g0,
                       size_t g1, long i, int G, size_t n, const unsigned char *costed,
                       runs_ws *w, tco_lanes *lanes, double *spare, double *buf,
                       unsigned char *bad)
{
    const size_t S = sc->nstrategies, NI = sc->ninputs;
    tco_rng rng0[TCO_LANES];
    for (int l = 0; l < G; l++)
        future_start(sc, sampler, zig, seed, i + l, &w[l], &rng0[l]);
    for (size_t r = g0; r < g1; r++) {
        for (int l = 0; l < G; l++)
            future_run(sc, model, sampler, &pt[r], i + l, &rng0[l], &w[l]);
        double *out = buf + (r - g0) * S * n + (size_t)i;
        tco_future *last[TCO_LANES] = {NULL};
        for (size_t s = 0; s < S; s++) {
            if (costed && !costed[s]) {
                for (int l = 0; l < G; l++)
                    out[s * n + (size_t)l] = NAN;
                continue;
            }
            int need[TCO_LANES] = {0}, done[TCO_LANES];
            for (int l = 0; l < G; l++) {
                runs_ws *v = &w[l];
                if (!v->ok)
                    continue;
                /* A strategy that no changed input reaches costs what it
                 * did in the run before (tco_model_input_reaches). */
                size_t j = 0;
                while (v->prev_ok && j < v->nc && v->nc <= NI &&
                       !tco_model_input_reaches(model, (size_t)v->changed[j], s))
                    j++;
                if (v->prev_ok && j == v->nc) {
                    out[s * n + (size_t)l] = out[s * n + (size_t)l - S * n];
                    continue;
                }
                need[l] = 1;
            }
            tco_cost cost[TCO_LANES];
            tco_future *f[TCO_LANES];
            for (int l = 0; l < G; l++)
                f[l] = w[l].future;
            tco_lanes_cost_some(lanes, f, G, s, need, NULL, spare, last, cost, done);
            for (int l = 0; l < G; l++) {
                if (!need[l])
                    continue;
                if (!done[l])
                    tco_future_cost(w[l].future, model, s, NULL, NULL, &cost[l]);
                if (!tco_cost_is_finite(&cost[l])) {
#pragma omp atomic write
                    bad[r - g0] = 1;
                    w[l].ok = 0;
                    continue;
                }
                out[s * n + (size_t)l] = cost[l].npv;
            }
        }
        for (int l = 0; l < G; l++)
            w[l].prev_ok = w[l].ok;
    }
}

/* tco_sweep_take of a share's runs: run r of the subset is run map[r]. */
typedef struct {
    const tco_share *share;
    const size_t *map;
    tco_sweep_take take;
    void *ctx;
} share_take_ctx;

static tco_status share_take(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    share_take_ctx *c = ctx;
    tco_status st = c->take(c->ctx, c->map[r], npv, n, err);
    if (st == TCO_OK && c->share->keep)
        st = c->share->keep(c->share->ctx, c->map[r], npv, n, err);
    return st;
}

/* opt->share's runs (sweep.h, tco_share), then the others' replayed. */
static tco_status share_runs(const tco_scenario *sc, const tco_run_options *opt,
                             const tco_sweep_point *pt, size_t nruns,
                             const unsigned char *costed, tco_sweep_take take,
                             void *ctx, long progress_before, long progress_total,
                             tco_error *err)
{
    tco_share *sh = opt->share;
    tco_run_options o = *opt;
    o.share = NULL;
    size_t *map = malloc((nruns + 1) * sizeof *map), m = 0;
    tco_sweep_point *sub = calloc(nruns + 1, sizeof *sub);
    tco_status st = TCO_OK;
    if (!map || !sub) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < nruns; r++)
        if (sh->mine(sh->ctx, r, nruns)) {
            map[m] = r;
            sub[m++] = pt[r];
        }
    share_take_ctx c = {sh, map, take, ctx};
    if (m > 0 && (st = tco_sweep_runs_costing(sc, &o, sub, m, costed, share_take, &c,
                                              progress_before, progress_total, err)))
        goto done;
    for (size_t r = 0, j = 0; sh->replay && r < nruns; r++) {
        if (j < m && map[j] == r) {
            j++;
            continue;
        }
        if ((st = sh->replay(sh->ctx, r, take, ctx, err)))
            goto done;
    }
    if (sh->stop) {
        sh->stopped = 1;
        st = tco_error_set(err, TCO_EINTR, "stopped after this shard's runs");
    }
done:
    free(map);
    free(sub);
    return st;
}

tco_status tco_sweep_runs(const tco_scenario *sc, const tco_run_options *opt,
                          const tco_sweep_point *pt, size_t nruns, tco_sweep_take take,
                          void *ctx, long progress_before, long progress_total,
                          tco_error *err)
{
    return tco_sweep_runs_costing(sc, opt, pt, nruns, NULL, take, ctx, progress_before,
                                  progress_total, err);
}

tco_status tco_sweep_runs_costing(const tco_scenario *sc, const tco_run_options *opt,
                                  const tco_sweep_point *pt, size_t nruns,
                                  const unsigned char *costed, tco_sweep_take take, void *ctx,
                                  long progress_before, long progress_total, tco_error *err)
{
    if (opt->share)
        return share_runs(sc, opt, pt, nruns, costed, take, ctx, progress_before,
                          progress_total, err);
    if (nruns == 0)
        return TCO_OK;
    const long n = opt->futures > 0 ? opt->futures : sc->futures;
    const uint64_t seed = opt->seed_set ? opt->seed : sc->seed;
    const tco_sampling sampling = opt->sampling_set ? opt->sampling : sc->sampling;
    const int threads = tco_run_threads(opt->threads);
    const size_t S = sc->nstrategies, NI = sc->ninputs, D = sc->ndims;
    const int given = pt[0].uniforms != NULL;
    /* What the shared loop does not handle goes the plain way, which
     * gives the engine's errors. */
    int shared = n >= 1 && n <= TCO_MAX_FUTURES && S > 0;
    for (size_t r = 0; r < nruns; r++) {
        const tco_sweep_point *p = &pt[r];
        shared &= (p->uniforms != NULL) == given;
        for (size_t j = 0; j < p->nheld; j++)
            shared &= tco_domain_contains(&sc->inputs[p->input[j]].dom, p->value[j]);
    }
    size_t limit = opt->memory_limit;
    if (!limit) {
        size_t phys = tco_physical_memory();
        limit = phys ? phys / 10 * 8 : (size_t)8 << 30;
    }
    if (shared && tco_run_bytes(sc, n, 0, sampling, threads) > limit)
        shared = 0;
    if (!shared) {
        for (size_t r = 0; r < nruns; r++) {
            tco_status st = plain_run(sc, opt, &pt[r], r, take, ctx, err);
            if (st != TCO_OK)
                return st;
        }
        return TCO_OK;
    }
    const size_t per_run = S * (size_t)n * sizeof(double);
    /* Groups within the memory limit too; the NPVs do not depend on them. */
    size_t G = (GROUP_BYTES < limit / 2 ? GROUP_BYTES : limit / 2) / per_run;
    G = G < 1 ? 1 : G > nruns ? nruns : G;
    tco_status st = TCO_OK;
    tco_zig zig;
    tco_zig_init(&zig);
    tco_model *model = NULL;
    tco_sampler *sampler = NULL;
    /* On cache lines: a chunk of 8 futures then writes lines of its own
     * (when n is a multiple of 8), none shared with another thread's. */
    double *buf = aligned_alloc(64, (G * per_run + 63) / 64 * 64);
    unsigned char *bad = calloc(G, 1);
    /* TCO_LANES workspaces a thread (a group of futures, runs_group), its
     * lanes and a row for the monthly totals it does not keep. */
    const size_t nws = (size_t)threads * TCO_LANES;
    runs_ws *ws = aligned_alloc(_Alignof(runs_ws), nws * sizeof *ws);
    tco_lanes **lanes = calloc((size_t)threads, sizeof *lanes);
    double **spare = calloc((size_t)threads, sizeof *spare);
    if (ws)
        memset(ws, 0, nws * sizeof *ws);
    if (!buf || !bad || !ws || !lanes || !spare) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for %zu runs of %ld futures", G, n);
        goto done;
    }
    if ((st = tco_model_alloc(&model, sc, err)) ||
        (!given && (st = tco_sampler_alloc(&sampler, sc, sampling, n, seed, &zig, err))))
        goto done;
    for (int t = 0; t < threads; t++) {
        /* Four futures a group where some strategy is costed in lanes. */
        if (!opt->alone && (lanes[t] = tco_lanes_alloc(model)) &&
            !(spare[t] = malloc((size_t)sc->horizon * sizeof *spare[t]))) {
            tco_lanes_free(lanes[t]);
            lanes[t] = NULL;
        }
    }
    for (size_t k = 0; k < nws; k++) {
        runs_ws *w = &ws[k];
        if (k % TCO_LANES && !lanes[k / TCO_LANES])
            continue;
        w->future = tco_future_alloc(model);
        w->u = malloc((D ? D : 1) * sizeof *w->u);
        w->scratch = malloc((2 * sc->ncorr + 1) * sizeof *w->scratch);
        w->xfix = malloc((NI ? NI : 1) * sizeof *w->xfix);
        w->x0 = malloc((NI ? NI : 1) * sizeof *w->x0);
        w->x = malloc((NI ? NI : 1) * sizeof *w->x);
        w->xd = malloc((NI ? NI : 1) * sizeof *w->xd);
        w->changed = malloc((NI ? NI : 1) * sizeof *w->changed);
        w->xr = malloc((NI ? NI : 1) * sizeof *w->xr);
        w->xt[0] = malloc((NI ? NI : 1) * sizeof *w->xt[0]);
        w->xt[1] = malloc((NI ? NI : 1) * sizeof *w->xt[1]);
        if (!w->future || !w->u || !w->scratch || !w->xfix || !w->x0 || !w->x || !w->xd ||
            !w->changed || !w->xr || !w->xt[0] || !w->xt[1]) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for the threads' workspaces");
            goto done;
        }
        /* Fixed inputs once, as the engine does. */
        for (size_t d = 0; d < D; d++)
            w->u[d] = 0.5;
        tco_sample_inputs(sc, w->u, w->xfix, NULL);
    }
    const volatile sig_atomic_t *cancel = opt->cancel;
    /* One parallel region a group, so that threads meet once, not at
     * every chunk: the calling thread (thread 0) reports progress, about
     * 50 times a group, from the count of futures done; cancellation is
     * read at every group of futures (runs_group). */
    const long step = (n + 49) / 50;
    for (size_t g0 = 0; g0 < nruns && st == TCO_OK; g0 += G) {
        size_t g1 = g0 + G < nruns ? g0 + G : nruns;
        const long before = progress_before + (long)g0 * n, width = (long)(g1 - g0);
        memset(bad, 0, G);
        int cancelled = 0;
        long done = 0, reported = 0;
#pragma omp parallel num_threads(threads) shared(cancelled, done, reported)
        {
            const int me = omp_get_thread_num();
            runs_ws *w = &ws[(size_t)me * TCO_LANES];
            /* Groups of TCO_LANES futures, in chunks of 8 futures (a
             * group of one at a time without lanes). */
            const long gs = lanes[me] ? TCO_LANES : 1, nq = (n + TCO_LANES - 1) / TCO_LANES;
#pragma omp for schedule(dynamic, 8 / TCO_LANES)
            for (long q = 0; q < nq; q++) {
                const long i0 = q * TCO_LANES, i1 = i0 + TCO_LANES < n ? i0 + TCO_LANES : n;
                int stop;
#pragma omp atomic read
                stop = cancelled;
                if (stop)
                    continue;
                if (cancel && *cancel) {
#pragma omp atomic write
                    cancelled = 1;
                    continue;
                }
                for (long i = i0; i < i1; i += gs)
                    runs_group(sc, model, sampler, &zig, seed, pt, g0, g1, i,
                               (int)(i + gs < i1 ? gs : i1 - i), (size_t)n, costed, w, lanes[me],
                               spare[me], buf, bad);
                long now;
#pragma omp atomic capture
                now = done += i1 - i0;
                if (me == 0 && opt->progress && now - reported >= step && now < n) {
                    reported = now;
                    opt->progress(opt->progress_ctx, before + width * now, progress_total);
                }
            }
        }
        if (opt->progress && !cancelled)
            opt->progress(opt->progress_ctx, before + width * n, progress_total);
        if (cancelled) {
            st = tco_error_set(err, TCO_EINTR, "interrupted");
            break;
        }
        for (size_t r = g0; r < g1 && st == TCO_OK; r++)
            st = bad[r - g0] ? plain_run(sc, opt, &pt[r], r, take, ctx, err)
                             : take(ctx, r, buf + (r - g0) * S * (size_t)n, (size_t)n, err);
    }
done:
    for (int t = 0; lanes && t < threads; t++) {
        tco_lanes_free(lanes[t]);
        free(spare[t]);
    }
    free(lanes);
    free(spare);
    for (size_t k = 0; ws && k < nws; k++) {
        tco_future_free(ws[k].future);
        free(ws[k].u);
        free(ws[k].scratch);
        free(ws[k].xfix);
        free(ws[k].x0);
        free(ws[k].x);
        free(ws[k].xd);
        free(ws[k].changed);
        free(ws[k].xr);
        free(ws[k].xt[0]);
        free(ws[k].xt[1]);
    }
    free(ws);
    tco_sampler_free(sampler);
    tco_model_free(model);
    free(buf);
    free(bad);
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

/* Points along one axis: the i-th point of line `line`. */
static size_t along(const tco_sweep *sw, int axis, size_t line, size_t i)
{
    return axis == 0 ? i * sw->n2 + line : line * sw->n2 + i;
}

static void add(tco_crossover *out, size_t *nc, size_t max, tco_crossover c)
{
    if (*nc < max)
        out[*nc] = c;
    (*nc)++;
}

size_t tco_sweep_crossovers(const tco_sweep *sw, double level, tco_crossover *out, size_t max)
{
    size_t nc = 0, S = sw->S;
    for (int axis = 0; axis < (int)sw->nvary; axis++) {
        size_t nalong = axis == 0 ? sw->n1 : sw->n2, nlines = axis == 0 ? sw->n2 : sw->n1;
        int volume = tco_sweep_is_volume(sw->path[axis]);
        for (size_t line = 0; line < nlines; line++)
            for (size_t i = 0; i + 1 < nalong; i++) {
                size_t a = along(sw, axis, line, i), b = along(sw, axis, line, i + 1);
                double xa = sw->x[axis][a], xb = sw->x[axis][b];
                tco_crossover c = {"", axis, TCO_CROSS_CHEAPEST, 0, 0, 0,
                                   sw->nvary > 1 ? sw->x[1 - axis][a] : NAN, NAN, 0};
                if (sw->nvary > 1)
                    tco_snprintf(c.input, sizeof c.input, "%s at %s=%.6g", sw->path[axis],
                                 sw->path[1 - axis], c.other);
                else
                    tco_snprintf(c.input, sizeof c.input, "%s", sw->path[axis]);
                const double *ma = sw->mean + a * S, *mb = sw->mean + b * S;
#define AT(g0, g1) cross(xa, xb, (g0), (g1), sw->log[axis])
#define TOKENS(v) (volume ? (v) * sw->tokens_per_request[a] : NAN)
                /* The cheapest strategy by mean. */
                int ca = tco_stats_best_mean(ma, S), cb = tco_stats_best_mean(mb, S);
                if (ca != cb && ca >= 0 && cb >= 0 && level == 0.5) {
                    c.kind = TCO_CROSS_CHEAPEST;
                    c.from = ca;
                    c.to = cb;
                    c.value = AT(ma[cb] - ma[ca], mb[cb] - mb[ca]);
                    c.tokens = TOKENS(c.value);
                    add(out, &nc, max, c);
                }
                /* Every pair's means (once a pair), then P(t cheaper than
                 * s) rising through level (every ordered pair: with ties,
                 * P(s < t) and P(t < s) need not add up to 1). */
                for (size_t s = 0; s < S && level == 0.5; s++)
                    for (size_t t = s + 1; t < S; t++) {
                        double ga = ma[t] - ma[s], gb = mb[t] - mb[s];
                        if ((ga < 0) == (gb < 0) || ga == gb)
                            continue;
                        c.kind = TCO_CROSS_MEAN;
                        c.from = ga < 0 ? (int)t : (int)s; /* cheaper below */
                        c.to = ga < 0 ? (int)s : (int)t;
                        c.value = AT(ga, gb);
                        c.tokens = TOKENS(c.value);
                        add(out, &nc, max, c);
                    }
                for (size_t s = 0; s < S; s++)
                    for (size_t t = 0; t < S; t++) {
                        if (s == t)
                            continue;
                        double ga = sw->p_pair[(a * S + t) * S + s] - level;
                        double gb = sw->p_pair[(b * S + t) * S + s] - level;
                        if (!(ga < 0 && gb >= 0))
                            continue;
                        c.kind = TCO_CROSS_PROBABILITY;
                        c.from = (int)s;
                        c.to = (int)t;
                        c.value = AT(ga, gb);
                        c.tokens = TOKENS(c.value);
                        c.level = level;
                        add(out, &nc, max, c);
                    }
#undef AT
#undef TOKENS
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

static const char *kind_name(tco_cross_kind k)
{
    return k == TCO_CROSS_CHEAPEST ? "cheapest" : k == TCO_CROSS_MEAN ? "mean" : "probability";
}

tco_status tco_write_crossovers_csv(FILE *f, const tco_sweep *sw)
{
    size_t nc = tco_sweep_crossovers(sw, 0.5, NULL, 0);
    tco_crossover *c = malloc((nc ? nc : 1) * sizeof *c);
    if (!c)
        return TCO_ENOMEM;
    tco_sweep_crossovers(sw, 0.5, c, nc);
    fputs("input,other_input,other_value,kind,from,to,value,tokens_per_month\n", f);
    for (size_t i = 0; i < nc; i++) {
        tco_csv_string(f, sw->path[c[i].axis]);
        fputc(',', f);
        if (sw->nvary > 1) {
            tco_csv_string(f, sw->path[1 - c[i].axis]);
            tco_fprintf(f, ",%.10g", c[i].other);
        } else {
            fputc(',', f);
        }
        fprintf(f, ",%s,", kind_name(c[i].kind));
        tco_csv_string(f, sw->names[c[i].from]);
        fputc(',', f);
        tco_csv_string(f, sw->names[c[i].to]);
        tco_fprintf(f, ",%.10g,", c[i].value);
        if (isfinite(c[i].tokens))
            tco_fprintf(f, "%.10g", c[i].tokens);
        fputc('\n', f);
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
     * (1-based) and the largest P(cheaper than the baseline) of any one
     * other strategy (not the chance that some strategy is cheaper); then the strategies' names as headers of empty columns,
     * for the chart's legend. */
    fputs("x1,x2,x1lo,x1hi,x2lo,x2hi,cheapest,max_p_cheaper_than_baseline", f);
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

/* "X = 16.4M (32.8G tokens a month)" or "X = 0.25 at Y = 3". */
static void fmt_where(const tco_sweep *sw, const tco_crossover *c, double value, int other,
                      char *buf, size_t size)
{
    char v[32], t[32] = "", o[64] = "";
    fmt_value(value, v, sizeof v);
    if (tco_sweep_is_volume(sw->path[c->axis])) {
        char tk[32];
        fmt_value(value * (c->tokens / c->value), tk, sizeof tk);
        tco_snprintf(t, sizeof t, " (%s tokens a month)", tk);
    }
    if (sw->nvary > 1 && other) {
        char ov[32];
        fmt_value(c->other, ov, sizeof ov);
        tco_snprintf(o, sizeof o, " at %s = %s", sw->path[1 - c->axis], ov);
    }
    tco_snprintf(buf, size, "%s = %s%s%s", sw->path[c->axis], v, t, o);
}

/* The most crossovers of pairs a two-input sweep prints in words. */
#define TCO_SWEEP_WORDS_MAX 20

/* Crossovers in reading order: by axis, the other input's value, then the
 * value along the axis. */
static int by_place(const void *pa, const void *pb)
{
    const tco_crossover *a = pa, *b = pb;
    if (a->axis != b->axis)
        return a->axis < b->axis ? -1 : 1;
    if (a->other != b->other && !(isnan(a->other) && isnan(b->other)))
        return a->other < b->other ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

void tco_write_sweep_words(FILE *f, const tco_sweep *sw)
{
    size_t n50 = tco_sweep_crossovers(sw, 0.5, NULL, 0);
    size_t n90 = tco_sweep_crossovers(sw, 0.9, NULL, 0);
    tco_crossover *c50 = malloc((n50 ? n50 : 1) * sizeof *c50);
    tco_crossover *c90 = malloc((n90 ? n90 : 1) * sizeof *c90);
    if (!c50 || !c90) {
        free(c50);
        free(c90);
        return;
    }
    tco_sweep_crossovers(sw, 0.5, c50, n50);
    tco_sweep_crossovers(sw, 0.9, c90, n90);
    qsort(c50, n50, sizeof *c50, by_place);
    qsort(c90, n90, sizeof *c90, by_place);
    size_t nprob = 0;
    for (size_t i = 0; i < n50; i++)
        nprob += c50[i].kind == TCO_CROSS_PROBABILITY;
    size_t said = 0, pairs = 0, means = 0;
    for (size_t i = 0; i < n50; i++) {
        const tco_crossover *c = &c50[i];
        char where[512];
        fmt_where(sw, c, c->value, 1, where, sizeof where);
        if (c->kind == TCO_CROSS_CHEAPEST) {
            fprintf(f, "The cheapest strategy on average changes from %s to %s at %s.\n",
                    sw->names[c->from], sw->names[c->to], where);
            said++;
            continue;
        }
        if (c->kind == TCO_CROSS_MEAN) {
            /* Not again where it is the change of the cheapest. */
            int same = 0;
            for (size_t j = 0; j < n50; j++)
                same |= c50[j].kind == TCO_CROSS_CHEAPEST && c50[j].axis == c->axis &&
                        c50[j].from == c->from && c50[j].to == c->to &&
                        c50[j].value == c->value && (sw->nvary == 1 || c50[j].other == c->other);
            means += !same;
            continue;
        }
        /* Two inputs: the pairs' chances in words when they are few, else
         * only in crossovers.csv (a line for each value of the other input
         * and each pair would bury the answer). */
        if (sw->nvary > 1 && nprob > TCO_SWEEP_WORDS_MAX) {
            pairs++;
            continue;
        }
        fprintf(f, "%s becomes cheaper than %s above %s, more likely than not",
                sw->names[c->to], sw->names[c->from], where);
        /* The matching 90% crossing of the same pair on the same line, the
         * first at or above this one, if any (c90 is in reading order). */
        for (size_t j = 0; j < n90; j++)
            if (c90[j].kind == TCO_CROSS_PROBABILITY && c90[j].from == c->from &&
                c90[j].to == c->to && c90[j].axis == c->axis &&
                (sw->nvary == 1 || c90[j].other == c->other) && c90[j].value >= c->value) {
                char w90[512];
                fmt_where(sw, c, c90[j].value, 0, w90, sizeof w90);
                fprintf(f, "; 90%% sure above %s", strchr(w90, '=') + 2);
                break;
            }
        fputs(".\n", f);
        said++;
    }
    if (!said && !pairs && !means)
        fprintf(f, "No crossover in the swept range: the same strategy is cheapest on average "
                   "at every point, and no strategy's chance of beating another crosses 50%%.\n");
    else if (pairs || means) {
        fputs("crossovers.csv also lists", f);
        if (means)
            fprintf(f, " %zu point%s where two strategies' mean NPVs cross", means,
                    means == 1 ? "" : "s");
        if (pairs)
            fprintf(f, "%s %zu where one strategy becomes more likely than not cheaper than "
                       "another", means ? " and" : "", pairs);
        fputs(".\n", f);
    }
    free(c50);
    free(c90);
}
