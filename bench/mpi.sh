#!/bin/sh
# make bench-mpi: tcosim-mpi against the OpenMP program on this machine, for
# a 20 x 20 sweep and a run of 10^6 futures (README "Beyond one machine"):
# the wall time of each, the bytes each process sent and received
# (TCOSIM_MPI_STATS) and the peak memory of rank 0.  Figures, not tests:
# nothing here fails on a slow machine.  Writes build/bench-mpi.md.
# BENCH_MPI_FUTURES (default 1000000) and BENCH_MPI_SWEEP_FUTURES (futures
# a point, default 2000) change the sizes.
# Usage: bench/mpi.sh ./tcosim ./tcosim-mpi
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
MPIBIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SC="$ROOT/scenarios/baseline.yaml"
NRUN=${BENCH_MPI_FUTURES:-1000000}
NSWEEP=${BENCH_MPI_SWEEP_FUTURES:-2000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TCOSIM_MPI_STATS=1
CORES=$(nproc 2>/dev/null || echo 2)
OUT="$ROOT/build/bench-mpi.md"
mkdir -p "$ROOT/build"

now() { date +%s.%N; }

# measure LABEL NP THREADS -- ARGS: one line of the table.  NP 0: tcosim.
measure() {
    label=$1 np=$2 th=$3
    shift 4
    rm -rf "$TMP/o"
    t0=$(now)
    if [ "$np" = 0 ]; then
        /usr/bin/time -f "%M %U %S" -o "$TMP/rss" "$BIN" "$@" --threads "$th" -q --no-plots \
            -o "$TMP/o" >/dev/null 2>"$TMP/err"
        rc=$?
        mem=$(tail -n 1 "$TMP/rss" | awk '{ print $1 * 1024 }')
        cpu=$(tail -n 1 "$TMP/rss" | awk '{ printf "%.1f", $2 + $3 }')
        moved="-"
    else
        timeout 3600 mpirun --oversubscribe --bind-to none -np "$np" "$MPIBIN" "$@" \
            --threads "$th" -q --no-plots -o "$TMP/o" >/dev/null 2>"$TMP/err"
        rc=$?
        mem=$(awk '/^mpi: rank 0 / { print $14 }' "$TMP/err")
        cpu=$(awk '/^mpi: rank / { c += $(NF - 1) } END { printf "%.1f", c }' "$TMP/err")
        # The most any rank sent or received.
        moved=$(awk '/^mpi: rank / { s = $7 > $10 ? $7 : $10; if (s > m) m = s } END { printf "%.1f MB", m / 1e6 }' "$TMP/err")
    fi
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        echo "bench-mpi: $label failed: $(head -c 300 "$TMP/err")" >&2
        return
    fi
    secs=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
    mib=$(echo "${mem:-0}" | awk '{ printf "%.0f MiB", $1 / 1048576 }')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$secs" "$cpu" "$moved" "$mib" \
        "$(awk '/^mpi: rank / { printf "%s%.1f MB", n++ ? ", " : "", ($7 + $10) / 1e6 }' "$TMP/err")" | tee -a "$OUT"
}

{
    echo "tcosim-mpi on $CORES cores ($(date -u +%Y-%m-%d)): wall seconds, CPU seconds of all"
    echo "processes (which a shared machine does not inflate), the most bytes one process"
    echo "moved, rank 0's peak memory, bytes each rank sent + received."
    echo
    echo "| job | seconds | CPU seconds | most bytes moved | rank 0 memory | per rank |"
    echo "|---|---:|---:|---:|---:|---|"
} | tee "$OUT"
SWEEP="sweep $SC --vary demand.requests_per_month=1e6:1e7:20:log \
--vary backends.api-frontier.output_price_per_mtok=5:25:20 -n $NSWEEP"
# shellcheck disable=SC2086
measure "sweep 20 x 20 x $NSWEEP, tcosim, $CORES threads" 0 "$CORES" -- $SWEEP
# shellcheck disable=SC2086
measure "sweep, tcosim-mpi, 1 process x $CORES threads" 1 "$CORES" -- $SWEEP
# shellcheck disable=SC2086
measure "sweep, tcosim-mpi, 2 processes x 1 thread" 2 1 -- $SWEEP
measure "run $NRUN, tcosim, $CORES threads" 0 "$CORES" -- run "$SC" -n "$NRUN"
measure "run, tcosim-mpi, 1 process x $CORES threads" 1 "$CORES" -- run "$SC" -n "$NRUN"
measure "run, tcosim-mpi, 2 processes x 1 thread" 2 1 -- run "$SC" -n "$NRUN"
# Spread runs (nothing gathered: TCOSIM_MPI_GATHER_BYTES=0): each process
# keeps its own futures; the bytes moved must not grow with the futures.
export TCOSIM_MPI_GATHER_BYTES=0
measure "run $((NRUN / 10)), spread, 2 processes x 1 thread" 2 1 -- run "$SC" -n $((NRUN / 10))
measure "run $NRUN, spread, 2 processes x 1 thread" 2 1 -- run "$SC" -n "$NRUN"
unset TCOSIM_MPI_GATHER_BYTES
echo "bench-mpi: table in $OUT"
