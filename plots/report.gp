# The board pack: one PDF, a first page with the decision in words and
# numbers, then every chart.  Called like a chart template; ARG2 is the PDF.
set terminal pdfcairo size 11.69in, 8.27in noenhanced font 'Sans,10'
set output ARG2
D = ARG1
P = ARG4
T = ARG5
F = ARG6
C = ARG7
reset
set datafile separator "\t"
set datafile commentschars ''
unset border
unset tics
unset key
set xrange [0:1]
set yrange [0:1]
set title T.': decision summary' font ',20'
set label 1 F at screen 0.99, screen 0.015 right font ',8' tc rgb '#666666'
plot D.'/decision.txt' using (0.01):(0.93 - 0.075 * $0):1 with labels left font ',14' notitle
call P.'/distribution.gp' D '' 'pdf' P T F C ''
call P.'/scurve.gp' D '' 'pdf' P T F C ''
call P.'/decision.gp' D '' 'pdf' P T F C ''
call P.'/fan.gp' D '' 'pdf' P T F C 'monthly'
call P.'/fan.gp' D '' 'pdf' P T F C 'cumulative'
call P.'/categories.gp' D '' 'pdf' P T F C ''
call P.'/breakeven.gp' D '' 'pdf' P T F C ''
unset output
