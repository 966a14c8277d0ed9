# Break-even: cumulative cost minus the baseline's over time, one panel per
# strategy (five translucent bands on one chart merge into one): median,
# P25-P75 band, P5 and P95 as dashed lines; below zero the strategy has
# spent less than the baseline.  Months 1 to the horizon.  Prints each
# panel's axis ranges on its standard error, for the tests.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('breakeven.csv')
# Every range is taken before any is set (stats skips what lies outside
# ranges already set).
stats f skip 1 using 1 nooutput
MONTHS = STATS_max
N = (STATS_columns - 1) / 5
stats f every ::0::0 using (BASE = name(2), 0) nooutput
if (N < 2) {
    # One strategy: nothing to compare with the baseline.
    set title ARG5.': break-even against the baseline' font ',14'
    set label 1001 'only one strategy: nothing to compare with the baseline' at graph 0.5, graph 0.6 center
    set xrange [0.5 : 1.5]
    set yrange [-1 : 1]
    set format x '%g'
    plot 0 with lines lw 1.5 lc rgb '#000000' notitle
} else {
    array LO[N]
    array HI[N]
    array NAME[N]
    do for [i = 2:N] {
        stats f every ::0::0 using (NAME[i] = name(2 + 5 * (i - 1)), 0) nooutput
        stats f skip 1 using (column(3 + 5 * (i - 1))) nooutput
        LO[i] = STATS_min
        stats f skip 1 using (column(6 + 5 * (i - 1))) nooutput
        HI[i] = STATS_max
    }
    M = N - 1
    cols = M <= 3 ? M : (M <= 4 ? 2 : 3)
    rows = int((M + cols - 1) / cols)
    set multiplot layout rows, cols title ARG5.': cumulative cost minus the baseline '.BASE."'s\nmedian, P25-P75 band, P5 and P95 dashed" font ',13'
    set xlabel 'month'
    set format x '%g'
    if (MONTHS > 1) { set xrange [1 : MONTHS] } else { set xrange [0.5 : 1.5] }
    set ylabel ARG7
    # Each panel is titled with its strategy's name (a key would cover the data).
    unset key
    set style fill transparent solid 0.25 noborder
    set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1 lc rgb '#000000'
    do for [i = 2:N] {
        lo = LO[i] > 0 ? 0 : LO[i]
        hi = HI[i] > 0 ? HI[i] : 0
        hi = hi > lo ? hi : lo + 1
        pad = 0.12 * (hi - lo)
        set yrange [lo - pad / 3 : hi + pad]
        eval tics('y', lo - pad / 3, hi + pad, 0)
        c = 2 + 5 * (i - 1)
        set title NAME[i] tc rgb color(i) font ',12'
        plot f using 1:(column(c + 2)):(column(c + 3)) with filledcurves lc rgb color(i) notitle, \
             f using 1:(column(c + 1)) with lines lw 1 dt 2 lc rgb color(i) notitle, \
             f using 1:(column(c + 4)) with lines lw 1 dt 2 lc rgb color(i) notitle, \
             f using 1:(column(c)) with lines lw 2.5 lc rgb color(i) notitle
        print sprintf('ranges panel %d x %.10g %.10g y %.10g %.10g', i, GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX)
        unset label 1000
    }
    unset multiplot
}
