import { describe, expect, it } from 'vitest';
import { ReplyCache } from './ReplyCache.js';

const wire = (n: number) => [new Uint8Array(n)];

describe('ReplyCache', () => {
  it('answers only the exact request (same opcode and payload)', () => {
    const cache = new ReplyCache(10, 1000);
    cache.put(1, 5, 0x13, new Uint8Array([1, 2]), wire(10));
    expect(cache.lookup(1, 5, 0x13, new Uint8Array([1, 2]))?.kind).toBe('reply');
    expect(cache.lookup(1, 5, 0x13, new Uint8Array([1, 3]))).toBeUndefined();
    expect(cache.lookup(1, 5, 0x12, new Uint8Array([1, 2]))).toBeUndefined();
    expect(cache.lookup(2, 5, 0x13, new Uint8Array([1, 2]))).toBeUndefined();
  });

  it('drops the oldest reply bytes beyond the budget but still knows the request was answered', () => {
    const cache = new ReplyCache(10, 100);
    cache.put(0, 1, 2, new Uint8Array([1]), wire(60));
    cache.put(0, 2, 2, new Uint8Array([2]), wire(60));
    expect(cache.lookup(0, 1, 2, new Uint8Array([1]))).toEqual({ kind: 'forgotten' });
    expect(cache.lookup(0, 2, 2, new Uint8Array([2]))?.kind).toBe('reply');
    expect(cache.replyBytes).toBe(60);
  });

  it('forgets the oldest requests beyond maxEntries', () => {
    const cache = new ReplyCache(2, 1000);
    for (let seq = 1; seq <= 3; seq++) cache.put(0, seq, 2, new Uint8Array([seq]), wire(1));
    expect(cache.size).toBe(2);
    expect(cache.lookup(0, 1, 2, new Uint8Array([1]))).toBeUndefined();
  });

  it('recognises a fragmented request by its last fragment index', () => {
    const cache = new ReplyCache(10, 1000);
    cache.put(0, 9, 0x10, new Uint8Array(5000), wire(3), 2);
    expect(cache.lookupByLastFragment(0, 9, 0x10, 1)?.kind).toBe('reply');
    expect(cache.lookupByLastFragment(0, 9, 0x10, 2)).toBeUndefined();
    expect(cache.lookupByLastFragment(0, 9, 0x11, 1)).toBeUndefined();
  });
});
