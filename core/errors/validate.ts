import { CoreError } from './CoreError.js';

/** Rejects NaN and ±Infinity: the ledger and the Merkle leaves must have one encoding per value. */
export function requireFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CoreError('BAD_VALUE', `${what} must be a finite number, got ${String(value)}`);
  }
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
