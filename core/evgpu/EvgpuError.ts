import { CodedError } from '../../protocol/errors/CodedError.js';

/** Stable codes; their wire codes and HTTP statuses are their rows in ERROR_TABLE. */
export type EvgpuErrorCode = 'BAD_SHAPE' | 'BAD_PAYLOAD' | 'TOO_LARGE' | 'UNSUPPORTED';

export class EvgpuError extends CodedError<EvgpuErrorCode> {
  override readonly name = 'EvgpuError';
}

export function badShape(message: string): EvgpuError {
  return new EvgpuError('BAD_SHAPE', message);
}
