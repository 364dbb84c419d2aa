import { realClock } from './Clock.js';
import type { Disposable } from './Disposable.js';

/** A set of listeners with xterm-style Disposable subscriptions; a throwing listener never stops the others. */
export class Emitter<T> {
  private readonly items = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (err: unknown) => void = reportListenerError) {}

  add(listener: (value: T) => void): Disposable {
    // Wrap so the same function registered twice gets two independent subscriptions.
    const entry = (value: T): void => listener(value);
    this.items.add(entry);
    return { dispose: () => { this.items.delete(entry); } };
  }

  emit(value: T): void {
    for (const listener of [...this.items]) {
      try {
        listener(value);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  get size(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
  }
}

/**
 * An error policy for emitters whose callers handle listener errors themselves (the dispatcher, the
 * service, the modem, a TCP server): the first throwing listener's error reaches the emitter's
 * caller, as from a plain loop over a Set.
 */
export function propagateListenerError(err: unknown): never {
  throw err;
}

function reportListenerError(err: unknown): void {
  // Deferred rethrow: surfaces in window.onerror (shown on the page) without breaking the emitter loop.
  realClock.setTimeout(() => { throw err; }, 0);
}
