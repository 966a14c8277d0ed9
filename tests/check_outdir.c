/* The output folder as one unit (outdir.c), and the quoting of names in
 * the files it holds (output.c). */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <sys/stat.h>

#include "../sim/outdir.h"
#include "../sim/output.h"

static char base[64];

static void setup(void)
{
    snprintf(base, sizeof base, "/tmp/tcosim-outdir-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
}

static void teardown(void) { ck_assert_int_eq(tco_remove_tree(base), 0); }

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *dir, const char *name)
{
    char path[512];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &sb) == 0;
}

START_TEST(test_commit_replaces_whole)
{
    char target[128];
    snprintf(target, sizeof target, "%s/out", base);
    tco_outdir *od;
    tco_error err;
    ck_assert_msg(tco_outdir_open(&od, target, &err) == TCO_OK, "%s", err.msg);
    ck_assert(!exists(base, "out"));
    put(tco_outdir_work(od), "meta.csv", "key,value\n");
    put(tco_outdir_work(od), "stale.csv", "old\n");
    ck_assert_int_eq(tco_outdir_commit(od, &err), TCO_OK);
    tco_outdir_close(od);
    ck_assert(exists(target, "stale.csv"));
    /* The next run's folder replaces the whole: no stale file stays. */
    ck_assert_int_eq(tco_outdir_open(&od, target, &err), TCO_OK);
    put(tco_outdir_work(od), "meta.csv", "key,value\n");
    ck_assert(exists(target, "stale.csv")); /* untouched until the commit */
    ck_assert_int_eq(tco_outdir_commit(od, &err), TCO_OK);
    tco_outdir_close(od);
    ck_assert(exists(target, "meta.csv"));
    ck_assert(!exists(target, "stale.csv"));
    /* Nothing but the folder and its lock is left next to it. */
    ck_assert(!exists(base, ".out.tcosim-tmp-"));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", base);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_abandon_keeps_previous)
{
    char target[128];
    snprintf(target, sizeof target, "%s/out", base);
    mkdir(target, 0777);
    put(target, "meta.csv", "previous\n");
    tco_outdir *od;
    tco_error err;
    ck_assert_int_eq(tco_outdir_open(&od, target, &err), TCO_OK);
    put(tco_outdir_work(od), "meta.csv", "new\n");
    char work[512];
    snprintf(work, sizeof work, "%s", tco_outdir_work(od));
    tco_outdir_close(od); /* interrupted: no commit */
    struct stat sb;
    ck_assert_int_ne(stat(work, &sb), 0);
    char path[256], line[32] = "";
    snprintf(path, sizeof path, "%s/meta.csv", target);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_str_eq(line, "previous\n");
}
END_TEST

START_TEST(test_lock_and_refusals)
{
    char target[128];
    snprintf(target, sizeof target, "%s/out", base);
    tco_outdir *a, *b;
    tco_error err;
    ck_assert_int_eq(tco_outdir_open(&a, target, &err), TCO_OK);
    ck_assert_int_eq(tco_outdir_open(&b, target, &err), TCO_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "another tcosim is writing"));
    tco_outdir_close(a);
    ck_assert_int_eq(tco_outdir_open(&b, target, &err), TCO_OK);
    tco_outdir_close(b);
    ck_assert_int_eq(tco_outdir_open(&b, "", &err), TCO_EINVAL);
    /* A folder that is not tcosim's is never replaced. */
    mkdir(target, 0777);
    put(target, "thesis.tex", "years of work\n");
    ck_assert_int_eq(tco_outdir_open(&b, target, &err), TCO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a tcosim output folder"));
    ck_assert(exists(target, "thesis.tex"));
}
END_TEST

/* A killed run's temporary folder is removed by the next run. */
START_TEST(test_leftovers_removed)
{
    char left[128], target[128];
    snprintf(left, sizeof left, "%s/.out.tcosim-tmp-AbC123", base);
    snprintf(target, sizeof target, "%s/out", base);
    ck_assert_int_eq(mkdir(left, 0700), 0);
    put(left, "results.json", "{");
    ck_assert(exists(base, ".out.tcosim-tmp-AbC123"));
    tco_outdir *od;
    tco_error err;
    ck_assert_int_eq(tco_outdir_open(&od, target, &err), TCO_OK);
    ck_assert(!exists(base, ".out.tcosim-tmp-AbC123"));
    tco_outdir_close(od);
}
END_TEST

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    fn(f, s);
    fclose(f);
    return buf;
}

START_TEST(test_quoting)
{
    char *q = capture(tco_csv_string, "=HYPERLINK(\"x\")");
    ck_assert_str_eq(q, "\"'=HYPERLINK(\"\"x\"\")\"");
    free(q);
    q = capture(tco_csv_string, "#x");
    ck_assert_str_eq(q, "\"#x\"");
    free(q);
    q = capture(tco_csv_string, "plain-name_2");
    ck_assert_str_eq(q, "plain-name_2");
    free(q);
    q = capture(tco_json_string, "caf\xe9 \xe2\x82\xac\n");
    ck_assert_str_eq(q, "\"caf\\ufffd \xe2\x82\xac\\n\"");
    free(q);
    char buf[64];
    tco_clean_text("EUR\nFAKE\x01\xff", buf, sizeof buf);
    ck_assert_str_eq(buf, "EUR\\nFAKE\\x01\xef\xbf\xbd");
    tco_clean_text("\xe2\x82\xac\xe2\x82\xac", buf, 5); /* cut at a character boundary */
    ck_assert_str_eq(buf, "\xe2\x82\xac");
}
END_TEST

/* The one-line provenance of output.h, written out by hand. */
START_TEST(test_provenance_line)
{
    const char *sets[] = {"demand.requests_per_month=5e6", "scenario.name=a\nb"};
    tco_provenance p = {"run", "scenarios/baseline.yaml",
                        "4256d4dad823b2e3269312c7a8574491b66a9f46f364d6d0a416318c9c1c2cea",
                        sets, 2, 1, "2026-11-25T19:53:00Z"};
    char buf[512];
    tco_provenance_line(buf, sizeof buf, &p, 20000, 7, TCO_SAMPLING_LHS);
    ck_assert_str_eq(buf, "baseline.yaml sha256 4256d4da, --set demand.requests_per_month=5e6, "
                          "--set scenario.name=a\\nb, seed 7, 20000 futures, lhs, 1 thread, "
                          "tcosim " TCO_VERSION ", 2026-11-25");
    p.nsets = 0;
    p.threads = 2;
    p.scenario_path = "s.yaml";
    tco_provenance_line(buf, sizeof buf, &p, 10, 1, TCO_SAMPLING_RANDOM);
    ck_assert_str_eq(buf, "s.yaml sha256 4256d4da, seed 1, 10 futures, random, 2 threads, tcosim "
                          TCO_VERSION ", 2026-11-25");
    tco_provenance_line(buf, sizeof buf, NULL, 10, 1, TCO_SAMPLING_SOBOL);
    ck_assert_str_eq(buf, "seed 1, 10 futures, sobol, tcosim " TCO_VERSION);
    /* 3 sets of 33 + 8 characters: more than 100, so their number. */
    const char *many[] = {"backends.gpu.gpu.hour_price=2.123", "backends.gpu.gpu.hour_price=2.456",
                          "backends.gpu.gpu.hour_price=2.789"};
    p.sets = many;
    p.nsets = 3;
    tco_provenance_line(buf, sizeof buf, &p, 10, 1, TCO_SAMPLING_RANDOM);
    ck_assert_str_eq(buf, "s.yaml sha256 4256d4da, 3 --set (listed in meta.csv), seed 1, 10 futures, "
                          "random, 2 threads, tcosim " TCO_VERSION ", 2026-11-25");
    tco_provenance_line(buf, 12, &p, 10, 1, TCO_SAMPLING_RANDOM); /* cut, terminated */
    ck_assert_str_eq(buf, "s.yaml sha2");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("outdir");
    TCase *tc = tcase_create("folder");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_commit_replaces_whole);
    tcase_add_test(tc, test_abandon_keeps_previous);
    tcase_add_test(tc, test_lock_and_refusals);
    tcase_add_test(tc, test_leftovers_removed);
    tcase_add_test(tc, test_quoting);
    tcase_add_test(tc, test_provenance_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
