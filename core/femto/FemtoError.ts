import { CodedError } from '../../protocol/errors/CodedError.js';

/** Stable codes; their wire codes and HTTP statuses are their rows in ERROR_TABLE. */
export type FemtoErrorCode = 'OUT_OF_RANGE' | 'BAD_WEIGHTS';

export class FemtoError extends CodedError<FemtoErrorCode> {
  override readonly name = 'FemtoError';
}
