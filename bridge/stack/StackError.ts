export type StackErrorCode = 'BINARY_MISSING' | 'START_FAILED' | 'STOP_FAILED';

/** A service of the stack (PostgreSQL, Redis, a bridge role) could not be found, started or stopped. */
export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    readonly code: StackErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
