import { ProtocolError } from '../../protocol/ProtocolError.js';
import { CoreError } from '../../core/errors/CoreError.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { FemtoError } from '../../core/femto/FemtoError.js';

/**
 * Turns whatever a handler threw into the ProtocolError its ERROR reply carries, so the peer
 * sees a stable code (OUT_OF_RANGE, TOO_LARGE, ...) instead of INTERNAL for a bad request.
 */
export function toProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (err instanceof CoreError) {
    switch (err.code) {
      case 'OUT_OF_RANGE':
      case 'BAD_VALUE':
        return new ProtocolError('OUT_OF_RANGE', err.message);
      case 'NOT_FOUND':
        return new ProtocolError('NOT_FOUND', err.message);
      case 'TOO_LARGE':
        return new ProtocolError('TOO_LARGE', err.message);
      case 'ALREADY_EXISTS':
      case 'INVALID_TRANSITION':
        return new ProtocolError('UNSUPPORTED', err.message);
      case 'NOT_RUNNING':
        // The system is starting, held or stopping: the request may succeed later.
        return new ProtocolError('BUSY', err.message);
      default:
        return new ProtocolError('INTERNAL', err.message);
    }
  }
  if (err instanceof EvgpuError) {
    switch (err.code) {
      case 'TOO_LARGE':
        return new ProtocolError('TOO_LARGE', err.message);
      case 'UNSUPPORTED':
        return new ProtocolError('UNSUPPORTED', err.message);
      default:
        return new ProtocolError('BAD_PAYLOAD', err.message);
    }
  }
  if (err instanceof FemtoError && err.code === 'OUT_OF_RANGE') {
    return new ProtocolError('OUT_OF_RANGE', err.message);
  }
  return new ProtocolError('INTERNAL', err instanceof Error ? err.message : String(err));
}
