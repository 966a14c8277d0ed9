# Distribution of NPV per strategy: densities on common bins, with each
# strategy's P5, P50 and P95 marked below the axis.  Prints its axis
# ranges on its standard error, for the tests.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('npv_density.csv')
s = data('summary.csv')
stats f skip 1 nooutput
N = STATS_columns - 1
stats f skip 1 using 1 nooutput
xlo = STATS_min
xhi = STATS_max
# The P5 and P95 marks below the axis too (they may lie beyond the bins).
stats s skip 1 using 5 nooutput
xlo = STATS_min < xlo ? STATS_min : xlo
stats s skip 1 using 11 nooutput
xhi = STATS_max > xhi ? STATS_max : xhi
xhi = xhi > xlo ? xhi : xlo + 1
pad = 0.02 * (xhi - xlo)
xlo = xlo - pad
xhi = xhi + pad
top = 0
do for [i = 2:N+1] {
    stats f skip 1 using i nooutput
    top = STATS_max > top ? STATS_max : top
}
gap = top * 0.06
set yrange [-gap * (N + 1.5) : top * 1.08]
set xrange [xlo : xhi]
eval tics('x', xlo, xhi, 0)
unset ytics
set xlabel 'net present cost, '.ARG7
set ylabel 'probability density'
set title ARG5.': distribution of NPV by strategy' font ',14'
set key top right
set label 1001 'below the axis, per strategy: P5 △   P50 ●   P95 ▽' at graph 0.01, graph 0.97 font ',9' tc rgb '#444444'
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb '#555555'
plot for [i = 1:N] f using 1:(column(i + 1)) with lines lw 2.5 lc rgb color(i) title unquote(columnhead(i + 1)), \
     s skip 1 using 5:(-gap * ($0 + 1)):(color($0 + 1)) with points pt 8 ps 1.6 lc rgb variable notitle, \
     s skip 1 using 8:(-gap * ($0 + 1)):(color($0 + 1)) with points pt 7 ps 1.6 lc rgb variable notitle, \
     s skip 1 using 11:(-gap * ($0 + 1)):(color($0 + 1)) with points pt 10 ps 1.6 lc rgb variable notitle, \
     s skip 1 using 5:(-gap * ($0 + 1)):($11 - $5):(0) with vectors nohead lw 1 lc rgb '#bbbbbb' notitle
print sprintf('ranges x %.10g %.10g y %.10g %.10g', GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX)
