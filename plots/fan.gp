# Fan chart over time, one panel per strategy on a common scale: median line,
# P25-P75 and P5-P95 bands.  ARG8: monthly (cost each month) or cumulative.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
cumulative = ARG8 eq 'cumulative'
f = data(cumulative ? 'cumulative.csv' : 'fan.csv')
stats f skip 1 nooutput
N = (STATS_columns - 1) / 5
lo = 1e300
hi = -1e300
do for [i = 0:N-1] {
    stats f skip 1 using (column(3 + 5 * i)) nooutput
    lo = STATS_min < lo ? STATS_min : lo
    stats f skip 1 using (column(6 + 5 * i)) nooutput
    hi = STATS_max > hi ? STATS_max : hi
}
lo = lo > 0 ? 0 : lo
hi = hi > lo ? hi : lo + 1
set yrange [lo : hi + 0.05 * (hi - lo)]
cols = N <= 3 ? N : (N <= 4 ? 2 : 3)
rows = int((N + cols - 1) / cols)
what = cumulative ? 'cumulative cost' : 'cost per month'
set multiplot layout rows, cols title ARG5.': '.what.', median with P25-P75 and P5-P95 bands' font ',14'
set xlabel 'month'
set format x '%g'
set xrange [1:*]
set ylabel what.', '.ARG7
set key top left
set style fill noborder
do for [i = 1:N] {
    c = 2 + 5 * (i - 1)
    plot f using 1:(column(c + 1)):(column(c + 4)) with filledcurves fs transparent solid 0.15 lc rgb color(i) notitle, \
         f using 1:(column(c + 2)):(column(c + 3)) with filledcurves fs transparent solid 0.35 lc rgb color(i) notitle, \
         f using 1:(column(c)) with lines lw 2.5 lc rgb color(i) title unquote(columnhead(c))
    unset label 1000
}
unset multiplot
