# Where the money goes: mean NPV by cost category, stacked per strategy.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('categories.csv')
# The columns: strategy, one per category, total.
stats f using (1) every ::1::1 nooutput
NC = STATS_columns - 2
# The axis holds every stack: positive parts up, negative parts down.
stats f skip 1 using (sum [c = 2:NC + 1] (column(c) > 0 ? column(c) : 0)) nooutput
hi = STATS_max
S = STATS_records
stats f skip 1 using (sum [c = 2:NC + 1] (column(c) < 0 ? column(c) : 0)) nooutput
lo = STATS_min
hi = hi > lo ? hi : lo + 1
# Names under the bars, wrapped to the room each bar has.
W = int(100 / S) > 12 ? int(100 / S) : 12
if (S > 8) { set xtics font ',9' }
stats f skip 1 using (nlines(wrap(name(1), W))) nooutput
set bmargin 3 + STATS_max
top = hi + 0.04 * (hi - lo)
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border lc rgb '#ffffff'
set boxwidth 0.6
set xrange [-0.6 : S - 0.4]
set yrange [lo : top]
eval tics('y', lo, top, 0)
set xtics nomirror norotate
set ylabel 'mean NPV, '.ARG7
set title ARG5.': where the money goes (mean NPV by cost category)' font ',14'
set key outside right top
set format x '%g'
# Categories carry their own colours, not the strategies' (Paul Tol's
# colour-blind-safe "muted" scheme, then a pale grey).
array CAT[10] = [0x332288, 0x88CCEE, 0x44AA99, 0x117733, 0x999933, 0xDDCC77, 0xCC6677, 0x882255, 0xAA4499, 0xDDDDDD]
# The first line names the columns (a title through a function does not
# tell gnuplot so: the names were once drawn as an empty first stack).
set datafile columnheaders
plot for [c = 2:NC + 1] f using c:xtic(wrap(name(1), W)) lc rgb CAT[(c - 2) % |CAT| + 1] title unquote(columnhead(c))
# reset leaves the datafile settings: the next template (in report.gp) reads
# the first line itself.
set datafile nocolumnheaders
