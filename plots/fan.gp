# Fan chart over time, one panel per strategy, each on its own scale (a
# residual credit in one strategy's last month would flatten the others'):
# median line, P25-P75 and P5-P95 bands, months 1 to the horizon.
# Prints each panel's axis ranges on its standard error, for the tests.
# ARG8: monthly (cost each month) or cumulative.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
cumulative = ARG8 eq 'cumulative'
f = data(cumulative ? 'cumulative.csv' : 'fan.csv')
# Every range is taken before any is set (stats skips what lies outside
# ranges already set).
stats f skip 1 using 1 nooutput
MONTHS = STATS_max
N = (STATS_columns - 1) / 5
array LO[N]
array HI[N]
array NAME[N]
do for [i = 1:N] {
    stats f every ::0::0 using (NAME[i] = name(2 + 5 * (i - 1)), 0) nooutput
    stats f skip 1 using (column(3 + 5 * (i - 1))) nooutput
    LO[i] = STATS_min
    stats f skip 1 using (column(6 + 5 * (i - 1))) nooutput
    HI[i] = STATS_max
}
cols = N <= 3 ? N : (N <= 4 ? 2 : 3)
rows = int((N + cols - 1) / cols)
what = cumulative ? 'cumulative cost' : 'cost per month'
set multiplot layout rows, cols title ARG5.': '.what.', median with P25-P75 and P5-P95 bands (each panel its own scale)' font ',14'
set xlabel 'month'
set format x '%g'
if (MONTHS > 1) { set xrange [1 : MONTHS] } else { set xrange [0.5 : 1.5] }
set ylabel what.', '.ARG7
# Each panel is titled with its strategy's name (a key would cover the data).
unset key
set style fill noborder
do for [i = 1:N] {
    lo = LO[i] > 0 ? 0 : LO[i]
    hi = HI[i] > 0 ? HI[i] : 0
    hi = hi > lo ? hi : lo + 1
    top = hi + 0.12 * (hi - lo)
    set yrange [lo : top]
    eval tics('y', lo, top, 0)
    c = 2 + 5 * (i - 1)
    set title NAME[i] tc rgb color(i) font ',12'
    plot f using 1:(column(c + 1)):(column(c + 4)) with filledcurves fs transparent solid 0.15 lc rgb color(i) notitle, \
         f using 1:(column(c + 2)):(column(c + 3)) with filledcurves fs transparent solid 0.35 lc rgb color(i) notitle, \
         f using 1:(column(c)) with lines lw 2.5 lc rgb color(i) notitle
    print sprintf('ranges panel %d x %.10g %.10g y %.10g %.10g', i, GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX)
    unset label 1000
}
unset multiplot
