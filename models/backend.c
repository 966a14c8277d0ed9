/* The registry of backend types, and what every type shares: the `type`
 * key that selects it and the success rates of MODEL.md 4.3. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/* The registered types.  A new type adds its line here. */
const tco_backend_type *const tco_backend_types[] = {
    &tco_backend_api,
    &tco_backend_selfhost,
    NULL,
};

const tco_backend_type *tco_backend_type_find(const char *name)
{
    for (size_t i = 0; tco_backend_types[i]; i++)
        if (strcmp(tco_backend_types[i]->name, name) == 0)
            return tco_backend_types[i];
    return NULL;
}

/* success_rate: a mapping workload -> quantity in [0, 1]; a workload it
 * does not name (or every workload, without the key) gets a fixed 1.  The
 * defaults are made here and never looked up in another mapping: a workload
 * named like one of the backend's own keys (discount, type) must not read
 * that key's value. */
static tco_status load_success(tco_schema *c, const tco_ynode *spec, const char *prefix,
                               tco_backend *b)
{
    tco_scenario *sc = c->sc;
    tco_status st;
    if (!(b->success = malloc((sc->nworkloads + 1) * sizeof *b->success)))
        return tco_schema_oom(c);
    const tco_ynode *s = tco_ymap_get(spec, "success_rate");
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, "success_rate");
    if (s) {
        if ((st = tco_schema_need_map(c, s, path)))
            return st;
        const char *names[TCO_MAX_WORKLOADS + 1];
        for (size_t i = 0; i < sc->nworkloads; i++)
            names[i] = sc->workloads[i].name;
        names[sc->nworkloads] = NULL;
        if ((st = tco_schema_check_keys(c, s, path, names)))
            return st;
    }
    for (size_t k = 0; k < sc->nworkloads; k++) {
        if (s) {
            st = tco_schema_quantity(c, s, path, sc->workloads[k].name, &TCO_DOM_UNIT, 1,
                                     &b->success[k]);
        } else {
            char full[TCO_SCHEMA_PATHMAX];
            tco_schema_path(full, sizeof full, path, sc->workloads[k].name);
            if ((st = tco_schema_add_input(c, full, spec, &b->success[k])) == TCO_OK) {
                tco_input *in = &sc->inputs[b->success[k]];
                in->dom = TCO_DOM_UNIT;
                tco_dist_fixed(&in->dist, 1);
            }
        }
        if (st != TCO_OK)
            return st;
    }
    return TCO_OK;
}

tco_status tco_backend_load(tco_schema *c, const tco_ynode *spec, const char *prefix,
                            tco_backend *be)
{
    tco_status st = be->type->load(c, spec, prefix, be);
    if (st != TCO_OK)
        return st;
    return load_success(c, spec, prefix, be);
}

/* A quantity per workload at map[key] (MODEL.md 12): a plain quantity, one
 * input (path prefix.key) for every workload, or a mapping workload ->
 * quantity (paths prefix.key.K), -1 for a workload it does not name.  A
 * mapping with a `dist` key is a distribution, not a workload named dist.
 * Absent: *out stays NULL. */
tco_status tco_backend_load_per_workload(tco_schema *c, const tco_ynode *map, const char *prefix,
                                         const char *key, const tco_domain *dom, int **out)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *v = tco_ymap_get(map, key);
    tco_status st;
    if (!v)
        return TCO_OK;
    int *idx = malloc((sc->nworkloads + 1) * sizeof *idx);
    if (!(*out = idx))
        return tco_schema_oom(c);
    if (v->kind != TCO_YMAP || tco_ymap_get(v, "dist")) {
        int one;
        if ((st = tco_schema_quantity(c, map, prefix, key, dom, NAN, &one)))
            return st;
        for (size_t k = 0; k < sc->nworkloads; k++)
            idx[k] = one;
        return TCO_OK;
    }
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, key);
    const char *names[TCO_MAX_WORKLOADS + 1];
    for (size_t k = 0; k < sc->nworkloads; k++)
        names[k] = sc->workloads[k].name;
    names[sc->nworkloads] = NULL;
    if ((st = tco_schema_check_keys(c, v, path, names)))
        return st;
    for (size_t k = 0; k < sc->nworkloads; k++) {
        idx[k] = -1;
        if (tco_ymap_get(v, names[k]) &&
            (st = tco_schema_quantity(c, v, path, names[k], dom, NAN, &idx[k])))
            return st;
    }
    return TCO_OK;
}

tco_status tco_backend_load_capability(tco_schema *c, const tco_ynode *spec, const char *prefix,
                                       tco_backend *be)
{
    tco_status st = tco_backend_load_per_workload(c, spec, prefix, "failure_rate_trend_annual",
                                      &TCO_DOM_GT_M1, &be->fail_trend);
    if (st != TCO_OK)
        return st;
    char path[TCO_SCHEMA_PATHMAX];
    tco_schema_path(path, sizeof path, prefix, "fine_tuning");
    return tco_backend_load_per_workload(c, tco_ymap_get(spec, "fine_tuning"), path,
                             "failure_rate_multiplier", &TCO_DOM_NONNEG, &be->fail_mult);
}

void tco_backend_clear(tco_backend *be)
{
    if (be->type && be->type->free_spec)
        be->type->free_spec(be->spec);
    be->spec = NULL;
    free(be->success);
    be->success = NULL;
    free(be->fail_trend);
    free(be->fail_mult);
    be->fail_trend = be->fail_mult = NULL;
}
