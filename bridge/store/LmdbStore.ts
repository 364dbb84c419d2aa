import { statSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { CubeRecord } from '../../core/cube/Cube.js';
import { CoreError } from '../../core/errors/CoreError.js';
import type { LedgerEntry, LedgerOpCode } from '../../core/ledger/LedgerEntry.js';
import type { ArrayRow, ProgramInfo, ProgramRow, Store, StoreBatch, StoreSink } from '../../core/store/Store.js';
import { encodeUtf8 } from '../../protocol/utf8.js';

export const DEFAULT_DATA_DIR = './data';

/**
 * [active 0/1, value, timestamp]: compact under msgpack. msgpack writes -0 as the integer 0, which
 * is why the core hands stores canonical values only (canonicalValue: -0 never gets this far).
 */
type CellValue = [number, number, number];
type CellKey = [number, number];

/** A program as stored: its name is the key; size is kept so a listing need not measure texts. */
interface StoredProgram {
  text: string;
  size: number;
  updated: number;
}

/** A ledger entry as stored: its index is the key. */
type StoredEntry = Omit<LedgerEntry, 'index'>;

/**
 * The embedded default Store: LMDB through `lmdb` (prebuilt, no server). One LMDB transaction
 * per batch; the promise resolves only after the commit is flushed to disk. Tables mirror the
 * SQL layout a later PostgreSQL store uses: cells keyed (array, morton), ledger by index,
 * arrays and cubes by id. One process owns a directory at a time.
 */
export class LmdbStore implements Store {
  private closed = false;

  private constructor(
    private readonly root: RootDatabase,
    private readonly arrays: Database<ArrayRow, number>,
    private readonly cells: Database<CellValue, CellKey>,
    private readonly ledger: Database<StoredEntry, number>,
    private readonly cubes: Database<CubeRecord, number>,
    /** llmAt κ by Morton code. */
    private readonly llmKappas: Database<number, number>,
    /** Lessons of taught llmAt models by Morton code. */
    private readonly llmLessons: Database<Uint8Array, number>,
    /** Saved programs by name (not Konomi state: no ledger entry). */
    private readonly programs: Database<StoredProgram, string>,
    private ledgerLength: number,
  ) {}

  /**
   * Opens (creating if needed) the store in directory `path`; STORE_FAILED if LMDB cannot. The
   * path is always a directory, whatever its name: `lmdb` alone takes a name with a dot
   * (`mktemp -d` gives `/tmp/tmp.XXXXXXXXXX`) for a single-file store and fails on the directory
   * with EISDIR. Only an existing regular file is opened as a single-file store.
   */
  static open(path: string = DEFAULT_DATA_DIR): LmdbStore {
    let root: RootDatabase;
    try {
      root = open({ path, compression: false, noSubdir: isRegularFile(path) });
    } catch (cause) {
      throw new CoreError('STORE_FAILED', `cannot open LMDB at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
    const ledger = root.openDB<StoredEntry, number>({ name: 'ledger' });
    return new LmdbStore(
      root,
      root.openDB<ArrayRow, number>({ name: 'arrays' }),
      root.openDB<CellValue, CellKey>({ name: 'cells' }),
      ledger,
      root.openDB<CubeRecord, number>({ name: 'cubes' }),
      root.openDB<number, number>({ name: 'llm_kappas' }),
      root.openDB<Uint8Array, number>({ name: 'llm_lessons', encoding: 'binary' }),
      root.openDB<StoredProgram, string>({ name: 'programs' }),
      ledger.getKeysCount(),
    );
  }

  async commit(batch: StoreBatch): Promise<void> {
    this.checkOpen();
    batch.entries.forEach((e, i) => {
      if (e.index !== this.ledgerLength + i) {
        throw new CoreError('STORE_FAILED', `ledger entry ${e.index} does not follow ${this.ledgerLength + i - 1}`);
      }
    });
    await this.root.transaction(() => {
      for (const a of batch.arrays) void this.arrays.put(a.id, { ...a });
      for (const c of batch.cells) void this.cells.put([c.array, c.morton], [c.active ? 1 : 0, c.value, c.timestamp]);
      for (const e of batch.entries) void this.ledger.put(e.index, toStored(e));
      for (const c of batch.cubes) void this.cubes.put(c.id, c);
      for (const k of batch.llmKappas ?? []) void this.llmKappas.put(k.morton, k.kappa);
      for (const l of batch.llmLessons ?? []) void this.llmLessons.put(l.morton, l.lesson);
    });
    await this.root.flushed;
    this.ledgerLength += batch.entries.length;
  }

  async load(sink: StoreSink): Promise<void> {
    this.checkOpen();
    for (const { value } of this.arrays.getRange()) sink.array(value);
    for (const { key, value } of this.cells.getRange()) sink.cell(key[0], key[1], value[0] === 1, value[1], value[2]);
    for (const { key, value } of this.ledger.getRange()) sink.entry(fromStored(key, value));
    for (const { value } of this.cubes.getRange()) sink.cube(value);
    if (sink.llmKappa) for (const { key, value } of this.llmKappas.getRange()) sink.llmKappa(key, value);
    if (sink.llmLesson) for (const { key, value } of this.llmLessons.getRange()) sink.llmLesson(key, Uint8Array.from(value));
  }

  async getProgram(name: string): Promise<ProgramRow | undefined> {
    this.checkOpen();
    const stored = this.programs.get(name);
    return stored && { name, text: stored.text, updated: stored.updated };
  }

  async putProgram(row: ProgramRow): Promise<void> {
    this.checkOpen();
    await this.programs.put(row.name, { text: row.text, size: encodeUtf8(row.text).length, updated: row.updated });
    await this.root.flushed;
  }

  async deleteProgram(name: string): Promise<boolean> {
    this.checkOpen();
    // remove() resolves true whether or not the key was there; one process owns the directory, so look first.
    if (this.programs.get(name) === undefined) return false;
    await this.programs.remove(name);
    await this.root.flushed;
    return true;
  }

  async listPrograms(): Promise<ProgramInfo[]> {
    this.checkOpen();
    // Keys come in byte order, which for A-Z 0-9 _ - is the order of the JavaScript comparison.
    return [...this.programs.getRange()].map(({ key, value }) => ({ name: key, size: value.size, updated: value.updated }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new CoreError('STORE_FAILED', 'store is closed');
  }
}

function isRegularFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function toStored(e: LedgerEntry): StoredEntry {
  return { op: e.op, array: e.array, x: e.x, y: e.y, z: e.z, value: e.value, timestamp: e.timestamp, prevHash: e.prevHash, hash: e.hash };
}

function fromStored(index: number, s: StoredEntry): LedgerEntry {
  return {
    index,
    op: s.op as LedgerOpCode,
    array: s.array,
    x: s.x,
    y: s.y,
    z: s.z,
    value: s.value,
    timestamp: s.timestamp,
    prevHash: Uint8Array.from(s.prevHash),
    hash: Uint8Array.from(s.hash),
  };
}
