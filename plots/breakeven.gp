# Break-even: cumulative cost minus the baseline's over time, median with a
# P5-P95 band; below zero the strategy has spent less than the baseline.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('breakeven.csv')
stats f skip 1 nooutput
N = (STATS_columns - 1) / 5
set xlabel 'month'
set format x '%g'
set xrange [1:*]
set ylabel 'cumulative cost minus the baseline''s, '.ARG7
set title ARG5.': break-even against the baseline (first strategy)' font ',14'
set key top left
set style fill transparent solid 0.15 noborder
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#000000'
if (N < 2) {
    # One strategy: nothing to compare with the baseline.
    set label 1001 'only one strategy: nothing to compare with the baseline' at graph 0.5, graph 0.6 center
    set xrange [0.5 : 1.5]
    set yrange [-1 : 1]
    plot 0 with lines lw 1.5 lc rgb '#000000' notitle
} else {
    plot for [i = 2:N] f using 1:(column(3 + 5 * (i - 1))):(column(6 + 5 * (i - 1))) with filledcurves lc rgb color(i) notitle, \
         for [i = 2:N] f using 1:(column(2 + 5 * (i - 1))) with lines lw 2.5 lc rgb color(i) title unquote(columnhead(2 + 5 * (i - 1)))
}
