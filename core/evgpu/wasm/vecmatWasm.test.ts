import { describe, expect, it } from 'vitest';
import { Random } from '../Random.js';
import { VecMatArena } from './VecMatArena.js';

// The kernel takes rows eight, four and one at a time; FemtoLLM's answers are pinned to its bits
// (tests/core/cubeGolden.test.ts), so every row count must round as one f32 product and one f32
// sum per row, rows in order.

/** out[j] ← f32(out[j] + f32(v[i]·W[i][j])) for i = 0..m−1: what the kernel must give, bit for bit. */
function reference(v: Float32Array, w: Float32Array, out: Float32Array, m: number, n: number): Float32Array {
  const r = out.slice();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) r[j] = Math.fround((r[j] as number) + Math.fround((v[i] as number) * (w[i * n + j] as number)));
  }
  return r;
}

describe('the vecmat kernel', () => {
  const arena = new VecMatArena();
  const at = { v: arena.alloc(70), w: arena.alloc(70 * 520), out: arena.alloc(520) };
  arena.seal(true);

  it('runs on WebAssembly SIMD here', () => {
    expect(arena.usesSimd).toBe(true);
  });

  it('gives the bits of one rounded product and sum per row, rows in order, for every row count', () => {
    const rng = new Random(16);
    let differences = 0;
    for (const m of [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 40, 64, 65, 70]) {
      for (const n4 of [1, 3, 4, 12, 16, 130]) {
        const n = 4 * n4;
        const v = arena.view(at.v, m);
        const w = arena.view(at.w, m * n);
        const out = arena.view(at.out, n);
        // Mixed magnitudes, so a different order or a fused product would round differently.
        for (let i = 0; i < m; i++) v[i] = (rng.next() - 0.5) * 2 ** (rng.int(20) - 10);
        for (let k = 0; k < m * n; k++) w[k] = (rng.next() - 0.5) * 2 ** (rng.int(20) - 10);
        for (let j = 0; j < n; j++) out[j] = rng.next() - 0.5;
        const want = reference(v, w, out, m, n);
        arena.vecmat(at.v, at.w, at.out, m, n4);
        for (let j = 0; j < n; j++) if (!Object.is(out[j], want[j])) differences++;
      }
    }
    expect(differences).toBe(0);
  });

  it('leaves the outputs past 4·n4 alone', () => {
    const out = arena.view(at.out, 12);
    out.fill(7);
    arena.view(at.v, 9).fill(1);
    arena.view(at.w, 9 * 4).fill(1);
    arena.vecmat(at.v, at.w, at.out, 9, 1);
    expect(Array.from(out)).toEqual([16, 16, 16, 16, 7, 7, 7, 7, 7, 7, 7, 7]);
  });

  it('shares its memory with other kernels on WebAssembly, and has none on the JS path', () => {
    const memory = arena.wasmMemory as { readonly buffer: ArrayBuffer } | null;
    expect(memory).not.toBeNull();
    // What another module reads through the memory is what the arena's views hold.
    arena.view(at.out, 1)[0] = 42.5;
    expect(new Float32Array((memory as { readonly buffer: ArrayBuffer }).buffer, 4 * at.out, 1)[0]).toBe(42.5);
    const js = new VecMatArena();
    js.alloc(4);
    js.seal(false);
    expect(js.wasmMemory).toBeNull();
  });
});
