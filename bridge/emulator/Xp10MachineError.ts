import { CodedError } from '../../protocol/errors/CodedError.js';

/** Stable codes for everything that can go wrong starting or driving an XP10 machine. */
export type Xp10MachineErrorCode =
  | 'MEMORY_TOO_LARGE'
  | 'MEMORY_INVALID'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_INVALID'
  | 'TIMEOUT'
  | 'DESTROYED';

export class Xp10MachineError extends CodedError<Xp10MachineErrorCode> {
  override readonly name = 'Xp10MachineError';
}
