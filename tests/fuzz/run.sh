#!/bin/sh
# Runs libFuzzer targets for a bounded time each.  The corpus in the tree is
# read, never written: new inputs go to BUILD/corpus/TARGET, and a crash,
# leak or timeout is saved in BUILD/crashes/ (copy a reproducer to
# tests/fuzz/crashes/TARGET-NAME to replay it in `make check`).
# Usage: tests/fuzz/run.sh BUILD SECONDS TARGET...
set -u
BUILD=$1 SECONDS_EACH=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
mkdir -p "$BUILD/crashes"
for t in "$@"; do
    mkdir -p "$BUILD/corpus/$t"
    dict=""
    [ -f "$HERE/$t.dict" ] && dict="-dict=$HERE/$t.dict"
    # shellcheck disable=SC2086
    if "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=0 $dict -artifact_prefix="$BUILD/crashes/$t-" \
        "$BUILD/corpus/$t" "$HERE/corpus/$t" >"$BUILD/$t.log" 2>&1; then
        echo "fuzz $t: clean for ${SECONDS_EACH}s ($(grep -o 'DONE.*' "$BUILD/$t.log" | tail -n 1))"
    else
        echo "FAILED: fuzz $t: $(grep -m1 -E 'ERROR|runtime error|timeout|deadly' "$BUILD/$t.log")" >&2
        grep -m1 'Test unit written to' "$BUILD/$t.log" >&2
        status=1
    fi
done
exit $status
