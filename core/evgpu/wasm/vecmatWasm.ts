import { I32, V128, VOID, op, simd, singleFunctionModule, sleb, uleb } from './wasmAssembler.js';

/**
 * `vecmat(v, w, out, m, n4)`: out[0..4·n4) += v[0..m) · W for W row-major [m × 4·n4] (byte
 * addresses). Vectorised over the outputs: each group of four outputs is one f32x4 accumulator,
 * fed by one splat of v[i] and one vector load of W's row i per step — no horizontal sums. The
 * small vector-matrix products of FemtoLLM's token step and output head are exactly this.
 */
const V = 0, W = 1, OUT = 2, M = 3, N4 = 4;
const JB = 5, I = 6, WP = 7, VP = 8, OP = 9, STRIDE = 10;
const ACC = 11;

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const konst = (v: number) => [op.i32Const, ...sleb(v)];
const s = (code: number) => [op.simd, ...uleb(code)];
const bump = (l: number, v: number) => [...get(l), ...konst(v), op.i32Add, ...set(l)];
const bumpBy = (l: number, by: number) => [...get(l), ...get(by), op.i32Add, ...set(l)];
const exitWhenDone = (l: number, limit: number) => [...get(l), ...get(limit), op.i32GeU, op.brIf, 1];

function body(): number[] {
  const inner = [
    ...konst(0), ...set(I),
    ...get(V), ...set(VP),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(I, M),
    ...get(ACC),
    ...get(VP), op.f32Load, 2, 0, ...s(simd.f32x4Splat),
    ...get(WP), ...s(simd.v128Load), 4, 0,
    ...s(simd.f32x4Mul), ...s(simd.f32x4Add), ...set(ACC),
    ...bump(VP, 4), ...bumpBy(WP, STRIDE), ...bump(I, 1),
    op.br, 0, op.end, op.end,
  ];
  const code = [
    ...get(N4), ...konst(4), op.i32Shl, ...set(STRIDE),
    ...konst(0), ...set(JB),
    op.block, VOID, op.loop, VOID,
    ...exitWhenDone(JB, N4),
    // op = out + jb·16; wp = w + jb·16
    ...get(OUT), ...get(JB), ...konst(4), op.i32Shl, op.i32Add, ...set(OP),
    ...get(W), ...get(JB), ...konst(4), op.i32Shl, op.i32Add, ...set(WP),
    ...get(OP), ...s(simd.v128Load), 4, 0, ...set(ACC),
    ...inner,
    ...get(OP), ...get(ACC), ...s(simd.v128Store), 4, 0,
    ...bump(JB, 1),
    op.br, 0, op.end, op.end,
    op.end,
  ];
  return [2, ...uleb(STRIDE - JB + 1), I32, 1, V128, ...code];
}

export function vecmatModuleBytes(): Uint8Array {
  return singleFunctionModule('vecmat', 5, body());
}
