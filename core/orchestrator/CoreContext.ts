import { CoreError } from '../errors/CoreError.js';
import { Ledger } from '../ledger/Ledger.js';
import { validateLedgerRecord, type LedgerEntry, type LedgerRecord } from '../ledger/LedgerEntry.js';
import type { Store } from '../store/Store.js';
import { CommitQueue, type BatchPart, type ChangeSource } from './CommitQueue.js';
import { PackMlMachine } from './PackMl.js';

/** Longest prompt accepted unless told otherwise, in UTF-16 units. */
export const DEFAULT_MAX_PROMPT_LENGTH = 65_536;
/** Most targets one broadcast may reach unless told otherwise. */
export const DEFAULT_MAX_BROADCAST = 1024;

export interface CoreContextOptions {
  readonly clock: () => number;
  readonly maxPromptLength?: number | undefined;
  readonly maxBroadcast?: number | undefined;
}

/**
 * What the grid, the LLM field and the cube set share, so that each can live in its own file:
 * the PackML state of the system, the clock, the one hash-chained ledger every part appends to,
 * and the group commit that makes their changes durable together. A failed commit stops every
 * part at once (the core can no longer promise durability).
 */
export class CoreContext {
  readonly system = new PackMlMachine();
  readonly ledger = new Ledger();
  readonly clock: () => number;
  readonly maxBroadcast: number;
  private readonly maxPromptLength: number;
  private readonly queue: CommitQueue;
  private failure: CoreError | null = null;

  constructor(
    readonly store: Store,
    options: CoreContextOptions,
  ) {
    this.clock = options.clock;
    this.maxPromptLength = options.maxPromptLength ?? DEFAULT_MAX_PROMPT_LENGTH;
    this.maxBroadcast = options.maxBroadcast ?? DEFAULT_MAX_BROADCAST;
    this.queue = new CommitQueue(store, (e) => this.fail(e));
  }

  /** Every commit also carries what `source` changed since the last one. */
  track(source: ChangeSource): void {
    this.queue.track(source);
  }

  /** Resolves once `part`, and every tracked change so far, is durable. */
  submit(part: BatchPart): Promise<void> {
    return this.queue.submit(part);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Throws the commit failure, if one happened: nothing may be written after it. */
  checkNotFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Writes need a healthy store and the system in Execute. */
  checkWritable(): void {
    this.checkNotFailed();
    const state = this.system.state;
    if (state !== 'Execute') throw new CoreError('NOT_RUNNING', `system is ${state}`);
  }

  /** LLM and cube work runs only while the system is in Execute. */
  checkRunning(): void {
    const state = this.system.state;
    if (state !== 'Execute') throw new CoreError('NOT_RUNNING', `system is ${state}`);
  }

  checkPrompt(text: string): void {
    if (typeof text !== 'string') throw new CoreError('BAD_VALUE', 'prompt must be a string');
    if (text.length > this.maxPromptLength) throw new CoreError('TOO_LARGE', `prompt longer than ${this.maxPromptLength}`);
  }

  /** Milliseconds of the clock as a ledger timestamp (a whole, non-negative number). */
  now(): number {
    return Math.max(0, Math.floor(this.clock()));
  }

  /** Validates and appends one ledger entry (durable with the next commit that carries it). */
  append(op: LedgerRecord['op'], array: number, x: number, y: number, z: number, value: number, timestamp = this.now()): LedgerEntry {
    const record: LedgerRecord = { op, array, x, y, z, value, timestamp };
    validateLedgerRecord(record);
    return this.ledger.append(record);
  }

  private fail(error: CoreError): void {
    this.failure = error;
    if (this.system.target('abort') !== undefined) this.system.run('abort');
  }
}
