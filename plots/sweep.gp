# One-input sweep: each strategy's median NPV with its P5-P95 band against
# the swept value; crossovers marked (solid: the cheapest by mean changes;
# dashed: P(cheaper than the baseline) crosses 50%).  ARG8: the input's
# path, followed by ' log' for a log sweep.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sweep_chart.csv')
c = data('crossovers.csv')
stats f skip 1 nooutput
N = (STATS_columns - 1) / 3
lo = 1e300
hi = -1e300
do for [i = 0:N-1] {
    stats f skip 1 using (column(3 + 3 * i)) nooutput
    lo = STATS_min < lo ? STATS_min : lo
    stats f skip 1 using (column(4 + 3 * i)) nooutput
    hi = STATS_max > hi ? STATS_max : hi
}
hi = hi > lo ? hi : lo + 1
set yrange [lo : hi + 0.05 * (hi - lo)]
logx = strstrt(ARG8, ' log') > 0
label = logx ? ARG8[1:strstrt(ARG8, ' log') - 1] : ARG8
if (logx) { set logscale x }
stats f skip 1 using 1 nooutput
set xrange [STATS_min : STATS_max]
# Engineering prefixes for volumes and money; plain numbers for rates.
if (STATS_max >= 1e4) { set format x (logx ? '%.0s%c' : '%.1s%c') } else { set format x '%g' }
set xlabel label
set ylabel 'net present cost, '.ARG7
set title ARG5.': NPV against '.label.' (median, P5-P95)' font ',14'
set key top left
set style fill transparent solid 0.15 noborder
plot for [i = 1:N] f skip 1 using 1:(column(3 * i)):(column(3 * i + 1)) with filledcurves lc rgb color(i) notitle, \
     for [i = 1:N] f using 1:(column(3 * i - 1)) with linespoints pt 7 ps 0.6 lw 2.5 lc rgb color(i) title unquote(columnhead(3 * i - 1)), \
     c skip 1 using (strcol(2) eq 'mean' ? $5 : NaN):(lo):(0):(hi - lo) with vectors nohead lw 1.5 lc rgb '#000000' title 'cheapest by mean changes', \
     c skip 1 using (strcol(2) eq 'probability' ? $5 : NaN):(lo):(0):(hi - lo) with vectors nohead dt 2 lc rgb '#555555' title 'P(cheaper than baseline) = 50%'
