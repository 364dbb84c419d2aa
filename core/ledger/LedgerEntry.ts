import { CoreError } from '../errors/CoreError.js';

/** What an entry records. Numbers are part of the canonical bytes: never renumber. */
export const LedgerOp = {
  /** Activate or overwrite cell (x, y, z) of `array` with `value`. */
  SET: 1,
  /** Deactivate cell (x, y, z). value = 0. */
  DEACTIVATE: 2,
  /** Activate slice: x = axis (0 x, 1 y, 2 z), y = slice index, z = 0, value = the value. */
  PLANE_ACTIVATE: 3,
  /** Deactivate slice: x = axis, y = slice index, z = 0, value = 0. */
  PLANE_DEACTIVATE: 4,
  /** Copy slice: x = axis, y = source slice, z = destination slice, value = destination array id. */
  PLANE_SYNC: 5,
  /** New empty array `array` with dimensions (x, y, z). value = 0. */
  CREATE_ARRAY: 6,
  /** Freeze `array` as a template. Coordinates and value 0. */
  FREEZE: 7,
  /** New array `array` instantiated from template `value`, dimensions (x, y, z). */
  INSTANTIATE: 8,
  /** New cube: `array` = cube id, (x, y, z) = its origin, value = 0. */
  CUBE_CREATE: 9,
  /** Custom cube edge: `array` = cube id, x and y = the two vertices, z = 0, value = 0. */
  CUBE_EDGE: 10,
  /** Link: `array` = cube id, x = its vertex, y = the other cube's id, z = the other vertex, value = 0. */
  CUBE_LINK: 11,
  /** PackML state of `array` after a command: x = the state's number (PACKML_STATES order), y = z = 0, value = 0. */
  ARRAY_STATE: 12,
} as const;

export type LedgerOpCode = (typeof LedgerOp)[keyof typeof LedgerOp];

const OP_CODES: ReadonlySet<number> = new Set(Object.values(LedgerOp));

export function isLedgerOp(value: number): value is LedgerOpCode {
  return OP_CODES.has(value);
}

/** The fields a caller supplies; the ledger adds index and hashes. */
export interface LedgerRecord {
  readonly op: LedgerOpCode;
  readonly array: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
  /** Milliseconds since the epoch, a non-negative safe integer. */
  readonly timestamp: number;
}

export interface LedgerEntry extends LedgerRecord {
  readonly index: number;
  /** 32 bytes: the hash of entry index-1, all zero for entry 0. */
  readonly prevHash: Uint8Array;
  /** 32 bytes: SHA-256(prevHash || canonical bytes). */
  readonly hash: Uint8Array;
}

/** Size of the canonical encoding; see docs/CORE.md. */
export const LEDGER_CANONICAL_BYTES = 33;
export const HASH_BYTES = 32;

/**
 * Canonical bytes, big-endian: u64 index, u8 op, u16 array, u16 x, u16 y, u16 z, f64 value,
 * u64 timestamp. Writes into `out` at `offset` so hashing needs no temporary buffers.
 */
export function writeLedgerCanonical(index: number, r: LedgerRecord, out: Uint8Array, offset = 0): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, LEDGER_CANONICAL_BYTES);
  view.setBigUint64(0, BigInt(index));
  view.setUint8(8, r.op);
  view.setUint16(9, r.array);
  view.setUint16(11, r.x);
  view.setUint16(13, r.y);
  view.setUint16(15, r.z);
  view.setFloat64(17, r.value);
  view.setBigUint64(25, BigInt(r.timestamp));
}

export function ledgerCanonicalBytes(index: number, r: LedgerRecord): Uint8Array {
  const out = new Uint8Array(LEDGER_CANONICAL_BYTES);
  writeLedgerCanonical(index, r, out);
  return out;
}

/** Rejects a record whose fields do not fit the canonical encoding. */
export function validateLedgerRecord(r: LedgerRecord): void {
  if (!isLedgerOp(r.op)) throw new CoreError('BAD_VALUE', `unknown ledger op ${String(r.op)}`);
  for (const [name, v] of [['array', r.array], ['x', r.x], ['y', r.y], ['z', r.z]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new CoreError('OUT_OF_RANGE', `ledger field ${name} must be a u16, got ${String(v)}`);
    }
  }
  if (!Number.isFinite(r.value)) throw new CoreError('BAD_VALUE', 'ledger value must be finite');
  if (!Number.isSafeInteger(r.timestamp) || r.timestamp < 0) {
    throw new CoreError('BAD_VALUE', 'ledger timestamp must be a non-negative safe integer');
  }
}
