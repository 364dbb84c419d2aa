import { CodedError } from '../../protocol/errors/CodedError.js';

/**
 * Stable codes for everything the core rejects. What each becomes on the wire and over HTTP is
 * its row in ERROR_TABLE (protocol/errors/errorTable.ts), so a code, once published, never
 * changes meaning.
 */
export type CoreErrorCode =
  | 'OUT_OF_RANGE'
  | 'BAD_VALUE'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_TRANSITION'
  /** The system or the instance is not in Execute (held, stopped, aborted, or a frozen template). */
  | 'NOT_RUNNING'
  | 'TOO_LARGE'
  /** The target cannot do this at all (a model that cannot learn). */
  | 'UNSUPPORTED'
  | 'STORE_FAILED'
  | 'CORRUPT';

export class CoreError extends CodedError<CoreErrorCode> {
  override readonly name = 'CoreError';
}

export function isCoreError(value: unknown, code?: CoreErrorCode): value is CoreError {
  return value instanceof CoreError && (code === undefined || value.code === code);
}
