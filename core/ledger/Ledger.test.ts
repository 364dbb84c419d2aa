import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Ledger, ZERO_HASH, ledgerEntryHash } from './Ledger.js';
import { LedgerOp, ledgerCanonicalBytes, type LedgerEntry, type LedgerRecord } from './LedgerEntry.js';

const rec = (x: number, value: number): LedgerRecord => ({ op: LedgerOp.SET, array: 0, x, y: 2, z: 3, value, timestamp: 1_700_000_000_000 });

describe('Ledger', () => {
  it('chains SHA-256(prev || canonical) from a zero genesis', () => {
    const ledger = new Ledger();
    const e0 = ledger.append(rec(1, 1.5));
    const e1 = ledger.append(rec(2, -3));
    expect(e0.index).toBe(0);
    expect(e0.prevHash).toEqual(ZERO_HASH);
    const canonical = ledgerCanonicalBytes(0, rec(1, 1.5));
    expect(canonical.length).toBe(33);
    expect(e0.hash).toEqual(sha256(new Uint8Array([...ZERO_HASH, ...canonical])));
    expect(e1.prevHash).toEqual(e0.hash);
    expect(e1.hash).toEqual(ledgerEntryHash(e0.hash, 1, rec(2, -3)));
    expect(ledger.head()).toEqual({ length: 2, hash: e1.hash });
    expect(ledger.verify()).toEqual({ valid: true, length: 2 });
  });

  it('hashes and keeps -0 as +0: one encoding per value, whoever appends', () => {
    const ledger = new Ledger();
    const e = ledger.append(rec(1, -0));
    expect(Object.is(e.value, 0)).toBe(true);
    expect(Object.is(ledger.entry(0).value, 0)).toBe(true);
    expect(e.hash).toEqual(ledgerEntryHash(ZERO_HASH, 0, rec(1, 0)));
    expect(e.hash).not.toEqual(ledgerEntryHash(ZERO_HASH, 0, rec(1, -0)));
    // Reloaded as a store returns it (msgpack and SQL keep +0), it still verifies.
    const reloaded = new Ledger();
    reloaded.load({ ...e, value: 0 });
    expect(reloaded.verify()).toEqual({ valid: true, length: 1 });
  });

  it('canonical bytes are the documented big-endian layout', () => {
    const bytes = ledgerCanonicalBytes(258, { op: LedgerOp.DEACTIVATE, array: 1, x: 2, y: 3, z: 4, value: 1, timestamp: 5 });
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '0000000000000102' + '02' + '0001' + '0002' + '0003' + '0004' + '3ff0000000000000' + '0000000000000005',
    );
  });

  it('verify finds the first tampered entry, whether value or prevHash was changed', () => {
    const source = new Ledger();
    for (let i = 0; i < 20; i++) source.append(rec(i, i));
    const entries = source.entries();
    const tamper = (i: number, change: (e: LedgerEntry) => LedgerEntry) => {
      const copy = new Ledger();
      entries.forEach((e, j) => copy.load(j === i ? change(e) : e));
      return copy.verify();
    };
    expect(tamper(-1, (e) => e)).toEqual({ valid: true, length: 20 });
    expect(tamper(7, (e) => ({ ...e, value: 99 }))).toEqual({ valid: false, length: 20, firstBadIndex: 7 });
    expect(tamper(12, (e) => ({ ...e, prevHash: new Uint8Array(32).fill(1) }))).toEqual({ valid: false, length: 20, firstBadIndex: 12 });
    expect(tamper(0, (e) => ({ ...e, hash: new Uint8Array(32) }))).toMatchObject({ valid: false, firstBadIndex: 0 });
  });

  it('verifySliced gives verify\'s answer, yielding between slices and checking only the entries there were', async () => {
    const source = new Ledger();
    for (let i = 0; i < 50; i++) source.append(rec(i, i));
    const entries = source.entries();
    for (const [bad, slice] of [[-1, 7], [0, 7], [6, 7], [7, 7], [13, 7], [14, 7], [49, 7], [20, 100]] as const) {
      const copy = new Ledger();
      entries.forEach((e, j) => copy.load(j === bad ? { ...e, value: 99 } : e));
      let yields = 0;
      const sliced = await copy.verifySliced(async () => {
        yields++;
        copy.append(rec(1000 + yields, 0)); // written while verifying: not part of this check
      }, slice);
      expect(sliced).toEqual(bad < 0 ? { valid: true, length: 50 } : { valid: false, length: 50, firstBadIndex: bad });
      const slicesBefore = Math.floor((bad < 0 ? 49 : bad) / slice);
      expect(yields).toBe(slicesBefore);
    }
  });

  it('rejects bad records and out-of-order loads', () => {
    const ledger = new Ledger();
    expect(() => ledger.append({ ...rec(1, 1), value: Number.NaN })).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(() => ledger.append({ ...rec(1, 1), x: 70000 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' }));
    expect(() => ledger.append({ ...rec(1, 1), op: 99 as 1 })).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(ledger.length).toBe(0);
    const other = new Ledger();
    const e = other.append(rec(1, 1));
    expect(() => ledger.load({ ...e, index: 3 })).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
    expect(() => ledger.entry(0)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('grows past its initial capacity', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 300; i++) ledger.append(rec(i % 1000, i));
    expect(ledger.entry(299).value).toBe(299);
    expect(ledger.verify().valid).toBe(true);
  });
});
