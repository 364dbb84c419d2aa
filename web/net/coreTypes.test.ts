import { describe, expect, it } from 'vitest';
import {
  CoreDecodeError, MAX_LIST, parseBlockSample, parseCoreEvent, parseCubes, parseLedgerHead, parseLines,
} from './coreTypes.js';

// The shapes below are the bridge's own: KonomiService.blocks/cubes/ledgerHead, CoreEvent, Dispatcher.lines.
describe('core JSON decoding', () => {
  it('reads GET /blocks: the sample and the total, skipping malformed cells', () => {
    expect(parseBlockSample({ total: 1_000_000, blocks: [{ x: 1, y: 2, z: 3, value: 4.5 }, { x: 'a', y: 1, z: 1, value: 1 }, null] }))
      .toEqual({ total: 1_000_000, blocks: [{ x: 1, y: 2, z: 3, value: 4.5 }] });
    expect(parseBlockSample({ total: 0, blocks: [] })).toEqual({ total: 0, blocks: [] });
  });

  it('rejects a GET /blocks answer of another shape with a typed error', () => {
    expect(() => parseBlockSample([{ x: 1, y: 2, z: 3, value: 4.5 }])).toThrow(CoreDecodeError);
    expect(() => parseBlockSample({ blocks: [] })).toThrow(/"total" is not a count/);
    expect(() => parseBlockSample({ total: 1, cells: [] })).toThrow(/"blocks" is not a list/);
  });

  it('bounds list length', () => {
    const many = Array.from({ length: MAX_LIST + 10 }, (_, i) => ({ x: i, y: 0, z: 0, value: 1 }));
    expect(parseBlockSample({ total: many.length, blocks: many }).blocks).toHaveLength(MAX_LIST);
  });

  it('reads the κ of every vertex from GET /cubes (8 corners, then CENTRAL), all or nothing', () => {
    const vertexKappa = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.55];
    expect(parseCubes({ cubes: [{ id: 1, origin: { x: 4, y: 0, z: 0 }, kappa: 0.6, vertexKappa }] }))
      .toEqual([{ id: '1', kappa: 0.6, vertexKappa }]);
    // A hole would move CENTRAL into a corner's place: the cube is kept, its vertices are not.
    expect(parseCubes({ cubes: [{ id: 1, kappa: 0.6, vertexKappa: [0.2, 'x', 0.4] }] })).toEqual([{ id: '1', kappa: 0.6 }]);
    expect(parseCubes({ cubes: [{ id: 1, kappa: 0.6, vertexKappa: [] }] })).toEqual([{ id: '1', kappa: 0.6 }]);
    expect(parseCubes({ cubes: [{ id: 1, kappa: 0.6, vertexKappa: new Array(50).fill(0.5) }] })[0]?.vertexKappa).toHaveLength(9);
  });

  it('reads GET /cubes, GET /ledger/head and GET /lines', () => {
    const cube = { id: 0, origin: { x: 0, y: 0, z: 0 }, kappa: 0.6, vertexKappa: [0.5, 0.7] };
    expect(parseCubes({ cubes: [cube, { id: 'x', kappa: 1 }, { id: 1 }] })).toEqual([{ id: '0', kappa: 0.6, vertexKappa: [0.5, 0.7] }]);
    expect(parseLedgerHead({ length: 4, index: 3, hash: 'ab12' })).toEqual({ length: 4, index: 3, hash: 'ab12' });
    expect(parseLedgerHead({ length: 0, index: -1, hash: '00' })).toEqual({ length: 0, index: -1, hash: '00' });
    expect(() => parseLedgerHead({ length: 1, index: 0, hash: 5 })).toThrow(CoreDecodeError);
    expect(() => parseLedgerHead({ length: 1, index: 0, hash: '<script>' })).toThrow(/hex/);
    expect(() => parseLedgerHead({ height: 1, hash: 'ab' })).toThrow(/"length"/);
    const stats = { framesIn: 2, framesOut: 3, bytesIn: 9, bytesOut: 9, crcErrors: 1, retransmits: 0, timeouts: 0 };
    expect(parseLines({ lines: [{ id: 1, name: 'ws:serial0', kind: 'ws', remote: false, stats }, { name: 'bad', kind: 'ws' }] })).toEqual([
      { name: 'ws:serial0', kind: 'ws', framesIn: 2, framesOut: 3, crcErrors: 1, retransmits: 0 },
    ]);
  });

  it('decodes /ws events as the bridge pushes them and ignores replies, unknown and malformed events', () => {
    expect(parseCoreEvent({ type: 'event', event: 'block', data: { array: 0, x: 1, y: 2, z: 3, value: 4.5, index: 1 } }))
      .toEqual({ event: 'block', blocks: [{ x: 1, y: 2, z: 3, value: 4.5, index: 1 }] });
    expect(parseCoreEvent({ type: 'event', event: 'block', data: { array: 2, x: 1, y: 2, z: 3, value: 1, index: 9 } }))
      .toEqual({ event: 'block', blocks: [{ array: 2, x: 1, y: 2, z: 3, value: 1, index: 9 }] });
    expect(parseCoreEvent({ type: 'event', event: 'ledger', data: { length: 2, index: 1, hash: 'ff' } }))
      .toEqual({ event: 'ledger', head: { length: 2, index: 1, hash: 'ff' } });
    expect(parseCoreEvent({ type: 'event', event: 'kappa', data: { cubes: [{ id: 3, kappa: 0.25 }], cubeMean: 0.25, llmMean: null } }))
      .toEqual({ event: 'kappa', cubes: [{ id: '3', kappa: 0.25 }] });
    expect(parseCoreEvent({ type: 'event', event: 'lines', data: [{ name: 'tcp:1', kind: 'tcp', stats: { framesIn: 1, framesOut: 1, crcErrors: 0, retransmits: 0 } }] }))
      .toEqual({ event: 'lines', lines: [{ name: 'tcp:1', kind: 'tcp', framesIn: 1, framesOut: 1, crcErrors: 0, retransmits: 0 }] });
    expect(parseCoreEvent({ type: 'event', event: 'ledger', data: { hash: 'ff' } })).toBeUndefined();
    expect(parseCoreEvent({ type: 'event', event: 'kappa', data: [] })).toBeUndefined();
    expect(parseCoreEvent({ type: 'status', ok: true })).toBeUndefined();
    expect(parseCoreEvent({ type: 'event', event: 'weather', data: {} })).toBeUndefined();
    expect(parseCoreEvent(null)).toBeUndefined();
  });

  it('decodes a vote event to what the page shows: the choice, the share, the quorum and the dissenters by name', () => {
    const data = {
      cube: 0, query: 'Is the grid up?', choices: ['yes', 'no'], choice: 'no', quorum: false, share: 0.667,
      dissenting: [{ vertex: 0, name: 'NEU' }, { vertex: 3, name: 'NWD' }], votes: [], tally: [],
    };
    expect(parseCoreEvent({ type: 'event', event: 'vote', data })).toEqual({
      event: 'vote',
      vote: { cube: 0, query: 'Is the grid up?', choice: 'no', quorum: false, share: 0.667, dissenting: ['NEU', 'NWD'] },
    });
    expect(parseCoreEvent({ type: 'event', event: 'vote', data: { ...data, choice: null } })).toMatchObject({ vote: { choice: null } });
    for (const bad of [{ ...data, quorum: 'no' }, { ...data, dissenting: [{ vertex: 0 }] }, { ...data, share: 'x' }, { ...data, choice: 3 }, null]) {
      expect(parseCoreEvent({ type: 'event', event: 'vote', data: bad }), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
