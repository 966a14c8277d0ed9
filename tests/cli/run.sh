#!/bin/sh
# End-to-end tests of the program: exit codes, messages with places, files
# written whole (or not at all), and thread-independent results.
# Usage: tests/cli/run.sh ./tcosim
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect_error NAME STATUS NEEDLE -- ARGS...: the command exits with STATUS
# and its standard error contains NEEDLE; no output folder is left behind.
expect_error() {
    name=$1 status=$2 needle=$3
    shift 4
    rm -rf "$TMP/out"
    (cd "$TMP" && "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr")
    got=$?
    if [ "$got" -ne "$status" ]; then
        bad "$name: exit $got, expected $status ($(head -c 300 "$TMP/stderr"))"
    elif ! grep -qF -- "$needle" "$TMP/stderr"; then
        bad "$name: stderr lacks '$needle': $(head -c 300 "$TMP/stderr")"
    elif [ -e "$TMP/out" ]; then
        bad "$name: an output folder was written despite the error"
    else
        ok
    fi
}

cp "$HERE"/cases/*.yaml "$TMP"/
printf '' >"$TMP/empty.yaml"
printf 'a: 1\000\001\002' >"$TMP/binary.yaml"
python_free_depth=$(printf '%*s' 20000 '' | tr ' ' '[')
printf 'x: %s\n' "$python_free_depth" >"$TMP/deep.yaml"

expect_error missing-file 1 "nope.yaml: cannot open" -- run nope.yaml
expect_error empty 2 "empty.yaml: empty file" -- run empty.yaml
expect_error binary 2 "binary.yaml: binary file" -- run binary.yaml
expect_error deep 2 "nesting deeper than 64" -- run deep.yaml
expect_error typo 2 "typo.yaml:7:3: demand.growth_anual: unknown key 'growth_anual'; did you mean growth_annual?" -- run typo.yaml
expect_error syntax 2 "syntax.yaml:4:" -- run syntax.yaml
expect_error futures-zero 2 "--futures: expected a whole number of at least 1" -- run small.yaml -n 0
expect_error futures-huge 2 "would need about" -- run small.yaml -n 1e12
expect_error futures-text 2 "--futures" -- run small.yaml -n lots
expect_error threads 2 "--threads" -- run small.yaml --threads 0
expect_error format 2 "--format" -- run small.yaml --format xml
expect_error set-bad 2 "--set #1:1:1: demand.requests_per_month: must be > 0" -- run small.yaml --set demand.requests_per_month=-5
expect_error set-unknown 2 "did you mean requests_per_month?" -- run small.yaml --set demand.request_per_month=5
expect_error unknown-command 2 "unknown command 'rn'" -- rn small.yaml
expect_error validate-bad 2 "typo.yaml:7:3" -- validate small.yaml typo.yaml

# A good run writes every file, whole.
cd "$TMP" || exit 1
if "$BIN" run small.yaml -q --samples -o "$TMP/o1" --threads 1 && \
   [ -s o1/results.json ] && [ -s o1/summary.csv ] && [ -s o1/monthly.csv ] && \
   [ -s o1/categories.csv ] && [ -s o1/samples.csv ] && ! ls o1/*.tmp.* >/dev/null 2>&1; then ok
else bad "run: files missing"; fi
# One row per strategy (+ header); one row per future in samples.csv.
[ "$(wc -l <o1/summary.csv)" -eq 4 ] && ok || bad "summary.csv rows"
[ "$(wc -l <o1/samples.csv)" -eq 1001 ] && ok || bad "samples.csv rows"
[ "$(wc -l <o1/monthly.csv)" -eq $((3 * 12 + 1)) ] && ok || bad "monthly.csv rows"
grep -q '"futures": 1000, "seed": 5' o1/results.json && ok || bad "results.json header"
# The same seed gives the same results.json with 1, 2 and 4 threads.
"$BIN" run small.yaml -q -o "$TMP/o2" --threads 2 && "$BIN" run small.yaml -q -o "$TMP/o4" --threads 4
cmp -s o1/results.json o2/results.json && cmp -s o1/results.json o4/results.json && ok \
    || bad "results.json differs between thread counts"
OMP_NUM_THREADS=3 "$BIN" run small.yaml -q -o "$TMP/o3" && cmp -s o1/results.json o3/results.json && ok \
    || bad "OMP_NUM_THREADS changes results"
# --format json prints the results file; --format csv the summary.
"$BIN" run small.yaml --format json -o "$TMP/o5" >j.json && cmp -s j.json o5/results.json && ok \
    || bad "--format json"
"$BIN" run small.yaml --format csv -o "$TMP/o6" >s.csv && cmp -s s.csv o6/summary.csv && ok \
    || bad "--format csv"
# The table names the strategies and reads the result in one line.
"$BIN" run small.yaml -o "$TMP/o7" >table.txt && grep -q "is cheapest in" table.txt && \
    grep -q "^api " table.txt && ok || bad "table"
# Default output folder: out/<scenario name>.
"$BIN" run small.yaml -q && [ -s "out/small test/results.json" ] || [ -s "out/small_test/results.json" ] && ok \
    || bad "default output folder"
# --set changes the result; the seed flag too.
"$BIN" run small.yaml -q --set demand.requests_per_month=5e6 -o "$TMP/o8" && ! cmp -s o1/results.json o8/results.json && ok \
    || bad "--set has no effect"
# validate and describe.
"$BIN" validate small.yaml >v.txt && grep -q "small.yaml: ok" v.txt && ok || bad "validate"
"$BIN" describe small.yaml >d.txt && grep -q "demand.requests_per_month" d.txt && \
    grep -q "lognormal" d.txt && ok || bad "describe"
"$BIN" --version | grep -q "^tcosim [0-9]" && ok || bad "--version"
"$BIN" --help | grep -q "Usage: tcosim" && ok || bad "--help"
"$BIN" run --help | grep -q -- "--futures" && ok || bad "run --help"
# An unwritable output folder is an error, not a crash.
mkdir ro && chmod 500 ro
if [ "$(id -u)" != 0 ]; then
    "$BIN" run small.yaml -q -o ro/x 2>err.txt; [ $? -eq 1 ] && ok || bad "unwritable folder"
fi
"$BIN" run small.yaml -q -o small.yaml/x 2>err.txt; [ $? -eq 1 ] && grep -q "small.yaml" err.txt && ok \
    || bad "output folder under a file"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
