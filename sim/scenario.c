#include "scenario.h"
#include "cases.h"
#include "init.h"

#include "../models/backend.h"

#include "copula.h"
#include "number.h"
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sections ---- */

static tco_status load_scenario_section(tco_schema *c, const tco_ynode *root, const char *fname)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *s = tco_ymap_get(root, "scenario");
    if (!s)
        return tco_schema_missing(c, root, "(top level)", "scenario");
    static const char *const keys[] = {"name", "description", "horizon_months",
                                       "discount_rate_annual", "currency", NULL};
    tco_status st;
    if ((st = tco_schema_need_map(c, s, "scenario")) || (st = tco_schema_check_keys(c, s, "scenario", keys)))
        return st;
    /* Default name: the file's base name without extension. */
    char base[256];
    const char *slash = strrchr(fname, '/');
    snprintf(base, sizeof base, "%s", slash ? slash + 1 : fname);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    double h, r;
    if ((st = tco_schema_string(c, s, "scenario", "name", base, &sc->name)) ||
        (st = tco_schema_string(c, s, "scenario", "description", "", &sc->description)) ||
        (st = tco_schema_string(c, s, "scenario", "currency", "USD", &sc->currency)) ||
        (st = tco_schema_integer(c, s, "scenario", "horizon_months", 1, TCO_MAX_HORIZON, NAN, &h)) ||
        (st = tco_schema_number(c, s, "scenario", "discount_rate_annual", &TCO_DOM_GT_M1, 0, &r)))
        return st;
    if (!*sc->name)
        return tco_schema_at(c, tco_ymap_get(s, "name"), "scenario.name", "may not be empty");
    sc->horizon = (int)h;
    sc->discount_rate = r;
    return TCO_OK;
}

/* simulation.seed: a whole number in [0, 2^64), whatever its spelling
 * (MODEL.md section 11: "1e5", "3.2911e4", "12.0" and hexadecimal "0x2a"
 * are whole numbers).  Decimal and hexadecimal digits are read exactly, as
 * 64-bit integers; other spellings as a double, which must be whole. */
static tco_status read_seed(tco_schema *c, const tco_ynode *seed, uint64_t *out)
{
    if (seed->kind != TCO_YSCALAR || !seed->plain || seed->str[0] == '\0')
        return tco_schema_at(c, seed, "simulation.seed", "expected a whole number >= 0");
    const char *s = seed->str;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] != '\0') {
        base = 16;
        s += 2;
    }
    size_t digits = strspn(s, base == 16 ? "0123456789abcdefABCDEF" : "0123456789");
    if (digits > 0 && s[digits] == '\0') {
        errno = 0;
        unsigned long long v = strtoull(s, NULL, base);
        if (errno == ERANGE || v > UINT64_MAX)
            return tco_schema_at(c, seed, "simulation.seed",
                                 "must be below 2^64 = 18446744073709551616 (got %s)", seed->str);
        *out = (uint64_t)v;
        return TCO_OK;
    }
    double d;
    if (base == 16 || tco_parse_double(seed->str, &d) != 0 || d != floor(d) || d < 0)
        return tco_schema_at(c, seed, "simulation.seed", "expected a whole number >= 0, got '%s'",
                             seed->str);
    if (d >= 18446744073709551616.0)
        return tco_schema_at(c, seed, "simulation.seed",
                             "must be below 2^64 = 18446744073709551616 (got %s)", seed->str);
    *out = (uint64_t)d;
    return TCO_OK;
}

static tco_status load_simulation(tco_schema *c, const tco_ynode *root)
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
    if ((st = tco_schema_need_map(c, s, "simulation")) || (st = tco_schema_check_keys(c, s, "simulation", keys)))
        return st;
    double f;
    if ((st = tco_schema_integer(c, s, "simulation", "futures", 1, (double)TCO_MAX_FUTURES, 10000, &f)))
        return st;
    sc->futures = (long)f;
    const tco_ynode *seed = tco_ymap_get(s, "seed");
    if (seed && (st = read_seed(c, seed, &sc->seed)))
        return st;
    const tco_ynode *m = tco_ymap_get(s, "sampling");
    if (m) {
        if (m->kind == TCO_YSCALAR && strcmp(m->str, "random") == 0)
            sc->sampling = TCO_SAMPLING_RANDOM;
        else if (m->kind == TCO_YSCALAR && strcmp(m->str, "lhs") == 0)
            sc->sampling = TCO_SAMPLING_LHS;
        else if (m->kind == TCO_YSCALAR && strcmp(m->str, "sobol") == 0)
            sc->sampling = TCO_SAMPLING_SOBOL;
        else
            return tco_schema_at(c, m, "simulation.sampling", "expected random, lhs or sobol, got '%s'",
                      tco_schema_text(m));
    }
    return TCO_OK;
}

static tco_status load_workloads(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *w = tco_ymap_get(root, "workloads");
    tco_status st;
    if (!w)
        return tco_schema_missing(c, root, "(top level)", "workloads");
    if ((st = tco_schema_need_map(c, w, "workloads")))
        return st;
    if (w->n == 0)
        return tco_schema_at(c, w, "workloads", "at least one workload is needed");
    if ((st = tco_schema_check_count(c, w, "workloads", TCO_MAX_WORKLOADS,
                                     "each backend and route has an entry per workload")))
        return st;
    sc->workloads = calloc(w->n, sizeof *sc->workloads);
    if (!sc->workloads)
        return tco_schema_oom(c);
    static const char *const keys[] = {"share", "input_tokens", "output_tokens", "failure_cost",
                                       "start_month", "end_month", "allowed_backends",
                                       "unserved_cost", "value_per_request", NULL};
    for (size_t i = 0; i < w->n; i++) {
        const tco_ynode *k = w->key[i], *v = w->val[i];
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "workloads.%s", k->str);
        tco_workload *wl = &sc->workloads[i];
        if ((st = tco_schema_check_name(c, k, "workloads")) || (st = tco_schema_need_map(c, v, prefix)) ||
            (st = tco_schema_check_keys(c, v, prefix, keys)))
            return st;
        if (!(wl->name = tco_schema_strdup(k->str)))
            return tco_schema_oom(c);
        sc->nworkloads++;
        if ((st = tco_schema_quantity(c, v, prefix, "share", &TCO_DOM_NONNEG, 1, &wl->share)) ||
            (st = tco_schema_quantity(c, v, prefix, "input_tokens", &TCO_DOM_NONNEG, NAN, &wl->input_tokens)) ||
            (st = tco_schema_quantity(c, v, prefix, "output_tokens", &TCO_DOM_NONNEG, NAN,
                           &wl->output_tokens)) ||
            (st = tco_schema_quantity(c, v, prefix, "failure_cost", &TCO_DOM_NONNEG, 0, &wl->failure_cost)))
            return st;
        /* The window of MODEL.md 13; months past the horizon are never reached. */
        double start, end;
        if ((st = tco_schema_integer(c, v, prefix, "start_month", 1, 1e9, 1, &start)) ||
            (st = tco_schema_integer(c, v, prefix, "end_month", 1, 1e9, sc->horizon, &end)))
            return st;
        if (start > end) {
            char path[TCO_SCHEMA_PATHMAX];
            const tco_ynode *at = tco_ymap_get(v, "end_month");
            tco_schema_path(path, sizeof path, prefix, at ? "end_month" : "start_month");
            return tco_schema_at(c, at ? at : tco_ymap_get(v, "start_month"), path,
                                 "the window ends before it starts: start_month %g is after "
                                 "end_month %g%s",
                                 start, end, at ? "" : " (the horizon, by default)");
        }
        wl->start_month = (int)start;
        wl->end_month = (int)end;
        wl->unserved_cost = wl->failure_cost; /* load_constraints */
    }
    return TCO_OK;
}

static tco_status load_demand(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *d = tco_ymap_get(root, "demand");
    tco_status st;
    if (!d)
        return tco_schema_missing(c, root, "(top level)", "demand");
    static const char *const keys[] = {"requests_per_month", "growth_annual", "volatility_annual",
                                       "max_multiple", "schedule", NULL};
    if ((st = tco_schema_need_map(c, d, "demand")) || (st = tco_schema_check_keys(c, d, "demand", keys)))
        return st;
    if ((st = tco_schema_quantity(c, d, "demand", "requests_per_month", &TCO_DOM_POS, NAN, &sc->volume)) ||
        (st = tco_schema_quantity(c, d, "demand", "growth_annual", &TCO_DOM_GT_M1, 0, &sc->growth)) ||
        (st = tco_schema_number(c, d, "demand", "volatility_annual", &TCO_DOM_NONNEG, 0, &sc->volatility)) ||
        (st = tco_schema_number(c, d, "demand", "max_multiple", &TCO_DOM_POS, 0, &sc->max_multiple)))
        return st;
    return TCO_OK;
}

static tco_status load_backends(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *bs = tco_ymap_get(root, "backends");
    tco_status st;
    if (!bs)
        return tco_schema_missing(c, root, "(top level)", "backends");
    if ((st = tco_schema_need_map(c, bs, "backends")))
        return st;
    if (bs->n == 0)
        return tco_schema_at(c, bs, "backends", "at least one backend is needed");
    if ((st = tco_schema_check_count(c, bs, "backends", TCO_MAX_BACKENDS,
                                     "every future costs every backend each month")))
        return st;
    if (!(sc->backends = calloc(bs->n, sizeof *sc->backends)))
        return tco_schema_oom(c);
    for (size_t i = 0; i < bs->n; i++) {
        const tco_ynode *k = bs->key[i], *v = bs->val[i];
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "backends.%s", k->str);
        if ((st = tco_schema_check_name(c, k, "backends")) || (st = tco_schema_need_map(c, v, prefix)))
            return st;
        tco_backend *b = &sc->backends[i];
        if (!(b->name = tco_schema_strdup(k->str)))
            return tco_schema_oom(c);
        sc->nbackends++;
        const tco_ynode *type = tco_ymap_get(v, "type");
        if (!type)
            return tco_schema_missing(c, v, prefix, "type");
        b->type = type->kind == TCO_YSCALAR ? tco_backend_type_find(type->str) : NULL;
        if (!b->type) {
            char tpath[TCO_SCHEMA_PATHMAX], list[256] = "";
            const char *names[16];
            size_t n = 0;
            snprintf(tpath, sizeof tpath, "%s.type", prefix);
            for (; tco_backend_types[n] && n < 16; n++) {
                names[n] = tco_backend_types[n]->name;
                if (strlen(list) + strlen(names[n]) + 5 < sizeof list) {
                    strcat(list, n == 0 ? "" : tco_backend_types[n + 1] ? ", " : " or ");
                    strcat(list, names[n]);
                }
            }
            const char *near = type->kind == TCO_YSCALAR ? tco_ynearest(type->str, names, n) : NULL;
            return tco_schema_at(c, type, tpath, "expected %s, got '%s'%s%s%s", list,
                                 tco_schema_text(type), near ? "; did you mean " : "",
                                 near ? near : "", near ? "?" : "");
        }
        if ((st = tco_backend_load(c, v, prefix, b)))
            return st;
    }
    return TCO_OK;
}

/* The backend types' keys of version 2 (MODEL.md 16, 17: resale_fraction,
 * failure_probability, abandon_after_months), registered after every input
 * of version 1 so that a version-1 file samples as before. */
static tco_status load_backends_late(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *bs = tco_ymap_get(root, "backends");
    for (size_t i = 0; i < sc->nbackends; i++) {
        tco_backend *b = &sc->backends[i];
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "backends.%s", b->name);
        tco_status st;
        if (b->type->load_late && (st = b->type->load_late(c, bs->val[i], prefix, b)))
            return st;
    }
    return TCO_OK;
}

static tco_status load_route(tco_schema *c, const tco_ynode *r, const char *path, int **out)
{
    tco_scenario *sc = c->sc;
    tco_status st;
    if ((st = tco_schema_need_map(c, r, path)))
        return st;
    if (!(*out = malloc(sc->nworkloads * sizeof **out)))
        return tco_schema_oom(c);
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
            char full[TCO_SCHEMA_PATHMAX];
            snprintf(full, sizeof full, "%s.%s", path, r->key[i]->str);
            return tco_schema_at(c, r->key[i], full, "unknown workload '%s'%s%s%s", r->key[i]->str,
                      near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
        }
    }
    for (size_t k = 0; k < sc->nworkloads; k++) {
        const tco_ynode *v = tco_ymap_get(r, sc->workloads[k].name);
        if (!v)
            return tco_schema_at(c, r, path, "the route names no backend for workload '%s' (every workload needs one)",
                      sc->workloads[k].name);
        char full[TCO_SCHEMA_PATHMAX];
        snprintf(full, sizeof full, "%s.%s", path, sc->workloads[k].name);
        if ((st = tco_schema_backend_ref(c, v, full, &(*out)[k])))
            return st;
    }
    return TCO_OK;
}

/* Whether route names a platform whose setup may last a month or more. */
static int platform_route(const tco_scenario *sc, const int *route, const char **which)
{
    for (size_t k = 0; k < sc->nworkloads; k++) {
        const tco_backend *b = &sc->backends[route[k]];
        if (b->type->platform && b->type->max_setup_months(sc, b) >= 1) {
            *which = b->name;
            return 1;
        }
    }
    return 0;
}

/* The review of a strategy (MODEL.md 18) but its switching cost, a static
 * input registered after version 1's (load_review_costs). */
static tco_status load_review(tco_schema *c, const tco_ynode *rv, const char *prefix,
                              tco_strategy *s)
{
    static const char *const keys[] = {"every_months", "first_month", "hysteresis",
                                       "switching_cost", "options", NULL};
    char path[TCO_SCHEMA_PATHMAX], opath[TCO_SCHEMA_PATHMAX];
    tco_status st;
    snprintf(path, sizeof path, "%s.review", prefix);
    if ((st = tco_schema_need_map(c, rv, path)) || (st = tco_schema_check_keys(c, rv, path, keys)))
        return st;
    if (!(s->review = calloc(1, sizeof *s->review)))
        return tco_schema_oom(c);
    tco_review *r = s->review;
    r->switching_cost = -1;
    double every, first;
    if ((st = tco_schema_integer(c, rv, path, "every_months", 1, 1e9, NAN, &every)) ||
        (st = tco_schema_integer(c, rv, path, "first_month", 1, 1e9, every, &first)) ||
        (st = tco_schema_number(c, rv, path, "hysteresis", &TCO_DOM_UNIT_RIGHT_OPEN, 0.1,
                                &r->hysteresis)))
        return st;
    r->every = (int)every;
    r->first = (int)first;
    const tco_ynode *opts = tco_ymap_get(rv, "options");
    snprintf(opath, sizeof opath, "%s.options", path);
    if (!opts)
        return tco_schema_missing(c, rv, path, "options");
    if ((st = tco_schema_need_map(c, opts, opath)))
        return st;
    if (opts->n == 0)
        return tco_schema_at(c, opts, opath, "at least one option is needed (name -> route)");
    if (!(r->options = calloc(opts->n, sizeof *r->options)))
        return tco_schema_oom(c);
    for (size_t o = 0; o < opts->n; o++) {
        const tco_ynode *k = opts->key[o];
        char rpath[TCO_SCHEMA_PATHMAX];
        snprintf(rpath, sizeof rpath, "%s.%s", opath, k->str);
        if ((st = tco_schema_check_name(c, k, opath)))
            return st;
        if (strcmp(k->str, "initial") == 0)
            return tco_schema_at(c, k, rpath,
                                 "'initial' names the strategy's own route; give the option "
                                 "another name");
        if (!(r->options[o].name = tco_schema_strdup(k->str)))
            return tco_schema_oom(c);
        r->noptions++;
        if ((st = load_route(c, opts->val[o], rpath, &r->options[o].route)))
            return st;
    }
    return TCO_OK;
}

/* The switching costs of the reviews, static inputs registered after every
 * input of version 1 so that a version-1 file samples as before. */
static tco_status load_review_costs(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *ss = tco_ymap_get(root, "strategies");
    for (size_t i = 0; i < sc->nstrategies; i++) {
        tco_review *r = sc->strategies[i].review;
        if (!r)
            continue;
        char path[TCO_SCHEMA_PATHMAX];
        snprintf(path, sizeof path, "strategies.%s.review", sc->strategies[i].name);
        const tco_ynode *rv = tco_ymap_get(ss->val[i], "review");
        tco_status st = tco_schema_quantity(c, rv, path, "switching_cost", &TCO_DOM_NONNEG, 0,
                                            &r->switching_cost);
        if (st)
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
        if (platform_route(sc, route, which))
            return 1;
    }
    for (size_t o = 0; s->review && o < s->review->noptions; o++)
        if (platform_route(sc, s->review->options[o].route, which))
            return 1;
    return 0;
}

static tco_status load_strategies(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *ss = tco_ymap_get(root, "strategies");
    tco_status st;
    if (!ss)
        return tco_schema_missing(c, root, "(top level)", "strategies");
    if ((st = tco_schema_need_map(c, ss, "strategies")))
        return st;
    if (ss->n == 0)
        return tco_schema_at(c, ss, "strategies", "at least one strategy is needed");
    if ((st = tco_schema_check_count(c, ss, "strategies", TCO_MAX_STRATEGIES,
                                     "every strategy is costed in every future and drawn in "
                                     "every chart; compare a few at a time")))
        return st;
    if (!(sc->strategies = calloc(ss->n, sizeof *sc->strategies)))
        return tco_schema_oom(c);
    static const char *const keys[] = {"route", "phases", "switch", "fallback",
                                       "retire_idle_months", "review", NULL};
    for (size_t i = 0; i < ss->n; i++) {
        const tco_ynode *k = ss->key[i], *v = ss->val[i];
        char prefix[TCO_SCHEMA_PATHMAX], path[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "strategies.%s", k->str);
        if ((st = tco_schema_check_name(c, k, "strategies")) || (st = tco_schema_need_map(c, v, prefix)) ||
            (st = tco_schema_check_keys(c, v, prefix, keys)))
            return st;
        tco_strategy *s = &sc->strategies[i];
        s->fallback = -1;
        if (!(s->name = tco_schema_strdup(k->str)))
            return tco_schema_oom(c);
        sc->nstrategies++;
        const tco_ynode *route = tco_ymap_get(v, "route"), *phases = tco_ymap_get(v, "phases");
        const tco_ynode *sw = tco_ymap_get(v, "switch"), *fb = tco_ymap_get(v, "fallback");
        if (route && phases)
            return tco_schema_at(c, phases, prefix, "give either route or phases, not both");
        if (!route && !phases)
            return tco_schema_at(c, v, prefix, "needs a route (or phases)");
        if (route) {
            if (!(s->phases = calloc(1, sizeof *s->phases)))
                return tco_schema_oom(c);
            s->nphases = 1;
            s->phases[0].from_month = 1;
            snprintf(path, sizeof path, "%s.route", prefix);
            if ((st = load_route(c, route, path, &s->phases[0].route)))
                return st;
        } else {
            snprintf(path, sizeof path, "%s.phases", prefix);
            if (phases->kind != TCO_YSEQ || phases->n == 0)
                return tco_schema_at(c, phases, path, "expected a list of phases ({from_month, route})");
            if (!(s->phases = calloc(phases->n, sizeof *s->phases)))
                return tco_schema_oom(c);
            static const char *const pkeys[] = {"from_month", "route", NULL};
            for (size_t p = 0; p < phases->n; p++) {
                const tco_ynode *ph = phases->val[p];
                char ppath[TCO_SCHEMA_PATHMAX], rpath[TCO_SCHEMA_PATHMAX];
                snprintf(ppath, sizeof ppath, "%s[%zu]", path, p);
                double from;
                if ((st = tco_schema_need_map(c, ph, ppath)) || (st = tco_schema_check_keys(c, ph, ppath, pkeys)) ||
                    (st = tco_schema_integer(c, ph, ppath, "from_month", 1, 1e9, NAN, &from)))
                    return st;
                s->phases[p].from_month = (int)from;
                s->nphases++;
                const tco_ynode *fm = tco_ymap_get(ph, "from_month");
                if (p == 0 && from != 1)
                    return tco_schema_at(c, fm, ppath, "the first phase must start at from_month 1 (got %g)",
                              from);
                if (p > 0 && from <= s->phases[p - 1].from_month)
                    return tco_schema_at(c, fm, ppath,
                              "phases out of order: from_month %g does not come after %d", from,
                              s->phases[p - 1].from_month);
                const tco_ynode *r = tco_ymap_get(ph, "route");
                if (!r)
                    return tco_schema_missing(c, ph, ppath, "route");
                snprintf(rpath, sizeof rpath, "%s.route", ppath);
                if ((st = load_route(c, r, rpath, &s->phases[p].route)))
                    return st;
            }
        }
        if (sw) {
            snprintf(path, sizeof path, "%s.switch", prefix);
            if (phases)
                return tco_schema_at(c, sw, path, "a switch goes with a route, not with phases");
            static const char *const swkeys[] = {"when", "route", NULL};
            if ((st = tco_schema_need_map(c, sw, path)) || (st = tco_schema_check_keys(c, sw, path, swkeys)))
                return st;
            const tco_ynode *when = tco_ymap_get(sw, "when"), *r = tco_ymap_get(sw, "route");
            char wpath[TCO_SCHEMA_PATHMAX], rpath[TCO_SCHEMA_PATHMAX];
            snprintf(wpath, sizeof wpath, "%s.when", path);
            snprintf(rpath, sizeof rpath, "%s.route", path);
            if (!when)
                return tco_schema_missing(c, sw, path, "when");
            if (!r)
                return tco_schema_missing(c, sw, path, "route");
            static const char *const wkeys[] = {"requests_per_month_above",
                                                "api_cost_per_month_above", NULL};
            if ((st = tco_schema_need_map(c, when, wpath)) || (st = tco_schema_check_keys(c, when, wpath, wkeys)))
                return st;
            if (when->n != 1)
                return tco_schema_at(c, when, wpath,
                          "give one of requests_per_month_above or api_cost_per_month_above");
            s->switch_kind = strcmp(when->key[0]->str, "requests_per_month_above") == 0
                                 ? TCO_SWITCH_VOLUME : TCO_SWITCH_API_COST;
            if ((st = tco_schema_number(c, when, wpath, when->key[0]->str, &TCO_DOM_ANY, NAN,
                             &s->switch_threshold)) ||
                (st = load_route(c, r, rpath, &s->switch_route)))
                return st;
        }
        const tco_ynode *rv = tco_ymap_get(v, "review");
        if (rv) {
            snprintf(path, sizeof path, "%s.review", prefix);
            if (phases)
                return tco_schema_at(c, rv, path, "a review goes with a route, not with phases");
            if (sw)
                return tco_schema_at(c, rv, path,
                                     "give either a switch or a review, not both (a review "
                                     "option can name the switch's route)");
            if ((st = load_review(c, rv, prefix, s)))
                return st;
        }
        /* fallback: none (MODEL.md 15), unless a backend has that name. */
        int no_fallback = fb && fb->kind == TCO_YSCALAR && strcmp(fb->str, "none") == 0 &&
                          tco_scenario_backend(sc, "none") < 0;
        if (fb && !no_fallback) {
            snprintf(path, sizeof path, "%s.fallback", prefix);
            if ((st = tco_schema_backend_ref(c, fb, path, &s->fallback)))
                return st;
            const tco_backend_type *ft = sc->backends[s->fallback].type;
            if (ft->platform)
                return tco_schema_at(c, fb, path,
                                     "the fallback must be an api backend, or another type "
                                     "that serves from any month ('%s' is %s)",
                                     fb->str, ft->name);
        }
        double idle;
        if ((st = tco_schema_integer(c, v, prefix, "retire_idle_months", 1, 1e9, 0,
                                     &idle)))
            return st;
        s->retire_idle = (int)idle;
        const char *which;
        if (s->fallback < 0 && !no_fallback && needs_fallback(sc, s, &which))
            return tco_schema_at(c, v, prefix,
                      "missing fallback: the strategy routes to '%s', whose setup can last a "
                      "month or more; name an api backend to serve meanwhile (fallback: ...), "
                      "or say fallback: none",
                      which);
    }
    return TCO_OK;
}

static tco_status load_events(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *es = tco_ymap_get(root, "events");
    tco_status st;
    if (!es)
        return TCO_OK;
    if ((st = tco_schema_need_map(c, es, "events")) ||
        (st = tco_schema_check_count(c, es, "events", TCO_MAX_EVENTS,
                                     "every event is drawn in every future")))
        return st;
    if (es->n && !(sc->events = calloc(es->n, sizeof *sc->events)))
        return tco_schema_oom(c);
    static const char *const keys[] = {"probability_per_year", "effect", NULL};
    static const char *const effects[] = {"price_multiplier", "exclude_backend", "one_off_cost",
                                          NULL};
    for (size_t i = 0; i < es->n; i++) {
        const tco_ynode *k = es->key[i], *v = es->val[i];
        char prefix[TCO_SCHEMA_PATHMAX], path[TCO_SCHEMA_PATHMAX], epath[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "events.%s", k->str);
        if ((st = tco_schema_check_name(c, k, "events")) || (st = tco_schema_need_map(c, v, prefix)) ||
            (st = tco_schema_check_keys(c, v, prefix, keys)))
            return st;
        tco_event *e = &sc->events[i];
        e->backend = e->reroute = e->factor = e->cost = -1;
        if (!(e->name = tco_schema_strdup(k->str)))
            return tco_schema_oom(c);
        sc->nevents++;
        if ((st = tco_schema_quantity(c, v, prefix, "probability_per_year", &TCO_DOM_UNIT, NAN,
                           &e->probability)))
            return st;
        const tco_ynode *eff = tco_ymap_get(v, "effect");
        snprintf(path, sizeof path, "%s.effect", prefix);
        if (!eff)
            return tco_schema_missing(c, v, prefix, "effect");
        if ((st = tco_schema_need_map(c, eff, path)) || (st = tco_schema_check_keys(c, eff, path, effects)))
            return st;
        if (eff->n != 1)
            return tco_schema_at(c, eff, path, "give exactly one of price_multiplier, exclude_backend, one_off_cost");
        const char *kind = eff->key[0]->str;
        const tco_ynode *spec = eff->val[0];
        snprintf(epath, sizeof epath, "%s.%s", path, kind);
        if (strcmp(kind, "one_off_cost") == 0) {
            e->kind = TCO_EVENT_ONE_OFF;
            if ((st = tco_schema_quantity(c, eff, path, "one_off_cost", &TCO_DOM_NONNEG, NAN, &e->cost)))
                return st;
            continue;
        }
        if ((st = tco_schema_need_map(c, spec, epath)))
            return st;
        const tco_ynode *bn = tco_ymap_get(spec, "backend");
        char bpath[TCO_SCHEMA_PATHMAX];
        snprintf(bpath, sizeof bpath, "%s.backend", epath);
        if (strcmp(kind, "price_multiplier") == 0) {
            e->kind = TCO_EVENT_PRICE;
            static const char *const pkeys[] = {"backend", "factor", NULL};
            if ((st = tco_schema_check_keys(c, spec, epath, pkeys)))
                return st;
            if (!bn)
                return tco_schema_missing(c, spec, epath, "backend");
            if ((st = tco_schema_backend_ref(c, bn, bpath, &e->backend)) ||
                (st = tco_schema_quantity(c, spec, epath, "factor", &TCO_DOM_NONNEG, NAN, &e->factor)))
                return st;
        } else {
            e->kind = TCO_EVENT_EXCLUDE;
            static const char *const xkeys[] = {"backend", "reroute_to", "cost", NULL};
            if ((st = tco_schema_check_keys(c, spec, epath, xkeys)))
                return st;
            if (!bn)
                return tco_schema_missing(c, spec, epath, "backend");
            const tco_ynode *rt = tco_ymap_get(spec, "reroute_to");
            if (!rt)
                return tco_schema_missing(c, spec, epath, "reroute_to");
            char rpath[TCO_SCHEMA_PATHMAX];
            snprintf(rpath, sizeof rpath, "%s.reroute_to", epath);
            if ((st = tco_schema_backend_ref(c, bn, bpath, &e->backend)) ||
                (st = tco_schema_backend_ref(c, rt, rpath, &e->reroute)) ||
                (st = tco_schema_quantity(c, spec, epath, "cost", &TCO_DOM_NONNEG, 0, &e->cost)))
                return st;
            if (e->backend == e->reroute)
                return tco_schema_at(c, rt, rpath, "reroute_to must name another backend than '%s'",
                          rt->str);
        }
    }
    return TCO_OK;
}

/* ---- version 2: inputs registered after version 1's (MODEL.md 12, 13) ---- */

/* demand.schedule: a list of {from_month, multiplier}, from_month 1 first
 * and strictly increasing. */
static tco_status load_schedule(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *l = tco_ymap_get(tco_ymap_get(root, "demand"), "schedule");
    tco_status st;
    if (!l)
        return TCO_OK;
    if (l->kind != TCO_YSEQ || l->n == 0)
        return tco_schema_at(c, l, "demand.schedule",
                             "expected a list of entries ({from_month, multiplier}), got %s",
                             l->kind == TCO_YSEQ ? "an empty list" : tco_ykind_name(l->kind));
    if (!(sc->schedule = calloc(l->n, sizeof *sc->schedule)))
        return tco_schema_oom(c);
    static const char *const keys[] = {"from_month", "multiplier", NULL};
    for (size_t i = 0; i < l->n; i++) {
        const tco_ynode *e = l->val[i];
        char path[TCO_SCHEMA_PATHMAX];
        snprintf(path, sizeof path, "demand.schedule.%zu", i);
        double from;
        if ((st = tco_schema_need_map(c, e, path)) || (st = tco_schema_check_keys(c, e, path, keys)) ||
            (st = tco_schema_integer(c, e, path, "from_month", 1, 1e9, NAN, &from)))
            return st;
        const tco_ynode *fm = tco_ymap_get(e, "from_month");
        char fpath[TCO_SCHEMA_PATHMAX];
        tco_schema_path(fpath, sizeof fpath, path, "from_month");
        if (i == 0 && from != 1)
            return tco_schema_at(c, fm, fpath,
                                 "the first entry must start at from_month 1 (got %g)", from);
        if (i > 0 && from <= sc->schedule[i - 1].from_month)
            return tco_schema_at(c, fm, fpath,
                                 "schedule out of order: from_month %g does not come after %d",
                                 from, sc->schedule[i - 1].from_month);
        sc->schedule[i].from_month = (int)from;
        if ((st = tco_schema_quantity(c, e, path, "multiplier", &TCO_DOM_NONNEG, NAN,
                                      &sc->schedule[i].multiplier)))
            return st;
        sc->nschedule++;
    }
    return TCO_OK;
}

static tco_status load_version2_inputs(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    tco_status st;
    if ((st = load_schedule(c, root)))
        return st;
    const tco_ynode *bs = tco_ymap_get(root, "backends");
    for (size_t i = 0; i < sc->nbackends; i++) {
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "backends.%s", sc->backends[i].name);
        if ((st = tco_backend_load_capability(c, bs->val[i], prefix, &sc->backends[i])))
            return st;
    }
    return TCO_OK;
}

static const char *const criterion_names[TCO_NCRIT + 1] = {
    "mean", "p50", "p90", "p95", "cvar95", "certainty_equivalent", NULL};

const char *tco_criterion_name(tco_criterion c)
{
    return c >= 0 && c < TCO_NCRIT ? criterion_names[c] : "?";
}

int tco_criterion_parse(const char *name)
{
    for (int i = 0; i < TCO_NCRIT; i++)
        if (strcmp(name, criterion_names[i]) == 0)
            return i;
    return -1;
}

const char *tco_criterion_nearest(const char *name)
{
    return tco_ynearest(name, criterion_names, TCO_NCRIT);
}

/* decision (MODEL.md 19): the criterion, a risk tolerance (> 0, required
 * by certainty_equivalent) and a budget. */
static tco_status load_decision(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    sc->criterion = TCO_CRIT_MEAN;
    sc->risk_tolerance = NAN;
    sc->budget = NAN;
    const tco_ynode *d = tco_ymap_get(root, "decision");
    if (!d)
        return TCO_OK;
    static const char *const keys[] = {"criterion", "risk_tolerance", "budget", NULL};
    tco_status st;
    if ((st = tco_schema_need_map(c, d, "decision")) || (st = tco_schema_check_keys(c, d, "decision", keys)))
        return st;
    const tco_ynode *cr = tco_ymap_get(d, "criterion");
    if (cr) {
        int k = cr->kind == TCO_YSCALAR ? tco_criterion_parse(cr->str) : -1;
        if (k < 0) {
            const char *near = cr->kind == TCO_YSCALAR ? tco_criterion_nearest(cr->str) : NULL;
            return tco_schema_at(c, cr, "decision.criterion",
                                 "expected mean, p50, p90, p95, cvar95 or certainty_equivalent, "
                                 "got '%s'%s%s%s",
                                 tco_schema_text(cr), near ? "; did you mean " : "", near ? near : "",
                                 near ? "?" : "");
        }
        sc->criterion = (tco_criterion)k;
    }
    if (tco_ymap_get(d, "risk_tolerance") &&
        (st = tco_schema_number(c, d, "decision", "risk_tolerance", &TCO_DOM_POS, NAN, &sc->risk_tolerance)))
        return st;
    if (tco_ymap_get(d, "budget") &&
        (st = tco_schema_number(c, d, "decision", "budget", &TCO_DOM_ANY, NAN, &sc->budget)))
        return st;
    if (sc->criterion == TCO_CRIT_CE && isnan(sc->risk_tolerance))
        return tco_schema_at(c, tco_ymap_get(d, "criterion"), "decision.criterion",
                             "certainty_equivalent needs decision.risk_tolerance (a number > 0, "
                             "in the currency)");
    return TCO_OK;
}

/* ---- version 2: data constraints (MODEL.md 15) ---- */

/* The route map of strategy node sv: phase p (p < nphases), else the
 * switch's route, else review option o; its path in path. */
static const tco_ynode *route_node(const tco_ynode *sv, const char *name, size_t p, size_t o,
                                   int which, char *path, size_t size)
{
    if (which == 0 && tco_ymap_get(sv, "route")) {
        snprintf(path, size, "strategies.%s.route", name);
        return tco_ymap_get(sv, "route");
    }
    if (which == 0) {
        snprintf(path, size, "strategies.%s.phases[%zu].route", name, p);
        return tco_ymap_get(tco_ymap_get(sv, "phases")->val[p], "route");
    }
    if (which == 1) {
        snprintf(path, size, "strategies.%s.switch.route", name);
        return tco_ymap_get(tco_ymap_get(sv, "switch"), "route");
    }
    const tco_ynode *opts = tco_ymap_get(tco_ymap_get(sv, "review"), "options");
    snprintf(path, size, "strategies.%s.review.options.%s", name, opts->key[o]->str);
    return opts->val[o];
}

static int allowed(const tco_workload *w, int b)
{
    return !w->allowed || w->allowed[b];
}

/* An error at a route that sends workload k to a backend it may not use. */
static tco_status check_route(tco_schema *c, const tco_ynode *rn, const char *path,
                              const tco_strategy *s, const int *route)
{
    const tco_scenario *sc = c->sc;
    for (size_t k = 0; k < sc->nworkloads; k++) {
        const tco_workload *w = &sc->workloads[k];
        if (allowed(w, route[k]))
            continue;
        char full[TCO_SCHEMA_PATHMAX];
        snprintf(full, sizeof full, "%s.%s", path, w->name);
        return tco_schema_at(c, tco_ymap_get(rn, w->name), full,
                             "strategy '%s' sends workload '%s' to backend '%s', which is not in "
                             "the workload's allowed_backends",
                             s->name, w->name, sc->backends[route[k]].name);
    }
    return TCO_OK;
}

/* Depth-first search for a cycle of exclusions from backend b: on[] marks
 * the backends on the path, stack[] the events taken. */
static int excl_cycle(const tco_scenario *sc, int b, unsigned char *on, unsigned char *done,
                      size_t *stack, size_t *depth)
{
    on[b] = 1;
    for (size_t i = 0; i < sc->nevents; i++) {
        const tco_event *e = &sc->events[i];
        if (e->kind != TCO_EVENT_EXCLUDE || e->backend != b)
            continue;
        stack[(*depth)++] = i;
        if (on[e->reroute])
            return e->reroute + 1;
        if (!done[e->reroute]) {
            int r = excl_cycle(sc, e->reroute, on, done, stack, depth);
            if (r)
                return r;
        }
        (*depth)--;
    }
    on[b] = 0;
    done[b] = 1;
    return 0;
}

static tco_status check_exclusion_cycles(tco_schema *c, const tco_ynode *root)
{
    const tco_scenario *sc = c->sc;
    unsigned char on[TCO_MAX_BACKENDS] = {0}, done[TCO_MAX_BACKENDS] = {0};
    size_t stack[TCO_MAX_EVENTS], depth = 0;
    for (size_t b = 0; b < sc->nbackends; b++) {
        int r = done[b] ? 0 : excl_cycle(sc, (int)b, on, done, stack, &depth);
        if (!r)
            continue;
        /* The cycle: the events from the one leaving backend r - 1. */
        size_t first = 0;
        while (sc->events[stack[first]].backend != r - 1)
            first++;
        char names[512] = "";
        for (size_t j = first; j < depth; j++) {
            const char *n = sc->events[stack[j]].name;
            if (strlen(names) + strlen(n) + 3 < sizeof names) {
                strcat(names, j > first ? ", " : "");
                strcat(names, n);
            }
        }
        const tco_event *e = &sc->events[stack[first]];
        char path[TCO_SCHEMA_PATHMAX];
        snprintf(path, sizeof path, "events.%s.effect.exclude_backend.reroute_to", e->name);
        const tco_ynode *at = tco_ymap_get(tco_ymap_get(tco_ymap_get(tco_ymap_get(
                                  tco_ymap_get(root, "events"), e->name), "effect"),
                                  "exclude_backend"), "reroute_to");
        return tco_schema_at(c, at, path,
                             "the reroutes of events %s form a cycle (a backend is rerouted "
                             "back to itself)", names);
    }
    return TCO_OK;
}

static tco_status load_constraints(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *ws = tco_ymap_get(root, "workloads");
    tco_status st;
    int any = 0;
    for (size_t k = 0; k < sc->nworkloads; k++) {
        tco_workload *w = &sc->workloads[k];
        const tco_ynode *v = ws->val[k], *l = tco_ymap_get(v, "allowed_backends");
        char prefix[TCO_SCHEMA_PATHMAX], path[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "workloads.%s", w->name);
        if (tco_ymap_get(v, "unserved_cost") &&
            (st = tco_schema_quantity(c, v, prefix, "unserved_cost", &TCO_DOM_NONNEG, NAN,
                                      &w->unserved_cost)))
            return st;
        if (!l)
            continue;
        tco_schema_path(path, sizeof path, prefix, "allowed_backends");
        if (l->kind != TCO_YSEQ || l->n == 0)
            return tco_schema_at(c, l, path, "expected a list of backend names, got %s",
                                 l->kind == TCO_YSEQ ? "an empty list" : tco_ykind_name(l->kind));
        if (!(w->allowed = calloc(sc->nbackends, 1)))
            return tco_schema_oom(c);
        for (size_t i = 0; i < l->n; i++) {
            char epath[TCO_SCHEMA_PATHMAX];
            int b;
            snprintf(epath, sizeof epath, "%s[%zu]", path, i);
            if ((st = tco_schema_backend_ref(c, l->val[i], epath, &b)))
                return st;
            w->allowed[b] = 1;
        }
        any = 1;
    }
    if ((st = check_exclusion_cycles(c, root)))
        return st;
    if (!any)
        return TCO_OK;
    const tco_ynode *ss = tco_ymap_get(root, "strategies");
    for (size_t i = 0; i < sc->nstrategies; i++) {
        const tco_strategy *s = &sc->strategies[i];
        char path[TCO_SCHEMA_PATHMAX];
        for (size_t p = 0; p < s->nphases; p++) {
            const tco_ynode *rn = route_node(ss->val[i], s->name, p, 0, 0, path, sizeof path);
            if ((st = check_route(c, rn, path, s, s->phases[p].route)))
                return st;
        }
        if (s->switch_route) {
            const tco_ynode *rn = route_node(ss->val[i], s->name, 0, 0, 1, path, sizeof path);
            if ((st = check_route(c, rn, path, s, s->switch_route)))
                return st;
        }
        for (size_t o = 0; s->review && o < s->review->noptions; o++) {
            const tco_ynode *rn = route_node(ss->val[i], s->name, 0, o, 2, path, sizeof path);
            if ((st = check_route(c, rn, path, s, s->review->options[o].route)))
                return st;
        }
    }
    /* Exclusions: the backends each strategy can send each workload to,
     * following reroutes (no cycle), must be allowed. */
    unsigned char reach[TCO_MAX_BACKENDS];
    for (size_t i = 0; i < sc->nstrategies; i++) {
        const tco_strategy *s = &sc->strategies[i];
        for (size_t k = 0; k < sc->nworkloads; k++) {
            const tco_workload *w = &sc->workloads[k];
            if (!w->allowed)
                continue;
            memset(reach, 0, sc->nbackends);
            for (size_t p = 0; p < s->nphases; p++)
                reach[s->phases[p].route[k]] = 1;
            if (s->switch_route)
                reach[s->switch_route[k]] = 1;
            for (size_t o = 0; s->review && o < s->review->noptions; o++)
                reach[s->review->options[o].route[k]] = 1;
            for (int moved = 1; moved;) {
                moved = 0;
                for (size_t e = 0; e < sc->nevents; e++) {
                    const tco_event *ev = &sc->events[e];
                    if (ev->kind != TCO_EVENT_EXCLUDE || !reach[ev->backend] ||
                        reach[ev->reroute])
                        continue;
                    if (!allowed(w, ev->reroute)) {
                        char path[TCO_SCHEMA_PATHMAX];
                        snprintf(path, sizeof path, "events.%s.effect.exclude_backend.reroute_to",
                                 ev->name);
                        const tco_ynode *at = tco_ymap_get(tco_ymap_get(tco_ymap_get(tco_ymap_get(
                                                  tco_ymap_get(root, "events"), ev->name), "effect"),
                                                  "exclude_backend"), "reroute_to");
                        return tco_schema_at(c, at, path,
                                             "event '%s' can reroute workload '%s' of strategy "
                                             "'%s' from '%s' to backend '%s', which is not in "
                                             "the workload's allowed_backends",
                                             ev->name, w->name, s->name,
                                             sc->backends[ev->backend].name,
                                             sc->backends[ev->reroute].name);
                    }
                    reach[ev->reroute] = moved = 1;
                }
            }
        }
    }
    return TCO_OK;
}

/* MODEL.md 19: the value of a served request, registered after every
 * other input so that version-1 files sample as before. */
static tco_status load_values(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *ws = tco_ymap_get(root, "workloads");
    for (size_t k = 0; k < sc->nworkloads; k++) {
        tco_workload *w = &sc->workloads[k];
        char prefix[TCO_SCHEMA_PATHMAX];
        snprintf(prefix, sizeof prefix, "workloads.%s", w->name);
        w->value_per_request = -1; /* absent: 0, and no input (as unserved_cost) */
        tco_status st;
        if (tco_ymap_get(ws->val[k], "value_per_request") &&
            (st = tco_schema_quantity(c, ws->val[k], prefix, "value_per_request",
                                      &TCO_DOM_NONNEG, 0, &w->value_per_request)))
            return st;
    }
    return TCO_OK;
}

/* ---- public ---- */

/* ---- implausible values: warnings, not errors ---- */

/* Values that are valid but most likely a percentage written where a
 * fraction belongs ("discount_rate_annual: 10" for 10%).  Keys are matched
 * by their last component; an uncertain input is judged by its median.
 * The list is short on purpose and documented in docs/scenario.md. */
static const struct {
    const char *suffix; /* the key, or the end of its name */
    double above;       /* warn when the value (median) is above */
    const char *what;
} PLAUSIBLE[] = {
    {"discount_rate_annual", 0.5, "a yearly rate"},
    {"growth_annual", 3, "a yearly change"},
    {"trend_annual", 3, "a yearly change"},
    {"volatility_annual", 3, "a yearly volatility"},
    {"maintenance_annual", 1, "a yearly fraction of the purchase cost"},
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void add_warning(tco_scenario *sc, const char *text)
{
    size_t old = sc->warnings ? strlen(sc->warnings) : 0, add = strlen(text) + 2;
    char *w = realloc(sc->warnings, old + add);
    if (!w)
        return; /* a warning lost to a lack of memory is no error */
    tco_snprintf(w + old, add, "%s\n", text);
    sc->warnings = w;
}

/* Walks the document; path is the dotted path of node (size bytes). */
static void check_plausible(tco_scenario *sc, const tco_ynode *node, char *path, size_t size,
                            int depth)
{
    if (node->kind != TCO_YMAP || depth > 8)
        return;
    size_t len = strlen(path);
    for (size_t i = 0; i < node->n; i++) {
        const tco_ynode *k = node->key[i], *v = node->val[i];
        if (!k->str || len + strlen(k->str) + 2 > size)
            continue;
        tco_snprintf(path + len, size - len, "%s%s", len ? "." : "", k->str);
        size_t r = 0;
        while (r < sizeof PLAUSIBLE / sizeof *PLAUSIBLE && !ends_with(k->str, PLAUSIBLE[r].suffix))
            r++;
        if (r == sizeof PLAUSIBLE / sizeof *PLAUSIBLE) {
            check_plausible(sc, v, path, size, depth + 1);
            continue;
        }
        double x = NAN;
        if (v->kind == TCO_YSCALAR && !tco_ynumber(v, &x))
            x = NAN;
        for (size_t j = 0; j < sc->ninputs && v->kind == TCO_YMAP; j++)
            if (strcmp(sc->inputs[j].path, path) == 0)
                x = tco_dist_quantile(&sc->inputs[j].dist, 0.5);
        if (x > PLAUSIBLE[r].above) {
            char msg[TCO_SCHEMA_PATHMAX + 300];
            tco_snprintf(msg, sizeof msg,
                         "%s:%u:%u: %s: %s of %g%s is %g%%; if %g%% was meant, write %g",
                         v->file, v->line, v->col, path, PLAUSIBLE[r].what, x,
                         v->kind == TCO_YMAP ? " (median)" : "", 100 * x, x, x / 100);
            add_warning(sc, msg);
        }
    }
    path[len] = '\0';
}

/* tco_scenario_from_doc, with the quantile tables of tables (may be NULL)
 * in the load's cache. */
static tco_status from_doc(tco_scenario **out, const tco_ynode *root, const char *name,
                           const tco_scenario *tables, tco_error *err)
{
    tco_init();
    *out = NULL;
    tco_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    tco_schema c = {sc, err, 0, tco_dist_cache_alloc()};
    for (size_t i = 0; c.cache && tables && i < tables->ninputs; i++)
        tco_dist_cache_add(c.cache, &tables->inputs[i].dist);
    tco_status st;
    static const char *const keys[] = {"scenario", "simulation", "workloads", "demand",
                                       "backends", "strategies", "events", "correlations",
                                       "decision", "cases", NULL};
    if (!c.cache || !(sc->file = tco_schema_strdup(name))) {
        st = tco_schema_oom(&c);
        goto fail;
    }
    if ((st = tco_schema_need_map(&c, root, "(top level)")) || (st = tco_schema_check_keys(&c, root, "", keys)) ||
        (st = tco_cases_check(tco_ymap_get(root, "cases"), err)) ||
        (st = load_scenario_section(&c, root, name)) || (st = load_simulation(&c, root)) ||
        (st = load_workloads(&c, root)) || (st = load_demand(&c, root)) ||
        (st = load_backends(&c, root)) || (st = load_strategies(&c, root)) ||
        (st = load_events(&c, root)) || (st = load_version2_inputs(&c, root)) ||
        (st = load_decision(&c, root)))
        goto fail;
    /* Version 2's inputs of backends before those of strategies, as in the
     * file. */
    if ((st = load_backends_late(&c, root)) || (st = load_review_costs(&c, root)) ||
        (st = load_constraints(&c, root)) || (st = load_values(&c, root)))
        goto fail;
    /* Dimensions: one uniform per uncertain static input, in file order. */
    for (size_t i = 0; i < sc->ninputs; i++) {
        tco_input *in = &sc->inputs[i];
        in->dim = (!in->fresh && tco_dist_uncertain(&in->dist)) ? (int)sc->ndims++ : -1;
    }
    if (!(sc->dim_input = malloc((sc->ndims + 1) * sizeof *sc->dim_input))) {
        st = tco_schema_oom(&c);
        goto fail;
    }
    for (size_t i = 0; i < sc->ninputs; i++)
        if (sc->inputs[i].dim >= 0)
            sc->dim_input[sc->inputs[i].dim] = (int)i;
    if ((st = tco_copula_load(&c, root)))
        goto fail;
    /* Store dims, not input indices, in corr_dims. */
    for (size_t i = 0; i < sc->ncorr; i++)
        sc->corr_dims[i] = sc->inputs[sc->corr_dims[i]].dim;
    char wpath[TCO_SCHEMA_PATHMAX] = "";
    check_plausible(sc, root, wpath, sizeof wpath, 0);
    tco_dist_cache_free(c.cache);
    *out = sc;
    return TCO_OK;
fail:
    tco_dist_cache_free(c.cache);
    tco_scenario_free(sc);
    return st;
}

tco_status tco_scenario_from_doc(tco_scenario **out, const tco_ynode *root, const char *name,
                                 tco_error *err)
{
    return from_doc(out, root, name, NULL, err);
}

tco_status tco_scenario_load(tco_scenario **out, const char *path, const tco_load_options *opt,
                             tco_error *err)
{
    return tco_scenario_load_with(out, path, opt, NULL, 0, err);
}

tco_status tco_scenario_load_with(tco_scenario **out, const char *path,
                                  const tco_load_options *opt, const tco_override *overrides,
                                  size_t noverrides, tco_error *err)
{
    return tco_scenario_reload_with(out, path, opt, overrides, noverrides, NULL, err);
}

tco_status tco_scenario_reload_with(tco_scenario **out, const char *path,
                                    const tco_load_options *opt, const tco_override *overrides,
                                    size_t noverrides, const tco_scenario *tables, tco_error *err)
{
    *out = NULL;
    tco_ydoc *doc;
    tco_status st = tco_ydoc_read_file(&doc, path, err);
    if (st != TCO_OK)
        return st;
    if (opt && opt->case_name && (st = tco_cases_apply(doc, opt->case_name, err)) != TCO_OK)
        goto done;
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
    for (size_t i = 0; i < noverrides; i++) {
        const tco_override *o = &overrides[i];
        char label[600];
        snprintf(label, sizeof label, "--vary %s", o->path);
        if (tco_ydoc_root(doc)->kind != TCO_YMAP)
            st = tco_error_set(err, TCO_EINVAL, "%s: the document is not a mapping", path);
        else
            st = tco_ydoc_set_number(doc, o->path, o->value, label, err);
        if (st != TCO_OK)
            goto done;
    }
    st = from_doc(out, tco_ydoc_root(doc), path, tables, err);
    if (opt && opt->case_name && st != TCO_OK)
        tco_cases_annotate(err, opt->case_name);
    if (opt && opt->case_name && st == TCO_OK && !((*out)->case_name = strdup(opt->case_name))) {
        tco_scenario_free(*out);
        *out = NULL;
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
done:
    tco_ydoc_free(doc);
    return st;
}

void tco_scenario_free(tco_scenario *sc)
{
    if (!sc)
        return;
    free(sc->case_name);
    free(sc->warnings);
    for (size_t i = 0; i < sc->ninputs; i++) {
        free(sc->inputs[i].path);
        tco_dist_clear(&sc->inputs[i].dist);
    }
    free(sc->inputs);
    for (size_t i = 0; i < sc->nworkloads; i++) {
        free(sc->workloads[i].name);
        free(sc->workloads[i].allowed);
    }
    free(sc->workloads);
    for (size_t i = 0; i < sc->nbackends; i++) {
        free(sc->backends[i].name);
        tco_backend_clear(&sc->backends[i]);
    }
    free(sc->backends);
    for (size_t i = 0; i < sc->nstrategies; i++) {
        tco_strategy *s = &sc->strategies[i];
        free(s->name);
        for (size_t p = 0; p < s->nphases; p++)
            free(s->phases[p].route);
        free(s->phases);
        free(s->switch_route);
        if (s->review) {
            for (size_t o = 0; o < s->review->noptions; o++) {
                free(s->review->options[o].name);
                free(s->review->options[o].route);
            }
            free(s->review->options);
            free(s->review);
        }
    }
    free(sc->strategies);
    for (size_t i = 0; i < sc->nevents; i++)
        free(sc->events[i].name);
    free(sc->events);
    free(sc->schedule);
    free(sc->corr_dims);
    free(sc->corr_chol);
    free(sc->dim_input);
    free(sc->file);
    free(sc->name);
    free(sc->description);
    free(sc->currency);
    free(sc);
}

int tco_strategy_can_switch(const tco_strategy *s)
{
    return s->switch_kind != TCO_SWITCH_NONE || s->review != NULL;
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
