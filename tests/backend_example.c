/* The worked example of docs/backends.md, compiled by tests/check_backend.c
 * (only the include path differs from the text there: a type in models/
 * includes "backend.h").  Not part of the library. */
/* The managed backend type: per-token prices with a monthly commitment,
 * max(usage, minimum_monthly) in the api category every month. */
#include <math.h>
#include <stdlib.h>

#include "../models/backend.h"

typedef struct {
    int price_in, price_out, minimum;   /* input indices */
} managed_spec;

typedef struct {
    double minimum;
} managed_paths;

static tco_status managed_load(tco_schema *c, const tco_ynode *v, const char *prefix,
                               tco_backend *be)
{
    static const char *const keys[] = {"type", "input_price_per_mtok", "output_price_per_mtok",
                                       "minimum_monthly", "success_rate",
                                       "failure_rate_trend_annual", NULL};
    managed_spec *b = calloc(1, sizeof *b);
    if (!(be->spec = b))
        return tco_schema_oom(c);
    tco_status st;
    if ((st = tco_schema_check_keys(c, v, prefix, keys)) ||
        (st = tco_schema_quantity(c, v, prefix, "input_price_per_mtok", &TCO_DOM_NONNEG, NAN,
                                  &b->price_in)) ||
        (st = tco_schema_quantity(c, v, prefix, "output_price_per_mtok", &TCO_DOM_NONNEG, NAN,
                                  &b->price_out)) ||
        (st = tco_schema_quantity(c, v, prefix, "minimum_monthly", &TCO_DOM_NONNEG, 0,
                                  &b->minimum)))
        return st;
    return TCO_OK;
}

static tco_status managed_alloc(tco_backend_paths *p, const tco_scenario *sc,
                                const tco_backend *be)
{
    (void)sc;
    (void)be;
    p->data = malloc(sizeof(managed_paths));
    return p->data ? TCO_OK : TCO_ENOMEM;
}

/* No random path: a flat price index (events may still multiply it). */
static void managed_draw(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                         const double *x, tco_rng *rng, unsigned *clamped)
{
    (void)sc; (void)rng; (void)clamped;
    const managed_spec *b = be->spec;
    for (int t = 0; t < p->T; t++)
        p->index[t] = 1;
    p->setup = 0;
    ((managed_paths *)p->data)->minimum = x[b->minimum];
}

/* Usage is booked in monthly_cost (it is compared with the minimum), so a
 * request is not priced here: its load is its cost at index 1. */
static void managed_serve(tco_backend_paths *p, const tco_scenario *sc, const tco_backend *be,
                          const double *x)
{
    const managed_spec *b = be->spec;
    p->priced = 0;
    for (size_t k = 0; k < p->K; k++) {
        const tco_workload *w = &sc->workloads[k];
        p->unit_cost[k] = 0;
        p->unit_load[k] =
            (x[w->input_tokens] * x[b->price_in] + x[w->output_tokens] * x[b->price_out]) / 1e6;
    }
}

static void managed_monthly_cost(tco_backend_paths *p, int t, int adopted, double load,
                                 double *c)
{
    (void)adopted;
    const managed_paths *d = p->data;
    double usage = load * p->index[t - 1];
    c[TCO_CAT_API] += usage > d->minimum ? usage : d->minimum;
}

const tco_backend_type tco_backend_managed = {
    .name = "managed",
    .platform = 0,
    .load = managed_load,
    .free_spec = free,
    .alloc = managed_alloc,
    .free_paths = free,
    .draw = managed_draw,
    .serve = managed_serve,
    .monthly_cost = managed_monthly_cost,
};
