/* exp over arrays (vmath.h).
 *
 * The method of Tang (1989), as glibc's exp also uses it: x = (64 m + j)
 * ln(2) / 64 + r, with k = 64 m + j the integer nearest 64 x / ln 2, so
 * |r| <= ln(2) / 128; then exp(x) = 2^m 2^(j/64) exp(r).  2^(j/64) comes
 * from a table as the sum of two doubles (hi + lo, to 2^-100 of it);
 * exp(r) - 1 from its Taylor series to the term r^6 / 6! (the first term
 * left out, r^7 / 7!, is below 2.8e-20); 2^m from its bits.
 *
 * ln(2) / 64 is split as fdlibm splits ln 2: its high part has 32 bits,
 * so x - k ln2_hi / 64 is exact for every |k| < 2^20, and r is exact but
 * for the rounding of its low part (a few units of 2^-60 of the result).
 * The result is hi + (lo + hi p), p = r + r^2 (1/2 + r (1/6 + ...)), so
 * that only the last addition rounds at the scale of the result: the
 * error is about half a place (0.52 measured, tests/check_vmath.c).
 *
 * k is rounded to nearest by adding and subtracting 1.5 * 2^52 (the sum's
 * last place is 1), and its bits are those of the sum less those of the
 * constant.  For |x| <= 700, |k| <= 64640, |m| <= 1010 and 2^m and the
 * result are normal numbers; beyond, and for NaN, libm's exp decides. */
#include "vmath.h"

#include <math.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#if defined(__GNUC__) || defined(__clang__)
#include <immintrin.h>
#define VEXP_AVX2 1 /* a copy for AVX2's four lanes, chosen at run time */
#endif
#endif

#define VEXP_MAX 700.0
#define VEXP_SHIFT 0x1.8p52
/* m + 1023 = (k + VEXP_BIAS) >> 6, the sum positive for |k| <= 64640. */
#define VEXP_BIAS (1023 * 64)

static const double vexp_inv_ln2_64 = 0x1.71547652b82fep6;     /* 64 / ln 2 */
static const double vexp_ln2_64_hi = 0x1.62e42feep-7;          /* fdlibm's ln2_hi / 64 */
static const double vexp_ln2_64_lo = 0x1.a39ef35793c76p-39;    /* fdlibm's ln2_lo / 64 */

/* 1 / j! for j = 2 .. 6, highest first. */
static const double vexp_c[5] = {1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 1.0 / 2.0};

/* 2^(j/64) = hi + lo for j = 0 .. 63 (computed to 60 digits, then rounded
 * to hi and the rest to lo). */
static const double vexp_table[64][2] = {
    {0x1.0000000000000p+0, 0.0},
    {0x1.02c9a3e778061p+0, -0x1.19083535b085dp-56},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55},
    {0x1.0874518759bc8p+0, 0x1.186be4bb284ffp-57},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54},
    {0x1.0e3ec32d3d1a2p+0, 0x1.03a1727c57b53p-59},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54},
    {0x1.1429aaea92de0p+0, -0x1.32fbf9af1369ep-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.1a35beb6fcb75p+0, 0x1.e5b4c7b4968e4p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54},
    {0x1.2063b88628cd6p+0, 0x1.dc775814a8495p-55},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54},
    {0x1.26b4565e27cddp+0, 0x1.2bd339940e9d9p-55},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55},
    {0x1.2d285a6e4030bp+0, 0x1.0024754db41d5p-54},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55},
    {0x1.33c08b26416ffp+0, 0x1.32721843659a6p-54},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54},
    {0x1.3a7db34e59ff7p+0, -0x1.5e436d661f5e3p-56},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55},
    {0x1.4160a21f72e2ap+0, -0x1.ef3691c309278p-58},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59},
    {0x1.486a2b5c13cd0p+0, 0x1.3c1a3b69062f0p-56},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.4f9b2769d2ca7p+0, -0x1.4b309d25957e3p-54},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55},
    {0x1.56f4736b527dap+0, 0x1.9bb2c011d93adp-54},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54},
    {0x1.5e76f15ad2148p+0, 0x1.ba6f93080e65ep-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54},
    {0x1.6623882552225p+0, -0x1.bb60987591c34p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54},
    {0x1.6dfb23c651a2fp+0, -0x1.bbe3a683c88abp-57},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55},
    {0x1.75feb564267c9p+0, -0x1.0245957316dd3p-54},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55},
    {0x1.7e2f336cf4e62p+0, 0x1.05d02ba15797ep-56},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54},
    {0x1.868d99b4492edp+0, -0x1.fc6f89bd4f6bap-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.8f1ae99157736p+0, 0x1.5cc13a2e3976cp-55},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57},
    {0x1.97d829fde4e50p+0, -0x1.d185b7c1b85d1p-54},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56},
    {0x1.a0c667b5de565p+0, -0x1.359495d1cd533p-54},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54},
    {0x1.a9e6b5579fdbfp+0, 0x1.0fac90ef7fd31p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},
    {0x1.b33a2b84f15fbp+0, -0x1.2805e3084d708p-57},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56},
    {0x1.bcc1e904bc1d2p+0, 0x1.23dd07a2d9e84p-55},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55},
    {0x1.c67f12e57d14bp+0, 0x1.2884dff483cadp-54},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56},
    {0x1.d072d4a07897cp+0, -0x1.cbc3743797a9cp-54},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
    {0x1.da9e603db3285p+0, 0x1.c2300696db532p-54},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54},
    {0x1.e502ee78b3ff6p+0, 0x1.39e8980a9cc8fp-55},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54},
    {0x1.efa1bee615a27p+0, 0x1.dc7f486a4b6b0p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54},
    {0x1.fa7c1819e90d8p+0, 0x1.74853f3a5931ep-55},
};

/* exp(x) for |x| <= VEXP_MAX, the operations of the SSE2 lanes below. */
static double vexp_one(double x)
{
    double s = x * vexp_inv_ln2_64 + VEXP_SHIFT;
    double k = s - VEXP_SHIFT;
    uint64_t ki = tco_vmath_bits(s) - tco_vmath_bits(VEXP_SHIFT);
    double hi = x - k * vexp_ln2_64_hi, lo = k * vexp_ln2_64_lo;
    double r = hi - lo;
    double q = vexp_c[0];
    for (int j = 1; j < 5; j++)
        q = q * r + vexp_c[j];
    const double *t = vexp_table[ki & 63];
    double p = r + (r * r) * q;
    double e = t[0] + (t[1] + t[0] * p);
    return e * tco_vmath_double(((ki + VEXP_BIAS) >> 6) << 52);
}

static double vexp_checked(double x)
{
    return fabs(x) <= VEXP_MAX ? vexp_one(x) : exp(x);
}

#ifdef VEXP_AVX2
/* The SSE2 loop of tco_vmath_exp in AVX2's four lanes, the same operations
 * in each lane (no fused multiply-add: the library is built with
 * -ffp-contract=off, and these are separate multiplications and
 * additions): y[i] for i below the multiple of 4 it returns, where each
 * group of four arguments is within +-VEXP_MAX (a group with one beyond
 * is left to the caller, from that group on). */
__attribute__((target("avx2"))) static size_t vexp_avx2(double *y, const double *x, size_t n)
{
    const __m256d inv_ln2 = _mm256_set1_pd(vexp_inv_ln2_64), shift = _mm256_set1_pd(VEXP_SHIFT);
    const __m256d ln2_hi = _mm256_set1_pd(vexp_ln2_64_hi), ln2_lo = _mm256_set1_pd(vexp_ln2_64_lo);
    const __m256d limit = _mm256_set1_pd(VEXP_MAX);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    const __m256i bias =
        _mm256_sub_epi64(_mm256_set1_epi64x(VEXP_BIAS), _mm256_castpd_si256(shift));
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        if (_mm256_movemask_pd(_mm256_cmp_pd(_mm256_and_pd(v, abs_mask), limit, _CMP_LE_OQ)) != 15)
            break;
        __m256d s = _mm256_add_pd(_mm256_mul_pd(v, inv_ln2), shift);
        __m256d k = _mm256_sub_pd(s, shift);
        __m256i kb = _mm256_add_epi64(_mm256_castpd_si256(s), bias);
        __m256d hi = _mm256_sub_pd(v, _mm256_mul_pd(k, ln2_hi)), lo = _mm256_mul_pd(k, ln2_lo);
        __m256d r = _mm256_sub_pd(hi, lo);
        __m256d q = _mm256_set1_pd(vexp_c[0]);
        for (int j = 1; j < 5; j++)
            q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(vexp_c[j]));
        /* The table's rows of the four lanes: rows 0 and 2 in a and rows
         * 1 and 3 in b (128-bit halves), so that the unpacks, which work
         * within halves, give the highs and the lows in lane order. */
        uint64_t kj[4];
        _mm256_storeu_si256((__m256i *)(void *)kj, kb);
        __m256d a = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(vexp_table[kj[0] & 63])),
                                         _mm_loadu_pd(vexp_table[kj[2] & 63]), 1);
        __m256d b = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(vexp_table[kj[1] & 63])),
                                         _mm_loadu_pd(vexp_table[kj[3] & 63]), 1);
        __m256d th = _mm256_unpacklo_pd(a, b), tl = _mm256_unpackhi_pd(a, b);
        __m256d p = _mm256_add_pd(r, _mm256_mul_pd(_mm256_mul_pd(r, r), q));
        __m256d e = _mm256_add_pd(th, _mm256_add_pd(tl, _mm256_mul_pd(th, p)));
        __m256i scale = _mm256_slli_epi64(_mm256_srli_epi64(kb, 6), 52);
        _mm256_storeu_pd(y + i, _mm256_mul_pd(e, _mm256_castsi256_pd(scale)));
    }
    return i;
}
#endif

/* The widest lanes tco_vmath_exp may use (tco_vmath_limit_lanes). */
static int vexp_lanes_cap = 4;

void tco_vmath_limit_lanes(int lanes) { vexp_lanes_cap = lanes; }

int tco_vmath_lanes(void)
{
    int w = 1;
#if defined(__SSE2__) && defined(__x86_64__)
    w = 2;
#ifdef VEXP_AVX2
    if (__builtin_cpu_supports("avx2"))
        w = 4;
#endif
#endif
    return w < vexp_lanes_cap ? w : vexp_lanes_cap;
}

void tco_vmath_exp(double *y, const double *x, size_t n)
{
    size_t i = 0;
#ifdef VEXP_AVX2
    /* (A test of a bit the compiler's start-up code sets from CPUID.) */
    if (vexp_lanes_cap >= 4 && __builtin_cpu_supports("avx2"))
        i = vexp_avx2(y, x, n);
#endif
#if defined(__SSE2__) && defined(__x86_64__)
    const __m128d inv_ln2 = _mm_set1_pd(vexp_inv_ln2_64), shift = _mm_set1_pd(VEXP_SHIFT);
    const __m128d ln2_hi = _mm_set1_pd(vexp_ln2_64_hi), ln2_lo = _mm_set1_pd(vexp_ln2_64_lo);
    const __m128d limit = _mm_set1_pd(VEXP_MAX);
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(INT64_MAX));
    const __m128i bias = _mm_sub_epi64(_mm_set1_epi64x(VEXP_BIAS), _mm_castpd_si128(shift));
    for (; vexp_lanes_cap >= 2 && i + 2 <= n; i += 2) {
        __m128d v = _mm_loadu_pd(x + i);
        if (_mm_movemask_pd(_mm_cmple_pd(_mm_and_pd(v, abs_mask), limit)) != 3) {
            y[i] = vexp_checked(x[i]);
            y[i + 1] = vexp_checked(x[i + 1]);
            continue;
        }
        __m128d s = _mm_add_pd(_mm_mul_pd(v, inv_ln2), shift);
        __m128d k = _mm_sub_pd(s, shift);
        /* k + VEXP_BIAS in each lane, from the bits of s. */
        __m128i kb = _mm_add_epi64(_mm_castpd_si128(s), bias);
        __m128d hi = _mm_sub_pd(v, _mm_mul_pd(k, ln2_hi)), lo = _mm_mul_pd(k, ln2_lo);
        __m128d r = _mm_sub_pd(hi, lo);
        __m128d q = _mm_set1_pd(vexp_c[0]);
        for (int j = 1; j < 5; j++)
            q = _mm_add_pd(_mm_mul_pd(q, r), _mm_set1_pd(vexp_c[j]));
        /* The table's rows of the two lanes (VEXP_BIAS is a multiple of
         * 64, so the low six bits of kb are j). */
        __m128d t0 = _mm_loadu_pd(vexp_table[(uint64_t)_mm_cvtsi128_si64(kb) & 63]);
        __m128d t1 = _mm_loadu_pd(
            vexp_table[(uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(kb, kb)) & 63]);
        __m128d th = _mm_unpacklo_pd(t0, t1), tl = _mm_unpackhi_pd(t0, t1);
        __m128d p = _mm_add_pd(r, _mm_mul_pd(_mm_mul_pd(r, r), q));
        __m128d e = _mm_add_pd(th, _mm_add_pd(tl, _mm_mul_pd(th, p)));
        __m128i scale = _mm_slli_epi64(_mm_srli_epi64(kb, 6), 52);
        _mm_storeu_pd(y + i, _mm_mul_pd(e, _mm_castsi128_pd(scale)));
    }
#endif
    for (; i < n; i++)
        y[i] = vexp_checked(x[i]);
}
