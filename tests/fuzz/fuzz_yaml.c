/* libFuzzer target: the YAML reader (sim/yamldoc.h).  Any bytes must give
 * either a tree whose every node is well formed or an error with a message;
 * never a crash, a leak or a runaway expansion. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Visits every node, checking what the header promises of each kind. */
static size_t walk(const tco_ynode *n, unsigned depth)
{
    if (depth > TCO_YAML_MAX_DEPTH + 1 || n->line == 0 || n->col == 0 || !n->file)
        abort();
    size_t count = 1;
    double x;
    switch (n->kind) {
    case TCO_YSCALAR:
        if (!n->str || n->n != 0)
            abort();
        if (tco_ynumber(n, &x) && !n->plain)
            abort(); /* quoted scalars are strings, never numbers */
        break;
    case TCO_YMAP:
        for (size_t i = 0; i < n->n; i++) {
            if (n->key[i]->kind != TCO_YSCALAR || tco_ymap_get(n, n->key[i]->str) == NULL)
                abort();
            count += walk(n->key[i], depth + 1) + walk(n->val[i], depth + 1);
        }
        break;
    case TCO_YSEQ:
        if (n->key)
            abort();
        for (size_t i = 0; i < n->n; i++)
            count += walk(n->val[i], depth + 1);
        break;
    default:
        abort();
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tco_ydoc *doc;
    tco_error err;
    tco_status st = tco_ydoc_parse(&doc, "fuzz.yaml", (const char *)data, size, &err);
    if (st != TCO_OK) {
        if (err.code != st || err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof err.msg) == NULL)
            abort();
        return 0;
    }
    const tco_ynode *root = tco_ydoc_root(doc);
    if (!root || walk(root, 0) > 2 * (size_t)TCO_YAML_MAX_NODES + 1)
        abort();
    /* Overriding a value by its path (the --set machinery) on the same tree. */
    if (root->kind == TCO_YMAP && root->n > 0 && root->key[0]->str) {
        char path[256];
        snprintf(path, sizeof path, "%s.fuzz", root->key[0]->str);
        if (tco_ydoc_set(doc, path, root, &err) == TCO_OK && !tco_ymap_get(root, root->key[0]->str))
            abort();
    }
    tco_ydoc_free(doc);
    return 0;
}
