#!/bin/sh
# results.xlsx opened and read back (tests/xlsx/read.py: zipfile and the XML,
# no spreadsheet program): its sheets, headers with units, cells against
# summary.csv, results.json and monthly.csv, number formats, frozen header
# rows and charts; a strategy named like a formula ("+cmd <&>": scenarios
# refuse '=', and '+' starts a formula in Excel too) stays a string cell; the
# workbooks of a sweep and of a sensitivity analysis.
# Usage: tests/xlsx/check.sh ./tcosim
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v python3 >/dev/null 2>&1 || { echo "xlsx: python3 is missing (make deps); skipped" >&2; exit 0; }
# The small scenario of the CLI tests, its third strategy renamed.
sed 's/^  hybrid:/  "+cmd <\&>":/' "$HERE/../cli/cases/small.yaml" >"$TMP/eq.yaml"
cd "$TMP" || exit 1
fail=0
run() { "$@" >"$TMP/log" 2>&1 || { echo "FAIL: xlsx: $* failed: $(head -c 600 "$TMP/log")" >&2; fail=1; }; }
run "$BIN" run eq.yaml -q --no-plots -n 400 --samples --saves-more-than 25000 -o "$TMP/r"
run "$BIN" sweep eq.yaml --vary demand.requests_per_month=1e6:4e6:3:log -n 200 -q --no-plots -o "$TMP/sw"
run "$BIN" sweep eq.yaml --vary demand.growth_annual=0,0.5 --vary scenario.discount_rate_annual=0,0.1 -n 100 \
    -q --no-plots -o "$TMP/sw2"
run "$BIN" sensitivity eq.yaml --method tornado -n 200 -q --no-plots -o "$TMP/se"
run "$BIN" compare "$HERE/../cli/cases/cases2.yaml" -q --no-plots -o "$TMP/cmp"
run "$BIN" describe eq.yaml
cp "$TMP/log" "$TMP/describe.txt"
[ $fail = 0 ] || exit 1
# A workbook that cannot be written (here: the file size limit, reached by
# results.xlsx but not by the smaller files before it) fails the run with
# the file's name; the previous folder stays as it was.
cp r/results.json before.json
(trap '' XFSZ; ulimit -f 30 && exec "$BIN" run eq.yaml -q --no-plots -n 400 --seed 9 -o "$TMP/r") \
    >"$TMP/log" 2>&1
got=$?
if [ $got -ne 1 ] || ! grep -q "results.xlsx: cannot write: .*(File too large)" "$TMP/log" ||
    ! cmp -s before.json r/results.json; then
    echo "FAIL: xlsx: an unwritable workbook: exit $got, $(head -c 600 "$TMP/log")" >&2
    exit 1
fi
PYTHONPATH="$HERE" python3 - "$TMP" <<'EOF'
import csv, json, math, sys
from read import Book

tmp = sys.argv[1]
fails = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        fails.append(what)


def close(a, b, what):
    check(isinstance(a, float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9),
          "%s: %r in the workbook, %r expected" % (what, a, b))


b = Book(tmp + "/r/results.xlsx")
check(b.order[:2] == ["summary", "savings"] and
      set(["monthly", "categories", "quantiles", "inputs", "about"]) <= set(b.order),
      "run sheets: %s" % b.order)
s = b.sheets["summary"]
head = s.row(0)
for h in ["strategy", "mean NPV (EUR)", "P95 NPV (EUR)", "P(cheapest)", "cost per million tokens (EUR)"]:
    check(h in head, "summary header %r missing: %s" % (h, head))
rows = list(csv.DictReader(open(tmp + "/r/summary.csv")))
js = json.load(open(tmp + "/r/results.json"))
names = [st["name"] for st in js["strategies"]]
check(names == ["api", "open", "+cmd <&>"], "strategies of results.json: %s" % names)
check([s.cells.get((i + 1, 0)) for i in range(3)] == names, "summary names: %s" % s.row(1))
mean, p95, pc = head.index("mean NPV (EUR)"), head.index("P95 NPV (EUR)"), head.index("P(cheapest)")
for i, st in enumerate(js["strategies"]):
    close(s.cells.get((i + 1, mean)), st["npv"]["mean"], "mean NPV of %s" % st["name"])
    close(s.cells.get((i + 1, p95)), st["npv"]["p95"], "P95 of %s" % st["name"])
    close(s.cells.get((i + 1, pc)), st["p_cheapest"], "P(cheapest) of %s" % st["name"])
    check(abs(s.cells.get((i + 1, mean)) - float(rows[i]["mean"])) <= 1e-9 * abs(float(rows[i]["mean"])),
          "summary.csv mean of %s" % st["name"])
check(s.formats[(1, mean)] == "#,##0", "money format: %r" % s.formats[(1, mean)])
check(s.formats[(1, pc)] == "0.0%", "probability format: %r" % s.formats[(1, pc)])
# A name that looks like a formula is a string cell, and no cell anywhere
# holds a formula.
check(s.cells.get((3, 0)) == "+cmd <&>", "+cmd is not a string cell: %r" % s.cells.get((3, 0)))
check(all(not sh.formulas for sh in b.sheets.values()), "formulas in the workbook")
for name in b.order:
    check(b.sheets[name].frozen is not None and b.sheets[name].frozen[0] == 1,
          "%s: header row not frozen (%s)" % (name, b.sheets[name].frozen))
check(s.frozen == (1, 1), "summary: frozen %s, not (1, 1)" % (s.frozen,))
# Pairwise (once the paired statistics are computed): P(a cheaper than b)
# and P(b cheaper than a) add up to at most 1 (ties count for neither).
if "pairwise" in b.sheets:
    pw = b.sheets["pairwise"]
    check(pw.row(0) == ["P(row cheaper than column)"] + names, "pairwise header: %s" % pw.row(0))
    for x in range(3):
        for y in range(3):
            pxy, pyx = pw.cells.get((x + 1, y + 1)), pw.cells.get((y + 1, x + 1))
            check(isinstance(pxy, float) and 0 <= pxy and pxy + pyx <= 1 + 1e-12,
                  "pairwise %d %d: %r %r" % (x, y, pxy, pyx))
# Monthly: month 12 of "open" against monthly.csv and results.json.
m = b.sheets["monthly"]
check(m.row(0) == ["strategy", "month", "mean cost (EUR)", "P5 cost (EUR)", "P25 cost (EUR)",
                   "P50 cost (EUR)", "P75 cost (EUR)", "P95 cost (EUR)"], "monthly header: %s" % m.row(0))
check(m.nrows() == 1 + 3 * 12, "monthly rows: %d" % m.nrows())
row = m.row(1 + 12 + 11)
check(row[0] == "open" and row[1] == 12.0, "monthly row: %s" % row)
close(row[2], js["strategies"][1]["monthly"]["mean"][11], "monthly mean of open, month 12")
close(row[7], js["strategies"][1]["monthly"]["p95"][11], "monthly P95 of open, month 12")
mc = [r for r in csv.DictReader(open(tmp + "/r/monthly.csv")) if r["strategy"] == "open" and r["month"] == "12"]
check(len(mc) == 1 and abs(row[5] - float(mc[0]["p50"])) <= 1e-9 * abs(row[5]), "monthly.csv P50")
# Categories: the total column is the mean NPV.
c = b.sheets["categories"]
check(c.row(0)[0] == "strategy" and c.row(0)[-1] == "total (EUR)", "categories header: %s" % c.row(0))
close(c.row(2)[-1], js["strategies"][1]["npv"]["mean"], "categories total of open")
# Savings: the columns are there (their values come with the paired
# statistics); the baseline saves nothing against itself.
v = b.sheets["savings"]
check(v.row(0)[:2] == ["strategy", "mean savings vs baseline (EUR)"] and "P(saves)" in v.row(0),
      "savings header: %s" % v.row(0))
check(v.cells.get((1, 1)) == 0.0, "the baseline's savings: %r" % v.cells.get((1, 1)))
# P(saves more than 25k EUR) of "+cmd <&>", counted in samples.csv.
vh = v.row(0)
check("P(saves more than 25k EUR)" in vh, "savings threshold heading: %s" % vh)
if "P(saves more than 25k EUR)" in vh:
    smp0 = list(csv.DictReader(open(tmp + "/r/samples.csv")))
    more = sum(float(r["npv.api"]) - float(r["npv.+cmd <&>"]) > 25000 for r in smp0) / len(smp0)
    close(v.cells.get((3, vh.index("P(saves more than 25k EUR)"))), more, "P(saves more than 25,000)")
    check(v.formats[(3, vh.index("P(saves)"))] == "0.0%", "P(saves) format")
# Quantiles: the S-curve's data, ascending, median equal to P50.
q = b.sheets["quantiles"]
check(q.row(0) == ["cumulative probability", "api NPV (EUR)", "open NPV (EUR)", "+cmd <&> NPV (EUR)"],
      "quantiles header: %s" % q.row(0))
col = [q.cells[(r, 2)] for r in range(1, q.nrows())]
check(col == sorted(col) and len(col) == 199, "quantiles of open not ascending")
close(q.cells.get((100, 0)), 0.5, "probability of row 100")
close(q.cells.get((100, 2)), js["strategies"][1]["npv"]["p50"], "median of open")
# Quantiles recomputed from samples.csv (type 7: linear between order
# statistics): the NPV of open, and the savings of "+cmd <&>" against api.
smp = list(csv.DictReader(open(tmp + "/r/samples.csv")))


def type7(x, p):
    x = sorted(x)
    h = (len(x) - 1) * p
    lo = math.floor(h)
    return x[lo] + (h - lo) * (x[min(lo + 1, len(x) - 1)] - x[lo])


def near(a, e, what):
    check(isinstance(a, float) and abs(a - e) <= 1e-3 + 1e-8 * abs(e), "%s: %r, samples.csv %r" % (what, a, e))


npv = {n: [float(r["npv." + n]) for r in smp] for n in names}
for row in (1, 50, 100, 180):
    near(q.cells.get((row, 2)), type7(npv["open"], row / 200), "quantile %d of open" % row)
sq = b.sheets["savings quantiles"]
check(sq.row(0) == ["cumulative probability", "open savings (EUR)", "+cmd <&> savings (EUR)"],
      "savings quantiles header: %s" % sq.row(0))
sav = [a - c for a, c in zip(npv["api"], npv["+cmd <&>"])]
for row in (1, 50, 100, 180):
    near(sq.cells.get((row, 2)), type7(sav, row / 200), "savings quantile %d of +cmd <&>" % row)
scurves = [b.series(n) for (n, k, _) in b.charts() if k == ["scatterChart"]]
check(any(x[0] == ("'savings quantiles'!$B$1", "'savings quantiles'!$B$2:$B$200",
                   "'savings quantiles'!$A$2:$A$200") for x in scurves), "savings S-curve: %s" % scurves)
check(v.has_drawing, "no chart on the savings sheet")
# Inputs: one row per input of describe's table, in its order; the
# lognormal requests_per_month (P10 1e6, P90 4e6) by hand: the median is
# the geometric mean of symmetric percentiles, sqrt(1e6 * 4e6) = 2e6; sigma
# = ln 4 / (2 * 1.2815515655446004) = 0.54086; P95 = 2e6 * exp(1.6448536269514722
# * sigma) = 4.8710e6.
i = b.sheets["inputs"]
check(i.row(0)[:5] == ["input", "distribution", "P5", "P50", "P95"], "inputs header: %s" % i.row(0))
desc = [l.split()[0] for l in open(tmp + "/describe.txt")
        if l.startswith(("demand.", "workloads.", "backends.", "events.", "scenario.", "strategies."))]
paths = [i.cells.get((r, 0)) for r in range(1, i.nrows())]
check(paths == desc, "inputs rows differ from describe: %s" % paths[:5])
r = paths.index("demand.requests_per_month") + 1
sigma = math.log(4) / (2 * 1.2815515655446004)
close(i.cells[(r, 3)], 2e6, "P50 of requests_per_month")
check(abs(i.cells[(r, 4)] - 2e6 * math.exp(1.6448536269514722 * sigma)) <= 1e-6 * 4.9e6,
      "P95 of requests_per_month: %r" % i.cells[(r, 4)])
check(i.cells[(r, 1)].startswith("lognormal(P5 "), "lognormal described: %r" % i.cells[(r, 1)])
# About: the run.
a = b.sheets["about"]
about = {a.cells.get((r, 0)): a.cells.get((r, 1)) for r in range(1, a.nrows())}
check(about.get("scenario") == "small test" and about.get("futures") == 400.0 and
      about.get("currency") == "EUR", "about: %s" % about)
check("<dc:title>tcosim results: small test</dc:title>" in b.zip.read("docProps/core.xml").decode(),
      "document title")
# Charts: the S-curve (a scatter chart, a series per strategy) and a fan
# chart per strategy (P5, P50, P95).
charts = b.charts()
check("xl/charts/chart1.xml" in b.files, "no xl/charts/chart1.xml")
check(any(k == ["scatterChart"] and n == 3 for (_, k, n) in charts), "no S-curve: %s" % charts)
check(sum(1 for (_, k, n) in charts if k == ["lineChart"] and n == 3) == 3, "fan charts: %s" % charts)
check(any(k == ["barChart"] and n == len(c.row(0)) - 2 for (_, k, n) in charts), "no categories chart: %s" % charts)
check(s.has_drawing and m.has_drawing and c.has_drawing, "charts not placed on their sheets")
# The charts draw the right cells: the S-curve each strategy's quantiles
# against the probabilities, the fan chart of "open" (rows 14 to 25 of the
# monthly sheet) its P5, P50 and P95 columns against the months.
check(any(b.series(n) == [("quantiles!$%s$1" % col, "quantiles!$%s$2:$%s$200" % (col, col),
                            "quantiles!$A$2:$A$200") for col in "BCD"]
          for (n, k, _) in charts if k == ["scatterChart"]), "no S-curve of the quantiles sheet")
fans = [b.series(n) for (n, k, _) in charts if k == ["lineChart"]]
check(fans[1] == [("monthly!$%s$1" % col, "monthly!$B$14:$B$25", "monthly!$%s$14:$%s$25" % (col, col))
                  for col in "DFH"], "fan chart of open: %s" % fans[1])

# A sweep: its table as sweep.csv, the mean chart, crossovers.
w = Book(tmp + "/sw/results.xlsx")
check(w.order == ["sweep", "sweep means", "crossovers", "inputs", "about"], "sweep sheets: %s" % w.order)
wa = w.sheets["about"]
wabout = {wa.cells.get((r, 0)): wa.cells.get((r, 1)) for r in range(1, wa.nrows())}
check(wabout.get("swept input") == "demand.requests_per_month" and wabout.get("futures") == 200.0,
      "sweep about: %s" % wabout)
sw = w.sheets["sweep"]
check(sw.row(0) == ["demand.requests_per_month", "strategy", "mean NPV (EUR)", "P5 NPV (EUR)",
                    "P50 NPV (EUR)", "P95 NPV (EUR)", "P(cheapest)", "P(cheaper than baseline)"],
      "sweep header: %s" % sw.row(0))
sc = list(csv.reader(open(tmp + "/sw/sweep.csv")))
check(sw.nrows() == len(sc), "sweep rows: %d, sweep.csv %d" % (sw.nrows(), len(sc)))
for r in (1, len(sc) - 1):
    check(sw.cells.get((r, 1)) == sc[r][1].lstrip("'") and abs(sw.cells[(r, 2)] - float(sc[r][2])) <=
          1e-9 * abs(float(sc[r][2])), "sweep row %d: %s vs %s" % (r, sw.row(r), sc[r]))
check(sw.cells.get((3, 1)) == "+cmd <&>", "+cmd in the sweep sheet: %r" % sw.cells.get((3, 1)))
check(any(k == ["scatterChart"] for (_, k, n) in w.charts()), "no sweep chart")
cr = list(csv.reader(open(tmp + "/sw/crossovers.csv")))
check(w.sheets["crossovers"].nrows() == len(cr), "crossovers rows")
w2 = Book(tmp + "/sw2/results.xlsx")
check(w2.order == ["sweep", "crossovers", "inputs", "about"] and
      w2.sheets["sweep"].row(0)[:3] == ["demand.growth_annual", "scenario.discount_rate_annual", "strategy"],
      "2-D sweep: %s %s" % (w2.order, w2.sheets["sweep"].row(0)))

# A sensitivity analysis: one row per input, as sensitivity.csv.
e = Book(tmp + "/se/results.xlsx")
check(e.order == ["sensitivity", "value of information", "inputs", "about"],
      "sensitivity sheets: %s" % e.order)
se = e.sheets["sensitivity"]
check(se.row(0) == ["input", "swing of the mean (EUR)", "mean with the input at its P10 (EUR)",
                    "mean with the input at its P90 (EUR)"], "sensitivity header: %s" % se.row(0))
sc = [r for r in csv.reader(open(tmp + "/se/sensitivity.csv")) if r[0] == "tornado"]
check(se.nrows() == len(sc) + 1 and se.cells.get((1, 0)) == sc[0][1] and
      abs(se.cells[(1, 1)] - float(sc[0][2])) <= 1e-9 * abs(float(sc[0][2])),
      "sensitivity rows: %s vs %s" % (se.row(1), sc[:1]))
check(se.has_drawing and any(k == ["barChart"] for (_, k, n) in e.charts()), "no sensitivity chart")
evpi = [r for r in csv.reader(open(tmp + "/se/sensitivity.csv")) if r[0] == "evpi"][0]
vi = e.sheets["value of information"]
check(vi.cells.get((3, 0)) == "(all inputs: EVPI)" and
      abs(vi.cells.get((3, 1), 0.0) - float(evpi[2])) <= 1e-9 * max(1.0, abs(float(evpi[2]))),
      "EVPI: %s vs %s" % (vi.row(3), evpi))

# A comparison of named cases: tests/cli/cases/cases2.yaml, by hand (12
# months, nothing uncertain): first costs 12 x 10000 x (1000 x 2 + 100 x 10)
# / 1e6 = 360, second 12 x 10000 x (1000 x 1 + 100 x 30) / 1e6 = 480; busier
# doubles both; cheap-b makes second 12 x 10000 x (1000 + 100 x 5) / 1e6 = 180.
k = Book(tmp + "/cmp/results.xlsx")
check(k.order == ["compare", "compare quantiles", "cases", "inputs", "about"], "compare sheets: %s" % k.order)
ks = k.sheets["compare"]
check(ks.row(0)[:3] == ["case", "strategy", "mean NPV (USD)"] and ks.frozen == (1, 2),
      "compare header: %s %s" % (ks.row(0), ks.frozen))
want = [("base", "first", 360), ("base", "second", 480), ("busier", "first", 720),
        ("busier", "second", 960), ("cheap-b", "first", 360), ("cheap-b", "second", 180)]
check([tuple(ks.row(r)[:3]) for r in range(1, 7)] == [(a, s2, float(m)) for (a, s2, m) in want],
      "compare rows: %s" % [ks.row(r)[:3] for r in range(1, 7)])
vs = ks.row(0).index("mean NPV minus the base case's (USD)")
check(ks.cells.get((6, vs)) == -300.0, "cheap-b second minus base: %r" % ks.cells.get((6, vs)))
kq = k.sheets["compare quantiles"]
check(kq.row(0)[1:3] == ["first (base) NPV (USD)", "second (base) NPV (USD)"] and kq.cells.get((100, 6)) == 180.0,
      "compare quantiles: %s" % kq.row(100))
kc = k.charts()
check(len(kc) == 1 and kc[0][1] == ["scatterChart"] and kc[0][2] == 6 and ks.has_drawing,
      "compare chart: %s" % kc)

for f in fails:
    print("FAIL: xlsx: " + f, file=sys.stderr)
print("xlsx: %d passed, %d failed" % (passed, len(fails)))
sys.exit(1 if fails else 0)
EOF
