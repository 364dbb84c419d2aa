import { describe, expect, it } from 'vitest';
import { Random, Tensor, VecMatArena, WasmGemm, matmul, matmulRows, matmulRowsJs, useSimdFor } from './index.js';
import { expectClose, naiveMatmul, randomTensor } from '../testing/evgpuReference.js';

const rng = new Random(99);
const gemm = WasmGemm.create();

describe('WebAssembly SIMD GEMM kernel', () => {
  it('is available on Node (WebAssembly SIMD is on by default since Node 16.4)', () => {
    expect(gemm).not.toBeNull();
  });

  it('matches the naive product on odd shapes, including row and column remainders', () => {
    for (let trial = 0; trial < 30; trial++) {
      const m = 1 + rng.int(45);
      const k = 1 + rng.int(70);
      const n = 1 + rng.int(45);
      const a = randomTensor(rng, [m, k]);
      const b = randomTensor(rng, [k, n]);
      const c = new Float32Array(m * n);
      gemm!.rows(a.data, b.data, c, k, n, 0, m);
      expectClose(c, naiveMatmul(a, b), 1e-4);
    }
  });

  it('computes only the requested row band and leaves the rest of C alone', () => {
    const a = randomTensor(rng, [13, 40]);
    const b = randomTensor(rng, [40, 35]);
    const c = new Float32Array(13 * 35).fill(7);
    gemm!.rows(a.data, b.data, c, 40, 35, 5, 11);
    const full = naiveMatmul(a, b);
    for (let i = 0; i < 13; i++) {
      for (let j = 0; j < 35; j++) {
        const v = c[i * 35 + j] as number;
        if (i >= 5 && i < 11) expect(v).toBeCloseTo(full[i * 35 + j] as number, 4);
        else expect(v).toBe(7);
      }
    }
  });

  it('agrees with the JS kernel on a large product and is picked for it', () => {
    const a = randomTensor(rng, [130, 257]);
    const b = randomTensor(rng, [257, 66]);
    const js = new Float32Array(130 * 66);
    const wasm = new Float32Array(130 * 66);
    matmulRowsJs(a.data, b.data, js, 257, 66, 0, 130);
    matmulRows(a.data, b.data, wasm, 257, 66, 0, 130, true);
    expectClose(wasm, js, 1e-4);
    expect(useSimdFor(130, 257, 66)).toBe(true);
    expect(useSimdFor(1024, 16, 256)).toBe(false);
    expectClose(matmul(a, b).data, js, 1e-4);
  });

  it('grows its memory for bigger products between calls', () => {
    for (const n of [8, 200, 40]) {
      const a = Tensor.full([n, n], 1);
      const c = new Float32Array(n * n);
      gemm!.rows(a.data, a.data, c, n, n, 0, n);
      expect(c.every((v) => v === n)).toBe(true);
    }
  });
});

describe('VecMatArena (vector × small matrix, SIMD or JS)', () => {
  it('computes out += v·W identically enough on both paths, for odd m and several column groups', () => {
    const results: Float32Array[] = [];
    for (const simd of [true, false]) {
      const arena = new VecMatArena();
      const v = arena.alloc(13);
      const w = arena.alloc(13 * 12);
      const out = arena.alloc(12);
      arena.seal(simd);
      expect(arena.usesSimd).toBe(simd);
      const r = new Random(5);
      const vv = arena.view(v, 13);
      const ww = arena.view(w, 13 * 12);
      const oo = arena.view(out, 12);
      vv.forEach((_, i) => (vv[i] = r.next() - 0.5));
      ww.forEach((_, i) => (ww[i] = r.next() - 0.5));
      oo.fill(2);
      arena.vecmat(v, w, out, 13, 3);
      const expected = Array.from({ length: 12 }, (_, j) => 2 + Array.from(vv).reduce((s, x, i) => s + x * (ww[i * 12 + j] as number), 0));
      expectClose(oo, expected, 1e-5);
      results.push(oo.slice());
    }
    expectClose(results[0]!, results[1]!, 1e-6);
  });

  it('refuses allocations after sealing', () => {
    const arena = new VecMatArena();
    arena.alloc(4);
    arena.seal();
    expect(() => arena.alloc(4)).toThrow(/sealed/);
  });
});
