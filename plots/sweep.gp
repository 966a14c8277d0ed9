# One-input sweep: each strategy's median NPV against the swept value, with
# its P5-P95 band when there are at most four strategies (more bands merge
# into one; sweep.csv has them); crossovers marked (solid: the cheapest by
# mean changes; dashed: P(cheaper than the baseline) crosses 50%).  ARG8:
# the input's path, followed by ' log' for a log sweep.  Prints the axis
# ranges it drew ("ranges x LO HI y LO HI bands 0|1") on its standard
# error, for the tests.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sweep_chart.csv')
c = data('crossovers.csv')
# Every range is taken before any is set: stats skips the points outside
# the ranges already set (a y range set first once dropped the x values
# above it, and every point of a sweep of a rate).
stats f skip 1 using 1 nooutput
xlo = STATS_min
xhi = STATS_max
N = (STATS_columns - 1) / 3
# The baseline: the first strategy's column heading.
stats f every ::0::0 using (BASE = name(2), 0) nooutput
bands = N <= 4
lo = 1e300
hi = -1e300
do for [i = 0:N-1] {
    stats f skip 1 using (column(bands ? 3 + 3 * i : 2 + 3 * i)) nooutput
    lo = STATS_min < lo ? STATS_min : lo
    stats f skip 1 using (column(bands ? 4 + 3 * i : 2 + 3 * i)) nooutput
    hi = STATS_max > hi ? STATS_max : hi
}
hi = hi > lo ? hi : lo + (abs(lo) > 0 ? abs(lo) * 0.05 : 1)
xhi = xhi > xlo ? xhi : xlo * 1.05 + (xlo == 0)
logx = strstrt(ARG8, ' log') > 0
label = logx ? ARG8[1:strstrt(ARG8, ' log') - 1] : ARG8
top = hi + 0.05 * (hi - lo)
lo = lo - 0.03 * (hi - lo)
if (logx) { set logscale x }
set xrange [xlo : xhi]
set yrange [lo : top]
eval tics('x', xlo, xhi, logx)
eval tics('y', lo, top, 0)
set xlabel label
set ylabel 'net present cost, '.ARG7
set title ARG5.': NPV against '.label.(bands ? ' (median, P5-P95)' : ' (median; P5-P95 in sweep.csv)') font ',14'
# The legend under the chart, four entries a row (inside it covered lines).
set key at screen 0.5, screen 0.035 center bottom horizontal maxcols 4
set bmargin 6 + int((N + 5) / 4)
set style fill transparent solid 0.15 noborder
plot for [i = 1:(bands ? N : 0)] f skip 1 using 1:(column(3 * i)):(column(3 * i + 1)) with filledcurves lc rgb color(i) notitle, \
     for [i = 1:N] f using 1:(column(3 * i - 1)) with linespoints pt 7 ps 0.6 lw 2.5 lc rgb color(i) title unquote(columnhead(3 * i - 1)), \
     c skip 1 using (strcol(4) eq 'cheapest' ? $7 : NaN):(lo):(0):(top - lo) with vectors nohead lw 1.5 lc rgb '#000000' title 'cheapest by mean changes', \
     c skip 1 using (strcol(4) eq 'probability' && (name(5) eq BASE || name(6) eq BASE) ? $7 : NaN):(lo):(0):(top - lo) with vectors nohead dt 2 lc rgb '#555555' title 'P(cheaper than the baseline) = 50%'
print sprintf('ranges x %.10g %.10g y %.10g %.10g bands %d', GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX, bands)
