/** Stable codes; OUT_OF_RANGE matches the protocol error of the same name. */
export type FemtoErrorCode = 'OUT_OF_RANGE' | 'BAD_WEIGHTS';

export class FemtoError extends Error {
  override readonly name = 'FemtoError';
  constructor(
    readonly code: FemtoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
