import type { Clock } from '../Clock.js';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. Timers due at the same time run in the order they
 * were set. The async methods let pending promises and microtasks settle between timers.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const index = this.timers.findIndex((t) => t.id === handle);
    if (index >= 0) this.timers.splice(index, 1);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Lets promise callbacks and microtasks run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs the earliest timer (moving time to it); false when none is pending. */
  async step(): Promise<boolean> {
    await this.settle();
    const timer = this.nextTimer();
    if (timer === undefined) return false;
    this.timers.splice(this.timers.indexOf(timer), 1);
    this.time = Math.max(this.time, timer.at);
    timer.callback();
    await this.settle();
    return true;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await this.settle();
    for (;;) {
      const timer = this.nextTimer();
      if (timer === undefined || timer.at > target) break;
      await this.step();
    }
    this.time = target;
    await this.settle();
  }

  /** Steps through timers until `done()` holds; throws if time runs out or nothing is left to run. */
  async runUntil(done: () => boolean, maxMs = 3_600_000): Promise<void> {
    const limit = this.time + maxMs;
    await this.settle();
    while (!done()) {
      const timer = this.nextTimer();
      if (timer === undefined) throw new Error('runUntil: no timers left and the condition does not hold');
      if (timer.at > limit) throw new Error(`runUntil: condition still false after ${maxMs} ms`);
      await this.step();
    }
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    }
    return best;
  }
}
