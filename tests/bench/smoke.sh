#!/bin/sh
# make bench's program on tiny sizes (BENCH_SMOKE=1): it runs on the bundled
# baseline and bench/v2.yaml and prints every figure issue 11 asks for, each
# target line with its verdict, and a bench.json with them.  Not a timing
# test: no figure is judged.
# Usage: tests/bench/smoke.sh build/bench/bench ./tcosim
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
  2 threads over 1, arithmetic alone (machine)
  the run's over the machine's
ns per future-month-strategy, 1 thread
ns per future-month-strategy, 2 threads
  of which ziggurat normals
random-number floor per future
  with the events' effects (tcosim run), CPU
loop's multiple of the floor
  of which in the kernel (pages touched first)
  the multiple without the kernel's time
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
    # digits bench.json keeps), and the machine's is a speedup.
    python3 - "$TMP/bench.json" <<'PY' || { echo "FAIL: bench smoke: the run's ratio over the machine's" >&2; fail=$((fail + 1)); }
import json, sys
figs = json.load(open(sys.argv[1]))["figures"]
for sc in sorted({f["scenario"] for f in figs}):
    v = {f["key"]: f["value"] for f in figs if f["scenario"] == sc}
    assert v["machine_ratio"] > 0, v["machine_ratio"]
    q = v["run_ratio"] / v["machine_ratio"]
    assert abs(v["run_over_machine"] - q) <= 2e-5 * q, (v["run_over_machine"], q)
    assert v["fresh_sys_1e6"] >= 0 and 0 <= v["fresh_sys_share_1e6"] <= 100, v
PY
fi
[ -n "$rows" ] || fail=$((fail + 1))
if [ "$fail" -ne 0 ]; then
    echo "bench smoke: $fail failure(s); table in:" >&2
    cat "$TMP/table" >&2
    exit 1
fi
echo "bench smoke: every figure printed for both scenarios, with its target"
