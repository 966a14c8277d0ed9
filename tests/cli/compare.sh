#!/bin/sh
# End-to-end tests of named cases (cases:, --case) and tcosim compare:
# numbers worked out by hand, the base case equal to a plain run, errors
# placed at the offending override.
# Usage: tests/cli/compare.sh ./tcosim
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: compare: $*" >&2; }

# expect_error NAME STATUS NEEDLE -- ARGS...: as in run.sh.
expect_error() {
    name=$1 status=$2 needle=$3
    shift 4
    rm -rf "$TMP/out"
    (cd "$TMP" && "$BIN" "$@" -o "$TMP/out" >"$TMP/stdout" 2>"$TMP/stderr")
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

cp "$HERE"/cases/cases2.yaml "$HERE"/cases/casebad.yaml "$HERE"/cases/casepath.yaml "$TMP"/
cd "$TMP" || exit 1

# cases2.yaml by hand: a request is 1000 input and 100 output tokens, 10000
# requests a month for 12 months, nothing uncertain, no discounting.
#   a: 1000 x 2/1e6 + 100 x 10/1e6 = 0.003 a request; x 120000 = 360
#   b: 1000 x 1/1e6 + 100 x 30/1e6 = 0.004 a request; x 120000 = 480
#   busier (20000 a month): 720 and 960, +360 and +480 against the base
#   cheap-b (b's output at 5): 0.001 + 0.0005 = 0.0015; x 120000 = 180, -300
# Columns: case,strategy,mean,p5,p50,p90,p95,cvar95,p_cheapest,mean_vs_base.
if "$BIN" compare cases2.yaml -q --no-plots -o c2; then
    cut -d, -f1-10 c2/compare.csv >got.csv
    cat >want.csv <<'EOF'
case,strategy,mean,p5,p50,p90,p95,cvar95,p_cheapest,mean_vs_base
base,first,360,360,360,360,360,360,1,0
base,second,480,480,480,480,480,480,0,0
busier,first,720,720,720,720,720,720,1,360
busier,second,960,960,960,960,960,960,0,480
cheap-b,first,360,360,360,360,360,360,0,0
cheap-b,second,180,180,180,180,180,180,1,-300
EOF
    cmp -s got.csv want.csv && ok || bad "hand-computed cases: $(diff want.csv got.csv | head -5)"
    # Savings against first (the baseline), once the library computes them:
    # base 360 - 480 = -120, busier 720 - 960 = -240, cheap-b 360 - 180 =
    # 180 in every future (P(saves) 1); columns savings_mean, ci_low,
    # ci_high, p5, p50, p95, p_saves.
    if [ -n "$(grep '^base,second,' c2/compare.csv | cut -d, -f11)" ]; then
        [ "$(grep '^base,second,' c2/compare.csv | cut -d, -f11-17)" = "-120,-120,-120,-120,-120,-120,0" ] &&
            [ "$(grep '^busier,second,' c2/compare.csv | cut -d, -f11-17)" = "-240,-240,-240,-240,-240,-240,0" ] &&
            [ "$(grep '^cheap-b,second,' c2/compare.csv | cut -d, -f11-17)" = "180,180,180,180,180,180,1" ] &&
            ok || bad "savings: $(cut -d, -f1,2,11- c2/compare.csv)"
    fi
    # The folder is one unit with its meta.csv (a second compare replaces it).
    [ -s c2/compare.json ] && [ -s c2/compare_scurve.csv ] && [ -s c2/meta.csv ] && ok ||
        bad "compare folder incomplete: $(ls c2)"
    # The chart's data: p, then each case's strategies; 201 points; every
    # point of a curve is the one cost here.
    [ "$(head -1 c2/compare_scurve.csv)" = "p,first (base),second (base),first (busier),second (busier),first (cheap-b),second (cheap-b)" ] &&
        [ "$(wc -l <c2/compare_scurve.csv)" -eq 202 ] &&
        [ "$(sed -n 2p c2/compare_scurve.csv)" = "0,360,480,720,960,360,180" ] &&
        [ "$(tail -1 c2/compare_scurve.csv)" = "1,360,480,720,960,360,180" ] && ok ||
        bad "compare_scurve.csv: $(head -2 c2/compare_scurve.csv)"
    grep -q '"name": "cheap-b", "description": ""' c2/compare.json &&
        grep -q '"backends.b.output_price_per_mtok": "5"' c2/compare.json && ok ||
        bad "compare.json lacks the case and its override"
else
    bad "compare cases2.yaml failed"
fi

# --cases picks cases, in the order given; the base always comes first.
"$BIN" compare cases2.yaml -q --no-plots --cases cheap-b -o c3 &&
    [ "$(cut -d, -f1 c3/compare.csv | uniq | tr '\n' ' ')" = "case base cheap-b " ] && ok ||
    bad "--cases cheap-b"

# The folder is replaced whole: a second compare into c2 leaves no row of
# the first.
"$BIN" compare cases2.yaml -q --no-plots --cases busier -o c2 && ! grep -q "^cheap-b," c2/compare.csv &&
    grep -q "^busier," c2/compare.csv && ok || bad "a second compare into the same folder"

# run --case gives the case's numbers and records its name.
"$BIN" run cases2.yaml --case busier -q --no-plots -o r2 &&
    grep -q '"case": "busier"' r2/results.json &&
    [ "$(sed -n 2p r2/summary.csv | cut -d, -f1-2)" = "first,720" ] && ok || bad "run --case busier"
"$BIN" run cases2.yaml -q --no-plots -o r1 && ! grep -q '"case"' r1/results.json &&
    [ "$(sed -n 2p r1/summary.csv | cut -d, -f1-2)" = "first,360" ] && ok ||
    bad "a plain run ignores the cases"

# A sweep applies the case at every point: where the swept value is an
# input (requests: cheap-b's second at 20000 a month costs 20000 x 12 x
# 0.0015 = 360, the base's 960) and where the file is reloaded at each
# point (the horizon: 6 months of cheap-b's second cost 10000 x 6 x 0.0015
# = 90, the base's 240).
"$BIN" sweep cases2.yaml --case cheap-b --vary demand.requests_per_month=1e4:2e4:2 -q --no-plots -o sw &&
    grep -q "^20000,second,360," sw/sweep.csv && ok || bad "sweep --case: $(cat sw/sweep.csv 2>&1 | head -5)"
"$BIN" sweep cases2.yaml --case cheap-b --vary scenario.horizon_months=6,12 -q --no-plots -o sw2 &&
    grep -q "^6,second,90," sw2/sweep.csv && ok || bad "sweep --case, reloaded: $(cat sw2/sweep.csv 2>&1 | head -5)"

# Common random numbers: compare's base rows equal a plain run's summary
# (same seed and futures), and each case's rows equal run --case, number
# for number.  summary.csv: mean 2, p5 5, p50 8, p90 10, p95 11, cvar95 12,
# p_cheapest 17.
pick_run() { cut -d, -f1,2,5,8,10,11,12,17 "$1" | tail -n +2; }
pick_cmp() { grep "^$2," "$1" | cut -d, -f2-9; }
B="$ROOT/scenarios/baseline.yaml"
if "$BIN" compare "$B" -n 300 --seed 9 -q --no-plots -o cb &&
    "$BIN" run "$B" -n 300 --seed 9 -q --no-plots -o rb &&
    "$BIN" run "$B" -n 300 --seed 9 --case vendor-hike -q --no-plots -o rv; then
    pick_run rb/summary.csv >run.txt
    pick_cmp cb/compare.csv base >cmp.txt
    [ -s run.txt ] && cmp -s run.txt cmp.txt && ok || bad "base case differs from a plain run: $(diff run.txt cmp.txt | head -4)"
    pick_run rv/summary.csv >run.txt
    pick_cmp cb/compare.csv vendor-hike >cmp.txt
    [ -s run.txt ] && cmp -s run.txt cmp.txt && ok || bad "vendor-hike differs from run --case: $(diff run.txt cmp.txt | head -4)"
    # A case changes some number (the frontier tier costs more).
    ! cmp -s rb/summary.csv rv/summary.csv && ok || bad "vendor-hike changed nothing"
else
    bad "compare/run of baseline.yaml failed"
fi

# Errors name the override's file:line:col and its key.
expect_error unknown-case 2 "cases2.yaml:13:1: --case busire: no such case; did you mean busier? (the cases: busier, cheap-b)" -- run cases2.yaml --case busire
expect_error unknown-case-compare 2 "cases2.yaml:13:1: --case nope: no such case" -- compare cases2.yaml --cases busier,nope
cp "$HERE"/cases/small.yaml .
expect_error no-cases 2 "small.yaml: no cases to compare: add a cases: block" -- compare small.yaml
expect_error case-in-compare 2 "--case (compare takes --cases a,b,c) is not an option of compare" -- compare cases2.yaml --case busier
expect_error cases-in-run 2 "--cases is not an option of run" -- run cases2.yaml --cases busier
expect_error bad-path 2 "casepath.yaml:11:12: cases.broken.set.demand..requests_per_month: expected a dotted path" -- run casepath.yaml
expect_error missing-key 2 "casebad.yaml:13:7: demand.request_per_month: unknown key 'request_per_month'; did you mean requests_per_month? (case typo)" -- run casebad.yaml --case typo
expect_error missing-parent 2 "casebad.yaml:16:7: cases.no-backend.set.backends.api.input_price_per_mtok: the scenario has no backends.api" -- run casebad.yaml --case no-backend
expect_error through-scalar 2 "casebad.yaml:19:7: cases.scalar.set.demand.requests_per_month.p10: demand.requests_per_month is inside a scalar" -- run casebad.yaml --case scalar
expect_error bad-value 2 "casebad.yaml:22:40: backends.a.input_price_per_mtok: must be >= 0" -- run casebad.yaml --case negative
expect_error compare-bad-case 2 "(case typo)" -- compare casebad.yaml
# validate loads every case; a plain run of the same file does not.
"$BIN" validate casebad.yaml >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -qF "casebad.yaml:13:7" err.txt && ok || bad "validate loads every case: $(cat err.txt)"
"$BIN" run casebad.yaml -q --no-plots -o rbad && ok || bad "a plain run should ignore the cases"

# The chart and the board pack (when gnuplot is here).
if command -v gnuplot >/dev/null 2>&1; then
    if "$BIN" compare cases2.yaml -q -o cp; then
        [ -s cp/plots/compare.png ] && [ -s cp/plots/compare.svg ] && ok || bad "compare.png missing"
        head -c 5 cp/report.pdf | grep -q '%PDF-' && ok || bad "report.pdf missing"
        if command -v pdftotext >/dev/null 2>&1; then
            # Page 1: the question, each case's recommendation, the means
            # worked out by hand (first 360/720/360, second 480/960/180).
            pdftotext -layout -f 1 -l 1 cp/report.pdf pdf.txt
            grep -q "How do the cases change the answer?" pdf.txt &&
                grep -q "base: first; busier: first; cheap-b: second" pdf.txt &&
                grep -q "^ *first  *360  *720  *360$" pdf.txt &&
                grep -q "^ *second  *480  *960  *180$" pdf.txt &&
                grep -q "busier: twice the requests" pdf.txt && ok ||
                bad "report.pdf's first page lacks the table: $(head -20 pdf.txt)"
        else
            echo "compare: pdftotext is not installed (apt-get install poppler-utils): report.pdf's first page not read"
        fi
        rm -f cp/plots/compare.png
        "$BIN" plot cp 2>/dev/null && [ -s cp/plots/compare.png ] && ok || bad "tcosim plot on a compare folder"
    else
        bad "compare with charts failed"
    fi
fi

echo "compare: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
