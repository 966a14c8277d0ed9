/* make bench-ab: two builds of the engine compared in one process, in turn.
 *
 * On a shared machine the speed of a run can change by a third from one
 * second to the next (another program on the core, the kernel clearing
 * pages), so two builds timed minutes apart, or even best-of-N each, can
 * show a difference that is the machine's.  Here both builds are loaded
 * into one process (each a shared library, bench/ab.sh), and runs of
 * each alternate, A B then B A, so that each pair of runs sees the same
 * spell of the machine; the figure is the median over the pairs of B's
 * time over A's, with an interval of at least 95% for that median (order
 * statistics chosen by the binomial(n, 1/2) count of pairs below it;
 * distribution-free; median_ranks).  A run is tco_run_execute and
 * tco_results_compute of the scenario's futures on one thread, timed in
 * the thread's CPU time (which counts the kernel's work for it, such as
 * the first touch of the run's memory).
 *
 * Usage: ab LIB_A LIB_B SCENARIO FUTURES PAIRS
 *        ab --ranks PAIRS (the interval's order statistics and coverage) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlbuild.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The order statistics (0-based) bounding an interval for the median of
 * n values, at least 95% where n allows: [x_lo, x_hi] misses the median
 * when fewer than lo + 1 values fall below it or fewer than lo + 1 above,
 * each of probability P(X <= lo), X ~ binomial(n, 1/2), whatever the
 * values' distribution.  lo is the largest with P(X <= lo) <= 0.025 (0
 * when even P(X = 0) = 2^-n is larger: n < 6), hi = n - 1 - lo; returns
 * the interval's coverage, 1 - 2 P(X <= lo). */
static double median_ranks(size_t n, size_t *lo, size_t *hi)
{
    double cdf = 0, at_lo = pow(0.5, (double)n);
    *lo = 0;
    for (size_t l = 0; l < n / 2; l++) {
        cdf += exp(lgamma(n + 1.0) - lgamma(l + 1.0) - lgamma((double)(n - l) + 1) -
                   (double)n * log(2.0));
        if (cdf > 0.025)
            break;
        *lo = l;
        at_lo = cdf;
    }
    *hi = n - 1 - *lo;
    return 1 - 2 * at_lo;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--ranks") == 0) {
        /* The interval's order statistics for N pairs (tests/bench/ab.sh). */
        size_t lo, hi, n = (size_t)atol(argv[2]);
        if (n < 1)
            return 2;
        double cover = median_ranks(n, &lo, &hi);
        printf("%zu %zu %.6f\n", lo, hi, cover);
        return 0;
    }
    if (argc != 6) {
        fprintf(stderr, "usage: ab LIB_A LIB_B SCENARIO FUTURES PAIRS\n");
        return 2;
    }
    long n = atol(argv[4]), pairs = atol(argv[5]);
    if (n < 1 || pairs < 3) {
        fprintf(stderr, "ab: FUTURES must be at least 1 and PAIRS at least 3\n");
        return 2;
    }
    tco_dlbuild b[2];
    tco_dlbuild_open(&b[0], argv[1], argv[3]);
    tco_dlbuild_open(&b[1], argv[2], argv[3]);
    /* One run of each first, not counted: the libraries' pages and the
     * allocator warm. */
    tco_dlbuild_run(&b[0], n);
    tco_dlbuild_run(&b[1], n);
    double *ta = malloc((size_t)pairs * sizeof *ta), *tb = malloc((size_t)pairs * sizeof *tb);
    double *ratio = malloc((size_t)pairs * sizeof *ratio);
    if (!ta || !tb || !ratio) {
        fprintf(stderr, "ab: out of memory\n");
        return 2;
    }
    for (long i = 0; i < pairs; i++) {
        if (i % 2 == 0) {
            ta[i] = tco_dlbuild_run(&b[0], n);
            tb[i] = tco_dlbuild_run(&b[1], n);
        } else {
            tb[i] = tco_dlbuild_run(&b[1], n);
            ta[i] = tco_dlbuild_run(&b[0], n);
        }
        ratio[i] = tb[i] / ta[i];
    }
    size_t m = (size_t)pairs, lo, hi;
    qsort(ta, m, sizeof *ta, cmp_double);
    qsort(tb, m, sizeof *tb, cmp_double);
    qsort(ratio, m, sizeof *ratio, cmp_double);
    double cover = median_ranks(m, &lo, &hi);
    double med = m % 2 ? ratio[m / 2] : (ratio[m / 2 - 1] + ratio[m / 2]) / 2;
    printf("%s: %ld futures a run, %ld pairs, one thread, CPU time\n", argv[3], n, pairs);
    printf("  A %-40s least %8.3f us, median %8.3f us a future\n", argv[1], ta[0] / n * 1e6,
           ta[m / 2] / n * 1e6);
    printf("  B %-40s least %8.3f us, median %8.3f us a future\n", argv[2], tb[0] / n * 1e6,
           tb[m / 2] / n * 1e6);
    printf("  B over A, median of the pairs: %.4f (%.0f%% interval %.4f to %.4f)\n", med,
           100 * floor(cover * 1000) / 1000, ratio[lo], ratio[hi]);
    if (ratio[hi] < 1)
        printf("  B is faster: by %.1f%% (%.1f%% to %.1f%%)\n", (1 - med) * 100,
               (1 - ratio[hi]) * 100, (1 - ratio[lo]) * 100);
    else if (ratio[lo] > 1)
        printf("  B is slower: by %.1f%% (%.1f%% to %.1f%%)\n", (med - 1) * 100,
               (ratio[lo] - 1) * 100, (ratio[hi] - 1) * 100);
    else
        printf("  no difference resolved (the interval holds 1)\n");
    free(ta);
    free(tb);
    free(ratio);
    tco_dlbuild_close(&b[0]);
    tco_dlbuild_close(&b[1]);
    return 0;
}
