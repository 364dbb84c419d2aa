import type { CubeRecord } from '../cube/Cube.js';
import type { LedgerEntry } from '../ledger/LedgerEntry.js';
import type { PackMlState } from '../orchestrator/PackMl.js';

/**
 * Rows are keyed the way an SQL table would be: cells by (array, morton) with morton the
 * integer Morton code, ledger entries by index, arrays and cubes by id.
 */
export interface CellRow {
  readonly array: number;
  readonly morton: number;
  /** false = the cell was deactivated (a tombstone, needed to shadow a template's cell). */
  readonly active: boolean;
  readonly value: number;
  readonly timestamp: number;
}

export interface ArrayRow {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Frozen: no more writes; instances may start from it. */
  readonly template: boolean;
  /** The template this array was instantiated from; its cell rows are then only the differences. */
  readonly templateId: number | null;
  /**
   * The array's PackML state (always a wait state: Execute, Held, Suspended, Complete, Stopped,
   * Aborted, Idle). Rows written before it existed lack it: Execute, or Complete for a template.
   */
  readonly state?: PackMlState;
}

/**
 * The κ of the llmAt model at one grid coordinate (Morton code). Only coordinates whose κ a
 * request has moved have a row; every other coordinate starts from its coordinate-derived κ.
 */
export interface LlmKappaRow {
  readonly morton: number;
  readonly kappa: number;
}

/**
 * A taught llmAt model's own parameters (LlmNode.lesson: FemtoLLM's is 792 bytes, versioned, see
 * core/femto/FemtoLesson.ts), by Morton code. Stores keep the bytes as they are.
 */
export interface LlmLessonRow {
  readonly morton: number;
  readonly lesson: Uint8Array;
}

/** Largest lesson a store accepts (the budget per instance). */
export const MAX_LESSON_BYTES = 1024;

/** One atomic unit: all of it is durable, or none of it. Later rows with the same key replace earlier ones. */
export interface StoreBatch {
  readonly entries: readonly LedgerEntry[];
  readonly cells: readonly CellRow[];
  readonly arrays: readonly ArrayRow[];
  readonly cubes: readonly CubeRecord[];
  /** Absent in batches written before llmAt κ was durable: nothing to write. */
  readonly llmKappas?: readonly LlmKappaRow[];
  /** Absent in batches written before teaching existed: nothing to write. */
  readonly llmLessons?: readonly LlmLessonRow[];
}

/** Receives everything at startup, streamed so that millions of cells need no intermediate objects. */
export interface StoreSink {
  array(row: ArrayRow): void;
  cell(array: number, morton: number, active: boolean, value: number, timestamp: number): void;
  /** In index order. */
  entry(entry: LedgerEntry): void;
  cube(record: CubeRecord): void;
  /** κ of llmAt models, last; a sink without it ignores them. */
  llmKappa?(morton: number, kappa: number): void;
  /** Lessons of taught llmAt models, after κ; a sink without it ignores them. */
  llmLesson?(morton: number, lesson: Uint8Array): void;
}

/** A saved program (docs/PROTOCOL.md "PROGRAM"): its name is already upper case and valid. */
export interface ProgramRow {
  readonly name: string;
  readonly text: string;
  /** When it was last saved, ms since the epoch. */
  readonly updated: number;
}

/** A program without its text, for listings. */
export interface ProgramInfo {
  readonly name: string;
  /** Bytes of UTF-8 text. */
  readonly size: number;
  readonly updated: number;
}

/**
 * Named programs, kept apart from the ledger: they are people's files, not Konomi state, so
 * they are not hashed or replayed, and a write is durable when its promise resolves.
 * ProgramLibrary (core/programs) checks names, sizes and the count before calling these.
 */
export interface ProgramStore {
  getProgram(name: string): Promise<ProgramRow | undefined>;
  /** Creates or replaces. */
  putProgram(row: ProgramRow): Promise<void>;
  /** false when there was no such program. */
  deleteProgram(name: string): Promise<boolean>;
  /** Every program, by name ascending. */
  listPrograms(): Promise<ProgramInfo[]>;
}

export interface Store extends ProgramStore {
  /** Resolves only once the whole batch is durable; rejects (and applies nothing) otherwise. */
  commit(batch: StoreBatch): Promise<void>;
  /** Streams back arrays (ascending id), then cells, then ledger entries (ascending index), then cubes, then llmAt κ, then lessons. */
  load(sink: StoreSink): Promise<void>;
  close(): Promise<void>;
  /**
   * Stores shared by several writers (bridges) hand out array and cube ids, so that no two
   * writers pick the same one; stores with one writer leave it out and the core counts locally.
   * For a cube, `key` is the Morton code of its origin: one origin has one id system-wide, so
   * writers creating the same cube (the default cubes of bridges starting together) agree.
   */
  allocateId?(kind: IdKind, key?: number): Promise<number>;
}

export type IdKind = 'array' | 'cube';

/** A StoreBatch being filled (the commit queue's next commit). */
export interface MutableBatch {
  entries: LedgerEntry[];
  cells: CellRow[];
  arrays: ArrayRow[];
  cubes: CubeRecord[];
  llmKappas: LlmKappaRow[];
  llmLessons: LlmLessonRow[];
}

export function emptyBatch(): MutableBatch {
  return { entries: [], cells: [], arrays: [], cubes: [], llmKappas: [], llmLessons: [] };
}
