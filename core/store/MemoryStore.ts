import type { CubeRecord } from '../cube/Cube.js';
import { CoreError } from '../errors/CoreError.js';
import type { LedgerEntry } from '../ledger/LedgerEntry.js';
import { encodeUtf8 } from '../../protocol/utf8.js';
import type { ArrayRow, CellRow, ProgramInfo, ProgramRow, Store, StoreBatch, StoreSink } from './Store.js';

/** Keeps everything in memory; "durable" for the life of the object. For tests and ephemeral runs. */
export class MemoryStore implements Store {
  private readonly arrays = new Map<number, ArrayRow>();
  /** Key: array * 2^30 + morton, an exact integer. */
  private readonly cells = new Map<number, CellRow>();
  private readonly entries: LedgerEntry[] = [];
  private readonly cubes = new Map<number, CubeRecord>();
  /** llmAt κ by Morton code. */
  private readonly llmKappas = new Map<number, number>();
  /** Lessons of taught llmAt models by Morton code (copies). */
  private readonly llmLessons = new Map<number, Uint8Array>();
  private readonly programs = new Map<string, ProgramRow>();
  private closed = false;

  async commit(batch: StoreBatch): Promise<void> {
    this.checkOpen();
    for (const [i, e] of batch.entries.entries()) {
      if (e.index !== this.entries.length + i) {
        throw new CoreError('STORE_FAILED', `ledger entry ${e.index} does not follow ${this.entries.length + i - 1}`);
      }
    }
    for (const a of batch.arrays) this.arrays.set(a.id, { ...a });
    for (const c of batch.cells) this.cells.set(c.array * 2 ** 30 + c.morton, { ...c });
    for (const e of batch.entries) this.entries.push({ ...e, prevHash: e.prevHash.slice(), hash: e.hash.slice() });
    for (const c of batch.cubes) this.cubes.set(c.id, structuredCloneCube(c));
    for (const k of batch.llmKappas ?? []) this.llmKappas.set(k.morton, k.kappa);
    for (const l of batch.llmLessons ?? []) this.llmLessons.set(l.morton, l.lesson.slice());
  }

  async load(sink: StoreSink): Promise<void> {
    this.checkOpen();
    for (const id of [...this.arrays.keys()].sort((a, b) => a - b)) sink.array(this.arrays.get(id)!);
    for (const c of this.cells.values()) sink.cell(c.array, c.morton, c.active, c.value, c.timestamp);
    for (const e of this.entries) sink.entry(e);
    for (const id of [...this.cubes.keys()].sort((a, b) => a - b)) sink.cube(this.cubes.get(id)!);
    if (sink.llmKappa) for (const [morton, kappa] of this.llmKappas) sink.llmKappa(morton, kappa);
    if (sink.llmLesson) for (const [morton, lesson] of this.llmLessons) sink.llmLesson(morton, lesson.slice());
  }

  async getProgram(name: string): Promise<ProgramRow | undefined> {
    this.checkOpen();
    const row = this.programs.get(name);
    return row && { ...row };
  }

  async putProgram(row: ProgramRow): Promise<void> {
    this.checkOpen();
    this.programs.set(row.name, { ...row });
  }

  async deleteProgram(name: string): Promise<boolean> {
    this.checkOpen();
    return this.programs.delete(name);
  }

  async listPrograms(): Promise<ProgramInfo[]> {
    this.checkOpen();
    return [...this.programs.values()]
      .map((p) => ({ name: p.name, size: encodeUtf8(p.text).length, updated: p.updated }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** A MemoryStore survives a Konomi restart in tests only if it is reopened. */
  reopen(): void {
    this.closed = false;
  }

  private checkOpen(): void {
    if (this.closed) throw new CoreError('STORE_FAILED', 'store is closed');
  }
}

function structuredCloneCube(c: CubeRecord): CubeRecord {
  return {
    ...c,
    vertexKappa: [...c.vertexKappa],
    customEdges: c.customEdges.map(([a, b]) => [a, b] as const),
    links: c.links.map((l) => ({ ...l })),
  };
}
