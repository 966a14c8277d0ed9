/* NPV statistics from a partition of the futures (pstats.h): the futures
 * of a run cut into 1 to 4 uneven parts (some empty), each part on its own
 * thread with only its own futures, the counts summed by a barrier-based
 * reduce as MPI_Allreduce would.  Every part's statistics must equal
 * tco_results_compute's over the whole run bit for bit: on runs of the
 * bundled scenarios (1, 2 and 1001 futures) and on arrays made to have
 * ties, exact cancellation and zeros of both signs.  The pairwise
 * matrices likewise (tco_pstats_pairwise), and the S-curves by selection
 * (select.h) as tco_stats_npv_curves gives them, and the decision
 * (tco_decision_compute) from them all.  Then spread runs (engine.h, as
 * tcosim-mpi makes them): copies of one run, each holding a part of its
 * futures, give results.json's text, P(saves more than x), the S-curves,
 * the savings curves and the density bins of the whole run. */
#include "testutil.h"
#include "handrun.h"
#include "world.h"

#include "../sim/decision.h"
#include "../sim/engine.h"
#include "../sim/output.h"
#include "../sim/pstats.h"
#include "../sim/rng.h"
#include "../sim/scenario.h"
#include "../sim/stats.h"

#include <pthread.h>
#include <stdint.h>

#define WORLD_MAX 4
#define NCURVE 201 /* an S-curve's probabilities: 0, 1/200, ..., 1 */

static double curve_p[NCURVE];

static void curve_init(void)
{
    for (int i = 0; i < NCURVE; i++)
        curve_p[i] = (double)i / (NCURVE - 1);
}

typedef struct {
    world *w;
    const double *npv, *nominal;
    size_t n, S;
    const tco_scenario *sc;
    tco_strategy_result *st;
    double *pair; /* 4 x S x S: p_cheaper, identical, mean_abs_diff, diff_se */
    double *curve; /* S x NCURVE: the S-curves (select.h, as tco_stats_npv_curves) */
    int best;
    double evpi;
    tco_status status;
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    tco_error err;
    j->status = tco_pstats_compute(j->npv, j->nominal, j->n, j->n, j->S, j->sc,
                                   j->w ? world_reduce : NULL, j->w, j->st, &j->best,
                                   &j->evpi, &err);
    if (j->status == TCO_OK) {
        size_t SS = j->S * j->S;
        j->status = tco_pstats_pairwise(j->npv, j->n, j->n, j->S, j->w ? world_reduce : NULL, j->w,
                                        j->pair, j->pair + SS, j->pair + 2 * SS,
                                        j->pair + 3 * SS, &err);
    }
    if (j->status == TCO_OK)
        j->status = tco_select_percentiles_d(j->npv, j->n, j->S, j->n, curve_p, NCURVE,
                                             j->curve, j->w ? world_reduce : NULL, j->w, &err);
    return NULL;
}

/* Bits equal; with zeros_either, zeros of either sign count as equal (an
 * order statistic among zeros of both signs, pstats.h). */
static void same(double a, double b, int zeros_either, const char *what, size_t s)
{
    if (zeros_either && a == 0 && b == 0)
        return;
    ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s of strategy %zu: %a against %a", what, s,
                  a, b);
}

/* Every covered field of st (one part's) against r's. */
static void check_against(const tco_results *r, const tco_strategy_result *st, int best,
                          double evpi, int nominal, int zeros_either)
{
    ck_assert_int_eq(best, r->best);
    same(evpi, r->evpi, 0, "evpi", 0);
    for (size_t s = 0; s < r->S; s++) {
        const tco_strategy_result *a = &st[s], *b = &r->st[s];
        int z = zeros_either;
        same(a->npv.mean, b->npv.mean, 0, "mean", s);
        same(a->npv.sd, b->npv.sd, 0, "sd", s);
        same(a->npv.se, b->npv.se, 0, "se", s);
        for (int q = 0; q < TCO_NPCT; q++) {
            same(a->npv.p[q], b->npv.p[q], z, "percentile", s);
            same(a->savings.p[q], b->savings.p[q], z, "savings percentile", s);
        }
        same(a->npv.cvar95, b->npv.cvar95, 0, "CVaR95", s);
        same(a->npv.min, b->npv.min, z, "min", s);
        same(a->npv.max, b->npv.max, z, "max", s);
        if (nominal)
            same(a->nominal_mean, b->nominal_mean, 0, "nominal mean", s);
        same(a->p_cheapest, b->p_cheapest, 0, "p_cheapest", s);
        same(a->regret_mean, b->regret_mean, 0, "regret mean", s);
        same(a->regret_p95, b->regret_p95, z, "regret P95", s);
        same(a->savings.mean, b->savings.mean, 0, "savings mean", s);
        same(a->savings.ci_low, b->savings.ci_low, 0, "savings ci_low", s);
        same(a->savings.ci_high, b->savings.ci_high, 0, "savings ci_high", s);
        same(a->savings.p_saves, b->savings.p_saves, 0, "p_saves", s);
        same(a->savings.identical, b->savings.identical, 0, "identical", s);
        same(a->savings.p_saves_more, b->savings.p_saves_more, 0, "p_saves_more", s);
        same(a->ce, b->ce, z, "certainty equivalent", s);
        same(a->p_within_budget, b->p_within_budget, 0, "p_within_budget", s);
        same(a->criterion_value, b->criterion_value, z, "criterion value", s);
    }
}

/* Cuts futures [0, n) at cut[0..P-1) (ascending, may repeat: empty parts),
 * runs every part on its own thread with its own copy of its futures, and
 * checks every part's statistics against r's. */
static void run_parts(const tco_results *r, const double *curve, const double *npv,
                      const double *nominal, size_t n, size_t S, const tco_scenario *sc, int P,
                      const size_t *cut, int zeros_either)
{
    static world w;
    job jobs[WORLD_MAX];
    pthread_t th[WORLD_MAX];
    double *part[WORLD_MAX], *pnom[WORLD_MAX];
    ck_assert_int_le(P, WORLD_MAX);
    world_init(&w, P);
    for (int q = 0; q < P; q++) {
        size_t a = q ? cut[q - 1] : 0, b = q + 1 < P ? cut[q] : n, m = b - a;
        part[q] = malloc((m * S > 0 ? m * S : 1) * sizeof *part[q]);
        pnom[q] = malloc((m * S > 0 ? m * S : 1) * sizeof *pnom[q]);
        ck_assert(part[q] && pnom[q]);
        for (size_t s = 0; s < S; s++)
            for (size_t i = 0; i < m; i++) {
                part[q][s * m + i] = npv[s * n + a + i];
                if (nominal)
                    pnom[q][s * m + i] = nominal[s * n + a + i];
            }
        jobs[q] = (job){.w = P > 1 ? &w : NULL, .npv = part[q],
                        .nominal = nominal ? pnom[q] : NULL, .n = m, .S = S, .sc = sc,
                        .st = calloc(S, sizeof(tco_strategy_result)),
                        .pair = malloc(4 * S * S * sizeof(double)),
                        .curve = malloc(S * NCURVE * sizeof(double))};
        ck_assert(jobs[q].st && jobs[q].pair && jobs[q].curve);
        ck_assert_int_eq(pthread_create(&th[q], NULL, job_run, &jobs[q]), 0);
    }
    for (int q = 0; q < P; q++)
        pthread_join(th[q], NULL);
    for (int q = 0; q < P; q++) {
        ck_assert_int_eq(jobs[q].status, TCO_OK);
        check_against(r, jobs[q].st, jobs[q].best, jobs[q].evpi, nominal != NULL, zeros_either);
        /* Every part the same bits, zeros' signs included. */
        ck_assert_mem_eq(jobs[q].st, jobs[0].st, S * sizeof(tco_strategy_result));
        const double *pr = jobs[q].pair;
        for (size_t k = 0; k < S * S; k++) {
            same(pr[k], r->p_cheaper[k], 0, "p_cheaper", k);
            same(pr[S * S + k], r->identical[k], 0, "identical", k);
            same(pr[2 * S * S + k], r->mean_abs_diff[k], 0, "mean |a - b|", k);
            same(pr[3 * S * S + k], r->diff_se[k], 0, "SE of a - b", k);
        }
        /* The decision from the parts' statistics and matrices. */
        tco_results rr;
        memset(&rr, 0, sizeof rr);
        rr.S = S;
        rr.n = r->n;
        rr.st = jobs[q].st;
        rr.best = jobs[q].best;
        rr.evpi = jobs[q].evpi;
        rr.criterion = r->criterion;
        double cv[64];
        ck_assert_uint_le(S, 64);
        for (size_t k = 0; k < S; k++)
            cv[k] = jobs[q].st[k].criterion_value;
        rr.recommended = tco_stats_best_mean(cv, S);
        ck_assert_int_eq(rr.recommended, r->recommended);
        rr.p_cheaper = jobs[q].pair;
        rr.identical = jobs[q].pair + S * S;
        rr.mean_abs_diff = jobs[q].pair + 2 * S * S;
        rr.diff_se = jobs[q].pair + 3 * S * S;
        tco_decision d;
        tco_decision_compute(&d, &rr);
        if (!zeros_either)
            ck_assert_mem_eq(&d, &r->decision, sizeof d);
        for (size_t k = 0; curve && k < S * NCURVE; k++)
            same(jobs[q].curve[k], curve[k], 0, "S-curve point", k / NCURVE);
    }
    for (int q = 0; q < P; q++) {
        free(jobs[q].st);
        free(jobs[q].pair);
        free(jobs[q].curve);
        free(part[q]);
        free(pnom[q]);
    }
    world_destroy(&w);
}

/* The cuts tried for n futures: one part; two; three with an empty one;
 * four uneven with empty ones at both ends. */
static void every_partition(const tco_results *r, const double *curve, const double *npv,
                            const double *nominal, size_t n, size_t S, const tco_scenario *sc,
                            int zeros_either)
{
    run_parts(r, curve, npv, nominal, n, S, sc, 1, NULL, zeros_either);
    size_t two[1] = {n / 3};
    run_parts(r, curve, npv, nominal, n, S, sc, 2, two, zeros_either);
    size_t three[2] = {n / 2, n / 2};
    run_parts(r, curve, npv, nominal, n, S, sc, 3, three, zeros_either);
    size_t four[3] = {0, n > 1 ? 1 : n, n};
    run_parts(r, curve, npv, nominal, n, S, sc, 4, four, zeros_either);
    size_t four2[3] = {n / 7, n / 7 + (n > 3 ? 3 : 0), n - n / 5};
    run_parts(r, curve, npv, nominal, n, S, sc, 4, four2, zeros_either);
}

/* Runs of the bundled scenarios. */
static void on_scenario(const char *path, long futures, double rt, double budget)
{
    tco_scenario *sc;
    tco_error err;
    ck_assert_msg(tco_scenario_load(&sc, path, NULL, &err) == TCO_OK, "%s", err.msg);
    if (!isnan(rt))
        sc->risk_tolerance = rt;
    if (!isnan(budget))
        sc->budget = budget;
    tco_run_options opt = {0};
    opt.futures = futures;
    tco_run *run;
    ck_assert_msg(tco_run_execute(&run, sc, &opt, &err) == TCO_OK, "%s", err.msg);
    tco_results *r;
    ck_assert_int_eq(tco_results_compute(&r, run, &err), TCO_OK);
    double *curve = malloc(run->S * NCURVE * sizeof *curve);
    ck_assert_ptr_nonnull(curve);
    ck_assert_int_eq(tco_stats_npv_curves(run, curve_p, NCURVE, curve, &err), TCO_OK);
    every_partition(r, curve, run->npv, run->nominal, (size_t)run->n, run->S, sc, 0);
    free(curve);
    tco_results_free(r);
    tco_run_free(run);
    tco_scenario_free(sc);
}

START_TEST(test_bundled_scenarios)
{
    static const char *const files[] = {"scenarios/baseline.yaml", "scenarios/crossover.yaml",
                                        "scenarios/extraction.yaml", "scenarios/owned.yaml",
                                        "scenarios/regulated.yaml"};
    static const long futures[] = {1, 2, 1001};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++)
        for (size_t k = 0; k < 3; k++)
            on_scenario(files[f], futures[k], NAN, NAN);
}
END_TEST

/* ---- spread runs ---- */

#define NSAV 101
#define NBIN 60

typedef struct {
    tco_run run; /* a shallow copy of the whole run, spread over [first, last) */
    tco_run_reduce red;
    double *curves, *curve1, *sav, *dens;
    char *json;
    size_t jlen;
    tco_status status;
} spread_job;

/* What every part computes, as rank 0 of tcosim-mpi would (tco_run_serve
 * on the others: the same calls). */
static void spread_stats(const tco_run *run, double *curves, double *curve1, double *sav,
                         double *dens, char **json, size_t *jlen, tco_status *status)
{
    tco_error err;
    tco_results *r = NULL;
    *status = tco_results_compute(&r, run, &err);
    if (*status == TCO_OK) {
        tco_results_set_saves_more_than(r, run, 1e5);
        tco_report rep = {run->sc, run, r, NULL};
        FILE *f = open_memstream(json, jlen);
        tco_write_json(f, &rep);
        fclose(f);
        *status = tco_stats_npv_curves(run, curve_p, NCURVE, curves, &err);
    }
    if (*status == TCO_OK)
        *status = tco_stats_npv_curve(run, run->S - 1, curve_p, NCURVE, curve1, &err);
    if (*status == TCO_OK)
        *status = tco_stats_savings_curves(run, curve_p, NSAV, sav, &err);
    if (*status == TCO_OK)
        tco_stats_npv_density(run, -2e6, 9e6, NBIN, dens);
    tco_results_free(r);
}

static void *spread_run(void *arg)
{
    spread_job *j = arg;
    spread_stats(&j->run, j->curves, j->curve1, j->sav, j->dens, &j->json, &j->jlen,
                 &j->status);
    return NULL;
}

/* The run cut at cuts[0..P-1) (futures), each part on its own thread;
 * with grid, the parts keep their curves (engine.h, tco_run's grid): the
 * S-curves, the single one and the savings curves then come from one
 * selection of each kind. */
static void spread_parts(const tco_run *whole, int P, const size_t *cuts, int grid)
{
    size_t S = whole->S, n = (size_t)whole->n;
    double *curves = malloc(S * NCURVE * sizeof *curves), curve1[NCURVE];
    double *sav = calloc(S * NSAV, sizeof *sav), *dens = malloc(S * NBIN * sizeof *dens);
    char *json = NULL;
    size_t jlen = 0;
    tco_status st;
    ck_assert_ptr_nonnull(curves);
    ck_assert_ptr_nonnull(sav);
    ck_assert_ptr_nonnull(dens);
    spread_stats(whole, curves, curve1, sav, dens, &json, &jlen, &st);
    ck_assert_int_eq(st, TCO_OK);
    static world w; /* large: not on the stack */
    world_init(&w, P);
    spread_job jobs[WORLD_MAX];
    pthread_t th[WORLD_MAX];
    for (int q = 0; q < P; q++) {
        spread_job *j = &jobs[q];
        memset(j, 0, sizeof *j);
        j->red = (tco_run_reduce){NULL, world_agree, world_reduce, &w};
        j->run = *whole;
        j->run.spread = 1;
        j->run.first = q == 0 ? 0 : (long)cuts[q - 1];
        j->run.last = q == P - 1 ? (long)n : (long)cuts[q];
        j->run.reduce = &j->red;
        j->run.grid = grid ? calloc(2 * S * TCO_GRID + 2, sizeof *j->run.grid) : NULL;
        ck_assert(!grid || j->run.grid);
        j->curves = malloc(S * NCURVE * sizeof *j->curves);
        j->curve1 = malloc(NCURVE * sizeof *j->curve1);
        j->sav = calloc(S * NSAV, sizeof *j->sav);
        j->dens = malloc(S * NBIN * sizeof *j->dens);
        ck_assert(j->curves && j->curve1 && j->sav && j->dens);
        pthread_create(&th[q], NULL, spread_run, j);
    }
    for (int q = 0; q < P; q++)
        pthread_join(th[q], NULL);
    for (int q = 0; q < P; q++) {
        spread_job *j = &jobs[q];
        ck_assert_int_eq(j->status, TCO_OK);
        ck_assert_msg(j->jlen == jlen && memcmp(j->json, json, jlen) == 0,
                      "part %d of %d: results.json differs", q, P);
        for (size_t k = 0; k < S * NCURVE; k++)
            same(j->curves[k], curves[k], 0, "S-curve point", k / NCURVE);
        for (size_t k = 0; k < NCURVE; k++)
            same(j->curve1[k], curve1[k], 0, "S-curve point", S - 1);
        for (size_t k = 0; k < S * NSAV; k++)
            same(j->sav[k], sav[k], 0, "savings curve point", k / NSAV);
        for (size_t k = 0; k < S * NBIN; k++)
            same(j->dens[k], dens[k], 0, "density bin", k / NBIN);
        free(j->curves);
        free(j->curve1);
        free(j->sav);
        free(j->dens);
        free(j->json);
        if (grid) /* both kinds kept */
            ck_assert(j->run.grid[2 * S * TCO_GRID] == 1 &&
                      (S < 2 || j->run.grid[2 * S * TCO_GRID + 1] == 1));
        free(j->run.grid);
    }
    world_destroy(&w);
    free(curves);
    free(sav);
    free(dens);
    free(json);
}

/* The monthly costs stored, every part holds them all: its bands come from
 * them; everything else reads only its own futures.  The whole run's
 * break-even and route changes come from its per-future months, a spread
 * run's from their counts. */
START_TEST(test_spread_runs)
{
    static const char *const files[] = {"scenarios/baseline.yaml", "scenarios/regulated.yaml"};
    static const long futures[] = {1, 1001};
    for (size_t f = 0; f < 2; f++)
        for (size_t k = 0; k < 2; k++) {
            tco_scenario *sc;
            tco_error err;
            ck_assert_msg(tco_scenario_load(&sc, files[f], NULL, &err) == TCO_OK, "%s", err.msg);
            tco_run_options opt = {0};
            opt.futures = futures[k];
            tco_run *run;
            ck_assert_msg(tco_run_execute(&run, sc, &opt, &err) == TCO_OK, "%s", err.msg);
            ck_assert_ptr_nonnull(run->monthly);
            ck_assert_ptr_nonnull(run->breakeven);
            size_t n = (size_t)run->n;
            spread_parts(run, 1, NULL, 0);
            size_t two[1] = {n / 3};
            spread_parts(run, 2, two, 1);
            size_t four[3] = {0, n / 2, n};
            spread_parts(run, 4, four, 0);
            spread_parts(run, 4, four, 1);
            tco_run_free(run);
            tco_scenario_free(sc);
        }
}
END_TEST

/* The certainty equivalent and the budget, set on a run. */
START_TEST(test_criteria)
{
    on_scenario("scenarios/baseline.yaml", 1001, 2e6, 5e6);
    tco_scenario *sc;
    tco_error err;
    ck_assert_int_eq(tco_scenario_load(&sc, "scenarios/baseline.yaml", NULL, &err), TCO_OK);
    for (int c = 0; c < TCO_NCRIT; c++) {
        sc->criterion = (tco_criterion)c;
        sc->risk_tolerance = 3e6;
        tco_run_options opt = {0};
        opt.futures = 257;
        tco_run *run;
        ck_assert_int_eq(tco_run_execute(&run, sc, &opt, &err), TCO_OK);
        tco_results *r;
        ck_assert_int_eq(tco_results_compute(&r, run, &err), TCO_OK);
        every_partition(r, NULL, run->npv, run->nominal, (size_t)run->n, run->S, sc, 0);
        tco_results_free(r);
        tco_run_free(run);
    }
    tco_scenario_free(sc);
}
END_TEST

/* tco_results_compute over hand-made arrays (its run holds only what the
 * NPV statistics read, plus zeroed months). */
static tco_results *compute(const tco_scenario *sc, const double *npv, const double *nominal,
                            size_t S, size_t n)
{
    return hand_results(sc, npv, nominal, NULL, S, (long)n, 2);
}

/* Ties (few distinct values), huge values that cancel exactly, and
 * strategies equal to the baseline on some futures. */
START_TEST(test_ties_and_cancellation)
{
    enum { S = 3, N = 997 };
    static double npv[S * N], nom[S * N];
    tco_zig zig;
    tco_zig_init(&zig);
    tco_rng g;
    tco_rng_seed(&g, &zig, 41, 0);
    for (size_t i = 0; i < N; i++) {
        double u = tco_rng_uniform(&g);
        npv[i] = (double)(int)(u * 5) * 1e6;                   /* 5 values */
        npv[N + i] = i % 3 ? npv[i] : 2e6 + (double)(i % 7);   /* often the baseline's */
        npv[2 * N + i] = i % 2 ? 1e300 * (i % 4 ? 1 : -1) : 3; /* cancels exactly */
        for (size_t s = 0; s < S; s++)
            nom[s * N + i] = npv[s * N + i] * 0.75 + 1;
    }
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.risk_tolerance = NAN;
    sc.budget = 2e6;
    tco_results *r = compute(&sc, npv, nom, S, N);
    every_partition(r, NULL, npv, nom, N, S, &sc, 0);
    tco_results_free(r);
}
END_TEST

/* Zeros of both signs: sums, counts and CVaR keep their bits; an order
 * statistic among them may differ in sign only (pstats.h). */
START_TEST(test_signed_zeros)
{
    enum { S = 2, N = 40 };
    double npv[S * N];
    for (size_t i = 0; i < N; i++) {
        npv[i] = i % 3 == 0 ? -0.0 : i % 3 == 1 ? 0.0 : (double)(i % 5);
        npv[N + i] = i % 2 ? -0.0 : 0.0;
    }
    tco_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.risk_tolerance = NAN;
    sc.budget = NAN;
    tco_results *r = compute(&sc, npv, npv, S, N);
    every_partition(r, NULL, npv, npv, N, S, &sc, 1);
    tco_results_free(r);
}
END_TEST

/* Hand-worked: one strategy, costs 1, 2, 3, 4 over two parts. */
START_TEST(test_by_hand)
{
    const double npv[4] = {4, 1, 3, 2};
    tco_strategy_result st[1];
    memset(st, 0, sizeof st);
    int best;
    double evpi;
    tco_error err;
    ck_assert_int_eq(tco_pstats_compute(npv, NULL, 4, 4, 1, NULL, NULL, NULL, st, &best, &evpi,
                                        &err),
                     TCO_OK);
    ck_assert_double_eq(st[0].npv.mean, 2.5);
    ck_close(st[0].npv.sd, sqrt(5.0 / 3), 1e-15);
    ck_assert_double_eq(st[0].npv.min, 1);
    ck_assert_double_eq(st[0].npv.max, 4);
    ck_assert_double_eq(st[0].npv.p[3], 2.5);  /* P50: h = 1.5 */
    ck_close(st[0].npv.p[0], 1.15, 1e-15);      /* P5: h = 0.15 */
    ck_assert_double_eq(st[0].npv.cvar95, 4); /* ceil(0.2) = 1 largest */
    ck_assert_double_eq(st[0].p_cheapest, 1);
    ck_assert_double_eq(st[0].regret_mean, 0);
    ck_assert(isnan(st[0].nominal_mean));
    ck_assert_int_eq(best, 0);
    ck_assert_double_eq(evpi, 0);
    /* No futures anywhere. */
    ck_assert_int_eq(tco_pstats_compute(npv, NULL, 0, 0, 1, NULL, NULL, NULL, st, &best, &evpi,
                                        &err),
                     TCO_EINVAL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pstats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_ties_and_cancellation);
    tcase_add_test(tc, test_signed_zeros);
    tcase_add_test(tc, test_criteria);
    tcase_add_test(tc, test_bundled_scenarios);
    tcase_add_test(tc, test_spread_runs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curve_init();
    return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
