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
    const message = withoutCodePrefix(err.message, err.code);
    switch (err.code) {
      case 'OUT_OF_RANGE':
      case 'BAD_VALUE':
        return new ProtocolError('OUT_OF_RANGE', message);
      case 'NOT_FOUND':
        return new ProtocolError('NOT_FOUND', message);
      case 'TOO_LARGE':
        return new ProtocolError('TOO_LARGE', message);
      case 'ALREADY_EXISTS':
      case 'INVALID_TRANSITION':
        return new ProtocolError('UNSUPPORTED', message);
      case 'NOT_RUNNING':
        // The system is starting, held or stopping: the request may succeed later.
        return new ProtocolError('BUSY', message);
      default:
        return new ProtocolError('INTERNAL', message);
    }
  }
  if (err instanceof EvgpuError) {
    switch (err.code) {
      case 'TOO_LARGE':
        return new ProtocolError('TOO_LARGE', withoutCodePrefix(err.message, err.code));
      case 'UNSUPPORTED':
        return new ProtocolError('UNSUPPORTED', withoutCodePrefix(err.message, err.code));
      default:
        return new ProtocolError('BAD_PAYLOAD', withoutCodePrefix(err.message, err.code));
    }
  }
  if (err instanceof FemtoError && err.code === 'OUT_OF_RANGE') {
    return new ProtocolError('OUT_OF_RANGE', withoutCodePrefix(err.message, err.code));
  }
  return new ProtocolError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/**
 * The message without a leading "CODE: " (CoreError puts its code there), so that output which
 * prints the code itself does not read "OUT_OF_RANGE: OUT_OF_RANGE: …".
 */
export function withoutCodePrefix(message: string, code: string): string {
  const prefix = `${code}: `;
  let text = message;
  while (text.startsWith(prefix)) text = text.slice(prefix.length);
  return text;
}
