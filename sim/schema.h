/* Schema helpers: reading a YAML tree into a scenario, key by key.
 *
 * Each helper reads one key of a mapping (a number, a whole number, text, a
 * quantity that may be a distribution, a backend name), checks it against
 * its domain, and on failure fills the error with the place and the key's
 * path: "scenario.yaml:14:7: demand.growth_annual: what is wrong (got X)".
 * Unknown keys are refused with the nearest known key as a suggestion.  The
 * model's sections (scenario.c, the backend types) are written with these. */
#ifndef TCO_SCHEMA_H
#define TCO_SCHEMA_H

#include <stddef.h>

#include "dist.h"
#include "error.h"
#include "scenario.h"
#include "yamldoc.h"

#define TCO_SCHEMA_PATHMAX 512

/* Loading state shared by the helpers: the scenario being filled, where
 * errors go, and the quantile tables shared by identical distributions. */
typedef struct {
    tco_scenario *sc;
    tco_error *err;
    size_t capinputs;
    tco_dist_cache *cache; /* may be NULL: every distribution gets its own table */
} tco_schema;

/* Records an input error at node n: "file:line:col: path: message". */
tco_status tco_schema_at(tco_schema *c, const tco_ynode *n, const char *path, const char *fmt,
                         ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Records an out-of-memory error. */
tco_status tco_schema_oom(tco_schema *c);

/* A copy of s (malloc), or NULL when out of memory. */
char *tco_schema_strdup(const char *s);

/* Writes "prefix.key" (or key alone when prefix is empty) to buf. */
void tco_schema_path(char *buf, size_t size, const char *prefix, const char *key);

/* The scalar's text, or the node kind's name. */
const char *tco_schema_text(const tco_ynode *n);

/* Every key of map must be one of keys (NULL-terminated); an unknown key is
 * refused with the nearest known key, or the list of known keys. */
tco_status tco_schema_check_keys(tco_schema *c, const tco_ynode *map, const char *path,
                                 const char *const *keys);

/* n must be a mapping. */
tco_status tco_schema_need_map(tco_schema *c, const tco_ynode *n, const char *path);

/* The error for a required key that map lacks. */
tco_status tco_schema_missing(tco_schema *c, const tco_ynode *map, const char *path,
                              const char *key);

/* Appends a static input named path (placed at where) to the scenario and
 * returns its index through *idx. */
tco_status tco_schema_add_input(tco_schema *c, const char *path, const tco_ynode *where,
                                int *idx);

/* A quantity at map[key]: a number or a distribution within dom, stored as a
 * new static input whose index goes to *idx.  When the key is absent, def
 * (if not NAN) is used, else the key is required. */
tco_status tco_schema_quantity(tco_schema *c, const tco_ynode *map, const char *prefix,
                               const char *key, const tco_domain *dom, double def, int *idx);

/* A Poisson rate per year at map[key] (a quantity >= 0), bounded by
 * TCO_MAX_RATE_PER_YEAR: a larger rate is refused with the reason. */
tco_status tco_schema_rate(tco_schema *c, const tco_ynode *map, const char *prefix,
                           const char *key, double def, int *idx);

/* A plain number at map[key] within dom (def when absent; NAN: required). */
tco_status tco_schema_number(tco_schema *c, const tco_ynode *map, const char *prefix,
                             const char *key, const tco_domain *dom, double def, double *out);

/* A whole number in [lo, hi] at map[key] (def when absent; NAN: required). */
tco_status tco_schema_integer(tco_schema *c, const tco_ynode *map, const char *prefix,
                              const char *key, double lo, double hi, double def, double *out);

/* Text at map[key] (a copy of def when absent; NULL: required).  *out is
 * owned by the caller. */
tco_status tco_schema_string(tco_schema *c, const tco_ynode *map, const char *prefix,
                             const char *key, const char *def, char **out);

/* A name given as key k of section (a workload, backend, strategy, event):
 * not empty, at most 64 characters, none of . = , " or control characters. */
tco_status tco_schema_check_name(tco_schema *c, const tco_ynode *k, const char *section);

/* Refuses a section with more than max entries, naming the limit's reason. */
tco_status tco_schema_check_count(tco_schema *c, const tco_ynode *map, const char *section,
                                  size_t max, const char *what);

/* A backend name at v: its index in *out, or an error with the nearest name. */
tco_status tco_schema_backend_ref(tco_schema *c, const tco_ynode *v, const char *path, int *out);

#endif
