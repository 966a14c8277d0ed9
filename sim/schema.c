#include "schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

char *tco_schema_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void tco_schema_path(char *buf, size_t size, const char *prefix, const char *key)
{
    snprintf(buf, size, "%s%s%s", prefix, *prefix ? "." : "", key);
}

tco_status tco_schema_oom(tco_schema *c)
{
    return tco_error_set(c->err, TCO_ENOMEM, "out of memory");
}

tco_status tco_schema_at(tco_schema *c, const tco_ynode *n, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    tco_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tco_error_set(c->err, TCO_EINVAL, "%s:%u:%u: %s: %s", n->file, n->line, n->col, path,
                         msg);
}

const char *tco_schema_text(const tco_ynode *n)
{
    return n->kind == TCO_YSCALAR ? n->str : tco_ykind_name(n->kind);
}

tco_status tco_schema_check_keys(tco_schema *c, const tco_ynode *map, const char *path,
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
        char full[TCO_SCHEMA_PATHMAX];
        tco_schema_path(full, sizeof full, path, k->str);
        const char *near = tco_ynearest(k->str, keys, n);
        if (near)
            return tco_schema_at(c, k, full, "unknown key '%s'; did you mean %s?", k->str, near);
        char list[512] = "";
        for (j = 0; j < n && strlen(list) + strlen(keys[j]) + 3 < sizeof list; j++) {
            strcat(list, j ? ", " : "");
            strcat(list, keys[j]);
        }
        return tco_schema_at(c, k, full, "unknown key '%s' (known here: %s)", k->str, list);
    }
    return TCO_OK;
}

tco_status tco_schema_need_map(tco_schema *c, const tco_ynode *n, const char *path)
{
    if (n->kind != TCO_YMAP)
        return tco_schema_at(c, n, path, "expected a mapping (key: value lines), got %s%s%s%s",
                             tco_ykind_name(n->kind), n->kind == TCO_YSCALAR ? " '" : "",
                             n->kind == TCO_YSCALAR ? n->str : "",
                             n->kind == TCO_YSCALAR ? "'" : "");
    return TCO_OK;
}

tco_status tco_schema_missing(tco_schema *c, const tco_ynode *map, const char *path,
                              const char *key)
{
    return tco_schema_at(c, map, path, "missing required key '%s'", key);
}

tco_status tco_schema_add_input(tco_schema *c, const char *path, const tco_ynode *where, int *idx)
{
    tco_scenario *sc = c->sc;
    if (sc->ninputs >= TCO_MAX_INPUTS)
        return tco_schema_at(c, where, path,
                             "more than %d uncertain inputs in one scenario (a limit that keeps "
                             "loading and sampling fast)",
                             TCO_MAX_INPUTS);
    if (sc->ninputs == c->capinputs) {
        size_t cap = c->capinputs ? 2 * c->capinputs : 64;
        tco_input *p = realloc(sc->inputs, cap * sizeof *p);
        if (!p)
            return tco_schema_oom(c);
        sc->inputs = p;
        c->capinputs = cap;
    }
    tco_input *in = &sc->inputs[sc->ninputs];
    memset(in, 0, sizeof *in);
    in->dim = -1;
    if (!(in->path = tco_schema_strdup(path)))
        return tco_schema_oom(c);
    in->line = where->line;
    in->col = where->col;
    *idx = (int)sc->ninputs++;
    return TCO_OK;
}

tco_status tco_schema_quantity(tco_schema *c, const tco_ynode *map, const char *prefix,
                               const char *key, const tco_domain *dom, double def, int *idx)
{
    char path[TCO_SCHEMA_PATHMAX];
    snprintf(path, sizeof path, "%s.%s", prefix, key);
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v && isnan(def))
        return tco_schema_missing(c, map, prefix, key);
    tco_status st = tco_schema_add_input(c, path, v ? v : map, idx);
    if (st != TCO_OK)
        return st;
    tco_input *in = &c->sc->inputs[*idx];
    in->dom = *dom;
    if (!v) {
        tco_dist_fixed(&in->dist, def);
        return TCO_OK;
    }
    return tco_dist_parse_cached(&in->dist, v, path, dom, c->cache, c->err);
}

tco_status tco_schema_rate(tco_schema *c, const tco_ynode *map, const char *prefix,
                           const char *key, double def, int *idx)
{
    /* Draws beyond the bound are clamped to it; a distribution that lies
     * wholly beyond it, or a fixed rate beyond it, is refused. */
    const tco_domain dom = {0, TCO_MAX_RATE_PER_YEAR, 0, 0};
    tco_status st = tco_schema_quantity(c, map, prefix, key, &TCO_DOM_NONNEG, def, idx);
    if (st != TCO_OK)
        return st;
    tco_input *in = &c->sc->inputs[*idx];
    double lo, hi;
    tco_dist_support(&in->dist, &lo, &hi);
    if (lo > TCO_MAX_RATE_PER_YEAR || (!tco_dist_uncertain(&in->dist) && hi > TCO_MAX_RATE_PER_YEAR)) {
        const tco_ynode *v = tco_ymap_get(map, key);
        char desc[160];
        tco_dist_format(&in->dist, desc, sizeof desc);
        return tco_schema_at(c, v ? v : map, in->path,
                             "must be at most %g a year: more than %g events a month is a steady "
                             "cost, not a count of events; model it as a monthly cost (got %s)",
                             TCO_MAX_RATE_PER_YEAR, TCO_MAX_RATE_PER_YEAR / 12, desc);
    }
    in->dom = dom;
    return TCO_OK;
}

tco_status tco_schema_number(tco_schema *c, const tco_ynode *map, const char *prefix,
                             const char *key, const tco_domain *dom, double def, double *out)
{
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, key);
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v) {
        if (isnan(def))
            return tco_schema_missing(c, map, prefix, key);
        *out = def;
        return TCO_OK;
    }
    if (v->kind == TCO_YMAP && tco_ymap_get(v, "dist"))
        return tco_schema_at(c, v, path,
                             "expected a plain number: this key does not take a distribution");
    if (!tco_ynumber(v, out))
        return tco_schema_at(c, v, path, "expected a number, got %s'%s'%s",
                             v->kind == TCO_YSCALAR && !v->plain ? "the text " : "",
                             tco_schema_text(v),
                             v->kind == TCO_YSCALAR && strchr(v->str, '_')
                                 ? " (YAML 1.2 numbers have no '_')"
                                 : "");
    char d[64];
    tco_domain_format(dom, d, sizeof d);
    if (!isfinite(*out) || !tco_domain_contains(dom, *out))
        return tco_schema_at(c, v, path, "must be %s (got %s)", d, v->str);
    return TCO_OK;
}

tco_status tco_schema_integer(tco_schema *c, const tco_ynode *map, const char *prefix,
                              const char *key, double lo, double hi, double def, double *out)
{
    tco_domain dom = {lo, hi, 0, 0};
    tco_status st = tco_schema_number(c, map, prefix, key, &dom, def, out);
    if (st != TCO_OK)
        return st;
    if (*out != floor(*out)) {
        char path[TCO_SCHEMA_PATHMAX];
        tco_schema_path(path, sizeof path, prefix, key);
        return tco_schema_at(c, tco_ymap_get(map, key), path, "expected a whole number (got %g)",
                             *out);
    }
    return TCO_OK;
}

tco_status tco_schema_string(tco_schema *c, const tco_ynode *map, const char *prefix,
                             const char *key, const char *def, char **out)
{
    const tco_ynode *v = tco_ymap_get(map, key);
    if (!v) {
        if (!def)
            return tco_schema_missing(c, map, prefix, key);
        return (*out = tco_schema_strdup(def)) ? TCO_OK : tco_schema_oom(c);
    }
    if (v->kind != TCO_YSCALAR) {
        char path[TCO_SCHEMA_PATHMAX];
        snprintf(path, sizeof path, "%s.%s", prefix, key);
        return tco_schema_at(c, v, path, "expected text, got %s", tco_ykind_name(v->kind));
    }
    return (*out = tco_schema_strdup(v->str)) ? TCO_OK : tco_schema_oom(c);
}

tco_status tco_schema_check_name(tco_schema *c, const tco_ynode *k, const char *section)
{
    const char *s = k->str;
    char path[TCO_SCHEMA_PATHMAX];
    snprintf(path, sizeof path, "%s.%s", section, s);
    if (!*s)
        return tco_schema_at(c, k, section, "a name may not be empty");
    if (strlen(s) > 64)
        return tco_schema_at(c, k, path, "a name may have at most 64 characters");
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '.' || *s == '=' || *s == ',' || *s == '"')
            return tco_schema_at(c, k, path,
                                 "a name may not contain '%c' (letters, digits, '-' and '_' read best)",
                                 *s < 0x20 ? '?' : *s);
    return TCO_OK;
}

tco_status tco_schema_check_count(tco_schema *c, const tco_ynode *map, const char *section,
                                  size_t max, const char *what)
{
    if (map->n > max)
        return tco_schema_at(c, map, section, "at most %zu %s are supported (got %zu): %s", max,
                             section, map->n, what);
    return TCO_OK;
}

tco_status tco_schema_backend_ref(tco_schema *c, const tco_ynode *v, const char *path, int *out)
{
    tco_scenario *sc = c->sc;
    if (v->kind != TCO_YSCALAR)
        return tco_schema_at(c, v, path, "expected a backend name, got %s",
                             tco_ykind_name(v->kind));
    int b = tco_scenario_backend(sc, v->str);
    if (b >= 0) {
        *out = b;
        return TCO_OK;
    }
    const char *names[TCO_MAX_BACKENDS] = {0};
    size_t n = sc->nbackends < TCO_MAX_BACKENDS ? sc->nbackends : TCO_MAX_BACKENDS;
    for (size_t i = 0; i < n; i++)
        names[i] = sc->backends[i].name;
    const char *near = tco_ynearest(v->str, names, n);
    char list[512] = "";
    for (size_t i = 0; i < n && strlen(list) + strlen(names[i]) + 3 < sizeof list; i++) {
        strcat(list, i ? ", " : "");
        strcat(list, names[i]);
    }
    if (near)
        return tco_schema_at(c, v, path, "unknown backend '%s'; did you mean %s?", v->str, near);
    return tco_schema_at(c, v, path, "unknown backend '%s' (backends: %s)", v->str, list);
}
