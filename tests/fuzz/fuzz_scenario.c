/* libFuzzer target: the scenario loader (YAML text -> validated scenario,
 * tco_scenario_from_doc) and the model built from it.  Any input must load
 * or be refused with a message; a scenario that loads must be usable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/model.h"
#include "../../sim/scenario.h"
#include "../../sim/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
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
    if (st != TCO_OK) {
        if (sc != NULL || err.msg[0] == '\0')
            abort();
        return 0;
    }
    /* What every later stage relies on. */
    if (sc->horizon < 1 || sc->horizon > TCO_MAX_HORIZON || sc->nstrategies < 1 ||
        sc->nworkloads < 1 || sc->nbackends < 1 || sc->ndims > sc->ninputs)
        abort();
    for (size_t k = 0; k < sc->ndims; k++)
        if (sc->dim_input[k] < 0 || (size_t)sc->dim_input[k] >= sc->ninputs)
            abort();
    for (size_t s = 0; s < sc->nstrategies; s++)
        for (size_t p = 0; p < sc->strategies[s].nphases; p++)
            for (size_t w = 0; w < sc->nworkloads; w++) {
                int b = sc->strategies[s].phases[p].route[w];
                if (b < 0 || (size_t)b >= sc->nbackends)
                    abort();
            }
    tco_model *m;
    if (tco_model_alloc(&m, sc, &err) == TCO_OK)
        tco_model_free(m);
    tco_scenario_free(sc);
    return 0;
}
