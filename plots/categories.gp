# Where the money goes: mean NPV by cost category, stacked per strategy.
call ARG4.'/common.gp' ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 ARG7 ARG8
f = data('categories.csv')
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border lc rgb '#ffffff'
set boxwidth 0.6
set xtics nomirror rotate by -20
set ylabel 'mean NPV, '.ARG7
set title ARG5.': where the money goes (mean NPV by cost category)' font ',14'
set key outside right top
set format x '%g'
# Categories, not strategies, carry colour here (a grey-blue-orange scale).
# The columns: strategy, one per category (value, negative, last), total.
array CAT[9] = [0x0072B2, 0x56B4E9, 0x009E73, 0xE69F00, 0xF0E442, 0xD55E00, 0xCC79A7, 0x777777, 0x2CA02C]
stats f using (1) every ::1::1 nooutput
NC = STATS_columns - 2
plot for [c = 2:NC + 1] f using c:xtic(name(1)) lc rgb CAT[(c - 2) % |CAT| + 1] title unquote(columnhead(c))
