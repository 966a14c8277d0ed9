/* SHA-256 (FIPS 180-4), for the provenance of a result: the digest of the
 * scenario file's bytes, as `sha256sum` prints it. */
#ifndef TCO_SHA256_H
#define TCO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct {
    uint32_t h[8];
    uint64_t bytes;        /* message length so far */
    unsigned char block[64];
    size_t fill;           /* bytes waiting in block */
} tco_sha256;

void tco_sha256_init(tco_sha256 *c);
void tco_sha256_update(tco_sha256 *c, const void *data, size_t n);
/* Writes the 32-byte digest; c must be initialised again before reuse. */
void tco_sha256_final(tco_sha256 *c, unsigned char digest[32]);

/* The digest of n bytes as 64 lowercase hex digits and a terminating NUL. */
void tco_sha256_hex(const void *data, size_t n, char hex[65]);

/* The digest of a file's bytes in hex; TCO_EIO (naming path) when it
 * cannot be read. */
tco_status tco_sha256_file(const char *path, char hex[65], tco_error *err);

#endif
