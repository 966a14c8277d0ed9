#!/bin/sh
# Runs the Check suites given as arguments; fails if any suite fails.
status=0
for t in "$@"; do
    if ! "$t"; then
        echo "FAILED: $t" >&2
        status=1
    fi
done
exit $status
