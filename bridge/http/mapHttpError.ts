import { CoreError } from '../../core/errors/CoreError.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { toProtocolError, withoutCodePrefix } from '../dispatch/mapError.js';
import { HttpError } from './HttpError.js';

/**
 * The HTTP status of every error code the REST and /ws APIs answer with: the bridge's own
 * (BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, UNSUPPORTED_MEDIA_TYPE), the core's, and the protocol's
 * for a CUBE_MSG forwarded to a guest. docs/BRIDGE.md lists every 4xx one of them.
 */
export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  OUT_OF_RANGE: 400,
  BAD_VALUE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INVALID_TRANSITION: 409,
  NOT_RUNNING: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  /** A guest (or another bridge) that hosts the vertex answered with an error of its own. */
  UPSTREAM: 502,
  UNAVAILABLE: 503,
  BUSY: 503,
} as const satisfies Record<string, number>;

export type HttpErrorCode = keyof typeof HTTP_STATUS;

/** HTTP status and stable code for anything a route threw. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof CoreError) {
    const code = String(err.code);
    return new HttpError(statusOf(code), code, withoutCodePrefix(err.message, code));
  }
  if (err instanceof EvgpuError) return new HttpError(err.code === 'TOO_LARGE' ? 413 : 400, err.code, err.message);
  if (err instanceof ProtocolError) return fromProtocolError(err);
  const parserError = err as { type?: string; status?: number; message?: string };
  if (parserError.type === 'entity.too.large') return new HttpError(413, 'TOO_LARGE', 'request body is too large');
  if (parserError.type === 'entity.parse.failed') {
    return new HttpError(400, 'BAD_REQUEST', `body: is not valid JSON: ${parserError.message ?? 'parse error'}`, 'body');
  }
  if (parserError.type === 'charset.unsupported' || parserError.type === 'encoding.unsupported') {
    return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', parserError.message ?? 'unsupported body encoding');
  }
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError(400, 'BAD_REQUEST', parserError.message ?? 'bad request');
  }
  return new HttpError(500, 'INTERNAL', err instanceof Error ? err.message : String(err));
}

/**
 * A CUBE_MSG routed through the dispatcher fails with a ProtocolError: the local side's
 * (UNAVAILABLE, TIMEOUT…) keeps its code; what the hosting guest answered, or a reply that does
 * not decode, is UPSTREAM unless it says the request itself was wrong (OUT_OF_RANGE, NOT_FOUND,
 * TOO_LARGE, BUSY).
 */
function fromProtocolError(err: ProtocolError): HttpError {
  const mapped = toProtocolError(err);
  const code = String(mapped.code);
  const message = withoutCodePrefix(mapped.message, code);
  if (code === 'TIMEOUT' || code === 'LINE_CLOSED' || code === 'SESSION_CLOSED') return new HttpError(503, 'UNAVAILABLE', message);
  const passThrough = ['OUT_OF_RANGE', 'NOT_FOUND', 'TOO_LARGE', 'BUSY', 'UNAVAILABLE'];
  if (passThrough.includes(code)) return new HttpError(statusOf(code), code, message);
  if (err.remote) return new HttpError(HTTP_STATUS.UPSTREAM, 'UPSTREAM', `${code}: ${message}`);
  // Every field was checked before the request was encoded: a payload that fails to decode is the host's reply.
  if (code === 'BAD_PAYLOAD') return new HttpError(HTTP_STATUS.UPSTREAM, 'UPSTREAM', `the reply could not be decoded: ${message}`);
  return new HttpError(statusOf(code), code in HTTP_STATUS ? code : 'INTERNAL', message);
}

function statusOf(code: string): number {
  return (HTTP_STATUS as Record<string, number>)[code] ?? 500;
}
