# Tornado: the mean output with each input held at its P10 and at its P90
# (the rest drawn as usual), the 20 widest swings, widest on top.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sensitivity.csv')
stats f skip 1 using (strcol(1) eq 'tornado' ? $0 : NaN) nooutput
first = STATS_min
K = STATS_records < 20 ? STATS_records : 20
stats f skip 1 using (strcol(1) eq 'base' ? $3 : NaN) nooutput
base = STATS_max
stats f skip 1 every ::first::(first + K - 1) using 4 nooutput
xlo = STATS_min < base ? STATS_min : base
xhi = STATS_max > base ? STATS_max : base
stats f skip 1 every ::first::(first + K - 1) using 5 nooutput
xlo = STATS_min < xlo ? STATS_min : xlo
xhi = STATS_max > xhi ? STATS_max : xhi
pad = xhi > xlo ? 0.05 * (xhi - xlo) : (abs(base) > 0 ? 0.05 * abs(base) : 1)
set xrange [xlo - pad : xhi + pad]
eval tics('x', xlo - pad, xhi + pad, 0)
set yrange [-K + 0.4 : 0.6]
set ytics nomirror
set format y '%g'
set xlabel 'mean output, '.ARG7."\n(".ARG8.')'
set title ARG5.': tornado (each input at its P10 and P90)' font ',14'
set key bottom right
set style fill solid 0.85 noborder
set lmargin 62
set bmargin 6
set arrow 1 from first base, graph 0 to first base, graph 1 nohead lc rgb '#000000'
plot f skip 1 every ::first::(first + K - 1) using ((base + $4) / 2):(-($0)):((base - $4) / 2 > 0 ? (base - $4) / 2 : ($4 - base) / 2):(0.35):ytic(2) with boxxyerror lc rgb '#0072B2' title 'input at its P10', \
     f skip 1 every ::first::(first + K - 1) using ((base + $5) / 2):(-($0)):((base - $5) / 2 > 0 ? (base - $5) / 2 : ($5 - base) / 2):(0.35) with boxxyerror lc rgb '#E69F00' title 'input at its P90'
