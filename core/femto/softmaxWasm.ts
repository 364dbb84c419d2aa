import { I32, V128, VOID, moduleBytes, op, section, sleb, str, uleb, wasmApi } from '../evgpu/wasm/wasmAssembler.js';

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
const O = {
  if: 0x04, return: 0x0f, i32Sub: 0x6b, i32Eqz: 0x45, f32Const: 0x43, f64Const: 0x44, f32Ne: 0x5c, f64Ne: 0x62,
  f32Add: 0x92, f32Sub: 0x93, f32Max: 0x97, f64Add: 0xa0, f64Sub: 0xa1, f64Max: 0xa5, f32DemoteF64: 0xb6, f64PromoteF32: 0xbb,
} as const;
const S = {
  f64x2Splat: 0x14, f64x2ExtractLane: 0x21, f64x2Gt: 0x4a, f64x2Ge: 0x4c, v128And: 0x4e, v128Bitselect: 0x52,
  store64Lane: 0x5b, load64Zero: 0x5d, f32x4DemoteF64x2Zero: 0x5e, f64x2PromoteLowF32x4: 0x5f,
  i64x2Shl: 0xcb,
  f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, f64x2Div: 0xf3, f64x2Max: 0xf5, f64x2Trunc: 0x7a,
  v128Load: 0x00, v128Store: 0x0b, i32x4Splat: 0x11, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f, f32x4Nearest: 0x6a,
  i32x4Shl: 0xab, i32x4Add: 0xae, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Pmax: 0xeb, i32x4TruncSatF32x4S: 0xf8,
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
/** A loop over a count (local 2) that advances the byte addresses in locals 0 and 1 by `stride`. */
const countedLoop = (stride: number, body: number[]) => [
  op.block, VOID, op.loop, VOID,
  ...get(2), O.i32Eqz, op.brIf, 1,
  ...body,
  ...get(0), op.i32Const, stride, op.i32Add, ...set(0),
  ...get(1), op.i32Const, stride, op.i32Add, ...set(1),
  ...get(2), op.i32Const, 1, O.i32Sub, ...set(2),
  op.br, 0, op.end, op.end,
];
/** Two float32 columns per turn. */
const pairLoop = (body: number[]) => countedLoop(8, body);

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

/** Below this a quick e is clamped (e^−87 is still a normal float32): absolute error < 2e−38. */
export const QUICK_FLOOR = -87;

function quickExpsBody(): number[] {
  // params: 0 lg, 1 ap, 2 quads, 3 invT; locals: 4–6 the params saved (i32), 7 max (f32), then v128s
  const [LG, AP, QUADS, MAX] = [4, 5, 6, 7];
  const [X, T, K, G, VMAX, VINVT, VSUM] = [8, 9, 10, 11, 12, 13, 14];
  const f32 = (v: number) => {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, v, true);
    return [O.f32Const, ...Array.from(new Uint8Array(b.buffer))];
  };
  const c4 = (v: number) => [...f32(v), ...s(S.f32x4Splat)];
  const quadLoop = (body: number[]) => countedLoop(16, body);
  // e^g for |g| ≤ ½ln2 by its Taylor series to g^6 (remainder < 1.3e−7)
  const poly = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1].flatMap((coef, i) => (i === 0 ? c4(coef) : [...get(G), ...s(S.f32x4Mul), ...c4(coef), ...s(S.f32x4Add)]));
  const body = [
    // pmax (one instruction; max's NaN and ±0 rules cost several) gives the same here: a NaN
    // x stays NaN either way (the sum then says so), and the floor is not a zero.
    ...get(0), ...s(S.v128Load, 4, 0), ...get(VMAX), ...s(S.f32x4Sub), ...get(VINVT), ...s(S.f32x4Mul), ...c4(QUICK_FLOOR), ...s(S.f32x4Pmax), ...set(X),
    ...get(X), ...c4(Math.LOG2E), ...s(S.f32x4Mul), ...set(T),
    ...get(T), ...s(S.f32x4Nearest), ...set(K),
    ...get(T), ...get(K), ...s(S.f32x4Sub), ...c4(Math.LN2), ...s(S.f32x4Mul), ...set(G),
    ...get(1),
    ...poly,
    // 2^k from k's bits: k is a whole number in [−126, 0], so k + (2^23 + 127) is exact and
    // its low mantissa bits are k + 127; shifted into the exponent field, the rest falls off.
    ...get(K), ...c4(2 ** 23 + 127), ...s(S.f32x4Add), op.i32Const, 23, ...s(S.i32x4Shl),
    ...s(S.f32x4Mul), ...set(X),
    ...get(X), ...s(S.v128Store, 4, 0),
    ...get(VSUM), ...get(X), ...s(S.f32x4Add), ...set(VSUM),
  ];
  const lanes = (v: number, f: number) => [0, 1, 2, 3].flatMap((l) => (l === 0 ? [...get(v), ...s(S.f32x4ExtractLane, 0)] : [...get(v), ...s(S.f32x4ExtractLane, l), f]));
  const code = [
    ...get(0), ...set(LG), ...get(1), ...set(AP), ...get(2), ...set(QUADS),
    ...c4(-Infinity), ...set(VMAX),
    // The maximum by pmax: a NaN logit is passed over here, and its NaN e makes the sum NaN.
    ...quadLoop([...get(VMAX), ...get(0), ...s(S.v128Load, 4, 0), ...s(S.f32x4Pmax), ...set(VMAX)]),
    ...lanes(VMAX, O.f32Max), ...set(MAX),
    ...get(MAX), ...get(MAX), O.f32Sub, ...f32(0), O.f32Ne, O.if, VOID, ...f64(NaN), O.return, op.end,
    ...get(LG), ...set(0), ...get(AP), ...set(1), ...get(QUADS), ...set(2),
    ...get(MAX), ...s(S.f32x4Splat), ...set(VMAX),
    ...get(3), O.f32DemoteF64, ...s(S.f32x4Splat), ...set(VINVT),
    ...c4(0), ...set(VSUM),
    ...quadLoop(body),
    ...lanes(VSUM, O.f32Add), O.f64PromoteF32,
    op.end,
  ];
  return [3, 3, I32, 1, 0x7d, 7, V128, ...code];
}

function quickAccumulateBody(): number[] {
  // params: 0 ap, 1 mix, 2 quads, 3 c: mix += c·ap in float32
  const C = 4;
  const body = [...get(1), ...get(1), ...s(S.v128Load, 4, 0), ...get(0), ...s(S.v128Load, 4, 0), ...get(C), ...s(S.f32x4Mul), ...s(S.f32x4Add), ...s(S.v128Store, 4, 0)];
  const code = [
    ...get(3), O.f32DemoteF64, ...s(S.f32x4Splat), ...set(C),
    op.block, VOID, op.loop, VOID,
    ...get(2), O.i32Eqz, op.brIf, 1,
    ...body,
    ...get(0), op.i32Const, 16, op.i32Add, ...set(0),
    ...get(1), op.i32Const, 16, op.i32Add, ...set(1),
    ...get(2), op.i32Const, 1, O.i32Sub, ...set(2),
    op.br, 0, op.end, op.end,
    op.end,
  ];
  return [1, 1, V128, ...code];
}

/**
 * The module; `importMemory`: over a memory imported as env.memory (another kernel's, so the
 * passes read arrays where that kernel left them) instead of one of its own.
 */
export function softmaxModuleBytes(importMemory = false): Uint8Array {
  const types = [3, 0x60, 4, I32, I32, I32, F64, 1, F64, 0x60, 5, I32, I32, I32, F64, F64, 0, 0x60, 4, I32, I32, I32, F64, 0];
  const funcs = [4, 0, 1, 0, 2];
  const memory = [1, 0x00, 1];
  const imports = [1, ...str('env'), ...str('memory'), 0x02, 0x00, 1];
  const names = ['exps', 'accumulate', 'quickExps', 'quickAccumulate'];
  const exports = [1 + names.length, ...str('memory'), 0x02, 0, ...names.flatMap((name, i) => [...str(name), 0x00, i])];
  const bodies = [expsBody(), accumulateBody(), quickExpsBody(), quickAccumulateBody()];
  const code = [bodies.length, ...bodies.flatMap((b) => [...uleb(b.length), ...b])];
  return moduleBytes(
    section(1, types),
    importMemory ? section(2, imports) : [],
    section(3, funcs),
    importMemory ? [] : section(5, memory),
    section(7, exports),
    section(10, code),
  );
}

/**
 * Float32 arrays of `n` columns in the kernel's memory (logits in, probabilities out, a mixture
 * accumulator, and the quick pass's e and mixture) and the passes over them; null where
 * WebAssembly SIMD is missing (FemtoEngine then keeps its JS loops, which give the same floats).
 * Columns are padded to a multiple of four with logits of −∞: their exact e is 0, which leaves
 * the sum as it is, and the quick pass's are below 2e−38.
 */
export class SoftmaxKernel {
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  readonly acc: Float32Array;
  readonly quick: Float32Array;
  readonly quickMix: Float32Array;
  private readonly pairs: number;
  private readonly quads: number;

  private constructor(
    n: number,
    memory: ArrayBuffer,
    base: number,
    private readonly expsFn: (lg: number, pr: number, pairs: number, invT: number) => number,
    private readonly accumulateFn: (pr: number, acc: number, pairs: number, inv: number, w: number) => void,
    private readonly quickExpsFn: (lg: number, ap: number, quads: number, invT: number) => number,
    private readonly quickAccumulateFn: (ap: number, mix: number, quads: number, c: number) => void,
  ) {
    this.pairs = (n + 1) >> 1;
    this.quads = (n + 3) >> 2;
    const stride = 4 * this.quads;
    new Float32Array(memory, base, stride).fill(-Infinity);
    this.logits = new Float32Array(memory, base, n);
    this.probs = new Float32Array(memory, base + 4 * stride, n);
    this.acc = new Float32Array(memory, base + 8 * stride, n);
    this.quick = new Float32Array(memory, base + 12 * stride, n);
    this.quickMix = new Float32Array(memory, base + 16 * stride, stride);
  }

  /** Floats the kernel's arrays take for `n` columns (what `create` needs at `at` in a shared memory). */
  static floats(n: number): number {
    return 20 * ((n + 3) >> 2);
  }

  /**
   * The kernel for `n` columns, in a memory of its own, or with `shared` in that memory (its
   * arrays at byte `at`, SoftmaxKernel.floats(n) floats, 16-byte aligned; the memory must not grow).
   */
  static create(n: number, shared: { readonly memory: object; readonly at: number } | null = null): SoftmaxKernel | null {
    const api = wasmApi();
    if (!api || (shared === null && 20 * (n + 4) > 65536)) return null;
    try {
      const code = softmaxModuleBytes(shared !== null);
      if (!api.validate(code)) return null;
      const { exports } = new api.Instance(new api.Module(code), shared === null ? {} : { env: { memory: shared.memory } });
      const memory = (exports.memory as { readonly buffer: ArrayBuffer }).buffer;
      const fn = <T>(name: string) => exports[name] as T;
      return new SoftmaxKernel(n, memory, shared?.at ?? 0, fn('exps'), fn('accumulate'), fn('quickExps'), fn('quickAccumulate'));
    } catch {
      return null;
    }
  }

  /**
   * `exps` over `pairs` pairs of float32 at byte address `lg` of the kernel's memory, into `pr`
   * (the same address works: each pair is read before it is written). The columns past the real
   * ones must hold −∞. For arrays that live elsewhere in a shared memory (attention's scores,
   * the head's logits): no copy into `logits`.
   */
  expsAt(lg: number, pr: number, pairs: number, invT: number): number {
    return this.expsFn(lg, pr, pairs, invT);
  }

  /** `quickExps` over the logits at byte address `lg` (four columns at a time; past the real ones −∞). */
  quickExpsAt(lg: number, invT: number): number {
    return this.quickExpsFn(lg, this.quick.byteOffset, this.quads, invT);
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

  /**
   * The same e as `exps`, approximately, into `quick`, four columns at a time in float32: within
   * 1e−4 relative of the exact e, or below 2e−38 where the argument is under QUICK_FLOOR
   * (softmaxWasm.test.ts checks the bound). Returns their sum (within 1e−4), or NaN as `exps`.
   */
  quickExps(invT: number): number {
    return this.quickExpsFn(this.logits.byteOffset, this.quick.byteOffset, this.quads, invT);
  }

  /** quickMix += c·quick (float32). */
  quickAccumulate(c: number): void {
    this.quickAccumulateFn(this.quick.byteOffset, this.quickMix.byteOffset, this.quads, c);
  }
}
