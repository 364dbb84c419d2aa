/** Turns a monotonically growing counter into a per-second rate between samples. */
export class RateMeter {
  private lastValue: number | undefined;
  private lastTime = 0;

  /** Returns the rate since the previous sample (0 on the first, and after a counter reset). */
  sample(value: number, nowMs: number): number {
    const previous = this.lastValue;
    const elapsed = nowMs - this.lastTime;
    this.lastValue = value;
    this.lastTime = nowMs;
    if (previous === undefined || elapsed <= 0 || value < previous) return 0;
    return ((value - previous) * 1000) / elapsed;
  }

  reset(): void {
    this.lastValue = undefined;
  }
}
