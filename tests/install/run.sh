#!/bin/sh
# The installed library: `make install` into a DESTDIR, then a small program
# compiled against it with nothing but pkg-config (PKG_CONFIG_PATH) and
# `#include <tcosim/tcosim.h>`, and run.
# With mpicc and CHECK_MPI not 0: `make install-mpi` installs tcosim-mpi and
# its man page too, and the installed tcosim-mpi runs alone as one process.
# Usage: tests/install/run.sh MAKE BUILD [CFLAGS [CHECK_MPI]]  (CFLAGS: the
# library's, so that a sanitizer build links its runtime)
set -u
MAKE_CMD=${1:-make}
BUILDDIR=${2:-build}
EXTRA=${3:-}
CHECK_MPI=${4:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: install: $*" >&2; exit 1; }

cd "$ROOT" || exit 1
$MAKE_CMD --no-print-directory -s install BUILD="$BUILDDIR" PREFIX=/opt/tco DESTDIR="$TMP/root" \
    >"$TMP/log" 2>&1 || fail "make install failed: $(tail -5 "$TMP/log")"
R="$TMP/root/opt/tco"
for f in lib/libtcosim.a lib/pkgconfig/tcosim.pc include/tcosim/tcosim.h include/tcosim/model.h bin/tcosim \
         share/doc/tcosim/scenario.md; do
    [ -s "$R/$f" ] || fail "$f was not installed"
done
# The .pc names the final prefix; point it at the staging root for the test.
mkdir -p "$TMP/pc"
sed "s,^prefix=.*,prefix=$R,; s,^libdir=/opt/tco,libdir=$R,; s,^includedir=/opt/tco,includedir=$R," \
    "$R/lib/pkgconfig/tcosim.pc" >"$TMP/pc/tcosim.pc"
grep -q '^Requires.private: gsl yaml-0.1' "$TMP/pc/tcosim.pc" || fail "tcosim.pc lacks Requires.private"
export PKG_CONFIG_PATH="$TMP/pc"
flags=$(pkg-config --cflags --static --libs tcosim) || fail "pkg-config cannot read tcosim.pc"
# Compiled from outside the source tree, so only installed headers are seen.
cp "$HERE/hello.c" "$TMP/hello.c"
# shellcheck disable=SC2086
(cd "$TMP" && ${CC:-cc} -std=c11 -Wall -Wextra -Werror $EXTRA -o hello hello.c $flags) >"$TMP/log" 2>&1 ||
    fail "cannot build a program against the installed library: $(head -c 600 "$TMP/log")"
"$TMP/hello" >"$TMP/out" 2>&1 || fail "the program failed: $(head -c 600 "$TMP/out")"
grep -q '^ok 2 strategies, mean NPV 1200$' "$TMP/out" || fail "unexpected output: $(head -c 300 "$TMP/out")"
passed=1
if [ "$CHECK_MPI" != 0 ] && command -v "${MPICC:-mpicc}" >/dev/null 2>&1; then
    $MAKE_CMD --no-print-directory -s install-mpi BUILD="$BUILDDIR" PREFIX=/opt/tco \
        DESTDIR="$TMP/mroot" >"$TMP/log" 2>&1 || fail "make install-mpi failed: $(tail -5 "$TMP/log")"
    M="$TMP/mroot/opt/tco"
    for f in bin/tcosim bin/tcosim-mpi share/man/man1/tcosim.1 share/man/man1/tcosim-mpi.1; do
        [ -s "$M/$f" ] || fail "make install-mpi did not install $f"
    done
    grep -qx '.so man1/tcosim.1' "$M/share/man/man1/tcosim-mpi.1" ||
        fail "tcosim-mpi.1 does not lead to tcosim.1"
    # Without mpirun: one process, the same answer as tcosim.
    for p in tcosim tcosim-mpi; do
        OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 SOURCE_DATE_EPOCH=1700000000 \
            "$M/bin/$p" run "$ROOT/scenarios/baseline.yaml" -n 50 --threads 1 -q --no-plots \
            -o "$TMP/$p" >"$TMP/log" 2>&1 || fail "the installed $p failed: $(head -c 300 "$TMP/log")"
    done
    cmp -s "$TMP/tcosim/results.json" "$TMP/tcosim-mpi/results.json" ||
        fail "the installed tcosim-mpi alone differs from tcosim"
    # Once built, a plain make install installs it too.
    $MAKE_CMD --no-print-directory -s install BUILD="$BUILDDIR" PREFIX=/opt/tco \
        DESTDIR="$TMP/proot" >"$TMP/log" 2>&1 || fail "make install failed: $(tail -5 "$TMP/log")"
    [ -s "$TMP/proot/opt/tco/bin/tcosim-mpi" ] || fail "make install left out the built tcosim-mpi"
    passed=2
fi
echo "install: $passed passed"
