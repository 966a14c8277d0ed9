#!/bin/sh
# CLI cases with expected output files, in the manner of zstd's cli-tests:
# each tests/cli/expected/NAME.args holds one argument a line; the program
# runs with them in a scratch folder holding tests/cli/cases/*.yaml, and its
# standard output, standard error and exit status must equal NAME.stdout,
# NAME.stderr and NAME.exit byte for byte (the wall time and thread count
# of a run's last line read "(<time>)", the threads of the provenance line
# "<threads>"; SOURCE_DATE_EPOCH fixes its date).
# Usage: tests/cli/expected.sh ./tcosim [--update]   (--update rewrites them)
set -u
MODE=${2:-}
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
for args in "$HERE"/expected/*.args; do
    name=$(basename "$args" .args)
    work="$TMP/$name"
    mkdir -p "$work"
    cp "$HERE"/cases/*.yaml "$work"/
    set --
    while IFS= read -r a || [ -n "$a" ]; do
        set -- "$@" "$a"
    done <"$args"
    (cd "$work" && LC_ALL=C TCOSIM_PLOTS= SOURCE_DATE_EPOCH=1764028800 "$BIN" "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr" </dev/null)
    echo $? >"$TMP/$name.exit"
    # Wall time and the machine's thread count are the only varying parts.
    for f in stdout stderr; do
        sed -E 's/\([0-9.]+ s on [0-9]+ threads?\)/(<time>)/; s/, [0-9]+ threads?, tcosim /, <threads>, tcosim /' \
            "$TMP/$name.$f" >"$TMP/$name.$f.n"
        mv "$TMP/$name.$f.n" "$TMP/$name.$f"
    done
    if [ "$MODE" = --update ]; then
        cp "$TMP/$name.stdout" "$TMP/$name.stderr" "$TMP/$name.exit" "$HERE/expected/"
        continue
    fi
    ok=1
    for f in stdout stderr exit; do
        if ! cmp -s "$TMP/$name.$f" "$HERE/expected/$name.$f"; then
            ok=0
            echo "FAIL: cli expected $name: $f differs:" >&2
            diff "$HERE/expected/$name.$f" "$TMP/$name.$f" | head -n 20 >&2
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
[ "$MODE" = --update ] && { echo "cli expected: files rewritten"; exit 0; }
echo "cli expected: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
