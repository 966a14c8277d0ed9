/* Results as people and programs read them: the results file of MODEL.md
 * 10.1, CSV files for spreadsheets and charts, and a terminal table.
 *
 * Files are written whole: each goes to a temporary file in the same folder
 * and is renamed into place only when complete, so an interrupted run never
 * leaves a half-written result. */
#ifndef TCO_OUTPUT_H
#define TCO_OUTPUT_H

#include <stdio.h>
#include <sys/types.h>

#include "engine.h"
#include "error.h"
#include "stats.h"

#define TCO_VERSION "0.1.0"

/* Where a result comes from: enough to reproduce it.  Seed, futures and
 * sampling are the run's own; the rest is what the command line said. */
typedef struct {
    const char *command;       /* "run", "sweep", "sensitivity", "compare" */
    const char *scenario_path; /* as given on the command line */
    char scenario_sha256[65];  /* hex digest of the file's bytes */
    const char *const *sets;   /* every --set, "path=value" as given, in order */
    size_t nsets;
    int threads;
    char date[32]; /* UTC, ISO 8601: 2026-11-25T19:53:00Z */
} tco_provenance;

typedef struct {
    const tco_scenario *sc;
    const tco_run *run;
    const tco_results *res;
    const tco_provenance *prov; /* NULL when unknown (tests) */
} tco_report;

/* One line saying where a result comes from, for footnotes and headers:
 * "baseline.yaml sha256 1a2b3c4d, --set a=b, seed 1, 20000 futures, random,
 * 2 threads, tcosim 0.1.0, 2026-11-25" (the file's name, the first 8 hex
 * digits of its hash, every --set, the run's seed, futures and sampling,
 * threads, version, date).  When the --set would take more than
 * TCO_PROVENANCE_SETS_MAX characters, their number stands in for them
 * ("12 --set (listed in meta.csv)").  p may be NULL: then the run's part
 * and the version only.  Written into buf (size bytes, always terminated,
 * cut when too long); control characters are escaped. */
#define TCO_PROVENANCE_SETS_MAX 100
void tco_provenance_line(char *buf, size_t size, const tco_provenance *p, long futures,
                         uint64_t seed, tco_sampling sampling);

/* Writers to an open stream; they return TCO_EIO when the stream fails. */
tco_status tco_write_json(FILE *f, const tco_report *r);
tco_status tco_write_summary_csv(FILE *f, const tco_report *r);
tco_status tco_write_monthly_csv(FILE *f, const tco_report *r);
tco_status tco_write_categories_csv(FILE *f, const tco_report *r);
tco_status tco_write_samples_csv(FILE *f, const tco_report *r);
/* events.csv: each event's contribution to each strategy's mean NPV
 * (tco_run's event_effect), then all events'; the header alone when the
 * run did not compute them or the scenario has no events. */
tco_status tco_write_events_csv(FILE *f, const tco_report *r);
tco_status tco_write_table(FILE *f, const tco_report *r);
/* savings.csv: each strategy's savings against the baseline (paired);
 * pairs.csv: P(A cheaper than B), P(identical) and the mean difference for
 * every ordered pair; savings_curve.csv: the savings of every strategy but
 * the baseline at cumulative probabilities 0, 0.01, ..., 1 (the savings
 * S-curve's data). */
tco_status tco_write_savings_csv(FILE *f, const tco_report *r);
tco_status tco_write_pairs_csv(FILE *f, const tco_report *r);
tco_status tco_write_savings_curve_csv(FILE *f, const tco_report *r);

/* The table of tcosim describe: every static input of sc with its
 * distribution and P5, P50, P95. */
tco_status tco_write_inputs_table(FILE *f, const tco_scenario *sc);

/* The same, for the inputs whose path contains filter (a substring, so a
 * prefix such as "backends.llama-70b" selects a backend's inputs); NULL:
 * every input.  Lognormals appear by their P5, P50 and P95; numbers in
 * readable units ("2.08M"). */
tco_status tco_write_inputs_table_filtered(FILE *f, const tco_scenario *sc, const char *filter);

/* An input's distribution as tcosim describe shows it, in readable
 * numbers: "pert(min 2, mode 2.5, max 3.5)", a lognormal by its
 * percentiles "lognormal(P5 2.08M, P50 4.74M, P95 10.8M)". */
void tco_input_describe(const tco_input *in, char *buf, size_t size);

/* Writes path atomically with writer: a new temporary file next to it
 * (mkstemp), renamed into place when whole. */
tco_status tco_write_file(const char *path, tco_status (*writer)(FILE *, const tco_report *),
                          const tco_report *r, tco_error *err);

/* The mode of a new file: 0666 less the process's umask. */
mode_t tco_file_mode(void);

/* Creates dir and its parents (like mkdir -p). */
tco_status tco_make_dirs(const char *dir, tco_error *err);

/* Money with thousands separators or k/M/B suffix: "1.23M", "845k", "-12.3k". */
void tco_format_money(double x, char *buf, size_t size);

/* A folder name from a scenario name: characters other than letters,
 * digits, '.', '-' and '_' become '_'. */
void tco_safe_name(const char *name, char *buf, size_t size);

/* CSV and JSON quoting of a string.  tco_csv_string writes a name that a
 * spreadsheet would take for a formula (first character = + - @) with a
 * single quote in front; tco_json_string replaces invalid UTF-8 bytes with
 * U+FFFD. */
void tco_csv_string(FILE *f, const char *s);
void tco_json_string(FILE *f, const char *s);

/* Copies s into buf (size bytes, always terminated, cut at a character
 * boundary) as text safe to show on one line: control characters become
 * escapes (\n, \t, \x01) and invalid UTF-8 bytes U+FFFD. */
void tco_clean_text(const char *s, char *buf, size_t size);

#endif
