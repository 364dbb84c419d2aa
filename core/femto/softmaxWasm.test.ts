import { describe, expect, it } from 'vitest';
import { Random } from '../evgpu/Random.js';
import { SoftmaxKernel } from './softmaxWasm.js';

/** FemtoEngine's JS loops, the reference the kernel must match bit for bit. */
function reference(logits: Float32Array, invT: number): { probs: Float32Array; sum: number } {
  const probs = new Float32Array(logits.length);
  let max = -Infinity;
  for (let j = 0; j < logits.length; j++) if ((logits[j] as number) > max) max = logits[j] as number;
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    const e = Math.exp(((logits[j] as number) - max) * invT);
    probs[j] = e;
    sum += e;
  }
  return { probs, sum };
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
}

function nextUp(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + (x >= 0 ? 1n : -1n));
  return v.getFloat64(0);
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

describe('SoftmaxKernel', () => {
  const n = 511;
  const kernel = SoftmaxKernel.create(n);

  it('exists where WebAssembly SIMD does (Node 20)', () => {
    expect(kernel).not.toBeNull();
  });

  const check = (logits: Float32Array, invT: number) => {
    const k = kernel as SoftmaxKernel;
    k.logits.set(logits);
    const sum = k.exps(invT);
    const want = reference(logits, invT);
    expect(Object.is(sum, want.sum)).toBe(true);
    expect(bits(k.probs)).toEqual(bits(want.probs));
  };

  it('gives Math.exp bit for bit on random logits and temperatures', () => {
    const rng = new Random(16);
    const logits = new Float32Array(n);
    for (let round = 0; round < 400; round++) {
      const spread = [0.001, 1, 10, 40, 300, 2000][round % 6] as number;
      for (let j = 0; j < n; j++) logits[j] = (rng.next() - 0.5) * spread;
      if (round % 5 === 0) logits[round % n] = -Infinity;
      check(logits, 1 / Math.max(0.25 + 1.2 * rng.next(), 1e-3));
    }
  });

  it('takes fdlibm exp branches exactly at their edges', () => {
    // x = −invT for a logit of −1 under a maximum of 0: walk invT across each branch edge.
    const highWord = (hi: number) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setUint32(0, hi);
      return v.getFloat64(0);
    };
    const edges = [2 ** -28, 0.5 * Math.LN2, highWord(0x3fd62e43), 1.5 * Math.LN2, highWord(0x3ff0a2b2), 708.39, 709.78, 745.13, 745.1332191019411, 746, 0];
    const logits = new Float32Array(n).fill(-1);
    for (let j = 0; j < n; j += 7) logits[j] = -2;
    logits[0] = 0;
    for (const edge of edges) {
      let lo = edge;
      let hi = edge;
      for (let i = 0; i < 8; i++) {
        lo = nextDown(lo);
        hi = nextUp(hi);
        for (const invT of [lo, edge, hi]) if (invT > 0) check(logits, invT);
      }
    }
  });

  it('matches densely around each branch edge', () => {
    // x = −(1 − j·2^−24)·invT under a maximum of 0, with invT near an edge: 510 arguments a
    // float32 step apart just inside the edge, moved about by invT.
    const rng = new Random(28);
    const logits = new Float32Array(n);
    for (let j = 1; j < n; j++) logits[j] = -(1 - j * 2 ** -24);
    for (const edge of [2 ** -28, 0.5 * Math.LN2, 0.3465735912322998, 1.5 * Math.LN2, 1.0397207736968994, 708.3964185322641, 745.1332191019411]) {
      for (let round = 0; round < 60; round++) check(logits, edge * (1 + (rng.next() - 0.3) * 4e-5));
      // The high-word edges sit within 1e-10 of ½ln2 and 1.5 ln2: aim column 1 at a spot that close.
      for (let round = 0; round < 400; round++) check(logits, (edge * (1 + (rng.next() - 0.5) * 6e-9)) / (1 - 2 ** -24));
    }
  });

  it('says NaN for NaN logits or no finite maximum, where the engine computes in JS', () => {
    const k = kernel as SoftmaxKernel;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const at of [0, 1, 2, 3, 4, 200, n - 2, n - 1]) {
        for (const rest of [0, -3, 5]) {
          k.logits.fill(rest);
          k.logits[at] = bad;
          expect(k.exps(1)).toBeNaN();
          expect(k.quickExps(1)).toBeNaN();
        }
      }
    }
    k.logits.fill(Number.NEGATIVE_INFINITY);
    expect(k.exps(1)).toBeNaN();
    expect(k.quickExps(1)).toBeNaN();
  });

  it('gives quick exps within the bound quickDraw relies on', () => {
    // FemtoEngine's QUICK_ERROR assumes e within 2e−5 (relative) above the quick floor, under
    // 2e−38 below it, and the sum within 3e−5.
    const k = kernel as SoftmaxKernel;
    const rng = new Random(87);
    const logits = new Float32Array(n);
    for (let round = 0; round < 600; round++) {
      const spread = [0.01, 1, 10, 40, 200, 3000][round % 6] as number;
      for (let j = 0; j < n; j++) logits[j] = (rng.next() - 0.5) * spread;
      if (round % 5 === 0) logits[round % n] = -Infinity;
      const invT = (1 / Math.max(0.25 + 1.2 * rng.next(), 1e-3)) * (round % 13 === 0 ? 300 : 1);
      k.logits.set(logits);
      const sum = k.exps(invT);
      const quick = k.quickExps(invT);
      expect(Math.abs(quick - sum)).toBeLessThanOrEqual(3e-5 * sum);
      for (let j = 0; j < n; j++) {
        const e = k.probs[j] as number;
        const q = k.quick[j] as number;
        if (e >= Math.exp(-87)) expect(Math.abs(q - e)).toBeLessThanOrEqual(2e-5 * e);
        else expect(Math.abs(q - e)).toBeLessThan(2e-38);
      }
    }
    k.quickMix.fill(0);
    k.quickAccumulate(0.25);
    k.quickAccumulate(0.5);
    for (let j = 0; j < n; j++) expect(k.quickMix[j]).toBeCloseTo(0.75 * (k.quick[j] as number), 6);
  });

  it('accumulates a mixture as the float32 JS loop does', () => {
    const k = kernel as SoftmaxKernel;
    const rng = new Random(7);
    const want = new Float32Array(n);
    k.acc.fill(0);
    for (let m = 0; m < 8; m++) {
      for (let j = 0; j < n; j++) k.probs[j] = rng.next() ** 6;
      const inv = 1 / (1 + 50 * rng.next());
      const w = rng.next() / 8;
      k.accumulate(inv, w);
      for (let j = 0; j < n; j++) want[j] = (want[j] as number) + w * Math.fround((k.probs[j] as number) * inv);
    }
    expect(bits(k.acc)).toEqual(bits(want));
  });
});

/**
 * The quick pass step by step in float32 (Math.fround after every operation), for all columns
 * of `quads` groups of four (past `logits.length` the kernel's −∞ padding): its e and its sum
 * (four lane sums, then lane 0 + 1 + 2 + 3).
 */
function quickReference(logits: Float32Array, quads: number, invT: number): { quick: Float32Array; sum: number } {
  const f = Math.fround;
  const at = (j: number) => (j < logits.length ? (logits[j] as number) : -Infinity);
  let max = -Infinity;
  for (let j = 0; j < 4 * quads; j++) max = Math.max(max, at(j));
  const inv = f(invT);
  const coef = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1].map(f);
  const quick = new Float32Array(4 * quads);
  const lanes = [0, 0, 0, 0];
  for (let j = 0; j < 4 * quads; j++) {
    const x = Math.max(f(f(at(j) - max) * inv), -87);
    const t = f(x * f(Math.LOG2E));
    const fl = Math.floor(t);
    const k = t - fl > 0.5 || (t - fl === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
    const g = f(f(t - k) * f(Math.LN2));
    let p = coef[0] as number;
    for (let i = 1; i < coef.length; i++) p = f(f(p * g) + (coef[i] as number));
    quick[j] = f(p * 2 ** k);
    lanes[j & 3] = f((lanes[j & 3] as number) + (quick[j] as number));
  }
  return { quick, sum: f(f(f((lanes[0] as number) + (lanes[1] as number)) + (lanes[2] as number)) + (lanes[3] as number)) };
}

describe('the quick pass, bit for bit', () => {
  it('computes each step in float32 as written (quickDraw\'s bound is proven for these steps)', () => {
    const n = 509;
    const k = SoftmaxKernel.create(n) as SoftmaxKernel;
    const quads = (n + 3) >> 2;
    const rng = new Random(33);
    const logits = new Float32Array(n);
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const spread = [0.01, 1, 10, 40, 200, 3000][round % 6] as number;
      for (let j = 0; j < n; j++) logits[j] = (rng.next() - 0.5) * spread;
      if (round % 5 === 0) logits[round % n] = -Infinity;
      const invT = (1 / Math.max(0.25 + 1.2 * rng.next(), 1e-3)) * (round % 13 === 0 ? 300 : 1);
      k.logits.set(logits);
      const sum = k.quickExps(invT);
      const want = quickReference(logits, quads, invT);
      expect(bits(k.quick)).toEqual(bits(want.quick.subarray(0, n)));
      expect(sum).toBe(want.sum);
      compared += n;
    }
    expect(compared).toBeGreaterThan(100_000);
  });
});

describe('SoftmaxKernel in a shared memory (FemtoEngine binds it to its arena)', () => {
  const n = 505;
  const memory = new WebAssembly.Memory({ initial: 2 });
  // Byte addresses: scores or logits read in place, then the kernel's arrays, then a guard.
  const SCORES = 0;
  const AT = 4096;
  const GUARD = AT + 4 * SoftmaxKernel.floats(n);
  const shared = SoftmaxKernel.create(n, { memory, at: AT });
  const own = SoftmaxKernel.create(n);
  const f32 = (at: number, len: number) => new Float32Array(memory.buffer, at, len);

  it('exists, with its arrays where it was told', () => {
    expect(shared).not.toBeNull();
    expect((shared as SoftmaxKernel).logits.byteOffset).toBe(AT);
    expect((shared as SoftmaxKernel).quickMix.byteOffset + (shared as SoftmaxKernel).quickMix.byteLength).toBeLessThanOrEqual(GUARD);
  });

  it("gives attention's softmax in place bit for bit: Math.exp(score − max), the sum in slot order, every count", () => {
    const k = shared as SoftmaxKernel;
    const rng = new Random(7);
    f32(GUARD, 16).fill(3.25);
    for (let count = 1; count <= 64; count++) {
      for (const spread of [0.01, 1, 8, 60]) {
        const scores = f32(SCORES, 64);
        for (let t = 0; t < 64; t++) scores[t] = (rng.next() - 0.5) * spread;
        const want = reference(scores.slice(0, count), 1);
        // What FemtoEngine.step does: an odd count reads one stale slot more, set to −∞.
        if (count % 2 === 1) scores[count] = -Infinity;
        const stale = scores.slice(count + 1);
        const sum = k.expsAt(SCORES, SCORES, (count + 1) >> 1, 1);
        expect(Object.is(sum, want.sum)).toBe(true);
        expect(bits(scores.slice(0, count))).toEqual(bits(want.probs));
        expect(bits(scores.slice(count + 1))).toEqual(bits(stale));
      }
    }
    expect(Array.from(f32(GUARD, 16))).toEqual(new Array<number>(16).fill(3.25));
  });

  it('hands back (NaN, nothing written) on NaN or an infinite maximum, where the engine takes its JS loop', () => {
    const k = shared as SoftmaxKernel;
    for (const bad of [[0.5, NaN, 1], [Infinity, 1, 2, 3], [-Infinity, -Infinity], [NaN]]) {
      const scores = f32(SCORES, 8);
      scores.fill(-Infinity);
      scores.set(bad);
      const before = scores.slice();
      expect(Number.isNaN(k.expsAt(SCORES, SCORES, (bad.length + 1) >> 1, 1))).toBe(true);
      expect(bits(scores)).toEqual(bits(before));
    }
  });

  it('reads logits in place as the own-memory kernel reads its copy: exact and quick passes, bit for bit', () => {
    const k = shared as SoftmaxKernel;
    const o = own as SoftmaxKernel;
    const rng = new Random(9);
    const pad = 4 * Math.ceil(n / 4);
    for (let round = 0; round < 60; round++) {
      const logits = f32(SCORES, pad);
      logits.fill(-Infinity);
      for (let j = 0; j < n; j++) logits[j] = (rng.next() - 0.5) * [1, 10, 40][round % 3]!;
      if (round % 7 === 0) logits[round % n] = -Infinity;
      const invT = 1 / (0.25 + 1.2 * rng.next());
      o.logits.set(logits.subarray(0, n));
      const wantSum = o.exps(invT);
      // Over the padding too (pairs of the padded width), as FemtoEngine.exps reads its logits.
      const sum = k.expsAt(SCORES, k.probs.byteOffset, pad / 2, invT);
      expect(Object.is(sum, wantSum)).toBe(true);
      expect(bits(k.probs)).toEqual(bits(o.probs));
      const wantQuick = o.quickExps(invT);
      expect(Object.is(k.quickExpsAt(SCORES, invT), wantQuick)).toBe(true);
      expect(bits(k.quick)).toEqual(bits(o.quick));
    }
  });
});
