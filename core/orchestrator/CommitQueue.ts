import { describeError } from '../../protocol/errors/CodedError.js';
import { CoreError } from '../errors/CoreError.js';
import type { LedgerEntry } from '../ledger/LedgerEntry.js';
import { emptyBatch, type ArrayRow, type CellRow, type MutableBatch, type Store } from '../store/Store.js';

export interface BatchPart {
  readonly entries?: readonly LedgerEntry[];
  readonly cells?: readonly CellRow[];
  readonly arrays?: readonly ArrayRow[];
}

/** A part of the core that keeps changes in memory until the next commit (cube κ, model κ, lessons). */
export interface ChangeSource {
  /** Moves what changed since the last commit into `batch`, and forgets it. */
  takeChanges(batch: MutableBatch): void;
}

/**
 * Group commit: at most one store commit is in flight; everything submitted meanwhile is merged
 * into the next one. Each submit resolves when the commit holding it is durable.
 */
export class CommitQueue {
  private pending = emptyBatch();
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private running: Promise<void> | null = null;

  private readonly sources: ChangeSource[] = [];

  constructor(
    private readonly store: Store,
    private readonly onFailure: (error: CoreError) => void,
  ) {}

  /** Every commit also carries what `source` changed since the last one. */
  track(source: ChangeSource): void {
    this.sources.push(source);
  }

  submit(part: BatchPart): Promise<void> {
    if (part.entries) for (const e of part.entries) this.pending.entries.push(e);
    if (part.cells) for (const c of part.cells) this.pending.cells.push(c);
    if (part.arrays) for (const a of part.arrays) this.pending.arrays.push(a);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  /** Resolves when everything submitted so far (and every tracked change) is durable. */
  flush(): Promise<void> {
    return this.submit({});
  }

  private async drain(): Promise<void> {
    while (this.waiters.length > 0) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = emptyBatch();
      this.waiters = [];
      for (const source of this.sources) source.takeChanges(batch);
      try {
        await this.store.commit(batch);
        for (const w of waiters) w.resolve();
      } catch (cause) {
        const error = new CoreError('STORE_FAILED', `commit failed: ${describeError(cause)}`);
        this.onFailure(error);
        for (const w of waiters) w.reject(error);
      }
    }
    this.running = null;
  }
}
