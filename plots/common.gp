# Shared by every chart template, which calls it with its own arguments
# (a loaded file would see none).  Arguments of every template, passed by
# tcosim with `gnuplot -c TEMPLATE ...` (no shell involved):
#   ARG1 the run's output folder (CSV files)    ARG2 output file ('' = keep
#   the current terminal, as report.gp does)     ARG3 png | svg | pdf
#   ARG4 this folder                             ARG5 scenario name
#   ARG6 footnote (futures, seed, version)       ARG7 currency
#   ARG8 chart-specific option
reset
if (ARG2 ne '') {
    if (ARG3 eq 'svg') {
        set terminal svg size 1200,720 dynamic noenhanced font 'Sans,12' background '#ffffff'
    } else {
        set terminal pngcairo size 1200,720 noenhanced font 'Sans,11' background '#ffffff'
    }
    set output ARG2
}
set datafile separator comma
# A '#' in a name is a character, not the start of a comment.
set datafile commentschars ''
# A name that starts like a spreadsheet formula is written to CSV files
# with a single quote in front (see tco_csv_string); show it without.
unquote(s) = s[1:1] eq "'" ? s[2:] : s
name(c) = unquote(strcol(c))
set encoding utf8
# Okabe and Ito's colour-blind-safe palette: strategy i keeps colour i.
array PALETTE[8] = [0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2, 0xD55E00, 0xCC79A7, 0x999999, 0x000000]
color(i) = PALETTE[(int(i) - 1) % 8 + 1]
OUTDIR = ARG1
data(name) = OUTDIR.'/'.name
# Money on axes: 950k, 1.2M, 3G (engineering prefixes).
set format x '%.1s%c'
set format y '%.1s%c'
set grid back lc rgb '#dddddd'
set border lc rgb '#555555'
set key noopaque samplen 2
FOOTNOTE = ARG6
set label 1000 FOOTNOTE at screen 0.99, screen 0.015 right font ',8' tc rgb '#666666'
set bmargin 5
