/* Helpers shared by the Check suites. */
#ifndef TCO_TESTUTIL_H
#define TCO_TESTUTIL_H

#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/scenario.h"
#include "../sim/yamldoc.h"

/* Parses YAML text into a scenario named "test.yaml"; returns the status and
 * fills err. */
static inline tco_status load_text(const char *text, tco_scenario **sc, tco_error *err)
{
    tco_ydoc *doc;
    tco_status st = tco_ydoc_parse(&doc, "test.yaml", text, strlen(text), err);
    if (st != TCO_OK) {
        *sc = NULL;
        return st;
    }
    st = tco_scenario_from_doc(sc, tco_ydoc_root(doc), "test.yaml", err);
    tco_ydoc_free(doc);
    return st;
}

/* |a - b| within rel * max(|b|, 1). */
#define ck_close(a, b, rel)                                                                     \
    do {                                                                                        \
        double a_ = (a), b_ = (b);                                                              \
        ck_assert_msg(fabs(a_ - b_) <= (rel) * fmax(fabs(b_), 1.0), "%s = %.12g, expected %.12g", \
                      #a, a_, b_);                                                              \
    } while (0)

/* Runs one suite and returns the number of failures. */
static inline int run_suite(Suite *s)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

#endif
