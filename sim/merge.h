/* Shards without a cluster: `tcosim sweep|sensitivity ... --shard i/N -o
 * parts/i` computes shard i's share of the work and writes a part;
 * `tcosim merge parts/0 parts/1 ... -o out` checks the parts belong together and
 * writes the output folder one process would have written, byte for byte.
 *
 * The units of work are the runs of tco_sweep_runs (sweep.h): the points
 * of a sweep, the runs of a sensitivity design (tornado: 2 per input;
 * Sobol: D + 2).  Shard i of N takes units [i U / N, (i + 1) U / N) of U,
 * contiguous so that a sweep's neighbouring points share their draws.  A
 * point's statistics and a run's NPVs depend on that unit alone, so they
 * are the same bits in a shard as in one process.
 *
 * A part is a folder holding part.bin and meta.csv (the header in words).
 * part.bin: a text header of "key value" lines (format, version, command,
 * scenario path and SHA-256, seed, futures, shard i/N, threads, units, row
 * length, the canonical arguments but --threads, one a line), the line "data", then one record
 * per unit of the shard: the unit's index (8 bytes) and its row (row
 * doubles), little-endian. */
#ifndef TCO_MERGE_H
#define TCO_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sweep.h"

#define TCO_PART_FILE "part.bin"
#define TCO_PART_MAX_ARGS 256

typedef struct {
    char version[32];
    char command[32];         /* sweep or sensitivity */
    char scenario[4096];      /* the scenario path as given */
    char sha256[65];          /* of the scenario file */
    uint64_t seed;
    long futures;
    size_t shard, nshards;    /* i of N */
    int threads;              /* the shard's threads (not compared: results do not
                                 depend on them); merge names shard 0's */
    size_t units, row;        /* units of the whole work; doubles a unit */
    size_t nargs;
    char *args[TCO_PART_MAX_ARGS]; /* owned */
} tco_part_header;

void tco_part_header_clear(tco_part_header *h);

/* Parses "i/N" (0 <= i < N <= 100000). */
tco_status tco_shard_parse(const char *spec, size_t *i, size_t *n, tco_error *err);

/* The first unit of shard i of n over units units (i = n gives units). */
size_t tco_shard_first(size_t units, size_t i, size_t n);

/* Writes the part of header h with the records of its units, [first,
 * last) = [tco_shard_first(h->units, h->shard, h->nshards), the next
 * shard's first): unit u's row at rows[(u - first) * h->row], into folder
 * dir (made whole, or replaced when it holds a part). */
tco_status tco_part_write(const char *dir, const tco_part_header *h, const double *rows,
                          tco_error *err);

/* Parts read and checked to belong together. */
typedef struct {
    tco_part_header h; /* shard 0's, with shard = 0 */
    double *rows;      /* units x row, every unit */
} tco_parts;

/* Reads the parts at paths[0..n) (each a part folder or its part.bin),
 * checks that they come from one command on one scenario file (the file
 * unchanged since), that every shard of N is there once, and that each
 * holds its units.  Errors name the part and what differs (TCO_EINVAL,
 * TCO_EIO).  *out belongs to the caller. */
tco_status tco_parts_read(tco_parts **out, char *const *paths, size_t n, tco_error *err);
void tco_parts_free(tco_parts *p);

/* A sweep point's statistics as one row (tco_sweep_row_size(S) doubles):
 * mean, p5, p50, p95, p_cheapest, p_below (S each), p_pair (S x S). */
size_t tco_sweep_row_size(size_t S);
void tco_sweep_row_get(const tco_sweep *sw, size_t p, double *row);
void tco_sweep_row_set(tco_sweep *sw, size_t p, const double *row);

/* A share (sweep.h) for shard i of n: its units only.  With S > 0 (a
 * sensitivity design), the NPVs of each of its runs (S x futures) are kept
 * as rows, and the share stops the caller after its runs.  Free with
 * tco_shard_share_clear. */
typedef struct {
    tco_share share;
    size_t i, n, S;
    size_t units;  /* seen by mine: the units of the whole work (0: none seen) */
    size_t row;    /* doubles a kept row (S x futures) */
    double *rows;  /* the shard's units x row, from its first unit */
    int failed;    /* out of memory keeping a row */
} tco_shard_share;

void tco_shard_share_init(tco_shard_share *s, size_t i, size_t n, size_t S);
void tco_shard_share_clear(tco_shard_share *s);

/* A share that computes nothing and replays every run from parts (a
 * sensitivity design's NPVs), or, for a sweep, runs nothing at all. */
void tco_merge_share_init(tco_share *sh, const tco_parts *parts);

#endif
