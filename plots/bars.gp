# Horizontal bars of sensitivity.csv rows of one method: rank correlations
# with their 95% intervals, or EVPPI per input with the EVPI marked.  The 20
# largest, largest on top.  ARG8: "METHOD|what the output is".
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('sensitivity.csv')
bar = strstrt(ARG8, '|')
m = bar ? ARG8[1:bar - 1] : ARG8
what = bar ? ARG8[bar + 1:] : ''
stats f skip 1 using (strcol(1) eq m ? $0 : NaN) nooutput
first = STATS_min
K = STATS_records < 20 ? STATS_records : 20
stats f skip 1 using (strcol(1) eq 'evpi' ? $3 : NaN) nooutput
evpi = STATS_max
set yrange [-K + 0.4 : 0.6]
set ytics nomirror
set format y '%g'
set lmargin 62
set bmargin 6
set style fill solid 0.85 noborder
set key bottom right
if (m eq 'evppi') {
    set xrange [0 : evpi > 0 ? evpi * 1.1 : 1]
    eval tics('x', 0, evpi > 0 ? evpi * 1.1 : 1, 0)
    set xlabel 'expected value of learning the input before deciding, '.ARG7
    set title ARG5.': what to measure before deciding (EVPPI; EVPI marked)' font ',14'
    set arrow 1 from first evpi, graph 0 to first evpi, graph 1 nohead dt 2 lw 1.5 lc rgb '#D55E00'
    set label 1001 'EVPI (perfect information on everything): '.eng3(evpi) at first evpi, graph 1.02 right tc rgb '#D55E00'
    plot f skip 1 every ::first::(first + K - 1) using ($3 / 2):(-($0)):($3 / 2):(0.35):ytic(2) with boxxyerror lc rgb '#009E73' notitle
} else {
    set xrange [-1:1]
    set format x '%g'
    set xlabel "Spearman rank correlation with the output, 95% interval\n(".what.')'
    set title ARG5.': rank correlation of each input with the output' font ',14'
    set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lc rgb '#000000'
    plot f skip 1 every ::first::(first + K - 1) using ($3 / 2):(-($0)):($3 > 0 ? $3 / 2 : -$3 / 2):(0.35):ytic(2) with boxxyerror lc rgb '#0072B2' notitle, \
         f skip 1 every ::first::(first + K - 1) using 3:(-($0)):4:5 with xerrorbars pt 7 ps 0.5 lc rgb '#000000' notitle
}
