/* A build of the engine loaded as a shared library (dlbuild.h). */
#define _GNU_SOURCE
#include "dlbuild.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The options and the error of a build whose structures may have grown
 * since these headers: room to spare, zeroed.  The fields read and
 * written here have had the same places in every revision (futures and
 * threads among the first of tco_run_options, the code and the message
 * first in tco_error). */
typedef union {
    tco_run_options opt;
    tco_error err;
    char room[1 << 14];
} spare;

double tco_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The library's calls of its own functions bound to its own copies, not to
 * this program's (RTLD_DEEPBIND); AddressSanitizer's runtime refuses the
 * flag, and a program built with it (make asan) exports none of its
 * functions to the library, which then finds its own without the flag. */
#if defined(__SANITIZE_ADDRESS__)
#define DEEPBIND 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEEPBIND 0
#endif
#endif
#ifndef DEEPBIND
#define DEEPBIND RTLD_DEEPBIND
#endif

static void *symbol(tco_dlbuild *b, const char *name)
{
    void *p = dlsym(b->handle, name);
    if (!p) {
        fprintf(stderr, "%s: no symbol %s\n", b->path, name);
        exit(2);
    }
    return p;
}

void tco_dlbuild_open(tco_dlbuild *b, const char *path, const char *scenario)
{
    static spare e;
    b->path = path;
    b->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | DEEPBIND);
    if (!b->handle) {
        fprintf(stderr, "%s\n", dlerror());
        exit(2);
    }
    *(void **)&b->load = symbol(b, "tco_scenario_load");
    *(void **)&b->scenario_free = symbol(b, "tco_scenario_free");
    *(void **)&b->execute = symbol(b, "tco_run_execute");
    *(void **)&b->run_free = symbol(b, "tco_run_free");
    *(void **)&b->compute = symbol(b, "tco_results_compute");
    *(void **)&b->results_free = symbol(b, "tco_results_free");
    if (b->load(&b->sc, scenario, NULL, &e.err) != TCO_OK) {
        fprintf(stderr, "%s: %s: %s\n", path, scenario, e.err.msg);
        exit(2);
    }
}

double tco_dlbuild_run(tco_dlbuild *b, long n)
{
    static spare o, e;
    memset(&o, 0, sizeof o);
    o.opt.futures = n;
    o.opt.threads = 1;
    tco_run *run = NULL;
    tco_results *res = NULL;
    double t0 = tco_thread_cpu();
    if (b->execute(&run, b->sc, &o.opt, &e.err) != TCO_OK ||
        b->compute(&res, run, &e.err) != TCO_OK) {
        fprintf(stderr, "%s: %s\n", b->path, e.err.msg);
        exit(2);
    }
    double t = tco_thread_cpu() - t0;
    b->results_free(res);
    b->run_free(run);
    return t;
}

void tco_dlbuild_close(tco_dlbuild *b)
{
    if (b->sc)
        b->scenario_free(b->sc);
    b->sc = NULL;
}
