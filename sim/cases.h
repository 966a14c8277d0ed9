/* Named cases: a scenario's top-level `cases:` map (a tcosim extension of
 * MODEL.md, see docs/model-changes.md).  Each case has a name, an optional
 * description and a `set:` map of overrides, each a dotted path and a YAML
 * value applied to the parsed file exactly as --set applies its own
 * (tco_ydoc_set), before the scenario is validated.
 *
 *   cases:
 *     pessimistic:
 *       description: demand at the low end, GPU prices up
 *       set: { demand.requests_per_month: 2e6, backends.gpu.gpu_hourly_price: 3.5 }
 *
 * Runs ignore the block unless a case is named (--case NAME); tcosim
 * compare runs the scenario and every case on the same futures. */
#ifndef TCO_CASES_H
#define TCO_CASES_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"
#include "yamldoc.h"

/* The name of the scenario without any case, in compare's outputs; no case
 * may take it. */
#define TCO_CASE_BASE "base"

/* The most cases one file may define. */
#define TCO_MAX_CASES 64

/* Checks the form of the `cases` block (cases may be NULL: no block):
 * a mapping of names (letters, digits, '-', '_', '.') to mappings with the
 * keys description (text) and set (a non-empty mapping of paths to values).
 * Whether each override fits the scenario is checked when it is applied. */
tco_status tco_cases_check(const tco_ynode *cases, tco_error *err);

/* Applies the overrides of the case named name to doc, in file order.
 * Errors name the place of the offending override and its key
 * ("s.yaml:41:14: cases.pessimistic.set.demand.x: ..."), or of the
 * `cases` block for an unknown case.  A path may create its last key only
 * (validation then judges it, at the override's place); every key before
 * it must exist in the scenario. */
tco_status tco_cases_apply(tco_ydoc *doc, const char *name, tco_error *err);

/* Adds " (case NAME)" to a validation error of a scenario loaded with a
 * case, so that the message says which case broke it. */
void tco_cases_annotate(tco_error *err, const char *name);

/* The cases of a scenario file, in file order. */
typedef struct {
    char *name;
    char *description; /* "" when the case has none */
    size_t nset;
    char **path;       /* nset override paths */
    char **value;      /* nset values as written: scalar text, else "(a mapping)" */
} tco_case_info;

typedef struct {
    tco_case_info *c;
    size_t n;
} tco_case_list;

/* Reads the cases of the scenario file at path (none: n = 0).  *out
 * belongs to the caller (tco_case_list_free). */
tco_status tco_case_list_read(tco_case_list **out, const char *path, tco_error *err);

/* The case named name in list, or -1. */
int tco_case_list_find(const tco_case_list *list, const char *name);

void tco_case_list_free(tco_case_list *list);

/* Loads the scenario at path with each of its cases (opt's sets applied
 * after each case's), so that validate reports a case that does not fit
 * the scenario.  TCO_OK when every case loads (or there is none). */
tco_status tco_cases_validate(const char *path, const tco_load_options *opt, tco_error *err);

#endif
