#include "yamldoc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "number.h"

/* Arena: nodes, strings and arrays of one document, freed together. */
typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
} chunk;

typedef struct {
    char *name;
    tco_ynode *node;
    size_t hash;
} anchor;

struct tco_ydoc {
    chunk *arena;
    tco_ynode *root;
    char *name;
    size_t nodes;
};

static void *arena_alloc(tco_ydoc *doc, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!doc->arena || doc->arena->size - doc->arena->used < size) {
        size_t cap = size > 60000 ? size : 60000;
        chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = doc->arena;
        c->used = 0;
        c->size = cap;
        doc->arena = c;
    }
    void *p = (char *)doc->arena->data + doc->arena->used;
    doc->arena->used += size;
    return p;
}

static char *arena_strdup(tco_ydoc *doc, const char *s, size_t len)
{
    char *p = arena_alloc(doc, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

const char *tco_ykind_name(tco_ykind kind)
{
    switch (kind) {
    case TCO_YMAP: return "a mapping";
    case TCO_YSEQ: return "a sequence";
    case TCO_YSCALAR: return "a scalar";
    }
    return "a node";
}

static tco_ynode *node_new(tco_ydoc *doc, tco_ykind kind, unsigned line, unsigned col)
{
    tco_ynode *n = arena_alloc(doc, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->file = doc->name;
    n->line = line;
    n->col = col;
    doc->nodes++;
    return n;
}

static size_t subtree_size(const tco_ynode *n)
{
    size_t s = 1;
    for (size_t i = 0; i < n->n; i++)
        s += (n->key ? subtree_size(n->key[i]) : 0) + subtree_size(n->val[i]);
    return s;
}

/* Deep copy into doc's arena; the caller has checked the node budget. */
static tco_ynode *node_copy(tco_ydoc *doc, const tco_ynode *src, const char *file)
{
    tco_ynode *n = node_new(doc, src->kind, src->line, src->col);
    if (!n)
        return NULL;
    n->file = file ? file : src->file;
    n->plain = src->plain;
    n->has_num = src->has_num;
    n->num = src->num;
    if (src->str && !(n->str = arena_strdup(doc, src->str, strlen(src->str))))
        return NULL;
    n->n = src->n;
    if (src->n) {
        n->val = arena_alloc(doc, src->n * sizeof *n->val);
        if (!n->val)
            return NULL;
        if (src->key && !(n->key = arena_alloc(doc, src->n * sizeof *n->key)))
            return NULL;
        for (size_t i = 0; i < src->n; i++) {
            if (src->key && !(n->key[i] = node_copy(doc, src->key[i], file)))
                return NULL;
            if (!(n->val[i] = node_copy(doc, src->val[i], file)))
                return NULL;
        }
    }
    return n;
}

tco_ynode *tco_ymap_get(const tco_ynode *map, const char *key)
{
    if (!map || map->kind != TCO_YMAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->key[i]->str && strcmp(map->key[i]->str, key) == 0)
            return map->val[i];
    return NULL;
}

tco_ynode *tco_ydoc_root(const tco_ydoc *doc) { return doc->root; }

void tco_ydoc_free(tco_ydoc *doc)
{
    if (!doc)
        return;
    while (doc->arena) {
        chunk *next = doc->arena->next;
        free(doc->arena);
        doc->arena = next;
    }
    free(doc->name);
    free(doc);
}

/* The parse state: a stack of open containers whose children wait in a
 * shared vector until the container ends. */
typedef struct {
    tco_ydoc *doc;
    tco_ynode **open;   /* open containers */
    size_t *first;      /* index in kids where each container's children start */
    size_t depth;
    tco_ynode **kids;
    size_t nkids, capkids;
    anchor *anchors;
    size_t nanchors, capanchors;
    size_t *slots;      /* open-addressing index of anchors (index + 1; 0 empty) */
    size_t nslots;
    char **pending;     /* anchor names of open containers (or NULL) */
    tco_error *err;
} builder;

static tco_status push_kid(builder *b, tco_ynode *n)
{
    if (b->nkids == b->capkids) {
        size_t cap = b->capkids ? 2 * b->capkids : 256;
        tco_ynode **k = realloc(b->kids, cap * sizeof *k);
        if (!k)
            return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
        b->kids = k;
        b->capkids = cap;
    }
    b->kids[b->nkids++] = n;
    return TCO_OK;
}

/* FNV-1a: anchor names and map keys are short. */
static size_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (size_t)h;
}

/* The slot of name in the anchor index: the one holding it, or the empty
 * slot where it goes.  The index is kept under half full. */
static size_t anchor_slot(const builder *b, const char *name, size_t hash)
{
    size_t i = hash & (b->nslots - 1);
    while (b->slots[i] && strcmp(b->anchors[b->slots[i] - 1].name, name) != 0)
        i = (i + 1) & (b->nslots - 1);
    return i;
}

static tco_status index_anchor(builder *b, size_t k)
{
    if (2 * (b->nanchors + 1) > b->nslots) {
        size_t n = b->nslots ? 2 * b->nslots : 64;
        size_t *s = calloc(n, sizeof *s);
        if (!s)
            return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
        free(b->slots);
        b->slots = s;
        b->nslots = n;
        /* Later anchors hide earlier ones of the same name: reinsert in order. */
        for (size_t i = 0; i < k; i++)
            b->slots[anchor_slot(b, b->anchors[i].name, b->anchors[i].hash)] = i + 1;
    }
    b->slots[anchor_slot(b, b->anchors[k].name, b->anchors[k].hash)] = k + 1;
    return TCO_OK;
}

static tco_status add_anchor(builder *b, const char *name, tco_ynode *n)
{
    if (b->nanchors == b->capanchors) {
        size_t cap = b->capanchors ? 2 * b->capanchors : 16;
        anchor *a = realloc(b->anchors, cap * sizeof *a);
        if (!a)
            return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
        b->anchors = a;
        b->capanchors = cap;
    }
    char *copy = arena_strdup(b->doc, name, strlen(name));
    if (!copy)
        return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
    /* A later anchor of the same name hides the earlier one (YAML 1.2, 7.1). */
    b->anchors[b->nanchors].name = copy;
    b->anchors[b->nanchors].node = n;
    b->anchors[b->nanchors].hash = str_hash(copy);
    tco_status st = index_anchor(b, b->nanchors);
    b->nanchors++;
    return st;
}

static tco_ynode *find_anchor(const builder *b, const char *name)
{
    if (!b->nslots)
        return NULL;
    size_t i = anchor_slot(b, name, str_hash(name));
    return b->slots[i] ? b->anchors[b->slots[i] - 1].node : NULL;
}

/* Refuses a map with a key given twice: pairwise for small maps, through a
 * hash index of the keys for large ones, so a 100,000-key map costs
 * linear time. */
static tco_status duplicate(builder *b, const tco_ynode *k, const tco_ynode *first)
{
    return tco_error_set(b->err, TCO_EPARSE, "%s:%u:%u: duplicate key '%s' (first at line %u)",
                         k->file, k->line, k->col, k->str, first->line);
}

/* Refuses a map with a key given twice: pairwise for small maps, through a
 * hash index of the keys for large ones, so a 100,000-key map costs
 * linear time. */
static tco_status check_duplicates(builder *b, const tco_ynode *c)
{
    if (c->n <= 16) {
        for (size_t i = 1; i < c->n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(c->key[j]->str, c->key[i]->str) == 0)
                    return duplicate(b, c->key[i], c->key[j]);
        return TCO_OK;
    }
    size_t nslots = 64;
    while (nslots < 2 * c->n)
        nslots *= 2;
    size_t *slot = calloc(nslots, sizeof *slot);
    if (!slot)
        return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
    tco_status st = TCO_OK;
    for (size_t i = 0; i < c->n && st == TCO_OK; i++) {
        size_t h = str_hash(c->key[i]->str) & (nslots - 1);
        while (slot[h] && strcmp(c->key[slot[h] - 1]->str, c->key[i]->str) != 0)
            h = (h + 1) & (nslots - 1);
        if (slot[h])
            st = duplicate(b, c->key[i], c->key[slot[h] - 1]);
        slot[h] = slot[h] ? slot[h] : i + 1;
    }
    free(slot);
    return st;
}

static tco_status close_container(builder *b)
{
    tco_ynode *c = b->open[b->depth - 1];
    size_t first = b->first[b->depth - 1];
    size_t count = b->nkids - first;
    tco_ydoc *doc = b->doc;
    if (c->kind == TCO_YMAP) {
        /* libyaml always gives a value for every key, so count is even. */
        c->n = count / 2;
        if (c->n) {
            c->key = arena_alloc(doc, c->n * sizeof *c->key);
            c->val = arena_alloc(doc, c->n * sizeof *c->val);
            if (!c->key || !c->val)
                return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", doc->name);
        }
        for (size_t i = 0; i < c->n; i++) {
            tco_ynode *k = b->kids[first + 2 * i];
            if (k->kind != TCO_YSCALAR)
                return tco_error_set(b->err, TCO_EPARSE,
                                     "%s:%u:%u: a mapping key must be a plain name, not %s",
                                     k->file, k->line, k->col, tco_ykind_name(k->kind));
            c->key[i] = k;
            c->val[i] = b->kids[first + 2 * i + 1];
        }
        tco_status st = check_duplicates(b, c);
        if (st != TCO_OK)
            return st;
    } else {
        c->n = count;
        if (count) {
            c->val = arena_alloc(doc, count * sizeof *c->val);
            if (!c->val)
                return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", doc->name);
            memcpy(c->val, b->kids + first, count * sizeof *c->val);
        }
    }
    b->nkids = first;
    char *anchor_name = b->pending[b->depth - 1];
    b->depth--;
    tco_status st = TCO_OK;
    if (anchor_name)
        st = add_anchor(b, anchor_name, c);
    free(anchor_name);
    if (st != TCO_OK)
        return st;
    return push_kid(b, c);
}

static tco_status open_container(builder *b, tco_ykind kind, const yaml_event_t *ev,
                                 const char *anchor_name)
{
    unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
    if (b->depth >= TCO_YAML_MAX_DEPTH)
        return tco_error_set(b->err, TCO_ELIMIT,
                             "%s:%u:%u: nesting deeper than %d levels is not accepted",
                             b->doc->name, line, col, TCO_YAML_MAX_DEPTH);
    tco_ynode *n = node_new(b->doc, kind, line, col);
    if (!n)
        return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
    b->open[b->depth] = n;
    b->first[b->depth] = b->nkids;
    b->pending[b->depth] = NULL;
    if (anchor_name && !(b->pending[b->depth] = strdup(anchor_name)))
        return tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
    b->depth++;
    return TCO_OK;
}

static tco_status syntax_error(builder *b, const yaml_parser_t *p)
{
    const yaml_mark_t *m = &p->problem_mark;
    if (p->context)
        return tco_error_set(b->err, TCO_EPARSE, "%s:%u:%u: YAML syntax error: %s %s (line %u)",
                             b->doc->name, (unsigned)m->line + 1, (unsigned)m->column + 1,
                             p->problem ? p->problem : "error", p->context,
                             (unsigned)p->context_mark.line + 1);
    return tco_error_set(b->err, TCO_EPARSE, "%s:%u:%u: YAML syntax error: %s", b->doc->name,
                         (unsigned)m->line + 1, (unsigned)m->column + 1,
                         p->problem ? p->problem : "error");
}

static tco_status build(builder *b, yaml_parser_t *p)
{
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev))
            return syntax_error(b, p);
        tco_status st = TCO_OK;
        unsigned line = (unsigned)ev.start_mark.line + 1, col = (unsigned)ev.start_mark.column + 1;
        if (b->doc->nodes > TCO_YAML_MAX_NODES)
            st = tco_error_set(b->err, TCO_ELIMIT, "%s:%u:%u: more than %d YAML nodes",
                               b->doc->name, line, col, TCO_YAML_MAX_NODES);
        else switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return TCO_OK;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                st = tco_error_set(b->err, TCO_EPARSE,
                                   "%s:%u:%u: a scenario file holds one YAML document, found a second",
                                   b->doc->name, line, col);
            break;
        case YAML_MAPPING_START_EVENT:
            st = open_container(b, TCO_YMAP, &ev, (const char *)ev.data.mapping_start.anchor);
            break;
        case YAML_SEQUENCE_START_EVENT:
            st = open_container(b, TCO_YSEQ, &ev, (const char *)ev.data.sequence_start.anchor);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            st = close_container(b);
            break;
        case YAML_SCALAR_EVENT: {
            tco_ynode *n = node_new(b->doc, TCO_YSCALAR, line, col);
            if (!n || !(n->str = arena_strdup(b->doc, (const char *)ev.data.scalar.value,
                                              ev.data.scalar.length))) {
                st = tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
                break;
            }
            if (strlen(n->str) != ev.data.scalar.length) {
                st = tco_error_set(b->err, TCO_EPARSE, "%s:%u:%u: a value contains a NUL character",
                                   b->doc->name, line, col);
                break;
            }
            /* An explicit tag other than !!int or !!float (say !!str 2.5)
             * makes the scalar text, never a number. */
            const char *tag = (const char *)ev.data.scalar.tag;
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       (!tag || strcmp(tag, YAML_INT_TAG) == 0 ||
                        strcmp(tag, YAML_FLOAT_TAG) == 0);
            if (ev.data.scalar.anchor)
                st = add_anchor(b, (const char *)ev.data.scalar.anchor, n);
            if (st == TCO_OK)
                st = push_kid(b, n);
            break;
        }
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            tco_ynode *target = find_anchor(b, name);
            if (!target) {
                st = tco_error_set(b->err, TCO_EPARSE,
                                   "%s:%u:%u: alias *%s names no complete anchor before it",
                                   b->doc->name, line, col, name);
                break;
            }
            size_t size = subtree_size(target);
            if (b->doc->nodes + size > TCO_YAML_MAX_NODES) {
                st = tco_error_set(b->err, TCO_ELIMIT,
                                   "%s:%u:%u: alias *%s would expand the document past %d nodes",
                                   b->doc->name, line, col, name, TCO_YAML_MAX_NODES);
                break;
            }
            tco_ynode *copy = node_copy(b->doc, target, NULL);
            if (!copy) {
                st = tco_error_set(b->err, TCO_ENOMEM, "%s: out of memory", b->doc->name);
                break;
            }
            copy->line = line;
            copy->col = col;
            st = push_kid(b, copy);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (st != TCO_OK)
            return st;
    }
}

tco_status tco_ydoc_parse(tco_ydoc **out, const char *name, const char *text, size_t len,
                          tco_error *err)
{
    *out = NULL;
    if (len > TCO_YAML_MAX_FILE)
        return tco_error_set(err, TCO_ELIMIT, "%s: file is larger than %u MiB", name,
                             TCO_YAML_MAX_FILE >> 20);
    if (memchr(text, '\0', len))
        return tco_error_set(err, TCO_EPARSE, "%s: binary file (it contains NUL bytes), not YAML",
                             name);
    tco_ydoc *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->name = strdup(name))) {
        free(doc);
        return tco_error_set(err, TCO_ENOMEM, "%s: out of memory", name);
    }
    builder b = {0};
    b.doc = doc;
    b.err = err;
    b.open = calloc(TCO_YAML_MAX_DEPTH, sizeof *b.open);
    b.first = calloc(TCO_YAML_MAX_DEPTH, sizeof *b.first);
    b.pending = calloc(TCO_YAML_MAX_DEPTH, sizeof *b.pending);
    yaml_parser_t parser;
    tco_status st;
    if (!b.open || !b.first || !b.pending || !yaml_parser_initialize(&parser)) {
        st = tco_error_set(err, TCO_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    st = build(&b, &parser);
    yaml_parser_delete(&parser);
    if (st != TCO_OK)
        goto fail;
    if (b.nkids == 0 || (b.kids[0]->kind == TCO_YSCALAR && b.kids[0]->plain &&
                         (b.kids[0]->str[0] == '\0' || strcmp(b.kids[0]->str, "~") == 0 ||
                          strcmp(b.kids[0]->str, "null") == 0))) {
        st = tco_error_set(err, TCO_EPARSE, "%s: empty file (no YAML document)", name);
        goto fail;
    }
    doc->root = b.kids[0];
    goto done;
fail:
    tco_ydoc_free(doc);
    doc = NULL;
done:
    for (size_t i = 0; i < b.depth; i++)
        free(b.pending[i]);
    free(b.open);
    free(b.first);
    free(b.pending);
    free(b.kids);
    free(b.anchors);
    free(b.slots);
    *out = doc;
    return st;
}

tco_status tco_ydoc_read_file(tco_ydoc **out, const char *path, tco_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tco_error_set(err, TCO_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(TCO_YAML_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return tco_error_set(err, TCO_ENOMEM, "%s: out of memory", path);
    }
    size_t len = fread(buf, 1, TCO_YAML_MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    tco_status st;
    if (bad)
        st = tco_error_set(err, TCO_EIO, "%s: cannot read (is it a directory?)", path);
    else
        st = tco_ydoc_parse(out, path, buf, len, err);
    free(buf);
    return st;
}

/* Stores a copy of value at *slot.  The value's nodes name their own source
 * ("--set #1"), which must outlive the value's document: the copy keeps the
 * name in this document's arena. */
static tco_status put_copy(tco_ydoc *doc, tco_ynode **slot, const tco_ynode *value,
                           tco_error *err)
{
    char *file = arena_strdup(doc, value->file, strlen(value->file));
    tco_ynode *copy = file ? node_copy(doc, value, file) : NULL;
    if (!copy)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    *slot = copy;
    return TCO_OK;
}

tco_status tco_ydoc_set(tco_ydoc *doc, const char *path, const tco_ynode *value, tco_error *err)
{
    if (doc->nodes + subtree_size(value) > TCO_YAML_MAX_NODES)
        return tco_error_set(err, TCO_ELIMIT, "--set %s: value too large", path);
    tco_ynode *cur = doc->root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0)
            return tco_error_set(err, TCO_EINVAL, "--set %s: empty name in the path", path);
        if (cur->kind == TCO_YSEQ && strspn(p, "0123456789") == len) {
            /* An entry of a list by its 0-based index (demand.schedule.0.multiplier). */
            unsigned long i = strtoul(p, NULL, 10);
            if (i >= cur->n)
                return tco_error_set(err, TCO_EINVAL, "--set %s: %.*s has %zu entries (0 to %zu)",
                                     path, (int)(p - path - (p > path)), path, cur->n,
                                     cur->n ? cur->n - 1 : 0);
            if (!dot)
                return put_copy(doc, &cur->val[i], value, err);
            cur = cur->val[i];
            p = dot + 1;
            continue;
        }
        if (cur->kind != TCO_YMAP)
            return tco_error_set(err, TCO_EINVAL, "--set %s: %.*s is inside %s, not a mapping",
                                 path, (int)(p - path - (p > path)), path,
                                 tco_ykind_name(cur->kind));
        char *name = arena_strdup(doc, p, len);
        if (!name)
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        size_t i;
        for (i = 0; i < cur->n; i++)
            if (strcmp(cur->key[i]->str, name) == 0)
                break;
        if (i == cur->n) {
            /* Grow the map by one entry; the old arrays stay in the arena. */
            tco_ynode **k = arena_alloc(doc, (cur->n + 1) * sizeof *k);
            tco_ynode **v = arena_alloc(doc, (cur->n + 1) * sizeof *v);
            tco_ynode *kn = node_new(doc, TCO_YSCALAR, cur->line, cur->col);
            tco_ynode *vn = node_new(doc, TCO_YMAP, cur->line, cur->col);
            if (!k || !v || !kn || !vn)
                return tco_error_set(err, TCO_ENOMEM, "out of memory");
            if (cur->n) {
                memcpy(k, cur->key, cur->n * sizeof *k);
                memcpy(v, cur->val, cur->n * sizeof *v);
            }
            kn->str = name;
            kn->plain = 1;
            k[cur->n] = kn;
            v[cur->n] = vn;
            cur->key = k;
            cur->val = v;
            cur->n++;
        }
        if (!dot)
            return put_copy(doc, &cur->val[i], value, err);
        cur = cur->val[i];
        p = dot + 1;
    }
}

tco_status tco_ydoc_set_number(tco_ydoc *doc, const char *path, double value, const char *source,
                               tco_error *err)
{
    TCO_RETURN_ERROR_IF(!isfinite(value), err, TCO_EINVAL, "%s: %s: the value must be finite",
                        source, path);
    /* The text is for messages only: tco_ynumber returns num. */
    char text[40];
    tco_snprintf(text, sizeof text, "%.17g", value);
    tco_ynode n = {0};
    n.kind = TCO_YSCALAR;
    n.file = source;
    n.line = n.col = 1;
    n.str = text;
    n.plain = 1;
    n.has_num = 1;
    n.num = value;
    return tco_ydoc_set(doc, path, &n, err);
}

static int all_digits(const char *s, const char *set)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(set, *s))
            return 0;
    return 1;
}

int tco_ynumber(const tco_ynode *node, double *value)
{
    if (!node || node->kind != TCO_YSCALAR || !node->plain)
        return 0;
    if (node->has_num) {
        *value = node->num;
        return 1;
    }
    const char *s = node->str;
    if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".INF") == 0 ||
        strcmp(s, "+.inf") == 0 || strcmp(s, "+.Inf") == 0 || strcmp(s, "+.INF") == 0) {
        *value = HUGE_VAL;
        return 1;
    }
    if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0 || strcmp(s, "-.INF") == 0) {
        *value = -HUGE_VAL;
        return 1;
    }
    if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) {
        *value = NAN;
        return 1;
    }
    /* Integers beyond 64 bits are refused rather than saturated. */
    if (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF")) {
        errno = 0;
        unsigned long long u = strtoull(s + 2, NULL, 16);
        if (errno == ERANGE)
            return 0;
        *value = (double)u;
        return 1;
    }
    if (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567")) {
        errno = 0;
        unsigned long long u = strtoull(s + 2, NULL, 8);
        if (errno == ERANGE)
            return 0;
        *value = (double)u;
        return 1;
    }
    /* [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    int mant = 0;
    while (*p >= '0' && *p <= '9')
        p++, mant++;
    if (*p == '.') {
        p++;
        int frac = 0;
        while (*p >= '0' && *p <= '9')
            p++, frac++;
        if (mant == 0 && frac == 0)
            return 0;
    } else if (mant == 0) {
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        int ex = 0;
        while (*p >= '0' && *p <= '9')
            p++, ex++;
        if (ex == 0)
            return 0;
    }
    if (*p)
        return 0;
    /* The grammar above is a subset of what strtod reads, so the whole text
     * must be consumed; the "C" locale keeps '.' the decimal point whatever
     * locale the host program has set. */
    char *end;
    double v = tco_strtod(s, &end);
    if (end != p)
        return 0;
    *value = v;
    return 1;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 64;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *tco_ynearest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        /* A truncated name ("volatility" for volatility_annual) is close. */
        if (strlen(word) >= 4 && strncmp(cands[i], word, strlen(word)) == 0 && d > 1)
            d = 1;
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    /* A likely typo: at most a third of the word differs (and at least 1). */
    if (best && bestd <= (len < 3 ? 1 : len / 3 + 1))
        return best;
    return NULL;
}
