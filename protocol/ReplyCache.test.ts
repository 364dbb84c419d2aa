import { describe, expect, it } from 'vitest';
import { fingerprintOf, ReplyCache } from './ReplyCache.js';

const wire = (n: number) => [new Uint8Array(n)];

describe('ReplyCache', () => {
  it('answers only the exact request (same opcode and payload)', () => {
    const cache = new ReplyCache(10, 1000);
    cache.put(1, 5, 0x13, ...fingerprintOf(new Uint8Array([1, 2])), wire(10));
    expect(cache.lookup(1, 5, 0x13, ...fingerprintOf(new Uint8Array([1, 2])))?.kind).toBe('reply');
    expect(cache.lookup(1, 5, 0x13, ...fingerprintOf(new Uint8Array([1, 3])))).toBeUndefined();
    expect(cache.lookup(1, 5, 0x12, ...fingerprintOf(new Uint8Array([1, 2])))).toBeUndefined();
    expect(cache.lookup(2, 5, 0x13, ...fingerprintOf(new Uint8Array([1, 2])))).toBeUndefined();
  });

  it('drops the oldest reply bytes beyond the budget but still knows the request was answered', () => {
    const cache = new ReplyCache(10, 100);
    cache.put(0, 1, 2, ...fingerprintOf(new Uint8Array([1])), wire(60));
    cache.put(0, 2, 2, ...fingerprintOf(new Uint8Array([2])), wire(60));
    expect(cache.lookup(0, 1, 2, ...fingerprintOf(new Uint8Array([1])))).toEqual({ kind: 'forgotten' });
    expect(cache.lookup(0, 2, 2, ...fingerprintOf(new Uint8Array([2])))?.kind).toBe('reply');
    expect(cache.replyBytes).toBe(60);
  });

  it('forgets the oldest requests beyond maxEntries', () => {
    const cache = new ReplyCache(2, 1000);
    for (let seq = 1; seq <= 3; seq++) cache.put(0, seq, 2, ...fingerprintOf(new Uint8Array([seq])), wire(1));
    expect(cache.size).toBe(2);
    expect(cache.lookup(0, 1, 2, ...fingerprintOf(new Uint8Array([1])))).toBeUndefined();
  });

  it('recognises a fragmented request by its last fragment index', () => {
    const cache = new ReplyCache(10, 1000);
    cache.put(0, 9, 0x10, ...fingerprintOf(new Uint8Array(5000)), wire(3), 2);
    expect(cache.lookupByLastFragment(0, 9, 0x10, 1)?.kind).toBe('reply');
    expect(cache.lookupByLastFragment(0, 9, 0x10, 2)).toBeUndefined();
    expect(cache.lookupByLastFragment(0, 9, 0x11, 1)).toBeUndefined();
  });
});

describe('ReplyCache eviction ring', () => {
  it('keeps exactly the newest maxEntries requests through many wraps of its ring', () => {
    const cache = new ReplyCache(100, 1 << 20);
    for (let i = 0; i < 10_000; i++) cache.put(i >> 16, i & 0xffff, 2, ...fingerprintOf(new Uint8Array([i & 0xff])), wire(1));
    expect(cache.size).toBe(100);
    for (let i = 9_900; i < 10_000; i++) expect(cache.lookup(0, i, 2, ...fingerprintOf(new Uint8Array([i & 0xff])))?.kind).toBe('reply');
    expect(cache.lookup(0, 9_899, 2, ...fingerprintOf(new Uint8Array([9_899 & 0xff])))).toBeUndefined();
    expect(cache.replyBytes).toBe(100);
  });

  it('replaces a request put again under the same (channel, seq) without double-counting its bytes', () => {
    const cache = new ReplyCache(4, 1000);
    cache.put(0, 1, 2, ...fingerprintOf(new Uint8Array([1])), wire(10));
    cache.put(0, 1, 2, ...fingerprintOf(new Uint8Array([2])), wire(20));
    expect(cache.size).toBe(1);
    expect(cache.replyBytes).toBe(20);
    expect(cache.lookup(0, 1, 2, ...fingerprintOf(new Uint8Array([1])))).toBeUndefined();
    expect(cache.lookup(0, 1, 2, ...fingerprintOf(new Uint8Array([2])))?.kind).toBe('reply');
  });

  it('drops reply bytes oldest first under the byte budget while the ring wraps', () => {
    const cache = new ReplyCache(8, 250);
    for (let seq = 0; seq < 50; seq++) cache.put(0, seq, 2, ...fingerprintOf(new Uint8Array([seq])), wire(100));
    expect(cache.replyBytes).toBe(200);
    expect(cache.lookup(0, 49, 2, ...fingerprintOf(new Uint8Array([49])))?.kind).toBe('reply');
    expect(cache.lookup(0, 48, 2, ...fingerprintOf(new Uint8Array([48])))?.kind).toBe('reply');
    expect(cache.lookup(0, 47, 2, ...fingerprintOf(new Uint8Array([47])))).toEqual({ kind: 'forgotten' });
    expect(cache.lookup(0, 42, 2, ...fingerprintOf(new Uint8Array([42])))).toEqual({ kind: 'forgotten' });
    expect(cache.lookup(0, 41, 2, ...fingerprintOf(new Uint8Array([41])))).toBeUndefined();
  });

  it('tracks running requests until their reply is put, and absorbs another cache in age order', () => {
    const a = new ReplyCache(3, 1000);
    const b = new ReplyCache(3, 1000);
    a.put(0, 1, 2, ...fingerprintOf(new Uint8Array([1])), wire(1));
    b.put(0, 2, 2, ...fingerprintOf(new Uint8Array([2])), wire(1));
    b.put(0, 3, 2, ...fingerprintOf(new Uint8Array([3])), wire(1));
    b.begin(0, 4);
    a.absorb(b);
    expect(b.size).toBe(0);
    expect(a.isRunning(0, 4)).toBe(true);
    a.put(0, 4, 2, ...fingerprintOf(new Uint8Array([4])), wire(1));
    expect(a.isRunning(0, 4)).toBe(false);
    // Capacity 3: the oldest (seq 1) went first.
    expect(a.lookup(0, 1, 2, ...fingerprintOf(new Uint8Array([1])))).toBeUndefined();
    for (const seq of [2, 3, 4]) expect(a.lookup(0, seq, 2, ...fingerprintOf(new Uint8Array([seq])))?.kind).toBe('reply');
  });
});

describe('ReplyCache byte log', () => {
  /** Deterministic pseudo-random numbers (xorshift). */
  function random(seed: number): () => number {
    let x = seed;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
  }

  it('returns exactly the bytes put for every request it still answers, under random sizes, re-puts and budgets', () => {
    for (const [seed, maxEntries, maxBytes] of [
      [1, 50, 2000],
      [2, 300, 5000],
      [3, 1000, 100_000],
      [4, 20, 300],
    ] as const) {
      const next = random(seed);
      const cache = new ReplyCache(maxEntries, maxBytes);
      const model = new Map<number, { payload: Uint8Array; wires: Uint8Array[] }>();
      let last = 0;
      for (let op = 0; op < 6000; op++) {
        const seq = next() < 0.1 ? Math.floor(next() * 64) : op & 0xffff;
        const kind = next();
        const wire = (n: number) => new Uint8Array(n).map(() => Math.floor(next() * 256));
        const wires = kind < 0.1 ? [] : kind < 0.15 ? [wire(100), wire(40)] : [wire(12 + Math.floor(next() * (kind < 0.2 ? 3000 : 80)))];
        const payload = new Uint8Array([seq & 0xff, op & 0xff]);
        cache.put(0, seq, 2, ...fingerprintOf(payload), wires);
        model.set(seq, { payload, wires });
        last = seq;
        expect(cache.replyBytes).toBeLessThanOrEqual(maxBytes);
        expect(cache.size).toBeLessThanOrEqual(maxEntries);
        if (op % 211 !== 0) continue;
        for (const [s, m] of model) {
          const found = cache.lookup(0, s, 2, ...fingerprintOf(m.payload));
          if (found?.kind === 'reply') expect(found.wires.map((w) => [...w])).toEqual(m.wires.map((w) => [...w]));
        }
      }
      const newest = model.get(last)!;
      const size = newest.wires.reduce((n, w) => n + w.length, 0);
      if (size <= maxBytes) expect(cache.lookup(0, last, 2, ...fingerprintOf(newest.payload))).toEqual({ kind: 'reply', wires: newest.wires });
    }
  });
});
