import { CodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE, type KnownErrorCode } from '../../protocol/errors/errorTable.js';

/**
 * An error a REST or /ws answer carries: a stable code whose status is its row in ERROR_TABLE,
 * and a message that names the offending field.
 */
export class HttpError extends CodedError {
  override readonly name = 'HttpError';
  readonly status: number;

  constructor(
    code: KnownErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(code, message);
    this.status = ERROR_TABLE[code].status;
  }
}

export function badField(field: string, message: string): HttpError {
  return new HttpError('BAD_REQUEST', `${field}: ${message}`, field);
}
