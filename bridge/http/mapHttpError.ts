import { CoreError } from '../../core/errors/CoreError.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { withoutCodePrefix } from '../dispatch/mapError.js';
import { HttpError } from './HttpError.js';

/** HTTP status and stable code for anything a route threw. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof CoreError) {
    const code = String(err.code);
    const status =
      code === 'OUT_OF_RANGE' || code === 'BAD_VALUE' ? 400
        : code === 'NOT_FOUND' ? 404
          : code === 'TOO_LARGE' ? 413
            : code === 'ALREADY_EXISTS' || code === 'INVALID_TRANSITION' || code === 'NOT_RUNNING' ? 409
              : 500;
    return new HttpError(status, code, withoutCodePrefix(err.message, code));
  }
  if (err instanceof EvgpuError) return new HttpError(err.code === 'TOO_LARGE' ? 413 : 400, err.code, err.message);
  const parserError = err as { type?: string; status?: number; message?: string };
  if (parserError.type === 'entity.too.large') return new HttpError(413, 'TOO_LARGE', 'request body is too large');
  if (parserError.type === 'entity.parse.failed') return new HttpError(400, 'BAD_REQUEST', 'body: is not valid JSON');
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError(parserError.status, 'BAD_REQUEST', parserError.message ?? 'bad request');
  }
  return new HttpError(500, 'INTERNAL', err instanceof Error ? err.message : String(err));
}
