import type { Clock } from '../../protocol/Clock.js';

/** A resettable single timer on a Clock: the modem's guard times, S7 wait for carrier, pacing ticks. */
export class ModemTimer {
  private handle: unknown;
  private armed = false;

  constructor(private readonly clock: Clock) {}

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
