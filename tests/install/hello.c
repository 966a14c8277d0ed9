/* A program that uses the installed library the way a user would: it only
 * includes <tcosim/tcosim.h> and never touches GSL's error handler itself. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <tcosim/tcosim.h>

static const char *TEXT =
    "scenario: { name: hello, horizon_months: 12 }\n"
    "workloads: { w: { input_tokens: 0, output_tokens: 1000 } }\n"
    "demand: { requests_per_month: 10 }\n"
    "backends:\n"
    "  a: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 10000 }\n"
    "  b: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 20000 }\n"
    "strategies: { one: { route: { w: a } }, two: { route: { w: b } } }\n";

int main(void)
{
    tco_error err;
    tco_ydoc *doc;
    tco_scenario *sc;
    if (tco_ydoc_parse(&doc, "hello.yaml", TEXT, strlen(TEXT), &err) != TCO_OK ||
        tco_scenario_from_doc(&sc, tco_ydoc_root(doc), "hello.yaml", &err) != TCO_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    tco_ydoc_free(doc);
    /* The library turned GSL's aborting handler off: a GSL failure now comes
     * back as a status (without that, this call would abort the program). */
    double bad[4] = {1, 2, 2, 1};
    gsl_matrix_view mv = gsl_matrix_view_array(bad, 2, 2);
    if (gsl_linalg_cholesky_decomp1(&mv.matrix) != GSL_EDOM) {
        fprintf(stderr, "GSL did not report a non-positive-definite matrix\n");
        return 1;
    }
    tco_run_options ro = {0};
    ro.futures = 8;
    ro.threads = 1;
    tco_run *run;
    tco_results *res;
    if (tco_run_execute(&run, sc, &ro, &err) != TCO_OK ||
        tco_results_compute(&res, run, &err) != TCO_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    /* 10 requests x 1000 tokens x 10000 per million = 100 a month, 12 months. */
    printf("ok %zu strategies, mean NPV %.0f\n", res->S, res->st[0].npv.mean);
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    return 0;
}
