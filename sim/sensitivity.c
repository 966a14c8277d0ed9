#include "sensitivity.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "output.h"
#include "sobolidx.h"
#include "stats.h"
#include "sweep.h"
#include "engine.h"

const char *tco_sens_name(tco_sens_method m)
{
    return m == TCO_SENS_TORNADO ? "tornado" : m == TCO_SENS_SOBOL ? "sobol" : "rank";
}

long tco_sensitivity_cost(const tco_scenario *sc, tco_sens_method m, long n)
{
    long D = (long)sc->ndims;
    if (m == TCO_SENS_TORNADO)
        return n * (1 + 2 * D);
    if (m == TCO_SENS_SOBOL)
        return n + n * (D + 2);
    return n;
}

void tco_sensitivity_free(tco_sensitivity *s)
{
    if (!s)
        return;
    free(s->rows);
    free(s->evppi);
    free(s);
}

typedef struct {
    double x;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->i > q->i) - (p->i < q->i);
}

/* The bits of x as an unsigned number in x's order, -0 as +0 (cmp_keyed
 * holds them equal). */
static uint64_t order_bits(double x)
{
    uint64_t b;
    if (x == 0)
        x = 0.0;
    memcpy(&b, &x, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

/* Sorts k[0..n), filled with i in increasing order, as qsort with
 * cmp_keyed does: by x, equal x by i.  An LSD radix sort on the bits of x
 * (6 passes of 11 bits; a pass where every key has the same digit is
 * skipped), stable, so equal x keep the order of i; a quarter of qsort's
 * time at 20,000 keys.  tmp holds n keys.  With a NaN, qsort. */
static void sort_keyed(keyed *k, size_t n, keyed *tmp)
{
    for (size_t j = 0; j < n; j++)
        if (isnan(k[j].x)) {
            qsort(k, n, sizeof *k, cmp_keyed);
            return;
        }
    keyed *src = k, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
        size_t count[RADIX] = {0};
        for (size_t j = 0; j < n; j++)
            count[(order_bits(src[j].x) >> shift) & (RADIX - 1)]++;
        if (n == 0 || count[(order_bits(src[0].x) >> shift) & (RADIX - 1)] == n)
            continue;
        size_t at = 0;
        for (unsigned d = 0; d < RADIX; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t j = 0; j < n; j++)
            dst[count[(order_bits(src[j].x) >> shift) & (RADIX - 1)]++] = src[j];
        keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != k)
        memcpy(k, src, n * sizeof *k);
}

int tco_evppi_choice(const double *npv, size_t n, size_t S, double *best)
{
    double *mean = malloc((S ? S : 1) * sizeof *mean);
    *best = NAN;
    if (!mean)
        return -1;
    tco_stats_means(npv, n, S, mean);
    int choice = tco_stats_best_mean(mean, S);
    *best = choice >= 0 ? mean[choice] : NAN;
    free(mean);
    return choice;
}

/* The EVPPI from the keys of x sorted (sort_keyed). */
static double evppi_sorted(const keyed *k, const double *npv, size_t n, size_t S, size_t bins,
                           double best, double *sum)
{
    double inner = 0;
    /* Bins of (nearly) equal counts; ties of x stay in one bin, so an input
     * that takes few values gets one bin per value. */
    size_t start = 0;
    for (size_t b = 0; b < bins && start < n; b++) {
        size_t end = b + 1 == bins ? n : (n * (b + 1)) / bins;
        if (end <= start)
            continue;
        while (end < n && k[end].x == k[end - 1].x)
            end++;
        for (size_t s = 0; s < S; s++)
            sum[s] = 0;
        for (size_t j = start; j < end; j++)
            for (size_t s = 0; s < S; s++)
                sum[s] += npv[s * n + k[j].i];
        double m = HUGE_VAL;
        for (size_t s = 0; s < S; s++)
            m = fmin(m, sum[s]);
        inner += m; /* (n_b / n) * min of bin means = min of bin sums / n */
        start = end;
    }
    /* Never negative (Jensen); what rounding leaves near 0 is 0. */
    double v = best - inner / (double)n;
    return v > 1e-12 * fabs(best) ? v : 0;
}

/* The keys of x (stride apart) sorted into k, which holds 2n. */
static void sort_of(const double *x, size_t stride, size_t n, keyed *k)
{
    for (size_t i = 0; i < n; i++) {
        k[i].x = x[i * stride];
        k[i].i = i;
    }
    sort_keyed(k, n, k + n);
}

double tco_evppi_of(const double *x, size_t stride, const double *npv, size_t n, size_t S,
                    size_t bins, int choice, double best)
{
    if (choice < 0)
        return NAN;
    keyed *k = malloc(2 * n * sizeof *k);
    double *sum = calloc(S, sizeof *sum);
    double v = NAN;
    if (k && sum) {
        sort_of(x, stride, n, k);
        v = evppi_sorted(k, npv, n, S, bins, best, sum);
    }
    free(k);
    free(sum);
    return v;
}

double tco_evppi(const double *x, size_t stride, const double *npv, size_t n, size_t S,
                 size_t bins)
{
    double best = NAN;
    int choice = tco_evppi_choice(npv, n, S, &best);
    return tco_evppi_of(x, stride, npv, n, S, bins, choice, best);
}

/* The output of future i: npv[output] - npv[versus]. */
static void output_of(const double *npv, size_t n, int output, int versus, double *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = npv[(size_t)output * n + i] - (versus >= 0 ? npv[(size_t)versus * n + i] : 0);
}

static double mean_of(const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    return s / (double)n;
}

/* tco_sweep_take for the design runs: run r's outputs into y + r * n, or
 * (means not NULL) their mean into means[r], through y's first n. */
typedef struct {
    int output, versus;
    double *y, *means;
    const size_t *slot; /* y's row (or means' entry) of run r (NULL: r) */
} design_ctx;

static tco_status take_design(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    (void)err;
    design_ctx *c = ctx;
    if (c->means) {
        output_of(npv, n, c->output, c->versus, c->y);
        c->means[c->slot ? c->slot[r] : r] = mean_of(c->y, n);
    } else {
        output_of(npv, n, c->output, c->versus, c->y + (c->slot ? c->slot[r] : r) * n);
    }
    return TCO_OK;
}

/* Ranks into r from the keys sorted (sort_of): ties share their mean
 * rank. */
static void ranks_sorted(const keyed *k, size_t n, double *r)
{
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b + 1 < n && k[b + 1].x == k[a].x)
            b++;
        double rank = (a + b) / 2.0;
        for (size_t j = a; j <= b; j++)
            r[k[j].i] = rank;
        a = b + 1;
    }
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = mean_of(a, n), mb = mean_of(b, n), sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

static int cmp_rows(const void *a, const void *b)
{
    const tco_sens_row *p = a, *q = b;
    double x = fabs(p->value), y = fabs(q->value);
    if (x != y)
        return (x < y) - (x > y);
    return (p->input > q->input) - (p->input < q->input);
}

static int cmp_rows_total(const void *a, const void *b)
{
    const tco_sens_row *p = a, *q = b;
    if (p->value2 != q->value2)
        return (p->value2 < q->value2) - (p->value2 > q->value2);
    return (p->input > q->input) - (p->input < q->input);
}

tco_status tco_sensitivity_run(tco_sensitivity **out, const tco_scenario *sc,
                               const tco_run_options *opt, tco_sens_method method, int output,
                               int versus, tco_error *err)
{
    return tco_sensitivity_run_with(out, sc, opt, method, output, versus, NULL, err);
}

tco_status tco_sensitivity_run_with(tco_sensitivity **out, const tco_scenario *sc,
                                    const tco_run_options *opt, tco_sens_method method,
                                    int output, int versus, const tco_sens_distribute *dist,
                                    tco_error *err)
{
    *out = NULL;
    size_t D = sc->ndims, NI = sc->ninputs;
    if (D == 0)
        return tco_error_set(err, TCO_EINVAL,
                             "%s: no uncertain input: every value is fixed, nothing to analyse",
                             sc->file);
    tco_sensitivity *r = calloc(1, sizeof *r);
    tco_run *base = NULL;
    double *y = NULL, *ry = NULL, *col = NULL;
    double *A = NULL, *B = NULL, *fAB = NULL;
    keyed *kbuf = NULL;
    tco_sobol_index *idx = NULL;
    unsigned char *costed = NULL;
    tco_status st = TCO_OK;
    if (!r)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    r->method = method;
    /* The base run: inputs kept for ranks and EVPPI. */
    tco_run_options o = *opt;
    o.keep_inputs = 1;
    /* Only its NPVs and inputs are read: no monthly costs stored. */
    o.monthly_limit = 1;
    o.noverride = 0;
    o.uniforms = NULL;
    long nf = opt->futures > 0 ? opt->futures : sc->futures;
    tco_progress_span prog = {opt, 0, tco_sensitivity_cost(sc, method, nf)};
    if (opt->progress) {
        o.progress = tco_progress_span_report;
        o.progress_ctx = &prog;
    }
    if ((st = dist ? dist->execute(&base, sc, &o, err) : tco_run_execute(&base, sc, &o, err)))
        goto done;
    /* Without the base run (another process has it): only the design
     * runs, with the root's output and versus. */
    size_t n = (size_t)nf, S = sc->nstrategies;
    r->runs = nf;
    prog.done_before = r->runs;
    if (base && output < 0) {
        /* The decision at stake: the two strategies with the lowest mean. */
        double *mean = malloc(S * sizeof *mean);
        if (!mean) {
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto done;
        }
        tco_stats_means(base->npv, n, S, mean);
        output = tco_stats_best_mean(mean, S);
        if (output >= 0)
            mean[output] = NAN;
        versus = tco_stats_best_mean(mean, S);
        free(mean);
        if (output < 0) {
            st = tco_error_set(err, TCO_EINVAL,
                               "%s: no strategy has a finite mean NPV over %zu futures (the "
                               "costs are too large to add up); nothing to compare",
                               sc->file, n);
            goto done;
        }
    }
    if (dist) {
        int v[3] = {(int)st, output, versus};
        dist->share(v, 3);
        if (v[0] != TCO_OK && st == TCO_OK)
            st = tco_error_set(err, (tco_status)v[0], "the base run failed on another process");
        output = v[1];
        versus = v[2];
    }
    if (st != TCO_OK)
        goto done;
    r->output = output;
    r->versus = versus;
    /* The design runs of tornado and Sobol read the output and the versus
     * strategy alone: only they are costed (tco_sweep_runs_costing). */
    if (!(costed = calloc(S, 1))) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    costed[output] = 1;
    if (versus >= 0)
        costed[versus] = 1;
    y = malloc(n * sizeof *y);
    ry = malloc(n * sizeof *ry);
    kbuf = malloc(2 * n * sizeof *kbuf);
    r->evppi = calloc(D, sizeof *r->evppi);
    if (!y || !ry || !kbuf || !r->evppi) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    const int rank = method == TCO_SENS_RANK;
    if (!base && rank)
        goto done;
    if (!base)
        goto design;
    output_of(base->npv, n, output, versus, y);
    r->base_mean = mean_of(y, n);
    /* Value of information, from the base run. */
    r->evpi = tco_stats_evpi(base->npv, n, S);
    size_t bins = n >= 5000 ? 50 : (n / 100 > 2 ? n / 100 : 2);
    const int threads = tco_run_threads(opt->threads);
    /* The choice without information once; then one input a thread at a
     * time: each value is computed alone, the same for any number of
     * threads. */
    double best = NAN;
    const int choice = tco_evppi_choice(base->npv, n, S, &best);
    if (!(r->rows = calloc(D, sizeof *r->rows))) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    r->nrows = D;
    /* Rank correlations from the same sort of each input as its EVPPI. */
    if (rank) {
        sort_of(y, 1, n, kbuf);
        ranks_sorted(kbuf, n, ry);
    }
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1) shared(failed)
    {
        /* Each thread its own sort keys, sums and ranks. */
        keyed *tk = malloc(2 * n * sizeof *tk);
        double *sum = malloc((S ? S : 1) * sizeof *sum);
        double *trx = rank ? malloc(n * sizeof *trx) : NULL;
        if (!tk || !sum || (rank && !trx)) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t d = 0; d < D; d++) {
            if (!tk || !sum || (rank && !trx))
                continue;
            int k = sc->dim_input[d];
            sort_of(base->inputs + k, NI, n, tk);
            r->evppi[d].input = k;
            r->evppi[d].value = choice < 0 ? NAN : evppi_sorted(tk, base->npv, n, S, bins, best, sum);
            r->evppi[d].low = r->evppi[d].high = NAN;
            if (!rank)
                continue;
            ranks_sorted(tk, n, trx);
            double rho = pearson(trx, ry, n);
            double z = atanh(fmax(-0.999999, fmin(0.999999, rho)));
            double se = n > 3 ? 1.06 / sqrt((double)n - 3) : HUGE_VAL;
            r->rows[d] = (tco_sens_row){k, rho, tanh(z - 1.96 * se), tanh(z + 1.96 * se), 0, 0, 0};
        }
        free(tk);
        free(sum);
        free(trx);
    }
    if (failed) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    r->nevppi = D;
    qsort(r->evppi, D, sizeof *r->evppi, cmp_rows);
design:
    if (rank) {
        qsort(r->rows, D, sizeof *r->rows, cmp_rows);
    } else if (method == TCO_SENS_TORNADO) {
        /* Every input at its P10 and its P90: 2D runs on the same futures. */
        double *v = malloc(2 * D * sizeof *v), *ends = malloc(2 * D * sizeof *ends);
        int *held = malloc(D * sizeof *held);
        tco_sweep_point *pt = malloc(2 * D * sizeof *pt);
        size_t *slot = malloc(2 * D * sizeof *slot);
        unsigned char *paths = malloc(NI + 1);
        if (!v || !ends || !held || !pt || !slot || !paths) {
            free(v);
            free(ends);
            free(held);
            free(pt);
            free(slot);
            free(paths);
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto done;
        }
        /* The runs of inputs that shape no random path first: each keeps
         * the paths of the last draw (tco_sweep_runs). */
        tco_paths_inputs(sc, paths);
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t d = 0; d < D; d++) {
                held[d] = sc->dim_input[d];
                if (paths[held[d]] != pass)
                    continue;
                const tco_input *in = &sc->inputs[held[d]];
                for (int e = 0; e < 2; e++, k++) {
                    v[2 * d + (size_t)e] =
                        tco_domain_clamp(&in->dom, tco_dist_quantile(&in->dist, e ? 0.9 : 0.1));
                    pt[k] = (tco_sweep_point){&held[d], &v[2 * d + (size_t)e], 1, NULL, NULL, -1};
                    slot[k] = 2 * d + (size_t)e;
                }
            }
        free(paths);
        tco_run_options to = o;
        to.futures = (long)n;
        to.progress = opt->progress;
        to.progress_ctx = opt->progress_ctx;
        design_ctx dc = {output, versus, y, ends, slot};
        st = dist ? dist->series(sc, &to, pt, 2 * D, costed, take_design, &dc, r->runs,
                                 prog.total, err)
                  : tco_sweep_runs_costing(sc, &to, pt, 2 * D, costed, take_design, &dc, r->runs,
                                           prog.total, err);
        if (st == TCO_OK && base) {
            r->runs += (long)(2 * D) * (long)n;
            for (size_t d = 0; d < D; d++)
                r->rows[d] = (tco_sens_row){held[d], ends[2 * d + 1] - ends[2 * d], ends[2 * d],
                                            ends[2 * d + 1], 0, 0, 0};
            qsort(r->rows, D, sizeof *r->rows, cmp_rows);
        }
        free(v);
        free(ends);
        free(held);
        free(pt);
        free(slot);
        if (st != TCO_OK)
            goto done;
    } else {
        size_t N = n;
        A = malloc(N * D * sizeof *A);
        B = malloc(N * D * sizeof *B);
        fAB = malloc((D + 2) * N * sizeof *fAB);
        idx = malloc(D * sizeof *idx);
        tco_sweep_point *pt = malloc((D + 2) * sizeof *pt);
        if (!A || !B || !fAB || !idx || !pt) {
            free(pt);
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for the Sobol design");
            goto done;
        }
        uint64_t seed = opt->seed_set ? opt->seed : sc->seed;
        if ((st = tco_saltelli_design(N, D, seed, A, B, &r->quasi, err))) {
            free(pt);
            goto done;
        }
        /* A, B, then A with column m - 2 from B (Saltelli 2010), on the
         * same futures in one loop: A's column of the volume right after
         * A, whose draw it then rescales, then A's columns of the inputs
         * that shape no random path, which keep A's paths, then the
         * others, and B last (tco_sweep_runs). */
        size_t *slot = malloc((D + 2) * sizeof *slot), k = 0;
        unsigned char *paths = malloc(NI + 1);
        if (!slot || !paths) {
            free(pt);
            free(slot);
            free(paths);
            st = tco_error_set(err, TCO_ENOMEM, "out of memory for the Sobol design");
            goto done;
        }
        tco_paths_inputs(sc, paths);
        int vd = sc->inputs[sc->volume].dim;
        slot[k++] = 0;
        if (vd >= 0)
            slot[k++] = 2 + (size_t)vd;
        for (int pass = 0; pass < 2; pass++)
            for (size_t m = 2; m < D + 2; m++)
                if ((long)m != 2L + vd && paths[sc->dim_input[m - 2]] == pass)
                    slot[k++] = m;
        slot[k++] = 1;
        free(paths);
        for (k = 0; k < D + 2; k++) {
            size_t m = slot[k];
            pt[k] = (tco_sweep_point){NULL, NULL, 0, m == 1 ? B : A, m >= 2 ? B : NULL,
                                      m >= 2 ? (long)(m - 2) : -1};
        }
        tco_run_options so = o;
        so.futures = (long)N;
        so.progress = opt->progress;
        so.progress_ctx = opt->progress_ctx;
        design_ctx dc = {output, versus, fAB, NULL, slot};
        st = dist ? dist->series(sc, &so, pt, D + 2, costed, take_design, &dc, r->runs,
                                 prog.total, err)
                  : tco_sweep_runs_costing(sc, &so, pt, D + 2, costed, take_design, &dc, r->runs,
                                           prog.total, err);
        free(pt);
        free(slot);
        if (st != TCO_OK || (!base && !(dist && dist->indices)))
            goto done;
        int nt = tco_run_threads(opt->threads);
        st = dist && dist->indices
                 ? dist->indices(fAB, N, D, 500, seed, nt, idx, err)
                 : tco_sobol_indices_threads(fAB, fAB + N, fAB + 2 * N, N, D, 500, seed, nt,
                                             idx, err);
        if (st != TCO_OK || !base)
            goto done;
        r->runs += (long)(D + 2) * (long)N;
        for (size_t d = 0; d < D; d++)
            r->rows[d] = (tco_sens_row){sc->dim_input[d], idx[d].first,  idx[d].first_lo,
                                        idx[d].first_hi,  idx[d].total,  idx[d].total_lo,
                                        idx[d].total_hi};
        qsort(r->rows, D, sizeof *r->rows, cmp_rows_total);
    }
done:
    tco_run_free(base);
    free(costed);
    free(y);
    free(ry);
    free(col);
    free(kbuf);
    free(A);
    free(B);
    free(fAB);
    free(idx);
    if (st != TCO_OK || (dist && !base)) {
        tco_sensitivity_free(r);
        return st;
    }
    *out = r;
    return TCO_OK;
}

static void csv_num(FILE *f, double x)
{
    fputc(',', f);
    if (isfinite(x))
        tco_fprintf(f, "%.10g", x);
}

static void row(FILE *f, const char *method, const char *input, double v, double lo, double hi)
{
    fputs(method, f);
    fputc(',', f);
    tco_csv_string(f, input);
    csv_num(f, v);
    csv_num(f, lo);
    csv_num(f, hi);
    fputc('\n', f);
}

tco_status tco_write_sensitivity_csv(FILE *f, const tco_sensitivity *r, const tco_scenario *sc)
{
    fputs("method,input,value,low,high\n", f);
    for (size_t i = 0; i < r->nrows; i++) {
        const tco_sens_row *q = &r->rows[i];
        const char *path = sc->inputs[q->input].path;
        if (r->method == TCO_SENS_SOBOL)
            row(f, "sobol_total", path, q->value2, q->low2, q->high2);
        else
            row(f, tco_sens_name(r->method), path, q->value, q->low, q->high);
    }
    if (r->method == TCO_SENS_SOBOL)
        for (size_t i = 0; i < r->nrows; i++)
            row(f, "sobol_first", sc->inputs[r->rows[i].input].path, r->rows[i].value,
                r->rows[i].low, r->rows[i].high);
    for (size_t i = 0; i < r->nevppi; i++)
        row(f, "evppi", sc->inputs[r->evppi[i].input].path, r->evppi[i].value, NAN, NAN);
    row(f, "evpi", "(all)", r->evpi, NAN, NAN);
    row(f, "base", "(all)", r->base_mean, NAN, NAN);
    return ferror(f) ? TCO_EIO : TCO_OK;
}
