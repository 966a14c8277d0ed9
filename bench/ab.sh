#!/bin/sh
# make bench-ab: the engine of two revisions timed in one process, in turn
# (bench/ab.c says how and why).  Each revision's library is built once as
# a shared object under build/ab/ (its sources from `git archive`; the
# working tree's as they are), with the flags of `make` (OPT) and -fPIC.
#
# Usage: bench/ab.sh [-n FUTURES] [-p PAIRS] [-s SCENARIO] REV_A [REV_B]
#   REV_B left out, or "work": the working tree, uncommitted changes and all.
#   FUTURES a run (default 10000), PAIRS of runs (default 60), SCENARIO
#   (default scenarios/baseline.yaml).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=10000 P=60 S=scenarios/baseline.yaml
while getopts n:p:s: o; do
    case $o in
    n) N=$OPTARG ;;
    p) P=$OPTARG ;;
    s) S=$OPTARG ;;
    *) sed -n 's/^# \{0,1\}//p' "$0" | sed -n '/^Usage/,/^$/p' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/ab.sh [-n FUTURES] [-p PAIRS] [-s SCENARIO] REV_A [REV_B]" >&2
    exit 2
fi
: "${OPT:=-O3 -march=x86-64-v2 -fno-math-errno}"
: "${CC:=cc}"
MAKE=${MAKE:-make}
OUT=$ROOT/build/ab
mkdir -p "$OUT"
LIBS=$(pkg-config --libs gsl yaml-0.1 xlsxwriter 2>/dev/null || echo -lgsl -lgslcblas -lyaml -lxlsxwriter -lz)

# lib REV: builds REV's library as a shared object; prints its path.
lib() {
    if [ "$1" = work ]; then
        dir=$OUT/work src=$ROOT
    else
        sha=$(git rev-parse --verify --quiet "$1^{commit}") || {
            echo "bench/ab.sh: no revision $1" >&2
            exit 2
        }
        dir=$OUT/$sha src=$OUT/src-$sha
        if [ ! -f "$src/Makefile" ]; then
            rm -rf "$src"
            mkdir -p "$src"
            git archive "$sha" | tar -x -C "$src"
        fi
    fi
    # A make of its own: not the flags of a make this runs under (make
    # asan's sanitizer CFLAGS would reach it through MAKEFLAGS).
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS $MAKE -s -j2 -C "$src" BUILD="$dir" \
        CC="$CC" OPT="$OPT -fPIC" CFLAGS="$OPT -fPIC -g" "$dir/libtcosim.a" >&2
    if [ ! -f "$dir/libtcosim.so" ] || [ "$dir/libtcosim.a" -nt "$dir/libtcosim.so" ]; then
        $CC -shared -fopenmp -Wl,-Bsymbolic -o "$dir/libtcosim.so" \
            -Wl,--whole-archive "$dir/libtcosim.a" -Wl,--no-whole-archive $LIBS -lm
    fi
    echo "$dir/libtcosim.so"
}

A=$(lib "$1")
B=$(lib "${2:-work}")
$CC -std=c11 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -o "$OUT/ab" bench/ab.c -ldl -lm
echo "A = $1, B = ${2:-work} (the working tree)"
"$OUT/ab" "$A" "$B" "$S" "$N" "$P"
