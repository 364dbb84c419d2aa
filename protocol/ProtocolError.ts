import { ErrorCode, type ErrorCodeName } from './constants.js';
import { CodedError } from './errors/CodedError.js';
import { ERROR_TABLE } from './errors/errorTable.js';

/** Codes that never travel on the wire; they describe local outcomes. */
export type LocalErrorCode =
  /** The request was retransmitted up to the limit (or its deadline passed) without a reply. */
  | 'TIMEOUT'
  /** The line closed before a reply arrived. */
  | 'LINE_CLOSED'
  /** `Session.close()` was called. */
  | 'SESSION_CLOSED'
  /** A caller passed a value outside what the API or the wire format accepts. */
  | 'INVALID_ARGUMENT'
  /** The peer sent an error code this implementation does not know (see `wireCode`). */
  | 'UNKNOWN_REMOTE_ERROR';

export type ProtocolErrorCode = ErrorCodeName | LocalErrorCode;

const wireNames = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** Typed error with a stable string `code`; `remote` is true when the peer sent it. */
export class ProtocolError extends CodedError<ProtocolErrorCode> {
  override readonly name = 'ProtocolError';
  readonly remote: boolean;
  /** The numeric code as received, for UNKNOWN_REMOTE_ERROR. */
  readonly wireCode: number | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: { remote?: boolean; wireCode?: number } = {}) {
    super(code, message);
    this.remote = options.remote ?? false;
    this.wireCode = options.wireCode;
  }

  /** Build the error a remote ERROR reply describes. */
  static fromWire(wireCode: number, message: string): ProtocolError {
    const name = wireNames.get(wireCode);
    if (name === undefined) {
      return new ProtocolError('UNKNOWN_REMOTE_ERROR', message, { remote: true, wireCode });
    }
    return new ProtocolError(name, message, { remote: true, wireCode });
  }
}

export function errorCodeName(wireCode: number): ErrorCodeName | undefined {
  return wireNames.get(wireCode);
}

/** The wire code used when an error with this code is sent in an ERROR reply (ERROR_TABLE's row). */
export function toWireCode(code: ProtocolErrorCode): number {
  return ErrorCode[ERROR_TABLE[code].wire];
}
