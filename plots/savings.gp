# Savings S-curve: for each strategy, the probability that it saves more
# than x against the baseline (the first strategy), paired on futures
# (baseline NPV minus the strategy's).  Where a curve crosses x = 0 reads
# P(saves anything).  Strategy i keeps colour i (the baseline's, 1, unused).
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('savings_curve.csv')
stats f skip 1 nooutput
N = STATS_columns - 1
# Before any range is set: stats obeys ranges.
# The axis spans P1 to P99 of all strategies' savings (rows 1 to 99).
lo = 1e300
hi = -1e300
do for [i = 2:N+1] {
    stats f skip 1 every ::1::99 using i nooutput
    lo = STATS_min < lo ? STATS_min : lo
    hi = STATS_max > hi ? STATS_max : hi
}
if (lo > 0) { lo = 0 }
if (hi < 0) { hi = 0 }
if (hi <= lo) { hi = lo + 1 }
set xlabel 'savings against the baseline (its NPV minus the strategy''s), '.ARG7
set ylabel 'probability of saving more than this'
set format y '%.0f%%'
set yrange [0:100]
set ytics 10
set title ARG5.': savings against the baseline (first strategy), paired on futures' font ',14'
set key top right
if (N < 1) {
    set label 1001 'only one strategy: nothing to compare with the baseline' at graph 0.5, graph 0.6 center
    set xrange [-1 : 1]
    plot 50 with lines lc rgb '#ffffff' notitle
} else {
    w = (hi - lo) * 0.03
    set xrange [lo - w : hi + w]
    set label 1001 'axis: P1 to P99 of the savings' at graph 0.01, graph 0.03 font ',9' tc rgb '#444444'
    set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lw 1.5 lc rgb '#000000'
    set arrow 2 from graph 0, first 50 to graph 1, first 50 nohead dt 2 lc rgb '#777777'
    plot for [i = 1:N] f using (column(i + 1)):((1 - $1) * 100) with lines lw 2.5 lc rgb color(i + 1) title unquote(columnhead(i + 1))
}
