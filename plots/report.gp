# The board pack: one PDF.  Its first page and its appendix are laid out by
# the program (sim/boardpack.c) in board.tsv, drawn here as text, boxes
# and lines, one plot per page; the charts come between them.
# Called like a chart template; ARG2 is the PDF.  ARG8 names the charts of
# a sweep's or a sensitivity analysis's folder: "" (a run's charts), or
# the kind of its first chart and that chart's option, as "sweep2d a|b".
set terminal pdfcairo size 11.69in, 8.27in noenhanced font 'Sans,10'
set output ARG2
D = ARG1
P = ARG4
T = ARG5
F = ARG6
C = ARG7
K = ARG8
B = D.'/board.tsv'
# The sizes sim/boardpack.c uses.
SIZES = '6 7 8 9 10 11 12 14 16 20'

# Pages of board.tsv: the first, then the appendix from page 2.
reset
set datafile separator "\t"
set datafile commentschars ''
stats B using 2 nooutput
NPAGES = int(STATS_max)

# One page of board.tsv: boxes first, then lines, then text by weight,
# size and alignment (gnuplot sets a label's font per plot clause).
PAGE = "reset; set encoding utf8; set datafile separator \"\\t\"; set datafile commentschars ''; " . \
       "unset border; unset tics; unset key; unset title; " . \
       "set lmargin at screen 0; set rmargin at screen 1; set tmargin at screen 1; set bmargin at screen 0; " . \
       "set xrange [0:1]; set yrange [0:1]; " . \
       "plot B using ((strcol(1) eq 'B' && column(2) == pg) ? ($3 + $5) / 2 : NaN):(($4 + $6) / 2):(($5 - $3) / 2):(($6 - $4) / 2):9 with boxxyerror fc rgb variable fs solid 1.0 noborder, " . \
       "B using ((strcol(1) eq 'L' && column(2) == pg) ? $3 : NaN):4:($5 - $3):($6 - $4):9 with vectors nohead lc rgb variable lw 0.6, " . \
       "for [w in 'R B'] for [z in SIZES] B using (sel(w.z, 'l') ? $3 : NaN):4:10:9 with labels left font fnt(w, z) tc rgb variable, " . \
       "for [w in 'R B'] for [z in SIZES] B using (sel(w.z, 'r') ? $3 : NaN):4:10:9 with labels right font fnt(w, z) tc rgb variable, " . \
       "for [w in 'R B'] for [z in SIZES] B using (sel(w.z, 'c') ? $3 : NaN):4:10:9 with labels center font fnt(w, z) tc rgb variable"
sel(st, al) = strcol(1) eq 'T' && column(2) == pg && strcol(7) eq st && strcol(8) eq al
# pdfcairo draws fonts at about 0.65 of their nominal size: the pages are
# laid out for text 1.4 times the style's size (chars_width in boardpack.c).
fnt(w, z) = 'Sans' . (w eq 'B' ? ' Bold' : '') . ',' . sprintf('%g', real(z) * 1.4)

pg = 1
eval PAGE

# The charts.
KIND = strstrt(K, ' ') ? K[1:strstrt(K, ' ') - 1] : K
OPT = strstrt(K, ' ') ? K[strstrt(K, ' ') + 1:] : ''
if (KIND eq '') {
    call P.'/distribution.gp' D '' 'pdf' P T F C ''
    call P.'/scurve.gp' D '' 'pdf' P T F C ''
    call P.'/decision.gp' D '' 'pdf' P T F C ''
    call P.'/fan.gp' D '' 'pdf' P T F C 'monthly'
    call P.'/fan.gp' D '' 'pdf' P T F C 'cumulative'
    call P.'/categories.gp' D '' 'pdf' P T F C ''
    call P.'/breakeven.gp' D '' 'pdf' P T F C ''
    call P.'/savings.gp' D '' 'pdf' P T F C ''
}
if (KIND eq 'sweep') { call P.'/sweep.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'sweep2d') { call P.'/sweep2d.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'compare') { call P.'/compare.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'tornado') { call P.'/tornado.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'sobol') { call P.'/sobol.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'rank') { call P.'/bars.gp' D '' 'pdf' P T F C OPT }
if (KIND eq 'tornado' || KIND eq 'sobol' || KIND eq 'rank') {
    call P.'/bars.gp' D '' 'pdf' P T F C 'evppi'
}

# The appendix.
do for [p = 2:NPAGES] {
    pg = p
    eval PAGE
}
unset output
