import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors/CoreError.js';
import { FemtoLlmFactory } from '../femto/FemtoLlm.js';
import { toVertex } from '../cube/Vertex.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { StoreBatch } from '../store/Store.js';
import type { CubeSetEvent } from './CubeSet.js';
import type { GridEvent } from './Grid.js';
import { Konomi } from './Konomi.js';
import type { LlmFieldEvent } from './LlmField.js';

let now = 1_700_000_000_000;
const clock = () => now++;

/** A MemoryStore that records every batch it commits, so a test sees which part's changes rode with which commit. */
class RecordingStore extends MemoryStore {
  readonly batches: StoreBatch[] = [];
  override async commit(batch: StoreBatch): Promise<void> {
    this.batches.push(batch);
    await super.commit(batch);
  }
}

describe('the core parts: each announces its own changes', () => {
  it('the grid announces a set cell once durable, then its ledger entry; a refused write announces nothing', async () => {
    const store = new RecordingStore();
    const k = await Konomi.open({ store, clock });
    const events: GridEvent[] = [];
    k.grid.onEvent((e) => {
      // Durable first: the batch holding the entry is already committed when the event arrives.
      expect(store.batches.some((b) => b.entries.some((entry) => entry.index === k.grid.ledgerHead().length - 1))).toBe(true);
      events.push(e);
    });
    const receipt = await k.grid.setCell(1, 2, 3, 4.5);
    expect(events).toEqual([{ type: 'cell', array: 0, x: 1, y: 2, z: 3, value: 4.5, index: receipt.index }, { type: 'ledger' }]);
    await k.grid.planeActivate('z', 9, 1);
    expect(events.at(-1)).toEqual({ type: 'ledger' });
    expect(events).toHaveLength(3);
    await expect(k.grid.setCell(1000, 0, 0, 1)).rejects.toSatisfy(isCoreError);
    expect(events).toHaveLength(3);
  });

  it('the LLM field announces κ moved by a query; the cube set announces votes and every κ change but a settled tick', async () => {
    const k = await Konomi.open({ clock });
    const cube = await k.cubes.at(0, 0, 0);
    const llmEvents: LlmFieldEvent['type'][] = [];
    const cubeEvents: CubeSetEvent[] = [];
    k.llm.onEvent((e) => llmEvents.push(e.type));
    k.cubes.onEvent((e) => cubeEvents.push(e));
    k.llm.query(5, 5, 5, 'hello', 4);
    expect(llmEvents).toEqual(['kappa']);
    k.cubes.processVertex(cube.id, 'NEU', 'hello', 4);
    expect(cubeEvents.map((e) => e.type)).toEqual(['kappa']);
    const vote = k.cubes.collectiveChoose(cube.id, 'which?', ['yes', 'no']);
    expect(cubeEvents.slice(1)).toEqual([{ type: 'vote', result: vote, query: 'which?' }, { type: 'kappa' }]);
    // Let the field settle: a tick that moves nothing is not announced.
    for (let i = 0; i < 2000 && k.cubes.updateKappa().largestChange > 0; i++);
    const before = cubeEvents.length;
    expect(k.cubes.updateKappa().largestChange).toBe(0);
    expect(cubeEvents).toHaveLength(before);
    await k.cubes.perturb(cube.id, 1);
    expect(cubeEvents.at(-1)).toEqual({ type: 'kappa' });
  });

  it('a lesson taught to the LLM field reaches the cube vertex living at that coordinate in the same commit', async () => {
    const store = new RecordingStore();
    const k = await Konomi.open({ store, clock, llmFactory: new FemtoLlmFactory() });
    // Cube at origin (0,0,0): its vertex NEU (offset 2,2,2) lives at (2,2,2).
    const cube = await k.cubes.at(0, 0, 0);
    const kappaBefore = cube.kappaOf(toVertex('NEU'));
    const order: string[] = [];
    k.llm.onEvent((e) => order.push(e.type));
    const committed = store.batches.length;
    await k.llm.teach(2, 2, 2, 'the cat sat on the mat. the cat sat on the mat.', { steps: 3 });
    expect(order).toEqual(['taught', 'kappa']);
    expect(cube.kappaOf(toVertex('NEU'))).toBeGreaterThan(kappaBefore);
    const teachBatch = store.batches.slice(committed).find((b) => (b.llmLessons ?? []).length > 0);
    expect(teachBatch?.llmLessons?.[0]?.morton).toBeDefined();
    // The kicked cube is in the very batch that carries the lesson: one commit, both parts' changes.
    expect(teachBatch?.cubes.map((c) => c.id)).toContain(cube.id);
    expect(cube.node('NEU').lesson?.()).toEqual(k.llm.at(2, 2, 2).lesson?.());
  });
});
