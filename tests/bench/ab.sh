#!/bin/sh
# make bench-ab on tiny sizes: the committed HEAD (from git archive, when
# this is a git clone) against the working tree, each library built as a
# shared object and both loaded into each of two processes; every line
# printed, the ratio and its interval numbers in order, and the verdict
# across the processes from their medians (their median, range and its
# coverage, checked against the processes' own lines).  Not a timing
# test: no ratio is judged.  The interval's order statistics against
# hand-computed ones; an unknown revision and a bad ROUNDS fail with a
# message.
# Usage: tests/bench/ab.sh "OPT"
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
A=work
git rev-parse --verify --quiet HEAD >/dev/null 2>&1 && A=HEAD
if ! OPT="$1" sh bench/ab.sh -n 50 -p 3 -r 2 "$A" work >"$TMP/out" 2>"$TMP/err"; then
    echo "FAIL: bench-ab smoke: $(tail -c 300 "$TMP/err")" >&2
    exit 1
fi
fail=0
for line in "A = $A, B = work" "one thread, CPU time" "  A " "  B " "  B over A, median of the pairs: " \
    "process 1 of 2:" "process 2 of 2:" "across 2 processes: median of their medians "; do
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
# Across the processes: of two medians, their median is their mean, their
# range the two, its coverage 1 - 2 (1/2)^2 = 50%; the verdict after it.
awk '/B over A, median of the pairs/ { gsub(/[(),]/, " "); m[++k] = $8 }
     /^across 2 processes/ { gsub(/,/, " "); a = $8; lo = $11; hi = $13; cov = $14; found = 1 }
     END {
         if (!found || k != 2) exit 1
         x = m[1] < m[2] ? m[1] : m[2]; y = m[1] < m[2] ? m[2] : m[1]
         ok = (sprintf("%.4f", (m[1] + m[2]) / 2) == sprintf("%.4f", a) || (a - (m[1] + m[2]) / 2) ^ 2 < 1e-8)
         ok = ok && lo == x && hi == y && cov == "(50.0%"
         exit !ok }' "$TMP/out" ||
    { echo "FAIL: bench-ab smoke: across the processes: $(grep '^across' "$TMP/out")" >&2; fail=1; }
tail -n 1 "$TMP/out" | grep -Eq "^  (no difference resolved \(the range holds 1\)|B is faster|B is slower)" ||
    { echo "FAIL: bench-ab smoke: no verdict across the processes" >&2; fail=1; }
if OPT="$1" sh bench/ab.sh -n 50 -p 3 -r 0 "$A" work >/dev/null 2>"$TMP/err3" ||
    ! grep -q "ROUNDS must be a whole number from 1" "$TMP/err3"; then
    echo "FAIL: bench-ab smoke: ROUNDS 0 is not refused" >&2
    fail=1
fi
# The interval's order statistics by hand: of n pairs, X ~ binomial(n, 1/2)
# below the median; lo the largest with P(X <= lo) <= 0.025, coverage
# 1 - 2 P(X <= lo).  n = 5: even P(X = 0) = 1/32 is larger, so the whole
# range, 1 - 2/32.  n = 10: P(X <= 1) = 11/1024, P(X <= 2) = 56/1024, so
# x_1 to x_8, 1 - 22/1024.  n = 100: P(X <= 39) = 0.0176, P(X <= 40) =
# 0.0284, so x_39 to x_60 (the 40th and 61st values), 1 - 2 (0.0176).
for want in "5 0 4 0.937500" "10 1 8 0.978516" "100 39 60 0.964800"; do
    n=${want%% *}
    got=$(build/ab/ab --ranks "$n")
    [ "$n $got" = "$want" ] ||
        { echo "FAIL: bench-ab: ranks of $n pairs: $got, not ${want#* }" >&2; fail=1; }
done
if OPT="$1" sh bench/ab.sh -n 50 -p 3 no-such-revision-xyz >"$TMP/out2" 2>"$TMP/err2" ||
    ! grep -q "no revision no-such-revision-xyz" "$TMP/err2"; then
    echo "FAIL: bench-ab smoke: an unknown revision is not reported" >&2
    fail=1
fi
[ "$fail" = 0 ] && echo "bench-ab smoke: $A against the working tree, every line printed"
exit "$fail"
