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
# size and alignment (gnuplot sets a label's font per plot clause).  A
# first pass lists the styles the page uses (" R8l B16l ..."), so that the
# page reads the file once per style it has, in the same order as a clause
# for every weight, size and alignment would draw them.
PAGE = "reset; set encoding utf8; set datafile separator \"\\t\"; set datafile commentschars ''; " . \
       "HAVE = ' '; stats B using (seen(0), 1) nooutput; " . \
       "eval STYLES; " . \
       "unset border; unset tics; unset key; unset title; " . \
       "set lmargin at screen 0; set rmargin at screen 1; set tmargin at screen 1; set bmargin at screen 0; " . \
       "set xrange [0:1]; set yrange [0:1]; " . \
       "plot B using ((strcol(1) eq 'B' && column(2) == pg) ? ($3 + $5) / 2 : NaN):(($4 + $6) / 2):(($5 - $3) / 2):(($6 - $4) / 2):9 with boxxyerror fc rgb variable fs solid 1.0 noborder, " . \
       "B using ((strcol(1) eq 'L' && column(2) == pg) ? $3 : NaN):4:($5 - $3):($6 - $4):9 with vectors nohead lc rgb variable lw 0.6, " . \
       "for [s in LL] B using (sel(s, 'l') ? $3 : NaN):4:10:9 with labels left font fnt(s) tc rgb variable, " . \
       "for [s in LR] B using (sel(s, 'r') ? $3 : NaN):4:10:9 with labels right font fnt(s) tc rgb variable, " . \
       "for [s in LC] B using (sel(s, 'c') ? $3 : NaN):4:10:9 with labels center font fnt(s) tc rgb variable"
# The style and alignment of a text row of page pg, added to HAVE once.
style_of(d) = strcol(7) . strcol(8)
seen(d) = (strcol(1) eq 'T' && column(2) == pg && !strstrt(HAVE, ' ' . style_of(0) . ' ')) ? \
         (HAVE = HAVE . style_of(0) . ' ', 0) : 0
# The styles of HAVE, by weight then size, for each alignment (R0, a size
# no row has, for none: a plot cannot iterate over no word).
STYLES = "LL = ''; LR = ''; LC = ''; do for [w in 'R B'] { do for [z in SIZES] { " . \
         "if (strstrt(HAVE, ' '.w.z.'l ')) { LL = LL.' '.w.z }; " . \
         "if (strstrt(HAVE, ' '.w.z.'r ')) { LR = LR.' '.w.z }; " . \
         "if (strstrt(HAVE, ' '.w.z.'c ')) { LC = LC.' '.w.z } } }; " . \
         "LL = LL eq '' ? 'R0' : LL; LR = LR eq '' ? 'R0' : LR; LC = LC eq '' ? 'R0' : LC"
sel(st, al) = strcol(1) eq 'T' && column(2) == pg && strcol(7) eq st && strcol(8) eq al
# pdfcairo draws fonts at about 0.65 of their nominal size: the pages are
# laid out for text 1.4 times the style's size (chars_width in boardpack.c).
fnt(s) = 'Sans' . (s[1:1] eq 'B' ? ' Bold' : '') . ',' . sprintf('%g', real(s[2:]) * 1.4)

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
