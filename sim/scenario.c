#include "scenario.h"
#include "init.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    tco_scenario *sc;
    tco_error *err;
    size_t capinputs;
} lctx;

#define PATHMAX 512

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static tco_status oom(lctx *c) { return tco_error_set(c->err, TCO_ENOMEM, "out of memory"); }

static tco_status at(lctx *c, const tco_ynode *n, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static tco_status at(lctx *c, const tco_ynode *n, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s: %s", n->file, n->line, n->col, path,
                         msg);
}

static const char *scalar_text(const tco_ynode *n)
{
    return n->kind == TCO_YSCALAR ? n->str : tco_ykind_name(n->kind);
}

/* Every key of map must be one of keys (NULL-terminated). */
static tco_status check_keys(lctx *c, const tco_ynode *map, const char *path,
                             const char *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    for (size_t i = 0; i < map->n; i++) {
        const tco_ynode *k = map->key[i];
        size_t j;
        for (j = 0; j < n; j++)
            if (strcmp(k->str, keys[j]) == 0)
                break;
        if (j < n)
            continue;
        char full[PATHMAX];
        snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", k->str);
        const char *near = tco_ynearest(k->str, keys, n);
        if (near)
            return at(c, k, full, "unknown key '%s'; did you mean %s?", k->str, near);
        char list[512] = "";
        for (j = 0; j < n && strlen(list) + strlen(keys[j]) + 3 < sizeof list; j++) {
            strcat(list, j ? ", " : "");
            strcat(list, keys[j]);
        }
        return at(c, k, full, "unknown key '%s' (known here: %s)", k->str, list);
    }
    return TCO_OK;
}

static tco_status need_map(lctx *c, const tco_ynode *n, const char *path)
{
    if (n->kind != TCO_YMAP)
        return at(c, n, path, "expected a mapping (key: value lines), got %s%s%s%s",
                  tco_ykind_name(n->kind), n->kind == TCO_YSCALAR ? " '" : "",
                  n->kind == TCO_YSCALAR ? n->str : "", n->kind == TCO_YSCALAR ? "'" : "");
    return TCO_OK;
}

static tco_status missing(lctx *c, const tco_ynode *map, const char *path, const char *key)
{
    return at(c, map, path, "missing required key '%s'", key);
}

/* Appends a static input and returns its index through *idx. */
static tco_status add_input(lctx *c, const char *path, const tco_ynode *where, int *idx)
{
    tco_scenario *sc = c->sc;
    if (sc->ninputs == c->capinputs) {
        size_t cap = c->capinputs ? 2 * c->capinputs : 64;
        tco_input *p = realloc(sc->inputs, cap * sizeof *p);
        if (!p)
            return oom(c);
        sc->inputs = p;
        c->capinputs = cap;
    }
    tco_input *in = &sc->inputs[sc->ninputs];
    memset(in, 0, sizeof *in);
    in->dim = -1;
    if (!(in->path = xstrdup(path)))
        return oom(c);
    in->line = where->line;
    in->col = where->col;
    *idx = (int)sc->ninputs++;
    return TCO_OK;
}

/* A quantity at map[key]: a number or a distribution within dom.  When the
 * key is absent, def (if not NAN) is used, else the key is required. */
static tco_status quantity(lctx *c, const tco_ynode *map, const char *prefix, const char *key,
                           const tco_domain *dom, double def, int *idx)
{
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.%s", prefix, key);
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v && isnan(def))
        return missing(c, map, prefix, key);
    tco_status st = add_input(c, path, v ? v : map, idx);
    if (st != TCO_OK)
        return st;
    tco_input *in = &c->sc->inputs[*idx];
    in->dom = *dom;
    if (!v) {
        tco_dist_fixed(&in->dist, def);
        return TCO_OK;
    }
    return tco_dist_parse(&in->dist, v, path, dom, c->err);
}

/* A plain number at map[key] within dom (def when absent; NAN: required). */
static tco_status number(lctx *c, const tco_ynode *map, const char *prefix, const char *key,
                         const tco_domain *dom, double def, double *out)
{
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v) {
        if (isnan(def))
            return missing(c, map, prefix, key);
        *out = def;
        return TCO_OK;
    }
    if (v->kind == TCO_YMAP && tco_ymap_get(v, "dist"))
        return at(c, v, path, "expected a plain number: this key does not take a distribution");
    if (!tco_ynumber(v, out))
        return at(c, v, path, "expected a number, got '%s'%s", scalar_text(v),
                  v->kind == TCO_YSCALAR && strchr(v->str, '_') ? " (YAML 1.2 numbers have no '_')"
                                                                : "");
    char d[64];
    tco_domain_format(dom, d, sizeof d);
    if (!isfinite(*out) || !tco_domain_contains(dom, *out))
        return at(c, v, path, "must be %s (got %s)", d, v->str);
    return TCO_OK;
}

static tco_status integer(lctx *c, const tco_ynode *map, const char *prefix, const char *key,
                          double lo, double hi, double def, double *out)
{
    tco_domain dom = {lo, hi, 0, 0};
    tco_status st = number(c, map, prefix, key, &dom, def, out);
    if (st != TCO_OK)
        return st;
    if (*out != floor(*out)) {
        char path[PATHMAX];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        return at(c, tco_ymap_get(map, key), path, "expected a whole number (got %g)", *out);
    }
    return TCO_OK;
}

static tco_status string(lctx *c, const tco_ynode *map, const char *prefix, const char *key,
                         const char *def, char **out)
{
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v) {
        if (!def)
            return missing(c, map, prefix, key);
        return (*out = xstrdup(def)) ? TCO_OK : oom(c);
    }
    if (v->kind != TCO_YSCALAR) {
        char path[PATHMAX];
        snprintf(path, sizeof path, "%s.%s", prefix, key);
        return at(c, v, path, "expected text, got %s", tco_ykind_name(v->kind));
    }
    return (*out = xstrdup(v->str)) ? TCO_OK : oom(c);
}

static tco_status check_name(lctx *c, const tco_ynode *k, const char *section)
{
    const char *s = k->str;
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.%s", section, s);
    if (!*s)
        return at(c, k, section, "a name may not be empty");
    if (strlen(s) > 64)
        return at(c, k, path, "a name may have at most 64 characters");
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '.' || *s == '=' || *s == ',' || *s == '"')
            return at(c, k, path, "a name may not contain '%c' (letters, digits, '-' and '_' read best)",
                      *s < 0x20 ? '?' : *s);
    return TCO_OK;
}

/* A backend name at node: resolves it, or errors with the nearest name. */
static tco_status backend_ref(lctx *c, const tco_ynode *v, const char *path, int *out)
{
    tco_scenario *sc = c->sc;
    if (v->kind != TCO_YSCALAR)
        return at(c, v, path, "expected a backend name, got %s", tco_ykind_name(v->kind));
    int b = tco_scenario_backend(sc, v->str);
    if (b >= 0) {
        *out = b;
        return TCO_OK;
    }
    const char *names[256] = {0};
    size_t n = sc->nbackends < 256 ? sc->nbackends : 256;
    for (size_t i = 0; i < n; i++)
        names[i] = sc->backends[i].name;
    const char *near = tco_ynearest(v->str, names, n);
    char list[512] = "";
    for (size_t i = 0; i < n && strlen(list) + strlen(names[i]) + 3 < sizeof list; i++) {
        strcat(list, i ? ", " : "");
        strcat(list, names[i]);
    }
    if (near)
        return at(c, v, path, "unknown backend '%s'; did you mean %s?", v->str, near);
    return at(c, v, path, "unknown backend '%s' (backends: %s)", v->str, list);
}

/* ---- sections ---- */

static tco_status load_scenario_section(lctx *c, const tco_ynode *root, const char *fname)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *s = tco_ymap_get(root, "scenario");
    if (!s)
        return missing(c, root, "(top level)", "scenario");
    static const char *const keys[] = {"name", "description", "horizon_months",
                                       "discount_rate_annual", "currency", NULL};
    tco_status st;
    if ((st = need_map(c, s, "scenario")) || (st = check_keys(c, s, "scenario", keys)))
        return st;
    /* Default name: the file's base name without extension. */
    char base[256];
    const char *slash = strrchr(fname, '/');
    snprintf(base, sizeof base, "%s", slash ? slash + 1 : fname);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    double h, r;
    if ((st = string(c, s, "scenario", "name", base, &sc->name)) ||
        (st = string(c, s, "scenario", "description", "", &sc->description)) ||
        (st = string(c, s, "scenario", "currency", "USD", &sc->currency)) ||
        (st = integer(c, s, "scenario", "horizon_months", 1, TCO_MAX_HORIZON, NAN, &h)) ||
        (st = number(c, s, "scenario", "discount_rate_annual", &TCO_DOM_GT_M1, 0, &r)))
        return st;
    if (!*sc->name)
        return at(c, tco_ymap_get(s, "name"), "scenario.name", "may not be empty");
    sc->horizon = (int)h;
    sc->discount_rate = r;
    return TCO_OK;
}

static tco_status load_simulation(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    sc->futures = 10000;
    sc->seed = 1;
    sc->sampling = TCO_SAMPLING_RANDOM;
    const tco_ynode *s = tco_ymap_get(root, "simulation");
    if (!s)
        return TCO_OK;
    static const char *const keys[] = {"futures", "seed", "sampling", NULL};
    tco_status st;
    if ((st = need_map(c, s, "simulation")) || (st = check_keys(c, s, "simulation", keys)))
        return st;
    double f;
    if ((st = integer(c, s, "simulation", "futures", 1, (double)TCO_MAX_FUTURES, 10000, &f)))
        return st;
    sc->futures = (long)f;
    const tco_ynode *seed = tco_ymap_get(s, "seed");
    if (seed) {
        char *end;
        if (seed->kind != TCO_YSCALAR || !seed->plain || seed->str[0] == '-' ||
            seed->str[0] == '\0')
            return at(c, seed, "simulation.seed", "expected a whole number >= 0");
        unsigned long long v = strtoull(seed->str, &end, 10);
        if (*end)
            return at(c, seed, "simulation.seed", "expected a whole number >= 0, got '%s'",
                      seed->str);
        sc->seed = (uint64_t)v;
    }
    const tco_ynode *m = tco_ymap_get(s, "sampling");
    if (m) {
        if (m->kind == TCO_YSCALAR && strcmp(m->str, "random") == 0)
            sc->sampling = TCO_SAMPLING_RANDOM;
        else if (m->kind == TCO_YSCALAR && strcmp(m->str, "lhs") == 0)
            sc->sampling = TCO_SAMPLING_LHS;
        else if (m->kind == TCO_YSCALAR && strcmp(m->str, "sobol") == 0)
            sc->sampling = TCO_SAMPLING_SOBOL;
        else
            return at(c, m, "simulation.sampling", "expected random, lhs or sobol, got '%s'",
                      scalar_text(m));
    }
    return TCO_OK;
}

static tco_status load_workloads(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *w = tco_ymap_get(root, "workloads");
    tco_status st;
    if (!w)
        return missing(c, root, "(top level)", "workloads");
    if ((st = need_map(c, w, "workloads")))
        return st;
    if (w->n == 0)
        return at(c, w, "workloads", "at least one workload is needed");
    if (w->n > TCO_MAX_WORKLOADS)
        return at(c, w, "workloads", "at most %d workloads are supported", TCO_MAX_WORKLOADS);
    sc->workloads = calloc(w->n, sizeof *sc->workloads);
    if (!sc->workloads)
        return oom(c);
    static const char *const keys[] = {"share", "input_tokens", "output_tokens", "failure_cost",
                                       NULL};
    for (size_t i = 0; i < w->n; i++) {
        const tco_ynode *k = w->key[i], *v = w->val[i];
        char prefix[PATHMAX];
        snprintf(prefix, sizeof prefix, "workloads.%s", k->str);
        tco_workload *wl = &sc->workloads[i];
        if ((st = check_name(c, k, "workloads")) || (st = need_map(c, v, prefix)) ||
            (st = check_keys(c, v, prefix, keys)))
            return st;
        if (!(wl->name = xstrdup(k->str)))
            return oom(c);
        sc->nworkloads++;
        if ((st = quantity(c, v, prefix, "share", &TCO_DOM_NONNEG, 1, &wl->share)) ||
            (st = quantity(c, v, prefix, "input_tokens", &TCO_DOM_NONNEG, NAN, &wl->input_tokens)) ||
            (st = quantity(c, v, prefix, "output_tokens", &TCO_DOM_NONNEG, NAN,
                           &wl->output_tokens)) ||
            (st = quantity(c, v, prefix, "failure_cost", &TCO_DOM_NONNEG, 0, &wl->failure_cost)))
            return st;
    }
    return TCO_OK;
}

static tco_status load_demand(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *d = tco_ymap_get(root, "demand");
    tco_status st;
    if (!d)
        return missing(c, root, "(top level)", "demand");
    static const char *const keys[] = {"requests_per_month", "growth_annual", "volatility_annual",
                                       "max_multiple", NULL};
    if ((st = need_map(c, d, "demand")) || (st = check_keys(c, d, "demand", keys)))
        return st;
    if ((st = quantity(c, d, "demand", "requests_per_month", &TCO_DOM_POS, NAN, &sc->volume)) ||
        (st = quantity(c, d, "demand", "growth_annual", &TCO_DOM_GT_M1, 0, &sc->growth)) ||
        (st = number(c, d, "demand", "volatility_annual", &TCO_DOM_NONNEG, 0, &sc->volatility)) ||
        (st = number(c, d, "demand", "max_multiple", &TCO_DOM_POS, 0, &sc->max_multiple)))
        return st;
    return TCO_OK;
}

static tco_status load_success(lctx *c, const tco_ynode *spec, const char *prefix,
                               tco_backend *b)
{
    tco_scenario *sc = c->sc;
    tco_status st;
    if (!(b->success = malloc(sc->nworkloads * sizeof *b->success)))
        return oom(c);
    const tco_ynode *s = tco_ymap_get(spec, "success_rate");
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.success_rate", prefix);
    if (s) {
        if ((st = need_map(c, s, path)))
            return st;
        const char *names[256];
        size_t n = sc->nworkloads < 255 ? sc->nworkloads : 255;
        for (size_t i = 0; i < n; i++)
            names[i] = sc->workloads[i].name;
        names[n] = NULL;
        if ((st = check_keys(c, s, path, names)))
            return st;
    }
    for (size_t k = 0; k < sc->nworkloads; k++) {
        const tco_ynode *where = s ? s : spec;
        if ((st = quantity(c, where, path, sc->workloads[k].name, &TCO_DOM_UNIT, 1,
                           &b->success[k])))
            return st;
    }
    return TCO_OK;
}

static tco_status load_counted(lctx *c, const tco_ynode *spec, const char *prefix,
                               const char *section, const char *rate_key, const char *cost_key,
                               tco_counted *out)
{
    out->rate = out->cost = -1;
    const tco_ynode *s = tco_ymap_get(spec, section);
    if (!s)
        return TCO_OK;
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.%s", prefix, section);
    const char *keys[] = {rate_key, cost_key, NULL};
    tco_status st;
    if ((st = need_map(c, s, path)) || (st = check_keys(c, s, path, keys)) ||
        (st = quantity(c, s, path, rate_key, &TCO_DOM_NONNEG, NAN, &out->rate)) ||
        (st = quantity(c, s, path, cost_key, &TCO_DOM_NONNEG, NAN, &out->cost)))
        return st;
    return TCO_OK;
}

static tco_status load_api(lctx *c, const tco_ynode *v, const char *prefix, tco_backend *b)
{
    static const char *const keys[] = {"type", "input_price_per_mtok", "output_price_per_mtok",
                                       "price_trend_annual", "price_shocks", "discount",
                                       "fixed_monthly_cost", "success_rate", NULL};
    tco_status st;
    if ((st = check_keys(c, v, prefix, keys)) ||
        (st = quantity(c, v, prefix, "input_price_per_mtok", &TCO_DOM_NONNEG, NAN, &b->price_in)) ||
        (st = quantity(c, v, prefix, "output_price_per_mtok", &TCO_DOM_NONNEG, NAN,
                       &b->price_out)) ||
        (st = quantity(c, v, prefix, "price_trend_annual", &TCO_DOM_GT_M1, 0, &b->price_trend)) ||
        (st = quantity(c, v, prefix, "discount", &TCO_DOM_UNIT_RIGHT_OPEN, 0, &b->discount)) ||
        (st = quantity(c, v, prefix, "fixed_monthly_cost", &TCO_DOM_NONNEG, 0,
                       &b->fixed_monthly)))
        return st;
    b->shock_rate = b->shock_size = -1;
    const tco_ynode *s = tco_ymap_get(v, "price_shocks");
    if (s) {
        char path[PATHMAX];
        snprintf(path, sizeof path, "%s.price_shocks", prefix);
        static const char *const skeys[] = {"rate_per_year", "size", NULL};
        if ((st = need_map(c, s, path)) || (st = check_keys(c, s, path, skeys)) ||
            (st = quantity(c, s, path, "rate_per_year", &TCO_DOM_NONNEG, NAN, &b->shock_rate)) ||
            (st = quantity(c, s, path, "size", &TCO_DOM_GT_M1, NAN, &b->shock_size)))
            return st;
        c->sc->inputs[b->shock_size].fresh = 1;
    }
    return load_success(c, v, prefix, b);
}

static tco_status load_gpu(lctx *c, const tco_ynode *v, const char *prefix, tco_backend *b)
{
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.gpu", prefix);
    const tco_ynode *g = tco_ymap_get(v, "gpu");
    tco_status st;
    if (!g)
        return missing(c, v, prefix, "gpu");
    if ((st = need_map(c, g, path)))
        return st;
    const tco_ynode *mode = tco_ymap_get(g, "mode");
    char mpath[PATHMAX];
    snprintf(mpath, sizeof mpath, "%s.mode", path);
    if (!mode)
        return missing(c, g, path, "mode");
    if (mode->kind == TCO_YSCALAR && strcmp(mode->str, "cloud") == 0) {
        b->mode = TCO_GPU_CLOUD;
        static const char *const keys[] = {"mode", "hour_price", "price_trend_annual",
                                           "price_volatility_annual", NULL};
        if ((st = check_keys(c, g, path, keys)) ||
            (st = quantity(c, g, path, "hour_price", &TCO_DOM_NONNEG, NAN, &b->hour_price)))
            return st;
    } else if (mode->kind == TCO_YSCALAR && strcmp(mode->str, "owned") == 0) {
        b->mode = TCO_GPU_OWNED;
        static const char *const keys[] = {"mode", "purchase_price", "lifetime_months", "power_kw",
                                           "pue", "electricity_per_kwh", "colocation_per_kw_month",
                                           "maintenance_annual", "price_trend_annual",
                                           "price_volatility_annual", NULL};
        double life;
        if ((st = check_keys(c, g, path, keys)) ||
            (st = quantity(c, g, path, "purchase_price", &TCO_DOM_NONNEG, NAN,
                           &b->purchase_price)) ||
            (st = integer(c, g, path, "lifetime_months", 1, 1e6, 48, &life)) ||
            (st = quantity(c, g, path, "power_kw", &TCO_DOM_NONNEG, 1.0, &b->power_kw)) ||
            (st = quantity(c, g, path, "pue", &TCO_DOM_GE1, 1.3, &b->pue)) ||
            (st = quantity(c, g, path, "electricity_per_kwh", &TCO_DOM_NONNEG, NAN,
                           &b->electricity)) ||
            (st = quantity(c, g, path, "colocation_per_kw_month", &TCO_DOM_NONNEG, 0,
                           &b->colocation)) ||
            (st = quantity(c, g, path, "maintenance_annual", &TCO_DOM_NONNEG, 0,
                           &b->maintenance)))
            return st;
        b->lifetime = (int)life;
    } else {
        return at(c, mode, mpath, "expected cloud or owned, got '%s'", scalar_text(mode));
    }
    if ((st = quantity(c, g, path, "price_trend_annual", &TCO_DOM_GT_M1, 0, &b->gpu_trend)) ||
        (st = number(c, g, path, "price_volatility_annual", &TCO_DOM_NONNEG, 0,
                     &b->gpu_volatility)))
        return st;
    return TCO_OK;
}

static tco_status load_self(lctx *c, const tco_ynode *v, const char *prefix, tco_backend *b)
{
    static const char *const keys[] = {"type", "throughput_tokens_per_gpu_second",
                                       "input_token_weight", "peak_to_average",
                                       "target_utilization", "min_gpus", "gpu", "staff", "setup",
                                       "fine_tuning", "updates", "incidents", "success_rate", NULL};
    tco_status st;
    if ((st = check_keys(c, v, prefix, keys)) ||
        (st = quantity(c, v, prefix, "throughput_tokens_per_gpu_second", &TCO_DOM_POS, NAN,
                       &b->throughput)) ||
        (st = quantity(c, v, prefix, "input_token_weight", &TCO_DOM_NONNEG, 0.1,
                       &b->input_weight)) ||
        (st = quantity(c, v, prefix, "peak_to_average", &TCO_DOM_GE1, 1, &b->peak)) ||
        (st = quantity(c, v, prefix, "target_utilization", &TCO_DOM_UNIT_LEFT_OPEN, 0.6,
                       &b->utilization)) ||
        (st = integer(c, v, prefix, "min_gpus", 0, 1e9, 1, &b->min_gpus)) ||
        (st = load_gpu(c, v, prefix, b)))
        return st;

    char path[PATHMAX];
    snprintf(path, sizeof path, "%s.staff", prefix);
    const tco_ynode *s = tco_ymap_get(v, "staff");
    b->gpus_per_fte = 0;
    if (s) {
        static const char *const skeys[] = {"base_fte", "gpus_per_fte", "cost_per_fte_year",
                                            "salary_growth_annual", NULL};
        if ((st = need_map(c, s, path)) || (st = check_keys(c, s, path, skeys)) ||
            (st = quantity(c, s, path, "base_fte", &TCO_DOM_NONNEG, NAN, &b->base_fte)) ||
            (st = number(c, s, path, "gpus_per_fte", &TCO_DOM_POS, 0, &b->gpus_per_fte)) ||
            (st = quantity(c, s, path, "cost_per_fte_year", &TCO_DOM_NONNEG, NAN,
                           &b->cost_per_fte)) ||
            (st = quantity(c, s, path, "salary_growth_annual", &TCO_DOM_GT_M1, 0,
                           &b->salary_growth)))
            return st;
    } else {
        /* No staff section: no staff cost (stated as fixed zeros so every
         * backend has the same inputs). */
        if ((st = quantity(c, v, path, "base_fte", &TCO_DOM_NONNEG, 0, &b->base_fte)) ||
            (st = quantity(c, v, path, "cost_per_fte_year", &TCO_DOM_NONNEG, 0, &b->cost_per_fte)) ||
            (st = quantity(c, v, path, "salary_growth_annual", &TCO_DOM_GT_M1, 0,
                           &b->salary_growth)))
            return st;
    }
    snprintf(path, sizeof path, "%s.setup", prefix);
    s = tco_ymap_get(v, "setup");
    static const char *const ukeys[] = {"months", "cost", NULL};
    if (s && ((st = need_map(c, s, path)) || (st = check_keys(c, s, path, ukeys))))
        return st;
    if ((st = quantity(c, s ? s : v, path, "months", &TCO_DOM_NONNEG, 0, &b->setup_months)) ||
        (st = quantity(c, s ? s : v, path, "cost", &TCO_DOM_NONNEG, 0, &b->setup_cost)))
        return st;
    if ((st = load_counted(c, v, prefix, "fine_tuning", "runs_per_year", "cost_per_run",
                           &b->ops[0])) ||
        (st = load_counted(c, v, prefix, "updates", "per_year", "cost_per_update", &b->ops[1])) ||
        (st = load_counted(c, v, prefix, "incidents", "per_year", "cost_per_incident",
                           &b->ops[2])))
        return st;
    return load_success(c, v, prefix, b);
}

static tco_status load_backends(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *bs = tco_ymap_get(root, "backends");
    tco_status st;
    if (!bs)
        return missing(c, root, "(top level)", "backends");
    if ((st = need_map(c, bs, "backends")))
        return st;
    if (bs->n == 0)
        return at(c, bs, "backends", "at least one backend is needed");
    if (!(sc->backends = calloc(bs->n, sizeof *sc->backends)))
        return oom(c);
    for (size_t i = 0; i < bs->n; i++) {
        const tco_ynode *k = bs->key[i], *v = bs->val[i];
        char prefix[PATHMAX];
        snprintf(prefix, sizeof prefix, "backends.%s", k->str);
        if ((st = check_name(c, k, "backends")) || (st = need_map(c, v, prefix)))
            return st;
        tco_backend *b = &sc->backends[i];
        if (!(b->name = xstrdup(k->str)))
            return oom(c);
        sc->nbackends++;
        const tco_ynode *type = tco_ymap_get(v, "type");
        if (!type)
            return missing(c, v, prefix, "type");
        char tpath[PATHMAX];
        snprintf(tpath, sizeof tpath, "%s.type", prefix);
        if (type->kind == TCO_YSCALAR && strcmp(type->str, "api") == 0) {
            b->type = TCO_BACKEND_API;
            st = load_api(c, v, prefix, b);
        } else if (type->kind == TCO_YSCALAR && strcmp(type->str, "self_hosted") == 0) {
            b->type = TCO_BACKEND_SELF;
            st = load_self(c, v, prefix, b);
        } else {
            const char *types[] = {"api", "self_hosted"};
            const char *near = type->kind == TCO_YSCALAR ? tco_ynearest(type->str, types, 2) : NULL;
            return at(c, type, tpath, "expected api or self_hosted, got '%s'%s%s%s",
                      scalar_text(type), near ? "; did you mean " : "", near ? near : "",
                      near ? "?" : "");
        }
        if (st != TCO_OK)
            return st;
    }
    return TCO_OK;
}

static tco_status load_route(lctx *c, const tco_ynode *r, const char *path, int **out)
{
    tco_scenario *sc = c->sc;
    tco_status st;
    if ((st = need_map(c, r, path)))
        return st;
    if (!(*out = malloc(sc->nworkloads * sizeof **out)))
        return oom(c);
    for (size_t i = 0; i < r->n; i++) {
        size_t known = 0;
        while (known < sc->nworkloads && strcmp(sc->workloads[known].name, r->key[i]->str) != 0)
            known++;
        if (known == sc->nworkloads) {
            const char *names[256];
            size_t n = sc->nworkloads < 256 ? sc->nworkloads : 256;
            for (size_t j = 0; j < n; j++)
                names[j] = sc->workloads[j].name;
            const char *near = tco_ynearest(r->key[i]->str, names, n);
            char full[PATHMAX];
            snprintf(full, sizeof full, "%s.%s", path, r->key[i]->str);
            return at(c, r->key[i], full, "unknown workload '%s'%s%s%s", r->key[i]->str,
                      near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
        }
    }
    for (size_t k = 0; k < sc->nworkloads; k++) {
        const tco_ynode *v = tco_ymap_get(r, sc->workloads[k].name);
        if (!v)
            return at(c, r, path, "the route names no backend for workload '%s' (every workload needs one)",
                      sc->workloads[k].name);
        char full[PATHMAX];
        snprintf(full, sizeof full, "%s.%s", path, sc->workloads[k].name);
        if ((st = backend_ref(c, v, full, &(*out)[k])))
            return st;
    }
    return TCO_OK;
}

/* Whether the strategy can route to a self-hosted backend whose setup may
 * last a month or more (then it needs a fallback). */
static int needs_fallback(const tco_scenario *sc, const tco_strategy *s, const char **which)
{
    for (size_t p = 0; p <= s->nphases; p++) {
        const int *route = p < s->nphases ? s->phases[p].route : s->switch_route;
        if (!route)
            continue;
        for (size_t k = 0; k < sc->nworkloads; k++) {
            const tco_backend *b = &sc->backends[route[k]];
            if (b->type != TCO_BACKEND_SELF)
                continue;
            double lo, hi;
            tco_dist_support(&sc->inputs[b->setup_months].dist, &lo, &hi);
            if (floor(hi + 0.5) >= 1) {
                *which = b->name;
                return 1;
            }
        }
    }
    return 0;
}

static tco_status load_strategies(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *ss = tco_ymap_get(root, "strategies");
    tco_status st;
    if (!ss)
        return missing(c, root, "(top level)", "strategies");
    if ((st = need_map(c, ss, "strategies")))
        return st;
    if (ss->n == 0)
        return at(c, ss, "strategies", "at least one strategy is needed");
    if (!(sc->strategies = calloc(ss->n, sizeof *sc->strategies)))
        return oom(c);
    static const char *const keys[] = {"route", "phases", "switch", "fallback", NULL};
    for (size_t i = 0; i < ss->n; i++) {
        const tco_ynode *k = ss->key[i], *v = ss->val[i];
        char prefix[PATHMAX], path[PATHMAX];
        snprintf(prefix, sizeof prefix, "strategies.%s", k->str);
        if ((st = check_name(c, k, "strategies")) || (st = need_map(c, v, prefix)) ||
            (st = check_keys(c, v, prefix, keys)))
            return st;
        tco_strategy *s = &sc->strategies[i];
        s->fallback = -1;
        if (!(s->name = xstrdup(k->str)))
            return oom(c);
        sc->nstrategies++;
        const tco_ynode *route = tco_ymap_get(v, "route"), *phases = tco_ymap_get(v, "phases");
        const tco_ynode *sw = tco_ymap_get(v, "switch"), *fb = tco_ymap_get(v, "fallback");
        if (route && phases)
            return at(c, phases, prefix, "give either route or phases, not both");
        if (!route && !phases)
            return at(c, v, prefix, "needs a route (or phases)");
        if (route) {
            if (!(s->phases = calloc(1, sizeof *s->phases)))
                return oom(c);
            s->nphases = 1;
            s->phases[0].from_month = 1;
            snprintf(path, sizeof path, "%s.route", prefix);
            if ((st = load_route(c, route, path, &s->phases[0].route)))
                return st;
        } else {
            snprintf(path, sizeof path, "%s.phases", prefix);
            if (phases->kind != TCO_YSEQ || phases->n == 0)
                return at(c, phases, path, "expected a list of phases ({from_month, route})");
            if (!(s->phases = calloc(phases->n, sizeof *s->phases)))
                return oom(c);
            static const char *const pkeys[] = {"from_month", "route", NULL};
            for (size_t p = 0; p < phases->n; p++) {
                const tco_ynode *ph = phases->val[p];
                char ppath[PATHMAX], rpath[PATHMAX];
                snprintf(ppath, sizeof ppath, "%s[%zu]", path, p);
                double from;
                if ((st = need_map(c, ph, ppath)) || (st = check_keys(c, ph, ppath, pkeys)) ||
                    (st = integer(c, ph, ppath, "from_month", 1, 1e9, NAN, &from)))
                    return st;
                s->phases[p].from_month = (int)from;
                s->nphases++;
                const tco_ynode *fm = tco_ymap_get(ph, "from_month");
                if (p == 0 && from != 1)
                    return at(c, fm, ppath, "the first phase must start at from_month 1 (got %g)",
                              from);
                if (p > 0 && from <= s->phases[p - 1].from_month)
                    return at(c, fm, ppath,
                              "phases out of order: from_month %g does not come after %d", from,
                              s->phases[p - 1].from_month);
                const tco_ynode *r = tco_ymap_get(ph, "route");
                if (!r)
                    return missing(c, ph, ppath, "route");
                snprintf(rpath, sizeof rpath, "%s.route", ppath);
                if ((st = load_route(c, r, rpath, &s->phases[p].route)))
                    return st;
            }
        }
        if (sw) {
            snprintf(path, sizeof path, "%s.switch", prefix);
            if (phases)
                return at(c, sw, path, "a switch goes with a route, not with phases");
            static const char *const swkeys[] = {"when", "route", NULL};
            if ((st = need_map(c, sw, path)) || (st = check_keys(c, sw, path, swkeys)))
                return st;
            const tco_ynode *when = tco_ymap_get(sw, "when"), *r = tco_ymap_get(sw, "route");
            char wpath[PATHMAX], rpath[PATHMAX];
            snprintf(wpath, sizeof wpath, "%s.when", path);
            snprintf(rpath, sizeof rpath, "%s.route", path);
            if (!when)
                return missing(c, sw, path, "when");
            if (!r)
                return missing(c, sw, path, "route");
            static const char *const wkeys[] = {"requests_per_month_above",
                                                "api_cost_per_month_above", NULL};
            if ((st = need_map(c, when, wpath)) || (st = check_keys(c, when, wpath, wkeys)))
                return st;
            if (when->n != 1)
                return at(c, when, wpath,
                          "give one of requests_per_month_above or api_cost_per_month_above");
            s->switch_kind = strcmp(when->key[0]->str, "requests_per_month_above") == 0
                                 ? TCO_SWITCH_VOLUME : TCO_SWITCH_API_COST;
            if ((st = number(c, when, wpath, when->key[0]->str, &TCO_DOM_ANY, NAN,
                             &s->switch_threshold)) ||
                (st = load_route(c, r, rpath, &s->switch_route)))
                return st;
        }
        if (fb) {
            snprintf(path, sizeof path, "%s.fallback", prefix);
            if ((st = backend_ref(c, fb, path, &s->fallback)))
                return st;
            if (sc->backends[s->fallback].type != TCO_BACKEND_API)
                return at(c, fb, path, "the fallback must be an api backend ('%s' is self_hosted)",
                          fb->str);
        }
        const char *which;
        if (s->fallback < 0 && needs_fallback(sc, s, &which))
            return at(c, v, prefix,
                      "missing fallback: the strategy routes to '%s', whose setup can last a "
                      "month or more; name an api backend to serve meanwhile (fallback: ...)",
                      which);
    }
    return TCO_OK;
}

static tco_status load_events(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *es = tco_ymap_get(root, "events");
    tco_status st;
    if (!es)
        return TCO_OK;
    if ((st = need_map(c, es, "events")))
        return st;
    if (es->n && !(sc->events = calloc(es->n, sizeof *sc->events)))
        return oom(c);
    static const char *const keys[] = {"probability_per_year", "effect", NULL};
    static const char *const effects[] = {"price_multiplier", "exclude_backend", "one_off_cost",
                                          NULL};
    for (size_t i = 0; i < es->n; i++) {
        const tco_ynode *k = es->key[i], *v = es->val[i];
        char prefix[PATHMAX], path[PATHMAX], epath[PATHMAX];
        snprintf(prefix, sizeof prefix, "events.%s", k->str);
        if ((st = check_name(c, k, "events")) || (st = need_map(c, v, prefix)) ||
            (st = check_keys(c, v, prefix, keys)))
            return st;
        tco_event *e = &sc->events[i];
        e->backend = e->reroute = e->factor = e->cost = -1;
        if (!(e->name = xstrdup(k->str)))
            return oom(c);
        sc->nevents++;
        if ((st = quantity(c, v, prefix, "probability_per_year", &TCO_DOM_UNIT, NAN,
                           &e->probability)))
            return st;
        const tco_ynode *eff = tco_ymap_get(v, "effect");
        snprintf(path, sizeof path, "%s.effect", prefix);
        if (!eff)
            return missing(c, v, prefix, "effect");
        if ((st = need_map(c, eff, path)) || (st = check_keys(c, eff, path, effects)))
            return st;
        if (eff->n != 1)
            return at(c, eff, path, "give exactly one of price_multiplier, exclude_backend, one_off_cost");
        const char *kind = eff->key[0]->str;
        const tco_ynode *spec = eff->val[0];
        snprintf(epath, sizeof epath, "%s.%s", path, kind);
        if (strcmp(kind, "one_off_cost") == 0) {
            e->kind = TCO_EVENT_ONE_OFF;
            if ((st = quantity(c, eff, path, "one_off_cost", &TCO_DOM_NONNEG, NAN, &e->cost)))
                return st;
            continue;
        }
        if ((st = need_map(c, spec, epath)))
            return st;
        const tco_ynode *bn = tco_ymap_get(spec, "backend");
        char bpath[PATHMAX];
        snprintf(bpath, sizeof bpath, "%s.backend", epath);
        if (strcmp(kind, "price_multiplier") == 0) {
            e->kind = TCO_EVENT_PRICE;
            static const char *const pkeys[] = {"backend", "factor", NULL};
            if ((st = check_keys(c, spec, epath, pkeys)))
                return st;
            if (!bn)
                return missing(c, spec, epath, "backend");
            if ((st = backend_ref(c, bn, bpath, &e->backend)) ||
                (st = quantity(c, spec, epath, "factor", &TCO_DOM_NONNEG, NAN, &e->factor)))
                return st;
        } else {
            e->kind = TCO_EVENT_EXCLUDE;
            static const char *const xkeys[] = {"backend", "reroute_to", "cost", NULL};
            if ((st = check_keys(c, spec, epath, xkeys)))
                return st;
            if (!bn)
                return missing(c, spec, epath, "backend");
            const tco_ynode *rt = tco_ymap_get(spec, "reroute_to");
            if (!rt)
                return missing(c, spec, epath, "reroute_to");
            char rpath[PATHMAX];
            snprintf(rpath, sizeof rpath, "%s.reroute_to", epath);
            if ((st = backend_ref(c, bn, bpath, &e->backend)) ||
                (st = backend_ref(c, rt, rpath, &e->reroute)) ||
                (st = quantity(c, spec, epath, "cost", &TCO_DOM_NONNEG, 0, &e->cost)))
                return st;
            if (e->backend == e->reroute)
                return at(c, rt, rpath, "reroute_to must name another backend than '%s'",
                          rt->str);
        }
    }
    return TCO_OK;
}

static tco_status load_correlations(lctx *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *cs = tco_ymap_get(root, "correlations");
    tco_status st;
    if (!cs)
        return TCO_OK;
    if (cs->kind != TCO_YSEQ)
        return at(c, cs, "correlations", "expected a list of {between: [a, b], rank_correlation: r}");
    size_t n = cs->n;
    if (n == 0)
        return TCO_OK;
    int *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    double *rho = malloc(n * sizeof *rho);
    int *dims = malloc(2 * n * sizeof *dims);
    gsl_matrix *m = NULL;
    st = TCO_OK;
    if (!pa || !pb || !rho || !dims) {
        st = oom(c);
        goto done;
    }
    static const char *const keys[] = {"between", "rank_correlation", NULL};
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const tco_ynode *e = cs->val[i];
        char path[PATHMAX];
        snprintf(path, sizeof path, "correlations[%zu]", i);
        if ((st = need_map(c, e, path)) || (st = check_keys(c, e, path, keys)))
            goto done;
        const tco_ynode *bt = tco_ymap_get(e, "between");
        if (!bt) {
            st = missing(c, e, path, "between");
            goto done;
        }
        if (bt->kind != TCO_YSEQ || bt->n != 2) {
            st = at(c, bt, path, "between: expected a list of two input paths");
            goto done;
        }
        tco_domain rdom = {-1, 1, 0, 0};
        if ((st = number(c, e, path, "rank_correlation", &rdom, NAN, &rho[i])))
            goto done;
        int ids[2];
        for (int j = 0; j < 2; j++) {
            const tco_ynode *p = bt->val[j];
            if (p->kind != TCO_YSCALAR) {
                st = at(c, p, path, "between: expected an input path");
                goto done;
            }
            ids[j] = tco_scenario_input(sc, p->str);
            if (ids[j] < 0) {
                const char **names = malloc(sc->ninputs * sizeof *names);
                if (!names) {
                    st = oom(c);
                    goto done;
                }
                for (size_t q = 0; q < sc->ninputs; q++)
                    names[q] = sc->inputs[q].path;
                const char *near = tco_ynearest(p->str, names, sc->ninputs);
                st = at(c, p, path, "unknown input '%s'%s%s%s (tcosim describe lists them)",
                        p->str, near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
                free(names);
                goto done;
            }
            const tco_input *in = &sc->inputs[ids[j]];
            if (in->fresh || !tco_dist_uncertain(&in->dist)) {
                st = at(c, p, path, "'%s' is %s; only uncertain inputs drawn once per future can be correlated",
                        p->str, in->fresh ? "drawn afresh at each use" : "fixed");
                goto done;
            }
        }
        if (ids[0] == ids[1]) {
            st = at(c, bt, path, "an input cannot be correlated with itself");
            goto done;
        }
        for (size_t q = 0; q < i; q++)
            if ((pa[q] == ids[0] && pb[q] == ids[1]) || (pa[q] == ids[1] && pb[q] == ids[0])) {
                st = at(c, bt, path, "the pair %s, %s is correlated twice (see correlations[%zu])",
                        sc->inputs[ids[0]].path, sc->inputs[ids[1]].path, q);
                goto done;
            }
        pa[i] = ids[0];
        pb[i] = ids[1];
        for (int j = 0; j < 2; j++) {
            size_t q;
            for (q = 0; q < nd && dims[q] != ids[j]; q++)
                ;
            if (q == nd)
                dims[nd++] = ids[j];
        }
    }
    /* Pearson correlation of the normal scores for a Spearman rho. */
    m = gsl_matrix_alloc(nd, nd);
    if (!m) {
        st = oom(c);
        goto done;
    }
    gsl_matrix_set_identity(m);
    for (size_t i = 0; i < n; i++) {
        size_t a = 0, b = 0;
        while (dims[a] != pa[i])
            a++;
        while (dims[b] != pb[i])
            b++;
        double r = 2 * sin(M_PI * rho[i] / 6);
        gsl_matrix_set(m, a, b, r);
        gsl_matrix_set(m, b, a, r);
    }
    /* Find the smallest leading block that is not positive definite, so the
     * message can name the inputs involved. */
    for (size_t k = 1; k <= nd; k++) {
        gsl_matrix *sub = gsl_matrix_alloc(k, k);
        if (!sub) {
            st = oom(c);
            goto done;
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                gsl_matrix_set(sub, i, j, gsl_matrix_get(m, i, j));
        int rc = gsl_linalg_cholesky_decomp1(sub);
        int bad = rc != GSL_SUCCESS;
        for (size_t i = 0; !bad && i < k; i++)
            bad = !(gsl_matrix_get(sub, i, i) > 1e-10);
        if (bad) {
            char list[1024] = "";
            for (size_t i = 0; i < k && strlen(list) + strlen(sc->inputs[dims[i]].path) + 3 < sizeof list; i++) {
                strcat(list, i ? ", " : "");
                strcat(list, sc->inputs[dims[i]].path);
            }
            gsl_matrix_free(sub);
            st = at(c, cs, "correlations",
                    "the rank correlations among %s are not consistent (the correlation matrix is "
                    "not positive definite); weaken some of them",
                    list);
            goto done;
        }
        if (k == nd) {
            if (!(sc->corr_chol = malloc(nd * nd * sizeof *sc->corr_chol))) {
                gsl_matrix_free(sub);
                st = oom(c);
                goto done;
            }
            for (size_t i = 0; i < nd; i++)
                for (size_t j = 0; j < nd; j++)
                    sc->corr_chol[i * nd + j] = j <= i ? gsl_matrix_get(sub, i, j) : 0;
        }
        gsl_matrix_free(sub);
    }
    sc->ncorr = nd;
    sc->corr_dims = dims;
    dims = NULL;
done:
    gsl_matrix_free(m);
    free(pa);
    free(pb);
    free(rho);
    free(dims);
    return st;
}

/* ---- public ---- */

tco_status tco_scenario_from_doc(tco_scenario **out, const tco_ynode *root, const char *name,
                                 tco_error *err)
{
    tco_init();
    *out = NULL;
    tco_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    lctx c = {sc, err, 0};
    tco_status st;
    static const char *const keys[] = {"scenario", "simulation", "workloads", "demand",
                                       "backends", "strategies", "events", "correlations", NULL};
    if (!(sc->file = xstrdup(name))) {
        st = oom(&c);
        goto fail;
    }
    if ((st = need_map(&c, root, "(top level)")) || (st = check_keys(&c, root, "", keys)) ||
        (st = load_scenario_section(&c, root, name)) || (st = load_simulation(&c, root)) ||
        (st = load_workloads(&c, root)) || (st = load_demand(&c, root)) ||
        (st = load_backends(&c, root)) || (st = load_strategies(&c, root)) ||
        (st = load_events(&c, root)))
        goto fail;
    /* Dimensions: one uniform per uncertain static input, in file order. */
    for (size_t i = 0; i < sc->ninputs; i++) {
        tco_input *in = &sc->inputs[i];
        in->dim = (!in->fresh && tco_dist_uncertain(&in->dist)) ? (int)sc->ndims++ : -1;
    }
    if (!(sc->dim_input = malloc((sc->ndims + 1) * sizeof *sc->dim_input))) {
        st = oom(&c);
        goto fail;
    }
    for (size_t i = 0; i < sc->ninputs; i++)
        if (sc->inputs[i].dim >= 0)
            sc->dim_input[sc->inputs[i].dim] = (int)i;
    if ((st = load_correlations(&c, root)))
        goto fail;
    /* Store dims, not input indices, in corr_dims. */
    for (size_t i = 0; i < sc->ncorr; i++)
        sc->corr_dims[i] = sc->inputs[sc->corr_dims[i]].dim;
    *out = sc;
    return TCO_OK;
fail:
    tco_scenario_free(sc);
    return st;
}

tco_status tco_scenario_load(tco_scenario **out, const char *path, const tco_load_options *opt,
                             tco_error *err)
{
    *out = NULL;
    tco_ydoc *doc;
    tco_status st = tco_ydoc_read_file(&doc, path, err);
    if (st != TCO_OK)
        return st;
    for (size_t i = 0; opt && i < opt->nsets; i++) {
        const char *s = opt->sets[i];
        const char *eq = strchr(s, '=');
        if (!eq || eq == s) {
            st = tco_error_set(err, TCO_EINVAL, "--set %s: expected PATH=VALUE", s);
            goto done;
        }
        char *p = malloc((size_t)(eq - s) + 1);
        char label[64];
        snprintf(label, sizeof label, "--set #%zu", i + 1);
        tco_ydoc *val = NULL;
        if (!p) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(p, s, (size_t)(eq - s));
        p[eq - s] = '\0';
        st = tco_ydoc_parse(&val, label, eq + 1, strlen(eq + 1), err);
        if (st == TCO_OK && tco_ydoc_root(doc)->kind != TCO_YMAP)
            st = tco_error_set(err, TCO_EINVAL, "%s: the document is not a mapping", path);
        if (st == TCO_OK)
            st = tco_ydoc_set(doc, p, tco_ydoc_root(val), err);
        free(p);
        tco_ydoc_free(val);
        if (st != TCO_OK)
            goto done;
    }
    st = tco_scenario_from_doc(out, tco_ydoc_root(doc), path, err);
done:
    tco_ydoc_free(doc);
    return st;
}

void tco_scenario_free(tco_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->ninputs; i++) {
        free(sc->inputs[i].path);
        tco_dist_clear(&sc->inputs[i].dist);
    }
    free(sc->inputs);
    for (size_t i = 0; i < sc->nworkloads; i++)
        free(sc->workloads[i].name);
    free(sc->workloads);
    for (size_t i = 0; i < sc->nbackends; i++) {
        free(sc->backends[i].name);
        free(sc->backends[i].success);
    }
    free(sc->backends);
    for (size_t i = 0; i < sc->nstrategies; i++) {
        tco_strategy *s = &sc->strategies[i];
        free(s->name);
        for (size_t p = 0; p < s->nphases; p++)
            free(s->phases[p].route);
        free(s->phases);
        free(s->switch_route);
    }
    free(sc->strategies);
    for (size_t i = 0; i < sc->nevents; i++)
        free(sc->events[i].name);
    free(sc->events);
    free(sc->corr_dims);
    free(sc->corr_chol);
    free(sc->dim_input);
    free(sc->file);
    free(sc->name);
    free(sc->description);
    free(sc->currency);
    free(sc);
}

int tco_scenario_strategy(const tco_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->nstrategies; i++)
        if (strcmp(sc->strategies[i].name, name) == 0)
            return (int)i;
    return -1;
}

int tco_scenario_backend(const tco_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->nbackends; i++)
        if (strcmp(sc->backends[i].name, name) == 0)
            return (int)i;
    return -1;
}

int tco_scenario_input(const tco_scenario *sc, const char *path)
{
    for (size_t i = 0; i < sc->ninputs; i++)
        if (strcmp(sc->inputs[i].path, path) == 0)
            return (int)i;
    return -1;
}

const char *tco_sampling_name(tco_sampling s)
{
    return s == TCO_SAMPLING_LHS ? "lhs" : s == TCO_SAMPLING_SOBOL ? "sobol" : "random";
}
