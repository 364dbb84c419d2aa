import { ERROR_TABLE, type ErrorKind, type KnownErrorCode } from './errorTable.js';

/**
 * The base of every error with a stable code. Its kind comes from ERROR_TABLE, so an error can
 * never disagree with the table about what it becomes on the wire or over HTTP. The message says
 * what happened without repeating the code: whoever prints the error renders the code
 * (`describeError`, the REST body's `code`, an ERROR reply's code byte).
 */
export class CodedError<C extends KnownErrorCode = KnownErrorCode> extends Error {
  override readonly name: string = 'CodedError';
  readonly kind: ErrorKind;

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kind = ERROR_TABLE[code].kind;
  }
}

/** `CODE: message` for a coded error, the message for any other error: what CLIs and logs print. */
export function describeError(err: unknown): string {
  if (isCodedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** `instanceof CodedError` types the code as `any` (the class is generic); this keeps it a known code. */
export function isCodedError(err: unknown): err is CodedError {
  return err instanceof CodedError;
}
