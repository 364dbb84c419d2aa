import { ProtocolError } from '../../protocol/ProtocolError.js';
import { isCodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE } from '../../protocol/errors/errorTable.js';

/**
 * Turns whatever a handler threw into the ProtocolError its ERROR reply carries, so the peer
 * sees a stable code (OUT_OF_RANGE, TOO_LARGE, ...) instead of INTERNAL for a bad request. The
 * wire code of a coded error is its row in ERROR_TABLE.
 */
export function toProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (isCodedError(err)) return new ProtocolError(ERROR_TABLE[err.code].wire, err.message);
  return new ProtocolError('INTERNAL', err instanceof Error ? err.message : String(err));
}
