import { describe, expect, it } from 'vitest';
import { ByteBatcher } from './ByteBatcher.js';

describe('ByteBatcher', () => {
  it('delivers bytes pushed in one tick as one chunk, in order, after growing its buffer', async () => {
    const chunks: number[][] = [];
    const batcher = new ByteBatcher((chunk) => chunks.push([...chunk]), 2);
    for (let i = 0; i < 1000; i++) batcher.push(i);
    expect(chunks).toEqual([]);
    await Promise.resolve();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual(Array.from({ length: 1000 }, (_, i) => i & 0xff));
  });

  it('starts a new chunk in the next tick and never delivers empty chunks', async () => {
    const chunks: number[][] = [];
    const batcher = new ByteBatcher((chunk) => chunks.push([...chunk]));
    batcher.push(1);
    await Promise.resolve();
    batcher.flush();
    batcher.push(2);
    batcher.push(3);
    await Promise.resolve();
    expect(chunks).toEqual([[1], [2, 3]]);
  });

  it('gives the receiver a chunk it may keep even if it pushes more bytes re-entrantly', () => {
    const tasks: (() => void)[] = [];
    const kept: Uint8Array[] = [];
    const batcher: ByteBatcher = new ByteBatcher((chunk) => {
      kept.push(chunk);
      if (kept.length === 1) batcher.push(0xee);
    }, 4, (task) => tasks.push(task));
    batcher.push(0x11);
    tasks.shift()?.();
    tasks.shift()?.();
    expect(kept.map((c) => [...c])).toEqual([[0x11], [0xee]]);
  });
});
