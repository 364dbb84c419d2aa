import { CoreError } from '../errors/CoreError.js';
import { canonicalValue } from '../errors/validate.js';
import { sha256Bytes, sha256Into } from './Sha256.js';
import {
  HASH_BYTES,
  LEDGER_CANONICAL_BYTES,
  validateLedgerRecord,
  writeLedgerCanonical,
  type LedgerEntry,
  type LedgerOpCode,
  type LedgerRecord,
} from './LedgerEntry.js';

export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

export interface LedgerHead {
  /** Number of entries; the last one has index length - 1. */
  readonly length: number;
  /** Hash of the last entry; 32 zero bytes for an empty ledger. */
  readonly hash: Uint8Array;
}

export type LedgerVerification =
  | { readonly valid: true; readonly length: number }
  | { readonly valid: false; readonly length: number; readonly firstBadIndex: number };

/** SHA-256(prevHash || canonical bytes): what every client recomputes to check an entry. */
export function ledgerEntryHash(prevHash: Uint8Array, index: number, record: LedgerRecord): Uint8Array {
  const buf = new Uint8Array(HASH_BYTES + LEDGER_CANONICAL_BYTES);
  buf.set(prevHash, 0);
  writeLedgerCanonical(index, record, buf, HASH_BYTES);
  return sha256Bytes(buf);
}

/**
 * The hash-chained, append-only log of every change. Entries are kept column-wise in growable
 * typed arrays (~65 bytes each) rather than as objects, so millions of them stay cheap.
 */
/** Entries verified between two yields in verifySliced: about 1–3 ms of SHA-256 on one core. */
export const VERIFY_SLICE = 1024;

export class Ledger {
  private count = 0;
  private ops = new Uint8Array(64);
  private arrays = new Uint16Array(64);
  private coords = new Uint16Array(64 * 3);
  private values = new Float64Array(64);
  private stamps = new Float64Array(64);
  private hashes = new Uint8Array(64 * HASH_BYTES);
  /** prevHash as loaded from a store, kept only where it disagrees with the chain (tampering). */
  private readonly foreignPrev = new Map<number, Uint8Array>();
  private readonly scratch = new Uint8Array(HASH_BYTES + LEDGER_CANONICAL_BYTES);
  private readonly digest = new Uint8Array(HASH_BYTES);

  get length(): number {
    return this.count;
  }

  head(): LedgerHead {
    return { length: this.count, hash: this.count === 0 ? ZERO_HASH : this.hashAt(this.count - 1).slice() };
  }

  /** Validates, hashes and appends; returns the complete entry. Its value is canonical (-0 → +0). */
  append(record: LedgerRecord): LedgerEntry {
    validateLedgerRecord(record);
    const value = canonicalValue(record.value, 'ledger value');
    if (!Object.is(value, record.value)) record = { ...record, value };
    const index = this.count;
    const prev = index === 0 ? ZERO_HASH : this.hashAt(index - 1);
    this.scratch.set(prev, 0);
    writeLedgerCanonical(index, record, this.scratch, HASH_BYTES);
    const hash = sha256Bytes(this.scratch);
    this.push(record, hash);
    return this.entry(index);
  }

  /**
   * Appends an entry read back from a store as it is, without recomputing its hash, so that
   * verify() can find one that was tampered with.
   */
  load(entry: LedgerEntry): void {
    if (entry.index !== this.count) {
      throw new CoreError('CORRUPT', `ledger entry ${entry.index} loaded at position ${this.count}`);
    }
    if (entry.hash.length !== HASH_BYTES || entry.prevHash.length !== HASH_BYTES) {
      throw new CoreError('CORRUPT', `ledger entry ${entry.index} has a malformed hash`);
    }
    validateLedgerRecord(entry);
    const expectedPrev = this.count === 0 ? ZERO_HASH : this.hashAt(this.count - 1);
    if (!equalBytes(expectedPrev, entry.prevHash)) this.foreignPrev.set(entry.index, entry.prevHash.slice());
    this.push(entry, entry.hash);
  }

  entry(index: number): LedgerEntry {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new CoreError('NOT_FOUND', `no ledger entry ${String(index)} (length ${this.count})`);
    }
    return {
      index,
      op: this.ops[index] as LedgerOpCode,
      array: this.arrays[index]!,
      x: this.coords[index * 3]!,
      y: this.coords[index * 3 + 1]!,
      z: this.coords[index * 3 + 2]!,
      value: this.values[index]!,
      timestamp: this.stamps[index]!,
      prevHash: this.foreignPrev.get(index) ?? (index === 0 ? ZERO_HASH : this.hashAt(index - 1).slice()),
      hash: this.hashAt(index).slice(),
    };
  }

  /** Entries [from, to) as objects; bounded by the caller. */
  entries(from = 0, to = this.count): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.count); i++) out.push(this.entry(i));
    return out;
  }

  /** Recomputes the chain from the start and reports the first entry whose hash does not match. */
  verify(): LedgerVerification {
    const bad = this.verifyRange(0, this.count, ZERO_HASH);
    return bad < 0 ? { valid: true, length: this.count } : { valid: false, length: this.count, firstBadIndex: bad };
  }

  /**
   * verify() in slices of `chunk` entries with `yieldToHost` awaited between them, so a long
   * ledger does not hold a server's event loop (issue 16: 160 k entries blocked a bridge for
   * ≈ 190 ms). Checks the entries there were when it started (the ledger only grows); same result.
   */
  async verifySliced(yieldToHost: () => Promise<void>, chunk = VERIFY_SLICE): Promise<LedgerVerification> {
    const length = this.count;
    for (let from = 0; from < length; from += chunk) {
      const to = Math.min(length, from + chunk);
      const bad = this.verifyRange(from, to, from === 0 ? ZERO_HASH : this.hashAt(from - 1));
      if (bad >= 0) return { valid: false, length, firstBadIndex: bad };
      if (to < length) await yieldToHost();
    }
    return { valid: true, length };
  }

  /** Checks entries [from, to) given the hash before `from`; the first bad index, or -1. */
  private verifyRange(from: number, to: number, before: Uint8Array): number {
    let prev = before;
    for (let i = from; i < to; i++) {
      const stored = this.hashAt(i);
      const recordedPrev = this.foreignPrev.get(i);
      if (recordedPrev !== undefined && !equalBytes(recordedPrev, prev)) return i;
      this.scratch.set(prev, 0);
      writeLedgerCanonical(i, this.record(i), this.scratch, HASH_BYTES);
      sha256Into(this.scratch, this.digest);
      if (!equalBytes(this.digest, stored)) return i;
      prev = stored;
    }
    return -1;
  }

  private record(i: number): LedgerRecord {
    return {
      op: this.ops[i] as LedgerOpCode,
      array: this.arrays[i]!,
      x: this.coords[i * 3]!,
      y: this.coords[i * 3 + 1]!,
      z: this.coords[i * 3 + 2]!,
      value: this.values[i]!,
      timestamp: this.stamps[i]!,
    };
  }

  private hashAt(i: number): Uint8Array {
    return this.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  private push(r: LedgerRecord, hash: Uint8Array): void {
    if (this.count === this.ops.length) this.grow();
    const i = this.count;
    this.ops[i] = r.op;
    this.arrays[i] = r.array;
    this.coords[i * 3] = r.x;
    this.coords[i * 3 + 1] = r.y;
    this.coords[i * 3 + 2] = r.z;
    this.values[i] = r.value;
    this.stamps[i] = r.timestamp;
    this.hashes.set(hash, i * HASH_BYTES);
    this.count++;
  }

  private grow(): void {
    const n = this.ops.length * 2;
    this.ops = growTo(this.ops, new Uint8Array(n));
    this.arrays = growTo(this.arrays, new Uint16Array(n));
    this.coords = growTo(this.coords, new Uint16Array(n * 3));
    this.values = growTo(this.values, new Float64Array(n));
    this.stamps = growTo(this.stamps, new Float64Array(n));
    this.hashes = growTo(this.hashes, new Uint8Array(n * HASH_BYTES));
  }
}

function growTo<T extends Uint8Array | Uint16Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
