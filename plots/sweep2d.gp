# Two-input sweep: a map of the cheapest strategy by mean, and of the
# largest chance that some strategy is cheaper than the baseline.
# ARG8: "PATH1[ log]|PATH2[ log]".
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
stats f skip 1 using 3:5 nooutput
xlo = STATS_min_x
ylo = STATS_min_y
stats f skip 1 using 4:6 nooutput
set xrange [xlo : STATS_max_x]
set yrange [ylo : STATS_max_y]
stats f skip 1 using 1:2 nooutput
if (STATS_max_x >= 1e4) { set format x '%.1s%c' } else { set format x '%g' }
if (STATS_max_y >= 1e4) { set format y '%.1s%c' } else { set format y '%g' }
set xlabel p1
set ylabel p2
set multiplot layout 1, 2 title ARG5.': '.p1.' and '.p2 font ',14'
set title 'cheapest strategy by mean'
set style fill solid 1.0 noborder
set key outside bottom center horizontal
plot f skip 1 using 1:2:3:4:5:6:(color($7)) with boxxyerror lc rgb variable notitle, \
     for [i = 1:N] f using (NaN):(NaN) with boxes lc rgb color(i) title unquote(columnhead(8 + i))
unset label 1000
set title 'chance that some strategy is cheaper than the baseline'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:1]
set cbtics ('0%%' 0, '25%%' 0.25, '50%%' 0.5, '75%%' 0.75, '100%%' 1)
plot f skip 1 using 1:2:3:4:5:6:8 with boxxyerror fc palette notitle
unset multiplot
