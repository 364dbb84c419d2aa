import { ProtocolError } from '../../protocol/ProtocolError.js';
import { isCodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE } from '../../protocol/errors/errorTable.js';
import { HttpError } from './HttpError.js';

/**
 * HTTP status and stable code for anything a route threw. A coded error keeps its code and gets
 * its row's status (ERROR_TABLE, docs/BRIDGE.md "Error codes"); what body-parser throws gets the
 * bridge's own codes; anything else is 500 INTERNAL.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ProtocolError) return fromProtocolError(err);
  if (isCodedError(err)) return new HttpError(err.code, err.message);
  const parserError = err as { type?: string; status?: number; message?: string };
  if (parserError.type === 'entity.too.large') return new HttpError('TOO_LARGE', 'request body is too large');
  if (parserError.type === 'entity.parse.failed') {
    return new HttpError('BAD_REQUEST', `body: is not valid JSON: ${parserError.message ?? 'parse error'}`, 'body');
  }
  if (parserError.type === 'charset.unsupported' || parserError.type === 'encoding.unsupported') {
    return new HttpError('UNSUPPORTED_MEDIA_TYPE', parserError.message ?? 'unsupported body encoding');
  }
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError('BAD_REQUEST', parserError.message ?? 'bad request');
  }
  return new HttpError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/**
 * A CUBE_MSG routed through the dispatcher fails with a ProtocolError: the local side's
 * (UNAVAILABLE, TIMEOUT…) is UNAVAILABLE (BUSY stays BUSY); what the hosting guest answered, or a
 * reply that does not decode, is UPSTREAM unless it says the request itself was wrong
 * (OUT_OF_RANGE, NOT_FOUND, TOO_LARGE) or the guest is busy or gone.
 */
function fromProtocolError(err: ProtocolError): HttpError {
  const { code, message } = err;
  if (ERROR_TABLE[code].kind === 'unavailable') return new HttpError(code === 'BUSY' ? 'BUSY' : 'UNAVAILABLE', message);
  if (code === 'OUT_OF_RANGE' || code === 'NOT_FOUND' || code === 'TOO_LARGE') return new HttpError(code, message);
  // The guest's own code starts the message: that is what the caller needs to see.
  if (err.remote) return new HttpError('UPSTREAM', `${code}: ${message}`);
  // Every field was checked before the request was encoded: a payload that fails to decode is the host's reply.
  if (code === 'BAD_PAYLOAD') return new HttpError('UPSTREAM', `the reply could not be decoded: ${message}`);
  if (code === 'UNAUTHORIZED') return new HttpError(code, message);
  // A local UNSUPPORTED or INVALID_ARGUMENT means the bridge built a request it should not have.
  return new HttpError('INTERNAL', message);
}
