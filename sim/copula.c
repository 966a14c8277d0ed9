#include "copula.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this pivot a correlation matrix is treated as singular. */
#define MIN_PIVOT 1e-10

double tco_copula_pearson(double rho) { return 2 * sin(M_PI * rho / 6); }

size_t tco_copula_cholesky(double *a, size_t n, double min_pivot)
{
    for (size_t i = 0; i < n; i++) {
        double *ri = a + i * n;
        for (size_t j = 0; j < i; j++) {
            const double *rj = a + j * n;
            double s = ri[j];
            for (size_t k = 0; k < j; k++)
                s -= ri[k] * rj[k];
            ri[j] = s / rj[j];
        }
        double d = ri[i];
        for (size_t k = 0; k < i; k++)
            d -= ri[k] * ri[k];
        if (!(d > min_pivot * min_pivot) || !isfinite(d))
            return i;
        ri[i] = sqrt(d);
        for (size_t j = i + 1; j < n; j++)
            ri[j] = 0;
    }
    return n;
}

/* Input paths sorted by name, to resolve names in O(log n). */
typedef struct {
    const char *path;
    int input;
} path_entry;

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const path_entry *)a)->path, ((const path_entry *)b)->path);
}

static int find_input(const path_entry *pe, size_t n, const char *path)
{
    path_entry key = {path, -1};
    const path_entry *hit = bsearch(&key, pe, n, sizeof *pe, cmp_path);
    return hit ? hit->input : -1;
}

static tco_status unknown_input(tco_schema *c, const tco_ynode *p, const char *path)
{
    tco_scenario *sc = c->sc;
    const char **names = malloc((sc->ninputs + 1) * sizeof *names);
    if (!names)
        return tco_schema_oom(c);
    for (size_t q = 0; q < sc->ninputs; q++)
        names[q] = sc->inputs[q].path;
    const char *near = tco_ynearest(p->str, names, sc->ninputs);
    tco_status st = tco_schema_at(c, p, path, "unknown input '%s'%s%s%s (tcosim describe lists them)",
                                  p->str, near ? "; did you mean " : "", near ? near : "",
                                  near ? "?" : "");
    free(names);
    return st;
}

tco_status tco_copula_load(tco_schema *c, const tco_ynode *root)
{
    tco_scenario *sc = c->sc;
    const tco_ynode *cs = tco_ymap_get(root, "correlations");
    if (!cs)
        return TCO_OK;
    if (cs->kind != TCO_YSEQ)
        return tco_schema_at(c, cs, "correlations",
                             "expected a list of {between: [a, b], rank_correlation: r}");
    size_t n = cs->n;
    if (n == 0)
        return TCO_OK;
    const size_t cap = TCO_MAX_CORRELATED;
    if (n > cap * (cap - 1) / 2)
        return tco_schema_at(c, cs, "correlations",
                             "%zu pairs: at most %zu inputs can be correlated, so at most %zu "
                             "distinct pairs",
                             n, cap, cap * (cap - 1) / 2);
    tco_status st = TCO_OK;
    path_entry *pe = malloc((sc->ninputs + 1) * sizeof *pe);
    int *dims = malloc(cap * sizeof *dims);      /* local index -> input index */
    int *local = malloc((sc->ninputs + 1) * sizeof *local); /* input -> local, or -1 */
    int *seen = malloc(cap * cap * sizeof *seen); /* pair -> entry that set it, or -1 */
    double *m = malloc(cap * cap * sizeof *m);
    gsl_matrix *g = NULL;
    if (!pe || !dims || !local || !seen || !m) {
        st = tco_schema_oom(c);
        goto done;
    }
    for (size_t i = 0; i < sc->ninputs; i++) {
        pe[i].path = sc->inputs[i].path;
        pe[i].input = (int)i;
        local[i] = -1;
    }
    qsort(pe, sc->ninputs, sizeof *pe, cmp_path);
    for (size_t i = 0; i < cap * cap; i++) {
        seen[i] = -1;
        m[i] = 0;
    }
    static const char *const keys[] = {"between", "rank_correlation", NULL};
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const tco_ynode *e = cs->val[i];
        char path[TCO_SCHEMA_PATHMAX];
        snprintf(path, sizeof path, "correlations[%zu]", i);
        if ((st = tco_schema_need_map(c, e, path)) || (st = tco_schema_check_keys(c, e, path, keys)))
            goto done;
        const tco_ynode *bt = tco_ymap_get(e, "between");
        if (!bt) {
            st = tco_schema_missing(c, e, path, "between");
            goto done;
        }
        if (bt->kind != TCO_YSEQ || bt->n != 2) {
            st = tco_schema_at(c, bt, path, "between: expected a list of two input paths");
            goto done;
        }
        tco_domain rdom = {-1, 1, 0, 0};
        double rho;
        if ((st = tco_schema_number(c, e, path, "rank_correlation", &rdom, NAN, &rho)))
            goto done;
        int ids[2];
        for (int j = 0; j < 2; j++) {
            const tco_ynode *p = bt->val[j];
            if (p->kind != TCO_YSCALAR) {
                st = tco_schema_at(c, p, path, "between: expected an input path");
                goto done;
            }
            ids[j] = find_input(pe, sc->ninputs, p->str);
            if (ids[j] < 0) {
                st = unknown_input(c, p, path);
                goto done;
            }
            const tco_input *in = &sc->inputs[ids[j]];
            if (in->fresh || !tco_dist_uncertain(&in->dist)) {
                st = tco_schema_at(c, p, path,
                                   "'%s' is %s; only uncertain inputs drawn once per future can be correlated",
                                   p->str, in->fresh ? "drawn afresh at each use" : "fixed");
                goto done;
            }
        }
        if (ids[0] == ids[1]) {
            st = tco_schema_at(c, bt, path, "an input cannot be correlated with itself");
            goto done;
        }
        int l[2];
        for (int j = 0; j < 2; j++) {
            if (local[ids[j]] < 0) {
                if (nd == cap) {
                    st = tco_schema_at(c, bt->val[j], path,
                                       "more than %zu correlated inputs: the correlation factor "
                                       "grows as the square of their number and is applied in "
                                       "every future; correlate the few inputs that matter",
                                       cap);
                    goto done;
                }
                local[ids[j]] = (int)nd;
                dims[nd++] = ids[j];
            }
            l[j] = local[ids[j]];
        }
        int *s1 = &seen[(size_t)l[0] * cap + (size_t)l[1]];
        if (*s1 >= 0) {
            st = tco_schema_at(c, bt, path, "the pair %s, %s is correlated twice (see correlations[%d])",
                               sc->inputs[ids[0]].path, sc->inputs[ids[1]].path, *s1);
            goto done;
        }
        *s1 = seen[(size_t)l[1] * cap + (size_t)l[0]] = (int)i;
        m[(size_t)l[0] * cap + (size_t)l[1]] = m[(size_t)l[1] * cap + (size_t)l[0]] =
            tco_copula_pearson(rho);
    }
    /* The correlation matrix of the normal scores, compacted to nd x nd. */
    g = gsl_matrix_alloc(nd, nd);
    if (!g) {
        st = tco_schema_oom(c);
        goto done;
    }
    for (size_t i = 0; i < nd; i++)
        for (size_t j = 0; j < nd; j++)
            gsl_matrix_set(g, i, j, i == j ? 1 : m[i * cap + j]);
    int bad = gsl_linalg_cholesky_decomp1(g) != GSL_SUCCESS;
    for (size_t i = 0; !bad && i < nd; i++)
        bad = !(gsl_matrix_get(g, i, i) > MIN_PIVOT);
    if (bad) {
        /* Find the smallest leading block that is not positive definite,
         * so the message names the inputs involved: one factorisation by
         * rows stops at its first non-positive pivot. */
        for (size_t i = 0; i < nd; i++)
            for (size_t j = 0; j < nd; j++)
                m[i * nd + j] = i == j ? 1 : m[i * cap + j];
        size_t k = tco_copula_cholesky(m, nd, MIN_PIVOT);
        if (k == nd)
            k = nd - 1; /* GSL and the plain loop disagree at the margin */
        char list[1024] = "";
        for (size_t i = 0; i <= k && strlen(list) + strlen(sc->inputs[dims[i]].path) + 3 < sizeof list; i++) {
            strcat(list, i ? ", " : "");
            strcat(list, sc->inputs[dims[i]].path);
        }
        st = tco_schema_at(c, cs, "correlations",
                           "the rank correlations among %s are not consistent (the correlation "
                           "matrix is not positive definite); weaken some of them",
                           list);
        goto done;
    }
    if (!(sc->corr_chol = malloc(nd * nd * sizeof *sc->corr_chol))) {
        st = tco_schema_oom(c);
        goto done;
    }
    for (size_t i = 0; i < nd; i++)
        for (size_t j = 0; j < nd; j++)
            sc->corr_chol[i * nd + j] = j <= i ? gsl_matrix_get(g, i, j) : 0;
    sc->ncorr = nd;
    sc->corr_dims = dims;
    dims = NULL;
done:
    gsl_matrix_free(g);
    free(pe);
    free(dims);
    free(local);
    free(seen);
    free(m);
    return st;
}
