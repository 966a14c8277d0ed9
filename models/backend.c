/* The registry of backend types, and what every type shares: the `type`
 * key that selects it and the success rates of MODEL.md 4.3. */
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

void tco_backend_clear(tco_backend *be)
{
    if (be->type && be->type->free_spec)
        be->type->free_spec(be->spec);
    be->spec = NULL;
    free(be->success);
    be->success = NULL;
}
