/**
 * Stable codes for everything the core rejects. The bridge maps them to protocol error codes
 * and HTTP statuses, so a code, once published, never changes meaning.
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
  | 'STORE_FAILED'
  | 'CORRUPT';

export class CoreError extends Error {
  override readonly name = 'CoreError';

  constructor(
    readonly code: CoreErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function isCoreError(value: unknown, code?: CoreErrorCode): value is CoreError {
  return value instanceof CoreError && (code === undefined || value.code === code);
}
