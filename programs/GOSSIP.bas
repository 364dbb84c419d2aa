10 REM GOSSIP: passes a note around the eight corners of cube 1 and reports the path
20 NOTE$ = "gossip"
30 P$ = "NEU NED NWU NWD SEU SED SWU SWD"
40 PATH$ = ""
50 FOR I = 0 TO 7
60 V$ = MID$(P$, I * 4 + 1, 3)
70 R$ = CUBE$(1, V$, NOTE$)
80 PATH$ = PATH$ + V$ + " "
90 PRINT V$; ": "; LEFT$(R$, 60)
100 NOTE$ = NOTE$ + " via " + V$
110 NEXT I
120 PRINT "path: "; PATH$
130 PRINT "note: "; NOTE$
