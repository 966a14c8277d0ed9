#!/bin/sh
# make bench's program on tiny sizes (BENCH_SMOKE=1): it runs on the bundled
# baseline and bench/v2.yaml and prints every figure issue 11 asks for, each
# target line with its verdict, and a bench.json with them; then again on
# the baseline with a peer's engine loaded (the working tree's library,
# built by bench/ab.sh -b with OPT and CC), whose figures are checked
# against each other from bench.json.  Not a timing test: no figure is
# judged.
# Usage: [OPT=... CC=...] tests/bench/smoke.sh build/bench/bench ./tcosim
set -u
BENCH=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
cd "$ROOT" || exit 1
if ! BENCH_SMOKE=1 BENCH_TCOSIM="$BIN" BENCH_OUT="$TMP/out" BENCH_JSON="$TMP/bench.json" \
    "$BENCH" scenarios/baseline.yaml bench/v2.yaml >"$TMP/table" 2>"$TMP/err"; then
    echo "FAIL: bench smoke: $(head -c 300 "$TMP/err")" >&2
    exit 1
fi
# Each figure once per scenario.
while IFS= read -r line; do
    n=$(grep -c -- "^  $line" "$TMP/table")
    if [ "$n" != 2 ]; then
        echo "FAIL: bench smoke: '$line' printed $n times, not once per scenario" >&2
        fail=$((fail + 1))
    fi
done <<'LINES'
futures per second, 1 thread
futures per second, 2 threads
multiple of the NumPy peer
2 threads over 1, run
  the best 2-thread run over the best 1-thread
  2 threads over 1, arithmetic alone (machine)
  the run's over the machine's
  CPUs the 2-thread run had (CPU over wall), median
  its CPU over the 1-thread run's, median
(2 threads over 1 in each turn, run/machine/CPUs had:
ns per future-month-strategy, 1 thread
ns per future-month-strategy, 2 threads
  of which ziggurat normals
random-number floor per future
  with the events' effects (tcosim run), CPU
loop's multiple of the floor
  of which in the kernel (pages touched first)
  the multiple without the kernel's time
  each turn's loop over its own floor, median
(the loop's multiple of the floor in each turn:
a Poisson count (mean 1/3), search
  from the table of its sums
phase load, 1 thread
phase sample, 1 thread
phase paths, 1 thread
phase cost, 1 thread
phase statistics, 1 thread
phase write, 1 thread
  costing proprietary, per future
  costing review, per future
costing every strategy, per future
peak memory, 2000 (smoke; 10^6) futures
  its CPU in the kernel (a new process)
  of the process's CPU
memory per future
peak memory, 10^7 futures
run beyond the memory budget, 2 thr, per future
  over a run that stores its months
sweep, 1 thread
sweep, 2 threads
2 threads over 1, sweep
sweep of that input, 1 thread
Sobol design runs (D + 2)
  of which keep A's paths
sensitivity rank, 1 thread
sensitivity rank, 2 threads
2 threads over 1, rank
sensitivity sobol, 1 thread
sensitivity sobol, 2 threads
2 threads over 1, sobol
LINES
# Every line with a target says whether it is met; the targets are there.
for t in '>= 165000/s' '>= 30x' '>= 1.85x' '<= 10x' '< 2048 MiB' '>= 1.7x' '>= 2x'; do
    grep -q -- "$t" "$TMP/table" || { echo "FAIL: bench smoke: no target '$t'" >&2; fail=$((fail + 1)); }
done
bad=$(grep -E '(>=|<=|< )[ 0-9.]' "$TMP/table" | grep -v -E '(target met|not yet)$' | grep -v -c '^make bench')
[ "$bad" = 0 ] || { echo "FAIL: bench smoke: $bad target lines without a verdict" >&2; fail=$((fail + 1)); }
grep -q 'bench/v2.yaml (bench-v2)' "$TMP/table" || { echo "FAIL: bench smoke: no v2 scenario" >&2; fail=$((fail + 1)); }
# bench.json: one object per table line with a value, well formed.
rows=$(grep -c -E '^  [a-z0-9 ].* (1/s|x|ns|us|ms|s|MiB|B) ' "$TMP/table")
objs=$(grep -c '"key": ' "$TMP/bench.json")
[ "$objs" -ge 60 ] || { echo "FAIL: bench smoke: bench.json has $objs figures" >&2; fail=$((fail + 1)); }
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["figures"] and all("value" in f for f in d["figures"])' \
        "$TMP/bench.json" || { echo "FAIL: bench smoke: bench.json is not valid JSON" >&2; fail=$((fail + 1)); }
    # The run's ratio over the machine's is their quotient (to the 6
    # digits bench.json keeps), and the machine's is a speedup; the turn's
    # multiple of the floor is the figure's.
    python3 - "$TMP/bench.json" <<'PY' || { echo "FAIL: bench smoke: the run's ratio over the machine's, or the turn's multiple of the floor" >&2; fail=$((fail + 1)); }
import json, sys
figs = json.load(open(sys.argv[1]))["figures"]
for sc in sorted({f["scenario"] for f in figs}):
    v = {f["key"]: f["value"] for f in figs if f["scenario"] == sc}
    assert v["machine_ratio"] > 0, v["machine_ratio"]
    q = v["run_ratio"] / v["machine_ratio"]
    assert abs(v["run_over_machine"] - q) <= 2e-5 * q, (v["run_over_machine"], q)
    # The ratio of the bests is the quotient of the two rates printed.
    q = v["futures_per_second_2"] / v["futures_per_second_1"]
    assert abs(v["run_ratio_bests"] - q) <= 2e-5 * q + 1e-5, (v["run_ratio_bests"], q)
    assert v["fresh_sys_1e6"] >= 0 and 0 <= v["fresh_sys_share_1e6"] <= 100, v
    # One turn on smoke: its multiple is the figure's (the same loop and floor).
    m, t = v["loop_floor_multiple"], v["loop_floor_multiple_turns"]
    assert abs(m - t) <= 2e-5 * m, (m, t)
assert json.load(open(sys.argv[1]))["peer_measured"] is False
PY
else
    echo "bench smoke: python3 is not installed: bench.json's figures not checked against each other"
fi
[ -n "$rows" ] || fail=$((fail + 1))
# Without the peer's engine, the fixed peer carries the target and no peer
# figure is printed.
grep -q "^the NumPy peer, measured here" "$TMP/table" &&
    { echo "FAIL: bench smoke: a peer measured without BENCH_PEER_LIB" >&2; fail=$((fail + 1)); }
# The NumPy peer measured here: make bench loads issue 11's engine (bench/run.sh);
# here the working tree's library stands in for it (bench/ab.sh -b, the
# build make bench-ab's smoke uses too), on the baseline.
if ! PEERLIB=$(sh bench/ab.sh -b work 2>"$TMP/perr"); then
    echo "FAIL: bench smoke: the peer's library: $(tail -c 300 "$TMP/perr")" >&2
    fail=$((fail + 1))
elif ! BENCH_SMOKE=1 BENCH_TCOSIM="$BIN" BENCH_OUT="$TMP/out" BENCH_JSON="$TMP/peer.json" \
    BENCH_PEER_LIB="$PEERLIB" BENCH_PEER_SCENARIO=scenarios/baseline.yaml BENCH_PEER_REV=work \
    "$BENCH" scenarios/baseline.yaml >"$TMP/ptable" 2>"$TMP/err"; then
    echo "FAIL: bench smoke with the peer: $(head -c 300 "$TMP/err")" >&2
    fail=$((fail + 1))
else
    while IFS= read -r line; do
        n=$(grep -c -- "^  $line" "$TMP/ptable")
        [ "$n" = 1 ] || { echo "FAIL: bench smoke: '$line' printed $n times with the peer" >&2; fail=$((fail + 1)); }
    done <<'LINES'
issue 11's engine, 1 thread, CPU
the NumPy peer here (a ninth of it)
this engine on that scenario, 2 threads
multiple of the peer here, 2 threads
  with the peer at an eighth (issue: 8x)
  with the peer at a tenth (issue: 10x)
  of the peer here (on its scenario), 2 thr
(the multiple in each turn:
LINES
    grep -q '^the NumPy peer, measured here (issue 11.s engine, work, on its 8-strategy baseline)' \
        "$TMP/ptable" || { echo "FAIL: bench smoke: no peer heading" >&2; fail=$((fail + 1)); }
    grep -q -- '>= 165000/s' "$TMP/ptable" &&
        { echo "FAIL: bench smoke: the fixed peer's target beside the measured one" >&2; fail=$((fail + 1)); }
    grep -q '^| multiple of the peer here, 2 threads (x) | [0-9.]* [✓✗] | >= 30x |$' "$TMP/peer.md" ||
        { echo "FAIL: bench smoke: no peer table in bench.md" >&2; fail=$((fail + 1)); }
    if command -v python3 >/dev/null 2>&1; then
        # The peer a ninth of the engine's rate; the multiple this engine's
        # rate over it (one turn: its best), an eighth and a tenth in
        # proportion; each scenario's multiple its own rate over the peer;
        # the target on the measured multiple alone (to bench.json's 6 digits).
        python3 - "$TMP/peer.json" <<'PY' || { echo "FAIL: bench smoke: the peer's figures" >&2; fail=$((fail + 1)); }
import json, sys
figs = json.load(open(sys.argv[1]))["figures"]
p = {f["key"]: f for f in figs if f["scenario"] == "peer"}
b = {f["key"]: f for f in figs if f["scenario"] == "scenarios/baseline.yaml"}
def near(a, q):
    assert abs(a - q) <= 2e-5 * abs(q), (a, q)
peer = p["peer_fps"]["value"]
near(9 * peer, p["peer_engine_fps_1"]["value"])
m = p["peer_multiple_here"]
near(m["value"], p["peer_this_fps_2"]["value"] / peer)
near(p["peer_multiple_at_8"]["value"], m["value"] * 8 / 9)
near(p["peer_multiple_at_10"]["value"], m["value"] * 10 / 9)
assert m["target"] == ">= 30x" and m["met"] == (m["value"] >= 30), m
near(b["peer_here_multiple_2"]["value"], b["futures_per_second_2"]["value"] / peer)
assert b["futures_per_second_2"]["target"] is None and b["peer_multiple_2"]["met"] is None, b
assert json.load(open(sys.argv[1]))["peer_measured"] is True
PY
    else
        echo "bench smoke: python3 is not installed: the peer's figures not checked against each other"
    fi
fi
# A peer library that cannot be loaded: exit 2 naming it, and no figures
# left behind, neither half of this bench's nor an earlier bench's.
echo '{"stale": true}' >"$TMP/gone.json"
echo stale >"$TMP/gone.md"
BENCH_SMOKE=1 BENCH_TCOSIM="$BIN" BENCH_OUT="$TMP/out" BENCH_JSON="$TMP/gone.json" \
    BENCH_PEER_LIB="$TMP/no-such-lib.so" BENCH_PEER_SCENARIO=scenarios/baseline.yaml \
    "$BENCH" scenarios/baseline.yaml >/dev/null 2>"$TMP/gone.err"
rc=$?
{ [ "$rc" = 2 ] && grep -q "no-such-lib.so" "$TMP/gone.err" && [ ! -e "$TMP/gone.json" ] &&
    [ ! -e "$TMP/gone.json.tmp" ] && [ ! -e "$TMP/gone.md" ]; } ||
    { echo "FAIL: bench smoke: an unloadable peer library (exit $rc, $(ls "$TMP" | grep gone | tr '\n' ' '))" >&2; fail=$((fail + 1)); }
# make bench-batch's program (beside the bench's; make check builds it):
# the engine's four futures costed in AVX2 lanes, on api backends alone
# and on a rented platform, must give the bits of tco_future_cost on every
# future it checks (it exits 1 otherwise), and a strategy that the lanes
# do not cost is refused by name.
BATCH=$(dirname "$BENCH")/batch
if [ ! -x "$BATCH" ]; then
    echo "FAIL: bench smoke: $BATCH was not built" >&2
    fail=$((fail + 1))
else
    # api backends alone, and a rented platform with its fallback
    for run in "bench/v2.yaml proprietary" "scenarios/baseline.yaml open"; do
        # shellcheck disable=SC2086
        "$BATCH" $run 2 >"$TMP/batch" 2>&1 ||
            { echo "FAIL: bench smoke: batch $run: $(tail -c 300 "$TMP/batch")" >&2; fail=$((fail + 1)); }
        grep -q "no AVX2" "$TMP/batch" || grep -Eq "the same bits .*: ([0-9]+) of \1 futures" "$TMP/batch" ||
            { echo "FAIL: bench smoke: batch $run: $(cat "$TMP/batch")" >&2; fail=$((fail + 1)); }
    done
    if ! grep -q "no AVX2" "$TMP/batch"; then
        "$BATCH" bench/v2.yaml review 2 >"$TMP/batch" 2>&1
        rc=$?
        { [ "$rc" = 1 ] && grep -q "strategy review is not costed in lanes" "$TMP/batch"; } ||
            { echo "FAIL: bench smoke: batch accepted review (exit $rc)" >&2; fail=$((fail + 1)); }
    fi
fi
if [ "$fail" -ne 0 ]; then
    echo "bench smoke: $fail failure(s); table in:" >&2
    cat "$TMP/table" >&2
    exit 1
fi
echo "bench smoke: every figure printed for both scenarios, with its target"
