# Sobol indices: total order (light) and first order (dark) with their 95%
# bootstrap intervals, the 20 largest total indices, largest on top.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sensitivity.csv')
stats f skip 1 using (strcol(1) eq 'sobol_total' ? $0 : NaN) nooutput
ft = STATS_min
K = STATS_records < 20 ? STATS_records : 20
stats f skip 1 using (strcol(1) eq 'sobol_first' ? $0 : NaN) nooutput
ff = STATS_min
set yrange [-K + 0.4 : 0.6]
set xrange [0 : *]
set ytics nomirror
set format y '%g'
set format x '%g'
set lmargin 62
set style fill solid 0.85 noborder
set key bottom right
set xlabel 'share of the output variance ('.ARG8.')'
set title ARG5.': Sobol indices (Saltelli 2010; Jansen total order)' font ',14'
plot f skip 1 every ::ft::(ft + K - 1) using ($3 / 2):(-($0) + 0.18):($3 / 2):(0.17):ytic(2) with boxxyerror lc rgb '#56B4E9' title 'total order', \
     f skip 1 every ::ft::(ft + K - 1) using 3:(-($0) + 0.18):4:5 with xerrorbars pt 7 ps 0.4 lc rgb '#000000' notitle, \
     f skip 1 every ::ff::(ff + K - 1) using ($3 / 2):(-($0) - 0.18):($3 / 2):(0.17) with boxxyerror lc rgb '#0072B2' title 'first order', \
     f skip 1 every ::ff::(ff + K - 1) using 3:(-($0) - 0.18):4:5 with xerrorbars pt 7 ps 0.4 lc rgb '#000000' notitle
