import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { MemoryStore } from '../../core/store/MemoryStore.js';
import { storeSuite } from './storeSuite.js';

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
    expect(() => LmdbStore.open(join(file, 'sub'))).toThrow(/STORE_FAILED/);
  });

  it('verify() finds an entry tampered with on disk', async () => {
    const k = await Konomi.open({ store: LmdbStore.open(dir), gridDims: { x: 10, y: 10, z: 10 } });
    for (let i = 0; i < 10; i++) await k.setCell(i, i, i, i);
    await k.close();

    const raw = open({ path: dir, compression: false });
    const ledger = raw.openDB<{ value: number }, number>({ name: 'ledger' });
    const entry = ledger.get(6)!;
    await ledger.put(6, { ...entry, value: 1234 });
    await raw.close();

    const r = await Konomi.open({ store: LmdbStore.open(dir), gridDims: { x: 10, y: 10, z: 10 } });
    expect(r.verifyLedger()).toEqual({ valid: false, length: 11, firstBadIndex: 6 });
    await r.close();
  });
});
