#!/bin/sh
# make bench-ab: the engine of two revisions timed in one process, in turn
# (bench/ab.c says how and why), in ROUNDS processes.  Each revision's
# library is built once as a shared object under build/ab/ (its sources
# from `git archive`; the working tree's as they are), with the flags of
# `make` (OPT) and -fPIC.
#
# Each process loads the two libraries at addresses of its own, and with
# them the placement of their code and data in the caches: a difference of
# a few percent can hold in one process and turn the other way in the
# next (two processes in a row, the same two builds: 1.6% faster, then
# 2.1% slower, each resolved by its own pairs).  So the verdict comes from
# the processes' medians: their median, and their range, which holds the
# median of such medians with probability 1 - 2 (1/2)^ROUNDS (96.9% for
# 6), distribution-free as the pairs' interval is.
#
# Usage: bench/ab.sh [-n FUTURES] [-p PAIRS] [-r ROUNDS] [-s SCENARIO] REV_A [REV_B]
#   REV_B left out, or "work": the working tree, uncommitted changes and all.
#   FUTURES a run (default 10000), PAIRS of runs a process (default 30),
#   ROUNDS processes (default 6), SCENARIO (default scenarios/baseline.yaml).
#        bench/ab.sh -b REV
#   builds REV's library alone and prints its path (make bench's yardstick
#   of the NumPy peer, bench/run.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=10000 P=30 RN=6 S=scenarios/baseline.yaml BUILD_ONLY=
while getopts bn:p:r:s: o; do
    case $o in
    n) N=$OPTARG ;;
    p) P=$OPTARG ;;
    r) RN=$OPTARG ;;
    s) S=$OPTARG ;;
    b) BUILD_ONLY=1 ;;
    *) sed -n 's/^# \{0,1\}//p' "$0" | sed -n '/^Usage/,/^$/p' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/ab.sh [-n FUTURES] [-p PAIRS] [-r ROUNDS] [-s SCENARIO] REV_A [REV_B]" >&2
    exit 2
fi
case $RN in
'' | *[!0-9]*) echo "bench/ab.sh: ROUNDS must be a whole number from 1" >&2; exit 2 ;;
esac
[ "$RN" -ge 1 ] || { echo "bench/ab.sh: ROUNDS must be a whole number from 1" >&2; exit 2; }
: "${OPT:=-O3 -march=x86-64-v2 -fno-math-errno}"
: "${CC:=cc}"
MAKE=${MAKE:-make}
OUT=$ROOT/build/ab
mkdir -p "$OUT"
LIBS=$(pkg-config --libs gsl yaml-0.1 xlsxwriter 2>/dev/null || echo -lgsl -lgslcblas -lyaml -lxlsxwriter -lz)

# A build's folder is named by its flags too (make does not rebuild what
# only other flags would change).
FLAGS=$(printf '%s %s' "$CC" "$OPT" | cksum | cut -d ' ' -f 1)

# lib REV: builds REV's library as a shared object; prints its path.
lib() {
    if [ "$1" = work ]; then
        dir=$OUT/work-$FLAGS src=$ROOT
    else
        sha=$(git rev-parse --verify --quiet "$1^{commit}") || {
            echo "bench/ab.sh: no revision $1" >&2
            exit 2
        }
        dir=$OUT/$sha-$FLAGS src=$OUT/src-$sha
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
if [ -n "$BUILD_ONLY" ]; then
    echo "$A"
    exit 0
fi
B=$(lib "${2:-work}")
$CC -std=c11 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -o "$OUT/ab" bench/ab.c bench/dlbuild.c \
    -ldl -lm
echo "A = $1, B = ${2:-work} (the working tree)"
MEDS=$OUT/medians.$$
trap 'rm -f "$MEDS" "$MEDS.out"' EXIT
: >"$MEDS"
r=1
while [ "$r" -le "$RN" ]; do
    echo "process $r of $RN:"
    "$OUT/ab" "$A" "$B" "$S" "$N" "$P" >"$MEDS.out"
    cat "$MEDS.out"
    sed -n 's/^  B over A, median of the pairs: \([0-9.]*\) .*/\1/p' "$MEDS.out" >>"$MEDS"
    rm -f "$MEDS.out"
    r=$((r + 1))
done
# The processes' medians: their median, their range and its coverage, the
# verdict from the range.
sort -g "$MEDS" | awk -v r="$RN" '
    { v[NR] = $1 }
    END {
        if (NR != r) { print "bench/ab.sh: a process printed no median" > "/dev/stderr"; exit 1 }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        cover = 1 - 2 * 0.5 ^ NR
        printf "across %d processes: median of their medians %.4f, their range %.4f to %.4f (%.1f%% for the median of such medians)\n", NR, m, v[1], v[NR], cover * 100
        if (v[NR] < 1)
            printf "  B is faster: by %.1f%% (%.1f%% to %.1f%%)\n", (1 - m) * 100, (1 - v[NR]) * 100, (1 - v[1]) * 100
        else if (v[1] > 1)
            printf "  B is slower: by %.1f%% (%.1f%% to %.1f%%)\n", (m - 1) * 100, (v[1] - 1) * 100, (v[NR] - 1) * 100
        else
            print "  no difference resolved (the range holds 1)"
    }' 
