#include "engine.h"
#include "init.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <sys/mman.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#include "number.h"
#include "../models/lanes.h"
#include "rng.h"
#include "sample.h"
#include "stats.h"

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
 * of that first touch several hundredfold.
 *
 * Their memory is kept between runs.  Memory handed back to the kernel
 * costs page faults again when a later run touches it, and on a virtual
 * machine whose freed pages go back to the host (free page reporting) a
 * fault the host must back, several times a plain one.  So big_free keeps
 * a block it handed out (big_live) in big_kept, and big_alloc gives a kept
 * block of the same size before it asks for fresh memory: a process that
 * runs arrays of the same sizes again (`tcosim compare`'s scenarios, the
 * sweep points run one by one, the bench's turns) touches its memory once.
 * A run's arrays are all in hand before its loop touches any of them, and
 * kept blocks are freed then (big_trim, from tco_run_alloc): those of a
 * size the run has none of, and then others until what is kept and what
 * is live together are no more than the most that has been live at once.
 * So a process never holds more of this memory than its runs have held
 * before, nor blocks of sizes its last run did not ask for: one run after
 * another holds one run's arrays, and two alive at once (the bench keeps a
 * 1-thread run while it times a 2-thread one) keep two. */
enum { BIG_ALIGN = 2 << 20, BIG_SLOTS = 32 };
typedef struct {
    void *p;
    size_t bytes;
} big_block;
static big_block big_live[BIG_SLOTS], big_kept[BIG_SLOTS];
static int big_nkept;
static size_t big_live_bytes, big_peak_bytes;
static int big_poison;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

/* A kept block is not the caller's: an AddressSanitizer build reports a
 * read or write of it as one of freed memory. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_HIDE(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define BIG_SHOW(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define BIG_HIDE(p, n) ((void)(p), (void)(n))
#define BIG_SHOW(p, n) ((void)(p), (void)(n))
#endif

void tco_run_memory_poison(int on) { big_poison = on; }

/* An array of bytes for a run, uninitialised.  Release with big_free. */
static void *big_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes < BIG_ALIGN) {
        if ((p = malloc(bytes)) && big_poison)
            memset(p, 0xff, bytes);
        return p;
    }
    if (bytes > SIZE_MAX - BIG_ALIGN)
        return NULL;
    bytes = (bytes + BIG_ALIGN - 1) / BIG_ALIGN * BIG_ALIGN;
    pthread_mutex_lock(&big_lock);
    for (int k = 0; k < big_nkept; k++)
        if (big_kept[k].bytes == bytes) {
            p = big_kept[k].p;
            big_kept[k] = big_kept[--big_nkept];
            BIG_SHOW(p, bytes);
            break;
        }
    pthread_mutex_unlock(&big_lock);
    if (!p && posix_memalign(&p, BIG_ALIGN, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* a kept block too: mpi.c may have said no */
#endif
    /* Tests fill every block (kept or fresh) with 0xff bytes, NaNs and
     * -1s, to show that no result depends on what memory held before. */
    if (big_poison)
        memset(p, 0xff, bytes);
    pthread_mutex_lock(&big_lock);
    for (int k = 0; k < BIG_SLOTS; k++)
        if (!big_live[k].p) {
            big_live[k] = (big_block){p, bytes};
            big_live_bytes += bytes;
            if (big_live_bytes > big_peak_bytes)
                big_peak_bytes = big_live_bytes;
            break;
        }
    pthread_mutex_unlock(&big_lock);
    return p; /* a block without a slot is freed, not kept */
}

static void big_free(void *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&big_lock);
    for (int k = 0; k < BIG_SLOTS; k++)
        if (big_live[k].p == p) {
            if (big_nkept < BIG_SLOTS) {
                BIG_HIDE(p, big_live[k].bytes);
                big_kept[big_nkept++] = big_live[k];
                p = NULL;
            }
            big_live[k].p = NULL;
            big_live_bytes -= big_live[k].bytes;
            break;
        }
    pthread_mutex_unlock(&big_lock);
    free(p);
}

/* Frees the kept blocks of a size that none of mine[0..n) has (blocks
 * big_alloc handed out, or NULL), then others until those kept and those
 * live together are no more than the most ever live at once.  With n 0,
 * every kept block. */
static void big_trim(const void *const *mine, size_t n)
{
    pthread_mutex_lock(&big_lock);
    size_t want[BIG_SLOTS], nwant = 0, held = big_live_bytes;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < BIG_SLOTS && mine[i]; k++)
            if (big_live[k].p == mine[i] && nwant < BIG_SLOTS) {
                want[nwant++] = big_live[k].bytes;
                break;
            }
    for (int k = 0; k < big_nkept; k++)
        held += big_kept[k].bytes;
    for (int k = big_nkept - 1; k >= 0; k--) {
        size_t j = 0;
        while (j < nwant && want[j] != big_kept[k].bytes)
            j++;
        if (j == nwant || held > big_peak_bytes) {
            big_block b = big_kept[k];
            big_kept[k] = big_kept[--big_nkept];
            held -= b.bytes;
            BIG_SHOW(b.p, b.bytes);
            free(b.p);
        }
    }
    pthread_mutex_unlock(&big_lock);
}

size_t tco_run_memory_kept(void)
{
    size_t bytes = 0;
    pthread_mutex_lock(&big_lock);
    for (int k = 0; k < big_nkept; k++)
        bytes += big_kept[k].bytes;
    pthread_mutex_unlock(&big_lock);
    return bytes;
}

void tco_run_memory_release(void) { big_trim(NULL, 0); }

void tco_progress_span_report(void *ctx, long done, long total)
{
    const tco_progress_span *p = ctx;
    (void)total;
    p->user->progress(p->user->progress_ctx, p->done_before + done, p->total);
}

int tco_run_threads(int requested)
{
    int procs = omp_get_num_procs();
    int cap = procs > 0 && procs < TCO_MAX_THREADS / 4 ? 4 * procs : TCO_MAX_THREADS;
    int t = requested > 0 ? requested : omp_get_max_threads();
    return t < 1 ? 1 : t > cap ? cap : t;
}

/* A monthly cost in single precision: beyond float range it is stored as
 * an infinity of its sign (converting it directly is undefined). */
static inline float to_float(double x)
{
    if (fabs(x) > FLT_MAX) /* rare; a NaN is not beyond and stays a NaN */
        return x > 0 ? INFINITY : -INFINITY;
    return (float)x;
}

static long block_size(long n)
{
    long b = (n + 1023) / 1024;
    return b < 64 ? 64 : b;
}

/* The bytes of monthly costs a run may store (tco_run_options.monthly_limit). */
static size_t monthly_limit(size_t requested)
{
    if (requested)
        return requested;
    const char *env = getenv("TCOSIM_MONTHLY_BYTES");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (end != env && *end == '\0' && v >= 1)
            return v >= 1e19 ? (size_t)-1 : (size_t)v;
    }
    return TCO_MONTHLY_BYTES;
}

/* Whether a run stores its monthly costs (else they are recomputed). */
static int stores_monthly(size_t S, size_t T, long n, size_t limit)
{
    return (double)S * (double)T * (double)n * sizeof(float) <= (double)limit;
}

int tco_run_stores_monthly(const tco_scenario *sc, long n, const tco_run_options *opt)
{
    return stores_monthly(sc->nstrategies, (size_t)sc->horizon, n,
                          monthly_limit(opt->monthly_limit));
}

size_t tco_run_bytes(const tco_scenario *sc, long n, int keep_inputs, tco_sampling sampling,
                     int threads)
{
    double S = (double)sc->nstrategies, T = sc->horizon, N = (double)n;
    double th = threads > 0 ? threads : 1;
    int stored = stores_monthly(sc->nstrategies, (size_t)sc->horizon, n, monthly_limit(0));
    double bytes = N * S * (8 + 8)             /* npv, nominal */
                   + (keep_inputs ? N * (double)sc->ninputs * 8 : 0) +
                   (double)tco_sampler_bytes(sc, sampling, n) /* per run, not per future */ +
                   N * 8 * 2                   /* statistics scratch */
                   + th * N * 8;               /* a strategy's scratch per thread */
    if (stored) /* monthly, breakeven, switches, first switch; percentile column, 4n scratch */
        bytes += N * S * T * 4 + N * S * 6 + th * N * 20;
    else /* histograms of the recomputed bands, per thread, and the keys
          * waiting for them (stats.c) */
        bytes += (th + 1) * 3 * S * T * 10 * 2048 * 4 +
                 th * (double)tco_stats_bands_buffer_bytes(sc->nstrategies, (size_t)sc->horizon);
    double nblocks = ceil(N / (double)block_size(n));
    bytes += nblocks * (S * T + S * TCO_NCAT + 4 * S + 1 + 2 * S * (T + 2)) * 8 +
             nblocks * (double)sc->ninputs * 4;
    /* A thread's vector lanes (models/lanes.h) and its group's inputs. */
    bytes += th * ((double)tco_lanes_bytes(sc->nstrategies, sc->nworkloads, sc->nbackends,
                                           sc->horizon) +
                   TCO_LANES * ((double)sc->ninputs + 3 * T) * 8);
    return bytes > 1e19 ? (size_t)-1 : (size_t)bytes;
}

/* One thread's workspace, allocated with the run, outside any loop over
 * futures; on cache lines of its own (a thread's writes to mfirst and
 * mcount at every future would otherwise take the line from the next
 * thread). */
typedef struct {
    _Alignas(64) tco_future *future;
    double *x, *u, *scratch, *month;
    double *cum, *base_cum; /* running nominal totals: this strategy's, the baseline's */
    /* A group of futures costed together (group_futures): future l of the
     * group on fl[l] with inputs xl[l], a strategy's monthly totals in
     * ml[l], the baseline's running totals in bl[l]; lane 0 is future, x,
     * month and base_cum.  NULL beyond lane 0 when lanes is NULL (no
     * strategy costed in vector lanes: groups of one). */
    tco_future *fl[TCO_LANES];
    double *xl[TCO_LANES], *ml[TCO_LANES], *bl[TCO_LANES];
    double *spare; /* T: the totals of a lane left over */
    long lane_costs; /* costings done in lanes since the last block's end */
    tco_lanes *lanes;
    unsigned char *mask;    /* E: events left out (event_effects) */
    double *all;            /* S: all events' contributions in one future (event_effects) */
    /* The monthly costs of up to MONTH_GROUP consecutive futures from
     * future mfirst, as floats, before they go to run->monthly (a column
     * per strategy and month): future i's row at [(i - mfirst) * S * T],
     * its months strategy by strategy (written in order as it is costed). */
    float *mgroup;
    long mfirst;
    int mcount;
} workspace;

/* Futures whose monthly costs are written to run->monthly at once: 16
 * floats fill a cache line of each of the S x T columns, instead of a
 * scattered store into each column per future. */
#define MONTH_GROUP 16

/* What the engine keeps between tco_run_alloc and tco_run_finish. */
struct tco_engine {
    tco_run_options opt;  /* the caller's options (its arrays must outlive the run) */
    tco_zig zig;
    tco_model *model;
    tco_sampler *sampler;
    long bs, nblocks;     /* block size and count: fixed by the number of futures */
    size_t pw;            /* doubles of partial sums per block */
    double *partial;      /* nblocks x pw: monthly, category, cost-per-token sums and
                             counts, unserved, tokens, then the counts of break-even
                             months, of first-switch months (S x (T + 2) each) and the
                             switches (S) */
    unsigned *pclamp;     /* nblocks x ninputs */
    size_t epw;           /* doubles of event sums per block (event_effects): */
    double *epartial;     /* nblocks x epw: for each of the (E + 1) x S contributions the
                             futures counted, their mean and sum of squared deviations
                             (Welford), then the futures each event happens in (E + 1)
                             and the costings done again (1) */
    unsigned char *done;  /* per block: computed */
    /* The bands' first pass, counted as the futures are computed
     * (count_bands), and per block whether its futures were counted; a
     * block counted twice, or in part, makes the pass unusable
     * (bands_spoilt). */
    tco_bands_pass *bands;
    unsigned char *counted;
    int bands_spoilt;
    int finished;         /* tco_run_finish has run (the engine is kept for tco_run_months) */
    workspace *w;         /* one per thread */
    int nw;
};

static void workspaces_free(tco_engine *e)
{
    for (int k = 0; e->w && k < e->nw; k++) {
        workspace *w = &e->w[k];
        for (int l = 1; l < TCO_LANES; l++) {
            tco_future_free(w->fl[l]);
            free(w->xl[l]);
            free(w->ml[l]);
            free(w->bl[l]);
        }
        tco_lanes_free(w->lanes);
        free(w->spare);
        tco_future_free(w->future);
        free(w->x);
        free(w->u);
        free(w->scratch);
        free(w->month);
        free(w->mgroup);
        free(w->cum);
        free(w->base_cum);
        free(w->mask);
        free(w->all);
    }
    free(e->w);
    e->w = NULL;
}

static void engine_free(tco_engine *e)
{
    if (!e)
        return;
    workspaces_free(e);
    tco_sampler_free(e->sampler);
    tco_model_free(e->model);
    free(e->partial);
    free(e->pclamp);
    free(e->epartial);
    free(e->done);
    tco_bands_pass_free(e->bands);
    free(e->counted);
    free(e);
}

void tco_run_free(tco_run *run)
{
    if (!run)
        return;
    engine_free(run->engine);
    free(run->grid);
    big_free(run->npv);
    big_free(run->nominal);
    big_free(run->monthly);
    big_free(run->breakeven);
    big_free(run->switches);
    big_free(run->first_switch);
    free(run->breakeven_count);
    free(run->first_switch_count);
    free(run->switches_total);
    big_free(run->inputs);
    big_free(run->event_month);
    big_free(run->gpus);
    free(run->event_effect);
    free(run->event_effect_se);
    free(run->event_prob);
    free(run->monthly_mean);
    free(run->cat_mean);
    free(run->cpm_mean);
    free(run->unserved_mean);
    free(run->clamped);
    free(run);
}

long tco_run_block_size(const tco_run *run) { return block_size(run->n); }

/* Break-even of a strategy from its running nominal totals cum[0..T) and
 * the baseline's (MODEL.md 19): the first month from which it stays at or
 * below the baseline (within 1e-9 of the baseline's cumulative cost in
 * magnitude, for rounding), provided that at the horizon it is below by
 * more than that; 0 otherwise (a tied future never breaks even). */
static int breakeven_month(const double *cum, const double *base, int T)
{
    if (!(cum[T - 1] < base[T - 1] - 1e-9 * fabs(base[T - 1])))
        return 0;
    int t = T;
#ifdef __SSE2__
    /* Months t - 1 and t at a time, the same comparisons in SSE2 lanes,
     * while both hold. */
    const __m128d sign = _mm_set1_pd(-0.0), tol = _mm_set1_pd(1e-9);
    while (t >= 2) {
        __m128d b = _mm_loadu_pd(base + t - 2);
        __m128d lim = _mm_add_pd(b, _mm_mul_pd(tol, _mm_andnot_pd(sign, b)));
        if (_mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(cum + t - 2), lim)) != 3)
            break;
        t -= 2;
    }
#endif
    while (t >= 1 && cum[t - 1] <= base[t - 1] + 1e-9 * fabs(base[t - 1]))
        t--;
    return t + 1 <= T ? t + 1 : 0;
}


int tco_cost_is_finite(const tco_cost *c)
{
    if (!isfinite(c->npv) || !isfinite(c->nominal))
        return 0;
    for (int j = 0; j < TCO_NCAT; j++)
        if (!isfinite(c->cat[j]))
            return 0;
    return 1;
}

/* Appends to buf (of size size, holding a string) with tco_vsnprintf. */
static void append(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    tco_vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* The error for future i, whose strategy s costs a non-finite amount: the
 * future is drawn again, alone, to find the first month and category, and
 * the static inputs that drove it (those clamped to their domain, else the
 * uncertain ones drawn furthest in their tails). */
static tco_status explain_non_finite(const tco_scenario *sc, const tco_model *model,
                                     const tco_sampler *sampler, const tco_zig *zig, uint64_t seed,
                                     const tco_run_options *opt, long i, size_t s, tco_error *err)
{
    const size_t NI = sc->ninputs, T = (size_t)sc->horizon;
    char msg[TCO_ERRMSG_MAX] = "";
    tco_future *f = tco_future_alloc(model);
    double *x = malloc((NI ? NI : 1) * sizeof *x), *u = malloc((sc->ndims ? sc->ndims : 1) * sizeof *u);
    double *scratch = malloc((2 * sc->ncorr + 1) * sizeof *scratch);
    double *month = malloc(T * sizeof *month), *bycat = malloc(T * TCO_NCAT * sizeof *bycat);
    unsigned *cl = calloc(NI ? NI : 1, sizeof *cl);
    append(msg, sizeof msg, "strategy %s costs a non-finite amount in future %ld (seed %llu)",
           sc->strategies[s].name, i, (unsigned long long)seed);
    if (f && x && u && scratch && month && bycat && cl) {
        tco_rng rng;
        tco_cost cost;
        for (size_t d = 0; d < sc->ndims; d++)
            u[d] = 0.5;
        tco_sample_inputs(sc, u, x, NULL);
        tco_rng_seed(&rng, zig, seed, (uint64_t)i);
        tco_sampler_uniforms(sampler, i, &rng, u, scratch);
        tco_sample_uncertain(sc, u, x, cl);
        for (size_t j = 0; j < opt->noverride; j++)
            x[opt->override_input[j]] = opt->override_value[j];
        tco_future_draw(f, model, x, &rng, cl);
        /* Costed in order: strategy 0 first, as the model requires. */
        for (size_t o = 0; o <= s; o++)
            tco_future_cost(f, model, o, month, bycat, &cost);
        for (size_t t = 0; t < T; t++) {
            size_t c = 0;
            while (c < TCO_NCAT && isfinite(bycat[t * TCO_NCAT + c]))
                c++;
            if (c < TCO_NCAT || !isfinite(month[t])) {
                append(msg, sizeof msg, ": month %zu, %s cost %g", t + 1,
                       c < TCO_NCAT ? tco_category_name((tco_category)c) : "total",
                       c < TCO_NCAT ? bycat[t * TCO_NCAT + c] : month[t]);
                break;
            }
        }
        int said = 0;
        for (size_t k = 0; k < NI; k++)
            if (cl[k]) {
                const tco_input *in = &sc->inputs[k];
                append(msg, sizeof msg, "%s %s:%u:%u: %s = %g (clamped to its domain)",
                       said++ ? ";" : "; inputs that drove it:", sc->file, in->line, in->col,
                       in->path, x[k]);
            }
        /* Nothing clamped: the uncertain inputs furthest in their tails. */
        for (int shown = 0; !said && shown < 3; shown++) {
            int best = -1;
            double far = -1;
            for (size_t d = 0; d < sc->ndims; d++) {
                int k = sc->dim_input[d];
                double tail = fabs(u[d] - 0.5);
                if (!cl[k] && tail > far) {
                    far = tail;
                    best = (int)d;
                }
            }
            if (best < 0)
                break;
            int k = sc->dim_input[best];
            const tco_input *in = &sc->inputs[k];
            append(msg, sizeof msg, "%s %s:%u:%u: %s = %g (quantile %.3g)",
                   shown ? ";" : "; its most extreme inputs:", sc->file, in->line, in->col,
                   in->path, x[k], u[best]);
            cl[k] = 1; /* not shown twice */
        }
    }
    append(msg, sizeof msg, "; check the spreads and domains of these inputs");
    tco_future_free(f);
    free(x);
    free(u);
    free(scratch);
    free(month);
    free(bycat);
    free(cl);
    return tco_error_set(err, TCO_EINVAL, "%s", msg);
}

tco_status tco_run_alloc(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                         tco_error *err)
{
    tco_init();
    *out = NULL;
    long n = opt->futures > 0 ? opt->futures : sc->futures;
    uint64_t seed = opt->seed_set ? opt->seed : sc->seed;
    tco_sampling sampling = opt->sampling_set ? opt->sampling : sc->sampling;
    int threads = tco_run_threads(opt->threads);
    if (n < 1)
        return tco_error_set(err, TCO_EINVAL, "the number of futures must be at least 1 (got %ld)",
                             n);
    /* A process of a spread run touches only its own futures' pages. */
    long held = opt->held > 0 && opt->held < n ? opt->held : n;
    size_t need = tco_run_bytes(sc, held, opt->keep_inputs, sampling, threads);
    if (opt->keep_samples)
        need += (size_t)held * (sc->nevents * sizeof(int16_t) + sc->nstrategies * sizeof(double));
    if (held < n) /* a spread run's statistics: a column of each strategy (pstats.c) */
        need += (size_t)held * sc->nstrategies * sizeof(double);
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
    for (size_t j = 0; j < opt->noverride; j++) {
        const tco_input *in = &sc->inputs[opt->override_input[j]];
        if (!tco_domain_contains(&in->dom, opt->override_value[j])) {
            char dom[64], msg[256];
            tco_domain_format(&in->dom, dom, sizeof dom);
            tco_snprintf(msg, sizeof msg, "%s: must be %s (got %g)", in->path, dom,
                         opt->override_value[j]);
            return tco_error_set(err, TCO_EINVAL, "%s", msg);
        }
    }
    const size_t S = sc->nstrategies, T = (size_t)sc->horizon, NI = sc->ninputs;
    tco_run *run = calloc(1, sizeof *run);
    tco_engine *e = calloc(1, sizeof *e);
    tco_status st = TCO_OK;
    if (!run || !e) {
        free(run);
        free(e);
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    }
    run->engine = e;
    e->opt = *opt;
    e->opt.progress = NULL; /* the caller's loop reports progress */
    tco_zig_init(&e->zig);
    e->bs = block_size(n);
    e->nblocks = (n + e->bs - 1) / e->bs;
    e->pw = S * T + S * TCO_NCAT + 3 * S + 1 + 2 * S * (T + 2) + S;
    run->sc = sc;
    run->n = n;
    run->seed = seed;
    run->sampling = sampling;
    run->threads = threads;
    run->T = sc->horizon;
    run->S = S;
    run->E = sc->nevents;
    run->months_first = 0;
    run->months_last = e->nblocks;
    /* The curves at k / 200, kept once a report asks for them (stats.c);
     * none kept when this fails. */
    run->grid = calloc(2 * S * TCO_GRID + 2, sizeof *run->grid);
    run->first = 0;
    run->last = n;
    run->npv = big_alloc(S * (size_t)n * sizeof *run->npv);
    run->nominal = big_alloc(S * (size_t)n * sizeof *run->nominal);
    /* Per-future monthly costs, break-even and switch months only when
     * they fit (or samples.csv needs the months): the statistics that read
     * them recompute the costs or use counts. */
    if (stores_monthly(S, T, n, monthly_limit(opt->monthly_limit))) {
        if (!(run->monthly = big_alloc(S * T * (size_t)n * sizeof *run->monthly))) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for %ld futures", n);
            goto fail;
        }
    }
    if (run->monthly || opt->keep_samples) {
        run->breakeven = big_alloc(S * (size_t)n * sizeof *run->breakeven);
        run->switches = big_alloc(S * (size_t)n * sizeof *run->switches);
        run->first_switch = big_alloc(S * (size_t)n * sizeof *run->first_switch);
        if (!run->breakeven || !run->switches || !run->first_switch) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for %ld futures", n);
            goto fail;
        }
    }
    run->breakeven_count = calloc(S * (T + 2), sizeof *run->breakeven_count);
    run->first_switch_count = calloc(S * (T + 2), sizeof *run->first_switch_count);
    run->switches_total = calloc(S ? S : 1, sizeof *run->switches_total);
    run->monthly_mean = calloc(S * T, sizeof *run->monthly_mean);
    run->cat_mean = calloc(S * TCO_NCAT, sizeof *run->cat_mean);
    run->cpm_mean = calloc(S, sizeof *run->cpm_mean);
    run->unserved_mean = calloc(S, sizeof *run->unserved_mean);
    run->clamped = calloc(NI ? NI : 1, sizeof *run->clamped);
    e->partial = calloc((size_t)e->nblocks * e->pw, sizeof *e->partial);
    e->pclamp = calloc((size_t)e->nblocks * (NI ? NI : 1), sizeof *e->pclamp);
    e->done = calloc((size_t)e->nblocks, 1);
    e->w = aligned_alloc(_Alignof(workspace), (size_t)threads * sizeof *e->w);
    if (e->w)
        memset(e->w, 0, (size_t)threads * sizeof *e->w);
    e->nw = threads;
    if (opt->keep_inputs)
        run->inputs = big_alloc((size_t)n * (NI ? NI : 1) * sizeof *run->inputs);
    const size_t E = run->E;
    if (opt->keep_samples &&
        (!(run->event_month = big_alloc((size_t)n * (E ? E : 1) * sizeof *run->event_month)) ||
         !(run->gpus = big_alloc((size_t)n * S * sizeof *run->gpus)))) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for %ld futures", n);
        goto fail;
    }
    if (opt->event_effects) {
        e->epw = 3 * (E + 1) * S + E + 2;
        run->event_effect = calloc((E + 1) * S, sizeof *run->event_effect);
        run->event_effect_se = calloc((E + 1) * S, sizeof *run->event_effect_se);
        run->event_prob = calloc(E + 1, sizeof *run->event_prob);
        e->epartial = calloc((size_t)e->nblocks * e->epw, sizeof *e->epartial);
        if (!run->event_effect || !run->event_effect_se || !run->event_prob || !e->epartial) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto fail;
        }
    }
    if (!run->npv || !run->nominal || !run->breakeven_count || !run->first_switch_count ||
        !run->switches_total || !run->monthly_mean ||
        !run->cat_mean || !run->cpm_mean || !run->unserved_mean || !run->clamped || !e->partial || !e->pclamp ||
        !e->done || !e->w || (opt->keep_inputs && !run->inputs)) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory for %ld futures", n);
        goto fail;
    }
    /* Without memory for it, the bands count their first pass later. */
    tco_error unused;
    if (opt->count_bands && !run->monthly && !opt->stop_after && S * T > 0 &&
        (e->counted = calloc((size_t)e->nblocks, 1)) &&
        tco_bands_pass_alloc(&e->bands, S, T, n, (size_t)threads, &unused) != TCO_OK) {
        free(e->counted);
        e->counted = NULL;
    }
    if ((st = tco_model_alloc(&e->model, sc, err)) ||
        (st = opt->uniforms ? tco_sampler_from_table(&e->sampler, sc, opt->uniforms, err)
                            : tco_sampler_alloc(&e->sampler, sc, sampling, n, seed, &e->zig, err)))
        goto fail;
    for (int k = 0; k < threads; k++) {
        workspace *w = &e->w[k];
        w->future = tco_future_alloc(e->model);
        w->x = malloc((NI ? NI : 1) * sizeof *w->x);
        w->u = malloc((sc->ndims ? sc->ndims : 1) * sizeof *w->u);
        w->scratch = malloc((2 * sc->ncorr + 1) * sizeof *w->scratch);
        w->month = malloc(T * sizeof *w->month);
        w->cum = malloc(T * sizeof *w->cum);
        w->base_cum = malloc(T * sizeof *w->base_cum);
        w->mask = malloc(E + 1);
        w->all = malloc((S ? S : 1) * sizeof *w->all);
        if (run->monthly || e->bands)
            w->mgroup = malloc(S * T * MONTH_GROUP * sizeof *w->mgroup);
        if (!w->future || !w->x || !w->u || !w->scratch || !w->month || !w->cum || !w->base_cum ||
            !w->mask || !w->all || ((run->monthly || e->bands) && !w->mgroup) ||
            (opt->event_effects && tco_future_track_reads(w->future, e->model) != TCO_OK)) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for the threads' workspaces");
            goto fail;
        }
        w->fl[0] = w->future;
        w->xl[0] = w->x;
        w->ml[0] = w->month;
        w->bl[0] = w->base_cum;
        /* Four futures a group where some strategy is costed in vector
         * lanes (else one: memory short for the lanes, the same bits). */
        if (!opt->alone && !opt->stop_after && (w->lanes = tco_lanes_alloc(e->model)) &&
            !(w->spare = malloc(T * sizeof *w->spare))) {
            tco_lanes_free(w->lanes);
            w->lanes = NULL;
        }
        for (int l = 1; w->lanes && l < TCO_LANES; l++) {
            w->fl[l] = tco_future_alloc(e->model);
            w->xl[l] = malloc((NI ? NI : 1) * sizeof *w->x);
            w->ml[l] = malloc(T * sizeof *w->month);
            w->bl[l] = malloc(T * sizeof *w->base_cum);
            if (!w->fl[l] || !w->xl[l] || !w->ml[l] || !w->bl[l] ||
                (opt->event_effects && tco_future_track_reads(w->fl[l], e->model) != TCO_OK)) {
                st = tco_error_set(err, TCO_ENOMEM, "out of memory for the threads' workspaces");
                goto fail;
            }
        }
        /* Fixed inputs once; the loop draws only the uncertain ones. */
        for (size_t d = 0; d < sc->ndims; d++)
            w->u[d] = 0.5;
        for (int l = 0; l < TCO_LANES; l++)
            if (w->xl[l])
                tco_sample_inputs(sc, w->u, w->xl[l], NULL);
    }
    const void *mine[] = {run->npv,      run->nominal, run->monthly,
                          run->breakeven, run->switches, run->first_switch,
                          run->inputs,    run->event_month, run->gpus};
    big_trim(mine, sizeof mine / sizeof *mine);
    *out = run;
    return TCO_OK;
fail:
    tco_run_free(run);
    big_trim(NULL, 0);
    return st;
}

/* Merges z futures whose contribution is 0 into a count, mean and sum of
 * squared deviations (Chan, Golub & LeVeque 1979, pairwise update). */
static void merge_zeros(double *cnt, double *mean, double *m2, double z)
{
    if (z <= 0)
        return;
    double n = *cnt + z, delta = -*mean;
    *m2 += delta * delta * *cnt * z / n;
    *mean += delta * z / n;
    *cnt = n;
}

/* Adds contribution diff of the future at index j of its block to row r,
 * strategy s of the block's event statistics: the futures before it in
 * the block that left this cell alone contributed 0 (Welford 1962 for the
 * new value; the variance stays exact for identical values). */
static void add_effect(double *epart, size_t R, size_t cell, double j, double diff)
{
    double *cnt = epart + cell, *mean = cnt + R, *m2 = mean + R;
    merge_zeros(cnt, mean, m2, j - *cnt);
    *cnt += 1;
    double d = diff - *mean;
    *mean += d / *cnt;
    *m2 += d * (diff - *mean);
}

/* With and without risk events, on future i as drawn on w with every
 * strategy's NPV stored.  A one-off cost adds a known amount to every NPV
 * (tco_future_event_npv).  Each other event that happens is left out in
 * turn and the strategies it can reach costed again; then, when two or
 * more such events happen, all of them together (one alone: its row serves
 * for both).  All events' contribution is that of the others plus the
 * one-off costs', which add to any NPV whatever else happens.  A future
 * where no event happens contributes zeros and costs nothing. */
static void event_effects(tco_run *run, workspace *w, tco_future *f, long i, double *epart)
{
    const tco_model *model = run->engine->model;
    const size_t S = run->S, E = run->E, n = (size_t)run->n, R = (E + 1) * S;
    const double j = (double)(i % run->engine->bs); /* the future's index in its block */
    double *hits = epart + 3 * R, *recosts = hits + E + 1;
    double *all = w->all, oneoff = 0;
    size_t happened = 0, others = 0;
    for (size_t k = 0; k < E; k++) {
        if (!tco_future_event_month(f, k))
            continue;
        happened++;
        hits[k]++;
        double d = tco_future_event_npv(f, model, k);
        if (isnan(d))
            others++;
        else
            oneoff += d;
    }
    if (!happened)
        return;
    hits[E]++;
    for (size_t s = 0; s < S; s++)
        all[s] = 0;
    for (size_t k = 0; k < E; k++) {
        if (!tco_future_event_month(f, k))
            continue;
        double d = tco_future_event_npv(f, model, k);
        if (!isnan(d)) {
            for (size_t s = 0; s < S; s++)
                add_effect(epart, R, k * S + s, j, d);
            continue;
        }
        memset(w->mask, 0, E);
        w->mask[k] = 1;
        tco_future_mask_events(f, model, w->mask);
        for (size_t s = 0; s < S; s++) {
            if (!tco_future_event_matters(f, model, k, s))
                continue;
            tco_cost cost;
            tco_future_cost(f, model, s, NULL, NULL, &cost);
            double diff = run->npv[s * n + (size_t)i] - cost.npv;
            add_effect(epart, R, k * S + s, j, diff);
            if (others == 1)
                all[s] = diff;
            (*recosts)++;
        }
    }
    if (others > 1) {
        /* Every event but the one-off costs left out. */
        for (size_t k = 0; k < E; k++)
            w->mask[k] = tco_future_event_month(f, k) && isnan(tco_future_event_npv(f, model, k));
        tco_future_mask_events(f, model, w->mask);
        for (size_t s = 0; s < S; s++) {
            int reached = 0;
            for (size_t k = 0; k < E && !reached; k++)
                reached = w->mask[k] && tco_future_event_matters(f, model, k, s);
            if (!reached)
                continue;
            tco_cost cost;
            tco_future_cost(f, model, s, NULL, NULL, &cost);
            all[s] = run->npv[s * n + (size_t)i] - cost.npv;
            (*recosts)++;
        }
    }
    for (size_t s = 0; s < S; s++)
        add_effect(epart, R, E * S + s, j, all[s] + oneoff);
    if (others)
        tco_future_mask_events(f, model, NULL);
}

/* Future i's inputs and paths on f, with its inputs in x. */
static void draw_future(tco_run *run, workspace *w, tco_future *f, double *x, long i,
                        unsigned *cl)
{
    const tco_engine *e = run->engine;
    const tco_scenario *sc = run->sc;
    const size_t NI = sc->ninputs;
    tco_rng rng;
    tco_rng_seed(&rng, &e->zig, run->seed, (uint64_t)i);
    tco_sampler_uniforms(e->sampler, i, &rng, w->u, w->scratch);
    tco_sample_uncertain(sc, w->u, x, cl);
    for (size_t j = 0; j < e->opt.noverride; j++)
        x[e->opt.override_input[j]] = e->opt.override_value[j];
    if (run->inputs)
        memcpy(run->inputs + (size_t)i * NI, x, NI * sizeof *x);
    if (e->opt.stop_after == TCO_STOP_SAMPLE) /* make bench's phases */
        return;
    tco_future_draw(f, e->model, x, &rng, cl);
}

/* Strategy s's cost on future i (month: its monthly totals; base_cum:
 * the baseline's running totals, written when s is 0) stored at index i
 * and added to the block's partial sums. */
static void book(tco_run *run, workspace *w, long i, size_t s, const tco_cost *cost,
                 const double *month, double *base_cum, double *part)
{
    const size_t S = run->S, T = (size_t)run->T, n = (size_t)run->n;
    double *pmonth = part, *pcat = part + S * T, *pcpm = pcat + S * TCO_NCAT;
    double *pserving = pcpm + S, *punserved = pserving + S;
    double *ptok = punserved + S;
    double *pbe = ptok + 1, *pfirst = pbe + S * (T + 2), *pswitch = pfirst + S * (T + 2);
    size_t si = s * n + (size_t)i;
    run->npv[si] = cost->npv;
    run->nominal[si] = cost->nominal;
    /* One pass over the months: the running sum (for the break-even
     * month), the block's monthly sums and the monthly costs kept. */
    double *cum = s == 0 ? base_cum : w->cum, total = 0;
    double *pm = pmonth + s * T;
    float *g = run->monthly || run->engine->bands
                   ? w->mgroup + ((size_t)(i - w->mfirst) * S + s) * T
                   : NULL;
    size_t t = 0;
#ifdef __SSE2__
    /* Two months at a time: the sums and the floats in SSE2 lanes
     * (cvtpd2ps rounds each as the conversion of one does; a pair with
     * a value beyond float range, which to_float makes an infinity,
     * goes one at a time), the running sum in order. */
    const __m128d sign = _mm_set1_pd(-0.0), big = _mm_set1_pd(FLT_MAX);
    for (; t + 2 <= T; t += 2) {
        __m128d v = _mm_loadu_pd(month + t);
        total += month[t];
        cum[t] = total;
        total += month[t + 1];
        cum[t + 1] = total;
        _mm_storeu_pd(pm + t, _mm_add_pd(_mm_loadu_pd(pm + t), v));
        if (!g)
            continue;
        if (_mm_movemask_pd(_mm_cmpgt_pd(_mm_andnot_pd(sign, v), big))) {
            g[t] = to_float(month[t]);
            g[t + 1] = to_float(month[t + 1]);
        } else {
            _mm_storel_pi((__m64 *)(void *)(g + t), _mm_cvtpd_ps(v));
        }
    }
#endif
    for (; t < T; t++) {
        double v = month[t];
        total += v;
        cum[t] = total;
        pm[t] += v;
        if (g)
            g[t] = to_float(v);
    }
    int be = s == 0 ? 1 : breakeven_month(w->cum, base_cum, run->T);
    pbe[s * (T + 2) + (size_t)be]++;
    /* At most one change a month, from month 1 to T. */
    if (cost->switches > 0) {
        int fs = cost->first_switch < 0             ? 0
                 : cost->first_switch > run->T ? run->T + 1
                                               : cost->first_switch;
        pfirst[s * (T + 2) + (size_t)fs]++;
        pswitch[s] += cost->switches;
    }
    if (run->breakeven) {
        run->breakeven[si] = (int16_t)be;
        /* Both fit in int16_t (T <= 600). */
        run->switches[si] = (int16_t)cost->switches;
        run->first_switch[si] = (int16_t)cost->first_switch;
    }
    if (run->gpus)
        run->gpus[si] = cost->gpus;
    for (int j = 0; j < TCO_NCAT; j++)
        pcat[s * TCO_NCAT + (size_t)j] += cost->cat[j];
    if (cost->tokens > 0) {
        pcpm[s] += cost->nominal / cost->tokens * 1e6;
        pserving[s]++;
    }
    punserved[s] += cost->unserved;
    if (s == 0)
        *ptok += cost->tokens;
}

/* Strategy s on the group's futures w->fl[0 .. G - 1], drawn: where two
 * or more of them can be costed in vector lanes (models/lanes.h), those
 * at once (the first repeated in the lanes left over), the others alone;
 * each future's cost into cost[l] and its monthly totals into w->ml[l].
 * last: the futures the lanes last gathered for this group (NULL: none). */
static void cost_group(const tco_run *run, workspace *w, int G, size_t s, tco_future **last,
                       tco_cost *cost)
{
    static const int all[TCO_LANES] = {1, 1, 1, 1};
    int done[TCO_LANES];
    w->lane_costs +=
        tco_lanes_cost_some(w->lanes, w->fl, G, s, all, w->ml, w->spare, last, cost, done);
    for (int l = 0; l < G; l++)
        if (!done[l])
            tco_future_cost(w->fl[l], run->engine->model, s, w->ml[l], NULL, &cost[l]);
}

/* Futures i .. i + G - 1 (G at most TCO_LANES; one without lanes) on
 * workspace w: their inputs, paths and every strategy's cost, stored at
 * their indices and added to the block's partial sums in future order
 * (each sum strategy by strategy, and for a strategy future after
 * future, as one future at a time adds them); strategies costed by
 * cost_group.  Returns the number of futures done (G), or the group's
 * first future whose cost is not finite (its index in the group), its
 * first such strategy in *bad. */
static int group_futures(tco_run *run, workspace *w, long i, int G, double *part, unsigned *cl,
                         double *epart, size_t *bad)
{
    const tco_engine *e = run->engine;
    const size_t S = run->S, n = (size_t)run->n;
    for (int l = 0; l < G; l++)
        draw_future(run, w, w->fl[l], w->xl[l], i + l, cl);
    if (e->opt.stop_after)
        return G;
    size_t first_bad[TCO_LANES] = {S, S, S, S};
    tco_future *last[TCO_LANES] = {NULL};
    for (size_t s = 0; s < S; s++) {
        tco_cost cost[TCO_LANES];
        cost_group(run, w, G, s, last, cost);
        for (int l = 0; l < G; l++) {
            if (first_bad[l] < S)
                continue;
            if (!tco_cost_is_finite(&cost[l])) {
                first_bad[l] = s;
                continue;
            }
            book(run, w, i + l, s, &cost[l], w->ml[l], w->bl[l], part);
        }
    }
    for (int l = 0; l < G; l++)
        if (first_bad[l] < S) {
            *bad = first_bad[l];
            return l;
        }
    for (int l = 0; l < G; l++) {
        /* At most one event a month: months fit in int16_t (T <= 600). */
        for (size_t k = 0; run->event_month && k < run->E; k++)
            run->event_month[k * n + (size_t)(i + l)] =
                (int16_t)tco_future_event_month(w->fl[l], k);
        if (epart)
            event_effects(run, w, w->fl[l], i + l, epart);
    }
    return G;
}

/* The monthly costs of the futures grouped in w into run->monthly. */
static void flush_months(tco_run *run, workspace *w)
{
    const size_t S = run->S, T = (size_t)run->T, n = (size_t)run->n;
    const size_t C = S * T, m = (size_t)w->mcount;
    const float *g = w->mgroup;
    float *out = run->monthly + (size_t)w->mfirst;
    size_t c = 0;
#ifdef __SSE2__
    /* Four futures by four columns a step, transposed in SSE registers.
     * A whole group, aligned (its first future a multiple of MONTH_GROUP,
     * n of 4), is streamed past the caches: a column's 16 floats fill a
     * line no future reads again during the run. */
    const int stream = m == MONTH_GROUP && n % 4 == 0 && ((uintptr_t)(void *)out & 15) == 0;
    for (; m == MONTH_GROUP && c + 4 <= C; c += 4)
        for (size_t j = 0; j < MONTH_GROUP; j += 4) {
            __m128 r[4];
            for (int k = 0; k < 4; k++)
                r[k] = _mm_loadu_ps(g + (j + (size_t)k) * C + c);
            _MM_TRANSPOSE4_PS(r[0], r[1], r[2], r[3]);
            for (int k = 0; k < 4; k++) {
                float *p = out + (c + (size_t)k) * n + j;
                if (stream)
                    _mm_stream_ps(p, r[k]);
                else
                    _mm_storeu_ps(p, r[k]);
            }
        }
    if (stream)
        _mm_sfence();
#endif
    for (; m > 0 && c < C; c++)
        for (size_t j = 0; j < m; j++)
            out[c * n + j] = g[j * C + c];
    w->mcount = 0;
}

/* Futures [first, last), whole blocks, in one parallel region.  When
 * progress is not NULL, the calling thread (OpenMP's master) reports the
 * futures done so far after its blocks, about every 2% of the run, while
 * the other threads go on: one region for a whole run, not one per chunk
 * of progress, so that threads do not wait at a barrier 50 times. */
static tco_status run_blocks(tco_run *run, long first, long last,
                             void (*progress)(void *ctx, long done, long total), void *ctx,
                             tco_error *err)
{
    tco_engine *e = run->engine;
    if (!e || e->finished)
        return tco_error_set(err, TCO_EINVAL, "the run is finished: no futures can be added");
    const long n = run->n, bs = e->bs;
    const size_t NI = run->sc->ninputs;
    long ndone = 0, reported = 0;
    const long step = n / 50 > 1 ? n / 50 : 1;
    const long b0 = first / bs, b1 = (last + bs - 1) / bs;
    const volatile sig_atomic_t *cancel = e->opt.cancel;
    long bad_future = LONG_MAX;
    size_t bad_strategy = 0;
    int cancelled = 0;
    /* New futures: curves kept from the futures before are computed anew. */
    if (run->grid)
        run->grid[2 * run->S * TCO_GRID] = run->grid[2 * run->S * TCO_GRID + 1] = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(e->nw) shared(cancelled, bad_future, bad_strategy)
    {
        const int tid = omp_get_thread_num();
        workspace *w = &e->w[tid];
#pragma omp for schedule(dynamic, 1)
        for (long blk = b0; blk < b1; blk++) {
            int was_cancelled;
            long first_bad;
#pragma omp atomic read
            was_cancelled = cancelled;
#pragma omp atomic read
            first_bad = bad_future;
            /* Blocks before a non-finite future still run, so the error
             * names the first such future whatever the thread count. */
            if (was_cancelled || blk * bs > first_bad)
                continue;
            double *part = e->partial + (size_t)blk * e->pw;
            unsigned *cl = e->pclamp + (size_t)blk * NI;
            double *epart = e->epartial ? e->epartial + (size_t)blk * e->epw : NULL;
            /* A block is computed whole, from zero: recomputing it gives the
             * same bits. */
            e->done[blk] = 0;
            memset(part, 0, e->pw * sizeof *part);
            memset(cl, 0, NI * sizeof *cl);
            if (epart)
                memset(epart, 0, e->epw * sizeof *epart);
            long end = (blk + 1) * bs < n ? (blk + 1) * bs : n, i;
            /* Groups of futures (group_futures) from multiples of their
             * size, so that none spans a multiple of MONTH_GROUP. */
            const long gs = w->lanes ? TCO_LANES : 1;
            for (i = blk * bs; i < end;) {
                /* Checked at every group, so that even slow futures stop
                 * promptly. */
                if (cancel && *cancel) {
#pragma omp atomic write
                    cancelled = 1;
                    break;
                }
                /* Groups end at multiples of MONTH_GROUP (flush_months). */
                if (run->monthly && w->mcount > 0 && i % MONTH_GROUP == 0)
                    flush_months(run, w);
                if (w->mcount == 0)
                    w->mfirst = i;
                const long next = (i / gs + 1) * gs;
                const int G = (int)((next < end ? next : end) - i);
                size_t s = run->S;
                int done = group_futures(run, w, i, G, part, cl, epart, &s);
                /* (A run that stops early, make bench's phases, stores none.) */
                if (run->monthly && !e->opt.stop_after)
                    w->mcount += done;
                /* Their months as stored (book), from w->mfirst = i. */
                for (int l = 0; e->bands && l < done; l++)
                    tco_bands_pass_visit(e->bands, tid, i + l,
                                         w->mgroup + (size_t)l * run->S * (size_t)run->T);
                if (done < G) {
#pragma omp critical(tco_bad_future)
                    if (i + done < bad_future) {
                        bad_future = i + done;
                        bad_strategy = s;
                    }
                    i += done;
                    break;
                }
                i += G;
            }
            if (run->monthly)
                flush_months(run, w);
            e->done[blk] = i == end;
            if (e->bands) {
                if (e->counted[blk] || i != end) {
#pragma omp atomic write
                    e->bands_spoilt = 1;
                }
                e->counted[blk] = 1;
            }
#pragma omp atomic
            run->lane_costs += w->lane_costs;
            w->lane_costs = 0;
            if (progress) {
                long now;
#pragma omp atomic capture
                now = ndone += i - blk * bs;
                if (omp_get_thread_num() == 0 && now - reported >= step && now < last - first) {
                    reported = now;
                    progress(ctx, first + now, n);
                }
            }
        }
    }
    run->seconds += omp_get_wtime() - t0;
    if (bad_future != LONG_MAX)
        return explain_non_finite(run->sc, e->model, e->sampler, &e->zig, run->seed, &e->opt,
                                  bad_future, bad_strategy, err);
    if (cancelled)
        return tco_error_set(err, TCO_EINTR, "interrupted");
    return TCO_OK;
}

tco_status tco_run_futures(tco_run *run, long first, long last, tco_error *err)
{
    tco_engine *e = run->engine;
    if (!e)
        return tco_error_set(err, TCO_EINVAL, "the run is finished: no futures can be added");
    const long n = run->n, bs = e->bs;
    if (first < 0 || last > n || first > last || first % bs || (last % bs && last != n))
        return tco_error_set(err, TCO_EINVAL,
                             "futures [%ld, %ld) are not a range of whole blocks of %ld in [0, %ld)",
                             first, last, bs, n);
    return run_blocks(run, first, last, NULL, NULL, err);
}

size_t tco_run_block_doubles(const tco_run *run)
{
    const tco_engine *e = run->engine;
    return e ? e->pw + run->sc->ninputs + e->epw : 0;
}

long tco_run_blocks(const tco_run *run) { return (run->n + block_size(run->n) - 1) / block_size(run->n); }

/* Checks that blocks [b0, b1) can be moved: the run is not finished. */
static tco_status blocks_check(const tco_run *run, long b0, long b1, tco_error *err)
{
    const tco_engine *e = run->engine;
    if (!e || e->finished)
        return tco_error_set(err, TCO_EINVAL, "the run is finished: its block sums are gone");
    if (b0 < 0 || b1 > e->nblocks || b0 > b1)
        return tco_error_set(err, TCO_EINVAL, "blocks [%ld, %ld) are not within [0, %ld)", b0,
                             b1, e->nblocks);
    return TCO_OK;
}

tco_status tco_run_blocks_export(const tco_run *run, long b0, long b1, double *buf,
                                 tco_error *err)
{
    tco_status st = blocks_check(run, b0, b1, err);
    if (st != TCO_OK)
        return st;
    const tco_engine *e = run->engine;
    const size_t NI = run->sc->ninputs, w = tco_run_block_doubles(run);
    for (long blk = b0; blk < b1; blk++) {
        if (!e->done[blk])
            return tco_error_set(err, TCO_EINVAL, "futures from %ld on were not computed",
                                 blk * e->bs);
        double *out = buf + (size_t)(blk - b0) * w;
        memcpy(out, e->partial + (size_t)blk * e->pw, e->pw * sizeof *out);
        for (size_t k = 0; k < NI; k++)
            out[e->pw + k] = e->pclamp[(size_t)blk * NI + k];
        if (e->epw)
            memcpy(out + e->pw + NI, e->epartial + (size_t)blk * e->epw, e->epw * sizeof *out);
    }
    return TCO_OK;
}

tco_status tco_run_blocks_import(tco_run *run, long b0, long b1, const double *buf,
                                 tco_error *err)
{
    tco_status st = blocks_check(run, b0, b1, err);
    if (st != TCO_OK)
        return st;
    tco_engine *e = run->engine;
    const size_t NI = run->sc->ninputs, w = tco_run_block_doubles(run);
    for (long blk = b0; blk < b1; blk++) {
        const double *in = buf + (size_t)(blk - b0) * w;
        memcpy(e->partial + (size_t)blk * e->pw, in, e->pw * sizeof *in);
        for (size_t k = 0; k < NI; k++)
            e->pclamp[(size_t)blk * NI + k] = (unsigned)in[e->pw + k];
        if (e->epw)
            memcpy(e->epartial + (size_t)blk * e->epw, in + e->pw + NI, e->epw * sizeof *in);
        e->done[blk] = 1;
    }
    return TCO_OK;
}

/* The event statistics of the blocks, each completed with its futures
 * that left a cell alone (zeros), merged in block order (Chan et al.'s
 * pairwise update) into means and standard errors: sd / sqrt(n), sd with
 * n - 1 (NaN for one future). */
static void event_means(tco_run *run, const tco_engine *e)
{
    const size_t S = run->S, E = run->E, R = (E + 1) * S;
    double recosts = 0;
    for (size_t c = 0; c < R; c++) {
        double cnt = 0, mean = 0, m2 = 0;
        for (long blk = 0; blk < e->nblocks; blk++) {
            const double *ep = e->epartial + (size_t)blk * e->epw;
            double size = (double)((blk + 1) * e->bs < run->n ? e->bs : run->n - blk * e->bs);
            double bc = ep[c], bm = ep[R + c], b2 = ep[2 * R + c];
            merge_zeros(&bc, &bm, &b2, size - bc);
            double nn = cnt + bc, delta = bm - mean;
            m2 += b2 + delta * delta * cnt * bc / nn;
            mean += delta * bc / nn;
            cnt = nn;
        }
        run->event_effect[c] = mean;
        run->event_effect_se[c] = cnt > 1 ? sqrt(m2 / (cnt - 1) / cnt) : NAN;
    }
    for (long blk = 0; blk < e->nblocks; blk++) {
        const double *ep = e->epartial + (size_t)blk * e->epw;
        for (size_t k = 0; k <= E; k++)
            run->event_prob[k] += ep[3 * R + k];
        recosts += ep[3 * R + E + 1];
    }
    for (size_t k = 0; k <= E; k++)
        run->event_prob[k] /= (double)run->n;
    run->event_recosts = (long)recosts;
}

tco_status tco_run_finish(tco_run *run, tco_error *err)
{
    tco_engine *e = run->engine;
    if (!e || e->finished)
        return TCO_OK;
    for (long blk = 0; blk < e->nblocks; blk++)
        if (!e->done[blk])
            return tco_error_set(err, TCO_EINVAL, "futures from %ld on were not computed",
                                 blk * e->bs);
    const size_t S = run->S, T = (size_t)run->T, NI = run->sc->ninputs, pw = e->pw;
    /* Reduce the blocks in block order: the same sums for any thread count
     * and any order of ranges. */
    double tokens = 0, *serving = calloc(S ? S : 1, sizeof *serving);
    if (!serving)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    for (long blk = 0; blk < e->nblocks; blk++) {
        const double *part = e->partial + (size_t)blk * pw;
        for (size_t j = 0; j < S * T; j++)
            run->monthly_mean[j] += part[j];
        for (size_t j = 0; j < S * TCO_NCAT; j++)
            run->cat_mean[j] += part[S * T + j];
        const double *pcpm = part + S * T + S * TCO_NCAT;
        for (size_t s = 0; s < S; s++) {
            run->cpm_mean[s] += pcpm[s];
            serving[s] += pcpm[S + s];
            run->unserved_mean[s] += pcpm[2 * S + s];
        }
        const double *ptok = pcpm + 3 * S, *pbe = ptok + 1, *pfirst = pbe + S * (T + 2);
        tokens += *ptok;
        for (size_t j = 0; j < S * (T + 2); j++) {
            run->breakeven_count[j] += (unsigned long)pbe[j];
            run->first_switch_count[j] += (unsigned long)pfirst[j];
        }
        for (size_t s = 0; s < S; s++)
            run->switches_total[s] += (unsigned long)pfirst[S * (T + 2) + s];
        for (size_t k = 0; k < NI; k++)
            run->clamped[k] += e->pclamp[(size_t)blk * NI + k];
    }
    /* A future that serves no tokens has no cost per token (MODEL.md 15). */
    for (size_t s = 0; s < S; s++) {
        run->cpm_mean[s] = serving[s] > 0 ? run->cpm_mean[s] / serving[s] : NAN;
        run->unserved_mean[s] /= (double)run->n;
    }
    free(serving);
    for (size_t j = 0; j < S * T; j++)
        run->monthly_mean[j] /= (double)run->n;
    for (size_t j = 0; j < S * TCO_NCAT; j++)
        run->cat_mean[j] /= (double)run->n;
    run->tokens_mean = tokens / (double)run->n;
    if (e->epartial)
        event_means(run, e);
    if (run->monthly) {
        engine_free(e);
        run->engine = NULL;
        return TCO_OK;
    }
    /* Kept for tco_run_months: the model, the sampler, the workspaces. */
    free(e->partial);
    free(e->pclamp);
    free(e->epartial);
    free(e->done);
    e->partial = e->epartial = NULL;
    e->pclamp = NULL;
    e->done = NULL;
    e->finished = 1;
    return TCO_OK;
}

tco_bands_pass *tco_run_take_bands_pass(const tco_run *run)
{
    tco_engine *e = run->engine;
    if (!e || !e->bands)
        return NULL;
    tco_bands_pass *p = e->bands;
    int whole = !e->bands_spoilt;
    for (long blk = 0; whole && blk < e->nblocks; blk++)
        whole = e->counted[blk] == (blk >= run->months_first && blk < run->months_last);
    e->bands = NULL;
    if (!whole) {
        tco_bands_pass_free(p);
        return NULL;
    }
    return p;
}

tco_status tco_run_months(const tco_run *run,
                          void (*visit)(void *ctx, int thread, long i, const float *month),
                          void *ctx, tco_error *err)
{
    tco_engine *e = run->engine;
    const long m0 = run->months_first, m1 = run->months_last;
    int ready = e && (e->finished || e->done) && m0 >= 0 && m1 <= e->nblocks;
    for (long blk = m0; ready && !e->finished && blk < m1; blk++)
        ready = e->done[blk];
    if (!ready)
        return tco_error_set(err, TCO_EINVAL,
                             "the run's monthly costs are neither stored nor recomputable");
    const tco_scenario *sc = run->sc;
    const size_t S = run->S, T = (size_t)run->T;
    const long n = run->n, bs = e->bs;
    const volatile sig_atomic_t *cancel = e->opt.cancel;
    int cancelled = 0, failed = 0;
#pragma omp parallel num_threads(e->nw) shared(cancelled, failed)
    {
        int k = omp_get_thread_num();
        workspace *w = &e->w[k];
        /* A group's monthly costs, future l's at [l * S * T]. */
        float *month = malloc(TCO_LANES * S * T * sizeof *month);
        if (!month) {
#pragma omp atomic write
            failed = 1;
        }
        const long gs = w->lanes ? TCO_LANES : 1;
#pragma omp for schedule(dynamic, 1)
        for (long blk = m0; blk < m1; blk++) {
            int stop;
#pragma omp atomic read
            stop = cancelled;
            long end = (blk + 1) * bs < n ? (blk + 1) * bs : n;
            for (long i = blk * bs; month && !stop && i < end;) {
                if (cancel && *cancel) {
#pragma omp atomic write
                    cancelled = 1;
                    break;
                }
                /* As group_futures draws and costs futures i .. i + G - 1. */
                const long next = (i / gs + 1) * gs;
                const int G = (int)((next < end ? next : end) - i);
                for (int l = 0; l < G; l++) {
                    tco_rng rng;
                    tco_rng_seed(&rng, &e->zig, run->seed, (uint64_t)(i + l));
                    tco_sampler_uniforms(e->sampler, i + l, &rng, w->u, w->scratch);
                    tco_sample_uncertain(sc, w->u, w->xl[l], NULL);
                    for (size_t j = 0; j < e->opt.noverride; j++)
                        w->xl[l][e->opt.override_input[j]] = e->opt.override_value[j];
                    tco_future_draw(w->fl[l], e->model, w->xl[l], &rng, NULL);
                }
                tco_future *last[TCO_LANES] = {NULL};
                for (size_t s = 0; s < S; s++) {
                    tco_cost cost[TCO_LANES];
                    cost_group(run, w, G, s, last, cost);
                    for (int l = 0; l < G; l++)
                        for (size_t t = 0; t < T; t++)
                            month[((size_t)l * S + s) * T + t] = to_float(w->ml[l][t]);
                }
                for (int l = 0; l < G; l++)
                    visit(ctx, k, i + l, month + (size_t)l * S * T);
                i += G;
            }
        }
        free(month);
    }
    if (failed)
        return tco_error_set(err, TCO_ENOMEM, "out of memory recomputing monthly costs");
    if (cancelled)
        return tco_error_set(err, TCO_EINTR, "interrupted");
    return TCO_OK;
}

tco_status tco_run_execute(tco_run **out, const tco_scenario *sc, const tco_run_options *opt,
                           tco_error *err)
{
    *out = NULL;
    tco_run *run;
    tco_status st = tco_run_alloc(&run, sc, opt, err);
    if (st != TCO_OK)
        return st;
    /* One parallel region for every future: progress from the calling
     * thread as it goes, cancellation at every future. */
    if (opt->cancel && *opt->cancel)
        st = tco_error_set(err, TCO_EINTR, "interrupted");
    else
        st = run_blocks(run, 0, run->n, opt->progress, opt->progress_ctx, err);
    if (st == TCO_OK && opt->progress)
        opt->progress(opt->progress_ctx, run->n, run->n);
    if (st == TCO_OK)
        st = tco_run_finish(run, err);
    if (st != TCO_OK) {
        tco_run_free(run);
        return st;
    }
    *out = run;
    return TCO_OK;
}
