import { describe, expect, it } from 'vitest';
import { Random } from '../evgpu/Random.js';
import { SampleKernel, sampleModuleBytes } from './sampleWasm.js';

// FemtoLLM's sampled answers are pinned to the bits of sample's running sums
// (tests/core/cubeGolden.test.ts): the kernel must give every cum[j] and the sum exactly as
// FemtoEngine's JS loop does, whatever the logits and the temperature.

const STEPS = 1024;
const CUTOFF = 16;
/** The engine's table (FemtoEngine's EXP_TABLE): e^(−i/1024) as float32. */
const TABLE = Float32Array.from({ length: CUTOFF * STEPS + 1 }, (_, i) => Math.exp(-i / STEPS));
const LIMIT = CUTOFF * STEPS;

/** FemtoEngine.sample's JS pass, as it was before the kernel: what the kernel must give. */
function reference(logits: Float32Array, n: number, scale: number): { cum: Float64Array; sum: number } {
  const cum = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) if ((logits[j] as number) > max) max = logits[j] as number;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const f = (max - (logits[j] as number)) * scale;
    if (f < LIMIT) sum += TABLE[(f + 0.5) | 0] as number;
    cum[j] = sum;
  }
  return { cum, sum };
}

const MAX_COLUMNS = 1024;
const memory = new WebAssembly.Memory({ initial: 3 });
const kernel = SampleKernel.create(memory, TABLE.length);
// Byte addresses in the memory: logits (padded to four), the table and its 0, the sums.
const LG = 0;
const TAB = 4 * MAX_COLUMNS;
const CUM = TAB + 4 * (TABLE.length + 3);
new Float32Array(memory.buffer, TAB, TABLE.length + 1).set(TABLE);

/** The kernel over `logits`, the padding −∞ as the engine sets it. */
function viaKernel(logits: Float32Array, scale: number): { cum: Float64Array; sum: number } {
  const n = logits.length;
  const quads = Math.ceil(n / 4);
  const lg = new Float32Array(memory.buffer, LG, 4 * quads);
  lg.fill(-Infinity);
  lg.set(logits);
  const cumView = new Float64Array(memory.buffer, CUM, 4 * quads);
  cumView.fill(12345);
  const sum = (kernel as SampleKernel).cumulate(LG, TAB, CUM, quads, scale, LIMIT);
  return { cum: cumView.slice(0, n), sum };
}

/** Compares bits: Object.is tells NaN and ±0 apart, as toEqual on arrays may not. */
function expectSame(logits: Float32Array, scale: number): void {
  const want = reference(logits, logits.length, scale);
  const got = viaKernel(logits, scale);
  expect(Object.is(got.sum, want.sum)).toBe(true);
  for (let j = 0; j < logits.length; j++) {
    if (!Object.is(got.cum[j], want.cum[j])) throw new Error(`column ${j} of ${logits.length}: ${got.cum[j]} vs ${want.cum[j]} (scale ${scale})`);
  }
}

/** Scales as sample computes them: (1 / max(temperature, 1e−3))·1024. */
const scaleFor = (temperature: number) => (1 / Math.max(temperature, 1e-3)) * STEPS;
const TEMPERATURES = [0.25, 0.45, 0.85, 1.05, 1e-4, 3, 1e6, Infinity, NaN, -1];

describe('the sample kernel', () => {
  it('is built and validates here', () => {
    expect(kernel).not.toBeNull();
    expect(WebAssembly.validate(new Uint8Array(sampleModuleBytes(TABLE.length)))).toBe(true);
  });

  it('gives the JS pass bit for bit on random logits, every column count and temperature', () => {
    const rng = new Random(16);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 64, 505, 506, 507, 1023]) {
      for (const t of TEMPERATURES) {
        // Spreads from a few tenths to tens, so some columns fall past the cutoff and indices
        // land on every kind of table step.
        const spread = 0.5 + 30 * rng.next();
        const logits = Float32Array.from({ length: n }, () => (rng.next() - 0.5) * spread);
        expectSame(logits, scaleFor(t));
      }
    }
  });

  it('lands on the same table entry at half-step boundaries', () => {
    // f + ½ exactly at and around whole numbers: the truncation must match JS's `| 0`.
    const logits = new Float32Array(256);
    for (let j = 0; j < logits.length; j++) logits[j] = -j / 2048;
    for (const scale of [1024, 2048, 1024 * 1.0000001, 1024 * 0.9999999]) expectSame(logits, scale);
    const near = Float32Array.from({ length: 64 }, (_, j) => -(LIMIT / 1024) + (j - 32) * 2 ** -16);
    near[0] = 0;
    expectSame(near, 1024);
  });

  it('handles NaN, ±Infinity, ±0, ties and columns of zero weight as the JS pass does', () => {
    const cases: number[][] = [
      [NaN],
      [-Infinity],
      [Infinity],
      [0],
      [-0, 0, -0],
      [NaN, NaN, NaN, NaN, NaN],
      [-Infinity, -Infinity, -Infinity],
      [1, NaN, 2, NaN, 0.5],
      [NaN, 3, -Infinity, 2.5, Infinity, 1],
      [Infinity, 1, Infinity, -Infinity, NaN],
      [-Infinity, 1, -Infinity, 1, 1],
      [5, 5, 5, 5, 5, 5, 5],
      // one column carries the weight, the rest lie past the cutoff: zero weights
      [100, -100, -50, -1e30, 3e38, -3e38],
      [0, -100, -200, -300, -400, -500, -600, -700, -800],
      [-3.4e38, 3.4e38, 0, -1e-45, 1e-45],
    ];
    for (const c of cases) for (const t of TEMPERATURES) expectSame(Float32Array.from(c), scaleFor(t));
  });

  it('ignores the padding, which the engine sets to −∞', () => {
    // All logits below 0: a padding of 0 would have been the maximum.
    const logits = Float32Array.from({ length: 5 }, (_, j) => -10 - j);
    expectSame(logits, scaleFor(0.85));
    expect(viaKernel(logits, scaleFor(0.85)).sum).toBeGreaterThan(0.99);
  });

  it('refuses to run without a memory', () => {
    expect(SampleKernel.create(null, TABLE.length)).toBeNull();
  });
});
