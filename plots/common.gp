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
# reset leaves the datafile settings: every template reads first lines itself.
set datafile nocolumnheaders
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
# Tick labels for money and volumes read 0, 500k, 1M, 1.5M (gnuplot's own
# '%.1s%c' writes 0.0 and 500.0k).  A template that knows an axis range
# (computed from the data with stats) says:  eval tics('y', lo, hi, 0)
# (the last argument: 1 for a log axis).  Steps of 1, 2 or 5 times a power
# of ten, about six ticks to an axis.
eng(v) = abs(v) < 1e-300 ? '0' : abs(v) >= 1e9 ? sprintf('%gG', v / 1e9) : \
         abs(v) >= 1e6 ? sprintf('%gM', v / 1e6) : abs(v) >= 1e3 ? sprintf('%gk', v / 1e3) : sprintf('%g', v)
# A value in a label, three significant digits: 1.4k, 12.5M.
eng3(v) = abs(v) < 1e-300 ? '0' : abs(v) >= 1e9 ? sprintf('%.3gG', v / 1e9) : \
          abs(v) >= 1e6 ? sprintf('%.3gM', v / 1e6) : abs(v) >= 1e3 ? sprintf('%.3gk', v / 1e3) : sprintf('%.3g', v)
tic_raw(lo, hi) = (hi - lo) / 6.0
tic_pow(lo, hi) = 10.0 ** floor(log10(tic_raw(lo, hi)))
tic_m(lo, hi) = tic_raw(lo, hi) / tic_pow(lo, hi)
tic_step(lo, hi) = (tic_m(lo, hi) <= 1 ? 1 : tic_m(lo, hi) <= 2 ? 2 : tic_m(lo, hi) <= 5 ? 5 : 10) * tic_pow(lo, hi)
tic_item(v) = sprintf(', "%s" %.15g', eng(v), v)
lin_rec(k, kmax, s) = k > kmax ? '' : tic_item(k * s) . lin_rec(k + 1, kmax, s)
lin_list(lo, hi) = hi > lo ? lin_rec(ceil(lo / tic_step(lo, hi) - 1e-9), floor(hi / tic_step(lo, hi) + 1e-9), tic_step(lo, hi)) : tic_item(lo)
log_in(v, lo, hi) = v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) ? tic_item(v) : ''
log_rec(e, emax, lo, hi, dense) = e > emax ? '' : log_in(10.0 ** e, lo, hi) . \
    (dense ? log_in(2 * 10.0 ** e, lo, hi) . log_in(5 * 10.0 ** e, lo, hi) : '') . log_rec(e + 1, emax, lo, hi, dense)
log_list(lo, hi) = log_rec(floor(log10(lo)), ceil(log10(hi)), lo, hi, log10(hi / lo) <= 3)
tic_pick(l, lo, hi) = strlen(l) > 0 ? l : lin_list(lo, hi)
tics(ax, lo, hi, lg) = 'set '.ax.'tics ('.tic_pick(lg && lo > 0 ? log_list(lo, hi) : lin_list(lo, hi), lo, hi)[3:].')'
# A long name under a bar is wrapped onto lines of at most w characters,
# after a '-', '_' or ' ' where it has one (a 40-character name rotated
# under a bar ran off the chart and over the footnote).
is_brk(c) = c eq '-' || c eq '_' || c eq ' '
last_brk(s, i) = i < 2 ? 0 : is_brk(s[i:i]) ? i : last_brk(s, i - 1)
brk_at(s, w) = last_brk(s, w + 1) > 0 ? last_brk(s, w + 1) : w
wrap(s, w) = strlen(s) <= w ? s : s[1:brk_at(s, w)]."\n".wrap(s[brk_at(s, w) + 1:], w)
# Lines of wrap(s, w), for the margin under the bars.
nlines_rec(s, i) = i > strlen(s) ? 1 : (s[i:i] eq "\n") + nlines_rec(s, i + 1)
nlines(s) = nlines_rec(s, 1)
