# Decision chart: probability of being cheapest and mean regret per strategy.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('summary.csv')
stats f skip 1 using 0 nooutput
N = STATS_records
stats f skip 1 using 18 nooutput
rmax = STATS_max > 0 ? STATS_max * 1.05 : 1
# Names under the bars, wrapped to the room each bar has.
W = int((N > 4 ? 65 : 55) / N) > 11 ? int((N > 4 ? 65 : 55) / N) : 11
if (N > 4) { set xtics font ',9' }
stats f skip 1 using (nlines(wrap(name(1), W))) nooutput
set bmargin 3 + STATS_max
set multiplot layout 1, 2 title ARG5.': which strategy to choose' font ',14'
set style fill solid 0.85 noborder
set boxwidth 0.6
set xrange [-0.6 : N - 0.4]
set xtics nomirror norotate
set format x '%g'
set title 'probability of being the cheapest'
set yrange [0:100]
set format y '%.0f%%'
plot f skip 1 using 0:($17 * 100):(color($0 + 1)):xtic(wrap(name(1), W)) with boxes lc rgb variable notitle, \
     f skip 1 using 0:($17 * 100):(sprintf('%.0f%%', $17 * 100)) with labels offset 0, 0.8 notitle
unset label 1000
set title 'mean regret (extra cost over the best choice in each future)'
set yrange [0 : rmax]
eval tics('y', 0, rmax, 0)
set ylabel ARG7
plot f skip 1 using 0:18:(color($0 + 1)):xtic(wrap(name(1), W)) with boxes lc rgb variable notitle
unset multiplot
