/* The decision a run's statistics support, in one place: the strategy the
 * scenario's criterion recommends (MODEL.md 19), the runner-up it is
 * compared with, the strategies best by mean, by P95 and most often
 * cheapest, and the sentences that say so.  tco_results_compute fills it
 * once; the terminal table, decision.txt and results.json all read it and
 * print it with tco_decision_write, so they never disagree.
 *
 * Ties.  P(cheapest) splits a future where strategies cost exactly the
 * same between them, which hides that two strategies are the same in most
 * futures.  Two strategies are "near-identical" when their NPVs are equal
 * in at least TCO_NEAR_IDENTICAL of the futures, or when the mean absolute
 * difference of their NPVs is at most TCO_NEAR_REL of the larger absolute
 * mean NPV of the two: the choice between them then hardly matters, and
 * the text warns. */
#ifndef TCO_DECISION_H
#define TCO_DECISION_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "scenario.h"

#define TCO_NEAR_IDENTICAL 0.5
#define TCO_NEAR_REL 1e-3
/* Pairs identical in at least this fraction of futures are mentioned. */
#define TCO_TIE_MENTION 0.01

struct tco_results;

typedef struct {
    tco_criterion criterion;
    int recommended; /* the lowest finite criterion value (first on ties); -1: none */
    int runner_up;   /* the next lowest finite criterion value; -1: none */
    int best_mean;   /* the lowest finite mean NPV; -1: none */
    int best_p95;    /* the lowest finite P95 NPV; -1: none */
    int most_often;  /* the highest P(cheapest) (first on ties); -1: none */
    /* The recommended strategy against the runner-up (NAN without one):
     * the runner-up's criterion value minus the recommended's (>= 0); the
     * paired mean of (runner-up NPV - recommended NPV) with its 95%
     * interval (mean -+ 1.96 SE); the fractions of futures where the
     * recommended is strictly cheaper, strictly dearer, and equal. */
    double margin, diff_mean, diff_low, diff_high;
    double p_beats, p_loses, p_identical;
} tco_decision;

/* Fills d from r's per-strategy statistics and pairwise matrices (which
 * may be NULL: the comparisons are then NAN). */
void tco_decision_compute(tco_decision *d, const struct tco_results *r);

/* Whether strategies a and b are near-identical (see above); 0 without
 * the pairwise matrices. */
int tco_decision_near_identical(const struct tco_results *r, size_t a, size_t b);

/* Writes the decision in sentences, one sentence a line, each line cut at
 * word boundaries to at most width bytes (0: no limit).  Names and the
 * currency are written without control characters.  TCO_EIO when f fails. */
tco_status tco_decision_write(FILE *f, const struct tco_results *r, const tco_scenario *sc,
                              size_t width);

/* A probability as a percentage with the given decimals, never rounded to
 * a certainty it is not: "<1%" when 0 < p but it would print as 0, ">99%"
 * when p < 1 but it would print as 100 ("<0.1%", ">99.9%" with one
 * decimal); "n/a" when p is not finite. */
void tco_format_percent(double p, int decimals, char *buf, size_t size);

#endif
