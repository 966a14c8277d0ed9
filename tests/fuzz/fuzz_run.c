/* libFuzzer target: a whole run of 16 futures on one thread, then every
 * writer of sim/output.h (results.json, summary, monthly, categories and
 * samples CSV, the terminal table) and the charts' data files into a
 * temporary folder; no chart is drawn.  A scenario that loads must run to
 * the end, or stop with an error message. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../sim/charts.h"
#include "../../sim/engine.h"
#include "../../sim/output.h"
#include "../../sim/scenario.h"
#include "../../sim/stats.h"
#include "../../sim/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64];

static void remove_dir(void)
{
    static const char *const names[] = {"results.json", "summary.csv", "monthly.csv",
                                        "categories.csv", "samples.csv"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    /* The chart data files have names decided by the library. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/tcosim-fuzz-run-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    atexit(remove_dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tco_ydoc *doc;
    tco_error err;
    if (tco_ydoc_parse(&doc, "fuzz.yaml", (const char *)data, size, &err) != TCO_OK)
        return 0;
    tco_scenario *sc;
    tco_status st = tco_scenario_from_doc(&sc, tco_ydoc_root(doc), "fuzz.yaml", &err);
    tco_ydoc_free(doc);
    if (st != TCO_OK)
        return 0;
    tco_run_options ro = {0};
    ro.futures = 16;
    ro.threads = 1;
    ro.keep_inputs = 1;
    tco_run *run = NULL;
    tco_results *res = NULL;
    st = tco_run_execute(&run, sc, &ro, &err);
    if (st == TCO_OK)
        st = tco_results_compute(&res, run, &err);
    if (st != TCO_OK) {
        if (err.msg[0] == '\0')
            abort();
        goto done;
    }
    if (run->n != 16 || res->S != sc->nstrategies)
        abort();
    tco_report rep = {sc, run, res, NULL};
    static const struct {
        const char *name;
        tco_status (*writer)(FILE *, const tco_report *);
    } files[] = {{"results.json", tco_write_json},
                 {"summary.csv", tco_write_summary_csv},
                 {"monthly.csv", tco_write_monthly_csv},
                 {"categories.csv", tco_write_categories_csv},
                 {"samples.csv", tco_write_samples_csv}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (tco_write_file(path, files[i].writer, &rep, &err) != TCO_OK)
            abort(); /* the folder is ours and writable */
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        tco_write_table(null, &rep);
        fclose(null);
    }
    if (tco_chart_data_write(dir, &rep, &err) != TCO_OK)
        abort();
done:
    tco_results_free(res);
    tco_run_free(run);
    tco_scenario_free(sc);
    return 0;
}
