# tcosim compare: the S-curves of every case overlaid (colour: strategy,
# dash: case), from compare_scurve.csv.  ARG8 is "S CASE1 CASE2 ...": the
# strategies per case, then the case names in column order (the base
# first).  The compare folder's board pack (report.gp) draws it after its
# first page.
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
