/* make bench-batch: the engine's costing of four futures at once in AVX2
 * lanes (models/lanes.h) against tco_future_cost one future at a time, on
 * one strategy that the lanes can cost, per future costed, and the bits of
 * both.
 *
 * It draws NF futures that the lanes can cost for the strategy (futures
 * with an exclusion, a fixed api cost or a failed setup are left out, as
 * the engine costs those alone), costs them both ways and compares every
 * future's NPV, nominal sum, categories, GPUs, tokens, requests unserved,
 * monthly totals and the price indices it read (tco_future_track_reads),
 * bit for bit, on CHECK_SETS sets of NF futures; it exits 1 if any differs.
 * Then it times both ways over the last set (a few hundred kilobytes, in
 * the caches), in the thread's CPU time: the lanes with their gathers (the
 * futures' rows transposed into lanes, tco_lanes_group and within
 * tco_lanes_cost).
 *
 * Usage: batch SCENARIO [STRATEGY [REPS]]   (STRATEGY: the first that the
 * lanes can cost when not given; REPS: passes over the futures, 2000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../models/lanes.h"
#include "../models/model_impl.h"
#include "../sim/rng.h"
#include "../sim/sample.h"
#include "../sim/scenario.h"

#define NF (TCO_LANES * 16)
#define CHECK_SETS 100

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* NF futures of the scenario's seed that the lanes can cost for strategy
 * s, from stream *id on, inputs from independent uniforms of each future's
 * stream (as make bench's costing by strategy); returns the futures left
 * out, or -1 when a thousand times NF were left out. */
static long draw(tco_future **f, const tco_model *m, const tco_lanes *L, size_t s, double *x,
                 double *u, const tco_zig *zig, uint64_t *id)
{
    const tco_scenario *sc = m->sc;
    long skipped = 0;
    for (int i = 0; i < NF; i++) {
        for (;;) {
            tco_rng rng;
            tco_rng_seed(&rng, zig, sc->seed, (*id)++);
            for (size_t j = 0; j < sc->ndims; j++)
                u[j] = tco_rng_uniform(&rng);
            tco_sample_uncertain(sc, u, x + (size_t)i * sc->ninputs, NULL);
            tco_future_draw(f[i], m, x + (size_t)i * sc->ninputs, &rng, NULL);
            if (tco_lanes_plain(L, f[i], s))
                break;
            if (++skipped > 1000L * NF)
                return -1;
        }
    }
    return skipped;
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Checks and times strategy s of the scenario at path (see the top of
 * this file); 0 when every future checked has the same bits, else 1. */
static int measure(const char *path, const tco_model *m, tco_lanes *L, size_t s, long reps)
{
    const tco_scenario *sc = m->sc;
    int rc = 1;
    const size_t T = (size_t)m->T, B = m->B, D = sc->ndims, NI = sc->ninputs;
    tco_future *f[NF] = {NULL};
    double *x = malloc((NI * NF + 1) * sizeof *x), *u = malloc((D + 1) * sizeof *u);
    double *ref = malloc(T * NF * sizeof *ref), *mon = malloc(T * NF * sizeof *mon);
    int *read = malloc((B * NF + 1) * sizeof *read);
    if (!x || !u || !ref || !mon || !read) {
        fprintf(stderr, "batch: out of memory\n");
        goto out;
    }
    tco_zig zig;
    tco_zig_init(&zig);
    /* The fixed inputs once, in each future's inputs. */
    for (size_t j = 0; j < D; j++)
        u[j] = 0.5;
    for (int i = 0; i < NF; i++)
        tco_sample_inputs(sc, u, x + (size_t)i * NI, NULL);
    for (int i = 0; i < NF; i++)
        if (!(f[i] = tco_future_alloc(m)) || tco_future_track_reads(f[i], m) != TCO_OK) {
            fprintf(stderr, "batch: out of memory\n");
            goto out;
        }
    uint64_t id = 0;
    long skipped = 0, checked = 0, differ = 0;
    tco_cost c[NF], lc[NF];
    double *monthly[NF];
    for (int i = 0; i < NF; i++)
        monthly[i] = mon + (size_t)i * T;
    for (int set = 0; set < CHECK_SETS; set++) {
        long left = draw(f, m, L, s, x, u, &zig, &id);
        if (left < 0) {
            fprintf(stderr, "batch: strategy %s: nearly every future of %s has an exclusion, a "
                            "fixed monthly cost, a failed setup or owned GPUs that retire "
                            "within the horizon\n",
                    sc->strategies[s].name, path);
            goto out;
        }
        skipped += left;
        /* The indices read: -1 where a costing writes none. */
        for (int i = 0; i < NF; i++) {
            memset(f[i]->last_read + s * B, 0xff, B * sizeof *read);
            tco_future_cost(f[i], m, s, ref + (size_t)i * T, NULL, &c[i]);
            memcpy(read + (size_t)i * B, f[i]->last_read + s * B, B * sizeof *read);
            memset(f[i]->last_read + s * B, 0xff, B * sizeof *read);
        }
        for (int g = 0; g < NF; g += TCO_LANES) {
            tco_lanes_group(L, f + g);
            tco_lanes_cost(L, s, monthly + g, lc + g);
        }
        for (int i = 0; i < NF; i++) {
            int ok = same(lc[i].npv, c[i].npv) && same(lc[i].nominal, c[i].nominal) &&
                     same(lc[i].gpus, c[i].gpus) && same(lc[i].tokens, c[i].tokens) &&
                     same(lc[i].unserved, c[i].unserved) && lc[i].switches == c[i].switches &&
                     lc[i].first_switch == c[i].first_switch;
            for (int j = 0; j < TCO_NCAT; j++)
                ok = ok && same(lc[i].cat[j], c[i].cat[j]);
            ok = ok && memcmp(monthly[i], ref + (size_t)i * T, T * sizeof *ref) == 0;
            ok = ok && memcmp(read + (size_t)i * B, f[i]->last_read + s * B, B * sizeof *read) == 0;
            checked++;
            differ += !ok;
        }
    }
    double ts = 0, tl = 0;
    for (long rep = 0; rep < reps; rep++) {
        double c0 = cpu_seconds();
        for (int i = 0; i < NF; i++)
            tco_future_cost(f[i], m, s, ref + (size_t)i * T, NULL, &c[i]);
        double c1 = cpu_seconds();
        for (int g = 0; g < NF; g += TCO_LANES) {
            tco_lanes_group(L, f + g);
            tco_lanes_cost(L, s, monthly + g, lc + g);
        }
        double c2 = cpu_seconds();
        ts += c1 - c0;
        tl += c2 - c1;
    }
    double per = 1e9 / ((double)reps * NF);
    printf("%s, strategy %s: %d futures, %ld passes, one thread, CPU time\n", path,
           sc->strategies[s].name, NF, reps);
    printf("  tco_future_cost, one future at a time   %8.1f ns a future\n", ts * per);
    printf("  four at a time in AVX2 lanes (gathers)  %8.1f ns a future\n", tl * per);
    printf("  lanes over one at a time                %8.2f x\n", ts / tl);
    printf("  the same bits (NPV, nominal, categories, GPUs, tokens, unserved, monthly totals, "
           "indices read): %ld of %ld futures (%ld left out: an exclusion, a fixed cost, a "
           "failed setup or owned GPUs retired within the horizon)\n",
           checked - differ, checked, skipped);
    rc = differ ? 1 : 0;
out:
    for (int i = 0; i < NF; i++)
        tco_future_free(f[i]);
    free(x);
    free(u);
    free(ref);
    free(mon);
    free(read);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: batch SCENARIO [STRATEGY [REPS]]\n");
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) {
        printf("batch: this processor has no AVX2; nothing measured\n");
        return 0;
    }
    tco_error err;
    tco_scenario *sc;
    tco_model *m;
    if (tco_scenario_load(&sc, argv[1], NULL, &err) != TCO_OK ||
        tco_model_alloc(&m, sc, &err) != TCO_OK) {
        fprintf(stderr, "batch: %s\n", err.msg);
        return 1;
    }
    long reps = argc > 3 ? atol(argv[3]) : 2000;
    tco_lanes *L = tco_lanes_alloc(m);
    size_t s = 0;
    if (argc > 2) {
        while (s < sc->nstrategies && strcmp(sc->strategies[s].name, argv[2]) != 0)
            s++;
    } else {
        while (s < sc->nstrategies && !tco_lanes_strategy(L, s))
            s++;
    }
    int rc = 1;
    if (argc > 2 && s == sc->nstrategies) {
        fprintf(stderr, "batch: %s has no strategy %s\n", argv[1], argv[2]);
    } else if (s == sc->nstrategies || !tco_lanes_strategy(L, s)) {
        fprintf(stderr, "batch: %s%s%s costed in lanes (routes to api backends and at most one "
                        "rented platform, no review or retirement) in %s\n",
                argc > 2 ? "strategy " : "no strategy is", argc > 2 ? argv[2] : "",
                argc > 2 ? " is not" : "", argv[1]);
    } else if (reps < 1) {
        fprintf(stderr, "batch: at least one pass\n");
    } else {
        rc = measure(argv[1], m, L, s, reps);
    }
    tco_lanes_free(L);
    tco_model_free(m);
    tco_scenario_free(sc);
    return rc;
}
