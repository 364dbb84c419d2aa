import { formatResult, type ResultCodeName } from '../../lines/modem/ResultCode.js';

/** How a dialled call ended up: connected, or the result code the modem gave instead. */
export type CallOutcome = { connected: true } | { connected: false; result: ResultCodeName };

/** Result codes that end a dial attempt without a connection. */
const FAILURES: readonly ResultCodeName[] = ['NO_CARRIER', 'BUSY', 'NO_ANSWER', 'ERROR'];
/** Verbose result lines as the modem writes them (its own formatter, default S3/S4). */
const FAILURE_LINES = FAILURES.map((result) => ({ result, text: formatResult(result, true, '\r', '\n') }));
const CONNECT = /\r\nCONNECT(?: \d+)?\r\n/;
/** Enough of the stream's end to hold any result line split across chunks. */
const TAIL = 64;

/**
 * Watches what a modem sends its terminal after ATDT, chunk by chunk, until the call's result
 * line: `CONNECT …` or a failure (NO CARRIER, BUSY, NO ANSWER, ERROR). Result lines split across
 * chunks are found; bytes after the result line are not looked at.
 */
export class CallProgress {
  private tail = '';
  private outcomeValue: CallOutcome | undefined;

  get outcome(): CallOutcome | undefined {
    return this.outcomeValue;
  }

  /** Feeds one chunk; returns the outcome once known (and the same outcome after that). */
  push(chunk: Uint8Array): CallOutcome | undefined {
    if (this.outcomeValue) return this.outcomeValue;
    const text = this.tail + Buffer.from(chunk).toString('latin1');
    let first: { at: number; outcome: CallOutcome } | undefined;
    const connect = CONNECT.exec(text);
    if (connect) first = { at: connect.index, outcome: { connected: true } };
    for (const f of FAILURE_LINES) {
      const at = text.indexOf(f.text);
      if (at >= 0 && (first === undefined || at < first.at)) first = { at, outcome: { connected: false, result: f.result } };
    }
    if (first) {
      this.outcomeValue = first.outcome;
      this.tail = '';
      return first.outcome;
    }
    this.tail = text.slice(-TAIL);
    return undefined;
  }
}
