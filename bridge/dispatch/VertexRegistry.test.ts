import { describe, expect, it } from 'vitest';
import { VertexRegistry } from './VertexRegistry.js';

describe('VertexRegistry', () => {
  it('latest host wins; a leaving host hands the vertex to the previous one, the core gets it last', () => {
    const r = new VertexRegistry<string>();
    r.register(1, 0, 'a', 1);
    r.register(1, 0, 'b', 2);
    expect(r.lookup(1, 0)).toEqual({ peer: 'b', channel: 2 });
    expect(r.verticesOf('a')).toEqual([]);
    expect(r.releasePeer('b')).toEqual({ toCore: 0, handedOver: 1 });
    expect(r.lookup(1, 0)).toEqual({ peer: 'a', channel: 1 });
    expect(r.releasePeer('a')).toEqual({ toCore: 1, handedOver: 0 });
    expect(r.lookup(1, 0)).toBeUndefined();
  });

  it('a standby host leaving changes nothing; re-announcing moves a host to the top', () => {
    const r = new VertexRegistry<string>();
    r.register(1, 0, 'a', 1);
    r.register(1, 0, 'b', 2);
    r.register(1, 0, 'a', 3);
    expect(r.lookup(1, 0)).toEqual({ peer: 'a', channel: 3 });
    expect(r.releasePeer('b')).toEqual({ toCore: 0, handedOver: 0 });
    expect(r.lookup(1, 0)).toEqual({ peer: 'a', channel: 3 });
    expect(r.verticesOf('a')).toEqual([{ cube: 1, vertex: 0, channel: 3 }]);
  });
});
