10 REM SCRIBE: hosts SWD of cube 1 and answers each message with the FemtoLLM at its own block
20 X = 7: Y = 7: Z = 7
30 HOST 1, "SWD"
40 ON MESSAGE GOSUB 100
50 PRINT "SCRIBE hosts SWD of cube 1"
60 SLEEP 60000: GOTO 60
100 T$ = LLM$(X, Y, Z, 32, MSG$)
110 PRINT MSGFROM$; ": "; MSG$; " -> "; T$
120 REPLY T$
130 RETURN
