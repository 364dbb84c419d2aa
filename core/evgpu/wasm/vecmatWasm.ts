import { I32, V128, VOID, op, simd, singleFunctionModule, sleb, uleb } from './wasmAssembler.js';

/**
 * `vecmat(v, w, out, m, n4)`: out[0..4·n4) += v[0..m) · W for W row-major [m × 4·n4] (byte
 * addresses). Vectorised over the outputs: each group of four outputs is one f32x4, fed by
 * splats of v and vector loads of W's rows — no horizontal sums. The small vector-matrix products
 * of FemtoLLM's token step and output head are exactly this.
 *
 * Rows go eight at a time: eight splats made once, then one pass over the outputs adding the
 * eight rows' products in row order (f32x4 mul, then add, per row: the same roundings as one row at a
 * time, so the same bits); rows left over go four, then one at a time. A pass costs one load and
 * store of `out` per eight products where a loop per output group cost a splat and the loop's
 * bookkeeping per product (the head's 16×512 product is most of a FemtoLLM token, issue 16).
 */
const V = 0, W = 1, OUT = 2, M = 3, N4 = 4;
const ROWS = 8;
const I = 5, JB = 6, OP = 7, P0 = 8, VP = P0 + ROWS, STRIDE = VP + 1;
const S0 = STRIDE + 1;

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const konst = (v: number) => [op.i32Const, ...sleb(v)];
const s = (code: number) => [op.simd, ...uleb(code)];
const bump = (l: number, v: number) => [...get(l), ...konst(v), op.i32Add, ...set(l)];
const exitWhenDone = (l: number, limit: number) => [...get(l), ...get(limit), op.i32GeU, op.brIf, 1];
const I32_GT_U = 0x4b;

/** One pass over the output groups adding `rows` rows (splats S0.., row pointers P0..). */
function pass(rows: number): number[] {
  const products: number[] = [];
  for (let r = 0; r < rows; r++) products.push(...get(S0 + r), ...get(P0 + r), ...s(simd.v128Load), 4, 0, ...s(simd.f32x4Mul), ...s(simd.f32x4Add));
  const bumps: number[] = [];
  for (let r = 0; r < rows; r++) bumps.push(...bump(P0 + r, 16));
  return [
    ...get(OUT), ...set(OP),
    ...konst(0), ...set(JB),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(JB, N4),
    ...get(OP),
    ...get(OP), ...s(simd.v128Load), 4, 0,
    ...products,
    ...s(simd.v128Store), 4, 0,
    ...bump(OP, 16), ...bumps, ...bump(JB, 1),
    op.br, 0, op.end, op.end,
  ];
}

/** Splats v[i..i+rows) and points P0.. at W's rows i.. . */
function rowSetup(rows: number): number[] {
  const code: number[] = [];
  for (let r = 0; r < rows; r++) code.push(...get(VP), op.f32Load, 2, ...uleb(4 * r), ...s(simd.f32x4Splat), ...set(S0 + r));
  code.push(...get(W), ...get(I), ...get(STRIDE), op.i32Mul, op.i32Add, ...set(P0));
  for (let r = 1; r < rows; r++) code.push(...get(P0 + r - 1), ...get(STRIDE), op.i32Add, ...set(P0 + r));
  return code;
}

/** While at least `rows` rows are left: splat them, add them in one pass, move on. */
function rowsAtATime(rows: number): number[] {
  return [
    op.block, VOID, op.loop, VOID,
    ...get(I), ...konst(rows), op.i32Add, ...get(M), I32_GT_U, op.brIf, 1,
    ...rowSetup(rows),
    ...pass(rows),
    ...bump(VP, 4 * rows), ...bump(I, rows),
    op.br, 0, op.end, op.end,
  ];
}

function body(): number[] {
  const code = [
    ...get(N4), ...konst(4), op.i32Shl, ...set(STRIDE),
    ...konst(0), ...set(I),
    ...get(V), ...set(VP),
    ...rowsAtATime(ROWS), ...rowsAtATime(4), ...rowsAtATime(1),
    op.end,
  ];
  // Locals after the five parameters: the i32s (I … STRIDE), then the splats.
  return [2, ...uleb(STRIDE - I + 1), I32, ...uleb(ROWS), V128, ...code];
}

export function vecmatModuleBytes(): Uint8Array {
  return singleFunctionModule('vecmat', 5, body());
}
