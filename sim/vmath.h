/* Elementary functions over arrays, for the random paths.
 *
 * A path of n months takes n exponentials (a geometric random walk's steps,
 * MODEL.md 5 and 6); libm computes them one call at a time, and its result
 * may differ in the last bit from one machine to another (glibc chooses an
 * implementation by the processor's features).  tco_vmath_exp computes
 * them four at a time in AVX2 lanes where the processor has them, two at a
 * time in SSE2 lanes on other x86-64 processors, by the same operations in
 * plain C elsewhere, and gives the same bits everywhere (it is built with
 * -ffp-contract=off, as the whole library). */
#ifndef TCO_VMATH_H
#define TCO_VMATH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* y[i] = exp(x[i]) for i < n, within 0.55 of a unit in the last place of
 * the exact value (tests/check_vmath.c); y may be x.  Arguments
 * beyond +-700 or NaN (overflow, underflow, subnormal results) are left
 * to libm's exp, whose results are then the same as a call of it. */
void tco_vmath_exp(double *y, const double *x, size_t n);

/* The lanes tco_vmath_exp computes at once here: 4 where the processor has
 * AVX2 (chosen when the program runs), else 2 on x86-64, else 1; at most
 * the limit set by tco_vmath_limit_lanes (4 unless set; for tests, which
 * compare the widths: each gives the same bits). */
int tco_vmath_lanes(void);
void tco_vmath_limit_lanes(int lanes);

/* A double's bits as an unsigned integer, and back. */
static inline uint64_t tco_vmath_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static inline double tco_vmath_double(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

#endif
