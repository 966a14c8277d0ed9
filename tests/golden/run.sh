#!/bin/sh
# Golden results: each bundled scenario is run at a fixed size and seed, and
# the SHA-256 of its results.json, summary.csv and monthly.csv is compared
# with tests/golden/hashes.txt.  A refactoring must leave every hash as it
# is; a change that is meant to move a number updates the file in the same
# commit and says why.  `tests/golden/run.sh ./tcosim --update` rewrites it.
# Usage: tests/golden/run.sh ./tcosim [--update]
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
: >"$TMP/hashes.txt"
while read -r name sampling threads; do
    case "$name" in ''|'#'*) continue ;; esac
    out="$TMP/$name-$sampling-$threads"
    if ! "$BIN" run "$ROOT/scenarios/$name.yaml" -n 5000 --seed 11 --sampling "$sampling" \
        --threads "$threads" -q --no-plots -o "$out" >/dev/null 2>"$TMP/err"; then
        echo "FAIL: golden $name ($sampling, $threads threads): $(head -c 300 "$TMP/err")" >&2
        fail=$((fail + 1))
        continue
    fi
    # results.json ends with its provenance (the file's path and hash, the
    # threads, the date): not a result, so it is left out of the hash.
    awk '/^  "provenance": / { found = 1; exit } { line[++n] = $0 }
         END { if (found) sub(/,$/, "", line[n]); for (i = 1; i <= n; i++) print line[i]
               if (found) print "}" }' "$out/results.json" >"$TMP/results.json"
    [ "$(tail -n 1 "$out/results.json")" = "}" ] || { echo "FAIL: golden $name: results.json is cut" >&2; fail=$((fail + 1)); }
    echo "$name $sampling results.json $(sha256sum <"$TMP/results.json" | cut -c1-64)" >>"$TMP/hashes.txt"
    for f in summary.csv monthly.csv; do
        echo "$name $sampling $f $(sha256sum <"$out/$f" | cut -c1-64)" >>"$TMP/hashes.txt"
    done
done <<'LIST'
baseline random 2
baseline lhs 1
baseline sobol 2
crossover random 2
extraction random 1
owned random 2
regulated random 2
LIST
if [ "${2:-}" = "--update" ]; then
    cp "$TMP/hashes.txt" "$HERE/hashes.txt"
    echo "golden: hashes.txt rewritten"
    exit 0
fi
while read -r name sampling file hash; do
    want=$(awk -v n="$name" -v s="$sampling" -v f="$file" \
        '$1 == n && $2 == s && $3 == f { print $4 }' "$HERE/hashes.txt")
    if [ "$want" = "$hash" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: golden $name $sampling $file: ${hash}, expected ${want:-nothing}" >&2
    fi
done <"$TMP/hashes.txt"
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
