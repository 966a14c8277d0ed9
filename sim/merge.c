#include "merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "number.h"
#include "outdir.h"
#include "output.h"
#include "sha256.h"

#define PART_FORMAT "tcosim-part 1"

void tco_part_header_clear(tco_part_header *h)
{
    for (size_t k = 0; k < h->nargs; k++)
        free(h->args[k]);
    memset(h, 0, sizeof *h);
}

tco_status tco_shard_parse(const char *spec, size_t *i, size_t *n, tco_error *err)
{
    const char *slash = strchr(spec, '/');
    char *end;
    unsigned long long a, b;
    if (!slash || spec[0] < '0' || spec[0] > '9' || slash[1] < '0' || slash[1] > '9')
        goto bad;
    errno = 0;
    a = strtoull(spec, &end, 10);
    if (end != slash || errno)
        goto bad;
    b = strtoull(slash + 1, &end, 10);
    if (*end || errno)
        goto bad;
    if (b < 1 || b > 100000 || a >= b)
        return tco_error_set(err, TCO_EINVAL,
                             "--shard %s: needs 0 <= i < N <= 100000 (shards are numbered "
                             "from 0)",
                             spec);
    *i = (size_t)a;
    *n = (size_t)b;
    return TCO_OK;
bad:
    return tco_error_set(err, TCO_EINVAL, "--shard %s: expected i/N, e.g. 0/4", spec);
}

size_t tco_shard_first(size_t units, size_t i, size_t n)
{
    /* i units / n without overflow for any units below 2^64 / 100000. */
    return (size_t)((unsigned long long)units * i / n);
}

/* ---- writing ---- */

static void put_u64(unsigned char *b, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
}

static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | b[k];
    return v;
}

static void header_lines(FILE *f, const tco_part_header *h, int csv)
{
    const char *fmt = csv ? "%s,%s\n" : "%s %s\n";
    char num[64];
    tco_fprintf(f, fmt, "format", PART_FORMAT);
    tco_fprintf(f, fmt, "version", h->version);
    tco_fprintf(f, fmt, "command", h->command);
    tco_fprintf(f, fmt, "scenario", h->scenario);
    tco_fprintf(f, fmt, "scenario_sha256", h->sha256);
    tco_snprintf(num, sizeof num, "%llu", (unsigned long long)h->seed);
    tco_fprintf(f, fmt, "seed", num);
    tco_snprintf(num, sizeof num, "%ld", h->futures);
    tco_fprintf(f, fmt, "futures", num);
    tco_snprintf(num, sizeof num, "%zu/%zu", h->shard, h->nshards);
    tco_fprintf(f, fmt, "shard", num);
    tco_snprintf(num, sizeof num, "%d", h->threads);
    tco_fprintf(f, fmt, "threads", num);
    tco_snprintf(num, sizeof num, "%zu", h->units);
    tco_fprintf(f, fmt, "units", num);
    tco_snprintf(num, sizeof num, "%zu", h->row);
    tco_fprintf(f, fmt, "row", num);
    tco_snprintf(num, sizeof num, "%zu", h->nargs);
    tco_fprintf(f, fmt, "args", num);
    for (size_t k = 0; k < h->nargs; k++) {
        if (!csv) {
            tco_fprintf(f, "%s\n", h->args[k]);
            continue;
        }
        fputs("arg,\"", f); /* CSV: a quote doubled */
        for (const char *c = h->args[k]; *c; c++) {
            if (*c == '"')
                fputc('"', f);
            fputc(*c, f);
        }
        fputs("\"\n", f);
    }
}

tco_status tco_part_write(const char *dir, const tco_part_header *h, const double *rows,
                          tco_error *err)
{
    for (size_t k = 0; k < h->nargs; k++)
        if (strchr(h->args[k], '\n') || strchr(h->args[k], '\r'))
            return tco_error_set(err, TCO_EINVAL, "--shard: an argument holds a line break, "
                                                  "which a part cannot record: %s",
                                 h->args[k]);
    tco_outdir *od = NULL;
    tco_status st = tco_outdir_open(&od, dir, err);
    if (st)
        return st;
    char path[4200];
    size_t first = tco_shard_first(h->units, h->shard, h->nshards);
    size_t last = tco_shard_first(h->units, h->shard + 1, h->nshards);
    unsigned char *buf = malloc(8 * (h->row + 1));
    FILE *f = NULL;
    if (!buf) {
        st = tco_error_set(err, TCO_ENOMEM, "out of memory");
        goto done;
    }
    tco_snprintf(path, sizeof path, "%s/%s", tco_outdir_work(od), TCO_PART_FILE);
    if (!(f = fopen(path, "wb")))
        goto io;
    header_lines(f, h, 0);
    fputs("data\n", f);
    for (size_t u = first; u < last; u++) {
        put_u64(buf, u);
        for (size_t j = 0; j < h->row; j++) {
            uint64_t bits;
            memcpy(&bits, &rows[(u - first) * h->row + j], sizeof bits);
            put_u64(buf + 8 * (j + 1), bits);
        }
        if (fwrite(buf, 8, h->row + 1, f) != h->row + 1)
            goto io;
    }
    if (fclose(f) != 0) {
        f = NULL;
        goto io;
    }
    tco_snprintf(path, sizeof path, "%s/meta.csv", tco_outdir_work(od));
    if (!(f = fopen(path, "w")))
        goto io;
    fputs("key,value\n", f);
    header_lines(f, h, 1);
    if (fclose(f) != 0) {
        f = NULL;
        goto io;
    }
    f = NULL;
    st = tco_outdir_commit(od, err);
    goto done;
io:
    st = tco_error_set(err, TCO_EIO, "%s: cannot write the part: %s", dir, strerror(errno));
done:
    if (f)
        fclose(f);
    free(buf);
    tco_outdir_close(od);
    return st;
}

/* ---- reading ---- */

/* Reads one header line into line (without its newline); 0 at its end. */
static int read_line(FILE *f, char *line, size_t size)
{
    if (!fgets(line, (int)size, f))
        return 0;
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n')
        return 0;
    line[len - 1] = '\0';
    return 1;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-')
        return 0;
    *out = (size_t)v;
    return 1;
}

/* Reads the header of part `path` (file) into h; f is left at the data. */
static tco_status read_header(FILE *f, const char *path, tco_part_header *h, tco_error *err)
{
    char line[8192];
    const char *key[] = {"format",  "version", "command", "scenario", "scenario_sha256",
                         "seed",    "futures", "shard",   "threads",  "units",
                         "row",     "args"};
    char val[12][4200];
    for (int k = 0; k < 12; k++) {
        size_t kl = strlen(key[k]);
        if (!read_line(f, line, sizeof line) || strncmp(line, key[k], kl) != 0 ||
            line[kl] != ' ' || strlen(line + kl + 1) >= sizeof val[k])
            return tco_error_set(err, TCO_EINVAL,
                                 "%s: not a tcosim part (no '%s' line where expected); parts "
                                 "are written by --shard i/N -o DIR",
                                 path, key[k]);
        strcpy(val[k], line + kl + 1);
        if (k == 0 && strcmp(val[0], PART_FORMAT) != 0)
            return tco_error_set(err, TCO_EINVAL, "%s: part format '%s', this tcosim reads '%s'",
                                 path, val[0], PART_FORMAT);
    }
    size_t seed, futures, i, n, nargs, threads;
    char *slash = strchr(val[7], '/');
    if (slash)
        *slash = '\0';
    if (!parse_size(val[5], &seed) || !parse_size(val[6], &futures) || !slash ||
        !parse_size(val[7], &i) || !parse_size(slash + 1, &n) || n < 1 || i >= n ||
        !parse_size(val[8], &threads) || threads < 1 || threads > 1024 ||
        !parse_size(val[9], &h->units) || !parse_size(val[10], &h->row) ||
        !parse_size(val[11], &nargs) || nargs > TCO_PART_MAX_ARGS ||
        strlen(val[1]) >= sizeof h->version || strlen(val[2]) >= sizeof h->command ||
        strlen(val[4]) != 64 || h->row > ((size_t)1 << 40) || h->units > ((size_t)1 << 40))
        return tco_error_set(err, TCO_EINVAL, "%s: a damaged part header", path);
    strcpy(h->version, val[1]);
    strcpy(h->command, val[2]);
    strcpy(h->scenario, val[3]);
    strcpy(h->sha256, val[4]);
    h->seed = seed;
    h->futures = (long)futures;
    h->shard = i;
    h->nshards = n;
    h->threads = (int)threads;
    for (size_t k = 0; k < nargs; k++) {
        if (!read_line(f, line, sizeof line) || !(h->args[k] = malloc(strlen(line) + 1)))
            return tco_error_set(err, TCO_EINVAL, "%s: a damaged part header", path);
        strcpy(h->args[k], line);
        h->nargs = k + 1;
    }
    if (!read_line(f, line, sizeof line) || strcmp(line, "data") != 0)
        return tco_error_set(err, TCO_EINVAL, "%s: a damaged part header", path);
    return TCO_OK;
}

/* What differs between two headers, in words; NULL when nothing. */
static const char *header_differs(const tco_part_header *a, const tco_part_header *b)
{
    if (strcmp(a->version, b->version))
        return "tcosim version";
    if (strcmp(a->command, b->command))
        return "command";
    if (strcmp(a->scenario, b->scenario))
        return "scenario file";
    if (strcmp(a->sha256, b->sha256))
        return "scenario file's contents (SHA-256)";
    if (a->seed != b->seed)
        return "seed";
    if (a->futures != b->futures)
        return "number of futures";
    if (a->nshards != b->nshards)
        return "number of shards N";
    if (a->nargs != b->nargs)
        return "options";
    for (size_t k = 0; k < a->nargs; k++)
        if (strcmp(a->args[k], b->args[k]))
            return "options";
    if (a->units != b->units || a->row != b->row)
        return "work (units or their size)";
    return NULL;
}

void tco_parts_free(tco_parts *p)
{
    if (!p)
        return;
    tco_part_header_clear(&p->h);
    free(p->rows);
    free(p);
}

static tco_status header_copy(tco_part_header *to, const tco_part_header *from,
                              tco_error *err)
{
    *to = *from;
    for (size_t k = 0; k < from->nargs; k++)
        if (!(to->args[k] = malloc(strlen(from->args[k]) + 1))) {
            to->nargs = k;
            return tco_error_set(err, TCO_ENOMEM, "out of memory");
        } else {
            strcpy(to->args[k], from->args[k]);
        }
    return TCO_OK;
}

tco_status tco_parts_read(tco_parts **out, char *const *paths, size_t n, tco_error *err)
{
    *out = NULL;
    if (n == 0)
        return tco_error_set(err, TCO_EINVAL, "merge: no parts given");
    tco_parts *p = calloc(1, sizeof *p);
    tco_part_header h = {0};
    const char **owner = NULL; /* the part that holds each shard */
    unsigned char *buf = NULL;
    FILE *f = NULL;
    tco_status st = TCO_OK;
    if (!p)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        char path[4200];
        struct stat sb;
        if (stat(paths[k], &sb) == 0 && S_ISDIR(sb.st_mode))
            tco_snprintf(path, sizeof path, "%s/%s", paths[k], TCO_PART_FILE);
        else
            tco_snprintf(path, sizeof path, "%s", paths[k]);
        if (!(f = fopen(path, "rb"))) {
            st = tco_error_set(err, TCO_EINVAL, "%s: cannot read the part: %s", path,
                               strerror(errno));
            goto fail;
        }
        tco_part_header_clear(&h);
        if ((st = read_header(f, path, &h, err)))
            goto fail;
        if (k == 0) {
            if (strcmp(h.version, TCO_VERSION) != 0) {
                st = tco_error_set(err, TCO_EINVAL, "%s: written by tcosim %s; this is tcosim %s",
                                   path, h.version, TCO_VERSION);
                goto fail;
            }
            if ((st = header_copy(&p->h, &h, err)))
                goto fail;
            size_t total = p->h.units * p->h.row;
            owner = calloc(p->h.nshards, sizeof *owner);
            buf = malloc(8 * (p->h.row + 1));
            p->rows = malloc((total ? total : 1) * sizeof *p->rows);
            if (!owner || !buf || !p->rows) {
                st = tco_error_set(err, TCO_ENOMEM, "out of memory for %zu units of %zu numbers",
                                   p->h.units, p->h.row);
                goto fail;
            }
        } else {
            const char *what = header_differs(&p->h, &h);
            if (what) {
                st = tco_error_set(err, TCO_EINVAL,
                                   "%s: does not belong with %s: the %s differ%s; merge the "
                                   "parts of one command",
                                   paths[k], paths[0], what,
                                   what[strlen(what) - 1] == 's' ? "" : "s");
                goto fail;
            }
        }
        if (owner[h.shard]) {
            st = tco_error_set(err, TCO_EINVAL, "shard %zu/%zu given twice: %s and %s", h.shard,
                               h.nshards, owner[h.shard], paths[k]);
            goto fail;
        }
        owner[h.shard] = paths[k];
        size_t first = tco_shard_first(p->h.units, h.shard, p->h.nshards);
        size_t last = tco_shard_first(p->h.units, h.shard + 1, p->h.nshards);
        for (size_t u = first; u < last; u++) {
            if (fread(buf, 8, p->h.row + 1, f) != p->h.row + 1 || get_u64(buf) != u) {
                st = tco_error_set(err, TCO_EINVAL, "%s: shard %zu/%zu is cut short or "
                                   "damaged (unit %zu of %zu..%zu)",
                                   path, h.shard, p->h.nshards, u, first, last - 1);
                goto fail;
            }
            for (size_t j = 0; j < p->h.row; j++) {
                uint64_t bits = get_u64(buf + 8 * (j + 1));
                memcpy(&p->rows[u * p->h.row + j], &bits, sizeof bits);
            }
        }
        if (fgetc(f) != EOF) {
            st = tco_error_set(err, TCO_EINVAL, "%s: data after the last unit of shard %zu/%zu",
                               path, h.shard, p->h.nshards);
            goto fail;
        }
        fclose(f);
        f = NULL;
    }
    for (size_t s = 0; s < p->h.nshards; s++)
        if (!owner[s]) {
            size_t miss = 0;
            for (size_t t = 0; t < p->h.nshards; t++)
                miss += !owner[t];
            st = tco_error_set(err, TCO_EINVAL,
                               "shard %zu/%zu is missing (%zu of %zu shards missing); merge "
                               "needs every shard once",
                               s, p->h.nshards, miss, p->h.nshards);
            goto fail;
        }
    /* The scenario file must be the one the shards ran on. */
    char hex[65];
    if ((st = tco_sha256_file(p->h.scenario, hex, err)))
        goto fail;
    if (strcmp(hex, p->h.sha256) != 0) {
        st = tco_error_set(err, TCO_EINVAL, "%s: the scenario file changed since the shards ran "
                           "(SHA-256 %.8s, the parts say %.8s)",
                           p->h.scenario, hex, p->h.sha256);
        goto fail;
    }
    p->h.shard = 0;
    tco_part_header_clear(&h);
    free(owner);
    free(buf);
    *out = p;
    return TCO_OK;
fail:
    if (f)
        fclose(f);
    tco_part_header_clear(&h);
    free(owner);
    free(buf);
    tco_parts_free(p);
    return st;
}

/* ---- sweep rows ---- */

size_t tco_sweep_row_size(size_t S)
{
    return 6 * S + S * S;
}

void tco_sweep_row_get(const tco_sweep *sw, size_t p, double *row)
{
    const size_t S = sw->S;
    const double *col[6] = {sw->mean, sw->p5, sw->p50, sw->p95, sw->p_cheapest, sw->p_below};
    for (int k = 0; k < 6; k++)
        memcpy(row + (size_t)k * S, col[k] + p * S, S * sizeof *row);
    memcpy(row + 6 * S, sw->p_pair + p * S * S, S * S * sizeof *row);
}

void tco_sweep_row_set(tco_sweep *sw, size_t p, const double *row)
{
    const size_t S = sw->S;
    double *col[6] = {sw->mean, sw->p5, sw->p50, sw->p95, sw->p_cheapest, sw->p_below};
    for (int k = 0; k < 6; k++)
        memcpy(col[k] + p * S, row + (size_t)k * S, S * sizeof *row);
    memcpy(sw->p_pair + p * S * S, row + 6 * S, S * S * sizeof *row);
}

/* ---- shares ---- */

static int shard_mine(void *ctx, size_t r, size_t nruns)
{
    tco_shard_share *s = ctx;
    s->units = nruns;
    return r >= tco_shard_first(nruns, s->i, s->n) && r < tco_shard_first(nruns, s->i + 1, s->n);
}

static tco_status shard_keep(void *ctx, size_t r, const double *npv, size_t n, tco_error *err)
{
    tco_shard_share *s = ctx;
    size_t first = tco_shard_first(s->units, s->i, s->n);
    size_t last = tco_shard_first(s->units, s->i + 1, s->n);
    if (!s->rows) {
        s->row = s->S * n;
        if (!(s->rows = malloc(((last - first) * s->row + 1) * sizeof *s->rows))) {
            s->failed = 1;
            return tco_error_set(err, TCO_ENOMEM, "out of memory keeping this shard's runs");
        }
    }
    memcpy(s->rows + (r - first) * s->row, npv, s->row * sizeof *npv);
    return TCO_OK;
}

void tco_shard_share_init(tco_shard_share *s, size_t i, size_t n, size_t S)
{
    memset(s, 0, sizeof *s);
    s->i = i;
    s->n = n;
    s->S = S;
    s->share.mine = shard_mine;
    s->share.keep = S ? shard_keep : NULL;
    s->share.ctx = s;
    s->share.stop = S > 0;
}

void tco_shard_share_clear(tco_shard_share *s)
{
    free(s->rows);
    s->rows = NULL;
}

static int merge_mine(void *ctx, size_t r, size_t nruns)
{
    (void)ctx;
    (void)r;
    (void)nruns;
    return 0;
}

static tco_status merge_replay(void *ctx, size_t r, tco_sweep_take take, void *take_ctx,
                               tco_error *err)
{
    const tco_parts *p = ctx;
    if (r >= p->h.units || p->h.futures < 1)
        return tco_error_set(err, TCO_EINVAL, "merge: the parts hold %zu runs, the command "
                                              "asks for run %zu",
                             p->h.units, r);
    return take(take_ctx, r, p->rows + r * p->h.row, (size_t)p->h.futures, err);
}

void tco_merge_share_init(tco_share *sh, const tco_parts *parts)
{
    memset(sh, 0, sizeof *sh);
    sh->mine = merge_mine;
    sh->ctx = (void *)(uintptr_t)parts; /* read only */
    sh->replay = strcmp(parts->h.command, "sweep") == 0 ? NULL : merge_replay;
}
