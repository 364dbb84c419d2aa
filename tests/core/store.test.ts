import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { open } from 'lmdb';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';
import { PgStore, REGION_PAGE_SQL } from '../../bridge/store/PgStore.js';
import { chainsRoot } from '../../bridge/store/PgStoreChains.js';
import { migrate } from '../../bridge/store/PgStoreMigrate.js';
import { MIGRATIONS } from '../../bridge/store/migrations/index.js';
import { missingServices, TestServices } from '../stack/services.js';
import { mortonEncode } from '../../core/block/Morton.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { MemoryStore } from '../../core/store/MemoryStore.js';
import { loadAll, storeSuite } from './storeSuite.js';

describe('MemoryStore', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  storeSuite({
    open: async () => {
      store.reopen();
      return store;
    },
  });
});

describe('LmdbStore', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'konomi-lmdb-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  storeSuite({ open: async () => LmdbStore.open(dir) });

  it('a path LMDB cannot use is STORE_FAILED', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    expect(() => LmdbStore.open(join(file, 'sub'))).toThrow(expect.objectContaining({ code: 'STORE_FAILED' }));
  });

  it('an existing empty directory is the store, whatever its name (mktemp -d gives tmp.XXXXXXXXXX)', async () => {
    for (const name of ['tmp.AbC123xyZ9', 'plain', 'data.v2']) {
      const empty = join(dir, name);
      mkdirSync(empty);
      const k = await Konomi.open({ store: LmdbStore.open(empty), gridDims: { x: 4, y: 4, z: 4 } });
      await k.grid.setCell(1, 2, 3, 4.5);
      await k.close();
      expect(statSync(join(empty, 'data.mdb')).isFile()).toBe(true);
      const r = await Konomi.open({ store: LmdbStore.open(empty), gridDims: { x: 4, y: 4, z: 4 } });
      expect(r.grid.getCell(1, 2, 3).value).toBe(4.5);
      await r.close();
    }
    // A directory that does not exist yet is created, dot or not.
    const fresh = join(dir, 'new.store', 'deeper.d');
    await (await Konomi.open({ store: LmdbStore.open(fresh) })).close();
    expect(statSync(fresh).isDirectory()).toBe(true);
  });

  it('a single-file LMDB store made before (an existing regular file) still opens as one', async () => {
    const file = join(dir, 'old.mdb');
    const raw = open({ path: file, compression: false });
    await raw.openDB<number, number>({ name: 'llm_kappas' }).put(5, 0.25);
    await raw.close();
    expect(statSync(file).isFile()).toBe(true);
    const store = LmdbStore.open(file);
    expect((await loadAll(store)).cells).toEqual([]);
    await store.commit({ arrays: [], cells: [{ array: 0, morton: 9, active: true, value: 2, timestamp: 3 }], entries: [], cubes: [] });
    await store.close();
    const again = LmdbStore.open(file);
    expect((await loadAll(again)).cells).toEqual([[0, 9, true, 2, 3]]);
    await again.close();
  });

  it('verify() finds an entry tampered with on disk', async () => {
    const k = await Konomi.open({ store: LmdbStore.open(dir), gridDims: { x: 10, y: 10, z: 10 } });
    for (let i = 0; i < 10; i++) await k.grid.setCell(i, i, i, i);
    await k.close();

    const raw = open({ path: dir, compression: false });
    const ledger = raw.openDB<{ value: number }, number>({ name: 'ledger' });
    const entry = ledger.get(6)!;
    await ledger.put(6, { ...entry, value: 1234 });
    await raw.close();

    const r = await Konomi.open({ store: LmdbStore.open(dir), gridDims: { x: 10, y: 10, z: 10 } });
    expect(r.grid.verifyLedger()).toEqual({ valid: false, length: 11, firstBadIndex: 6 });
    await r.close();
  });
});

const noPostgres = missingServices({ postgres: true });

describe.skipIf(noPostgres !== undefined)('PgStore', () => {
  let services: TestServices;
  let schemas = 0;
  let schema = '';
  beforeAll(async () => {
    services = await TestServices.start({ postgres: true });
  });
  afterAll(async () => {
    await services?.stop();
  });
  // A fresh schema per test: same server, no state shared between tests.
  beforeEach(() => {
    schema = `t${++schemas}`;
  });
  const open = (chain?: string): Promise<PgStore> => PgStore.open({ url: services.postgresUrl, schema, ...(chain ? { chain } : {}) });

  storeSuite({ open: () => open() });

  it('migrations are recorded once, however often a store opens', async () => {
    await (await open()).close();
    await (await open()).close();
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    const rows = await client.query('SELECT version, name FROM konomi_migrations');
    await client.end();
    expect(rows.rows).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'array_state' },
      { version: 3, name: 'shared_ids' },
      { version: 4, name: 'llm_kappas' },
      { version: 5, name: 'llm_lessons' },
      { version: 6, name: 'programs' },
    ]);
  });

  it('a database at an older schema version is migrated on open, its rows kept', async () => {
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    expect(await migrate(client, [MIGRATIONS[0]!])).toEqual([1]);
    await client.query('INSERT INTO arrays (id, x, y, z, template, template_id) VALUES (0, 8, 8, 8, false, NULL)');
    await client.end();
    const store = await open();
    expect((await loadAll(store)).arrays).toEqual([{ id: 0, x: 8, y: 8, z: 8, template: false, templateId: null }]);
    await store.close();
  });

  it('a chain has one writer at a time', async () => {
    const first = await open('bridge-a');
    await expect(open('bridge-a')).rejects.toThrow(expect.objectContaining({ code: 'STORE_FAILED', message: expect.stringMatching(/open in another process/) }));
    const other = await open('bridge-b');
    await first.close();
    await other.close();
    await (await open('bridge-a')).close();
  });

  it('the ledger table refuses UPDATE, DELETE and TRUNCATE', async () => {
    const k = await Konomi.open({ store: await open(), gridDims: { x: 10, y: 10, z: 10 } });
    await k.grid.setCell(1, 2, 3, 4);
    await k.close();
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await expect(client.query('UPDATE ledger SET value = 5 WHERE idx = 1')).rejects.toThrow(/append-only/);
    await expect(client.query('DELETE FROM ledger')).rejects.toThrow(/append-only/);
    await expect(client.query('TRUNCATE ledger CASCADE')).rejects.toThrow(/append-only/);
    await client.end();
  });

  it('verify() finds an entry tampered with behind the trigger', async () => {
    const k = await Konomi.open({ store: await open(), gridDims: { x: 10, y: 10, z: 10 } });
    for (let i = 0; i < 10; i++) await k.grid.setCell(i, i, i, i);
    await k.close();
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('ALTER TABLE ledger DISABLE TRIGGER ledger_no_update_or_delete');
    await client.query('UPDATE ledger SET value = 1234 WHERE idx = 6');
    await client.end();

    const store = await open();
    expect(await store.verifyChain('main')).toEqual({ valid: false, length: 11, firstBadIndex: 6 });
    const r = await Konomi.open({ store, gridDims: { x: 10, y: 10, z: 10 } });
    expect(r.grid.verifyLedger()).toEqual({ valid: false, length: 11, firstBadIndex: 6 });
    await r.close();
  });

  it('two writers share the cells, keep their own chains, and the root commits to both heads', async () => {
    const a = await Konomi.open({ store: await open('bridge-a'), gridDims: { x: 100, y: 100, z: 100 } });
    const bStore = await open('bridge-b');
    const b = await Konomi.open({ store: bStore, gridDims: { x: 100, y: 100, z: 100 } });
    await Promise.all([a.grid.setCell(1, 1, 1, 11), b.grid.setCell(2, 2, 2, 22), a.grid.setCell(3, 3, 3, 33)]);
    expect(await bStore.readCell(0, 7)).toMatchObject({ active: true, value: 11 }); // morton(1,1,1) = 7
    const heads = await bStore.chainHeads();
    expect(heads.map((h) => [h.chain, h.length])).toEqual([['bridge-a', 3], ['bridge-b', 1]]); // a also created the grid
    expect(heads[0]!.head).toEqual(a.grid.ledgerHead().hash);
    expect(await bStore.rootHash()).toEqual(chainsRoot(heads));
    expect(await bStore.verifyChain('bridge-a')).toEqual({ valid: true, length: 3 });
    await a.close();
    await b.close();

    const c = await Konomi.open({ store: await open('bridge-c'), gridDims: { x: 100, y: 100, z: 100 } });
    expect([c.grid.getCell(1, 1, 1).value, c.grid.getCell(2, 2, 2).value, c.grid.getCell(3, 3, 3).value]).toEqual([11, 22, 33]);
    expect(c.grid.ledgerHead().length).toBe(0);
    await c.close();
  });

  it('two writers opening an empty database at once create the grid once and share default cubes by origin', async () => {
    const dims = { x: 100, y: 100, z: 100 };
    const [a, b] = await Promise.all([Konomi.open({ store: await open('bridge-a'), gridDims: dims }), Konomi.open({ store: await open('bridge-b'), gridDims: dims })]);
    const [ca, cb] = await Promise.all([a.cubes.at(0, 0, 0), b.cubes.at(0, 0, 0)]);
    expect(ca.id).toBe(cb.id);
    await Promise.all([a.close(), b.close()]);
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    const rows = await client.query<{ arrays: string; cubes: string }>('SELECT (SELECT count(*) FROM arrays) AS arrays, (SELECT count(*) FROM cubes) AS cubes');
    await client.end();
    expect(rows.rows[0]).toEqual({ arrays: '1', cubes: '1' });
  });

  it('two writers creating templates, instances and cubes at once get distinct ids and each reads back its own', async () => {
    const dims = { x: 20, y: 20, z: 20 };
    const a = await Konomi.open({ store: await open('bridge-a'), gridDims: dims });
    const b = await Konomi.open({ store: await open('bridge-b'), gridDims: dims });
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => {
        const k = i % 2 === 0 ? a : b;
        return k.grid.createTemplate({ x: 4 + i, y: 4, z: 4 }, [{ x: 1, y: 1, z: 1, value: 100 + i }]).then((t) => ({ k, t, i }));
      }),
    );
    const ids = made.map((m) => m.t.id);
    expect(new Set(ids).size).toBe(6);
    expect(ids).not.toContain(0);
    for (const { k, t, i } of made) {
      expect(k.grid.array(t.id).dims).toEqual({ x: 4 + i, y: 4, z: 4 });
      expect(k.grid.getCell(1, 1, 1, t.id).value).toBe(100 + i);
    }
    const [ia, ib] = await Promise.all([a.grid.instantiate(made[0]!.t.id), b.grid.instantiate(made[1]!.t.id)]);
    expect(ia.id).not.toBe(ib.id);
    const [cubeA, cubeB] = await Promise.all([a.cubes.create(1, 2, 3), b.cubes.create(4, 5, 6)]);
    expect(cubeA.id).not.toBe(cubeB.id);
    await Promise.all([a.close(), b.close()]);

    const c = await Konomi.open({ store: await open('bridge-c'), gridDims: dims });
    for (const { t, i } of made) {
      expect(c.grid.array(t.id).dims).toEqual({ x: 4 + i, y: 4, z: 4 });
      expect(c.grid.getCell(1, 1, 1, t.id).value).toBe(100 + i);
    }
    expect(c.grid.arrayInfo(ia.id).templateId).toBe(made[0]!.t.id);
    expect(c.cubes.cube(cubeA.id).origin).toEqual({ x: 1, y: 2, z: 3 });
    expect(c.cubes.cube(cubeB.id).origin).toEqual({ x: 4, y: 5, z: 6 });
    await c.close();
  });

  it('a commit never replaces another definition of an array or cube with the same id', async () => {
    const store = await open();
    const row = { id: 7, x: 4, y: 4, z: 4, template: false, templateId: null };
    await store.commit({ arrays: [row], cells: [], entries: [], cubes: [] });
    await store.commit({ arrays: [{ ...row, template: true }], cells: [], entries: [], cubes: [] });
    await expect(store.commit({ arrays: [{ ...row, x: 5 }], cells: [], entries: [], cubes: [] })).rejects.toThrow(/array 7 is stored with another definition/);
    const cube = { id: 3, x: 1, y: 1, z: 1, kappa: 0.5, vertexKappa: [], customEdges: [], links: [] };
    await store.commit({ arrays: [], cells: [], entries: [], cubes: [cube] });
    await store.commit({ arrays: [], cells: [], entries: [], cubes: [{ ...cube, kappa: 0.7 }] });
    await expect(store.commit({ arrays: [], cells: [], entries: [], cubes: [{ ...cube, x: 2 }] })).rejects.toThrow(/cube 3 is stored with another definition/);
    const rows = await loadAll(store);
    expect(rows.arrays).toEqual([{ ...row, template: true }]);
    await store.close();
  });

  it('concurrent cell reads are answered in batches, each with its own row or undefined', async () => {
    const store = await open();
    const cells = Array.from({ length: 3000 }, (_, i) => ({ array: 0, morton: i * 7, active: i % 3 !== 0, value: i / 2, timestamp: i }));
    await store.commit({ arrays: [{ id: 0, x: 1024, y: 1024, z: 1024, template: false, templateId: null }], cells, entries: [], cubes: [] });
    const reads = await Promise.all(Array.from({ length: 2500 }, (_, i) => store.readCell(0, i * 7 + (i % 2 === 0 ? 0 : 1))));
    reads.forEach((row, i) => {
      if (i % 2 === 1) expect(row).toBeUndefined();
      else expect(row).toEqual(cells[i]);
    });
    await store.close();
    await expect(store.readCell(0, 0)).rejects.toThrow(expect.objectContaining({ code: 'STORE_FAILED' }));
  });

  it('region queries return the active cells in the box, in Morton order', async () => {
    const store = await open();
    const k = await Konomi.open({ store, gridDims: { x: 1000, y: 1000, z: 1000 } });
    const writes = [];
    for (let i = 0; i < 40; i++) writes.push(k.grid.setCell(i * 25, (i * 37) % 1000, (i * 53) % 1000, i));
    for (let i = 0; i < 1500; i++) writes.push(k.grid.setCell(500 + (i % 15), 500 + (Math.floor(i / 15) % 10), 500 + Math.floor(i / 150), -i));
    await Promise.all(writes);
    await k.grid.deactivateCell(505, 505, 505);
    const min = { x: 503, y: 502, z: 501 };
    const max = { x: 900, y: 507, z: 508 };
    const expected = k.grid.array().region({ x0: min.x, y0: min.y, z0: min.z, x1: max.x, y1: max.y, z1: max.z });
    const got = await store.region(0, min, max);
    expect(got.map((c) => c.morton)).toEqual(expected.map((c) => mortonEncode(c.x, c.y, c.z)));
    expect(got.map((c) => c.value)).toEqual(expected.map((c) => c.value));
    expect(got.length).toBeGreaterThan(100);
    await k.close();
  });

  it('a region page for a small box is an index scan on the one octant partition holding it', async () => {
    const store = await open();
    const octant = 2 ** 27;
    // 8 × 5000 cells, spread over every octant, so the planner has a real choice.
    const cells = Array.from({ length: 40_000 }, (_, i) => ({ array: 0, morton: (i % 8) * octant + Math.floor(i / 8) * 97, active: true, value: i, timestamp: i }));
    await store.commit({ arrays: [{ id: 0, x: 1000, y: 1000, z: 1000, template: false, templateId: null }], cells, entries: [], cubes: [] });
    const client = new pg.Client({ connectionString: services.postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('ANALYZE cells');
    const zmin = mortonEncode(600, 600, 600);
    const zmax = mortonEncode(607, 607, 607);
    const plan = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${REGION_PAGE_SQL}`, [0, zmin, zmax]);
    await client.end();
    const nodes: Array<{ 'Node Type'?: string; 'Relation Name'?: string; 'Index Name'?: string }> = [];
    const walk = (n: unknown): void => {
      if (typeof n !== 'object' || n === null) return;
      const node = n as Record<string, unknown>;
      if (typeof node['Node Type'] === 'string') nodes.push(node as (typeof nodes)[number]);
      for (const v of Object.values(node)) if (Array.isArray(v)) v.forEach(walk);
      if (node.Plan) walk(node.Plan);
    };
    (plan.rows[0]!['QUERY PLAN'] as unknown[]).forEach(walk);
    const scans = nodes.filter((n) => n['Relation Name'] !== undefined);
    expect(scans.map((n) => n['Relation Name'])).toEqual([`cells_octant_${Math.floor(zmin / octant)}`]);
    expect(scans[0]!['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(scans[0]!['Index Name']).toMatch(/pkey/);
    await store.close();
  });
});
