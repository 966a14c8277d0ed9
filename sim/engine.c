#include "engine.h"
#include "init.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rng.h"
#include "sample.h"

size_t tco_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (size_t)pages * (size_t)size : 0;
}

void tco_format_bytes(size_t bytes, char *buf, size_t size)
{
    double b = (double)bytes;
    if (b >= 1024.0 * 1024 * 1024 * 1024)
        snprintf(buf, size, "%.1f TiB", b / (1024.0 * 1024 * 1024 * 1024));
    else if (b >= 1024.0 * 1024 * 1024)
        snprintf(buf, size, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    else if (b >= 1024.0 * 1024)
        snprintf(buf, size, "%.1f MiB", b / (1024.0 * 1024));
    else
        snprintf(buf, size, "%.0f KiB", b / 1024.0 + 0.5);
}

/* Large per-future arrays are first touched by the threads that fill them;
 * transparent huge pages (where the kernel offers them) cut the page faults
 * of that first touch several hundredfold.  Release with free(). */
static void *big_alloc(size_t bytes)
{
    void *p = NULL;
    size_t align = (size_t)2 << 20;
    if (bytes < align)
        return malloc(bytes);
    if (posix_memalign(&p, align, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void tco_progress_span_report(void *ctx, long done, long total)
{
    const tco_progress_span *p = ctx;
    (void)total;
    p->user->progress(p->user->progress_ctx, p->done_before + done, p->total);
}

static long block_size(long n)
{
    long b = (n + 1023) / 1024;
    return b < 64 ? 64 : b;
}

size_t tco_run_bytes(const tco_scenario *sc, long n, int keep_inputs, tco_sampling sampling,
                     int threads)
{
    double S = (double)sc->nstrategies, T = sc->horizon, N = (double)n;
    double bytes = N * S * (8 + 8 + 2)         /* npv, nominal, breakeven */
                   + N * S * T * 4             /* monthly */
                   + (keep_inputs ? N * (double)sc->ninputs * 8 : 0) +
                   (double)tco_sampler_bytes(sc, sampling, 1) * N +
                   N * 8 * 2                   /* statistics scratch */
                   + (threads > 0 ? threads : 1) * N * 16; /* monthly percentile scratch */
    double nblocks = ceil(N / (double)block_size(n));
    bytes += nblocks * (S * T + S * TCO_NCAT + 2 * S + 2) * 8 + nblocks * (double)sc->ninputs * 4;
    return bytes > 1e19 ? (size_t)-1 : (size_t)bytes;
}

void tco_run_free(tco_run *run)
{
    if (!run)
        return;
    free(run->npv);
    free(run->nominal);
    free(run->monthly);
    free(run->breakeven);
    free(run->inputs);
    free(run->monthly_mean);
    free(run->cat_mean);
    free(run->cpm_mean);
    free(run->clamped);
    free(run);
}

/* One thread's workspace, allocated outside the loop over futures. */
typedef struct {
    tco_future *future;
    double *x, *u, *scratch, *month;
} workspace;

tco_status tco_run_execute(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                           tco_error *err)
{
    tco_init();
    *out = NULL;
    long n = opt->futures > 0 ? opt->futures : sc->futures;
    uint64_t seed = opt->seed_set ? opt->seed : sc->seed;
    tco_sampling sampling = opt->sampling_set ? opt->sampling : sc->sampling;
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if (n < 1)
        return tco_error_set(err, TCO_EINVAL, "the number of futures must be at least 1 (got %ld)",
                             n);
    size_t need = tco_run_bytes(sc, n, opt->keep_inputs, sampling, threads);
    size_t limit = opt->memory_limit;
    if (!limit) {
        size_t phys = tco_physical_memory();
        limit = phys ? phys / 10 * 8 : (size_t)8 << 30;
    }
    if (need > limit) {
        char a[32], b[32];
        tco_format_bytes(need, a, sizeof a);
        tco_format_bytes(limit, b, sizeof b);
        return tco_error_set(err, TCO_ENOMEM,
                             "%ld futures of %d months and %zu strategies would need about %s of "
                             "memory, more than the %s allowed here; use fewer futures (-n)",
                             n, sc->horizon, sc->nstrategies, a, b);
    }
    if (n > TCO_MAX_FUTURES)
        return tco_error_set(err, TCO_EINVAL, "at most %ld futures are supported (got %ld)",
                             TCO_MAX_FUTURES, n);
    const size_t S = sc->nstrategies, T = (size_t)sc->horizon, NI = sc->ninputs;
    const long bs = block_size(n), nblocks = (n + bs - 1) / bs;
    const size_t pw = S * T + S * TCO_NCAT + S + 2; /* doubles per block */

    tco_run *run = calloc(1, sizeof *run);
    tco_model *model = NULL;
    tco_sampler *sampler = NULL;
    double *partial = NULL;
    unsigned *pclamp = NULL;
    tco_zig zig;
    tco_status st = TCO_OK;
    tco_zig_init(&zig);
    if (!run)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    run->sc = sc;
    run->n = n;
    run->seed = seed;
    run->sampling = sampling;
    run->threads = threads;
    run->T = sc->horizon;
    run->S = S;
    run->npv = big_alloc(S * (size_t)n * sizeof *run->npv);
    run->nominal = big_alloc(S * (size_t)n * sizeof *run->nominal);
    run->monthly = big_alloc(S * T * (size_t)n * sizeof *run->monthly);
    run->breakeven = big_alloc(S * (size_t)n * sizeof *run->breakeven);
    run->monthly_mean = calloc(S * T, sizeof *run->monthly_mean);
    run->cat_mean = calloc(S * TCO_NCAT, sizeof *run->cat_mean);
    run->cpm_mean = calloc(S, sizeof *run->cpm_mean);
    run->clamped = calloc(NI ? NI : 1, sizeof *run->clamped);
    partial = calloc((size_t)nblocks * pw, sizeof *partial);
    pclamp = calloc((size_t)nblocks * (NI ? NI : 1), sizeof *pclamp);
    if (opt->keep_inputs)
        run->inputs = big_alloc((size_t)n * (NI ? NI : 1) * sizeof *run->inputs);
    if (!run->npv || !run->nominal || !run->monthly || !run->breakeven || !run->monthly_mean ||
        !run->cat_mean || !run->cpm_mean || !run->clamped || !partial || !pclamp ||
        (opt->keep_inputs && !run->inputs)) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for %ld futures", n);
        goto done;
    }
    for (size_t j = 0; j < opt->noverride; j++) {
        const tco_input *in = &sc->inputs[opt->override_input[j]];
        if (!tco_domain_contains(&in->dom, opt->override_value[j])) {
            char dom[64];
            tco_domain_format(&in->dom, dom, sizeof dom);
            st = tco_error_set(err, TCO_EINVAL, "%s: must be %s (got %g)", in->path, dom,
                               opt->override_value[j]);
            goto done;
        }
    }
    if ((st = tco_model_alloc(&model, sc, err)) ||
        (st = opt->uniforms ? tco_sampler_from_table(&sampler, sc, opt->uniforms, err)
                            : tco_sampler_alloc(&sampler, sc, sampling, n, seed, &zig, err)))
        goto done;

    long done_futures = 0;
    int failed = 0, cancelled = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads) shared(failed, cancelled, done_futures)
    {
        workspace w;
        w.future = tco_future_alloc(model);
        w.x = malloc((NI ? NI : 1) * sizeof *w.x);
        w.u = malloc((sc->ndims ? sc->ndims : 1) * sizeof *w.u);
        w.scratch = malloc((2 * sc->ncorr + 1) * sizeof *w.scratch);
        w.month = malloc(T * sizeof *w.month);
        if (!w.future || !w.x || !w.u || !w.scratch || !w.month) {
#pragma omp atomic write
            failed = 1;
        } else {
            /* Fixed inputs once; the loop draws only the uncertain ones. */
            for (size_t d = 0; d < sc->ndims; d++)
                w.u[d] = 0.5;
            tco_sample_inputs(sc, w.u, w.x, NULL);
        }
#pragma omp barrier
#pragma omp for schedule(dynamic, 1)
        for (long blk = 0; blk < nblocks; blk++) {
            int stop;
#pragma omp atomic read
            stop = failed;
            int was_cancelled;
#pragma omp atomic read
            was_cancelled = cancelled;
            if (stop || was_cancelled)
                continue;
            if (opt->cancel && *opt->cancel) {
#pragma omp atomic write
                cancelled = 1;
                continue;
            }
            double *part = partial + (size_t)blk * pw;
            double *pmonth = part, *pcat = part + S * T, *pcpm = pcat + S * TCO_NCAT;
            double *ptok = pcpm + S, *pcount = ptok + 1;
            unsigned *cl = pclamp + (size_t)blk * NI;
            long end = (blk + 1) * bs < n ? (blk + 1) * bs : n;
            for (long i = blk * bs; i < end; i++) {
                tco_rng rng;
                tco_rng_seed(&rng, &zig, seed, (uint64_t)i);
                tco_sampler_uniforms(sampler, i, &rng, w.u, w.scratch);
                tco_sample_uncertain(sc, w.u, w.x, cl);
                for (size_t j = 0; j < opt->noverride; j++)
                    w.x[opt->override_input[j]] = opt->override_value[j];
                if (run->inputs)
                    memcpy(run->inputs + (size_t)i * NI, w.x, NI * sizeof *w.x);
                tco_future_draw(w.future, model, w.x, &rng, cl);
                for (size_t s = 0; s < S; s++) {
                    tco_cost cost;
                    tco_future_cost(w.future, model, s, w.month, NULL, &cost);
                    size_t si = s * (size_t)n + (size_t)i;
                    run->npv[si] = cost.npv;
                    run->nominal[si] = cost.nominal;
                    run->breakeven[si] = (int16_t)cost.breakeven;
                    float *mcol = run->monthly + s * T * (size_t)n + (size_t)i;
                    double *pm = pmonth + s * T;
                    for (size_t t = 0; t < T; t++) {
                        mcol[t * (size_t)n] = (float)w.month[t];
                        pm[t] += w.month[t];
                    }
                    for (int j = 0; j < TCO_NCAT; j++)
                        pcat[s * TCO_NCAT + (size_t)j] += cost.cat[j];
                    if (cost.tokens > 0)
                        pcpm[s] += cost.nominal / cost.tokens * 1e6;
                    if (s == 0) {
                        *ptok += cost.tokens;
                        *pcount += cost.tokens > 0;
                    }
                }
            }
            long now;
#pragma omp atomic capture
            now = done_futures += end - blk * bs;
            if (opt->progress && omp_get_thread_num() == 0)
                opt->progress(opt->progress_ctx, now, n);
        }
        tco_future_free(w.future);
        free(w.x);
        free(w.u);
        free(w.scratch);
        free(w.month);
    }
    run->seconds = omp_get_wtime() - t0;
    if (failed) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for the threads' workspaces");
        goto done;
    }
    if (cancelled) {
        st = tco_error_set(err, TCO_EINTR, "interrupted");
        goto done;
    }
    /* Reduce the blocks in block order: the same sums for any thread count. */
    {
        double tokens = 0, with_tokens = 0;
        for (long blk = 0; blk < nblocks; blk++) {
            const double *part = partial + (size_t)blk * pw;
            for (size_t j = 0; j < S * T; j++)
                run->monthly_mean[j] += part[j];
            for (size_t j = 0; j < S * TCO_NCAT; j++)
                run->cat_mean[j] += part[S * T + j];
            for (size_t s = 0; s < S; s++)
                run->cpm_mean[s] += part[S * T + S * TCO_NCAT + s];
            tokens += part[pw - 2];
            with_tokens += part[pw - 1];
            for (size_t k = 0; k < NI; k++)
                run->clamped[k] += pclamp[(size_t)blk * NI + k];
        }
        /* A future that serves no tokens has no cost per token. */
        for (size_t s = 0; s < S; s++)
            run->cpm_mean[s] = with_tokens > 0 ? run->cpm_mean[s] / with_tokens : NAN;
        for (size_t j = 0; j < S * T; j++)
            run->monthly_mean[j] /= (double)n;
        for (size_t j = 0; j < S * TCO_NCAT; j++)
            run->cat_mean[j] /= (double)n;
        run->tokens_mean = tokens / (double)n;
    }
    *out = run;
    run = NULL;
done:
    tco_sampler_free(sampler);
    tco_model_free(model);
    free(partial);
    free(pclamp);
    tco_run_free(run);
    return st;
}
