/**
 * Bytes a line takes in before it lets the event loop serve other lines. libuv reads a ready
 * socket up to 32 times (64 KiB each) in one poll callback, and every read is decoded and
 * reassembled right there, so a peer streaming a 1 MB request held every other line for
 * 10–30 ms (docs/PERFORMANCE.md, No stalls between lines). Past this budget (one full read) the
 * source pauses until the next loop turn; a line of small requests rarely reaches it.
 */
export const READ_TURN_BYTES = 64 * 1024;

/**
 * Counts what a line takes in and pauses its source for the rest of the event-loop turn once
 * the budget is spent. The pause and resume are the source's own (a socket's, a WebSocket's, a
 * serial port's), so bytes wait in the kernel, where the sender's flow control sees them.
 */
export class ReadTurnBudget {
  private taken = 0;
  private yielding = false;

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly budget = READ_TURN_BYTES,
  ) {}

  /** Call after each chunk was handed on. */
  took(bytes: number): void {
    this.taken += bytes;
    if (this.taken < this.budget || this.yielding) return;
    this.yielding = true;
    this.pause();
    setImmediate(this.nextTurn);
  }

  private readonly nextTurn = (): void => {
    this.taken = 0;
    this.yielding = false;
    this.resume();
  };
}
