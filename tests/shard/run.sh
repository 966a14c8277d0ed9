#!/bin/sh
# Shards without a cluster: every file that `tcosim merge` writes from the
# parts of `--shard i/N` equals, byte for byte, the file one process writes
# (1-D and 2-D sweeps, a sweep of a number that is not an input, each
# sensitivity method; N = 1, 2, 3 and more shards than points, uneven
# splits, shards on different thread counts); and parts that do not belong
# together are refused with exit 2 and a message that says why.
# Usage: tests/shard/run.sh ./tcosim
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# The date in meta.csv, results.xlsx and the charts' footers.
SOURCE_DATE_EPOCH=1764000000
export SOURCE_DATE_EPOCH
cd "$TMP" || exit 1
cp "$ROOT/scenarios/baseline.yaml" "$HERE/../cli/cases/small.yaml" .

# same_folder NAME A B: the same files, byte for byte (report.pdf aside: it
# carries its own creation time in every run).
same_folder() {
    if ! diff -r -x report.pdf "$2" "$3" >"$TMP/diff" 2>&1; then
        bad "$1: merged output differs from one process: $(head -c 400 "$TMP/diff")"
    elif [ -z "$(ls "$3")" ]; then
        bad "$1: empty output"
    else
        ok
    fi
}

# check NAME N THREADS... -- COMMAND ARGS...: the command once, then in N
# shards (shard i on the i-th thread count, cycling), merged.
check() {
    name=$1 n=$2
    shift 2
    threads=""
    while [ "$1" != "--" ]; do threads="$threads $1"; shift; done
    shift
    rm -rf "$TMP/one" "$TMP/parts" "$TMP/merged"
    if ! "$BIN" "$@" -q --no-plots -o "$TMP/one" >/dev/null 2>"$TMP/err"; then
        bad "$name: one process failed: $(head -c 300 "$TMP/err")"
        return
    fi
    i=0
    while [ $i -lt "$n" ]; do
        t=$(echo $threads | tr ' ' '\n' | sed -n "$((i % $(echo $threads | wc -w) + 1))p")
        if ! "$BIN" "$@" --threads "$t" --shard "$i/$n" -q -o "$TMP/parts/$i" >/dev/null 2>"$TMP/err"; then
            bad "$name: shard $i/$n failed: $(head -c 300 "$TMP/err")"
            return
        fi
        i=$((i + 1))
    done
    if ! "$BIN" merge "$TMP"/parts/* -q --no-plots -o "$TMP/merged" >/dev/null 2>"$TMP/err"; then
        bad "$name: merge failed: $(head -c 300 "$TMP/err")"
        return
    fi
    same_folder "$name" "$TMP/one" "$TMP/merged"
}

V1="--vary demand.requests_per_month=1e6:3e7:7"
for n in 1 2 3; do
    check "sweep-1d-N$n" $n 1 2 -- sweep baseline.yaml $V1 -n 150 --threads 1
    check "sweep-2d-N$n" $n 2 1 -- sweep small.yaml --vary demand.growth_annual=0,0.5,1 \
        --vary scenario.discount_rate_annual=0,0.1 -n 120 --threads 2
done
check sweep-sobol 3 2 1 -- sweep baseline.yaml $V1 -n 128 --sampling sobol --threads 2
# A number that is not an input (the file is read again at each point).
check sweep-horizon 2 1 -- sweep small.yaml --vary scenario.horizon_months=6,12,24 -n 100 --threads 1
# --set values with spaces, braces and quotes are recorded as given.
check sweep-set 2 1 -- sweep small.yaml --vary scenario.discount_rate_annual=0,0.05,0.1 -n 80 \
    --set 'demand.growth_annual={ dist: normal, mean: 0.3, sd: 0.05 }' \
    --set 'scenario.currency="USD"' --threads 1
# More shards than points: some shards hold none.
check sweep-empty-shards 5 1 -- sweep small.yaml --vary demand.growth_annual=0,1 -n 100 --threads 1
for m in rank tornado sobol; do
    for n in 1 2 3; do
        check "sensitivity-$m-N$n" $n 1 2 -- sensitivity baseline.yaml --method $m -n 100 \
            --sampling lhs --threads 1
    done
done
check sensitivity-versus 2 2 -- sensitivity small.yaml --method tornado --strategy api \
    --versus hybrid -n 80 --threads 2

# Shards at once (as from a job array or GNU parallel), into a folder that
# does not exist yet.
rm -rf one at
P="sweep small.yaml --vary demand.growth_annual=0,0.2,0.4,0.6,0.8 -n 60 --threads 1 -q --no-plots"
# shellcheck disable=SC2086
"$BIN" $P -o one >/dev/null 2>&1
for i in 0 1 2 3; do
    # shellcheck disable=SC2086
    "$BIN" $P --shard $i/4 -o at/new/$i >/dev/null 2>"at-err-$i" &
done
wait
if "$BIN" merge at/new/* -q --no-plots -o at/merged >/dev/null 2>err; then
    same_folder sweep-at-once one at/merged
else
    bad "sweep-at-once: $(cat at-err-* err | head -c 300)"
fi

# With charts: the same files too.
rm -rf one parts merged
"$BIN" sweep small.yaml --vary demand.growth_annual=0,0.5,1 -n 100 -q -o one >/dev/null 2>&1
for i in 0 1; do
    "$BIN" sweep small.yaml --vary demand.growth_annual=0,0.5,1 -n 100 --shard $i/2 -q \
        -o parts/$i >/dev/null 2>&1
done
# Exit 3 (no gnuplot) leaves the same files without charts.
"$BIN" merge parts/0 parts/1 -q -o merged >/dev/null 2>err
case $? in
0 | 3) same_folder sweep-charts one merged ;;
*) bad "sweep-charts: merge failed: $(head -c 300 err)" ;;
esac

# Errors: exit 2, a message that says what is wrong, no output folder.
# expect_error NAME NEEDLE -- ARGS...
expect_error() {
    name=$1 needle=$2
    shift 3
    rm -rf "$TMP/out"
    "$BIN" "$@" -o "$TMP/out" >"$TMP/stdout" 2>"$TMP/stderr"
    got=$?
    if [ "$got" -ne 2 ]; then
        bad "$name: exit $got, expected 2 ($(head -c 300 "$TMP/stderr"))"
    elif ! grep -qF -- "$needle" "$TMP/stderr"; then
        bad "$name: stderr lacks '$needle': $(head -c 300 "$TMP/stderr")"
    elif [ -e "$TMP/out" ]; then
        bad "$name: an output folder was written despite the error"
    else
        ok
    fi
}
S="sweep small.yaml --vary demand.growth_annual=0,0.5,1 -n 60 -q --no-plots"
rm -rf e && mkdir e
for i in 0 1 2; do $BIN $S --shard $i/3 -o e/p$i >/dev/null; done
$BIN $S --seed 99 --shard 1/3 -o e/seed1 >/dev/null
$BIN $S --shard 1/2 -o e/two1 >/dev/null
$BIN sensitivity small.yaml --method tornado -n 60 -q --shard 1/3 -o e/sens1 >/dev/null
cp -r e/p2 e/cut && head -c $(($(wc -c <e/p2/part.bin) - 8)) e/p2/part.bin >e/cut/part.bin
mkdir e/junk && echo "not a part" >e/junk/part.bin
expect_error merge-missing "shard 1/3 is missing" -- merge e/p0 e/p2
expect_error merge-duplicate "shard 1/3 given twice" -- merge e/p0 e/p1 e/p1 e/p2
expect_error merge-seed "the seed differs" -- merge e/p0 e/seed1 e/p2
expect_error merge-count "the number of shards N differs" -- merge e/p0 e/two1 e/p2
expect_error merge-command "the command differs" -- merge e/p0 e/sens1 e/p2
expect_error merge-cut "is cut short or damaged" -- merge e/p0 e/p1 e/cut
expect_error merge-junk "not a tcosim part" -- merge e/junk
expect_error merge-nothing "merge needs the parts" -- merge
expect_error merge-nofile "cannot read the part" -- merge e/nowhere
expect_error shard-spec "--shard 3/3: needs 0 <= i < N" -- $S --shard 3/3
expect_error shard-text "--shard x: expected i/N" -- $S --shard x
expect_error shard-run "--shard is not an option of run" -- run small.yaml --shard 0/2
cp small.yaml small.yaml.orig
echo "# changed" >>small.yaml
expect_error merge-changed "the scenario file changed since the shards ran" -- merge e/p0 e/p1 e/p2
mv small.yaml.orig small.yaml
# --shard without -o: nowhere to put the part.
if $BIN $S --shard 0/3 >/dev/null 2>err; then bad "shard-no-o: accepted"; 
elif grep -qF -- "needs -o DIR" err; then ok; else bad "shard-no-o: $(cat err)"; fi

# The man page documents merge's options and --shard.
sed 's/\\-/-/g' "$ROOT/man/tcosim.1" >man.txt
{ "$BIN" merge --help; echo " --shard"; } | grep -oE -- '(^|[ ,/])--?[a-zA-Z][a-z-]*' |
    sed 's/^[ ,/]//' | sort -u >opts.txt
while read -r o; do
    grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|\$)" man.txt && ok || bad "man page lacks $o (tcosim merge --help)"
done <opts.txt

echo "shard tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
