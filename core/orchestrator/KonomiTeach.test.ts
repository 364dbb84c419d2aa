import { describe, expect, it } from 'vitest';
import { FemtoLlmFactory } from '../femto/FemtoLlm.js';
import { isCoreError } from '../errors/CoreError.js';
import { Konomi } from './Konomi.js';
import { MemoryStore } from '../store/MemoryStore.js';

const TEXT = 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n'.repeat(2);
const factory = new FemtoLlmFactory();

describe('Konomi.teachLlm', () => {
  it('teaches only the model at the coordinate, reports progress per step, and shows it in llmView', async () => {
    const k = await Konomi.open({ llmFactory: factory, gridDims: { x: 16, y: 16, z: 16 } });
    const progress: { step: number; steps: number; loss: number }[] = [];
    const r = await k.llm.teach(1, 2, 3, TEXT, { steps: 8, onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ x: 1, y: 2, z: 3, id: 'llm:1,2,3', steps: 8, stoppedEarly: false });
    expect(r.bitsAfter).toBeLessThan(r.bitsBefore);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p.steps === 8 && p.loss > 0)).toBe(true);
    expect(k.llm.view(1, 2, 3)).toEqual({ taught: true, steps: 8, textBytes: TEXT.length, bitsBefore: r.bitsBefore, bitsAfter: r.bitsAfter });
    expect(k.llm.view(1, 2, 4)).toEqual({ taught: false });
    await k.close();
  });

  it('teaches the cube vertex living at the coordinate too (it is the same FemtoLLM), now and after a restart', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ llmFactory: factory, store });
    const cube = await k.cubes.create(0, 0, 0);
    const neuBefore = cube.node('NEU').lesson?.();
    expect(neuBefore).toBeNull();
    // NEU sits at origin + (2, 2, 2).
    await k.llm.teach(2, 2, 2, TEXT, { steps: 5 });
    const lesson = k.llm.at(2, 2, 2).lesson?.();
    expect(cube.node('NEU').lesson?.()).toEqual(lesson);
    expect(cube.node('SWD').lesson?.()).toBeNull();
    await k.close();
    store.reopen();
    const r = await Konomi.open({ llmFactory: factory, store });
    expect(r.cubes.cube(cube.id).node('NEU').lesson?.()).toEqual(lesson);
    expect(r.cubes.cube(cube.id).node('NED').lesson?.()).toBeNull();
    await r.close();
  });

  it('stops at the time budget with the steps done, on its own clock', async () => {
    let now = 0;
    // Each reading of the clock advances it 1 ms: a budget of 5 ms allows a few steps only.
    const k = await Konomi.open({ llmFactory: factory, teachBudgetMs: 5, teachClock: () => now++ });
    const r = await k.llm.teach(0, 0, 0, TEXT, { steps: 1000 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBeGreaterThan(0);
    expect(r.steps).toBeLessThan(10);
    expect(k.llm.view(0, 0, 0)).toMatchObject({ taught: true, steps: r.steps });
    await k.close();
  });

  it('runs teachings one after another and yields to the host between steps', async () => {
    let yields = 0;
    const k = await Konomi.open({ llmFactory: factory, yieldToHost: async () => void yields++ });
    const order: string[] = [];
    const a = k.llm.teach(1, 1, 1, TEXT, { steps: 20, onProgress: (p) => p.step === 20 && order.push('a') });
    const b = k.llm.teach(2, 2, 2, TEXT, { steps: 20, onProgress: (p) => p.step === 1 && order.push('b') });
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(yields).toBe(4);
    await k.close();
  });

  it('refuses bad requests before any work, and a model that cannot learn with UNSUPPORTED', async () => {
    const k = await Konomi.open({ llmFactory: factory, gridDims: { x: 8, y: 8, z: 8 } });
    const code = async (p: () => Promise<unknown>) => {
      try {
        await p();
      } catch (e) {
        return isCoreError(e) ? e.code : String(e);
      }
      return 'none';
    };
    expect(await code(() => k.llm.teach(0, 0, 0, 'a'))).toBe('BAD_VALUE');
    expect(await code(() => k.llm.teach(0, 0, 0, 'a'.repeat(4097)))).toBe('TOO_LARGE');
    expect(await code(() => k.llm.teach(0, 0, 0, TEXT, { steps: 0 }))).toBe('OUT_OF_RANGE');
    expect(await code(() => k.llm.teach(0, 0, 0, TEXT, { steps: 1001 }))).toBe('OUT_OF_RANGE');
    expect(await code(() => k.llm.teach(8, 0, 0, TEXT))).toBe('OUT_OF_RANGE');
    await k.close();
    const placeholder = await Konomi.open();
    expect(await code(() => placeholder.llm.teach(0, 0, 0, TEXT))).toBe('UNSUPPORTED');
    await placeholder.close();
  });
});
