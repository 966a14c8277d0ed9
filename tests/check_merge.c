/* Shards and parts (merge.h): every unit in exactly one shard for any
 * split, --shard parsed strictly, a part read back bit for bit, and parts
 * that do not belong together refused with the reason.  The end-to-end
 * comparison with one process is tests/shard/run.sh. */
#include "testutil.h"

#include "../sim/merge.h"
#include "../sim/outdir.h"
#include "../sim/output.h"
#include "../sim/sha256.h"

#include <float.h>
#include <stdio.h>
#include <sys/stat.h>

START_TEST(test_shard_first)
{
    /* 7 points in 3 shards: 2, 2, 3 (hand-worked: floor(7 i / 3)). */
    ck_assert_uint_eq(tco_shard_first(7, 0, 3), 0);
    ck_assert_uint_eq(tco_shard_first(7, 1, 3), 2);
    ck_assert_uint_eq(tco_shard_first(7, 2, 3), 4);
    ck_assert_uint_eq(tco_shard_first(7, 3, 3), 7);
    /* Every split covers every unit once, in order; more shards than
     * units leave some empty. */
    for (size_t units = 0; units < 40; units++)
        for (size_t n = 1; n < 12; n++) {
            size_t prev = 0;
            for (size_t i = 0; i < n; i++) {
                size_t a = tco_shard_first(units, i, n), b = tco_shard_first(units, i + 1, n);
                ck_assert_uint_eq(a, prev);
                ck_assert_uint_le(a, b);
                ck_assert_uint_le(b - a, units / n + 1);
                prev = b;
            }
            ck_assert_uint_eq(prev, units);
        }
}
END_TEST

START_TEST(test_shard_parse)
{
    tco_error err;
    size_t i, n;
    ck_assert_int_eq(tco_shard_parse("2/5", &i, &n, &err), TCO_OK);
    ck_assert_uint_eq(i, 2);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(tco_shard_parse("0/1", &i, &n, &err), TCO_OK);
    const char *bad[] = {"5/5", "1/0", "-1/3", "1", "1/", "/3", "a/3", "1/3x", "1 /3", "1/200000"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        ck_assert_msg(tco_shard_parse(bad[k], &i, &n, &err) == TCO_EINVAL, "accepted %s", bad[k]);
    ck_assert_ptr_nonnull(strstr(err.msg, "0 <= i < N"));
}
END_TEST

/* Writes shard i of n of a work of 5 units of 3 numbers (unit u's numbers
 * u + 0.1, -u, DBL_MIN u) into dir; seed and the scenario are given. */
static void write_shard(const char *dir, size_t i, size_t n, uint64_t seed, const char *scen)
{
    tco_part_header h;
    memset(&h, 0, sizeof h);
    strcpy(h.version, TCO_VERSION);
    strcpy(h.command, "sweep");
    strcpy(h.scenario, scen);
    tco_error err;
    ck_assert_int_eq(tco_sha256_file(scen, h.sha256, &err), TCO_OK);
    h.seed = seed;
    h.futures = 100;
    h.shard = i;
    h.nshards = n;
    h.threads = 2;
    h.units = 5;
    h.row = 3;
    char a0[] = "s.yaml", a1[] = "--vary", a2[] = "x=1,2,3,4,5";
    h.args[0] = a0;
    h.args[1] = a1;
    h.args[2] = a2;
    h.nargs = 3;
    double rows[15];
    size_t first = tco_shard_first(5, i, n), last = tco_shard_first(5, i + 1, n);
    for (size_t u = first; u < last; u++) {
        rows[(u - first) * 3] = (double)u + 0.1;
        rows[(u - first) * 3 + 1] = -(double)u;
        rows[(u - first) * 3 + 2] = DBL_MIN * (double)u;
    }
    ck_assert_int_eq(tco_part_write(dir, &h, rows, &err), TCO_OK);
}

START_TEST(test_parts_round_trip_and_refusals)
{
    char tmpl[] = "/tmp/check_merge_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char scen[256], d[6][300];
    snprintf(scen, sizeof scen, "%s/s.yaml", tmpl);
    FILE *f = fopen(scen, "w");
    ck_assert_ptr_nonnull(f);
    fputs("scenario: {}\n", f);
    fclose(f);
    for (int k = 0; k < 6; k++)
        snprintf(d[k], sizeof d[k], "%s/p%d", tmpl, k);
    write_shard(d[0], 0, 3, 7, scen);
    write_shard(d[1], 1, 3, 7, scen);
    write_shard(d[2], 2, 3, 7, scen);
    write_shard(d[3], 1, 3, 8, scen); /* another seed */
    write_shard(d[4], 1, 2, 7, scen); /* another N */
    tco_parts *p;
    tco_error err;
    char *all[] = {d[2], d[0], d[1]}; /* any order */
    ck_assert_int_eq(tco_parts_read(&p, all, 3, &err), TCO_OK);
    ck_assert_uint_eq(p->h.units, 5);
    ck_assert_uint_eq(p->h.row, 3);
    ck_assert_int_eq(p->h.threads, 2);
    ck_assert_uint_eq(p->h.seed, 7);
    ck_assert_uint_eq(p->h.nargs, 3);
    ck_assert_str_eq(p->h.args[2], "x=1,2,3,4,5");
    for (size_t u = 0; u < 5; u++) {
        ck_assert_double_eq(p->rows[u * 3], (double)u + 0.1);
        ck_assert_double_eq(p->rows[u * 3 + 1], -(double)u);
        ck_assert_double_eq(p->rows[u * 3 + 2], DBL_MIN * (double)u);
    }
    tco_parts_free(p);
    char *missing[] = {d[0], d[2]};
    ck_assert_int_eq(tco_parts_read(&p, missing, 2, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "shard 1/3 is missing"));
    char *twice[] = {d[0], d[1], d[1], d[2]};
    ck_assert_int_eq(tco_parts_read(&p, twice, 4, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "given twice"));
    char *seed[] = {d[0], d[3], d[2]};
    ck_assert_int_eq(tco_parts_read(&p, seed, 3, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "the seed differs"));
    char *count[] = {d[0], d[4], d[2]};
    ck_assert_int_eq(tco_parts_read(&p, count, 3, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "number of shards N"));
    ck_assert_int_eq(tco_parts_read(&p, NULL, 0, &err), TCO_EINVAL);
    /* The scenario changed after the shards ran. */
    f = fopen(scen, "a");
    fputs("# edited\n", f);
    fclose(f);
    ck_assert_int_eq(tco_parts_read(&p, all, 3, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "changed since the shards ran"));
    ck_assert_int_eq(tco_remove_tree(tmpl), 0);
}
END_TEST

static Suite *merge_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_shard_first);
    tcase_add_test(tc, test_shard_parse);
    tcase_add_test(tc, test_parts_round_trip_and_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(merge_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
