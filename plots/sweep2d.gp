# Two-input sweep: a map of the cheapest strategy by mean, and of the
# highest P(cheaper than the baseline) of any one strategy (the chance of
# the likeliest challenger, not the chance that some strategy is cheaper).
# ARG8: "PATH1[ log]|PATH2[ log]".  Prints the axis ranges of the maps on
# its standard error, for the tests.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sweep_grid.csv')
stats f skip 1 nooutput
N = STATS_columns - 8
bar = strstrt(ARG8, '|')
p1 = ARG8[1:bar - 1]
p2 = ARG8[bar + 1:]
log1 = strstrt(p1, ' log') > 0
log2 = strstrt(p2, ' log') > 0
p1 = log1 ? p1[1:strstrt(p1, ' log') - 1] : p1
p2 = log2 ? p2[1:strstrt(p2, ' log') - 1] : p2
if (log1) { set logscale x }
if (log2) { set logscale y }
# Ranges first: stats skips what lies outside ranges already set.
stats f skip 1 using 3:5 nooutput
xlo = STATS_min_x
ylo = STATS_min_y
stats f skip 1 using 4:6 nooutput
xhi = STATS_max_x
yhi = STATS_max_y
stats f every ::0::0 using (BASE = name(9), 0) nooutput
set xrange [xlo : xhi]
set yrange [ylo : yhi]
eval tics('x', xlo, xhi, log1)
eval tics('y', ylo, yhi, log2)
# The legend sits under the axis label (room made for it).
rows = int((N + 3) / 4)
set bmargin 6 + rows
set xlabel p1
set ylabel p2
set multiplot layout 1, 2 title ARG5.': '.p1.' and '.p2 font ',14'
set title 'cheapest strategy by mean'
set style fill solid 1.0 noborder
set key at screen 0.27, screen 0.035 center bottom horizontal maxcols 4 maxrows rows
plot f skip 1 using 1:2:3:4:5:6:(color($7)) with boxxyerror lc rgb variable notitle, \
     for [i = 1:N] f using (NaN):(NaN) with boxes lc rgb color(i) title unquote(columnhead(8 + i))
print sprintf('ranges x %.10g %.10g y %.10g %.10g', GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX)
unset label 1000
set title 'the highest chance that one strategy is cheaper than '.BASE.' (the baseline)'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:1]
set cbtics ('0%%' 0, '25%%' 0.25, '50%%' 0.5, '75%%' 0.75, '100%%' 1)
plot f skip 1 using 1:2:3:4:5:6:8 with boxxyerror fc palette notitle
unset multiplot
