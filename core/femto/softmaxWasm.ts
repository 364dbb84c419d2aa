import { I32, V128, VOID, op, section, str, uleb } from '../evgpu/wasm/wasmAssembler.js';

/**
 * The tempered softmax of FemtoEngine in WebAssembly SIMD, two columns at a time, giving the
 * same bits as the JS loop it replaces. A cube's ensemble evaluates it for eight heads per
 * token, and Math.exp was its largest cost (issue 16).
 *
 * `exps(lg, pr, pairs, invT) → sum`: max = the largest lg[j]; for each column j,
 * e = exp((lg[j] − max)·invT) in double, stored as float32 at pr[j]; returns Σ e in double,
 * added in column order, or NaN when the logits hold a NaN or no finite maximum (the caller
 * then takes its JS loop).
 * `accumulate(pr, acc, pairs, inv, w)`: acc[j] = f32(acc[j] + w·f32(pr[j]·inv)).
 *
 * exp is V8's (fdlibm's __ieee754_exp) step for step, for arguments ≤ 0: k = 0 below ½ln2
 * (high-word test), −1 below 1.5 ln2, else trunc(x/ln2 − ½); x − k·ln2 in two parts; the same
 * rational approximation; the scaling by 2^k done as ·2^(k+1000)·2^−1000, exact wherever
 * fdlibm's exponent add is and equal to its own path below 2^−1021; 1 + x below 2^−28; 0 below
 * its underflow threshold.
 */

// WebAssembly opcodes beyond the shared assembler's table (core 2.0 and fixed-width SIMD).
const F64 = 0x7c;
const O = { if: 0x04, return: 0x0f, i32Sub: 0x6b, i32Eqz: 0x45, f64Const: 0x44, f64Ne: 0x62, f64Add: 0xa0, f64Sub: 0xa1, f64Max: 0xa5 } as const;
const S = {
  f64x2Splat: 0x14, f64x2ExtractLane: 0x21, f64x2Gt: 0x4a, f64x2Ge: 0x4c, v128And: 0x4e, v128Bitselect: 0x52,
  store64Lane: 0x5b, load64Zero: 0x5d, f32x4DemoteF64x2Zero: 0x5e, f64x2PromoteLowF32x4: 0x5f,
  i64x2Shl: 0xcb,
  f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, f64x2Div: 0xf3, f64x2Max: 0xf5, f64x2Trunc: 0x7a,
} as const;

/** fdlibm e_exp.c constants. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const P = [1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5, -1.65339022054652515390e-6, 4.13813679705723846039e-8] as const;
const U_THRESHOLD = -7.45133219101941108420e2;
/** |x| of the high-word tests hx > 0x3fd62e42 (k ≠ 0) and hx < 0x3ff0a2b2 (k = ±1), and 2^−28. */
const HALF_LN2_WORD = fromHighWord(0x3fd62e43);
const ONE_HALF_LN2_WORD = fromHighWord(0x3ff0a2b2);
const TINY = 2 ** -28;

function fromHighWord(hi: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  return v.getFloat64(0);
}

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const s = (code: number, ...imm: number[]) => [op.simd, ...uleb(code), ...imm];
const f64 = (v: number) => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  return [O.f64Const, ...Array.from(new Uint8Array(b.buffer))];
};
const splat = (v: number) => [...f64(v), ...s(S.f64x2Splat)];
const MEM8 = [3, 0];
/** A loop over `pairs` (local 2) that advances the byte addresses in locals 0 and 1 by 8. */
const pairLoop = (body: number[]) => [
  op.block, VOID, op.loop, VOID,
  ...get(2), O.i32Eqz, op.brIf, 1,
  ...body,
  ...get(0), op.i32Const, 8, op.i32Add, ...set(0),
  ...get(1), op.i32Const, 8, op.i32Add, ...set(1),
  ...get(2), op.i32Const, 1, O.i32Sub, ...set(2),
  op.br, 0, op.end, op.end,
];

function expsBody(): number[] {
  // params: 0 lg, 1 pr, 2 pairs, 3 invT; locals: 4–6 the params saved, 7 sum and 8 max (f64),
  // then v128s: the pair's temporaries and every constant, splatted once before the loops.
  const [LG, PR, PAIRS, SUM, MAX] = [4, 5, 6, 7, 8];
  const [X, KF, HI, LO, R, T, C, Y, VMAX, VINVT] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const constants = [INV_LN2, -0.5, -1, -ONE_HALF_LN2_WORD, 0, -HALF_LN2_WORD, LN2_HI, LN2_LO, ...P, 1, 2, 2 ** 52 + 1000 + 1023, 2 ** -1000, -TINY, U_THRESHOLD];
  const K = new Map(constants.map((v, i) => [v, 19 + i]));
  const c = (v: number) => get(K.get(v) as number);
  const poly = [
    ...get(T), ...c(P[4]), ...s(S.f64x2Mul), ...c(P[3]), ...s(S.f64x2Add),
    ...get(T), ...s(S.f64x2Mul), ...c(P[2]), ...s(S.f64x2Add),
    ...get(T), ...s(S.f64x2Mul), ...c(P[1]), ...s(S.f64x2Add),
    ...get(T), ...s(S.f64x2Mul), ...c(P[0]), ...s(S.f64x2Add),
  ];
  const body = [
    // x = (f64(lg[j]) − max)·invT
    ...get(0), ...s(S.load64Zero, ...MEM8), ...s(S.f64x2PromoteLowF32x4), ...get(VMAX), ...s(S.f64x2Sub), ...get(VINVT), ...s(S.f64x2Mul), ...set(X),
    // k: trunc(invln2·x − 0.5), then −1 and 0 where fdlibm takes its short paths
    ...get(X), ...c(INV_LN2), ...s(S.f64x2Mul), ...c(-0.5), ...s(S.f64x2Add), ...s(S.f64x2Trunc), ...set(KF),
    ...c(-1), ...get(KF), ...get(X), ...c(-ONE_HALF_LN2_WORD), ...s(S.f64x2Gt), ...s(S.v128Bitselect), ...set(KF),
    ...c(0), ...get(KF), ...get(X), ...c(-HALF_LN2_WORD), ...s(S.f64x2Gt), ...s(S.v128Bitselect), ...set(KF),
    // hi = x − k·ln2hi, lo = k·ln2lo, r = hi − lo, t = r²
    ...get(X), ...get(KF), ...c(LN2_HI), ...s(S.f64x2Mul), ...s(S.f64x2Sub), ...set(HI),
    ...get(KF), ...c(LN2_LO), ...s(S.f64x2Mul), ...set(LO),
    ...get(HI), ...get(LO), ...s(S.f64x2Sub), ...set(R),
    ...get(R), ...get(R), ...s(S.f64x2Mul), ...set(T),
    // c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    ...get(R), ...get(T), ...poly, ...s(S.f64x2Mul), ...s(S.f64x2Sub), ...set(C),
    // y = 1 − ((lo − r·c/(2 − c)) − hi)
    ...c(1), ...get(LO), ...get(R), ...get(C), ...s(S.f64x2Mul), ...c(2), ...get(C), ...s(S.f64x2Sub), ...s(S.f64x2Div),
    ...s(S.f64x2Sub), ...get(HI), ...s(S.f64x2Sub), ...s(S.f64x2Sub),
    // ·2^(k+1000)·2^−1000; k + 1000 + 1023 lands in the low bits of 2^52 + k + 2023, then shifts into the exponent
    ...get(KF), ...c(2 ** 52 + 1000 + 1023), ...s(S.f64x2Add), op.i32Const, 52, ...s(S.i64x2Shl),
    ...s(S.f64x2Mul), ...c(2 ** -1000), ...s(S.f64x2Mul), ...set(Y),
    // 1 + x above −2^−28; 0 below the underflow threshold
    ...c(1), ...get(X), ...s(S.f64x2Add), ...get(Y), ...get(X), ...c(-TINY), ...s(S.f64x2Gt), ...s(S.v128Bitselect),
    ...get(X), ...c(U_THRESHOLD), ...s(S.f64x2Ge), ...s(S.v128And), ...set(Y),
    ...get(1), ...get(Y), ...s(S.f32x4DemoteF64x2Zero), ...s(S.store64Lane, ...MEM8, 0),
    ...get(SUM), ...get(Y), ...s(S.f64x2ExtractLane, 0), O.f64Add, ...get(Y), ...s(S.f64x2ExtractLane, 1), O.f64Add, ...set(SUM),
  ];
  const code = [
    ...get(0), ...set(LG), ...get(1), ...set(PR), ...get(2), ...set(PAIRS),
    ...f64(-Infinity), ...s(S.f64x2Splat), ...set(VMAX),
    ...pairLoop([...get(VMAX), ...get(0), ...s(S.load64Zero, ...MEM8), ...s(S.f64x2PromoteLowF32x4), ...s(S.f64x2Max), ...set(VMAX)]),
    ...get(VMAX), ...s(S.f64x2ExtractLane, 0), ...get(VMAX), ...s(S.f64x2ExtractLane, 1), O.f64Max, ...set(MAX),
    // NaN, or an infinite maximum: not this kernel's case
    ...get(MAX), ...get(MAX), O.f64Sub, ...f64(0), O.f64Ne, O.if, VOID, ...f64(NaN), O.return, op.end,
    ...get(LG), ...set(0), ...get(PR), ...set(1), ...get(PAIRS), ...set(2),
    ...get(MAX), ...s(S.f64x2Splat), ...set(VMAX),
    ...get(3), ...s(S.f64x2Splat), ...set(VINVT),
    ...[...K].flatMap(([v, local]) => [...splat(v), ...set(local)]),
    ...f64(0), ...set(SUM),
    ...pairLoop(body),
    ...get(SUM),
    op.end,
  ];
  return [3, 3, I32, 2, F64, ...uleb(10 + K.size), V128, ...code];
}

function accumulateBody(): number[] {
  // params: 0 pr, 1 acc, 2 pairs, 3 inv, 4 w; locals: 5 vInv, 6 vW
  const VINV = 5, VW = 6;
  const body = [
    ...get(1),
    ...get(1), ...s(S.load64Zero, ...MEM8), ...s(S.f64x2PromoteLowF32x4),
    ...get(VW),
    ...get(0), ...s(S.load64Zero, ...MEM8), ...s(S.f64x2PromoteLowF32x4), ...get(VINV), ...s(S.f64x2Mul),
    ...s(S.f32x4DemoteF64x2Zero), ...s(S.f64x2PromoteLowF32x4),
    ...s(S.f64x2Mul), ...s(S.f64x2Add),
    ...s(S.f32x4DemoteF64x2Zero), ...s(S.store64Lane, ...MEM8, 0),
  ];
  const code = [
    ...get(3), ...s(S.f64x2Splat), ...set(VINV),
    ...get(4), ...s(S.f64x2Splat), ...set(VW),
    ...pairLoop(body),
    op.end,
  ];
  return [1, 2, V128, ...code];
}

export function softmaxModuleBytes(): Uint8Array {
  const types = [2, 0x60, 4, I32, I32, I32, F64, 1, F64, 0x60, 5, I32, I32, I32, F64, F64, 0];
  const funcs = [2, 0, 1];
  const memory = [1, 0x00, 1];
  const exports = [3, ...str('memory'), 0x02, 0, ...str('exps'), 0x00, 0, ...str('accumulate'), 0x00, 1];
  const e = expsBody();
  const a = accumulateBody();
  const code = [2, ...uleb(e.length), ...e, ...uleb(a.length), ...a];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(3, funcs),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

/**
 * Three float32 arrays of `n` columns in the kernel's memory (logits in, probabilities out, a
 * mixture accumulator) and the two passes over them; null where WebAssembly SIMD is missing
 * (FemtoEngine then keeps its JS loops, which give the same floats). An odd `n` gets one more
 * column, a logit of −∞: its e is 0, which leaves the sum as it is.
 */
export class SoftmaxKernel {
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  readonly acc: Float32Array;
  private readonly pairs: number;

  private constructor(
    n: number,
    memory: ArrayBuffer,
    private readonly expsFn: (lg: number, pr: number, pairs: number, invT: number) => number,
    private readonly accumulateFn: (pr: number, acc: number, pairs: number, inv: number, w: number) => void,
  ) {
    this.pairs = (n + 1) >> 1;
    const stride = Math.ceil((2 * this.pairs) / 4) * 4;
    new Float32Array(memory, 0, 2 * this.pairs).fill(-Infinity);
    this.logits = new Float32Array(memory, 0, n);
    this.probs = new Float32Array(memory, 4 * stride, n);
    this.acc = new Float32Array(memory, 8 * stride, n);
  }

  static create(n: number): SoftmaxKernel | null {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api || 12 * (n + 4) > 65536) return null;
    try {
      const code = softmaxModuleBytes();
      if (!api.validate(code)) return null;
      const { exports } = new api.Instance(new api.Module(code), {});
      const memory = (exports.memory as { readonly buffer: ArrayBuffer }).buffer;
      return new SoftmaxKernel(n, memory, exports.exps as SoftmaxKernel['expsFn'], exports.accumulate as SoftmaxKernel['accumulateFn']);
    } catch {
      return null;
    }
  }

  /**
   * e^((logits − max)·invT) into `probs`, max the largest logit; returns their sum (double,
   * column order), or NaN if a logit is NaN or the maximum is not finite.
   */
  exps(invT: number): number {
    return this.expsFn(this.logits.byteOffset, this.probs.byteOffset, this.pairs, invT);
  }

  /** acc[j] += w·f32(probs[j]·inv), rounded to float32 as a Float32Array store does. */
  accumulate(inv: number, w: number): void {
    this.accumulateFn(this.probs.byteOffset, this.acc.byteOffset, this.pairs, inv, w);
  }
}
