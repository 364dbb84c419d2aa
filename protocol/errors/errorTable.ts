import type { ErrorCodeName } from '../constants.js';

/**
 * What went wrong, in the terms a caller acts on. The kind decides the HTTP status class and which
 * wire codes may carry an error; the code says precisely what happened.
 */
export type ErrorKind =
  /** The request itself is wrong (a value, a field, a file): asking again the same way fails again. */
  | 'input'
  /** The request names something that does not exist. */
  | 'not_found'
  /** The caller has not shown that it may ask (no token, a Host that is not ours). */
  | 'auth'
  /** The target exists but its state does not allow this now (PackML, exists already). */
  | 'state'
  /** A size or count above a limit. */
  | 'capacity'
  /** Whoever should answer is busy, gone or timed out: the same request may succeed later. */
  | 'unavailable'
  /** Whoever we forwarded to answered with an error of its own, or a reply that does not decode. */
  | 'upstream'
  /** A fault of this side (a store, a bug): logged. */
  | 'internal';

export interface ErrorRow {
  readonly kind: ErrorKind;
  /** The code an ERROR reply carries on the wire (docs/PROTOCOL.md). */
  readonly wire: ErrorCodeName;
  /** The status of a REST or /ws answer (docs/BRIDGE.md). */
  readonly status: number;
}

/**
 * Every error code of the system, and the one place that says what each becomes on the wire and
 * over HTTP. A code means the same thing in every room that uses it (TOO_LARGE from the core, the
 * eVGPU or the reassembler is one row). Codes are published: a row may be added, never changed in
 * meaning. `errorTable.test.ts` checks that each row's wire code and status agree with its kind.
 */
export const ERROR_TABLE = {
  // The wire's own codes (protocol/constants.ts ErrorCode): each maps to itself.
  BAD_PAYLOAD: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  OUT_OF_RANGE: { kind: 'input', wire: 'OUT_OF_RANGE', status: 400 },
  TOO_LARGE: { kind: 'capacity', wire: 'TOO_LARGE', status: 413 },
  UNSUPPORTED: { kind: 'input', wire: 'UNSUPPORTED', status: 400 },
  BUSY: { kind: 'unavailable', wire: 'BUSY', status: 503 },
  NOT_FOUND: { kind: 'not_found', wire: 'NOT_FOUND', status: 404 },
  INTERNAL: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  UNAUTHORIZED: { kind: 'auth', wire: 'UNAUTHORIZED', status: 401 },
  UNAVAILABLE: { kind: 'unavailable', wire: 'UNAVAILABLE', status: 503 },

  // The protocol's local outcomes (ProtocolError), never sent under their own name.
  TIMEOUT: { kind: 'unavailable', wire: 'UNAVAILABLE', status: 503 },
  LINE_CLOSED: { kind: 'unavailable', wire: 'UNAVAILABLE', status: 503 },
  SESSION_CLOSED: { kind: 'unavailable', wire: 'UNAVAILABLE', status: 503 },
  INVALID_ARGUMENT: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  UNKNOWN_REMOTE_ERROR: { kind: 'upstream', wire: 'INTERNAL', status: 502 },

  // The core (CoreError, EvgpuError, FemtoError, GuestMemoryError). The wire has no code for a
  // state conflict: those travel as UNSUPPORTED ("not possible now"), never as BUSY, which tells
  // the sender to retry a per-line limit.
  BAD_VALUE: { kind: 'input', wire: 'OUT_OF_RANGE', status: 400 },
  BAD_SHAPE: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  ALREADY_EXISTS: { kind: 'state', wire: 'UNSUPPORTED', status: 409 },
  INVALID_TRANSITION: { kind: 'state', wire: 'UNSUPPORTED', status: 409 },
  NOT_RUNNING: { kind: 'state', wire: 'UNSUPPORTED', status: 409 },
  STORE_FAILED: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  CORRUPT: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  BAD_WEIGHTS: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  MEMORY_INVALID: { kind: 'input', wire: 'OUT_OF_RANGE', status: 400 },
  MEMORY_TOO_LARGE: { kind: 'capacity', wire: 'TOO_LARGE', status: 413 },

  // The bridge: REST and /ws (HttpError), the XP10 machine, the stack, the CLI, captures.
  BAD_REQUEST: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  FORBIDDEN: { kind: 'auth', wire: 'UNAUTHORIZED', status: 403 },
  UNSUPPORTED_MEDIA_TYPE: { kind: 'input', wire: 'BAD_PAYLOAD', status: 415 },
  UPSTREAM: { kind: 'upstream', wire: 'INTERNAL', status: 502 },
  IMAGE_NOT_FOUND: { kind: 'not_found', wire: 'NOT_FOUND', status: 404 },
  IMAGE_INVALID: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  DESTROYED: { kind: 'unavailable', wire: 'UNAVAILABLE', status: 503 },
  BINARY_MISSING: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  START_FAILED: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  STOP_FAILED: { kind: 'internal', wire: 'INTERNAL', status: 500 },
  USAGE: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
  BAD_CAPTURE: { kind: 'input', wire: 'BAD_PAYLOAD', status: 400 },
} as const satisfies Record<string, ErrorRow>;

export type KnownErrorCode = keyof typeof ERROR_TABLE;

const rows: ReadonlyMap<string, ErrorRow> = new Map(Object.entries(ERROR_TABLE));

/** The row of a code; an unknown string (from a peer, a parser) is INTERNAL's. */
export function errorRow(code: string): ErrorRow {
  return rows.get(code) ?? ERROR_TABLE.INTERNAL;
}

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return rows.has(code);
}
