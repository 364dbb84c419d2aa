import { describe, expect, it } from 'vitest';
import { MAX_LIST, parseBlocks, parseCoreEvent, parseCubes, parseLedgerHead, parseLines } from './coreTypes.js';

describe('core JSON decoding', () => {
  it('reads blocks as a bare list, wrapped, with coord arrays, and skips malformed entries', () => {
    expect(parseBlocks([{ x: 1, y: 2, z: 3, value: 4.5 }])).toEqual([{ x: 1, y: 2, z: 3, value: 4.5 }]);
    expect(parseBlocks({ blocks: [{ coord: [1, 2, 3], value: 1 }, { x: 'a', y: 1, z: 1, value: 1 }, null] }))
      .toEqual([{ x: 1, y: 2, z: 3, value: 1 }]);
    expect(parseBlocks({ x: 7, y: 8, z: 9, value: 0 })).toEqual([{ x: 7, y: 8, z: 9, value: 0 }]);
    expect(parseBlocks('nonsense')).toEqual([]);
  });

  it('bounds list length', () => {
    const many = Array.from({ length: MAX_LIST + 10 }, (_, i) => ({ x: i, y: 0, z: 0, value: 1 }));
    expect(parseBlocks(many)).toHaveLength(MAX_LIST);
  });

  it('reads cubes, ledger head and line stats', () => {
    expect(parseCubes({ cubes: [{ id: 1, kappa: 0.6 }, { id: 'x' }] })).toEqual([{ id: '1', kappa: 0.6 }]);
    expect(parseLedgerHead({ index: 3, hash: 'ab' })).toEqual({ index: 3, hash: 'ab' });
    expect(parseLedgerHead({ head: { height: 2, hash: 'cd' } })).toEqual({ index: 2, hash: 'cd' });
    expect(parseLedgerHead({ hash: 5 })).toBeUndefined();
    expect(parseLines([{ name: 'ws:serial0', kind: 'websocket', stats: { framesIn: 2, crcErrors: 1 } }])).toEqual([
      { name: 'ws:serial0', kind: 'websocket', framesIn: 2, framesOut: 0, crcErrors: 1, retransmits: 0 },
    ]);
  });

  it('decodes subscribe events and ignores replies and unknown events', () => {
    expect(parseCoreEvent({ type: 'event', event: 'block', data: { x: 1, y: 2, z: 3, value: 4.5 } }))
      .toEqual({ event: 'block', blocks: [{ x: 1, y: 2, z: 3, value: 4.5 }] });
    expect(parseCoreEvent({ type: 'event', event: 'block', data: { array: 2, x: 1, y: 2, z: 3, value: 1, index: 9 } }))
      .toEqual({ event: 'block', blocks: [{ array: 2, x: 1, y: 2, z: 3, value: 1 }] });
    expect(parseCoreEvent({ type: 'event', event: 'ledger', data: { index: 1, hash: 'ff' } }))
      .toEqual({ event: 'ledger', head: { index: 1, hash: 'ff' } });
    expect(parseCoreEvent({ type: 'status', ok: true })).toBeUndefined();
    expect(parseCoreEvent({ type: 'event', event: 'weather', data: {} })).toBeUndefined();
    expect(parseCoreEvent(null)).toBeUndefined();
  });
});
