import { expect, it } from 'vitest';
import { isCoreError } from '../../core/errors/CoreError.js';
import { Ledger } from '../../core/ledger/Ledger.js';
import { LedgerOp, type LedgerEntry } from '../../core/ledger/LedgerEntry.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import type { ArrayRow, Store, StoreSink } from '../../core/store/Store.js';
import type { CubeRecord } from '../../core/cube/Cube.js';
import { verifyInclusionProof } from '../../core/ledger/Merkle.js';
import { FemtoLlmFactory } from '../../core/femto/index.js';
import { mortonEncode } from '../../core/block/Morton.js';

/** Opens a store over the same data each time; the previous one has been closed. */
export interface StoreFactory {
  open(): Promise<Store>;
  /** False while a store cannot yet keep ArrayRow.state (skips that test). Default true. */
  readonly arrayState?: boolean;
}

interface Loaded {
  arrays: ArrayRow[];
  cells: [number, number, boolean, number, number][];
  entries: LedgerEntry[];
  cubes: CubeRecord[];
  order: string[];
}

export async function loadAll(store: Store): Promise<Loaded> {
  const out: Loaded = { arrays: [], cells: [], entries: [], cubes: [], order: [] };
  return loadInto(store, out);
}

/** Like loadAll, with the llmAt κ rows too (a sink that asks for them). */
async function loadWithKappas(store: Store): Promise<Loaded & { kappas: [number, number][] }> {
  const out: Loaded & { kappas: [number, number][] } = { arrays: [], cells: [], entries: [], cubes: [], order: [], kappas: [] };
  await loadInto(store, out, (morton, kappa) => (out.kappas.push([morton, kappa]), out.order.push('llmKappa')));
  return out;
}

async function loadInto<T extends Loaded>(store: Store, out: T, llmKappa?: (morton: number, kappa: number) => void): Promise<T> {
  const sink: StoreSink = {
    array: (r) => (out.arrays.push(r), out.order.push('array')),
    cell: (...c) => (out.cells.push(c), out.order.push('cell')),
    entry: (e) => (out.entries.push(e), out.order.push('entry')),
    cube: (c) => (out.cubes.push(c), out.order.push('cube')),
    ...(llmKappa ? { llmKappa } : {}),
  };
  await store.load(sink);
  return out;
}

function entries(n: number, from = 0): LedgerEntry[] {
  const ledger = new Ledger();
  for (let i = 0; i < from + n; i++) ledger.append({ op: LedgerOp.SET, array: 0, x: i % 100, y: 1, z: 2, value: i * 0.5, timestamp: 1000 + i });
  return ledger.entries(from, from + n);
}

const cube: CubeRecord = {
  id: 0,
  x: 1,
  y: 2,
  z: 3,
  kappa: 0.42,
  vertexKappa: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  customEdges: [[0, 7]],
  links: [],
};

/** The behaviour every Store must have; run with each implementation's factory. */
export function storeSuite(factory: StoreFactory): void {
  it('an empty store loads nothing', async () => {
    const store = await factory.open();
    expect(await loadAll(store)).toEqual({ arrays: [], cells: [], entries: [], cubes: [], order: [] });
    await store.close();
  });

  it('commits survive reopening, streamed arrays → cells → entries → cubes', async () => {
    const store = await factory.open();
    const e = entries(3);
    await store.commit({
      arrays: [{ id: 1, x: 4, y: 4, z: 4, template: true, templateId: null }, { id: 0, x: 10, y: 10, z: 10, template: false, templateId: null }],
      cells: [
        { array: 0, morton: 7, active: true, value: 1.5, timestamp: 11 },
        { array: 0, morton: 2 ** 30 - 1, active: false, value: 0, timestamp: 12 },
      ],
      entries: e,
      cubes: [cube],
    });
    await store.commit({ arrays: [], cells: [{ array: 0, morton: 7, active: true, value: -2, timestamp: 13 }], entries: [], cubes: [] });
    await store.close();

    const reopened = await factory.open();
    const loaded = await loadAll(reopened);
    expect(loaded.order).toEqual(['array', 'array', 'cell', 'cell', 'entry', 'entry', 'entry', 'cube']);
    expect(loaded.arrays.map((a) => a.id)).toEqual([0, 1]);
    expect(loaded.arrays[1]).toEqual({ id: 1, x: 4, y: 4, z: 4, template: true, templateId: null });
    expect(loaded.cells.sort((a, b) => a[1] - b[1])).toEqual([[0, 7, true, -2, 13], [0, 2 ** 30 - 1, false, 0, 12]]);
    expect(loaded.entries.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(loaded.entries[2]!.hash).toEqual(e[2]!.hash);
    expect(loaded.entries[2]!.prevHash).toEqual(e[1]!.hash);
    expect(loaded.entries[1]).toMatchObject({ op: 1, array: 0, x: 1, y: 1, z: 2, value: 0.5, timestamp: 1001 });
    expect(loaded.cubes).toEqual([cube]);
    await reopened.close();
  });

  it('a batch whose ledger does not follow the stored one is refused whole', async () => {
    const store = await factory.open();
    await store.commit({ arrays: [], cells: [], entries: entries(2), cubes: [] });
    let code: string | undefined;
    try {
      await store.commit({ arrays: [], cells: [{ array: 0, morton: 1, active: true, value: 1, timestamp: 1 }], entries: entries(1, 3), cubes: [] });
    } catch (e) {
      code = isCoreError(e) ? e.code : 'OTHER';
    }
    expect(code).toBe('STORE_FAILED');
    await store.commit({ arrays: [], cells: [], entries: entries(1, 2), cubes: [] });
    const loaded = await loadAll(store);
    expect(loaded.cells).toEqual([]);
    expect(loaded.entries.map((x) => x.index)).toEqual([0, 1, 2]);
    await store.close();
  });

  it.skipIf(factory.arrayState === false)('an array keeps its PackML state across a restart (a stopped array stays stopped)', async () => {
    const store = await factory.open();
    await store.commit({ arrays: [{ id: 0, x: 4, y: 4, z: 4, template: false, templateId: null, state: 'Held' }], cells: [], entries: [], cubes: [] });
    await store.close();
    const again = await factory.open();
    expect((await loadAll(again)).arrays).toEqual([{ id: 0, x: 4, y: 4, z: 4, template: false, templateId: null, state: 'Held' }]);
    await again.close();

    const clock = () => 1_700_000_000_000;
    const k = await Konomi.open({ store: await factory.open(), clock, gridDims: { x: 4, y: 4, z: 4 } });
    expect(k.grid.arrayInfo(0).state).toBe('Held');
    const a = await k.grid.createBlockArray({ x: 4, y: 4, z: 4 });
    const b = await k.grid.createBlockArray({ x: 4, y: 4, z: 4 });
    expect(await k.grid.commandArray(a.id, 'stop')).toBe('Stopped');
    expect(await k.grid.commandArray(b.id, 'hold')).toBe('Held');
    await k.close();
    const r = await Konomi.open({ store: await factory.open(), clock, gridDims: { x: 4, y: 4, z: 4 } });
    expect(r.grid.arrayInfo(0).state).toBe('Held');
    expect(r.grid.arrayInfo(a.id).state).toBe('Stopped');
    expect(r.grid.arrayInfo(b.id).state).toBe('Held');
    let code = 'OK';
    await r.grid.setCell(1, 1, 1, 1, a.id).catch((e: unknown) => (code = isCoreError(e) ? e.code : 'OTHER'));
    expect(code).toBe('NOT_RUNNING');
    await r.grid.commandArray(b.id, 'unhold');
    await r.grid.setCell(1, 1, 1, 1, b.id);
    await r.close();
  });

  it('a Konomi restarted on the store has its arrays, instances, ledger and cubes back', async () => {
    let t = 1_700_000_000_000;
    const clock = () => t++;
    const k = await Konomi.open({ store: await factory.open(), clock, gridDims: { x: 100, y: 100, z: 100 } });
    const writes = [];
    for (let i = 0; i < 50; i++) writes.push(k.grid.setCell(i, 99 - i, i % 7, i / 4));
    await Promise.all(writes);
    await k.grid.planeActivate('z', 50, 3);
    await k.grid.deactivateCell(10, 89, 3);
    const template = await k.grid.createTemplate({ x: 8, y: 8, z: 8 }, [{ x: 1, y: 2, z: 3, value: 4 }]);
    const instance = await k.grid.instantiate(template.id);
    await k.grid.setCell(7, 7, 7, 7, instance.id);
    const a = await k.cubes.at(1, 1, 1);
    const b = await k.cubes.at(50, 50, 50);
    await k.cubes.link(a.id, 'CENTRAL', b.id, 'NEU');
    k.cubes.collectiveThink(a.id, 'remember me');
    k.cubes.updateKappa();
    const head = k.grid.ledgerHead();
    const root = k.grid.merkleRoot();
    const metrics = k.kappaMetrics();
    await k.close();

    const r = await Konomi.open({ store: await factory.open(), clock, gridDims: { x: 100, y: 100, z: 100 } });
    expect(r.grid.verifyLedger()).toEqual({ valid: true, length: head.length });
    expect(r.grid.ledgerHead()).toEqual(head);
    expect(r.grid.merkleRoot()).toEqual(root);
    expect(r.grid.array().size).toBe(49 + 100 * 100);
    expect(r.grid.array().has(10, 89, 3)).toBe(false);
    expect(verifyInclusionProof(r.grid.proveCell(20, 79, 6), root)).toBe(true);
    expect(r.grid.array(instance.id).get(1, 2, 3)).toBe(4);
    expect(r.grid.array(instance.id).get(7, 7, 7)).toBe(7);
    expect(r.kappaMetrics().cubes).toEqual(metrics.cubes);
    expect(r.cubes.cube(b.id).links()).toEqual([{ vertex: 0, cube: a.id, otherVertex: 8 }]);
    await r.close();
  });

  it('-0 (setCell, plane, template) is kept as +0: after a restart the ledger verifies and an earlier proof still does', async () => {
    let t = 1_700_000_000_000;
    const clock = () => t++;
    const grid = { x: 8, y: 8, z: 8 };
    const k = await Konomi.open({ store: await factory.open(), clock, gridDims: grid });
    await k.grid.setCell(1, 1, 1, -0);
    await k.grid.setCell(2, 2, 2, 5);
    await k.grid.planeActivate('z', 6, -0);
    const template = await k.grid.createTemplate({ x: 2, y: 2, z: 2 }, [{ x: 1, y: 1, z: 1, value: -0 }]);
    expect(Object.is(k.grid.getCell(1, 1, 1).value, 0)).toBe(true);
    const proof = k.grid.proveCell(1, 1, 1);
    const planeProof = k.grid.proveCell(3, 4, 6);
    const head = k.grid.ledgerHead();
    const root = k.grid.merkleRoot();
    await k.close();

    // What the store holds is what was hashed: no -0 anywhere.
    const store = await factory.open();
    const stored = await loadAll(store);
    await store.close();
    expect(stored.cells.filter((c) => Object.is(c[3], -0))).toEqual([]);
    expect(stored.entries.filter((e) => Object.is(e.value, -0))).toEqual([]);

    const r = await Konomi.open({ store: await factory.open(), clock, gridDims: grid });
    expect(r.grid.verifyLedger()).toEqual({ valid: true, length: head.length });
    expect(r.grid.ledgerHead()).toEqual(head);
    expect(r.grid.merkleRoot()).toEqual(root);
    expect(verifyInclusionProof(proof, r.grid.merkleRoot())).toBe(true);
    expect(verifyInclusionProof(planeProof, r.grid.merkleRoot())).toBe(true);
    expect(r.grid.proveCell(1, 1, 1, template.id).value).toBe(0);
    await r.close();
  });

  it('llmAt κ rows survive reopening, streamed last; a later row for a coordinate replaces the earlier', async () => {
    const store = await factory.open();
    await store.commit({
      arrays: [],
      cells: [],
      entries: [],
      cubes: [cube],
      llmKappas: [
        { morton: 2 ** 30 - 1, kappa: 0.25 },
        { morton: 5, kappa: 0.3 },
        { morton: 5, kappa: 0.31 },
        { morton: 0, kappa: 1 },
      ],
    });
    // Batches written without llmKappas leave the stored ones alone.
    await store.commit({ arrays: [], cells: [], entries: entries(1), cubes: [] });
    await store.commit({ arrays: [], cells: [], entries: [], cubes: [], llmKappas: [{ morton: 0, kappa: 0.123456789012345 }] });
    await store.close();

    const reopened = await factory.open();
    const loaded = await loadWithKappas(reopened);
    expect(loaded.order).toEqual(['entry', 'cube', 'llmKappa', 'llmKappa', 'llmKappa']);
    expect(new Map(loaded.kappas)).toEqual(
      new Map([
        [0, 0.123456789012345],
        [5, 0.31],
        [2 ** 30 - 1, 0.25],
      ]),
    );
    // A sink without llmKappa is still served (stores loaded by older readers).
    expect((await loadAll(reopened)).cubes).toEqual([cube]);
    await reopened.close();
  });

  it('lessons of taught models survive reopening byte for byte, streamed after κ; a later one for a coordinate replaces the earlier', async () => {
    const store = await factory.open();
    const lesson = (fill: number) => Uint8Array.from({ length: 792 }, (_, i) => (i * 31 + fill) & 0xff);
    await store.commit({ arrays: [], cells: [], entries: [], cubes: [], llmKappas: [{ morton: 9, kappa: 0.5 }], llmLessons: [{ morton: 9, lesson: lesson(1) }, { morton: 2 ** 30 - 1, lesson: lesson(2) }] });
    // Batches without llmLessons leave the stored ones alone; a later lesson replaces the earlier.
    await store.commit({ arrays: [], cells: [], entries: entries(1), cubes: [] });
    await store.commit({ arrays: [], cells: [], entries: [], cubes: [], llmLessons: [{ morton: 9, lesson: lesson(3) }] });
    await store.close();

    const reopened = await factory.open();
    const order: string[] = [];
    const lessons = new Map<number, Uint8Array>();
    await reopened.load({
      array: () => order.push('array'),
      cell: () => order.push('cell'),
      entry: () => order.push('entry'),
      cube: () => order.push('cube'),
      llmKappa: () => order.push('llmKappa'),
      llmLesson: (morton, l) => (order.push('llmLesson'), lessons.set(morton, l)),
    });
    expect(order).toEqual(['entry', 'llmKappa', 'llmLesson', 'llmLesson']);
    expect(lessons.get(9)).toEqual(lesson(3));
    expect(lessons.get(2 ** 30 - 1)).toEqual(lesson(2));
    expect(lessons.get(9)).toBeInstanceOf(Uint8Array);
    // A sink without llmLesson is still served.
    expect((await loadAll(reopened)).entries).toHaveLength(1);
    await reopened.close();
  });

  it('a Konomi restarted on the store has its taught model back: same lesson, same answers, shown as taught', async () => {
    const options = { llmFactory: new FemtoLlmFactory(), gridDims: { x: 100, y: 100, z: 100 }, maxLlmNodes: 1 };
    const text = 'int main(void) { return 0; }\nint main(void) { return 1; }\n';
    const k = await Konomi.open({ ...options, store: await factory.open() });
    const taught = await k.llm.teach(3, 4, 5, text, { steps: 20 });
    expect(taught.bitsAfter).toBeLessThan(taught.bitsBefore);
    const lesson = k.llm.at(3, 4, 5).lesson?.();
    k.llm.at(6, 6, 6); // evicts the taught model (maxLlmNodes 1): its lesson stays
    const answer = k.llm.query(3, 4, 5, 'int ', 16);
    await k.close();

    const r = await Konomi.open({ ...options, store: await factory.open() });
    expect(r.llm.view(3, 4, 5)).toEqual({ taught: true, steps: 20, textBytes: text.length, bitsBefore: taught.bitsBefore, bitsAfter: taught.bitsAfter });
    expect(r.llm.at(3, 4, 5).lesson?.()).toEqual(lesson);
    expect(r.llm.view(7, 7, 7)).toEqual({ taught: false });
    // κ moved by the answer before the restart is back too, so the next answer is the same.
    const control = await Konomi.open(options);
    await control.llm.teach(3, 4, 5, text, { steps: 20 });
    expect(control.llm.query(3, 4, 5, 'int ', 16)).toEqual(answer);
    expect(r.llm.query(3, 4, 5, 'int ', 16)).toEqual(control.llm.query(3, 4, 5, 'int ', 16));
    await control.close();
    await r.close();
  });

  it('a Konomi restarted on the store has its llmAt κ back, evicted ones included, and answers as if never restarted', async () => {
    const llmFactory = new FemtoLlmFactory();
    const grid = { x: 100, y: 100, z: 100 };
    const options = { llmFactory, gridDims: grid, maxLlmNodes: 2 };
    const coords: [number, number, number][] = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const script = (k: Konomi) => {
      for (const [i, [x, y, z]] of coords.entries()) for (let n = 0; n <= i; n++) k.llm.query(x, y, z, `hello ${n}`, 4);
      // Created but never asked: nothing to store, and it keeps its coordinate-derived κ.
      k.llm.at(10, 10, 10);
    };
    const next = (k: Konomi) => coords.map(([x, y, z]) => k.llm.query(x, y, z, 'the same request', 12));

    const k = await Konomi.open({ ...options, store: await factory.open() });
    script(k);
    const before = coords.map(([x, y, z]) => k.llm.at(x, y, z).kappa);
    await k.close();

    // The same requests without a restart, on a store that is never reopened.
    const control = await Konomi.open(options);
    script(control);
    const expected = next(control);
    await control.close();

    const store = await factory.open();
    const stored = await loadWithKappas(store);
    await store.close();
    expect(new Map(stored.kappas)).toEqual(new Map(coords.map(([x, y, z], i) => [mortonEncode(x, y, z), before[i]!])));

    const r = await Konomi.open({ ...options, store: await factory.open() });
    // Reloaded κ costs no model until its coordinate is used.
    expect(r.llm.liveCount).toBe(0);
    expect(r.llm.count).toBe(3);
    expect(r.kappaMetrics().llmMean).toBeCloseTo(before.reduce((s, v) => s + v, 0) / 3, 12);
    const fresh = llmFactory.create(1, 2, 3).kappa;
    expect(before[0]).not.toBe(fresh);
    expect(next(r)).toEqual(expected);
    expect(coords.map(([x, y, z]) => r.llm.at(x, y, z).kappa)).toEqual(expected.map((e) => e.kappa));
    await r.close();

    // The answers given after the restart moved κ again; that is durable too.
    const again = await Konomi.open({ ...options, store: await factory.open() });
    expect(coords.map(([x, y, z]) => again.llm.at(x, y, z).kappa)).toEqual(expected.map((e) => e.kappa));
    await again.close();
  });

  it('programs survive reopening: created, replaced, listed by name with their UTF-8 size, deleted', async () => {
    let store = await factory.open();
    expect(await store.listPrograms()).toEqual([]);
    expect(await store.getProgram('LIFE')).toBeUndefined();
    await store.putProgram({ name: 'ZETA', text: '10 END\n', updated: 1000 });
    await store.putProgram({ name: 'LIFE', text: '10 PRINT "κ"\n', updated: 2000 });
    await store.putProgram({ name: 'A-1_B', text: '', updated: 3000 });
    await store.putProgram({ name: 'LIFE', text: '10 PRINT "κλ"\n', updated: 4000 });
    await store.close();

    store = await factory.open();
    expect(await store.getProgram('LIFE')).toEqual({ name: 'LIFE', text: '10 PRINT "κλ"\n', updated: 4000 });
    expect(await store.listPrograms()).toEqual([
      { name: 'A-1_B', size: 0, updated: 3000 },
      { name: 'LIFE', size: 16, updated: 4000 },
      { name: 'ZETA', size: 7, updated: 1000 },
    ]);
    expect(await store.deleteProgram('ZETA')).toBe(true);
    expect(await store.deleteProgram('ZETA')).toBe(false);
    await store.close();

    store = await factory.open();
    expect((await store.listPrograms()).map((p) => p.name)).toEqual(['A-1_B', 'LIFE']);
    expect(await store.getProgram('ZETA')).toBeUndefined();
    await store.close();
  });

}
