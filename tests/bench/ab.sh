#!/bin/sh
# make bench-ab on tiny sizes: the committed HEAD (from git archive, when
# this is a git clone) against the working tree, each library built as a
# shared object and both loaded into one process; every line printed, the
# ratio and its interval numbers in order.  Not a timing test: no ratio is
# judged.  An unknown revision fails with a message.
# Usage: tests/bench/ab.sh "OPT"
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
A=work
git rev-parse --verify --quiet HEAD >/dev/null 2>&1 && A=HEAD
if ! OPT="$1" sh bench/ab.sh -n 50 -p 3 "$A" work >"$TMP/out" 2>"$TMP/err"; then
    echo "FAIL: bench-ab smoke: $(tail -c 300 "$TMP/err")" >&2
    exit 1
fi
fail=0
for line in "A = $A, B = work" "one thread, CPU time" "  A " "  B " "  B over A, median of the pairs: "; do
    grep -q -- "$line" "$TMP/out" || { echo "FAIL: bench-ab smoke: no line '$line'" >&2; fail=1; }
done
# The median within its interval, all positive and finite.
awk '/B over A, median/ {
        gsub(/[(),]/, " "); m = $8; lo = $11; hi = $13
        ok = (m > 0 && lo > 0 && hi < 1e9 && lo <= m && m <= hi); found = 1 }
     END { exit !(found && ok) }' "$TMP/out" ||
    { echo "FAIL: bench-ab smoke: ratio line: $(grep 'B over A' "$TMP/out")" >&2; fail=1; }
grep -Eq "no difference resolved|B is faster|B is slower" "$TMP/out" ||
    { echo "FAIL: bench-ab smoke: no verdict" >&2; fail=1; }
if OPT="$1" sh bench/ab.sh -n 50 -p 3 no-such-revision-xyz >"$TMP/out2" 2>"$TMP/err2" ||
    ! grep -q "no revision no-such-revision-xyz" "$TMP/err2"; then
    echo "FAIL: bench-ab smoke: an unknown revision is not reported" >&2
    fail=1
fi
[ "$fail" = 0 ] && echo "bench-ab smoke: $A against the working tree, every line printed"
exit "$fail"
