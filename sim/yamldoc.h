/* A YAML document read into a tree whose every node knows its file, line and
 * column, so that later stages can report errors at the right place.
 *
 * Reading is bounded: nesting depth, node count (aliases are expanded and
 * counted), scalar length and file size all have limits, so a small hostile
 * file cannot expand into a huge tree or make the parser crawl.  All nodes of
 * a document live in one arena owned by the tco_ydoc. */
#ifndef TCO_YAMLDOC_H
#define TCO_YAMLDOC_H

#include <stddef.h>

#include "error.h"

#define TCO_YAML_MAX_DEPTH 64
#define TCO_YAML_MAX_NODES 200000
#define TCO_YAML_MAX_FILE (16u << 20)

typedef enum { TCO_YSCALAR, TCO_YMAP, TCO_YSEQ } tco_ykind;

typedef struct tco_ynode tco_ynode;
struct tco_ynode {
    tco_ykind kind;
    const char *file;  /* name used in messages; owned by the document */
    unsigned line;     /* 1-based */
    unsigned col;      /* 1-based */
    char *str;         /* scalar text (NUL-terminated), else NULL */
    int plain;         /* scalar was written without quotes, block style or a
                        * tag other than !!int or !!float */
    int has_num;       /* set by tco_ydoc_set_number: num is the exact value */
    double num;
    size_t n;          /* number of entries of a map or sequence */
    tco_ynode **key;   /* map keys (scalars), n of them; NULL for a sequence */
    tco_ynode **val;   /* map values or sequence items, n of them */
};

typedef struct tco_ydoc tco_ydoc;

/* Parses text (len bytes, need not be NUL-terminated) named name.  On success
 * *out owns every node; free it with tco_ydoc_free.  An empty document gives
 * a TCO_EPARSE error "empty file". */
tco_status tco_ydoc_parse(tco_ydoc **out, const char *name, const char *text, size_t len,
                          tco_error *err);

/* Reads and parses the file at path. */
tco_status tco_ydoc_read_file(tco_ydoc **out, const char *path, tco_error *err);

/* The root node (never NULL for a parsed document). */
tco_ynode *tco_ydoc_root(const tco_ydoc *doc);

/* Frees doc and every node in it; accepts NULL. */
void tco_ydoc_free(tco_ydoc *doc);

/* The value of key in map, or NULL when map is not a map or has no such key. */
tco_ynode *tco_ymap_get(const tco_ynode *map, const char *key);

/* Replaces (or creates) the value at a dotted path such as
 * "demand.growth_annual" by a deep copy of value.  Missing intermediate maps
 * are created.  A whole-number component indexes a sequence from 0
 * ("demand.schedule.1.multiplier"); entries are never created.  Fails with a
 * message naming the path when it crosses a scalar, or a sequence by a name
 * or an index past its end. */
tco_status tco_ydoc_set(tco_ydoc *doc, const char *path, const tco_ynode *value,
                        tco_error *err);

/* Replaces (or creates) the value at path, as tco_ydoc_set does, by the
 * number value itself: no text is printed and read back, so the scenario
 * sees exactly value.  source names the value in messages (e.g.
 * "--vary demand.growth_annual"); it is copied.  A value that is not finite
 * is refused. */
tco_status tco_ydoc_set_number(tco_ydoc *doc, const char *path, double value, const char *source,
                               tco_error *err);

/* A printable name for a node kind ("a mapping", "a sequence", "a scalar"). */
const char *tco_ykind_name(tco_ykind kind);


/* YAML 1.2 core-schema number recognition for a plain scalar: decimal and
 * exponent forms ("1.5e6"), 0x / 0o integers, .inf and .nan.  Returns 1 and
 * stores the value when node is such a scalar, else 0 (quoted scalars are
 * strings, never numbers). */
int tco_ynumber(const tco_ynode *node, double *value);

/* The word of cands (n of them) nearest to word by edit distance, or NULL
 * when none is close enough to be a likely typo. */
const char *tco_ynearest(const char *word, const char *const *cands, size_t n);

#endif
