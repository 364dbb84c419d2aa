import { describe, expect, it } from 'vitest';
import { isCoreError, type CoreErrorCode } from '../errors/CoreError.js';
import { verifyInclusionProof } from '../ledger/Merkle.js';
import { ledgerEntryHash } from '../ledger/Ledger.js';
import { PlaceholderLlm, PlaceholderLlmFactory } from '../llm/PlaceholderLlm.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { StoreBatch } from '../store/Store.js';
import { LedgerOp } from '../ledger/LedgerEntry.js';
import { Konomi } from './Konomi.js';
import { PACKML_STATES } from './PackMl.js';

let now = 1_700_000_000_000;
const clock = () => now++;

async function rejects(p: Promise<unknown> | (() => unknown), code: CoreErrorCode): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isCoreError(e) ? e.code : e).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('Konomi cells, ledger and proofs', () => {
  it('starts in Execute with array 0 of the grid size, recorded in the ledger', async () => {
    const k = await Konomi.open({ clock });
    expect(k.system.state).toBe('Execute');
    expect(k.grid.arrayInfo(0)).toMatchObject({ id: 0, dims: { x: 1000, y: 1000, z: 1000 }, size: 0, state: 'Execute' });
    expect(k.grid.ledgerHead().length).toBe(1);
  });

  it('set returns the ledger index and entry hash; get returns the leaf hash; proof verifies', async () => {
    const k = await Konomi.open({ clock });
    const r1 = await k.grid.setCell(1, 2, 3, 4.25);
    const r2 = await k.grid.setCell(999, 0, 7, -1);
    expect(r1.index).toBe(1);
    expect(r2.index).toBe(2);
    const e2 = k.grid.ledgerEntry(2);
    expect(r2.hash).toEqual(e2.hash);
    expect(ledgerEntryHash(r1.hash, 2, e2)).toEqual(r2.hash);
    const read = k.grid.getCell(1, 2, 3);
    expect(read.active).toBe(true);
    expect(read.value).toBe(4.25);
    const proof = k.grid.proveCell(1, 2, 3);
    expect(read.leafHash).toHaveLength(32);
    expect(verifyInclusionProof(proof, k.grid.merkleRoot())).toBe(true);
    expect(k.grid.getCell(5, 5, 5)).toMatchObject({ active: false, leafHash: new Uint8Array(32) });
    await k.grid.deactivateCell(1, 2, 3);
    expect(k.grid.getCell(1, 2, 3).active).toBe(false);
    expect(k.grid.verifyLedger()).toEqual({ valid: true, length: 4 });
  });

  it('bad input is rejected with a typed error and nothing is applied or ledgered', async () => {
    const k = await Konomi.open({ clock });
    const head = k.grid.ledgerHead();
    await rejects(k.grid.setCell(1000, 0, 0, 1), 'OUT_OF_RANGE');
    await rejects(k.grid.setCell(0, 0, 0, Number.NaN), 'BAD_VALUE');
    await rejects(k.grid.setCell(0, 0, 0, Number.NEGATIVE_INFINITY), 'BAD_VALUE');
    await rejects(k.grid.setCell(0, 0, 0, 1, 7), 'NOT_FOUND');
    await rejects(k.grid.planeActivate('x', 1000, 1), 'OUT_OF_RANGE');
    await rejects(k.grid.planeActivate('q' as 'x', 0, 1), 'BAD_VALUE');
    await rejects(k.grid.createTemplate({ x: 4, y: 4, z: 4 }, [{ x: 0, y: 0, z: 0, value: 1 }, { x: 4, y: 0, z: 0, value: 1 }]), 'OUT_OF_RANGE');
    await rejects(() => k.cubes.processVertex(0, 'NEU', 'x'), 'NOT_FOUND');
    const small = await Konomi.open({ clock, maxTemplateCells: 1 });
    await rejects(small.grid.createTemplate({ x: 4, y: 4, z: 4 }, [{ x: 0, y: 0, z: 0, value: 1 }, { x: 1, y: 0, z: 0, value: 1 }]), 'TOO_LARGE');
    await rejects(() => k.llm.at(-1, 0, 0), 'OUT_OF_RANGE');
    await rejects(() => k.command('unhold'), 'INVALID_TRANSITION');
    expect(k.grid.ledgerHead()).toEqual(head);
    expect(k.grid.arrays()).toHaveLength(1);
    expect(k.grid.array().size).toBe(0);
  });

  it('plane operations are single ledger entries', async () => {
    const k = await Konomi.open({ clock, gridDims: { x: 64, y: 64, z: 64 } });
    const a = await k.grid.planeActivate('y', 3, 2);
    expect(k.grid.ledgerEntry(a.index)).toMatchObject({ op: 3, x: 1, y: 3, value: 2 });
    expect(k.grid.array().size).toBe(64 * 64);
    await k.grid.planeSync('y', 3, 9);
    expect(k.grid.array().get(5, 9, 5)).toBe(2);
    await k.grid.planeDeactivate('y', 3);
    expect(k.grid.array().size).toBe(64 * 64);
    expect(k.grid.verifyLedger().valid).toBe(true);
  });

  it('templates are frozen; instances copy on write and are independent', async () => {
    const k = await Konomi.open({ clock });
    const t = await k.grid.createTemplate({ x: 10, y: 10, z: 10 }, [{ x: 1, y: 1, z: 1, value: 5 }]);
    expect(t).toMatchObject({ template: true, size: 1, state: 'Complete' });
    await rejects(k.grid.setCell(1, 1, 1, 6, t.id), 'NOT_RUNNING');
    const i1 = await k.grid.instantiate(t.id);
    const i2 = await k.grid.instantiate(t.id);
    await k.grid.setCell(1, 1, 1, 7, i1.id);
    expect(k.grid.array(i1.id).get(1, 1, 1)).toBe(7);
    expect(k.grid.array(i2.id).get(1, 1, 1)).toBe(5);
    expect(k.grid.array(t.id).get(1, 1, 1)).toBe(5);
    await rejects(k.grid.instantiate(0), 'INVALID_TRANSITION');
    expect(await k.grid.commandArray(i1.id, 'hold')).toBe('Held');
    expect(k.grid.arrayInfo(i1.id).state).toBe('Held');
    await rejects(k.grid.setCell(1, 1, 1, 8, i1.id), 'NOT_RUNNING');
    await rejects(() => k.grid.commandArray(i1.id, 'hold'), 'INVALID_TRANSITION');
    await k.grid.commandArray(i1.id, 'unhold');
    await k.grid.setCell(1, 1, 1, 8, i1.id);
  });

  it('the system state machine gates writes', async () => {
    const k = await Konomi.open({ clock });
    expect(k.command('hold')).toBe('Held');
    await rejects(k.grid.setCell(0, 0, 0, 1), 'NOT_RUNNING');
    expect(k.grid.getCell(0, 0, 0).active).toBe(false);
    expect(k.command('unhold')).toBe('Execute');
    await k.grid.setCell(0, 0, 0, 1);
  });
});

describe('Konomi LLMs and cubes', () => {
  it('llmAt is get-or-create and deterministic; untouched coordinates cost nothing', async () => {
    const k = await Konomi.open({ clock });
    expect(k.llm.count).toBe(0);
    const a = k.llm.at(1, 2, 3);
    expect(k.llm.at(1, 2, 3)).toBe(a);
    expect(a.id).toBe('llm:1,2,3');
    expect(a.respond('hi')).toBe(new PlaceholderLlm(9, 9, 9).respond('hi'));
    expect(k.llm.count).toBe(1);
  });

  it('llmAt keeps at most maxLlmNodes models (LRU); an evicted one comes back with its κ', async () => {
    const k = await Konomi.open({ clock, maxLlmNodes: 3 });
    const a = k.llm.at(1, 1, 1);
    a.kappa = 0.11;
    k.llm.at(2, 2, 2).kappa = 0.22;
    k.llm.at(3, 3, 3);
    expect(k.llm.at(1, 1, 1)).toBe(a); // touched: (2,2,2) is now the least recently used
    k.llm.at(4, 4, 4);
    expect(k.llm.liveCount).toBe(3);
    expect(k.llm.count).toBe(4);
    expect(k.llm.at(1, 1, 1)).toBe(a);
    const back = k.llm.at(2, 2, 2);
    expect(back.kappa).toBe(0.22);
    expect(back.id).toBe('llm:2,2,2');
    expect(k.llm.liveCount).toBe(3);
    expect(k.kappaMetrics().llmCount).toBe(4);
    // Evicted models still count as existing for a broadcast.
    expect(k.llm.broadcast({ x0: 0, y0: 0, z0: 0, x1: 9, y1: 9, z1: 9 }, 'p').map((r) => r.id)).toEqual(['llm:1,1,1', 'llm:2,2,2', 'llm:3,3,3', 'llm:4,4,4']);
    await rejects(() => Konomi.open({ maxLlmNodes: 0 }), 'OUT_OF_RANGE');
  });

  it('broadcast reaches the models in the box, bounded', async () => {
    const k = await Konomi.open({ clock, maxBroadcast: 8 });
    k.llm.at(1, 1, 1);
    k.llm.at(2, 2, 2);
    k.llm.at(50, 50, 50);
    const results = k.llm.broadcast({ x0: 0, y0: 0, z0: 0, x1: 10, y1: 10, z1: 10 }, 'ping');
    expect(results.map((r) => r.id)).toEqual(['llm:1,1,1', 'llm:2,2,2']);
    expect(k.llm.broadcast({ x0: 0, y0: 0, z0: 0, x1: 1, y1: 1, z1: 1 }, 'p', { create: true })).toHaveLength(8);
    expect(() => k.llm.broadcast({ x0: 0, y0: 0, z0: 0, x1: 2, y1: 1, z1: 1 }, 'p', { create: true })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    const cube = await k.cubes.at(3, 3, 3);
    expect(k.cubes.broadcast({ x0: 0, y0: 0, z0: 0, x1: 5, y1: 5, z1: 5 }, 'q')[0]).toMatchObject({ cube: cube.id, quorum: true });
  });

  it('cubeAt is get-or-create; createCube refuses a taken spot', async () => {
    const k = await Konomi.open({ clock });
    const c = await k.cubes.at(10, 10, 10);
    expect(await k.cubes.at(10, 10, 10)).toBe(c);
    await rejects(k.cubes.create(10, 10, 10), 'ALREADY_EXISTS');
    expect((await k.cubes.create(11, 10, 10)).id).toBe(1);
    expect(k.cubes.cube(1).origin).toEqual({ x: 11, y: 10, z: 10 });
    expect(() => k.cubes.cube(2)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('κ: linked cubes from any starts in [0, 1] all reach 0.6 ± 0.05 in under 50 updates', async () => {
    const k = await Konomi.open({ clock });
    const starts = [0, 1, 0.25, 1, 0, 0.9, 0.1];
    const cubes = [];
    for (const [i, s] of starts.entries()) {
      const c = await k.cubes.create(i * 4, 0, 0);
      c.kappa = s;
      cubes.push(c);
    }
    for (let i = 1; i < cubes.length; i++) await k.cubes.link(i - 1, 'NEU', i, 'SWD');
    const isolated = await k.cubes.create(500, 500, 500);
    isolated.kappa = 0;
    let updates = 0;
    while (k.kappaMetrics().cubes.some((c) => Math.abs(c.kappa - 0.6) > 0.05)) {
      k.cubes.updateKappa();
      updates++;
      expect(updates).toBeLessThan(50);
    }
    const metrics = k.kappaMetrics();
    expect(metrics.cubeMean).toBeCloseTo(0.6, 1);
  });

  it('processVertex and collectiveThink through the orchestrator', async () => {
    const k = await Konomi.open({ clock });
    const cube = await k.cubes.at(0, 0, 0);
    const r = k.cubes.processVertex(cube.id, 'CENTRAL', 'status');
    expect(r.trace).toHaveLength(8);
    const c = k.cubes.collectiveThink(cube.id, 'status');
    expect(c.quorum).toBe(true);
    expect(() => k.cubes.processVertex(cube.id, 'MIDDLE', 'x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => k.cubes.collectiveThink(cube.id, 'x'.repeat(70_000))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});

describe('Konomi PackML gates and durability of cubes', () => {
  it('LLM and cube work is refused with NOT_RUNNING unless the system is in Execute', async () => {
    const k = await Konomi.open({ clock });
    const cube = await k.cubes.at(0, 0, 0);
    k.command('hold');
    const box = { x0: 0, y0: 0, z0: 0, x1: 1, y1: 1, z1: 1 };
    await rejects(() => k.cubes.processVertex(cube.id, 'NEU', 'x'), 'NOT_RUNNING');
    await rejects(() => k.cubes.collectiveThink(cube.id, 'x'), 'NOT_RUNNING');
    await rejects(() => k.llm.broadcast(box, 'x', { create: true }), 'NOT_RUNNING');
    await rejects(() => k.cubes.broadcast(box, 'x'), 'NOT_RUNNING');
    await rejects(() => k.cubes.updateKappa(), 'NOT_RUNNING');
    await rejects(() => k.llm.query(1, 1, 1, 'x'), 'NOT_RUNNING');
    await rejects(k.cubes.create(5, 5, 5), 'NOT_RUNNING');
    expect(cube.kappa).toBe(0.6);
    k.command('unhold');
    expect(k.cubes.collectiveThink(cube.id, 'x').quorum).toBe(true);
    expect(k.llm.query(1, 1, 1, 'x', 8)).toMatchObject({ id: 'llm:1,1,1', text: k.llm.at(1, 1, 1).replicaAnswer('x', 8) });
  });

  it('createCube and cubeAt resolve only once the cube is durable', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ clock, store });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      await gate;
      return commit(batch);
    };
    let created = false;
    let found = false;
    const creating = k.cubes.create(2, 2, 2).then(() => (created = true));
    const finding = k.cubes.at(2, 2, 2).then(() => (found = true));
    await new Promise((r) => setTimeout(r, 20));
    expect([created, found]).toEqual([false, false]);
    release();
    await Promise.all([creating, finding]);
    store.commit = commit;
    await k.close();
    store.reopen();
    expect((await Konomi.open({ clock, store })).cubes.count).toBe(1);
  });

});

/** Every κ of the field (cubes and their nine vertices) within `tolerance` of 0.6. */
function settled(k: Konomi, tolerance = 0.05): boolean {
  return k.kappaMetrics().cubes.every((c) => Math.abs(c.kappa - 0.6) <= tolerance && c.vertexKappa.every((v) => Math.abs(v - 0.6) <= tolerance));
}

describe('the κ field (ticks of updateKappa on real cubes)', () => {
  it('a perturbed cube and its vertices are back within 0.6 ± 0.05 in under 50 ticks; its neighbour is pulled, a far cube is not', async () => {
    for (const [kick, vertexKick] of [[1, 0], [0, 1], [1, 1], [0, 0]] as const) {
      const k = await Konomi.open({ clock });
      const a = await k.cubes.at(0, 0, 0);
      const b = await k.cubes.at(4, 0, 0); // one cube's gap away: a spatial neighbour
      const far = await k.cubes.at(500, 500, 500);
      expect(k.cubes.kappaNeighbours(a.id)).toEqual([b.id]);
      expect(k.cubes.kappaNeighbours(far.id)).toEqual([]);
      await k.cubes.perturb(a.id, kick);
      await k.cubes.perturb(b.id, vertexKick, 'SWD');
      const first = k.cubes.updateKappa();
      expect(first.largestChange).toBeGreaterThan(0);
      // Neighbours pull each other: b's κ leaves 0.6 toward a's, the far cube's does not move.
      expect(Math.sign(b.kappa - 0.6)).toBe(Math.sign(kick - 0.6));
      expect(far.kappa).toBe(0.6);
      expect(far.vertexKappa()).toEqual(new Array(9).fill(0.6));
      // The cube sets its vertices' κ: a's vertices move toward a's κ.
      expect(Math.sign(a.kappaOf(0) - 0.6)).toBe(Math.sign(kick - 0.6));
      let ticks = 1;
      while (!settled(k)) {
        k.cubes.updateKappa();
        ticks++;
        expect(ticks, `cube κ ${kick}, vertex κ ${vertexKick}`).toBeLessThan(50);
      }
    }
  });

  it('an isolated cube (the slowest case: only the pull toward 0.6) and its vertices settle in under 50 ticks from 0 or 1', async () => {
    for (const start of [0, 1]) {
      const k = await Konomi.open({ clock });
      const a = await k.cubes.at(100, 100, 100);
      await k.cubes.perturb(a.id, start);
      for (const v of ['NEU', 'SWD', 'CENTRAL']) await k.cubes.perturb(a.id, 1 - start, v);
      let ticks = 0;
      while (!settled(k)) {
        k.cubes.updateKappa();
        ticks++;
        expect(ticks, `start ${start}`).toBeLessThan(50);
      }
    }
  });

  it('without its neighbour a perturbed cube relaxes more slowly: the neighbour pull is real', async () => {
    const ticksToSettle = async (withNeighbour: boolean): Promise<number> => {
      const k = await Konomi.open({ clock });
      const a = await k.cubes.at(0, 0, 0);
      if (withNeighbour) await k.cubes.at(0, 4, 4);
      await k.cubes.perturb(a.id, 0);
      let ticks = 0;
      while (Math.abs(a.kappa - 0.6) > 0.05) {
        k.cubes.updateKappa();
        ticks++;
      }
      return ticks;
    };
    const alone = await ticksToSettle(false);
    const paired = await ticksToSettle(true);
    expect(alone).toBeLessThan(50);
    expect(paired).toBeLessThan(alone);
  });

  it('linked cubes are neighbours wherever they are; neighbours are found again after new cubes and links', async () => {
    const k = await Konomi.open({ clock });
    const a = await k.cubes.at(0, 0, 0);
    const b = await k.cubes.at(900, 900, 900);
    expect(k.cubes.kappaNeighbours(a.id)).toEqual([]);
    await k.cubes.link(a.id, 'NEU', b.id, 'SWD');
    expect(k.cubes.kappaNeighbours(a.id)).toEqual([b.id]);
    const c = await k.cubes.at(3, 4, 0);
    const d = await k.cubes.at(5, 0, 0); // 5 > NEIGHBOUR_RADIUS on x
    expect(k.cubes.kappaNeighbours(a.id)).toEqual([b.id, c.id]);
    expect(k.cubes.kappaNeighbours(d.id)).toEqual([c.id]);
  });

  it('a settled field stops changing, so a host can stop announcing and storing it', async () => {
    const k = await Konomi.open({ clock });
    await k.cubes.at(0, 0, 0);
    expect(k.cubes.updateKappa().largestChange).toBe(0);
  });

  it('requests do not step the field; a dissent from a quorum kicks the dissenter and its cube', async () => {
    // NEU answers garbage: it dissents from the honest quorum.
    const k = await Konomi.open({
      clock,
      vertexFactory: (_cube, _origin, v) => {
        const node = new PlaceholderLlm(v, 0, 0);
        if (v !== 0) return node;
        return { id: 'liar', kappa: 0.6, respond: () => 'garbage', replicaAnswer: () => 'garbage', nextTokenProbabilities: (c: Uint8Array) => node.nextTokenProbabilities(c) };
      },
    });
    const cube = await k.cubes.at(0, 0, 0);
    k.cubes.processVertex(cube.id, 'SED', 'hello');
    expect(cube.kappa).toBe(0.6);
    const result = k.cubes.collectiveThink(cube.id, 'hello');
    expect(result.quorum).toBe(true);
    expect(cube.kappaOf(0)).toBeCloseTo(0.55, 12);
    expect(cube.kappaOf(1)).toBe(0.6);
    expect(cube.kappa).toBeCloseTo(0.6 - 0.05 / 9, 12);
  });

  it('taught(x, y, z) kicks every cube vertex living at that coordinate (the teaching hook)', async () => {
    const k = await Konomi.open({ clock });
    const a = await k.cubes.at(0, 0, 0);
    const b = await k.cubes.at(2, 0, 0);
    // (2, 0, 0) is a's corner SED (E = +2 on x) and b's corner SWD (its origin).
    expect(k.cubes.taught(2, 0, 0)).toBe(2);
    expect(a.kappaOf(5)).toBeCloseTo(0.65, 12);
    expect(b.kappaOf(7)).toBeCloseTo(0.65, 12);
    expect(a.kappa).toBeCloseTo(0.6 + 0.05 / 9, 12);
    expect(k.cubes.taught(700, 700, 700)).toBe(0);
  });

  it('perturbations and ticks are durable (cube and vertex κ come back after a restart)', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ clock, store });
    const a = await k.cubes.at(0, 0, 0);
    await k.cubes.perturb(a.id, 0.9);
    await k.cubes.perturb(a.id, 0.1, 'CENTRAL');
    for (let i = 0; i < 3; i++) k.cubes.updateKappa();
    const before = k.kappaMetrics().cubes;
    await expect(k.cubes.perturb(a.id, 1.5)).rejects.toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    await expect(k.cubes.perturb(a.id, 0.5, 'MIDDLE')).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await k.close();
    store.reopen();
    const back = await Konomi.open({ clock, store });
    expect(back.kappaMetrics().cubes).toEqual(before);
  });
});

describe('Konomi ledgers cube structure and array state', () => {
  it('createCube, addCubeEdge, linkCubes and commandArray each append one entry the head commits to', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ clock, store });
    const ops = () => {
      const head = k.grid.ledgerHead();
      const e = k.grid.ledgerEntry(head.length - 1);
      return { op: e.op, array: e.array, x: e.x, y: e.y, z: e.z, value: e.value };
    };
    const a = await k.cubes.create(3, 4, 5);
    expect(ops()).toEqual({ op: LedgerOp.CUBE_CREATE, array: a.id, x: 3, y: 4, z: 5, value: 0 });
    const b = await k.cubes.create(9, 9, 9);
    await k.cubes.addEdge(a.id, 'SWD', 'NEU');
    expect(ops()).toEqual({ op: LedgerOp.CUBE_EDGE, array: a.id, x: 0, y: 7, z: 0, value: 0 });
    await k.cubes.link(a.id, 'NEU', b.id, 'SWD');
    expect(ops()).toEqual({ op: LedgerOp.CUBE_LINK, array: a.id, x: 0, y: b.id, z: 7, value: 0 });
    const arr = await k.grid.createBlockArray({ x: 2, y: 2, z: 2 });
    const before = k.grid.ledgerHead();
    await k.grid.commandArray(arr.id, 'stop');
    expect(ops()).toEqual({ op: LedgerOp.ARRAY_STATE, array: arr.id, x: PACKML_STATES.indexOf('Stopped'), y: 0, z: 0, value: 0 });
    expect(k.grid.ledgerHead().hash).not.toEqual(before.hash);
    expect(k.grid.verifyLedger()).toEqual({ valid: true, length: before.length + 1 });
    const head = k.grid.ledgerHead();
    await k.close();
    store.reopen();
    const r = await Konomi.open({ clock, store });
    expect(r.grid.ledgerHead()).toEqual(head);
    expect(r.grid.verifyLedger().valid).toBe(true);
    expect(r.grid.arrayInfo(arr.id).state).toBe('Stopped');
  });
});

describe('Konomi restart', () => {
  it('arrays, instances, ledger and cubes come back from the store', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ clock, store });
    await k.grid.setCell(1, 2, 3, 4);
    await k.grid.setCell(1, 2, 4, 5);
    await k.grid.deactivateCell(1, 2, 4);
    const t = await k.grid.createTemplate({ x: 8, y: 8, z: 8 }, [{ x: 1, y: 1, z: 1, value: 1 }, { x: 2, y: 2, z: 2, value: 2 }]);
    const inst = await k.grid.instantiate(t.id);
    await k.grid.deactivateCell(1, 1, 1, inst.id);
    await k.grid.setCell(3, 3, 3, 3, inst.id);
    const a = await k.cubes.at(0, 0, 0);
    const b = await k.cubes.at(9, 9, 9);
    await k.cubes.addEdge(a.id, 'NEU', 'SWD');
    await k.cubes.link(a.id, 'NEU', b.id, 'SWD');
    k.cubes.processVertex(a.id, 'NEU', 'warm up');
    a.kappa = 0.3;
    const root0 = k.grid.merkleRoot(0);
    const rootI = k.grid.merkleRoot(inst.id);
    const head = k.grid.ledgerHead();
    const vertexKappa = a.vertexKappa();
    await k.close();

    store.reopen();
    const r = await Konomi.open({ clock, store });
    expect(r.grid.ledgerHead()).toEqual(head);
    expect(r.grid.verifyLedger().valid).toBe(true);
    expect(r.grid.merkleRoot(0)).toEqual(root0);
    expect(r.grid.merkleRoot(inst.id)).toEqual(rootI);
    expect(r.grid.array(inst.id).has(1, 1, 1)).toBe(false);
    expect(r.grid.array(inst.id).get(2, 2, 2)).toBe(2);
    expect(r.grid.array(t.id).get(1, 1, 1)).toBe(1);
    expect(r.grid.arrayInfo(t.id).template).toBe(true);
    expect(r.cubes.count).toBe(2);
    expect(r.cubes.cube(a.id).kappa).toBe(0.3);
    expect(r.cubes.cube(a.id).vertexKappa()).toEqual(vertexKappa);
    expect(r.cubes.cube(a.id).neighbours('NEU')).toContain(8);
    expect(r.cubes.cube(a.id).neighbours('NEU')).toContain(7);
    expect(r.cubes.cube(a.id).links()).toEqual([{ vertex: 0, cube: b.id, otherVertex: 7 }]);
    expect(r.cubes.cube(b.id).links()).toEqual([{ vertex: 7, cube: a.id, otherVertex: 0 }]);
  });

  it('a failed commit rejects the write with STORE_FAILED and aborts the system', async () => {
    const store = new MemoryStore();
    const k = await Konomi.open({ clock, store });
    await store.close();
    await rejects(k.grid.setCell(0, 0, 0, 1), 'STORE_FAILED');
    expect(k.system.state).toBe('Aborted');
    await rejects(k.grid.setCell(0, 0, 0, 1), 'STORE_FAILED');
  });
});

describe('Konomi llmAt κ durability', () => {
  /** A MemoryStore that records every batch it commits. */
  function recording(): { store: MemoryStore; batches: StoreBatch[] } {
    const store = new MemoryStore();
    const batches: StoreBatch[] = [];
    const commit = store.commit.bind(store);
    store.commit = (batch) => (batches.push(batch), commit(batch));
    return { store, batches };
  }

  it('a moved κ rides with the next commit, once per coordinate with its latest value; an unmoved κ writes nothing', async () => {
    const { store, batches } = recording();
    const k = await Konomi.open({ store, clock, llmFactory: new PlaceholderLlmFactory(0.2), gridDims: { x: 10, y: 10, z: 10 } });
    const commitsAfterOpen = batches.length;
    k.llm.query(1, 1, 1, 'a');
    k.llm.query(1, 1, 1, 'b');
    k.llm.broadcast({ x0: 0, y0: 0, z0: 0, x1: 1, y1: 1, z1: 1 }, 'c', { create: true });
    expect(batches.length).toBe(commitsAfterOpen);
    await k.grid.setCell(0, 0, 0, 1);
    expect(batches.length).toBe(commitsAfterOpen + 1);
    const rows = batches.at(-1)!.llmKappas!;
    expect(rows.map((r) => r.morton).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.find((r) => r.morton === 7)?.kappa).toBe(k.llm.at(1, 1, 1).kappa);
    await k.flush();
    expect(batches.at(-1)!.llmKappas).toEqual([]);

    const { store: still, batches: stillBatches } = recording();
    const s = await Konomi.open({ store: still, clock, gridDims: { x: 10, y: 10, z: 10 } });
    s.llm.query(1, 1, 1, 'κ is already at its target');
    await s.flush();
    expect(stillBatches.at(-1)!.llmKappas).toEqual([]);
  });

  it('a stored κ outside the grid or outside [0, 1] is refused as CORRUPT', async () => {
    for (const row of [{ morton: 7 * 8 ** 5, kappa: 0.5 }, { morton: 7, kappa: 1.5 }]) {
      const store = new MemoryStore();
      await store.commit({ entries: [], cells: [], arrays: [], cubes: [], llmKappas: [row] });
      await rejects(Konomi.open({ store, clock, gridDims: { x: 10, y: 10, z: 10 } }), 'CORRUPT');
    }
  });
});
