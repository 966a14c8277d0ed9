#!/bin/sh
# End-to-end tests of the program: exit codes, messages with places, files
# written whole (or not at all), and thread-independent results.
# Usage: tests/cli/run.sh ./tcosim
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

# expect_error NAME STATUS NEEDLE -- ARGS...: the command exits with STATUS
# and its standard error contains NEEDLE; no output folder is left behind.
expect_error() {
    name=$1 status=$2 needle=$3
    shift 4
    rm -rf "$TMP/out"
    (cd "$TMP" && "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr")
    got=$?
    if [ "$got" -ne "$status" ]; then
        bad "$name: exit $got, expected $status ($(head -c 300 "$TMP/stderr"))"
    elif ! grep -qF -- "$needle" "$TMP/stderr"; then
        bad "$name: stderr lacks '$needle': $(head -c 300 "$TMP/stderr")"
    elif [ -e "$TMP/out" ]; then
        bad "$name: an output folder was written despite the error"
    else
        ok
    fi
}

# results.json ends with its provenance (the threads, the date): two runs
# give the same results when all that comes before it is the same.
same_results() {
    sed '/^  "provenance": /,$d' "$1" >"$TMP/same.a" && sed '/^  "provenance": /,$d' "$2" >"$TMP/same.b" &&
        grep -q '"clamped"' "$TMP/same.a" && cmp -s "$TMP/same.a" "$TMP/same.b"
}

cp "$HERE"/cases/*.yaml "$TMP"/
printf '' >"$TMP/empty.yaml"
printf 'a: 1\000\001\002' >"$TMP/binary.yaml"
python_free_depth=$(printf '%*s' 20000 '' | tr ' ' '[')
printf 'x: %s\n' "$python_free_depth" >"$TMP/deep.yaml"

expect_error missing-file 1 "nope.yaml: cannot open" -- run nope.yaml
expect_error empty 2 "empty.yaml: empty file" -- run empty.yaml
expect_error binary 2 "binary.yaml: binary file" -- run binary.yaml
expect_error deep 2 "nesting deeper than 64" -- run deep.yaml
expect_error typo 2 "typo.yaml:7:3: demand.growth_anual: unknown key 'growth_anual'; did you mean growth_annual?" -- run typo.yaml
expect_error syntax 2 "syntax.yaml:4:" -- run syntax.yaml
expect_error futures-zero 2 "--futures: expected a whole number of at least 1" -- run small.yaml -n 0
expect_error futures-huge 2 "would need about" -- run small.yaml -n 1e12
expect_error futures-text 2 "--futures" -- run small.yaml -n lots
expect_error threads 2 "--threads" -- run small.yaml --threads 0
expect_error format 2 "--format" -- run small.yaml --format xml
expect_error set-bad 2 "--set #1:1:1: demand.requests_per_month: must be > 0" -- run small.yaml --set demand.requests_per_month=-5
expect_error set-unknown 2 "did you mean requests_per_month?" -- run small.yaml --set demand.request_per_month=5
expect_error unknown-command 2 "unknown command 'rn'" -- rn small.yaml
expect_error validate-bad 2 "typo.yaml:7:3" -- validate small.yaml typo.yaml

# A good run writes every file, whole.
cd "$TMP" || exit 1
if "$BIN" run small.yaml -q --samples -o "$TMP/o1" --threads 1 --no-plots && \
   [ -s o1/results.json ] && [ -s o1/summary.csv ] && [ -s o1/monthly.csv ] && \
   [ -s o1/categories.csv ] && [ -s o1/samples.csv ] && ! ls o1/*.tmp.* >/dev/null 2>&1; then ok
else bad "run: files missing"; fi
# One row per strategy (+ header); one row per future in samples.csv.
[ "$(wc -l <o1/summary.csv)" -eq 4 ] && ok || bad "summary.csv rows"
[ "$(wc -l <o1/samples.csv)" -eq 1001 ] && ok || bad "samples.csv rows"
[ "$(wc -l <o1/monthly.csv)" -eq $((3 * 12 + 1)) ] && ok || bad "monthly.csv rows"
grep -q '"futures": 1000, "seed": 5' o1/results.json && ok || bad "results.json header"
# The same seed gives the same results.json with 1, 2 and 4 threads.
"$BIN" run small.yaml -q -o "$TMP/o2" --threads 2 --no-plots && "$BIN" run small.yaml -q -o "$TMP/o4" --threads 4 --no-plots
same_results o1/results.json o2/results.json && same_results o1/results.json o4/results.json && ok \
    || bad "results.json differs between thread counts"
OMP_NUM_THREADS=3 "$BIN" run small.yaml -q -o "$TMP/o3" --no-plots && same_results o1/results.json o3/results.json && ok \
    || bad "OMP_NUM_THREADS changes results"
# --format json prints the results file; --format csv the summary.
"$BIN" run small.yaml --format json --no-plots -o "$TMP/o5" >j.json && cmp -s j.json o5/results.json && ok \
    || bad "--format json"
"$BIN" run small.yaml --format csv --no-plots -o "$TMP/o6" >s.csv && cmp -s s.csv o6/summary.csv && ok \
    || bad "--format csv"
# The table names the strategies and reads the result in sentences.
"$BIN" run small.yaml --no-plots -o "$TMP/o7" >table.txt && grep -q "^Recommended: " table.txt && \
    grep -q "^api " table.txt && ok || bad "table"
# Default output folder: out/<scenario name>.
"$BIN" run small.yaml -q --no-plots && [ -s "out/small test/results.json" ] || [ -s "out/small_test/results.json" ] && ok \
    || bad "default output folder"
# --set changes the result; the seed flag too.
"$BIN" run small.yaml -q --no-plots --set demand.requests_per_month=5e6 -o "$TMP/o8" && ! same_results o1/results.json o8/results.json && ok \
    || bad "--set has no effect"
# validate and describe.
"$BIN" validate small.yaml >v.txt && grep -q "small.yaml: ok" v.txt && ok || bad "validate"
"$BIN" validate small.yaml --set a=b 2>vo.err; [ $? -eq 2 ] && grep -q "validate takes scenario files only" vo.err && ok || bad "validate took an option for a file: $(cat vo.err)"
"$BIN" describe small.yaml >d.txt && grep -q "demand.requests_per_month" d.txt && \
    grep -q "lognormal" d.txt && ok || bad "describe"
# describe's P50 of a lognormal given by P10 = 1M and P90 = 4M is their geometric mean.
grep "^demand.requests_per_month " d.txt | grep -q " 2M " && ok || bad "describe P50"
# A lognormal appears by its percentiles in readable units: P10 = 1M and
# P90 = 4M give sigma = ln 4 / (2 x 1.2816) = 0.5409, so P5 = 2M / e^(1.6449
# sigma) = 822k and P95 = 2M x e^(1.6449 sigma) = 4.87M.
grep -q "^demand.requests_per_month  *lognormal(P5 822k, P50 2M, P95 4.87M)  *822k  *2M  *4.87M$" d.txt \
    && ok || bad "describe's lognormal: $(grep requests_per_month d.txt)"
# describe filters by a substring of the path, as a second argument or --filter.
"$BIN" describe small.yaml backends.gpu >d2.txt && "$BIN" describe small.yaml --filter backends.gpu >d3.txt \
    && cmp -s d2.txt d3.txt && [ "$(grep -c '^backends\.gpu\.' d2.txt)" -eq "$(grep -c '^backends\.gpu\.' d.txt)" ] \
    && ! grep -q '^demand\.\|^backends\.api\.' d2.txt && grep -q "have 'backends.gpu' in their path" d2.txt \
    && ok || bad "describe --filter: $(cat d2.txt)"
expect_error describe-nomatch 2 "no input of small.yaml has 'nothing' in its path" -- describe small.yaml nothing
"$BIN" --version | grep -q "^tcosim [0-9]" && ok || bad "--version"
"$BIN" validate "$HERE"/../../scenarios/*.yaml >/dev/null && ok || bad "a bundled scenario is invalid"
"$BIN" --help | grep -q "Usage: tcosim" && ok || bad "--help"
"$BIN" run --help | grep -q -- "--futures" && ok || bad "run --help"
# An unwritable output folder is an error, not a crash.
mkdir ro && chmod 500 ro
if [ "$(id -u)" != 0 ]; then
    "$BIN" run small.yaml -q -o ro/x 2>err.txt; [ $? -eq 1 ] && ok || bad "unwritable folder"
fi
"$BIN" run small.yaml -q -o small.yaml/x 2>err.txt; [ $? -eq 1 ] && grep -q "small.yaml" err.txt && ok \
    || bad "output folder under a file"

# ---- charts (issue 3) ----
charts="distribution scurve fan fan_cumulative categories decision breakeven"
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
is_svg() { head -c 400 "$1" | grep -q "<svg" && tail -c 20 "$1" | grep -q "</svg>"; }
is_pdf() { [ "$(head -c 5 "$1")" = "%PDF-" ] && tail -c 10 "$1" | grep -q "%%EOF"; }
pdf_pages() { grep -ac "/Type /Page[^s]" "$1"; }
if "$BIN" run small.yaml -q -o "$TMP/c1" 2>c1.err; then ok; else bad "run with charts: $(cat c1.err)"; fi
for c in $charts; do
    is_png "c1/plots/$c.png" && ok || bad "chart $c.png missing or not a PNG"
    is_svg "c1/plots/$c.svg" && ok || bad "chart $c.svg missing or not an SVG"
done
# The board pack: its first page, the eight charts (savings last), one page of inputs.
is_pdf c1/report.pdf && [ "$(pdf_pages c1/report.pdf)" -eq 10 ] && ok \
    || bad "report.pdf: not a PDF of 10 pages ($(pdf_pages c1/report.pdf))"
ls c1/plots/*.tmp.* >/dev/null 2>&1 && bad "temporary chart files left" || ok
# The charts show the CSV's data: every strategy of summary.csv is in the
# S-curve's legend, the title carries the scenario name, the footnote the run.
for st in $(tail -n +2 c1/summary.csv | cut -d, -f1); do
    grep -q ">$st<" c1/plots/scurve.svg && ok || bad "scurve.svg lacks strategy $st"
done
grep -q "small test: S-curves" c1/plots/scurve.svg && ok || bad "scurve.svg title"
grep -q "^Recommended: " c1/decision.txt && ok || bad "decision.txt"
grep -q "small.yaml sha256 [0-9a-f]\{8\}, seed 5, 1000 futures, random, [0-9]* threads\?, tcosim" c1/plots/scurve.svg && ok || bad "footnote"
# A scenario name with spaces and quotes: a safe folder, charts drawn.
sed 's/name: small test/name: "Bob'"'"'s \\"big\\" plan, v2"/' small.yaml >quoted.yaml
if "$BIN" run quoted.yaml -q 2>q.err && is_png "out/Bob_s__big__plan__v2/plots/scurve.png"; then ok
else bad "quoted scenario name: $(cat q.err)"; fi
grep -q "Bob's &quot;big&quot; plan, v2: S-curves\|Bob's \"big\" plan, v2: S-curves\|Bob&#39;s" \
    out/Bob_s__big__plan__v2/plots/scurve.svg && ok || bad "quoted name in the chart title"
# No gnuplot on PATH: results written, exit 3, a message that says what to do.
env PATH=/nonexistent "$BIN" run small.yaml -q -o "$TMP/c2" 2>c2.err
[ $? -eq 3 ] && [ -s c2/results.json ] && grep -q "gnuplot is not installed" c2.err && \
    grep -q "apt-get install gnuplot-nox" c2.err && ok || bad "missing gnuplot: $(cat c2.err)"
# --no-plots skips the charts; tcosim plot draws them later from the CSV files.
"$BIN" run small.yaml -q --no-plots -o "$TMP/c3" && [ ! -e c3/plots ] && ok || bad "--no-plots"
"$BIN" plot "$TMP/c3" 2>/dev/null && is_png c3/plots/fan.png && is_pdf c3/report.pdf && ok || bad "tcosim plot"
cmp -s c1/plots/scurve.svg c3/plots/scurve.svg && ok || bad "tcosim plot draws the same chart"
# Charts are drawn several at once (TCOSIM_CHART_JOBS, default the processors):
# one at a time gives the same files.
cp -R c3 c3one && rm -rf c3one/plots c3one/report.pdf && TCOSIM_CHART_JOBS=1 "$BIN" plot "$TMP/c3one" 2>/dev/null && \
    (for f in c3/plots/*.svg; do cmp -s "$f" "c3one/plots/${f##*/}" || exit 1; done) && \
    [ "$(ls c3/plots | wc -l)" -eq 16 ] && [ "$(ls c3one/plots | wc -l)" -eq 16 ] && is_pdf c3one/report.pdf \
    && ok || bad "charts drawn one at a time differ from those drawn at once"
"$BIN" plot "$TMP/nothing-here" 2>p.err; [ $? -eq 1 ] && grep -q "meta.csv" p.err && ok || bad "plot of a non-run"
# A broken template: gnuplot's own message reaches the user, exit 3.
mkdir badplots && cp "$HERE"/../../plots/*.gp badplots/ && echo "plot nonsense_function(x)" >>badplots/scurve.gp
TCOSIM_PLOTS="$TMP/badplots" "$BIN" plot "$TMP/c3" 2>b.err
[ $? -eq 3 ] && grep -q "gnuplot failed on" b.err && grep -q "scurve.gp" b.err && ok || bad "broken template: $(cat b.err)"
# Issue 10: a missing template is named as such, not as a gnuplot failure.
mkdir noplots && cp "$HERE"/../../plots/*.gp noplots/ && rm noplots/fan.gp
TCOSIM_PLOTS="$TMP/noplots" "$BIN" plot "$TMP/c3" 2>n.err
[ $? -eq 3 ] && grep -q "template fan.gp not found in $TMP/noplots" n.err && ! grep -q "gnuplot failed" n.err && ok \
    || bad "missing template: $(cat n.err)"

# Degenerate runs still draw every chart: one strategy, one month, one future.
"$BIN" run one.yaml -n 1 -q -o "$TMP/d1" 2>d1.err && is_pdf d1/report.pdf && [ "$(pdf_pages d1/report.pdf)" -eq 10 ] \
    && is_png d1/plots/breakeven.png && ok || bad "one strategy, one month, one future: $(cat d1.err)"
"$BIN" run one.yaml -n 1 --no-plots | grep -q "^only *0.12 " && ok || bad "small money in the table"

# ---- charts (issue 10) ----
"$BIN" run "$ROOT/scenarios/baseline.yaml" -n 300 -q -o "$TMP/ch" 2>ch.err && ok || bad "baseline charts: $(cat ch.err)"
# Money ticks read 0, 500k, 1M, 1.5M, never 0.0 or 500.0k.
grep -ho '>-\?[0-9]\+\.0[kMG]\?<' ch/plots/*.svg >ticks.txt; [ ! -s ticks.txt ] && grep -q '>500k<\|>1M<\|>2M<' ch/plots/scurve.svg \
    && ok || bad "tick labels: $(sort -u ticks.txt | head -5 | tr '\n' ' ')"
# Categories have colours of their own, none of the strategies' palette.
tr -d ' ' <ch/plots/categories.svg | grep -o 'rgb([0-9,]*)' | sort -u >cat.rgb
grep -qx 'rgb(230,159,0)\|rgb(86,180,233)\|rgb(0,158,115)\|rgb(0,114,178)\|rgb(213,94,0)\|rgb(204,121,167)' cat.rgb \
    && bad "categories.svg uses strategy colours" || ok
# The fan and break-even charts: months 1 to the horizon (36), and each
# panel's y range holds its own strategy's P5..P95 (and 0) with at most 20%
# to spare: one strategy's residual credit no longer sets every panel's scale.
panels_fit() { # TEMPLATE CSV ARG8 FIRST-PANEL
    gnuplot -c "$ROOT/plots/$1.gp" "$TMP/ch" "$TMP/p.png" png "$ROOT/plots" t f USD "$3" 2>&1 >/dev/null \
        | grep '^ranges panel' >panels.txt
    [ -s panels.txt ] || return 1
    awk -F, -v first="$4" '
        NR == FNR { split($0, a, " "); xlo[a[3]] = a[5]; xhi[a[3]] = a[6]; ylo[a[3]] = a[8]; yhi[a[3]] = a[9]; n++; next }
        FNR == 1 { next }
        { T = $1; for (i = first; i <= (NF - 1) / 5; i++) { c = 2 + 5 * (i - 1)
              if (!(i in lo) || $(c + 1) < lo[i]) lo[i] = $(c + 1)
              if (!(i in hi) || $(c + 4) > hi[i]) hi[i] = $(c + 4) } }
        END { bad = 0
              for (i in lo) { l = lo[i] < 0 ? lo[i] : 0; h = hi[i] > 0 ? hi[i] : 0; span = h - l
                  if (xlo[i] != 1 || xhi[i] != T) { print "panel " i ": x " xlo[i] ":" xhi[i] ", months 1:" T; bad = 1 }
                  if (ylo[i] > l || yhi[i] < h || yhi[i] - ylo[i] > 1.2 * span + 1e-9) {
                      print "panel " i ": y " ylo[i] ":" yhi[i] " for data " l ":" h; bad = 1 } }
              exit bad }' panels.txt "$TMP/ch/$2" >&2
}
# The board pack calls the templates one after another: no template may
# overwrite report.gp's variables (a month count once replaced the title).
if command -v pdftotext >/dev/null 2>&1; then
    pdftotext ch/report.pdf - 2>/dev/null | grep -q "baseline: cumulative cost minus the baseline proprietary's" && ok \
        || bad "report.pdf: the break-even page's title"
else
    echo "cli: pdftotext is not installed (apt-get install poppler-utils): the break-even page's title not read"
fi
panels_fit fan fan.csv monthly 1 && ok || bad "fan chart ranges"
panels_fit fan cumulative.csv cumulative 1 && ok || bad "cumulative fan chart ranges"
panels_fit breakeven breakeven.csv "" 2 && ok || bad "break-even chart ranges"
# Long strategy names (40 characters) are wrapped under the bars: the
# bars' labels stay inside the chart (no line of a label longer than 25
# characters in decision.svg and categories.svg).
sed -e 's/^  api: { route/  api-frontier-with-a-very-long-name-abcde: { route/' \
    -e 's/^  open: { route/  self-hosted-llama-on-rented-h100-gpus-xy: { route/' small.yaml >long.yaml
"$BIN" run long.yaml -q -n 200 -o "$TMP/lg" 2>lg.err && grep -q '>api-frontier-with-<' lg/plots/decision.svg \
    && ! grep -q '>api-frontier-with-a-very-long-name-abcde<' lg/plots/decision.svg lg/plots/categories.svg \
    && ok || bad "long names under the bars: $(cat lg.err)"
# The distribution chart's x axis holds every strategy's P5 and P95 marks.
gnuplot -c "$ROOT/plots/distribution.gp" "$TMP/lg" "$TMP/d.png" png "$ROOT/plots" t f EUR "" 2>&1 >/dev/null \
    | grep '^ranges' >dist.txt
awk -F, -v r="$(cat dist.txt)" 'BEGIN { split(r, a, " "); bad = (r == "") } FNR > 1 && ($5 < a[3] || $11 > a[4]) { bad = 1 } END { exit bad }' \
    lg/summary.csv && ok || bad "distribution chart: P5/P95 marks off the axis ($(cat dist.txt))"

# ---- sweeps, sensitivity, convergence (issue 4) ----
"$BIN" sweep small.yaml --vary demand.requests_per_month=5e5:2e7:6:log -n 400 -o "$TMP/sw1" >sw.txt 2>sw.err \
    && [ -s sw1/sweep.csv ] && [ -s sw1/crossovers.csv ] && is_png sw1/plots/sweep.png && is_svg sw1/plots/sweep.svg \
    && ok || bad "sweep: $(cat sw.err)"
[ "$(wc -l <sw1/sweep.csv)" -eq $((6 * 3 + 1)) ] && ok || bad "sweep.csv rows"
head -1 sw1/sweep.csv | grep -qx "demand.requests_per_month,strategy,mean,p5,p50,p95,p_cheapest,p_cheaper_than_baseline" \
    && ok || bad "sweep.csv header"
head -1 sw1/crossovers.csv | grep -qx "input,other_input,other_value,kind,from,to,value,tokens_per_month" && ok || bad "crossovers.csv header"
"$BIN" sweep small.yaml --vary demand.requests_per_month=5e5:2e7:6:log -n 400 -o "$TMP/sw2" --threads 1 --no-plots -q \
    && cmp -s sw1/sweep.csv sw2/sweep.csv && ok || bad "sweep differs with 1 thread"
"$BIN" sweep small.yaml --vary demand.growth_annual=0,0.5,1 --vary scenario.discount_rate_annual=0,0.1 -n 300 -o "$TMP/sw3" -q \
    && is_png sw3/plots/sweep2d.png && [ "$(wc -l <sw3/sweep.csv)" -eq $((6 * 3 + 1)) ] && ok || bad "2-D sweep"
# Issue 10: the sweep chart's axes hold every point and every crossover.
# sweep.gp prints the ranges it drew ("ranges x LO HI y LO HI"); run it on
# the folder and check sweep_chart.csv (x, each strategy's P5 and P95) and
# crossovers.csv (value) against them.  A y range set before the x range was
# computed once dropped every point above 20M (and every point of a sweep of
# a rate: exit 3, "undefined variable: STATS_min").
sweep_in_range() { # FOLDER VARY-LABEL
    gnuplot -c "$ROOT/plots/sweep.gp" "$1" "$TMP/range.png" png "$ROOT/plots" t f USD "$2" 2>&1 >/dev/null \
        | grep '^ranges' >"$TMP/ranges" || return 1
    awk -F, -v r="$(cat "$TMP/ranges")" '
        BEGIN { split(r, a, " "); xlo = a[3]; xhi = a[4]; ylo = a[6]; yhi = a[7]; bands = a[9]; bad = 0 }
        FNR == 1 { file++; next }
        file == 1 { if ($1 < xlo || $1 > xhi) { print "point x " $1 " outside " xlo ":" xhi; bad = 1 }
                    for (c = 2; c <= NF; c += 3) if ($c < ylo || $c > yhi) { print "median " $c " outside " ylo ":" yhi; bad = 1 }
                    for (c = 3; bands && c <= NF; c += 3) if ($c < ylo || $(c + 1) > yhi) { print "band " $c ":" $(c + 1) " outside " ylo ":" yhi; bad = 1 } }
        file == 2 { n++; if ($7 < xlo || $7 > xhi) { print "crossover " $7 " outside " xlo ":" xhi; bad = 1 } }
        END { if (n == 0 && need) { print "no crossover"; bad = 1 } exit bad }' need="${3:-0}" \
        "$1/sweep_chart.csv" "$1/crossovers.csv" >&2
}
"$BIN" sweep "$ROOT/scenarios/baseline.yaml" --vary demand.requests_per_month=1e6:4e7:12:log -n 300 -o "$TMP/swr" -q 2>swr.err \
    && sweep_in_range "$TMP/swr" "demand.requests_per_month log" 1 && ok || bad "sweep chart range: $(cat swr.err)"
sweep_in_range "$TMP/sw1" "demand.requests_per_month log" && grep -q ' bands 1$' ranges && ok || bad "sweep chart with bands"
for v in demand.growth_annual=0:0.8:4 backends.llama-70b.gpu.hour_price=1.5,3,6 workloads.simple.share=0.1:0.9:3 \
         backends.api-frontier.input_price_per_mtok=1,2,4; do
    rm -rf "$TMP/swv"
    "$BIN" sweep "$ROOT/scenarios/baseline.yaml" --vary "$v" -n 200 -o "$TMP/swv" -q 2>swv.err \
        && is_png swv/plots/sweep.png && sweep_in_range "$TMP/swv" "${v%%=*}" && ok || bad "sweep of $v: $(cat swv.err)"
done
# Two inputs: every point and every crossover (along either axis) on the maps.
"$BIN" sweep "$ROOT/scenarios/crossover.yaml" --vary demand.requests_per_month=2e5:1e7:8:log --vary demand.growth_annual=0:0.8:3 \
    -n 300 -o "$TMP/sw2d" -q 2>sw2d.err && is_png sw2d/plots/sweep2d.png && ok || bad "2-D sweep of crossover.yaml: $(cat sw2d.err)"
gnuplot -c "$ROOT/plots/sweep2d.gp" "$TMP/sw2d" "$TMP/r2.png" png "$ROOT/plots" t f USD \
    "demand.requests_per_month log|demand.growth_annual" 2>&1 >/dev/null | grep '^ranges' >ranges2d
awk -F, -v r="$(cat ranges2d)" '
    BEGIN { split(r, a, " "); xlo = a[3]; xhi = a[4]; ylo = a[6]; yhi = a[7]; bad = (r == "") }
    FNR == 1 { file++; next }
    file == 1 { if ($1 < xlo || $1 > xhi || $2 < ylo || $2 > yhi) { print "point " $1 "," $2; bad = 1 } }
    file == 2 { n[$1]++; v = $7; if ($1 == "demand.requests_per_month" ? (v < xlo || v > xhi) : (v < ylo || v > yhi)) { print "crossover " $0; bad = 1 } }
    END { if (!n["demand.requests_per_month"] || !n["demand.growth_annual"]) { print "crossovers along one axis only"; bad = 1 } exit bad }' \
    sw2d/sweep_grid.csv sw2d/crossovers.csv >&2 && ok || bad "2-D sweep: points or crossovers off the maps"
expect_error sweep-novary 2 "sweep needs --vary" -- sweep small.yaml
expect_error sweep-badvary 2 "--vary demand.requests_per_month=5:1:3" -- sweep small.yaml --vary demand.requests_per_month=5:1:3
expect_error sweep-domain 2 "--vary demand.requests_per_month=-1,1: -1 is outside the domain of demand.requests_per_month (it must be > 0)" -- sweep small.yaml --vary demand.requests_per_month=-1,1 -n 10
for m in rank tornado sobol; do
    "$BIN" sensitivity small.yaml --method $m -n 256 -o "$TMP/se-$m" >se.txt 2>se.err && \
        head -1 se-$m/sensitivity.csv | grep -qx "method,input,value,low,high" && \
        grep -q "^evpi,(all)," se-$m/sensitivity.csv && ok \
        || bad "sensitivity $m: $(cat se.err)"
done
is_png se-tornado/plots/tornado.png && is_png se-sobol/plots/sobol.png && is_png se-rank/plots/rank.png && ok || bad "sensitivity charts"
grep -q "model runs\|future-runs" se.txt && ok || bad "sobol prints its cost up front"
"$BIN" sensitivity small.yaml --strategy open --versus api -n 200 -o "$TMP/se2" -q --no-plots && ok || bad "--strategy/--versus"
# --output is a folder in every command, never a strategy (issue 7, defect 5).
rm -rf open
"$BIN" sensitivity small.yaml --output open --strategy open -n 64 -q --no-plots && [ -s open/sensitivity.csv ] && ok \
    || bad "sensitivity --output is not the output folder"
rm -rf open
rm -rf se-sobol/plots && "$BIN" plot "$TMP/se-sobol" 2>/dev/null && is_png se-sobol/plots/sobol.png && [ ! -e se-sobol/plots/voi.png ] \
    && ok || bad "tcosim plot of a sensitivity folder"
rm -rf sw3/plots && "$BIN" plot "$TMP/sw3" 2>/dev/null && is_png sw3/plots/sweep2d.png && ok || bad "tcosim plot of a sweep folder"
expect_error sens-unknown 2 "--strategy: no strategy named 'nope'" -- sensitivity small.yaml --strategy nope
expect_error sens-method 2 "--method: expected rank, tornado or sobol" -- sensitivity small.yaml --method magic
"$BIN" run small.yaml --target-rse 0.02 --max-futures 16000 -n 500 --no-plots -o "$TMP/t1" 2>t1.err >/dev/null \
    && grep -q "at [0-9]* futures" t1.err && ok || bad "--target-rse: $(cat t1.err)"
"$BIN" run small.yaml --target-rse 0.02 --max-futures 16000 -n 500 --no-plots -q -o "$TMP/t2" 2>/dev/null \
    && same_results t1/results.json t2/results.json && ok || bad "--target-rse is not deterministic"
grep -q '"evpi": ' o1/results.json && ok || bad "evpi in results.json"
expect_error rse-bad 2 "--target-rse" -- run small.yaml --target-rse 2

# ---- the output folder as one unit, charts from data (issue 7) ----
REAL_GNUPLOT=$(command -v gnuplot)
mkdir -p fakebin
# A gnuplot that misbehaves as FAKE says: sleep (slow), truncate (disk full),
# else the real one.  Its output file is its 4th argument.
cat >fakebin/gnuplot <<EOF
#!/bin/sh
case "\${FAKE:-}" in
sleep) sleep 8 ;;
truncate) printf '\211PNG\r\n\032\n' >"\$4"; head -c 8000 /dev/zero >>"\$4"; exit 0 ;;
*) exec "$REAL_GNUPLOT" "\$@" ;;
esac
EOF
chmod +x fakebin/gnuplot
FAKEPATH="$TMP/fakebin:$PATH"
# Waits (10 s at most) until a run into ./NAME is drawing its charts.
wait_drawing() {
    i=0
    while ! ls -a ."$1".tcosim-tmp-*/ 2>/dev/null | grep -q tcosim-draw && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
# -o '' is refused (it read uninitialised memory).
expect_error empty-output 2 "the folder name is empty" -- run small.yaml -o ''
# A stale file of an earlier run does not survive the next one.
"$BIN" run small.yaml -q --samples --no-plots -o "$TMP/u1" && "$BIN" run small.yaml -q --no-plots -o "$TMP/u1" \
    && [ -s u1/results.json ] && [ ! -e u1/samples.csv ] && ok || bad "a stale samples.csv stayed"
ls -a . | grep -q "tcosim-tmp\|tcosim-old" && bad "temporary folders left after a run" || ok
# Charts and the board pack of an earlier run do not survive a run without
# them.
"$BIN" run small.yaml -q -n 300 -o "$TMP/u4" && [ -s u4/report.pdf ] && [ -s u4/plots/scurve.png ] \
    && "$BIN" run small.yaml -q -n 300 --no-plots -o "$TMP/u4" && [ -s u4/results.json ] \
    && [ ! -e u4/report.pdf ] && [ ! -e u4/plots ] && ok || bad "stale charts stayed after --no-plots: $(ls u4)"
# A chart that fails (a broken template) leaves no PNG of the earlier run.
cp -r "$ROOT/plots" brokenplots && echo 'plot no_such_function(x)' >>brokenplots/scurve.gp
"$BIN" run small.yaml -q -n 300 -o "$TMP/u5" && [ -s u5/plots/scurve.png ] && cp u5/plots/scurve.png u5.png \
    && TCOSIM_PLOTS="$TMP/brokenplots" "$BIN" run small.yaml -q -n 300 --seed 9 -o "$TMP/u5" 2>u5.err
[ $? -eq 3 ] && grep -q '"seed": 9' u5/results.json && [ ! -e u5/plots/scurve.png ] && ! cmp -s u5.png u5/plots/scurve.png \
    && ok || bad "a failed chart left the earlier PNG: $(ls u5/plots; cat u5.err)"
# An existing folder that is not tcosim's is not replaced.
mkdir -p mine && echo keep >mine/notes.txt
"$BIN" run small.yaml -q --no-plots -o "$TMP/mine" 2>mine.err; [ $? -eq 2 ] && [ -s mine/notes.txt ] \
    && grep -q "not a tcosim output folder" mine.err && ok || bad "a foreign folder: $(cat mine.err)"
# Interrupted while drawing the charts: exit 130, the previous folder intact.
"$BIN" run small.yaml -q --no-plots --seed 1 -o "$TMP/u2" && cp u2/results.json u2.before
FAKE=sleep PATH="$FAKEPATH" "$BIN" run small.yaml -q --seed 2 -o "$TMP/u2" 2>u2.err &
pid=$!
wait_drawing u2
# A second writer into the same folder is refused while the first runs.
"$BIN" run small.yaml -q --no-plots -o "$TMP/u2" 2>u3.err; [ $? -eq 1 ] && grep -q "another tcosim is writing" u3.err \
    && ok || bad "a second writer: $(cat u3.err)"
"$BIN" plot "$TMP/u2" 2>u3.err; [ $? -eq 1 ] && grep -q "another tcosim is writing" u3.err \
    && ok || bad "tcosim plot while a run writes: $(cat u3.err)"
kill -INT $pid
wait $pid
got=$?
[ $got -eq 130 ] && cmp -s u2/results.json u2.before && [ ! -e u2/plots ] && ok \
    || bad "interrupted during charts: exit $got, $(cat u2.err)"
ls -a . | grep -q "u2.tcosim-tmp" && bad "the interrupted run left its folder" || ok
# SIGKILL leaves a recognisable temporary folder; the next run removes it.
FAKE=sleep PATH="$FAKEPATH" "$BIN" run small.yaml -q -o "$TMP/u2" 2>/dev/null &
pid=$!
wait_drawing u2
kill -KILL $pid
wait $pid 2>/dev/null
ls -a . | grep -q "^\.u2\.tcosim-tmp-" && ok || bad "no temporary folder while a run was killed"
"$BIN" run small.yaml -q --no-plots -o "$TMP/u2" && ! ls -a . | grep -q "^\.u2\.tcosim-tmp-" && ok \
    || bad "leftovers of a killed run were not removed"
# A drawing folder left by a killed tcosim plot is removed by the next.
mkdir -p u1/.tcosim-draw-AbC123 && "$BIN" plot "$TMP/u1" 2>/dev/null && [ ! -e u1/.tcosim-draw-AbC123 ] \
    && is_png u1/plots/scurve.png && ok || bad "a killed plot's drawing folder stayed"
# gnuplot that takes too long is stopped, with a message, exit 3.
FAKE=sleep TCOSIM_CHART_TIMEOUT=1 PATH="$FAKEPATH" "$BIN" run small.yaml -q -o "$TMP/u4" 2>u4.err
[ $? -eq 3 ] && grep -q "took more than 1 s" u4.err && [ -s u4/results.json ] && ok || bad "chart timeout: $(cat u4.err)"
# A truncated chart (disk full) is not installed: exit 3.
FAKE=truncate PATH="$FAKEPATH" "$BIN" run small.yaml -q -o "$TMP/u5" 2>u5.err
[ $? -eq 3 ] && grep -q "incomplete" u5.err && [ ! -e u5/plots/distribution.png ] && ok || bad "truncated chart: $(cat u5.err)"
# More strategies than charts can show (300 took minutes): results, exit 3.
{ sed '/^strategies:/,$d' small.yaml; echo "strategies:"
  i=0; while [ $i -lt 41 ]; do echo "  s$i: { route: { chat: api, docs: api } }"; i=$((i + 1)); done; } >many.yaml
"$BIN" run many.yaml -n 50 -q -o "$TMP/u11" 2>u11.err
[ $? -eq 3 ] && grep -q "41 strategies: charts are drawn for at most 40" u11.err && [ -s u11/results.json ] && ok \
    || bad "too many strategies to chart: $(cat u11.err)"
# Output paths that gnuplot would run as commands run nothing.
"$BIN" run small.yaml -q -o '|touch pwned1 #' 2>/dev/null
"$BIN" run small.yaml -q -o '<touch pwned2 #' 2>/dev/null
[ ! -e pwned1 ] && [ ! -e pwned2 ] && ok || bad "an output path ran a command"
# A planted symbolic link at a temporary name is never followed.
echo victim >victim.txt && "$BIN" run small.yaml -q --no-plots -o "$TMP/u6"
sh -c 'for f in results.json summary.csv meta.csv; do ln -s "$1/victim.txt" "$1/u6/$f.tmp.$$"; done; exec "$2" run small.yaml -q --no-plots -o "$1/u6"' x "$TMP" "$BIN"
[ "$(cat victim.txt)" = victim ] && ok || bad "a planted symlink was followed"
# tcosim plot takes no template or path from meta.csv: a received folder
# cannot run a template of its own.
mkdir -p evil && echo "system('touch pwned3')" >evil/x.gp
"$BIN" run small.yaml -q --no-plots -o "$TMP/u7"
printf 'chart0,../../evil/x\ntemplate0,../evil/x\nextra0,\n' >>u7/meta.csv
"$BIN" plot "$TMP/u7" 2>u7.err; [ $? -eq 2 ] && grep -q "not a chart tcosim draws" u7.err && [ ! -e pwned3 ] && ok \
    || bad "plot took a chart from meta.csv: $(cat u7.err)"
# A scenario name with a newline (or over 1 KiB) injects nothing.
long=$(printf '%*s' 1100 '' | tr ' ' 'n')
up=../../../../../../../../../../../../../../../..
sed "s|name: small test|name: \"x\\\\nchart0,evil\\\\ntemplate0,$up$TMP/evil/x\\\\nextra0,\\\\n$long\"|" small.yaml >inject.yaml
"$BIN" run inject.yaml -q -o "$TMP/u8" 2>u8.err && [ ! -e pwned3 ] && [ ! -e u8/plots/evil.png ] && is_png u8/plots/scurve.png \
    && ok || bad "a scenario name injected charts: $(head -c 300 u8.err)"
"$BIN" plot "$TMP/u8" 2>u8.err && ok || bad "plot of a folder with a long name: $(head -c 300 u8.err)"
# Names: '#' shows in the charts, a newline in currency spoofs no line,
# a formula-like name is quoted in CSV, a non-UTF-8 file name gives UTF-8.
sed -e 's/currency: EUR/currency: "EUR\\nFAKE"/' -e 's/^  api: { route/  "#x": { route/' -e 's/^  hybrid:/  "+y":/' small.yaml >names.yaml
"$BIN" run names.yaml -q -o "$TMP/u9" 2>u9.err && grep -q ">#x<" u9/plots/scurve.svg && ok || bad "'#x' missing from the S-curve"
grep -q ">#x<" u9/plots/decision.svg && grep -q ">#x<" u9/plots/categories.svg && ok || bad "'#x' missing from the decision chart"
grep -qF 'EUR\nFAKE' u9/decision.txt && ! grep -q "^FAKE" u9/decision.txt && ok || bad "a newline in currency spoofed a line"
# --criterion overrides the scenario's decision criterion (MODEL.md 19);
# an unknown name is refused with the nearest.
"$BIN" run small.yaml -q --no-plots -n 200 -o "$TMP/u10" --criterion cvar95 --set decision.budget=1e6 \
    --format json >u10.json 2>u10.err && grep -q '"decision": { "criterion": "cvar95", "recommended": "' u10.json \
    && grep -q '"p_within_budget": ' u10.json && grep -q "^Recommended: .*, the decision criterion cvar95)" u10/decision.txt \
    && ok || bad "--criterion cvar95: $(head -c 300 u10.err)"
! "$BIN" run small.yaml -q --no-plots -n 10 -o "$TMP/u11" --criterion cvar59 2>u11.err \
    && grep -q "did you mean cvar95?" u11.err && ok || bad "--criterion cvar59: $(head -c 300 u11.err)"
grep -q "^\"'+y\"," u9/summary.csv && ok || bad "a formula-like name is not quoted in summary.csv"
grep -q ">+y<" u9/plots/decision.svg && ok || bad "the decision chart shows the quote"
sed '/^scenario:/s/name: small test, //' small.yaml >"$(printf 'caf\351.yaml')"
"$BIN" run "$(printf 'caf\351.yaml')" -q --no-plots -o "$TMP/u10" 2>u10.err && iconv -f UTF-8 -t UTF-8 u10/results.json >/dev/null \
    && ok || bad "results.json is not UTF-8: $(cat u10.err)"

# Version 2 (MODEL.md 12, 13): describe lists the new inputs, --set reaches
# them by path (list entries by index), and an input that changes only the
# open backend's failures leaves the api strategy's results alone.
sed -e 's/^  volatility_annual: 0.2$/&\n  schedule: [{ from_month: 1, multiplier: 0.05 }, { from_month: 4, multiplier: 1 }]/' \
    -e 's/^    success_rate: { docs: 0.9 }$/&\n    failure_rate_trend_annual: { dist: uniform, min: -0.5, max: -0.1 }/' \
    -e 's/failure_cost: 1.5 }/failure_cost: 1.5, start_month: 3 }/' small.yaml >v2.yaml
"$BIN" describe v2.yaml >v2.txt && grep -q "^demand.schedule.1.multiplier  *fixed 1 " v2.txt \
    && grep -q "^backends.gpu.failure_rate_trend_annual  *uniform" v2.txt && ok || bad "describe lacks the version-2 inputs: $(cat v2.txt)"
"$BIN" run v2.yaml -q --no-plots -n 300 --set backends.gpu.failure_rate_trend_annual=0 -o "$TMP/v2a" &&
"$BIN" run v2.yaml -q --no-plots -n 300 --set backends.gpu.failure_rate_trend_annual=-0.9 -o "$TMP/v2b" &&
[ "$(grep ^api, v2a/summary.csv)" = "$(grep ^api, v2b/summary.csv)" ] &&
awk -F, 'NR == FNR && $1 == "open" { a = $2 } NR != FNR && $1 == "open" { b = $2 } END { exit !(b < a) }' v2a/summary.csv v2b/summary.csv \
    && ok || bad "--set backends.gpu.failure_rate_trend_annual did not act on the open strategy alone"
"$BIN" run v2.yaml -q --no-plots -n 300 --set demand.schedule.1.multiplier=0 -o "$TMP/v2c" &&
awk -F, 'NR == FNR && $1 == "api" { a = $2 } NR != FNR && $1 == "api" { b = $2 } END { exit !(b < a / 5) }' v2a/summary.csv v2c/summary.csv \
    && ok || bad "--set demand.schedule.1.multiplier=0 did not silence demand from month 4"
"$BIN" run v2.yaml -q --no-plots -n 300 --threads 1 -o "$TMP/v2t1" && "$BIN" run v2.yaml -q --no-plots -n 300 --threads 2 -o "$TMP/v2t2" \
    && same_results v2t1/results.json v2t2/results.json && ok || bad "version-2 results depend on the number of threads"
expect_error schedule-order 2 "demand.schedule.1.from_month: schedule out of order" -- run v2.yaml --set demand.schedule.1.from_month=1
expect_error window 2 "workloads.docs.end_month: the window ends before it starts" -- run v2.yaml --set workloads.docs.end_month=2

# Version 2 (MODEL.md 16, 17): describe lists the new inputs; at neutral
# values (failure_probability 0, retire_idle_months past the horizon)
# results.json and monthly.csv equal version 1's byte for byte;
# a setup that always fails leaves the open strategy without GPUs and the
# api strategy's own figures (mean to cost per million tokens) alone;
# results do not depend on the number of threads.
sed -e 's/^    setup: { months: 2, cost: 40000 }$/    setup: { months: 2, cost: 40000, failure_probability: { dist: uniform, min: 0.1, max: 0.3 },\n             abandon_after_months: 3 }/' \
    -e 's/^  hybrid: { route: { chat: gpu, docs: api }, fallback: api }$/  hybrid: { route: { chat: gpu, docs: api }, fallback: api, retire_idle_months: 2 }/' \
    small.yaml >v2r.yaml
"$BIN" describe v2r.yaml >v2r.txt && grep -q "^backends.gpu.setup.failure_probability  *uniform" v2r.txt \
    && grep -q "^backends.gpu.setup.abandon_after_months  *fixed 3 " v2r.txt \
    && ok || bad "describe lacks the inputs of MODEL.md 17: $(cat v2r.txt)"
"$BIN" run small.yaml -q --no-plots -n 300 -o "$TMP/r0" &&
"$BIN" run v2r.yaml -q --no-plots -n 300 --set backends.gpu.setup.failure_probability=0 \
    --set strategies.hybrid.retire_idle_months=13 -o "$TMP/r1" &&
same_results r0/results.json r1/results.json && cmp -s r0/monthly.csv r1/monthly.csv \
    && ok || bad "neutral values of retire_idle_months and failure_probability changed the results"
"$BIN" run v2r.yaml -q --no-plots -n 300 --set backends.gpu.setup.failure_probability=1 -o "$TMP/r2" &&
[ "$(grep ^api, r0/summary.csv | cut -d, -f1-16)" = "$(grep ^api, r2/summary.csv | cut -d, -f1-16)" ] &&
awk -F, '$1 == "open" && $3 == 0 && $6 > 0 { found = 1 } END { exit !found }' r2/categories.csv \
    && ok || bad "a setup that always fails: $(cat r2/categories.csv)"
"$BIN" run v2r.yaml -q --no-plots -n 300 --threads 1 -o "$TMP/r3" && "$BIN" run v2r.yaml -q --no-plots -n 300 --threads 2 -o "$TMP/r4" \
    && same_results r3/results.json r4/results.json && ok || bad "results with retirement and failing setups depend on the number of threads"
expect_error retire-zero 2 "strategies.hybrid.retire_idle_months: must be in [1, " -- run v2r.yaml --set strategies.hybrid.retire_idle_months=0
expect_error failure-two 2 "backends.gpu.setup.failure_probability: must be in [0, 1]" -- run v2r.yaml --set backends.gpu.setup.failure_probability=2
expect_error resale-cloud 2 "backends.gpu.gpu.resale_fraction: unknown key" -- run v2r.yaml --set backends.gpu.gpu.resale_fraction=0.5

# Version 2 (MODEL.md 18, 20): a review strategy added to small.yaml (open
# first, moving to the api at the review of month 2 when it is cheaper
# by 10%: from month 3) leaves the other strategies' results alone (a fixed
# switching cost draws nothing), reports its route changes, is independent of the number of
# threads; describe lists an uncertain switching cost; bad review keys are
# refused with their path.
sed -e 's/^events:$/  review:\n    route: { chat: gpu, docs: gpu }\n    fallback: api\n    review: { every_months: 2, switching_cost: 3000, options: { api: { chat: api, docs: api } } }\nevents:/' \
    small.yaml >v2v.yaml
sed -e 's/switching_cost: 3000/switching_cost: { dist: uniform, min: 1000, max: 5000 }/' v2v.yaml >v2w.yaml
"$BIN" run small.yaml -q --no-plots -n 300 -o "$TMP/v0" && "$BIN" run v2v.yaml -q --no-plots -n 300 --samples -o "$TMP/v1" &&
[ "$(grep -v ^review, v1/summary.csv | cut -d, -f1-21)" = "$(cut -d, -f1-21 v0/summary.csv)" ] \
    && ok || bad "a review strategy changed the other strategies' results"
awk -F, '$1 == "review" && $22 > 0.9 && $23 > 0.9 && $24 == 3 { found = 1 } END { exit !found }' v1/summary.csv \
    && head -1 v1/samples.csv | grep -q ',switches.review,first_switch_month.review,event_month\..*,gpus_at_horizon.review$' \
    && ok || bad "route changes of the review strategy: $(cat v1/summary.csv)"
"$BIN" run v2v.yaml -q --no-plots -n 300 --threads 1 -o "$TMP/v2" && "$BIN" run v2v.yaml -q --no-plots -n 300 --threads 2 -o "$TMP/v3" \
    && same_results v2/results.json v3/results.json && ok || bad "results with a review depend on the number of threads"
"$BIN" describe v2w.yaml >v2v.txt \
    && grep -q "^strategies.review.review.switching_cost  *uniform" v2v.txt && ok || bad "describe lacks the switching cost: $(cat v2v.txt)"
expect_error review-hysteresis 2 "strategies.review.review.hysteresis: must be in [0, 1)" -- run v2v.yaml --set strategies.review.review.hysteresis=1
expect_error review-every 2 "strategies.review.review.every_months: must be in [1, " -- run v2v.yaml --set strategies.review.review.every_months=0
expect_error review-switch 2 "strategies.review.review: give either a switch or a review" -- run v2v.yaml \
    --set 'strategies.review.switch={ when: { requests_per_month_above: 1 }, route: { chat: gpu, docs: gpu } }'
expect_error review-initial 2 "strategies.review.review.options.initial: 'initial' names" -- run v2v.yaml \
    --set 'strategies.review.review.options={ initial: { chat: gpu, docs: gpu } }'

# The bundled baseline uses every version-2 feature of part 1 (failure-rate
# trends, a setup that can fail, a review with retirement): same bits on 1, 2
# and 4 threads.
"$BIN" run "$ROOT/scenarios/baseline.yaml" -q --no-plots -n 3000 --threads 1 -o "$TMP/bt1" && \
"$BIN" run "$ROOT/scenarios/baseline.yaml" -q --no-plots -n 3000 --threads 2 -o "$TMP/bt2" && \
"$BIN" run "$ROOT/scenarios/baseline.yaml" -q --no-plots -n 3000 --threads 4 -o "$TMP/bt4" && \
    same_results "$TMP/bt1/results.json" "$TMP/bt2/results.json" && same_results "$TMP/bt1/results.json" "$TMP/bt4/results.json" \
    && ok || bad "baseline.yaml (version 2) depends on the number of threads"
# ---- one decision summary, savings, ties, value of information (issue 10) ----
# owned.yaml: rent-reserved has the lowest mean NPV, proprietary is most
# often cheapest, rent has the lowest P95.  The terminal once read
# "proprietary is cheapest in 45% of futures; its P95 is 4.88M above
# rent-reserved's"; every output now says the same, in agreeing sentences.
"$BIN" run "$ROOT/scenarios/owned.yaml" --no-plots -o "$TMP/dw" --saves-more-than 1e6 >dw.txt 2>dw.err \
    && grep -q "^Recommended: rent-reserved (lowest mean NPV" dw.txt \
    && grep -q "^proprietary is cheapest more often (4[0-9]% of futures, against 2[0-9]%) but costs .* more on average\.$" dw.txt \
    && ! grep -q "is cheapest in [0-9]*% of futures" dw.txt \
    && ok || bad "owned.yaml: the table's reading: $(cat dw.txt dw.err)"
sed -n '/^Recommended:/,/^Perfect information/p' dw.txt | sed '$d' >dw.table
cmp -s dw.table dw/decision.txt && ok || bad "decision.txt differs from the terminal: $(diff dw.table dw/decision.txt)"
tr -d '\n' <dw/results.json | grep -q '"recommended": "rent-reserved", "runner_up": "rent", "best_mean": "rent-reserved", "best_p95": "rent", "most_often_cheapest": "proprietary"' \
    && grep -q '"text": "Recommended: rent-reserved (lowest mean NPV' dw/results.json \
    && grep -q '"p_cheaper": \[' dw/results.json && grep -q '"saves_more_than": 1000000,' dw/results.json \
    && ok || bad "owned.yaml: the decision in results.json"
# extraction.yaml: the recommendation is also the best by mean and P95.
"$BIN" run "$ROOT/scenarios/extraction.yaml" -n 4000 --no-plots -o "$TMP/dx" >dx.txt 2>dx.err \
    && grep -q "^Recommended: managed-open (lowest mean NPV" dx.txt \
    && grep -q "^It is also the cheapest at P95 (.*) and the most often cheapest" dx.txt \
    && grep -q "^threshold is identical to proprietary in [0-9]*% of futures" dx.txt \
    && head -1 dx/decision.txt | grep -q "^Recommended: managed-open" \
    && ok || bad "extraction.yaml: the decision: $(cat dx.txt dx.err)"
# regulated.yaml: threshold costs exactly what proprietary costs in 91% of
# futures (a warning, not a bare P(cheapest)), and breaks even in a few
# futures of 5000: "<1%", never "0%".
"$BIN" run "$ROOT/scenarios/regulated.yaml" -n 5000 --no-plots -o "$TMP/dr" >dr.txt 2>dr.err \
    && grep -q "^Warning: proprietary and threshold are near-identical: they cost exactly the same in 9[0-9]% of futures," dr.txt \
    && grep -q "^threshold .* <1%, median month 1$" dr.txt && ! grep -q " 0%, median month" dr.txt \
    && grep -q "^Warning: proprietary and threshold are near-identical" dr/decision.txt \
    && tr -d '\n' <dr/results.json | grep -q '"near_identical": \[\["proprietary", "threshold"\]\]' \
    && ok || bad "regulated.yaml: ties and small probabilities: $(cat dr.txt dr.err)"
# savings.csv and pairs.csv: the baseline saves nothing and is identical to
# itself; P(a cheaper than b) + P(b cheaper) + P(identical) = 1.
head -1 dw/savings.csv | grep -qx "strategy,baseline,mean,ci_low,ci_high,p5,p10,p25,p50,p75,p90,p95,p_saves,saves_more_than,p_saves_more,identical" \
    && grep -qx "proprietary,proprietary,0,0,0,0,0,0,0,0,0,0,0,1000000,0,1" dw/savings.csv \
    && [ "$(wc -l <dw/savings.csv)" -eq 7 ] && ok || bad "savings.csv: $(cat dw/savings.csv)"
head -1 dw/pairs.csv | grep -qx "strategy,versus,p_cheaper,p_identical,p_costlier,mean_difference,mean_difference_se,mean_abs_difference,near_identical" \
    && [ "$(wc -l <dw/pairs.csv)" -eq $((6 * 5 + 1)) ] \
    && awk -F, 'NR > 1 { d = $3 + $4 + $5 - 1; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }' dw/pairs.csv \
    && ok || bad "pairs.csv: $(head -3 dw/pairs.csv)"
[ "$(wc -l <dw/savings_curve.csv)" -eq 102 ] && head -1 dw/savings_curve.csv | grep -qx "probability,rent,buy,rent-reserved,rent-then-buy,buy-when-large" \
    && ok || bad "savings_curve.csv"
"$BIN" plot "$TMP/dw" >/dev/null 2>&1 && is_png dw/plots/savings.png && is_svg dw/plots/savings.svg \
    && ok || bad "the savings chart"
"$BIN" run one.yaml -n 20 -o "$TMP/d2" -q && is_png d2/plots/savings.png && ok || bad "the savings chart of one strategy"
expect_error saves-more-bad 2 "--saves-more-than: expected an amount of money" -- run small.yaml --saves-more-than lots
expect_error saves-more-sweep 2 "--saves-more-than is not an option of sweep" -- sweep small.yaml --vary demand.growth_annual=0,1 --saves-more-than 5
# Value of information: small.yaml has no input whose EVPPI is above 1% of
# the EVPI (all 0): no list of inputs "worth measuring", no empty chart.
grep -q "No single input changes the decision" se.txt && ! grep -q "Worth measuring first" se.txt \
    && [ ! -e se-sobol/plots/voi.png ] && [ ! -e se-rank/plots/voi.png ] && ok || bad "EVPPI 0: $(tail -3 se.txt)"
"$BIN" sensitivity "$ROOT/scenarios/owned.yaml" -n 2000 -o "$TMP/dv" >dv.txt 2>dv.err \
    && grep -q "Worth measuring first:" dv.txt && is_png dv/plots/voi.png && ok || bad "owned.yaml's value of information: $(cat dv.err)"
# Provenance: every --set in order, the file's hash as sha256sum prints it,
# the date (SOURCE_DATE_EPOCH when set), in results.json, meta.csv, the
# table and the sweep's and sensitivity's meta.csv.
cd "$TMP" || exit 1
sum=$(sha256sum small.yaml | cut -c1-64)
SOURCE_DATE_EPOCH=1764028800 "$BIN" run small.yaml --no-plots -n 200 --threads 1 -o "$TMP/pv" \
    --set demand.requests_per_month=5e6 --set 'simulation.seed=7' >pv.txt 2>&1
grep -q '"sets": \["demand.requests_per_month=5e6", "simulation.seed=7"\], "threads": 1, "date": "2025-11-25T00:00:00Z"' pv/results.json \
    && grep -q "\"scenario_sha256\": \"$sum\"" pv/results.json \
    && grep -q '"command": "run", "scenario_file": "small.yaml"' pv/results.json \
    && ok || bad "results.json lacks the provenance: $(tail -3 pv/results.json)"
grep -qx 'set1,demand.requests_per_month=5e6' pv/meta.csv && grep -qx 'set2,simulation.seed=7' pv/meta.csv \
    && grep -qx "scenario_sha256,$sum" pv/meta.csv && grep -qx 'date,2025-11-25T00:00:00Z' pv/meta.csv \
    && ok || bad "meta.csv lacks the provenance: $(cat pv/meta.csv)"
short=$(echo "$sum" | cut -c1-8)
grep -qx "Provenance: small.yaml sha256 $short, --set demand.requests_per_month=5e6, --set simulation.seed=7, seed 7, 200 futures, random, 1 thread, tcosim [0-9.]*, 2025-11-25" pv.txt \
    && grep -q '^small test: .*discounted at 5% a year$' pv.txt \
    && ok || bad "the table's header lacks the provenance: $(head -4 pv.txt)"
"$BIN" sweep small.yaml --no-plots -n 100 -o "$TMP/pvs" --set demand.requests_per_month=5e6 \
    --vary demand.growth_annual=0:0.2:2 >pvs.txt 2>&1 \
    && grep -qx 'set1,demand.requests_per_month=5e6' pvs/meta.csv && grep -qx 'command,sweep' pvs/meta.csv \
    && grep -q "^Provenance: small.yaml sha256 $short, --set demand" pvs.txt \
    && ok || bad "a sweep's meta.csv lacks the provenance: $(cat pvs/meta.csv pvs.txt)"
"$BIN" sensitivity small.yaml --no-plots -n 100 -o "$TMP/pvn" --set demand.requests_per_month=5e6 >pvn.txt 2>&1 \
    && grep -qx 'set1,demand.requests_per_month=5e6' pvn/meta.csv && grep -qx 'command,sensitivity' pvn/meta.csv \
    && grep -q "^Provenance: small.yaml sha256 $short, --set demand" pvn.txt \
    && ok || bad "a sensitivity analysis's meta.csv lacks the provenance: $(cat pvn/meta.csv pvn.txt)"
SOURCE_DATE_EPOCH=soon "$BIN" run small.yaml --no-plots -n 100 -o "$TMP/pvx" >/dev/null 2>pvx.txt
[ $? -eq 2 ] && grep -q "SOURCE_DATE_EPOCH: expected seconds" pvx.txt && [ ! -e pvx ] \
    && ok || bad "a bad SOURCE_DATE_EPOCH is accepted: $(cat pvx.txt)"

# tcosim help CMD prints CMD's own help, as tcosim CMD --help does.
for c in run sweep sensitivity validate describe plot; do
    "$BIN" help $c >h1.txt 2>&1 && "$BIN" $c --help >h2.txt 2>&1 && cmp -s h1.txt h2.txt \
        && ! grep -q "^Commands:" h1.txt && ok || bad "tcosim help $c: $(head -2 h1.txt)"
done
expect_error help-unknown 2 "unknown command 'nope'" -- help nope
# The output and the strategy it is compared with must differ.
expect_error versus-same 2 "--strategy and --versus both name 'open'" -- sensitivity small.yaml \
    --strategy open --versus open -o out
# Implausible values: a warning naming the place, the run goes on.
sed 's/discount_rate_annual: 0.05/discount_rate_annual: 10/' small.yaml >w10.yaml
"$BIN" validate w10.yaml >w10.out 2>w10.err && grep -qx "tcosim: warning: w10.yaml:2:73: scenario.discount_rate_annual: a yearly rate of 10 is 1000%; if 10% was meant, write 0.1" w10.err \
    && ok || bad "no warning for discount_rate_annual: 10: $(cat w10.err)"
"$BIN" run small.yaml -q --no-plots -n 50 -o "$TMP/w11" --set 'demand.growth_annual={ dist: normal, mean: 30, sd: 5 }' 2>w11.err \
    && grep -q "warning: --set #1:1:1: demand.growth_annual: a yearly change of 30 (median) is 3000%" w11.err \
    && [ -s w11/results.json ] && ok || bad "no warning for a growth of 30: $(cat w11.err)"
"$BIN" validate small.yaml >/dev/null 2>w12.err && [ ! -s w12.err ] && ok || bad "a warning on a plausible scenario: $(cat w12.err)"

# The man page documents every option of every command's --help.
sed 's/\\-/-/g' "$ROOT/man/tcosim.1" >man.txt
for c in "" run sweep sensitivity validate describe plot; do
    # shellcheck disable=SC2086
    "$BIN" $c --help 2>/dev/null | grep -oE -- '(^|[ ,/])--?[a-zA-Z][a-z-]*' | sed 's/^[ ,/]//' | sort -u >opts.txt
    [ -s opts.txt ] || bad "no options found in tcosim $c --help"
    while read -r o; do
        grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|\$)" man.txt && ok || bad "man page lacks $o (tcosim $c --help)"
    done <opts.txt
done

# Monthly costs not stored (TCOSIM_MONTHLY_BYTES below their size) are
# recomputed for the bands: every file is the same, byte for byte, on 1 and
# 2 threads, with events (small.yaml) and reviews (baseline, regulated).
for s in small.yaml "$ROOT/scenarios/baseline.yaml" "$ROOT/scenarios/regulated.yaml"; do
    for th in 1 2; do
        rm -rf "$TMP/mst" "$TMP/mrc"
        smp=--samples # samples.csv keeps the per-future months; without, they are counted
        [ $th = 2 ] && smp=--quiet
        SOURCE_DATE_EPOCH=1764028800 "$BIN" run "$s" -q --no-plots $smp -n 300 --threads $th \
            -o "$TMP/mst" >/dev/null 2>mst.err &&
            SOURCE_DATE_EPOCH=1764028800 TCOSIM_MONTHLY_BYTES=1 "$BIN" run "$s" -q --no-plots $smp \
                -n 300 --threads $th -o "$TMP/mrc" >/dev/null 2>mrc.err &&
            [ -s "$TMP/mrc/cumulative.csv" ] && [ -s "$TMP/mrc/fan.csv" ] && [ -s "$TMP/mrc/monthly.csv" ] &&
            diff -r "$TMP/mst" "$TMP/mrc" >mdiff.txt && ok ||
            bad "recomputed monthly costs differ from stored ones ($s, $th threads): $(head -c 300 mdiff.txt) $(cat mst.err mrc.err)"
    done
done

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
