import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { CodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE, type KnownErrorCode } from '../../protocol/errors/errorTable.js';
import { CoreError } from '../../core/errors/CoreError.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { FemtoError } from '../../core/femto/FemtoError.js';
import { toHttpError } from './mapHttpError.js';
import { HttpError } from './HttpError.js';

describe('toHttpError', () => {
  it('gives every code of ERROR_TABLE its status and keeps code and message', () => {
    for (const code of Object.keys(ERROR_TABLE) as KnownErrorCode[]) {
      const e = toHttpError(new CodedError(code, 'why'));
      expect({ status: e.status, code: e.code, message: e.message }, code).toEqual({ status: ERROR_TABLE[code].status, code, message: 'why' });
    }
  });

  it('the core and FemtoLLM: NOT_RUNNING is 409, a FemtoLLM OUT_OF_RANGE is 400 (it was 500 INTERNAL), eVGPU shapes 400', () => {
    expect(toHttpError(new CoreError('NOT_RUNNING', 'held'))).toMatchObject({ status: 409, code: 'NOT_RUNNING', message: 'held' });
    expect(toHttpError(new FemtoError('OUT_OF_RANGE', 'maxTokens 900 outside 0..256'))).toMatchObject({ status: 400, code: 'OUT_OF_RANGE' });
    expect(toHttpError(new FemtoError('BAD_WEIGHTS', 'x'))).toMatchObject({ status: 500, code: 'BAD_WEIGHTS' });
    expect(toHttpError(new EvgpuError('BAD_SHAPE', 'x'))).toMatchObject({ status: 400, code: 'BAD_SHAPE' });
    expect(toHttpError(new EvgpuError('TOO_LARGE', 'x'))).toMatchObject({ status: 413, code: 'TOO_LARGE' });
  });

  it('a forwarded request: local unavailability is 503 UNAVAILABLE, a guest error 502 UPSTREAM naming its code', () => {
    expect(toHttpError(new ProtocolError('TIMEOUT', 'no reply'))).toMatchObject({ status: 503, code: 'UNAVAILABLE', message: 'no reply' });
    expect(toHttpError(new ProtocolError('BUSY', 'later', { remote: true }))).toMatchObject({ status: 503, code: 'BUSY' });
    expect(toHttpError(new ProtocolError('NOT_FOUND', 'no', { remote: true }))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toHttpError(new ProtocolError('UNSUPPORTED', 'no', { remote: true }))).toMatchObject({ status: 502, code: 'UPSTREAM', message: 'UNSUPPORTED: no' });
    expect(toHttpError(new ProtocolError('BAD_PAYLOAD', 'short'))).toMatchObject({ status: 502, code: 'UPSTREAM' });
    expect(toHttpError(new ProtocolError('INVALID_ARGUMENT', 'bad'))).toMatchObject({ status: 500, code: 'INTERNAL' });
  });

  it('passes HttpErrors through and makes anything else 500 INTERNAL', () => {
    const own = new HttpError('FORBIDDEN', 'not this host');
    expect(toHttpError(own)).toBe(own);
    expect(own.status).toBe(403);
    expect(toHttpError(new TypeError('boom'))).toMatchObject({ status: 500, code: 'INTERNAL', message: 'boom' });
  });
});
