/** Stable codes for everything that can go wrong starting or driving an XP10 machine. */
export type Xp10MachineErrorCode =
  | 'MEMORY_TOO_LARGE'
  | 'MEMORY_INVALID'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_INVALID'
  | 'TIMEOUT'
  | 'DESTROYED';

export class Xp10MachineError extends Error {
  override readonly name = 'Xp10MachineError';

  constructor(
    readonly code: Xp10MachineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
