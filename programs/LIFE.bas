10 REM LIFE: Conway's Game of Life on a 32x32 plane of the BlockArray
20 REM cells at x 400-431, y 400-431, z 500: 1 alive, 0 dead; only changes are written
30 N = 32: Z = 500: G = 0
40 DIM A(31, 31), B(31, 31)
50 RANDOMIZE 7
60 FOR Y = 0 TO N - 1: FOR X = 0 TO N - 1: IF RND < .3 THEN A(X, Y) = 1
70 NEXT X: NEXT Y
80 FOR Y = 0 TO N - 1: FOR X = 0 TO N - 1: BLOCKSET 400 + X, 400 + Y, Z, A(X, Y): NEXT X: NEXT Y
90 G = G + 1: L = 0
100 FOR Y = 0 TO N - 1: FOR X = 0 TO N - 1
110 C = 0
120 FOR D = 0 TO 8: IF D <> 4 THEN C = C + A((X + D MOD 3 + N - 1) MOD N, (Y + INT(D / 3) + N - 1) MOD N)
130 NEXT D
140 B(X, Y) = -(C = 3 OR (C = 2 AND A(X, Y) = 1)): L = L + B(X, Y)
150 NEXT X: NEXT Y
160 FOR Y = 0 TO N - 1: FOR X = 0 TO N - 1
170 IF B(X, Y) <> A(X, Y) THEN A(X, Y) = B(X, Y): BLOCKSET 400 + X, 400 + Y, Z, A(X, Y)
180 NEXT X: NEXT Y
190 PRINT "generation"; G; "alive"; L
200 IF L > 0 THEN 90
210 PRINT "extinct"
