# Decision chart: probability of being cheapest and mean regret per strategy.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('summary.csv')
stats f skip 1 using 0 nooutput
N = STATS_records
stats f skip 1 using 18 nooutput
rmax = STATS_max > 0 ? STATS_max * 1.05 : 1
set multiplot layout 1, 2 title ARG5.': which strategy to choose' font ',14'
set style fill solid 0.85 noborder
set boxwidth 0.6
set xrange [-0.6 : N - 0.4]
set xtics nomirror rotate by -25
set format x '%g'
set title 'probability of being the cheapest'
set yrange [0:100]
set format y '%.0f%%'
plot f skip 1 using 0:($17 * 100):(color($0 + 1)):xtic(name(1)) with boxes lc rgb variable notitle, \
     f skip 1 using 0:($17 * 100):(sprintf('%.0f%%', $17 * 100)) with labels offset 0, 0.8 notitle
unset label 1000
set title 'mean regret (extra cost over the best choice in each future)'
set yrange [0 : rmax]
eval tics('y', 0, rmax, 0)
set ylabel ARG7
plot f skip 1 using 0:18:(color($0 + 1)):xtic(name(1)) with boxes lc rgb variable notitle
unset multiplot
