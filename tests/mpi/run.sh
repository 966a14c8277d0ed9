#!/bin/sh
# tcosim-mpi against tcosim: every output file of run (random, LHS and Sobol
# sampling), sweep (one and two inputs) and sensitivity (rank, tornado,
# Sobol) must be the same, byte for byte, at 1 to 4 processes: uneven
# splits, processes with no work (n = 1; fewer points or runs than
# processes), 2 processes x 2 threads, n = 1, 100, 1001 and 20000, and the
# monthly costs recomputed (TCOSIM_MONTHLY_BYTES).  Then the failures, each
# on purpose: an input error (printed once, exit 2), a non-finite cost, a
# process that stops alone on its own arguments or scenario, a process
# killed (no half-written output, no hang), Ctrl-C, and plain tcosim under
# mpirun.  Every mpirun is bounded by timeout; no timing is asserted.
# Only report.pdf's creation date (set by cairo) may differ between two runs.
# Usage: tests/mpi/run.sh ./tcosim ./tcosim-mpi
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
MPIBIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: mpi: $*" >&2; }

if ! command -v mpirun >/dev/null 2>&1; then
    echo "mpi: skipped: no mpirun (apt-get install openmpi-bin libopenmpi-dev)"
    exit 0
fi
# Open MPI refuses root without these (CI containers run as root), and
# starts more processes than cores only with --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often forbid the cross-memory attach of Open MPI's shared
# memory transport (Docker's ptrace rule): copy through shared memory.
export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
export SOURCE_DATE_EPOCH=1700000000
SC="$ROOT/scenarios/baseline.yaml"

mpi() {
    np=$1
    shift
    timeout 120 mpirun --oversubscribe -np "$np" "$MPIBIN" "$@"
}

# same NAME DIR_A DIR_B: the same files, byte for byte (report.pdf without
# its creation date).
same() {
    name=$1 a=$2 b=$3
    if [ ! -d "$a" ] || [ ! -d "$b" ]; then
        bad "$name: an output folder is missing"
        return
    fi
    (cd "$a" && find . -type f | sort) >"$TMP/la"
    (cd "$b" && find . -type f | sort) >"$TMP/lb"
    if ! cmp -s "$TMP/la" "$TMP/lb"; then
        bad "$name: the folders hold different files: $(diff "$TMP/la" "$TMP/lb" | head -5 | tr '\n' ' ')"
        return
    fi
    differ=""
    while read -r f; do
        case "$f" in
        *.pdf)
            grep -av '/CreationDate\|/ModDate' "$a/$f" >"$TMP/pa"
            grep -av '/CreationDate\|/ModDate' "$b/$f" >"$TMP/pb"
            cmp -s "$TMP/pa" "$TMP/pb" || differ="$differ $f" ;;
        *) cmp -s "$a/$f" "$b/$f" || differ="$differ $f" ;;
        esac
    done <"$TMP/la"
    if [ -n "$differ" ]; then
        bad "$name: files differ:$differ"
    elif [ ! -s "$TMP/la" ]; then
        bad "$name: no files"
    else
        ok
    fi
}

# case NAME NP THREADS -- COMMAND ARGS...: tcosim and tcosim-mpi on NP
# processes, each with --threads THREADS, every file compared.
n_case=0
case_() {
    name=$1 np=$2 th=$3
    shift 4
    n_case=$((n_case + 1))
    a="$TMP/a$n_case" b="$TMP/b$n_case"
    if ! "$BIN" "$@" --threads "$th" -q -o "$a" >"$TMP/out1" 2>"$TMP/err1"; then
        bad "$name: tcosim failed: $(head -c 300 "$TMP/err1")"
        return
    fi
    if ! mpi "$np" "$@" --threads "$th" -q -o "$b" >"$TMP/out2" 2>"$TMP/err2"; then
        bad "$name: tcosim-mpi on $np processes failed: $(head -c 300 "$TMP/err2")"
        return
    fi
    same "$name (np $np, $th threads)" "$a" "$b"
    if ! cmp -s "$TMP/out1" "$TMP/out2" || ! cmp -s "$TMP/err1" "$TMP/err2"; then
        bad "$name: its standard output or error differs from tcosim's"
    fi
    rm -rf "$a" "$b"
}

# Runs: each sampler, n = 1 (one block: every process but one has none),
# 100 (two blocks on three processes), 1001 and 20000 (uneven splits).
case_ "run random n=1" 2 1 -- run "$SC" -n 1 --sampling random --no-plots
case_ "run lhs n=100" 3 1 -- run "$SC" -n 100 --sampling lhs --no-plots
case_ "run sobol n=1001" 4 1 -- run "$SC" -n 1001 --sampling sobol --no-plots
case_ "run random n=1001 samples" 2 2 -- run "$SC" -n 1001 --samples --no-plots
case_ "run n=100 one process" 1 2 -- run "$SC" -n 100 --sampling lhs --no-plots
case_ "run n=20000 with charts" 3 1 -- run "$SC" -n 20000 --seed 5
case_ "run regulated n=1001" 3 1 -- run "$ROOT/scenarios/regulated.yaml" -n 1001 --no-plots
# Monthly costs not stored: every process recomputes its blocks' for the
# bands, their counts summed (on a process with no block too).
export TCOSIM_MONTHLY_BYTES=1000
case_ "run n=1001, monthly costs recomputed" 3 1 -- run "$SC" -n 1001 --sampling lhs --no-plots
case_ "run n=20000, monthly costs recomputed, with charts" 2 2 -- run "$SC" -n 20000
case_ "run n=100, monthly costs recomputed" 4 1 -- run "$SC" -n 100 --no-plots
unset TCOSIM_MONTHLY_BYTES
# Spread runs (beyond the gather size, here 0 bytes): each process keeps its
# own futures and every statistic is reduced over them: percentiles by
# distributed selection, sums exact.  With charts, the board pack's inputs
# and NPVs are gathered; with --samples, what samples.csv reads.
export TCOSIM_MPI_GATHER_BYTES=0
case_ "spread run n=1" 3 1 -- run "$SC" -n 1 --no-plots
case_ "spread run lhs n=100" 3 1 -- run "$SC" -n 100 --sampling lhs --no-plots
case_ "spread run sobol n=1001, saves more than" 4 1 -- run "$SC" -n 1001 --sampling sobol \
    --saves-more-than 1e5 --no-plots
case_ "spread run n=20000 with charts" 2 2 -- run "$SC" -n 20000 --seed 5
case_ "spread run n=1001 samples" 3 1 -- run "$SC" -n 1001 --samples --no-plots
case_ "spread run regulated n=1001 with charts" 3 1 -- run "$ROOT/scenarios/regulated.yaml" \
    -n 1001
unset TCOSIM_MPI_GATHER_BYTES

# Sweeps: points split by process (5 on 4, 2 on 3: one with none), and a
# grid of two inputs, one of them not an input (the file read again).
case_ "sweep 1-D n=100" 4 1 -- sweep "$SC" --vary demand.requests_per_month=1e5:1e7:5:log \
    -n 100 --no-plots
case_ "sweep 1-D, fewer points than processes" 3 1 -- sweep "$SC" \
    --vary demand.requests_per_month=1e6,2e6 -n 1001 --sampling sobol --no-plots
case_ "sweep 2-D n=1001 with its chart" 2 2 -- sweep "$SC" \
    --vary demand.requests_per_month=1e5:1e7:3:log --vary demand.volatility_annual=0.1,0.3 -n 1001
case_ "sweep 2-D n=1" 3 1 -- sweep "$SC" --vary demand.requests_per_month=1e5,1e6 \
    --vary demand.volatility_annual=0.1,0.3 -n 1 --no-plots

# Sensitivity: the base run by blocks, the design runs by run, Sobol's
# bootstrap resamples by resample.
case_ "sensitivity rank n=1001" 3 1 -- sensitivity "$SC" --method rank -n 1001 --no-plots
case_ "sensitivity tornado n=100 with charts" 4 1 -- sensitivity "$SC" --method tornado -n 100
case_ "sensitivity sobol n=100" 2 2 -- sensitivity "$SC" --method sobol -n 100 --no-plots
case_ "sensitivity tornado of one strategy" 3 1 -- sensitivity "$SC" --method tornado -n 1001 \
    --strategy open --no-plots
case_ "sensitivity sobol n=1001" 3 1 -- sensitivity "$SC" --method sobol -n 1001 \
    --sampling lhs --no-plots
# Sobol's 500 bootstrap resamples split by process too (250 + 250, 166 +
# 167 + 167, one process alone), on one row and on several.
case_ "sensitivity sobol n=1" 3 1 -- sensitivity "$SC" --method sobol -n 1 --no-plots
case_ "sensitivity sobol n=100 one process" 1 1 -- sensitivity "$SC" --method sobol -n 100 \
    --no-plots

# Commands rank 0 runs alone: compare, and merge of shards made by tcosim.
case_ "compare" 2 1 -- compare "$SC" -n 100 --no-plots
for i in 0 1; do
    "$BIN" sweep "$SC" --vary demand.requests_per_month=1e6,2e6,4e6 -n 100 -q --no-plots \
        --shard $i/2 -o "$TMP/part$i" >/dev/null 2>&1
done
(cd "$TMP" && "$BIN" merge part0 part1 -q --no-plots -o "$TMP/m1" >/dev/null 2>&1)
(cd "$TMP" && mpi 2 merge part0 part1 -q --no-plots -o "$TMP/m2" >/dev/null 2>&1)
same "merge under mpirun" "$TMP/m1" "$TMP/m2"

# tcosim-mpi without mpirun is one process.
"$BIN" run "$SC" -n 100 -q --no-plots -o "$TMP/solo1" >/dev/null 2>&1
"$MPIBIN" run "$SC" -n 100 -q --no-plots -o "$TMP/solo2" >/dev/null 2>&1
same "tcosim-mpi without mpirun" "$TMP/solo1" "$TMP/solo2"

# Only rank 0 writes: beside the folder, what tcosim leaves (its lock).
mkdir "$TMP/cwd" "$TMP/cwd1"
(cd "$TMP/cwd" && mpi 3 run "$SC" -n 100 -q --no-plots -o out >/dev/null 2>&1)
(cd "$TMP/cwd1" && "$BIN" run "$SC" -n 100 -q --no-plots -o out >/dev/null 2>&1)
if [ "$(ls -A "$TMP/cwd")" = "$(ls -A "$TMP/cwd1")" ]; then ok; else bad "files beside the output: $(ls -A "$TMP/cwd")"; fi

# ---- Failures ----------------------------------------------------------

# expect_fail NAME STATUS NEEDLE NP -- ARGS...: exit STATUS, NEEDLE printed
# exactly once on standard error, no output folder.
expect_fail() {
    name=$1 status=$2 needle=$3 np=$4
    shift 5
    rm -rf "$TMP/out"
    mpi "$np" "$@" -o "$TMP/out" >"$TMP/stdout" 2>"$TMP/stderr"
    got=$?
    count=$(grep -cF -- "$needle" "$TMP/stderr")
    if [ "$got" -ne "$status" ]; then
        bad "$name: exit $got, expected $status ($(head -c 300 "$TMP/stderr"))"
    elif [ "$count" -ne 1 ]; then
        bad "$name: '$needle' printed $count times: $(head -c 300 "$TMP/stderr")"
    elif [ -e "$TMP/out" ]; then
        bad "$name: an output folder was written despite the error"
    else
        ok
    fi
}

printf 'scenario:\n  name: x\nbogus: 1\n' >"$TMP/bad.yaml"
msg=$("$BIN" run "$TMP/bad.yaml" -n 10 -q -o "$TMP/none" 2>&1 | head -n 1)
expect_fail "input error" 2 "$msg" 3 -- run "$TMP/bad.yaml" -n 10 -q
msg=$("$BIN" run "$SC" -n 300 --set demand.requests_per_month=1e306 -q -o "$TMP/none" 2>&1 | head -n 1)
expect_fail "non-finite cost" 2 "$msg" 3 -- run "$SC" -n 300 \
    --set demand.requests_per_month=1e306 -q --no-plots
expect_fail "sweep error" 2 "outside the domain" 2 -- sweep "$SC" \
    --vary demand.requests_per_month=-5,1e6 -n 100 -q --no-plots
expect_fail "--shard under mpirun" 2 "already share the work" 2 -- sweep "$SC" \
    --vary demand.requests_per_month=1e6,2e6 --shard 0/2 -n 100 -q --no-plots
# One process stops alone before the first exchange (MPMD: its own
# arguments), on its command line or on its scenario.
rm -rf "$TMP/out"
timeout 60 mpirun --oversubscribe -np 1 "$MPIBIN" run "$SC" -n 100 -q --no-plots -o "$TMP/out" \
    : -np 1 "$MPIBIN" run "$SC" -n abc -q --no-plots -o "$TMP/out" >/dev/null 2>"$TMP/stderr"
got=$?
if [ "$got" -eq 2 ] && [ "$(grep -c 'process 1 of 2 stopped' "$TMP/stderr")" -eq 1 ] &&
    [ ! -e "$TMP/out" ]; then ok; else bad "one process's arguments: exit $got: $(head -c 300 "$TMP/stderr")"; fi
timeout 60 mpirun --oversubscribe -np 2 "$MPIBIN" run "$SC" -n 100 -q --no-plots -o "$TMP/out" \
    : -np 1 "$MPIBIN" run "$TMP/missing.yaml" -n 100 -q --no-plots -o "$TMP/out" \
    >/dev/null 2>"$TMP/stderr"
got=$?
# A file that cannot be read: exit 1, as tcosim's.
if [ "$got" -eq 1 ] && [ "$(grep -c 'missing.yaml' "$TMP/stderr")" -eq 1 ] && [ ! -e "$TMP/out" ]; then
    ok
else
    bad "one process's scenario: exit $got: $(head -c 300 "$TMP/stderr")"
fi

# A long job, stopped on purpose: SIG to the processes named by WHO
# (all: every tcosim-mpi of the job; last: one of them; mpirun).  The
# previous folder must stay as it was.
stop_job() {
    sig=$1 who=$2
    rm -rf "$TMP/job"
    mkdir -p "$TMP/job" && echo old >"$TMP/job/marker"
    timeout 120 mpirun --oversubscribe -np 2 "$MPIBIN" run "$SC" -n 400000 --threads 1 -q \
        --no-plots -o "$TMP/job" >/dev/null 2>"$TMP/stderr" &
    job=$!
    # Wait for both processes (up to 20 s), then for some futures.
    k=0 runner="" procs=""
    while [ $k -lt 40 ]; do
        runner=$(pgrep -n -P "$job" mpirun)
        procs=$(pgrep -P "${runner:-0}" tcosim-mpi)
        [ "$(echo "$procs" | grep -c .)" -lt 2 ] || break
        sleep 0.5
        k=$((k + 1))
    done
    sleep 1
    case "$who" in
    all) kill -s "$sig" $procs ;;
    last) kill -s "$sig" $(echo "$procs" | tail -n 1) ;;
    mpirun) kill -s "$sig" "$runner" ;;
    esac
    wait "$job"
    status=$?
    if [ "$(cat "$TMP/job/marker" 2>/dev/null)" != old ] || [ "$(ls -A "$TMP/job")" != marker ]; then
        bad "$sig to $who: the previous output folder was changed"
    fi
}
stop_job KILL last
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then ok; else bad "a process killed: exit $status"; fi
# Ctrl-C where every process receives it (srun, a terminal's process
# group): each stops within a future, exit 130.
stop_job INT all
if [ "$status" -eq 130 ]; then ok; else bad "SIGINT to every process: exit $status, expected 130"; fi
# The same in a spread run (each process keeps its futures).
export TCOSIM_MPI_GATHER_BYTES=0
stop_job KILL last
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then ok; else bad "spread: a process killed: exit $status"; fi
stop_job INT all
if [ "$status" -eq 130 ]; then ok; else bad "spread: SIGINT to every process: exit $status, expected 130"; fi
unset TCOSIM_MPI_GATHER_BYTES
# Open MPI's mpirun, sent SIGINT, stops the processes (SIGTERM: they
# stop as for Ctrl-C) and exits 1 by its own rule.
stop_job INT mpirun
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then ok; else bad "SIGINT to mpirun: exit $status"; fi

# The plain program under mpirun refuses, once, and names tcosim-mpi.
timeout 60 mpirun --oversubscribe -np 2 "$BIN" run "$SC" -n 10 -q --no-plots -o "$TMP/out" \
    >/dev/null 2>"$TMP/stderr"
got=$?
if [ "$got" -eq 2 ] && [ "$(grep -c 'tcosim-mpi' "$TMP/stderr")" -eq 1 ] && [ ! -e "$TMP/out" ]; then
    ok
else
    bad "plain tcosim under mpirun: exit $got: $(head -c 300 "$TMP/stderr")"
fi

echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
