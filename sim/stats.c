#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double TCO_PCT[TCO_NPCT] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};
const double TCO_BAND[TCO_NBAND] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Hoare's selection (FIND, 1961) with a median-of-three pivot: afterwards
 * x[k] is the k-th smallest, smaller ones before it, larger ones after. */
#define DEFINE_SELECT(NAME, TYPE)                                                                \
    static void NAME(TYPE *x, size_t lo, size_t hi, size_t k)                                  \
    {                                                                                          \
        while (hi > lo) {                                                                      \
            size_t mid = lo + (hi - lo) / 2;                                                   \
            TYPE a = x[lo], b = x[mid], c = x[hi], pivot;                                      \
            pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b)); \
            size_t i = lo, j = hi;                                                             \
            while (i <= j) {                                                                   \
                while (x[i] < pivot)                                                           \
                    i++;                                                                       \
                while (x[j] > pivot)                                                           \
                    j--;                                                                       \
                if (i <= j) {                                                                  \
                    TYPE t = x[i];                                                             \
                    x[i] = x[j];                                                               \
                    x[j] = t;                                                                  \
                    i++;                                                                       \
                    if (j == 0)                                                                \
                        break;                                                                 \
                    j--;                                                                       \
                }                                                                              \
            }                                                                                  \
            if (k <= j)                                                                        \
                hi = j;                                                                        \
            else if (k >= i)                                                                   \
                lo = i;                                                                        \
            else                                                                               \
                return;                                                                        \
        }                                                                                      \
    }

DEFINE_SELECT(select_d, double)
DEFINE_SELECT(select_f, float)

/* Percentiles from successive selections: after selecting rank r, every
 * later rank lies in x[r..n), so each selection works on what is left. */
#define DEFINE_PERCENTILES(NAME, SELECT, TYPE)                                                 \
    void NAME(TYPE *x, size_t n, const double *p, size_t np, double *out)                     \
    {                                                                                          \
        size_t from = 0;                                                                       \
        for (size_t q = 0; q < np; q++) {                                                      \
            double h = (double)(n - 1) * p[q];                                                 \
            size_t r = (size_t)floor(h);                                                       \
            if (r >= n - 1)                                                                    \
                r = n - 1;                                                                     \
            if (r < from)                                                                      \
                r = from;                                                                      \
            SELECT(x, from, n - 1, r);                                                         \
            double lo = x[r], frac = h - (double)r;                                            \
            if (frac > 0 && r + 1 < n) {                                                       \
                /* The next order statistic is the smallest of x[r+1..n). */                   \
                TYPE next = x[r + 1];                                                          \
                for (size_t i = r + 2; i < n; i++)                                             \
                    if (x[i] < next)                                                           \
                        next = x[i];                                                           \
                out[q] = lo + frac * ((double)next - lo);                                      \
            } else {                                                                           \
                out[q] = lo;                                                                   \
            }                                                                                  \
            from = r;                                                                          \
        }                                                                                      \
    }

DEFINE_PERCENTILES(tco_stats_percentiles, select_d, double)
DEFINE_PERCENTILES(tco_stats_percentiles_f, select_f, float)

double tco_stats_cvar(double *x, size_t n, double alpha)
{
    size_t m = (size_t)ceil(alpha * (double)n - 1e-9);
    if (m < 1)
        m = 1;
    if (m > n)
        m = n;
    select_d(x, 0, n - 1, n - m);
    double s = 0;
    for (size_t i = n - m; i < n; i++)
        s += x[i];
    return s / (double)m;
}

void tco_results_free(tco_results *r)
{
    if (!r)
        return;
    for (size_t s = 0; r->st && s < r->S; s++) {
        free(r->st[s].monthly_mean);
        for (int b = 0; b < TCO_NBAND; b++)
            free(r->st[s].monthly_band[b]);
    }
    free(r->st);
    free(r);
}

static void summarize(const double *v, size_t n, double *scratch, tco_summary *out)
{
    double sum = 0, mn = HUGE_VAL, mx = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    out->mean = mean;
    out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    out->se = out->sd / sqrt((double)n);
    out->min = mn;
    out->max = mx;
    memcpy(scratch, v, n * sizeof *v);
    tco_stats_percentiles(scratch, n, TCO_PCT, TCO_NPCT, out->p);
    memcpy(scratch, v, n * sizeof *v);
    out->cvar95 = tco_stats_cvar(scratch, n, 0.05);
}

tco_status tco_results_compute(tco_results **out, const tco_run *run, tco_error *err)
{
    *out = NULL;
    size_t S = run->S, n = (size_t)run->n, T = (size_t)run->T;
    tco_results *r = calloc(1, sizeof *r);
    double *scratch = malloc(n * sizeof *scratch), *best = malloc(n * sizeof *best);
    if (!r || !scratch || !best || !(r->st = calloc(S, sizeof *r->st)))
        goto oom;
    r->S = S;
    r->T = run->T;
    r->n = run->n;
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &r->st[s];
        if (!(q->monthly_mean = malloc(T * sizeof *q->monthly_mean)))
            goto oom;
        for (int b = 0; b < TCO_NBAND; b++)
            if (!(q->monthly_band[b] = malloc(T * sizeof *q->monthly_band[b])))
                goto oom;
    }
    /* The cheapest NPV of each future, and ties split between strategies. */
    for (size_t i = 0; i < n; i++) {
        double m = run->npv[i];
        for (size_t s = 1; s < S; s++)
            m = run->npv[s * n + i] < m ? run->npv[s * n + i] : m;
        best[i] = m;
    }
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &r->st[s];
        const double *v = run->npv + s * n;
        summarize(v, n, scratch, &q->npv);
        double nom = 0, cheap = 0, regret = 0;
        for (size_t i = 0; i < n; i++) {
            nom += run->nominal[s * n + i];
            if (v[i] == best[i]) {
                int ties = 0;
                for (size_t o = 0; o < S; o++)
                    ties += run->npv[o * n + i] == best[i];
                cheap += 1.0 / ties;
            }
            scratch[i] = v[i] - best[i];
            regret += scratch[i];
        }
        q->nominal_mean = nom / (double)n;
        q->p_cheapest = cheap / (double)n;
        q->regret_mean = regret / (double)n;
        double p95 = 0.95;
        tco_stats_percentiles(scratch, n, &p95, 1, &q->regret_p95);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (run->breakeven[s * n + i] > 0)
                scratch[m++] = run->breakeven[s * n + i];
        q->breakeven_probability = (double)m / (double)n;
        double half = 0.5;
        if (m)
            tco_stats_percentiles(scratch, m, &half, 1, &q->breakeven_median);
        else
            q->breakeven_median = NAN;
        q->cost_per_mtok = run->cpm_mean[s];
        memcpy(q->monthly_mean, run->monthly_mean + s * T, T * sizeof *q->monthly_mean);
        for (int c = 0; c < 8; c++)
            q->cat[c] = run->cat_mean[s * 8 + (size_t)c];
    }
    /* Monthly bands: one selection per strategy and month, in parallel. */
    int failed = 0;
#pragma omp parallel num_threads(run->threads) shared(failed)
    {
        float *col = malloc(n * sizeof *col);
        if (!col) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t j = 0; j < S * T; j++) {
            if (!col)
                continue;
            double band[TCO_NBAND];
            memcpy(col, run->monthly + j * n, n * sizeof *col);
            tco_stats_percentiles_f(col, n, TCO_BAND, TCO_NBAND, band);
            for (int b = 0; b < TCO_NBAND; b++)
                r->st[j / T].monthly_band[b][j % T] = band[b];
        }
        free(col);
    }
    if (failed)
        goto oom;
    free(scratch);
    free(best);
    *out = r;
    return TCO_OK;
oom:
    free(scratch);
    free(best);
    tco_results_free(r);
    return tco_error_set(err, TCO_ENOMEM, "out of memory computing statistics");
}
