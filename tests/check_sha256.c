/* SHA-256 (sha256.c) against the test vectors of FIPS 180-4's examples
 * (NIST, "Cryptographic Standards and Guidelines: Examples with
 * Intermediate Values", SHA256.pdf) and the long message of FIPS 180-2
 * appendix B.3. */
#include "testutil.h"

#include <stdio.h>

#include "../sim/sha256.h"

START_TEST(test_vectors)
{
    char hex[65];
    tco_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tco_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* 448 bits: the padding takes a second block. */
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tco_sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

/* One million 'a', fed in uneven pieces so that blocks straddle calls. */
START_TEST(test_million_a)
{
    static char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    tco_sha256 c;
    unsigned char d[32];
    tco_sha256_init(&c);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        tco_sha256_update(&c, chunk, n);
        left -= n;
    }
    tco_sha256_final(&c, d);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64 bytes): a file of
 * each gives the digest of the same bytes in memory, and the 64-byte one
 * the value sha256sum prints. */
START_TEST(test_file)
{
    char path[] = "/tmp/tcosim-sha-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char text[65], a[65], b[65];
    memset(text, 'x', 64);
    text[64] = '\0';
    tco_error err;
    size_t lens[] = {55, 56, 63, 64};
    for (int i = 0; i < 4; i++) {
        FILE *f = fopen(path, "wb");
        fwrite(text, 1, lens[i], f);
        fclose(f);
        ck_assert_int_eq(tco_sha256_file(path, a, &err), TCO_OK);
        tco_sha256_hex(text, lens[i], b);
        ck_assert_str_eq(a, b);
    }
    /* printf 'x%.0s' $(seq 64) | sha256sum */
    ck_assert_str_eq(a, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
    unlink(path);
    ck_assert_int_eq(tco_sha256_file(path, a, &err), TCO_EIO);
    ck_assert(strstr(err.msg, path) != NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("digest");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_million_a);
    tcase_add_test(tc, test_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
