#!/bin/sh
# The examples of docs/scenario.md are complete scenarios: each fenced block
# opened by "```yaml scenario" is written to a file and checked with
# `tcosim validate`.  Blocks of version-2 keys not yet implemented are
# tagged "```yaml v2" and skipped, unless --all is given.  Any other
# "```yaml" block is refused, so that no untested example slips in.
# Usage: tests/docs/check_examples.sh TCOSIM [--all] [DOC]
set -u
TCOSIM=${1:?usage: check_examples.sh TCOSIM [--all] [DOC]}
shift
ALL=0
if [ "${1:-}" = --all ]; then
    ALL=1
    shift
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DOC=${1:-$HERE/../../docs/scenario.md}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: docs: $*" >&2; exit 1; }

[ -r "$DOC" ] || fail "cannot read $DOC"
# One file per block, named after the line where the block starts:
# scenario-LINE.yaml, v2-LINE.yaml; a block with another tag is reported.
awk -v dir="$TMP" '
    /^```/ && out != "" { close(out); out = ""; next }
    /^```yaml/ {
        tag = $2
        if ($0 != "```yaml " tag || (tag != "scenario" && tag != "v2")) {
            print FILENAME ":" NR ": a yaml block must be tagged \"yaml scenario\" or \"yaml v2\"" > "/dev/stderr"
            bad = 1
            next
        }
        out = sprintf("%s/%s-%05d.yaml", dir, tag, NR + 1)
        printf "" > out
        next
    }
    out != "" { print > out }
    END { exit bad }
' "$DOC" || fail "untagged yaml blocks in $DOC"

n=0
failed=0
for f in "$TMP"/scenario-*.yaml; do
    [ -e "$f" ] || fail "no \"yaml scenario\" example in $DOC"
    n=$((n + 1))
    line=$(basename "$f" .yaml | sed 's/^scenario-0*//')
    if ! "$TCOSIM" validate "$f" >"$TMP/out" 2>&1; then
        echo "FAIL: docs: $DOC:$line: the example does not validate:" >&2
        sed 's/^/    /' "$TMP/out" >&2
        failed=$((failed + 1))
    fi
done
nv2=0
for f in "$TMP"/v2-*.yaml; do
    [ -e "$f" ] || break
    nv2=$((nv2 + 1))
    [ "$ALL" = 1 ] || continue
    line=$(basename "$f" .yaml | sed 's/^v2-0*//')
    if ! "$TCOSIM" validate "$f" >"$TMP/out" 2>&1; then
        echo "FAIL: docs: $DOC:$line: the version-2 example does not validate:" >&2
        sed 's/^/    /' "$TMP/out" >&2
        failed=$((failed + 1))
    fi
done
[ "$failed" = 0 ] || exit 1
if [ "$ALL" = 1 ]; then
    echo "docs: $n examples and $nv2 version-2 examples valid"
else
    echo "docs: $n examples valid ($nv2 version-2 examples not checked; --all checks them)"
fi
