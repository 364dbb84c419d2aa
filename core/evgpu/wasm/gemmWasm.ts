/**
 * A WebAssembly SIMD (f32x4) GEMM kernel, assembled here from readable opcodes rather than
 * shipped as an opaque blob. It computes C[mPad × 4·panels] = A[mPad × k] · Bp, where Bp is B
 * packed into panels of four columns ([panels][k][4], the same packing as the JS kernel).
 */

import { I32, V128, VOID, op, simd, singleFunctionModule, sleb, uleb } from './wasmAssembler.js';

// Locals: parameters first, then the function's own.
const A = 0, BP = 1, C = 2, M = 3, K = 4, PANELS = 5;
const I = 6, JP = 7, P = 8, A0 = 9, A1 = 10, A2 = 11, A3 = 12, BPTR = 13, CPTR = 14, ROW = 15, CSTRIDE = 16, BPTR2 = 17;
const ACC = [18, 19, 20, 21, 22, 23, 24, 25] as const;
const BV0 = 26, BV1 = 27, SPL = 28;
const LAST_I32 = BPTR2;
const V128_LOCALS = 11;

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const konst = (v: number) => [op.i32Const, ...sleb(v)];
const add = [op.i32Add];
const s = (code: number) => [op.simd, ...uleb(code)];
/** local += v */
const bump = (l: number, v: number) => [...get(l), ...konst(v), ...add, ...set(l)];
/** break out of the enclosing block when local >= limit */
const exitWhenDone = (l: number, limit: number) => [...get(l), ...get(limit), op.i32GeU, op.brIf, 1];
/** acc += spl · bv */
const fmaInto = (acc: number, bv: number) => [...get(acc), ...get(SPL), ...get(bv), ...s(simd.f32x4Mul), ...s(simd.f32x4Add), ...set(acc)];

/**
 * Tiles of 4 rows × 8 columns (two panels): eight f32x4 accumulators; per depth step two vector
 * loads of B, four scalar loads of A each splatted once, eight multiplies and eight adds.
 */
function body(): number[] {
  const zeroAccs = ACC.flatMap((acc) => [...s(simd.v128Const), ...new Array<number>(16).fill(0), ...set(acc)]);
  const fma = [A0, A1, A2, A3].flatMap((ap, r) => [
    ...get(ap), op.f32Load, 2, 0, ...s(simd.f32x4Splat), ...set(SPL),
    ...fmaInto(ACC[r] as number, BV0),
    ...fmaInto(ACC[r + 4] as number, BV1),
  ]);
  const depthLoop = [
    ...konst(0), ...set(P),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(P, K),
    ...get(BPTR), ...s(simd.v128Load), 4, 0, ...set(BV0),
    ...get(BPTR2), ...s(simd.v128Load), 4, 0, ...set(BV1),
    ...fma,
    ...bump(A0, 4), ...bump(A1, 4), ...bump(A2, 4), ...bump(A3, 4), ...bump(BPTR, 16), ...bump(BPTR2, 16), ...bump(P, 1),
    op.br, 0, op.end, op.end,
  ];
  const storeTile = [
    // cptr = c + i·cStride + jp·16; the second panel's columns sit 16 bytes further (memarg offset)
    ...get(C), ...get(I), ...get(CSTRIDE), op.i32Mul, ...add, ...get(JP), ...konst(4), op.i32Shl, ...add, ...set(CPTR),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(CPTR), ...get(ACC[r] as number), ...s(simd.v128Store), 4, 0,
      ...get(CPTR), ...get(ACC[r + 4] as number), ...s(simd.v128Store), 4, 16,
      ...get(CPTR), ...get(CSTRIDE), ...add, ...set(CPTR),
    ]),
  ];
  // Panel pairs outer, row groups inner: two B panels ([k×4] each, 16 KiB at k = 1024) stay in
  // L1 while the A rows of the call (blocks of 64 rows, 256 KiB at k = 1024) stay in L2.
  const rowLoop = [
    ...konst(0), ...set(I),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(I, M),
    ...zeroAccs,
    // a0 = a + i·row; a1..a3 follow one row apart
    ...get(A), ...get(I), ...get(ROW), op.i32Mul, ...add, ...set(A0),
    ...get(A0), ...get(ROW), ...add, ...set(A1),
    ...get(A1), ...get(ROW), ...add, ...set(A2),
    ...get(A2), ...get(ROW), ...add, ...set(A3),
    // bptr = bp + jp·row·4; bptr2 = the next panel
    ...get(BP), ...get(JP), ...get(ROW), op.i32Mul, ...konst(2), op.i32Shl, ...add, ...set(BPTR),
    ...get(BPTR), ...get(ROW), ...konst(2), op.i32Shl, ...add, ...set(BPTR2),
    ...depthLoop,
    ...storeTile,
    ...bump(I, 4),
    op.br, 0, op.end, op.end,
  ];
  const code = [
    ...get(K), ...konst(2), op.i32Shl, ...set(ROW),
    ...get(PANELS), ...konst(4), op.i32Shl, ...set(CSTRIDE),
    ...konst(0), ...set(JP),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(JP, PANELS),
    ...rowLoop,
    ...bump(JP, 2),
    op.br, 0, op.end, op.end,
    op.end,
  ];
  const locals = [2, ...uleb(LAST_I32 - I + 1), I32, ...uleb(V128_LOCALS), V128];
  const fn = [...locals, ...code];
  return fn;
}

/**
 * The module's bytes: exports `memory` and `gemm(a, bp, c, mPad, k, panels)` (byte addresses;
 * mPad a multiple of 4, panels a multiple of 2).
 */
export function gemmModuleBytes(): Uint8Array {
  return singleFunctionModule('gemm', 6, body());
}
