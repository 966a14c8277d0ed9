# S-curves: the probability that a strategy costs at most x.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('npv_quantiles.csv')
stats f skip 1 nooutput
N = STATS_columns - 1
# The axis spans P0.5 to P99.5 of all strategies (rows 1 to 199); the
# curves themselves run from the minimum to the maximum.
lo = 1e300
hi = -1e300
do for [i = 2:N+1] {
    stats f skip 1 every ::1::199 using i nooutput
    lo = STATS_min < lo ? STATS_min : lo
    hi = STATS_max > hi ? STATS_max : hi
}
# Every future alike: a small range around the value.
if (hi <= lo) { w = abs(lo) > 0 ? abs(lo) * 0.05 : 1; lo = lo - w; hi = hi + w }
set xrange [lo : hi]
eval tics('x', lo, hi, 0)
set label 1001 'axis: P0.5 to P99.5 of all strategies' at graph 0.01, graph 0.97 font ',9' tc rgb '#444444'
set xlabel 'net present cost, '.ARG7
set ylabel 'probability that it costs at most this'
set format y '%.0f%%'
set yrange [0:100]
set ytics 10
set title ARG5.': S-curves of NPV (read across at 90%: "a 90% chance it costs less than x")' font ',14'
set key bottom right
set arrow 1 from graph 0, first 90 to graph 1, first 90 nohead dt 2 lc rgb '#777777'
plot for [i = 1:N] f using (column(i + 1)):($1 * 100) with lines lw 2.5 lc rgb color(i) title unquote(columnhead(i + 1))
