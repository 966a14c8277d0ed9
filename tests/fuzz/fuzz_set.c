/* libFuzzer target: `--set PATH=VALUE` overrides applied by the loader
 * (tco_scenario_load with tco_load_options).  The input is up to eight
 * override lines, a line "%%", then the scenario text:
 *
 *     demand.requests_per_month={dist: normal, mean: 3, sd: 1}
 *     %%
 *     scenario: ...
 *
 * The scenario goes through a temporary file, as on the command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_SETS 8

static char path[64];

static void remove_file(void) { unlink(path); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/tcosim-fuzz-set-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(remove_file);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    const char *sep = NULL;
    for (const char *p = text; p + 3 <= end; p++)
        if ((p == text || p[-1] == '\n') && memcmp(p, "%%", 2) == 0 && p[2] == '\n') {
            sep = p;
            break;
        }
    if (!sep)
        return 0;
    /* The override lines, each a NUL-terminated copy. */
    char *head = malloc((size_t)(sep - text) + 1);
    if (!head)
        return 0;
    memcpy(head, text, (size_t)(sep - text));
    head[sep - text] = '\0';
    const char *sets[MAX_SETS];
    size_t nsets = 0;
    for (char *line = head; *line && nsets < MAX_SETS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        sets[nsets++] = line;
        if (!nl)
            break;
        line = nl + 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(sep + 3, 1, (size_t)(end - (sep + 3)), f) != (size_t)(end - (sep + 3))) {
        if (f)
            fclose(f);
        free(head);
        return 0;
    }
    fclose(f);
    tco_load_options opt = {sets, nsets, NULL};
    tco_scenario *sc;
    tco_error err;
    tco_status st = tco_scenario_load(&sc, path, &opt, &err);
    if (st != TCO_OK && (sc != NULL || err.msg[0] == '\0'))
        abort();
    tco_scenario_free(sc);
    free(head);
    return 0;
}
