/* Per-future random streams (sim/rng.h): known-answer vectors of the
 * xoshiro256** generator and of the splitmix64 seeding, the conversion to
 * uniforms, and the independence of the streams of neighbouring futures.
 *
 * The expected numbers are hard-coded: they come from the reference
 * algorithms (Blackman and Vigna, xoshiro256starstar.c and splitmix64.c,
 * prng.di.unimi.it), evaluated independently of the code under test.  The
 * splitmix64 reference is also written out below to check the seeding of
 * many (seed, stream) pairs against the scheme documented in rng.c. */
#include "testutil.h"

#include <stdint.h>

#include "../sim/rng.h"

/* Reference splitmix64 (Vigna 2015), written from the published code. */
static uint64_t ref_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* The seeding documented in rng.c: h = splitmix(seed), then the stream
 * number mixed in by a multiply-xor and one more splitmix step, then four
 * splitmix outputs fill the state. */
static void ref_seed(uint64_t seed, uint64_t stream, uint64_t s[4])
{
    uint64_t h = seed;
    uint64_t state = ref_splitmix64(&h) ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    state = ref_splitmix64(&state);
    for (int i = 0; i < 4; i++)
        s[i] = ref_splitmix64(&state);
}

/* The inverse of an odd a modulo 2^64 (Newton: each step doubles the
 * correct low bits). */
static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

/* s1 such that xoshiro256** outputs y from a state with that s[1]. */
static uint64_t state_for_output(uint64_t y)
{
    uint64_t v = y * inverse_odd(9);
    v = (v >> 7) | (v << 57);
    return v * inverse_odd(5);
}

static tco_zig zig;

static void setup(void) { tco_zig_init(&zig); }

/* xoshiro256** from the state {1, 2, 3, 4}: its first eight outputs. */
START_TEST(test_xoshiro_vector)
{
    static const uint64_t want[8] = {
        UINT64_C(11520),
        UINT64_C(0),
        UINT64_C(1509978240),
        UINT64_C(1215971899390074240),
        UINT64_C(0x10e0b61ce1009d80),
        UINT64_C(0x0870021ce143ad00),
        UINT64_C(0xe071c3c2e143f089),
        UINT64_C(0x75a1690ef7a20380),
    };
    tco_rng r = {{1, 2, 3, 4}, &zig};
    for (int i = 0; i < 8; i++) {
        uint64_t got = tco_rng_next(&r);
        ck_assert_msg(got == want[i], "output %d: %016llx, expected %016llx", i,
                      (unsigned long long)got, (unsigned long long)want[i]);
    }
}
END_TEST

/* splitmix64 from state 0 gives the published e220a8397b1dcdaf,
 * 6e789e6aa1b965f4, ...: a check of the reference written above. */
START_TEST(test_splitmix_reference)
{
    uint64_t x = 0;
    ck_assert(ref_splitmix64(&x) == UINT64_C(0xe220a8397b1dcdaf));
    ck_assert(ref_splitmix64(&x) == UINT64_C(0x6e789e6aa1b965f4));
    ck_assert(ref_splitmix64(&x) == UINT64_C(0x06c45d188009454f));
    ck_assert(ref_splitmix64(&x) == UINT64_C(0xf88bb8a8724c81ec));
}
END_TEST

/* The state of the streams (1, 0), (1, 1), (42, 7) and (2^64-1, 2^63), and
 * the first output of each. */
START_TEST(test_seed_vectors)
{
    static const struct {
        uint64_t seed, stream, s[4], first;
    } v[] = {
        {1, 0,
         {UINT64_C(0xb18a02f46d8d86c3), UINT64_C(0xf8c5b62c83f707e8),
          UINT64_C(0x6d339d1740130edd), UINT64_C(0xce639a27887a2771)},
         UINT64_C(0x6082e9993631e7d5)},
        {1, 1,
         {UINT64_C(0x79c7552209f8b346), UINT64_C(0x852569e48e3bd0a4),
          UINT64_C(0xe22450fadc193291), UINT64_C(0xbd3d4dc0649040d6)},
         UINT64_C(0xc9ce968041d66cac)},
        {42, 7,
         {UINT64_C(0xfc6c1171e6bceae6), UINT64_C(0xc9a0b1dc4d0aa217),
          UINT64_C(0xbbbb9cd4d13a8717), UINT64_C(0x61f68ca77126b774)},
         UINT64_C(0x9fa1dcc56f3f09b8)},
        {UINT64_MAX, UINT64_C(1) << 63,
         {UINT64_C(0xe447897adec0a36e), UINT64_C(0x9697df5f5323a50e),
          UINT64_C(0x7eee6df3cda1ed9d), UINT64_C(0x1acc1b2f758d7899)},
         UINT64_C(0x5921e0cea201bf38)},
    };
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        tco_rng r;
        tco_rng_seed(&r, &zig, v[k].seed, v[k].stream);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(r.s[i] == v[k].s[i], "vector %zu word %d", k, i);
        ck_assert(r.zig == &zig);
        ck_assert(tco_rng_next(&r) == v[k].first);
    }
}
END_TEST

/* Many pairs, against the reference seeding. */
START_TEST(test_seed_matches_reference)
{
    uint64_t x = 2385;
    for (int k = 0; k < 2000; k++) {
        uint64_t seed = ref_splitmix64(&x) >> (k % 64), stream = ref_splitmix64(&x) >> (k % 61);
        uint64_t want[4];
        ref_seed(seed, stream, want);
        tco_rng r;
        tco_rng_seed(&r, &zig, seed, stream);
        ck_assert_msg(memcmp(r.s, want, sizeof want) == 0, "seed %llu stream %llu",
                      (unsigned long long)seed, (unsigned long long)stream);
    }
}
END_TEST

/* Uniforms: ((x >> 11) + 1/2) 2^-53, so never 0 or 1 even when the
 * generator outputs 0 (the second output from {1, 2, 3, 4}). */
START_TEST(test_uniform_conversion)
{
    tco_rng r = {{1, 2, 3, 4}, &zig};
    double u1 = tco_rng_uniform(&r), u2 = tco_rng_uniform(&r), u3 = tco_rng_uniform(&r);
    ck_assert_double_eq(u1, (5.0 + 0.5) / 9007199254740992.0); /* 11520 >> 11 = 5 */
    ck_assert_double_eq(u2, 0.5 / 9007199254740992.0);
    ck_assert_double_eq(u3, (737294.0 + 0.5) / 9007199254740992.0); /* 1509978240 >> 11 */
    ck_assert(u2 > 0);
    /* The largest outputs map below 1: a state whose next output is
     * 2^64 - 1, found by inverting the output function rotl(5 s1, 7) 9. */
    tco_rng m = {{0, state_for_output(UINT64_MAX), 0, 0}, &zig};
    tco_rng m2 = m;
    ck_assert(tco_rng_next(&m2) == UINT64_MAX);
    double top = tco_rng_uniform(&m);
    ck_assert_msg(top < 1.0, "uniform of the largest output is %.17g", top);
    ck_assert(top > 0.9999999999999998);
    /* Through GSL: the high 32 bits, and 53 bits in [0, 1). */
    tco_rng q = {{1, 2, 3, 4}, &zig};
    gsl_rng g = tco_rng_gsl(&q);
    ck_assert_uint_eq(gsl_rng_get(&g), 0);          /* 11520 >> 32 */
    ck_assert_double_eq(gsl_rng_uniform(&g), 0.0);  /* the zero output */
    ck_assert_uint_eq(gsl_rng_get(&g), 0);          /* 1509978240 >> 32 */
    ck_assert_uint_eq(gsl_rng_get(&g), 1215971899390074240ULL >> 32);
    ck_assert_uint_eq(gsl_rng_max(&g), 0xffffffffUL);
}
END_TEST

/* The first uniform of 20000 futures' streams: mean 1/2 and variance 1/12
 * within 4 standard errors, neighbouring streams uncorrelated (|r| below 4
 * SE, SE = n^-1/2), and no two first outputs equal. */
START_TEST(test_stream_independence)
{
    enum { N = 20000 };
    static double first[N], second[N];
    static uint64_t raw[N];
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        tco_rng r;
        tco_rng_seed(&r, &zig, 7, (uint64_t)i);
        raw[i] = r.s[0];
        first[i] = tco_rng_uniform(&r);
        second[i] = tco_rng_uniform(&r);
        sum += first[i];
        sum2 += (first[i] - 0.5) * (first[i] - 0.5);
    }
    double mean = sum / N, var = sum2 / N;
    ck_assert_msg(fabs(mean - 0.5) < 4 * sqrt(1.0 / 12 / N), "mean %g", mean);
    /* Var of (U - 1/2)^2 is 1/80 - 1/144. */
    ck_assert_msg(fabs(var - 1.0 / 12) < 4 * sqrt((1.0 / 80 - 1.0 / 144) / N), "var %g", var);
    /* Lag-1 correlation across streams, and within a stream. */
    double across = 0, within = 0;
    for (int i = 0; i + 1 < N; i++)
        across += (first[i] - 0.5) * (first[i + 1] - 0.5);
    for (int i = 0; i < N; i++)
        within += (first[i] - 0.5) * (second[i] - 0.5);
    across = across / (N - 1) * 12;
    within = within / N * 12;
    ck_assert_msg(fabs(across) < 4 / sqrt(N), "streams i and i+1 correlate: %g", across);
    ck_assert_msg(fabs(within) < 4 / sqrt(N), "draws 1 and 2 correlate: %g", within);
    /* Distinct states: sort the first words and compare neighbours. */
    for (int i = 1; i < N; i++) {
        uint64_t key = raw[i];
        int j = i - 1;
        while (j >= 0 && raw[j] > key) {
            raw[j + 1] = raw[j];
            j--;
        }
        raw[j + 1] = key;
    }
    for (int i = 1; i < N; i++)
        ck_assert(raw[i] != raw[i - 1]);
    /* A future's stream depends on (seed, i) alone: seeding again, in any
     * order, gives the same draws; another seed gives others. */
    tco_rng a, b;
    tco_rng_seed(&a, &zig, 7, 123);
    ck_assert_double_eq(tco_rng_uniform(&a), first[123]);
    tco_rng_seed(&b, &zig, 8, 123);
    ck_assert(tco_rng_uniform(&b) != first[123]);
}
END_TEST

/* Standard normals: mean 0, variance 1, and the tail beyond the ziggurat's
 * base (|z| > 3.4426) at its probability 5.76e-4, each within 4 SE. */
START_TEST(test_normal_moments)
{
    enum { N = 400000 };
    tco_rng r;
    tco_rng_seed(&r, &zig, 2385, 3);
    double sum = 0, sum2 = 0, sum4 = 0;
    long tail = 0;
    for (int i = 0; i < N; i++) {
        double z = tco_rng_normal(&r);
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
        tail += fabs(z) > 3.442619855899;
    }
    double p = 2 * 0.5 * erfc(3.442619855899 / sqrt(2.0));
    ck_assert_msg(fabs(sum / N) < 4 / sqrt(N), "mean %g", sum / N);
    ck_assert_msg(fabs(sum2 / N - 1) < 4 * sqrt(2.0 / N), "variance %g", sum2 / N);
    ck_assert_msg(fabs(sum4 / N - 3) < 4 * sqrt(96.0 / N), "fourth moment %g", sum4 / N);
    ck_assert_msg(fabs(tail - p * N) < 4 * sqrt(p * N), "tail count %ld, expected %g", tail, p * N);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_xoshiro_vector);
    tcase_add_test(tc, test_splitmix_reference);
    tcase_add_test(tc, test_seed_vectors);
    tcase_add_test(tc, test_seed_matches_reference);
    tcase_add_test(tc, test_uniform_conversion);
    tcase_add_test(tc, test_stream_independence);
    tcase_add_test(tc, test_normal_moments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
