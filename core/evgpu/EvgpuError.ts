/** Stable codes: TOO_LARGE and UNSUPPORTED map onto the protocol's error codes of the same name. */
export type EvgpuErrorCode = 'BAD_SHAPE' | 'BAD_PAYLOAD' | 'TOO_LARGE' | 'UNSUPPORTED';

export class EvgpuError extends Error {
  override readonly name = 'EvgpuError';
  constructor(
    readonly code: EvgpuErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function badShape(message: string): EvgpuError {
  return new EvgpuError('BAD_SHAPE', message);
}
