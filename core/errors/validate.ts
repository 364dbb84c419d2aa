import { CoreError } from './CoreError.js';

/**
 * The one form a value takes before anything hashes or stores it (cells, Merkle leaves, ledger
 * entries): a finite f64, with -0 written as +0. The ledger and the leaves hash the value's eight
 * bytes, so each number must have exactly one encoding: NaN and ±Infinity are refused, and -0
 * (0x8000000000000000, equal to 0 but not the same bytes) becomes +0 here, before it reaches a
 * hash, a reply or a store. Returns the canonical value (x + 0 is x for every other finite x).
 */
export function canonicalValue(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CoreError('BAD_VALUE', `${what} must be a finite number, got ${String(value)}`);
  }
  return value + 0;
}

export function requireIntegerIn(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CoreError('OUT_OF_RANGE', `${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

export function requireTimestamp(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CoreError('BAD_VALUE', `timestamp must be a non-negative safe integer (ms), got ${String(value)}`);
  }
}
