import { I32, V128, VOID, moduleBytes, op, section, str, uleb, wasmApi } from '../evgpu/wasm/wasmAssembler.js';

/**
 * The pass of FemtoEngine.sample in WebAssembly SIMD, over the logits where the output head left
 * them (the engine's arena memory, imported), with the same bits as its JS loop. A generated token
 * ran that pass in JS over ~500 columns, 18 % of a FemtoLLM cube op (issue 16).
 *
 * `cumulate(lg, table, cum, quads, scale, limit) → sum` (byte addresses; `quads` groups of four
 * float32 logits, the padding past the real columns −∞):
 *   max = the largest logit (f32x4.pmax: a NaN is passed over, as JS's `>` does; the sign of a
 *   zero maximum cannot change f below);
 *   for each column j, in order: f = (max − lg[j])·scale in double; e = table[trunc(f + ½)] when
 *   f < limit, else 0; sum += e (double); cum[j] = sum (double).
 * Adding 0 for a column past the cutoff leaves the sum's bits as skipping it does (the sum starts
 * at +0 and the table's entries are positive), so the table gets one zero entry after its last
 * and a skipped column reads it: no branch. The running sum stays one double sum in column order,
 * the premise of a pick bit for bit; f and the index are computed two columns at a time.
 */

const F64 = 0x7c;
const F32 = 0x7d;
const O = { localTee: 0x22, f32Max: 0x97, f64Add: 0xa0, f64PromoteF32: 0xbb, f64Store: 0x39, f64Const: 0x44, f32Const: 0x43, i32Sub: 0x6b, i32Eqz: 0x45 } as const;
const S = {
  v128Load: 0x00, i32x4Splat: 0x11, f32x4Splat: 0x13, f64x2Splat: 0x14, i32x4ExtractLane: 0x1b, f32x4ExtractLane: 0x1f,
  f64x2Lt: 0x49, v128Bitselect: 0x52, load64Zero: 0x5d, f64x2PromoteLowF32x4: 0x5f, i32x4Shl: 0xab, i32x4Add: 0xae,
  f32x4Pmax: 0xeb, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, i32x4TruncSatF64x2SZero: 0xfc,
} as const;

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const s = (code: number, ...imm: number[]) => [op.simd, ...uleb(code), ...imm];
const bytesOf = (v: number, size: 4 | 8) => {
  const b = new DataView(new ArrayBuffer(size));
  if (size === 4) b.setFloat32(0, v, true);
  else b.setFloat64(0, v, true);
  return Array.from(new Uint8Array(b.buffer));
};
const f64 = (v: number) => [O.f64Const, ...bytesOf(v, 8)];
const f32 = (v: number) => [O.f32Const, ...bytesOf(v, 4)];

/** A loop while local `count` is not 0, decrementing it after `body`. */
const countdown = (count: number, body: number[]) => [
  op.block, VOID, op.loop, VOID,
  ...get(count), O.i32Eqz, op.brIf, 1,
  ...body,
  ...get(count), op.i32Const, 1, O.i32Sub, ...set(count),
  op.br, 0, op.end, op.end,
];
const bump = (l: number, by: number) => [...get(l), op.i32Const, ...uleb(by), op.i32Add, ...set(l)];

function cumulateBody(skipIndex: number): number[] {
  // params: 0 lg, 1 table, 2 cum, 3 quads, 4 scale, 5 limit; locals: 6 p, 7 k (i32), 8 sum (f64),
  // 9 the index pair (i32), then v128s.
  const [LG, TABLE, CUM, QUADS, SCALE, LIMIT] = [0, 1, 2, 3, 4, 5];
  const [P, K, SUM, IDX] = [6, 7, 8, 9];
  const [VMAX, VSCALE, VLIMIT, VHALF, VSKIP, VTAB, IV] = [10, 11, 12, 13, 14, 15, 16];
  const lane = (l: number) => [
    ...get(SUM), ...get(IV), ...s(S.i32x4ExtractLane, l), op.f32Load, 2, 0, O.f64PromoteF32, O.f64Add, O.localTee, SUM,
  ];
  const pair = [
    // f = (max − f64(lg[j]))·scale; index = trunc(f < limit ? f + ½ : skipIndex), as a byte address
    ...get(VMAX), ...get(P), ...s(S.load64Zero, 3, 0), ...s(S.f64x2PromoteLowF32x4), ...s(S.f64x2Sub), ...get(VSCALE), ...s(S.f64x2Mul), ...set(IV),
    ...get(IV), ...get(VHALF), ...s(S.f64x2Add), ...get(VSKIP), ...get(IV), ...get(VLIMIT), ...s(S.f64x2Lt), ...s(S.v128Bitselect),
    ...s(S.i32x4TruncSatF64x2SZero), op.i32Const, 2, ...s(S.i32x4Shl), ...get(VTAB), ...s(S.i32x4Add), ...set(IV),
    // the two columns in order: sum += e; cum[j] = sum
    ...get(IDX), ...lane(0), O.f64Store, 3, 0,
    ...get(IDX), ...lane(1), O.f64Store, 3, 8,
    ...bump(P, 8), ...bump(IDX, 16),
  ];
  const code = [
    ...f32(-Infinity), ...s(S.f32x4Splat), ...set(VMAX),
    ...get(LG), ...set(P), ...get(QUADS), ...set(K),
    ...countdown(K, [...get(VMAX), ...get(P), ...s(S.v128Load, 4, 0), ...s(S.f32x4Pmax), ...set(VMAX), ...bump(P, 16)]),
    ...get(VMAX), ...s(S.f32x4ExtractLane, 0), ...get(VMAX), ...s(S.f32x4ExtractLane, 1), O.f32Max,
    ...get(VMAX), ...s(S.f32x4ExtractLane, 2), ...get(VMAX), ...s(S.f32x4ExtractLane, 3), O.f32Max, O.f32Max,
    O.f64PromoteF32, ...s(S.f64x2Splat), ...set(VMAX),
    ...get(SCALE), ...s(S.f64x2Splat), ...set(VSCALE),
    ...get(LIMIT), ...s(S.f64x2Splat), ...set(VLIMIT),
    ...f64(0.5), ...s(S.f64x2Splat), ...set(VHALF),
    ...f64(skipIndex), ...s(S.f64x2Splat), ...set(VSKIP),
    ...get(TABLE), ...s(S.i32x4Splat), ...set(VTAB),
    ...f64(0), ...set(SUM),
    ...get(LG), ...set(P), ...get(CUM), ...set(IDX), ...get(QUADS), op.i32Const, 1, op.i32Shl, ...set(K),
    ...countdown(K, pair),
    ...get(SUM),
    op.end,
  ];
  // IDX doubles as the cum pointer (local 9).
  return [4, 2, I32, 1, F64, 1, I32, 7, V128, ...code];
}

/** The module: `cumulate`, over the memory imported as env.memory. */
export function sampleModuleBytes(skipIndex: number): Uint8Array {
  const types = [1, 0x60, 6, I32, I32, I32, I32, F64, F64, 1, F64];
  const imports = [1, ...str('env'), ...str('memory'), 0x02, 0x00, 1];
  const funcs = [1, 0];
  const exports = [1, ...str('cumulate'), 0x00, 0];
  const body = cumulateBody(skipIndex);
  const code = [1, ...uleb(body.length), ...body];
  return moduleBytes(
    section(1, types),
    section(2, imports),
    section(3, funcs),
    section(7, exports),
    section(10, code),
  );
}

/**
 * `cumulate` bound to a memory (FemtoEngine's arena); null where WebAssembly SIMD is missing or
 * there is no such memory (the engine then keeps its JS loop, which gives the same floats).
 * The exp table must hold `tableEntries` floats with a 0 after them, at index `tableEntries`.
 */
export class SampleKernel {
  private constructor(private readonly fn: (lg: number, table: number, cum: number, quads: number, scale: number, limit: number) => number) {}

  static create(memory: object | null, tableEntries: number): SampleKernel | null {
    const api = wasmApi();
    if (!api || memory === null) return null;
    try {
      const code = sampleModuleBytes(tableEntries);
      if (!api.validate(code)) return null;
      const { exports } = new api.Instance(new api.Module(code), { env: { memory } });
      return new SampleKernel(exports.cumulate as SampleKernel['fn']);
    } catch {
      return null;
    }
  }

  /**
   * The running sums of the table's e over `4·quads` logits at byte address `lg` into the float64s
   * at `cum` (byte address, 8-aligned); returns the last. `table`: the exp table's byte address.
   */
  cumulate(lg: number, table: number, cum: number, quads: number, scale: number, limit: number): number {
    return this.fn(lg, table, cum, quads, scale, limit);
  }
}
