# tcosim compare: the S-curves of every case overlaid (colour: strategy,
# dash: case), from compare_scurve.csv.  ARG8 is "S CASE1 CASE2 ...": the
# strategies per case, then the case names in column order (the base
# first).  Asked for a PDF (ARG3 pdf with an output file), it draws the
# compare folder's board pack: the comparison table, then this chart.
if (ARG3 eq 'pdf' && ARG2 ne '') {
    set terminal pdfcairo size 11.69in, 8.27in noenhanced font 'Sans,10'
    set output ARG2
    reset
    set datafile separator "\t"
    set datafile commentschars ''
    unset border
    unset tics
    unset key
    set xrange [0:1]
    set yrange [0:1]
    set lmargin 0
    set rmargin 0
    set tmargin 0
    set bmargin 0
    set label 1 ARG5.': cases compared on the same futures' at screen 0.03, screen 0.96 left font 'Sans,18'
    set label 2 ARG6 at screen 0.99, screen 0.015 right font ',8' tc rgb '#666666'
    stats ARG1.'/compare_table.txt' using 0 nooutput
    LINES = STATS_records + STATS_blank + 1
    H = 0.86 / (LINES > 40 ? LINES : 40)
    FS = LINES > 60 ? 7 : LINES > 48 ? 9 : 11
    plot ARG1.'/compare_table.txt' using (0.03):(0.91 - H * (column(-1) + $0)):1 \
         with labels left font 'Mono,'.FS notitle
    call ARG4.'/compare.gp' ARG1 '' 'pdf' ARG4 ARG5 ARG6 ARG7 ARG8
    unset output
    exit
}
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('compare_scurve.csv')
S = int(word(ARG8, 1))
stats f skip 1 nooutput
N = STATS_columns - 1
K = int(N / S)
# The axis spans P0.5 to P99.5 of every curve (rows 1 to 199).
lo = 1e300
hi = -1e300
do for [i = 2:N+1] {
    stats f skip 1 every ::1::199 using i nooutput
    lo = STATS_min < lo ? STATS_min : lo
    hi = STATS_max > hi ? STATS_max : hi
}
if (hi <= lo) { w = abs(lo) > 0 ? abs(lo) * 0.05 : 1; lo = lo - w; hi = hi + w }
set xrange [lo : hi]
set xlabel 'net present cost, '.ARG7
set ylabel 'probability that it costs at most this'
set format y '%.0f%%'
set yrange [0:100]
set ytics 10
set title ARG5.': S-curves of NPV by case (colour: strategy; line style: case)' font ',14'
set key outside right top vertical Left reverse width -2
set rmargin 24
set arrow 1 from graph 0, first 90 to graph 1, first 90 nohead dt 2 lc rgb '#777777'
casename(k) = words(ARG8) > k ? word(ARG8, k + 2) : sprintf('case %d', k + 1)
# Strategy i of case k is column 1 + k S + i; dash type k + 1 (1: solid).
strat(i) = (s = columnhead(i + 1), p = strstrt(s, ' ('.casename(0).')'), p > 0 ? s[1:p-1] : s)
plot for [i = 1:S] f using (column(i + 1)):($1 * 100) with lines lw 2.5 lc rgb color(i) dt 1 \
         title unquote(strat(i)), \
     for [j = S+1:N] f using (column(j + 1)):($1 * 100) with lines \
         lw 1.8 lc rgb color((j - 1) % S + 1) dt 1 + ((j - 1) / S) % 5 notitle, \
     keyentry with lines lc rgb '#ffffff' title ' ', \
     for [k = 0:K-1] keyentry with lines lw 1.8 lc rgb '#888888' dt 1 + k % 5 title casename(k)
