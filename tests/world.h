/* A simulated set of partitions for the Check suites (select.h, pstats.h,
 * spread runs): each partition on its own thread, their counts summed by a
 * barrier-based reduce as MPI_Allreduce would sum them. */
#ifndef TCO_TEST_WORLD_H
#define TCO_TEST_WORLD_H

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "../sim/error.h"

#define WORLD_BUF (1 << 16)

typedef struct {
    pthread_barrier_t bar;
    pthread_mutex_t mu;
    uint64_t buf[WORLD_BUF];
} world;

/* For P partitions; w is large (512 KiB): static, not on the stack. */
static inline void world_init(world *w, int P)
{
    memset(w->buf, 0, sizeof w->buf);
    pthread_mutex_init(&w->mu, NULL);
    pthread_barrier_init(&w->bar, NULL, (unsigned)P);
}

static inline void world_destroy(world *w)
{
    pthread_barrier_destroy(&w->bar);
    pthread_mutex_destroy(&w->mu);
}

/* tco_select_reduce: every partition calls it with the same n. */
static inline void world_reduce(void *ctx, uint64_t *counts, size_t n)
{
    world *w = ctx;
    ck_assert_uint_le(n, WORLD_BUF);
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < n; i++)
        w->buf[i] += counts[i];
    pthread_mutex_unlock(&w->mu);
    pthread_barrier_wait(&w->bar);
    memcpy(counts, w->buf, n * sizeof *counts);
    if (pthread_barrier_wait(&w->bar) == PTHREAD_BARRIER_SERIAL_THREAD)
        memset(w->buf, 0, n * sizeof *w->buf);
    pthread_barrier_wait(&w->bar);
}

/* tco_run_reduce's agree: a failure on any partition fails them all. */
static inline tco_status world_agree(void *ctx, tco_status st, tco_error *err)
{
    uint64_t bad = st != TCO_OK;
    (void)err;
    world_reduce(ctx, &bad, 1);
    return bad ? (st != TCO_OK ? st : TCO_ENOMEM) : TCO_OK;
}

#endif
