import { CodedError } from '../../protocol/errors/CodedError.js';

export type StackErrorCode = 'BINARY_MISSING' | 'START_FAILED' | 'STOP_FAILED';

/** A service of the stack (PostgreSQL, Redis, a bridge role) could not be found, started or stopped. */
export class StackError extends CodedError<StackErrorCode> {
  override readonly name = 'StackError';
}
