#!/bin/sh
# The board pack (report.pdf) read back as text: its first page holds the
# table of strategies (each name with its mean as in summary.csv), the
# recommendation naming the recommended strategy and the provenance
# footnote; the appendix lists every uncertain input; a sweep's and a
# sensitivity analysis's folders get one too.  Needs pdftotext (Debian's
# poppler-utils) and gnuplot; skipped without them.
# Usage: tests/board/run.sh ./tcosim
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for tool in pdftotext gnuplot; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "board: $tool is not installed (apt-get install poppler-utils gnuplot-nox); skipped"
        exit 0
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
cd "$TMP" || exit 1

# small.yaml with six more strategies whose names are 40 characters long:
# nine rows that must fit the first page without running into the numbers.
awk '{ print } /^strategies:/ { for (i = 1; i <= 6; i++)
    printf "  a-hybrid-strategy-with-a-long-name-nrx-%d: { route: { chat: gpu, docs: api }, fallback: api }\n", i }' \
    "$ROOT/tests/cli/cases/small.yaml" >long.yaml
LONGNAME=a-hybrid-strategy-with-a-long-name-nrx-1
[ ${#LONGNAME} -eq 40 ] && [ "$(grep -c 'a-hybrid-strategy-with-a-long-name-nrx-[0-9]:' long.yaml)" -eq 6 ] \
    && ok || bad "long.yaml lacks its six strategies with 40-character names"

"$BIN" run long.yaml -q -n 400 -o r >/dev/null 2>err.txt && [ -s r/report.pdf ] \
    && ok || bad "run: no report.pdf: $(cat err.txt)"
pdftotext -layout -f 1 -l 1 r/report.pdf page1.txt 2>/dev/null
pdftotext -layout r/report.pdf all.txt 2>/dev/null

# Every strategy's row: its name (or the start of it, cut with an
# ellipsis), then its mean NPV formatted as tco_format_money does.
tail -n +2 r/summary.csv | cut -d, -f1,2 | tr -d '"' >means.csv
rows=0
while IFS=, read -r name mean; do
    money=$(awk -v x="$mean" 'BEGIN { a = x < 0 ? -x : x; s = x < 0 ? "-" : "";
        if (a >= 1e9) printf "%s%.3gB", s, a / 1e9; else if (a >= 1e6) printf "%s%.3gM", s, a / 1e6;
        else if (a >= 1e4) printf "%s%.3gk", s, a / 1e3;
        else if (a >= 1000) printf "%s%d,%03d", s, int((a + 0.5) / 1000), int(a + 0.5) % 1000;
        else printf "%s%.0f", s, a }')
    prefix=$(printf '%s' "$name" | cut -c1-20)
    if grep -E "^ *$prefix[^ ]* +$money( |$)" page1.txt >/dev/null; then
        rows=$((rows + 1))
    else
        bad "page 1 lacks the row '$name ... $money': $(grep -F "$prefix" page1.txt | head -2)"
    fi
done <means.csv
[ "$rows" -eq 9 ] && ok || bad "page 1 shows $rows of the 9 strategies"
# A 40-character name is cut rather than run into the mean.
grep -F "$LONGNAME" page1.txt | grep -q "$LONGNAME  " \
    && bad "a 40-character name overflows its column: $(grep -F "$LONGNAME" page1.txt | head -1)" || ok

rec=$(sed -n 's/.*"recommended": "\([^"]*\)".*/\1/p' r/results.json)
[ -n "$rec" ] && grep -q "Recommendation: $rec," page1.txt \
    && ok || bad "page 1 does not recommend '$rec': $(grep Recommendation page1.txt)"
grep -q "Provenance: tcosim" page1.txt && grep -q "400 futures, seed 5" page1.txt \
    && ok || bad "page 1 lacks the provenance footnote"
grep -q "Which way of serving these workloads costs least over 12 months?" page1.txt \
    && ok || bad "page 1 lacks the question"

# The appendix lists every uncertain input by its path.
"$BIN" describe long.yaml | awk 'NR > 3 && NF > 1 && $2 !~ /^fixed/ { print $1 }' >uncertain.txt
[ -s uncertain.txt ] || bad "describe listed no uncertain input"
missing=0
while read -r path; do
    grep -qF "$path" all.txt || { missing=1; bad "the appendix lacks $path"; }
done <uncertain.txt
[ "$missing" -eq 0 ] && grep -q "Appendix: every input" all.txt && ok

# The pages do not depend on the number of threads (EVPPI runs one input
# per thread); only the provenance footnote (which names the threads and
# the date) may differ; the date is fixed by SOURCE_DATE_EPOCH.
SOURCE_DATE_EPOCH=1764000000 "$BIN" run long.yaml -q -n 400 --threads 1 -o t1 >/dev/null 2>&1 && \
SOURCE_DATE_EPOCH=1764000000 "$BIN" run long.yaml -q -n 400 --threads 2 -o t2 >/dev/null 2>&1 && \
    [ "$(grep -v 'Provenance: ' t1/board.tsv)" = "$(grep -v 'Provenance: ' t2/board.tsv)" ] && grep -q EVPPI t1/board.tsv \
    && ok || bad "board.tsv depends on the number of threads"

# tcosim plot draws the board pack again from the folder.
rm r/report.pdf
"$BIN" plot r >/dev/null 2>&1 && [ -s r/report.pdf ] && ok || bad "tcosim plot did not redraw report.pdf"

# Ties on page 1: in regulated.yaml threshold costs exactly what proprietary
# costs in most futures, which P(cheapest) alone would hide.
"$BIN" run "$ROOT/scenarios/regulated.yaml" -q -n 1000 -o reg >/dev/null 2>&1 \
    && pdftotext -layout -f 1 -l 1 reg/report.pdf reg.txt 2>/dev/null \
    && grep -q "Ties: threshold costs exactly what proprietary costs in [0-9]*% of futures" reg.txt \
    && ok || bad "page 1 does not name the tie of threshold and proprietary"

# A sweep's and a sensitivity analysis's folders.
"$BIN" sweep long.yaml --vary demand.requests_per_month=1e6:4e7:6:log -q -n 200 -o sw >/dev/null 2>err.txt \
    && [ -s sw/report.pdf ] && ok || bad "sweep: no report.pdf: $(cat err.txt)"
pdftotext -layout sw/report.pdf sw.txt 2>/dev/null
grep -q "Which way costs least as demand › requests per month goes from 1M to 40M?" sw.txt \
    && grep -q "Crossovers" sw.txt && grep -q "Appendix: every input" sw.txt \
    && ok || bad "the sweep's board pack lacks its question, crossovers or appendix"
"$BIN" sensitivity long.yaml -q -n 200 -o se >/dev/null 2>err.txt \
    && [ -s se/report.pdf ] && ok || bad "sensitivity: no report.pdf: $(cat err.txt)"
pdftotext -layout se/report.pdf se.txt 2>/dev/null
grep -q "Which input decides the NPV of" se.txt && grep -q "EVPI" se.txt \
    && grep -q "Appendix: every input" se.txt \
    && ok || bad "the sensitivity board pack lacks its question, EVPI or appendix"
# The terminal, the run's board pack and the sensitivity board pack agree on
# whether any input is worth measuring (one threshold, tco_evppi_worth).
# baseline: nothing is worth 1% of its EVPI; owned: the API price trend is.
for sc in baseline:none owned:some; do
    n=${sc%%:*}
    "$BIN" sensitivity "$ROOT/scenarios/$n.yaml" -n 1000 -o "se-$n" >"se-$n.out" 2>/dev/null
    if grep -q "No single input changes the decision" "se-$n.out"; then term=none; else term=some; fi
    if grep -q "No single input changes the decision" "se-$n/board.tsv"; then pack=none; else pack=some; fi
    [ "$term" = "${sc#*:}" ] && [ "$pack" = "$term" ] && ok \
        || bad "sensitivity of $n: the table says $term, the board pack $pack, expected ${sc#*:}"
done

echo "board: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
