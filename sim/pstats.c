#include "pstats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The steps, each reduce the same on every part:
 *   1. the number of futures N and an allocation flag;
 *   2. exact sums of each strategy's NPVs, nominal costs, regrets and
 *      savings, the counts of futures that save, that tie the baseline,
 *      that are within budget and that are cheapest among k strategies;
 *   3. exact sums of squared deviations from the means of step 2;
 *   4. radix selections over 3S columns (the NPVs in place; regret,
 *      then savings, in one buffer of S columns): the type-7 ranks of
 *      TCO_PCT, and for NPV the min, the max and the threshold of CVaR95;
 *   5. CVaR95: the exact sum of the NPVs above the threshold and their
 *      count; the certainty equivalent's exact sum (the max from step 4).
 * Each statistic is then formed as tco_results_compute forms it (stats.c:
 * summarize, summarize_savings, summarize_strategy, tco_stats_p_cheapest,
 * tco_stats_cvar, tco_stats_ce). */

/* Sums xs[0..m) over every part: their lanes reduced together, up to
 * XSUM_GROUP at a time. */
#define XSUM_W (TCO_XSUM_LANES + 3)
#define XSUM_GROUP 4

/* The adds of l (flushed) into x, exactly; l is set up for new adds. */
static void large_into(tco_xsum_large *l, tco_xsum *x)
{
    tco_xsum_large_flush(l);
    tco_xsum_merge(x, &l->sum);
    tco_xsum_large_init(l);
}

static void xsum_reduce_all(tco_xsum *xs, size_t m, tco_select_reduce reduce, void *ctx)
{
    uint64_t buf[XSUM_GROUP * XSUM_W];
    for (size_t g = 0; reduce && g < m; g += XSUM_GROUP) {
        size_t k = m - g < XSUM_GROUP ? m - g : XSUM_GROUP;
        for (size_t j = 0; j < k; j++) {
            tco_xsum *a = &xs[g + j];
            tco_xsum_carry(a);
            for (int i = 0; i < TCO_XSUM_LANES; i++)
                buf[j * XSUM_W + (size_t)i] = (uint64_t)a->lane[i];
            buf[j * XSUM_W + TCO_XSUM_LANES] = a->pinf;
            buf[j * XSUM_W + TCO_XSUM_LANES + 1] = a->ninf;
            buf[j * XSUM_W + TCO_XSUM_LANES + 2] = a->nan;
        }
        reduce(ctx, buf, k * XSUM_W);
        for (size_t j = 0; j < k; j++) {
            tco_xsum *a = &xs[g + j];
            for (int i = 0; i < TCO_XSUM_LANES; i++) {
                uint64_t u = buf[j * XSUM_W + (size_t)i];
                a->lane[i] = u > (uint64_t)INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
            }
            a->pinf = buf[j * XSUM_W + TCO_XSUM_LANES];
            a->ninf = buf[j * XSUM_W + TCO_XSUM_LANES + 1];
            a->nan = buf[j * XSUM_W + TCO_XSUM_LANES + 2];
            a->adds = 0;
            tco_xsum_carry(a);
        }
    }
}

static void reduce_counts(uint64_t *c, size_t m, tco_select_reduce reduce, void *ctx)
{
    for (size_t off = 0; reduce && off < m; off += (size_t)1 << 16)
        reduce(ctx, c + off, m - off < ((size_t)1 << 16) ? m - off : (size_t)1 << 16);
}

/* Sorted distinct union of a[0..na) and b[0..nb), both ascending, into
 * out; returns its count. */
static size_t merge_ranks(const size_t *a, size_t na, const size_t *b, size_t nb, size_t *out)
{
    size_t i = 0, j = 0, m = 0;
    while (i < na || j < nb) {
        size_t v = j >= nb || (i < na && a[i] <= b[j]) ? a[i++] : b[j++];
        if (m == 0 || out[m - 1] != v)
            out[m++] = v;
    }
    return m;
}

static size_t rank_index(const size_t *r, size_t nr, size_t k)
{
    size_t j = 0;
    while (j < nr && r[j] != k)
        j++;
    return j;
}

/* Type-7 percentiles from the selected values of one column: sel holds
 * the values of all[0..nall) ranks; the type-7 ranks t7[0..n7) are among
 * them. */
static void type7_from(size_t N, const size_t *t7, size_t n7, const size_t *all, size_t nall,
                       const double *sel, double *out)
{
    double vals[2 * TCO_NPCT];
    for (size_t j = 0; j < n7; j++)
        vals[j] = sel[rank_index(all, nall, t7[j])];
    for (size_t q = 0; q < TCO_NPCT; q++)
        out[q] = tco_select_type7_value(N, TCO_PCT[q], t7, n7, vals);
}

tco_status tco_pstats_compute(const double *npv, const double *nominal, size_t n, size_t ld, size_t S,
                              const tco_scenario *sc, tco_select_reduce reduce, void *ctx,
                              tco_strategy_result *st, int *best, double *evpi,
                              tco_error *err)
{
    /* 0 npv, 1 nominal, 2 regret, 3 savings; then 4 npv squares, 5
     * savings squares; 6 CVaR, 7 certainty equivalent. */
    enum { X_NPV, X_NOM, X_REG, X_SAV, X_NSQ, X_SSQ, X_CVAR, X_CE, NX };
    /* counts: S x S cheapest among k, then per strategy: saves, same,
     * within budget, above CVaR's threshold. */
    enum { C_SAVES, C_SAME, C_BUDGET, C_ABOVE, NC };
    if (S == 0)
        return tco_error_set(err, TCO_EINVAL, "statistics of no strategies");
    /* One kind of column at a time (regret, then savings); the NPVs are
     * selected where they are. */
    double *col = malloc((S * n > 0 ? S * n : 1) * sizeof *col);
    double *cheap = malloc((n > 0 ? n : 1) * sizeof *cheap);
    tco_xsum *xs = malloc(S * NX * sizeof *xs);
    uint64_t *cnt = calloc(S * S + S * NC, sizeof *cnt);
    /* Large accumulators in front of the sums added in one pass (4 at
     * most), set up again by large_into. */
    tco_xsum_large *lg = malloc(4 * sizeof *lg);
    double *sel = NULL;
    tco_status status = TCO_OK;
    uint64_t head[2] = {n, !col || !cheap || !xs || !cnt || !lg};
    reduce_counts(head, 2, reduce, ctx);
    if (head[1]) {
        status = tco_error_set(err, TCO_ENOMEM, "out of memory for the statistics");
        goto done;
    }
    if (head[0] == 0) {
        status = tco_error_set(err, TCO_EINVAL, "statistics of no futures");
        goto done;
    }
    const size_t N = (size_t)head[0];
    const double rt = sc ? sc->risk_tolerance : 0, budget = sc ? sc->budget : NAN;
    /* The cheapest NPV of each future, and its ties. */
    for (size_t i = 0; i < n; i++)
        cheap[i] = tco_stats_cheapest(npv, ld, S, i, cnt);
    uint64_t *per = cnt + S * S;
    for (int k = 0; k < 4; k++)
        tco_xsum_large_init(&lg[k]);
    for (size_t s = 0; s < S; s++) {
        const double *v = npv + s * ld;
        tco_xsum *x = xs + s * NX;
        for (int k = 0; k < NX; k++)
            tco_xsum_init(&x[k]);
        for (size_t i = 0; i < n; i++) {
            double cr = v[i] - cheap[i], cs = npv[i] - v[i];
            tco_xsum_large_add(&lg[X_NPV], v[i]);
            tco_xsum_large_add(&lg[X_REG], cr);
            tco_xsum_large_add(&lg[X_SAV], cs);
            if (nominal)
                tco_xsum_large_add(&lg[X_NOM], nominal[s * ld + i]);
            per[s * NC + C_SAVES] += cs > 0;
            per[s * NC + C_SAME] += npv[i] == v[i];
            per[s * NC + C_BUDGET] += v[i] <= budget;
        }
        for (int k = X_NPV; k <= X_SAV; k++)
            large_into(&lg[k], &x[k]);
    }
    /* Step 2: the sums of every strategy (X_NPV..X_SAV) and the counts. */
    for (size_t s = 0; s < S; s++)
        xsum_reduce_all(xs + s * NX, 4, reduce, ctx);
    reduce_counts(cnt, S * S + S * NC, reduce, ctx);
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &st[s];
        tco_xsum *x = xs + s * NX;
        q->npv.mean = tco_xsum_value(&x[X_NPV]) / (double)N;
        q->nominal_mean = nominal ? tco_xsum_value(&x[X_NOM]) / (double)N : NAN;
        q->regret_mean = tco_xsum_value(&x[X_REG]) / (double)N;
        q->savings.mean = tco_xsum_value(&x[X_SAV]) / (double)N;
        q->savings.p_saves = (double)per[s * NC + C_SAVES] / (double)N;
        q->savings.identical = (double)per[s * NC + C_SAME] / (double)N;
        q->savings.p_saves_more = NAN;
        q->p_within_budget = isnan(budget) ? NAN : (double)per[s * NC + C_BUDGET] / (double)N;
        tco_xsum a;
        tco_xsum_init(&a);
        for (size_t k = 1; k <= S; k++)
            tco_xsum_add_times(&a, 1.0 / (double)k, cnt[s * S + k - 1]);
        q->p_cheapest = tco_xsum_value(&a) / (double)N;
    }
    /* Step 3: squared deviations. */
    for (size_t s = 0; s < S; s++) {
        const double *v = npv + s * ld;
        double m = st[s].npv.mean, ms = st[s].savings.mean;
        tco_xsum *x = xs + s * NX;
        for (size_t i = 0; i < n; i++) {
            double cs = npv[i] - v[i];
            tco_xsum_large_add(&lg[0], (v[i] - m) * (v[i] - m));
            tco_xsum_large_add(&lg[1], (cs - ms) * (cs - ms));
        }
        large_into(&lg[0], &x[X_NSQ]);
        large_into(&lg[1], &x[X_SSQ]);
        xsum_reduce_all(x + X_NSQ, 2, reduce, ctx);
        double ss = tco_xsum_value(&x[X_NSQ]), sss = tco_xsum_value(&x[X_SSQ]);
        tco_summary *o = &st[s].npv;
        o->sd = N > 1 ? sqrt(ss / (double)(N - 1)) : 0;
        o->se = o->sd / sqrt((double)N);
        double se = N > 1 ? sqrt(sss / (double)(N - 1)) / sqrt((double)N) : 0;
        st[s].savings.ci_low = st[s].savings.mean - 1.96 * se;
        st[s].savings.ci_high = st[s].savings.mean + 1.96 * se;
    }
    /* Step 4: one selection.  CVaR95: the m largest, m = ceil(0.05 N). */
    size_t m = (size_t)ceil(0.05 * (double)N - 1e-9);
    m = m < 1 ? 1 : m > N ? N : m;
    size_t t7[2 * TCO_NPCT], ext[3] = {0, N - m, N - 1}, all[2 * TCO_NPCT + 3];
    size_t n7 = tco_select_type7_ranks(N, TCO_PCT, TCO_NPCT, t7);
    size_t nall = merge_ranks(t7, n7, ext, 3, all);
    /* A failure on any part is agreed: every part takes the same path. */
    sel = malloc(3 * S * nall * sizeof *sel);
    uint64_t fail = !sel;
    reduce_counts(&fail, 1, reduce, ctx);
    if (fail) {
        status = tco_error_set(err, TCO_ENOMEM, "out of memory for the statistics");
        goto done;
    }
    /* NPV (s), regret (S + s), savings (2S + s): three selections. */
    if ((status = tco_select_ranks_d(npv, n, S, ld, all, nall, sel, reduce, ctx, err)))
        goto done;
    for (size_t s = 0; s < S; s++)
        for (size_t i = 0; i < n; i++)
            col[s * n + i] = npv[s * ld + i] - cheap[i];
    if ((status = tco_select_ranks_d(col, n, S, n, all, nall, sel + S * nall, reduce, ctx, err)))
        goto done;
    for (size_t s = 0; s < S; s++)
        for (size_t i = 0; i < n; i++)
            col[s * n + i] = npv[i] - npv[s * ld + i];
    if ((status =
             tco_select_ranks_d(col, n, S, n, all, nall, sel + 2 * S * nall, reduce, ctx, err)))
        goto done;
    size_t jmin = rank_index(all, nall, 0), jmax = rank_index(all, nall, N - 1),
           jcv = rank_index(all, nall, N - m);
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &st[s];
        const double *sn = sel + s * nall;
        q->npv.min = sn[jmin];
        q->npv.max = sn[jmax];
        type7_from(N, t7, n7, all, nall, sn, q->npv.p);
        double rp[TCO_NPCT];
        type7_from(N, t7, n7, all, nall, sel + (S + s) * nall, rp);
        q->regret_p95 = rp[TCO_NPCT - 1];
        type7_from(N, t7, n7, all, nall, sel + (2 * S + s) * nall, q->savings.p);
        /* Step 5: CVaR's values above the threshold; the certainty
         * equivalent's terms. */
        const double *v = npv + s * ld;
        uint64_t kt = tco_select_key_d(sn[jcv]);
        tco_xsum *x = xs + s * NX;
        for (size_t i = 0; i < n; i++) {
            if (tco_select_key_d(v[i]) > kt) {
                tco_xsum_large_add(&lg[0], v[i]);
                per[s * NC + C_ABOVE]++;
            }
            if (rt > 0)
                tco_xsum_large_add(&lg[1], exp((v[i] - q->npv.max) / rt));
        }
        large_into(&lg[0], &x[X_CVAR]);
        large_into(&lg[1], &x[X_CE]);
    }
    for (size_t s = 0; s < S; s++) {
        tco_strategy_result *q = &st[s];
        tco_xsum *x = xs + s * NX;
        xsum_reduce_all(x + X_CVAR, 2, reduce, ctx);
        uint64_t above = per[s * NC + C_ABOVE];
        reduce_counts(&above, 1, reduce, ctx);
        tco_xsum_add_times(&x[X_CVAR], sel[s * nall + jcv], m - above);
        q->npv.cvar95 = tco_xsum_value(&x[X_CVAR]) / (double)m;
        q->ce = rt > 0 ? q->npv.max + rt * log(tco_xsum_value(&x[X_CE]) / (double)N) : NAN;
        q->criterion_value =
            tco_stats_criterion_value(sc ? sc->criterion : TCO_CRIT_MEAN, q);
    }
    double *means = sel; /* the selected values are no longer needed */
    for (size_t s = 0; s < S; s++)
        means[s] = st[s].npv.mean;
    *best = tco_stats_best_mean(means, S);
    *evpi = *best < 0 ? NAN : st[*best].regret_mean;
done:
    free(col);
    free(cheap);
    free(xs);
    free(cnt);
    free(lg);
    free(sel);
    return status;
}

tco_status tco_pstats_pairwise(const double *npv, size_t n, size_t ld, size_t S, tco_select_reduce reduce,
                               void *ctx, double *p_cheaper, double *identical,
                               double *mean_abs_diff, double *diff_se, tco_error *err)
{
    /* Pair k = (a, b), a < b, in row order: counts a < b, a > b, a == b;
     * the sums of the differences and of their absolute values; the
     * squares. */
    size_t P = S * (S > 0 ? S - 1 : 0) / 2;
    uint64_t *cnt = calloc(3 * P + 2, sizeof *cnt);
    tco_xsum *xs = malloc((3 * P > 0 ? 3 * P : 1) * sizeof *xs);
    tco_xsum_large *lg = malloc(sizeof *lg);
    tco_status status = TCO_OK;
    uint64_t head[2] = {n, !cnt || !xs || !lg};
    reduce_counts(head, 2, reduce, ctx);
    if (head[1]) {
        status = tco_error_set(err, TCO_ENOMEM, "out of memory for the pairwise statistics");
        goto done;
    }
    if (head[0] == 0) {
        status = tco_error_set(err, TCO_EINVAL, "statistics of no futures");
        goto done;
    }
    const size_t N = (size_t)head[0];
    for (size_t a = 0, k = 0; a < S; a++)
        for (size_t b = a + 1; b < S; b++, k++) {
            const double *x = npv + a * ld, *y = npv + b * ld;
            tco_xsum_large_init(lg);
            for (size_t i = 0; i < n; i++) {
                cnt[3 * k] += x[i] < y[i];
                cnt[3 * k + 1] += x[i] > y[i];
                cnt[3 * k + 2] += x[i] == y[i];
                tco_xsum_large_add(lg, x[i] - y[i]);
            }
            tco_xsum_large_flush(lg);
            xs[2 * k] = lg->sum;
            xs[2 * k + 1] = lg->abs;
        }
    reduce_counts(cnt, 3 * P, reduce, ctx);
    xsum_reduce_all(xs, 2 * P, reduce, ctx);
    for (size_t i = 0; i < S * S; i++)
        p_cheaper[i] = identical[i] = mean_abs_diff[i] = diff_se[i] = 0;
    for (size_t a = 0; a < S; a++)
        identical[a * S + a] = 1;
    /* The means, then the squares about them (into xs[2P..3P)). */
    for (size_t a = 0, k = 0; a < S; a++)
        for (size_t b = a + 1; b < S; b++, k++) {
            const double *x = npv + a * ld, *y = npv + b * ld;
            double m = tco_xsum_value(&xs[2 * k]) / (double)N;
            mean_abs_diff[a * S + b] = mean_abs_diff[b * S + a] =
                tco_xsum_value(&xs[2 * k + 1]) / (double)N;
            p_cheaper[a * S + b] = (double)cnt[3 * k] / (double)N;
            p_cheaper[b * S + a] = (double)cnt[3 * k + 1] / (double)N;
            identical[a * S + b] = identical[b * S + a] = (double)cnt[3 * k + 2] / (double)N;
            tco_xsum *xss = &xs[2 * P + k];
            tco_xsum_init(xss);
            tco_xsum_large_init(lg);
            for (size_t i = 0; i < n; i++)
                tco_xsum_large_add(lg, (x[i] - y[i] - m) * (x[i] - y[i] - m));
            large_into(lg, xss);
        }
    xsum_reduce_all(xs + 2 * P, P, reduce, ctx);
    for (size_t a = 0, k = 0; a < S; a++)
        for (size_t b = a + 1; b < S; b++, k++) {
            double ss = tco_xsum_value(&xs[2 * P + k]);
            double se = N > 1 ? sqrt(ss / (double)(N - 1)) / sqrt((double)N) : 0;
            diff_se[a * S + b] = diff_se[b * S + a] = se;
        }
done:
    free(cnt);
    free(xs);
    free(lg);
    return status;
}
