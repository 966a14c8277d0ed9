#include "cases.h"

#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "scenario.h"

/* The place of node n in a message: "file", line, column. */
#define AT(n) (n)->file, (n)->line, (n)->col

static int name_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

tco_status tco_cases_check(const tco_ynode *cases, tco_error *err)
{
    if (!cases)
        return TCO_OK;
    if (cases->kind != TCO_YMAP)
        return tco_error_set(err, TCO_EINVAL,
                             "%s:%u:%u: cases: expected a mapping of case names to cases, got %s",
                             AT(cases), tco_ykind_name(cases->kind));
    if (cases->n > TCO_MAX_CASES)
        return tco_error_set(err, TCO_ELIMIT, "%s:%u:%u: cases: %zu cases; at most %d", AT(cases),
                             cases->n, TCO_MAX_CASES);
    static const char *const keys[] = {"description", "set"};
    for (size_t i = 0; i < cases->n; i++) {
        const tco_ynode *k = cases->key[i], *c = cases->val[i];
        const char *name = k->str;
        if (!name_ok(name))
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s: a case name is 1 to 64 letters, digits, "
                                 "'-', '_' or '.'",
                                 AT(k), name);
        if (strcmp(name, TCO_CASE_BASE) == 0)
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s: '%s' names the scenario without any case; "
                                 "choose another name",
                                 AT(k), name, TCO_CASE_BASE);
        if (c->kind != TCO_YMAP)
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s: expected a mapping with set (and "
                                 "description), got %s",
                                 AT(c), name, tco_ykind_name(c->kind));
        for (size_t j = 0; j < c->n; j++) {
            const tco_ynode *ck = c->key[j];
            if (strcmp(ck->str, "description") && strcmp(ck->str, "set")) {
                const char *near = tco_ynearest(ck->str, keys, 2);
                return tco_error_set(err, TCO_EINVAL,
                                     "%s:%u:%u: cases.%s.%s: unknown key '%s'; %s%s", AT(ck), name,
                                     ck->str, ck->str, near ? "did you mean " : "a case has set "
                                     "and description", near ? near : "");
            }
        }
        const tco_ynode *d = tco_ymap_get(c, "description");
        if (d && d->kind != TCO_YSCALAR)
            return tco_error_set(err, TCO_EINVAL, "%s:%u:%u: cases.%s.description: expected text",
                                 AT(d), name);
        const tco_ynode *set = tco_ymap_get(c, "set");
        if (!set)
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s: missing key 'set' (the overrides: "
                                 "set: { demand.requests_per_month: 2e6 })",
                                 AT(c), name);
        if (set->kind != TCO_YMAP || set->n == 0)
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s.set: expected a non-empty mapping of paths "
                                 "to values, e.g. { demand.requests_per_month: 2e6 }",
                                 AT(set), name);
        for (size_t j = 0; j < set->n; j++) {
            const char *p = set->key[j]->str;
            size_t len = strlen(p);
            if (len == 0 || p[0] == '.' || p[len - 1] == '.' || strstr(p, "..") ||
                strncmp(p, "cases", 5) == 0)
                return tco_error_set(err, TCO_EINVAL,
                                     "%s:%u:%u: cases.%s.set.%s: expected a dotted path to a "
                                     "key of the scenario, e.g. demand.requests_per_month",
                                     AT(set->key[j]), name, p);
        }
    }
    return TCO_OK;
}

/* The names of map's keys, for "did you mean" (at most 64 looked at). */
static const char *nearest_key(const tco_ynode *map, const char *word)
{
    const char *cands[64];
    size_t n = 0;
    for (size_t i = 0; i < map->n && n < 64; i++)
        cands[n++] = map->key[i]->str;
    return tco_ynearest(word, cands, n);
}

/* Checks that every component of path but the last exists in root (a
 * mapping); the last may be missing.  On a missing key, the message is
 * placed at the override's key node k. */
static tco_status check_path(const tco_ynode *root, const char *path, const char *cname,
                             const tco_ynode *k, tco_error *err)
{
    const tco_ynode *cur = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        if (!dot)
            return TCO_OK;
        size_t len = (size_t)(dot - p);
        char name[256];
        if (len >= sizeof name)
            return tco_error_set(err, TCO_EINVAL, "%s:%u:%u: cases.%s.set.%s: a name is too long",
                                 AT(k), cname, path);
        memcpy(name, p, len);
        name[len] = '\0';
        const tco_ynode *next = NULL;
        if (cur->kind == TCO_YMAP) {
            next = tco_ymap_get(cur, name);
        } else if (cur->kind == TCO_YSEQ && strspn(name, "0123456789") == len) {
            unsigned long i = strtoul(name, NULL, 10);
            next = i < cur->n ? cur->val[i] : NULL;
        }
        if (!next) {
            const char *near = cur->kind == TCO_YMAP ? nearest_key(cur, name) : NULL;
            return tco_error_set(err, TCO_EINVAL,
                                 "%s:%u:%u: cases.%s.set.%s: the scenario has no %.*s%s%s%s",
                                 AT(k), cname, path, (int)(dot - path), path,
                                 near ? "; did you mean " : "", near ? near : "",
                                 near ? "?" : "");
        }
        cur = next;
        p = dot + 1;
    }
}

/* The node at path in root, or NULL (paths checked by check_path). */
static tco_ynode *node_at(tco_ynode *root, const char *path, tco_ynode **key)
{
    tco_ynode *cur = root;
    const char *p = path;
    *key = NULL;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        tco_ynode *next = NULL;
        if (cur->kind == TCO_YMAP) {
            for (size_t i = 0; i < cur->n; i++)
                if (strlen(cur->key[i]->str) == len && memcmp(cur->key[i]->str, p, len) == 0) {
                    next = cur->val[i];
                    *key = cur->key[i];
                }
        } else if (cur->kind == TCO_YSEQ) {
            unsigned long i = strtoul(p, NULL, 10);
            next = i < cur->n ? cur->val[i] : NULL;
            *key = NULL;
        }
        if (!next || !dot)
            return next;
        cur = next;
        p = dot + 1;
    }
}

tco_status tco_cases_apply(tco_ydoc *doc, const char *name, tco_error *err)
{
    tco_ynode *root = tco_ydoc_root(doc);
    const tco_ynode *cases = root->kind == TCO_YMAP ? tco_ymap_get(root, "cases") : NULL;
    tco_status st = tco_cases_check(cases, err);
    if (st != TCO_OK)
        return st;
    if (!cases)
        return tco_error_set(err, TCO_EINVAL, "%s:%u:%u: --case %s: the scenario has no cases",
                             AT(root), name);
    const tco_ynode *c = tco_ymap_get(cases, name);
    if (!c) {
        /* Placed at the key `cases:` itself. */
        const tco_ynode *at = cases;
        for (size_t i = 0; i < root->n; i++)
            if (root->val[i] == cases)
                at = root->key[i];
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < cases->n && used + 2 < sizeof list; i++)
            used += (size_t)tco_snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         cases->key[i]->str);
        const char *near = nearest_key(cases, name);
        return tco_error_set(err, TCO_EINVAL,
                             "%s:%u:%u: --case %s: no such case%s%s%s (the cases: %s)",
                             AT(at), name, near ? "; did you mean " : "", near ? near : "",
                             near ? "?" : "", list);
    }
    const tco_ynode *set = tco_ymap_get(c, "set");
    for (size_t j = 0; j < set->n; j++) {
        const tco_ynode *k = set->key[j];
        if ((st = check_path(root, k->str, name, k, err)) != TCO_OK)
            return st;
        tco_ynode *key;
        int created = node_at(root, k->str, &key) == NULL;
        tco_error inner;
        if (tco_ydoc_set(doc, k->str, set->val[j], &inner) != TCO_OK) {
            /* tco_ydoc_set speaks of "--set PATH: ..."; keep what follows. */
            const char *why = inner.msg;
            size_t plen = strlen("--set ") + strlen(k->str) + 2;
            if (strncmp(why, "--set ", 6) == 0 && strlen(why) > plen)
                why += plen;
            return tco_error_set(err, inner.code, "%s:%u:%u: cases.%s.set.%s: %s", AT(k), name,
                                 k->str, why);
        }
        /* A key the override created would sit at its parent's place:
         * validation's messages about it ("unknown key") belong at the
         * override. */
        if (created && node_at(root, k->str, &key) && key) {
            key->file = k->file;
            key->line = k->line;
            key->col = k->col;
        }
    }
    return TCO_OK;
}

void tco_cases_annotate(tco_error *err, const char *name)
{
    if (!err || !name)
        return;
    size_t len = strlen(err->msg);
    tco_snprintf(err->msg + len, sizeof err->msg - len, " (case %s)", name);
}

static void info_clear(tco_case_info *c)
{
    free(c->name);
    free(c->description);
    for (size_t j = 0; j < c->nset; j++) {
        free(c->path ? c->path[j] : NULL);
        free(c->value ? c->value[j] : NULL);
    }
    free(c->path);
    free(c->value);
}

void tco_case_list_free(tco_case_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        info_clear(&list->c[i]);
    free(list->c);
    free(list);
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

tco_status tco_case_list_read(tco_case_list **out, const char *path, tco_error *err)
{
    *out = NULL;
    tco_ydoc *doc;
    tco_status st = tco_ydoc_read_file(&doc, path, err);
    if (st != TCO_OK)
        return st;
    const tco_ynode *root = tco_ydoc_root(doc);
    const tco_ynode *cases = root->kind == TCO_YMAP ? tco_ymap_get(root, "cases") : NULL;
    tco_case_list *list = calloc(1, sizeof *list);
    if (!list) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = tco_cases_check(cases, err)) != TCO_OK || !cases)
        goto done;
    if (!(list->c = calloc(cases->n, sizeof *list->c))) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < cases->n; i++, list->n++) {
        tco_case_info *ci = &list->c[i];
        const tco_ynode *c = cases->val[i], *d = tco_ymap_get(c, "description"),
                        *set = tco_ymap_get(c, "set");
        ci->name = dup(cases->key[i]->str);
        ci->description = dup(d ? d->str : "");
        ci->path = calloc(set->n, sizeof *ci->path);
        ci->value = calloc(set->n, sizeof *ci->value);
        if (!ci->name || !ci->description || !ci->path || !ci->value) {
            list->n++;
            st = tco_error_set(err, TCO_ENOMEM, "out of memory");
            goto done;
        }
        ci->nset = set->n;
        for (size_t j = 0; j < set->n; j++) {
            const tco_ynode *v = set->val[j];
            ci->path[j] = dup(set->key[j]->str);
            ci->value[j] = dup(v->kind == TCO_YSCALAR ? v->str : tco_ykind_name(v->kind));
            if (!ci->path[j] || !ci->value[j]) {
                list->n++;
                st = tco_error_set(err, TCO_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
done:
    tco_ydoc_free(doc);
    if (st != TCO_OK) {
        tco_case_list_free(list);
        return st;
    }
    *out = list;
    return TCO_OK;
}

int tco_case_list_find(const tco_case_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->c[i].name, name) == 0)
            return (int)i;
    return -1;
}

tco_status tco_cases_validate(const char *path, const tco_load_options *opt, tco_error *err)
{
    tco_case_list *list;
    tco_scenario *first = NULL; /* its quantile tables serve the other cases */
    tco_status st = tco_case_list_read(&list, path, err);
    for (size_t i = 0; st == TCO_OK && i < list->n; i++) {
        tco_load_options lo = {opt ? opt->sets : NULL, opt ? opt->nsets : 0, list->c[i].name};
        tco_scenario *sc;
        if ((st = tco_scenario_reload_with(&sc, path, &lo, NULL, 0, first, err)) == TCO_OK) {
            if (!first)
                first = sc;
            else
                tco_scenario_free(sc);
        }
    }
    tco_scenario_free(first);
    if (list)
        tco_case_list_free(list);
    return st;
}
