/**
 * The time source the modem runs on. Structurally the same as the protocol's Clock, so a
 * real clock, a manual test clock or the browser's timers can drive it; no host imports here.
 */
export interface ModemClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The host's own timers (globalThis.setTimeout exists in Node and in browsers). */
export const realModemClock: ModemClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => (globalThis as unknown as TimerHost).setTimeout(callback, ms),
  clearTimeout: (handle) => (globalThis as unknown as TimerHost).clearTimeout(handle),
};

interface TimerHost {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A resettable single timer on a ModemClock. */
export class ModemTimer {
  private handle: unknown;
  private armed = false;

  constructor(private readonly clock: ModemClock) {}

  get isArmed(): boolean {
    return this.armed;
  }

  start(ms: number, callback: () => void): void {
    this.stop();
    this.armed = true;
    this.handle = this.clock.setTimeout(() => {
      this.armed = false;
      callback();
    }, ms);
  }

  stop(): void {
    if (!this.armed) return;
    this.clock.clearTimeout(this.handle);
    this.armed = false;
  }
}
