/* The board pack's pages, laid out here and drawn by plots/report.gp.
 *
 * board.tsv describes every page that is not a chart: the first page (the
 * question, the recommendation, the table of strategies, what decides the
 * answer, the key assumptions, provenance) and the appendix of every input.
 * One record a line, tab-separated:
 *   kind page x1 y1 x2 y2 style align colour text
 * kind T (text at x1, y1), B (a filled box), L (a line from x1,y1 to
 * x2,y2); page 1 is the first page, pages 2.. the appendix; coordinates
 * are fractions of an A4 landscape page from its bottom left corner;
 * style R<pt> or B<pt> (regular or bold, pt one of 6 7 8 9 10 11 12 14 16
 * 20); align l, r or c; colour 0xRRGGBB as a decimal integer.  Texts hold
 * no control characters.  Text widths are estimated here (gnuplot cannot
 * measure them): a text that would overflow its column is cut with an
 * ellipsis. */
#ifndef TCO_BOARDPACK_H
#define TCO_BOARDPACK_H

#include <stdio.h>

#include "compare.h"
#include "output.h"
#include "sensitivity.h"
#include "sweep.h"

/* A run's board pack.  The EVPPI of each uncertain input and the key
 * assumptions need r->run->inputs (tco_run_options keep_inputs); without
 * them the page says so. */
tco_status tco_boardpack_run(FILE *f, const tco_report *r);

/* A sweep's board pack: what was varied and its crossovers. */
tco_status tco_boardpack_sweep(FILE *f, const tco_scenario *sc, const tco_sweep *sw,
                               tco_sampling sampling, const tco_provenance *prov);

/* A sensitivity analysis's board pack: which input decides the output
 * (what, in words) and what learning it first is worth. */
tco_status tco_boardpack_sensitivity(FILE *f, const tco_scenario *sc, const tco_sensitivity *s,
                                     const char *what, long futures, uint64_t seed,
                                     tco_sampling sampling, const tco_provenance *prov);

/* tcosim compare's board pack: the cases side by side (mean and P90 of
 * every strategy), each case's recommendation and what it changes. */
tco_status tco_boardpack_compare(FILE *f, const tco_compare *cmp, const tco_provenance *prov);

/* An input's path in words, without its section (backends, workloads,
 * strategies, events): "llama-70b › gpu › hour price". */
void tco_path_words(const char *path, char *buf, size_t size);

/* A value of the input at path in readable units, guessed from its name:
 * money with k/M ("1.2M"), rates and shares in percent ("45%"), factors
 * with a times sign ("×1.4"), other numbers with k/M.  *unit (may be NULL)
 * is set to "money", "%", "×" or "". */
void tco_input_value_words(const char *path, double x, char *buf, size_t size,
                           const char **unit);

#endif
