#!/bin/sh
# Replays every fuzz corpus in the tree (tests/fuzz/corpus/TARGET/) with the
# plain drivers built by make (DIR/replay_TARGET).  With --crashes, replays
# the reproducers of open defects (tests/fuzz/crashes/TARGET-*) instead: once
# a defect is fixed, move its reproducer into the corpus.
# Usage: tests/fuzz/replay.sh DIR [--crashes]
set -u
DIR=$1
MODE=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
status=0 n=0
for bin in "$DIR"/replay_*; do
    [ -x "$bin" ] || continue
    t=${bin##*/replay_}
    if [ "$MODE" = --crashes ]; then
        set --
        for c in "$HERE"/crashes/"$t"-*; do
            [ -f "$c" ] && set -- "$@" "$c"
        done
        [ $# -gt 0 ] || continue
        for c in "$@"; do
            if ! timeout 30 "$bin" "$c" >"$DIR/replay_$t.log" 2>&1; then
                echo "FAILED: $t: ${c##*/}: $(grep -m1 -E 'ERROR|error|NaN|abort' "$DIR/replay_$t.log")" >&2
                status=1
            fi
        done
        n=$((n + 1))
        continue
    fi
    if ! "$bin" "$HERE/corpus/$t" 2>"$DIR/replay_$t.log"; then
        echo "FAILED: replay of $t corpus: $(tail -c 600 "$DIR/replay_$t.log")" >&2
        status=1
    fi
    n=$((n + 1))
done
[ "$n" -gt 0 ] || [ "$MODE" = --crashes ] || { echo "FAILED: no replay drivers in $DIR" >&2; exit 1; }
[ $status -eq 0 ] && echo "fuzz corpora: $n targets replayed"
exit $status
