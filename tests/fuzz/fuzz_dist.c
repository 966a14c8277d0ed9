/* libFuzzer target: the distribution parser and its inverse CDF
 * (sim/dist.h).  The first byte picks the domain, the rest is the YAML of
 * one quantity ("2.5" or "{dist: pert, min: 1, mode: 2, max: 4}").  A
 * distribution that parses must give, for every u in (0, 1), a quantile
 * that is a number (never NaN), inside the support it reports, and never
 * decreasing in u; its description must fit the buffer it is given.
 *
 * The corpus keeps the inputs that found issue 7's fuzzing item 6 (NaN
 * quantiles of Beta(600, 2) and Gamma(0.1), a decreasing Beta(300, 2.4e111)
 * table, PERT with min -1e308). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/dist.h"
#include "../../sim/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void fail(const char *what, const tco_dist *d, double u, double x)
{
    char buf[256];
    tco_dist_format(d, buf, sizeof buf);
    fprintf(stderr, "fuzz_dist: %s: %s at u = %.17g gives %.17g\n", what, buf, u, x);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const tco_domain *const doms[8] = {
        &TCO_DOM_ANY,  &TCO_DOM_NONNEG,          &TCO_DOM_POS,
        &TCO_DOM_GT_M1, &TCO_DOM_UNIT,           &TCO_DOM_UNIT_RIGHT_OPEN,
        &TCO_DOM_UNIT_LEFT_OPEN, &TCO_DOM_GE1};
    if (size < 1)
        return 0;
    const tco_domain *dom = doms[data[0] & 7];
    tco_ydoc *doc;
    tco_error err;
    if (tco_ydoc_parse(&doc, "fuzz.yaml", (const char *)data + 1, size - 1, &err) != TCO_OK)
        return 0;
    tco_dist d;
    tco_status st = tco_dist_parse(&d, tco_ydoc_root(doc), "fuzz.x", dom, &err);
    tco_ydoc_free(doc);
    if (st != TCO_OK) {
        if (err.msg[0] == '\0')
            abort();
        tco_dist_clear(&d);
        return 0;
    }
    double lo, hi;
    tco_dist_support(&d, &lo, &hi);
    if (isnan(lo) || isnan(hi) || lo > hi)
        fail("support", &d, 0, lo);
    double prev = -HUGE_VAL;
    static const double tails[] = {1e-300, 1e-12, 0x1.0p-54, 1 - 0x1.0p-53};
    for (int i = -4; i <= 64; i++) {
        double u = i < 0 ? tails[i + 4] : (i + 0.5) / 65.0;
        if (i == -1)
            u = tails[3];
        double x = tco_dist_quantile(&d, u);
        if (isnan(x))
            fail("NaN quantile", &d, u, x);
        if (x < lo - 1e-9 * fmax(1, fabs(lo)) || x > hi + 1e-9 * fmax(1, fabs(hi)))
            fail("quantile outside the support", &d, u, x);
        if (i >= 0) {
            if (x < prev)
                fail("quantile decreasing", &d, u, x);
            prev = x;
        }
    }
    (void)tco_dist_mean(&d);
    (void)tco_dist_sd(&d);
    (void)tco_dist_uncertain(&d);
    char small[24], buf[512];
    tco_dist_format(&d, small, sizeof small);
    tco_dist_format(&d, buf, sizeof buf);
    if (strlen(small) >= sizeof small || strlen(buf) >= sizeof buf)
        abort();
    tco_dist_clear(&d);
    tco_dist_clear(&d); /* clearing twice is allowed */
    return 0;
}
