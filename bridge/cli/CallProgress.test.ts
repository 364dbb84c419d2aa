import { describe, expect, it } from 'vitest';
import { CallProgress, type CallOutcome } from './CallProgress.js';

/** Feeds `text` split at `cut`, returning the outcome and the chunk index it appeared at. */
function feed(text: string, cuts: number[]): { outcome: CallOutcome | undefined; at: number } {
  const progress = new CallProgress();
  const bounds = [0, ...cuts, text.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const outcome = progress.push(Buffer.from(text.slice(bounds[i], bounds[i + 1]), 'latin1'));
    if (outcome) return { outcome, at: i };
  }
  return { outcome: undefined, at: -1 };
}

describe('CallProgress', () => {
  const cases: Array<[string, CallOutcome | undefined]> = [
    ['ATDT1\r\r\nCONNECT 56000\r\nXP10 ready\r\n', { connected: true }],
    ['ATDT1\r\r\nCONNECT\r\n', { connected: true }],
    ['ATDT99\r\r\nNO CARRIER\r\n', { connected: false, result: 'NO_CARRIER' }],
    ['\r\nBUSY\r\n', { connected: false, result: 'BUSY' }],
    ['\r\nNO ANSWER\r\n', { connected: false, result: 'NO_ANSWER' }],
    ['ATDT\r\r\nERROR\r\n', { connected: false, result: 'ERROR' }],
    // After CONNECT, the far side's text is data, even if it reads like a result code.
    ['\r\nCONNECT 33600\r\n\r\nNO CARRIER\r\n', { connected: true }],
    // Still dialling: the echo and half a result line decide nothing.
    ['ATDT1\r\r\nCONNECT 560', undefined],
    ['ATDT1\r\r\nNO CARR', undefined],
  ];

  it.each(cases)('%j at every chunk boundary', (text, expected) => {
    for (let cut = 0; cut <= text.length; cut++) expect(feed(text, [cut]).outcome).toEqual(expected);
    // One byte at a time.
    expect(feed(text, Array.from({ length: text.length }, (_, i) => i)).outcome).toEqual(expected);
  });

  it('keeps its outcome once known', () => {
    const progress = new CallProgress();
    expect(progress.push(Buffer.from('\r\nBUSY\r\n'))).toEqual({ connected: false, result: 'BUSY' });
    expect(progress.push(Buffer.from('\r\nCONNECT 56000\r\n'))).toEqual({ connected: false, result: 'BUSY' });
  });
});
