#include "rng.h"


/* Doornik (2005), "An Improved Ziggurat Method to Generate Normal Random
 * Samples": R is the start of the tail, V the area of each layer. */
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

void tco_zig_init(tco_zig *z)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    z->x[0] = ZIG_V / f;
    z->x[1] = ZIG_R;
    z->x[TCO_ZIG_C] = 0;
    for (int i = 2; i < TCO_ZIG_C; i++) {
        z->x[i] = sqrt(-2 * log(ZIG_V / z->x[i - 1] + f));
        f = exp(-0.5 * z->x[i] * z->x[i]);
    }
    for (int i = 0; i < TCO_ZIG_C; i++)
        z->r[i] = z->x[i + 1] / z->x[i];
}

/* Marsaglia (1964) tail method. */
double tco_rng_normal_tail(tco_rng *r, double min, int negative)
{
    double x, y;
    do {
        x = log(tco_rng_uniform(r)) / min;
        y = log(tco_rng_uniform(r));
    } while (-2 * y < x * x);
    return negative ? x - min : min - x;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void tco_rng_seed(tco_rng *r, const tco_zig *zig, uint64_t seed, uint64_t stream)
{
    /* Hash the pair so that neighbouring seeds and streams start far apart;
     * splitmix64 is a bijection of its state, so distinct pairs give
     * distinct hashes for a fixed seed. */
    uint64_t h = seed;
    uint64_t a = splitmix64(&h);
    uint64_t state = a ^ (stream * 0xD1B54A32D192ED03ULL);
    uint64_t b = splitmix64(&state);
    state = b;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&state);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
    r->zig = zig;
}

static void gsl_set(void *state, unsigned long seed)
{
    tco_rng *r = state;
    tco_rng_seed(r, r->zig, seed, 0);
}

static unsigned long gsl_get(void *state) { return (unsigned long)(tco_rng_next(state) >> 32); }

static double gsl_get_double(void *state)
{
    return (double)(tco_rng_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type tco_gsl_type = {"tco-xoshiro256**", 0xffffffffUL, 0, sizeof(tco_rng),
                                          gsl_set, gsl_get, gsl_get_double};
const gsl_rng_type *tco_rng_gsl_type = &tco_gsl_type;

/* Hormann (1993), "The transformed rejection method for generating Poisson
 * random variables", Insurance: Mathematics and Economics 12, algorithm
 * PTRS: a transformed-rejection hat over the whole range; the quick
 * acceptance (us >= 0.07, v <= v_r) takes most draws, so the expected number
 * of iterations is bounded (about 1.15) for every mu >= 10. */
double tco_rng_poisson_large(tco_rng *r, double mu)
{
    double slam = sqrt(mu), loglam = log(mu);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = tco_rng_uniform(r) - 0.5;
        double v = tco_rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= vr)
            return k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -mu + k * loglam - lgamma(k + 1))
            return k;
    }
}
