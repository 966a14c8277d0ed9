#!/bin/sh
# Whether CC ($1, default clang) can link a libFuzzer program.
CC=${1:-clang}
command -v "$CC" >/dev/null 2>&1 || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$TMP/t.c"
"$CC" -fsanitize=fuzzer,address,undefined -o "$TMP/t" "$TMP/t.c" >/dev/null 2>&1
