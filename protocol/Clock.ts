/**
 * The one time source for everything with timers: the protocol layer, the modem and pacing in lines/.
 * Tests use protocol/testing/ManualClock.
 */
export interface Clock {
  /** Milliseconds; only differences matter. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface TimerHost {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number };
}

// Timers exist in every host we run on (Node, browsers, workers) but not in lib ES2022.
const host = globalThis as unknown as TimerHost;

/** The host's timers; `now` is monotonic where the host offers `performance.now`. */
export const realClock: Clock = {
  now: () => (host.performance !== undefined ? host.performance.now() : Date.now()),
  setTimeout: (callback, ms) => host.setTimeout(callback, ms),
  clearTimeout: (handle) => host.clearTimeout(handle),
};
