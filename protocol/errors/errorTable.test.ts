import { describe, expect, it } from 'vitest';
import { ErrorCode, type ErrorCodeName } from '../constants.js';
import { ProtocolError, toWireCode } from '../ProtocolError.js';
import { CodedError, describeError } from './CodedError.js';
import { ERROR_TABLE, errorRow, type ErrorKind, type KnownErrorCode } from './errorTable.js';

/**
 * What each kind means on each side, written out as the rule the table must follow: a kind never
 * becomes a 5xx on one side and a "your request was wrong" on the other.
 */
const KIND_RULES: Record<ErrorKind, { statuses: number[]; wire: ErrorCodeName[] }> = {
  input: { statuses: [400, 415], wire: ['BAD_PAYLOAD', 'OUT_OF_RANGE', 'UNSUPPORTED'] },
  not_found: { statuses: [404], wire: ['NOT_FOUND'] },
  auth: { statuses: [401, 403], wire: ['UNAUTHORIZED'] },
  state: { statuses: [409], wire: ['UNSUPPORTED'] },
  capacity: { statuses: [413], wire: ['TOO_LARGE'] },
  unavailable: { statuses: [503], wire: ['UNAVAILABLE', 'BUSY'] },
  upstream: { statuses: [502], wire: ['INTERNAL'] },
  internal: { statuses: [500], wire: ['INTERNAL'] },
};

const codes = Object.keys(ERROR_TABLE) as KnownErrorCode[];

describe('ERROR_TABLE', () => {
  it.each(codes)('%s: its wire code and HTTP status agree with its kind', (code) => {
    const row = ERROR_TABLE[code];
    expect(KIND_RULES[row.kind].statuses, `${code} ${row.kind}`).toContain(row.status);
    expect(KIND_RULES[row.kind].wire, `${code} ${row.kind}`).toContain(row.wire);
    expect(ErrorCode[row.wire]).toBeTypeOf('number');
  });

  it('every wire code is a row of its own that maps to itself', () => {
    for (const name of Object.keys(ErrorCode) as ErrorCodeName[]) {
      expect(ERROR_TABLE[name].wire, name).toBe(name);
    }
  });

  it('4xx exactly for the kinds where the request is at fault, 5xx for the rest', () => {
    for (const code of codes) {
      const { kind, status } = ERROR_TABLE[code];
      const callerAtFault = ['input', 'not_found', 'auth', 'state', 'capacity'].includes(kind);
      expect(status >= 400 && status < 500, code).toBe(callerAtFault);
    }
  });

  it('a state conflict is not BUSY on the wire (BUSY means retry a per-line limit) and 409 over HTTP', () => {
    for (const code of ['NOT_RUNNING', 'ALREADY_EXISTS', 'INVALID_TRANSITION'] as const) {
      expect(ERROR_TABLE[code]).toEqual({ kind: 'state', wire: 'UNSUPPORTED', status: 409 });
    }
  });

  it('an unknown code reads as INTERNAL', () => {
    expect(errorRow('NO_SUCH_CODE')).toBe(ERROR_TABLE.INTERNAL);
    expect(errorRow('NOT_FOUND')).toBe(ERROR_TABLE.NOT_FOUND);
  });
});

describe('CodedError', () => {
  it('takes its kind from the table and keeps the code out of the message', () => {
    const err = new CodedError('NOT_RUNNING', 'the system is held');
    expect(err).toMatchObject({ code: 'NOT_RUNNING', kind: 'state', message: 'the system is held' });
    expect(describeError(err)).toBe('NOT_RUNNING: the system is held');
    expect(describeError(new TypeError('boom'))).toBe('boom');
    expect(describeError('text')).toBe('text');
  });

  it('ProtocolError is one: its wire code is its row', () => {
    for (const code of ['TIMEOUT', 'LINE_CLOSED', 'SESSION_CLOSED', 'INVALID_ARGUMENT', 'UNKNOWN_REMOTE_ERROR', ...Object.keys(ErrorCode)] as const) {
      const err = new ProtocolError(code as ErrorCodeName, 'x');
      expect(err).toBeInstanceOf(CodedError);
      expect(toWireCode(err.code)).toBe(ErrorCode[ERROR_TABLE[err.code].wire]);
    }
    expect(toWireCode('TIMEOUT')).toBe(ErrorCode.UNAVAILABLE);
    expect(toWireCode('INVALID_ARGUMENT')).toBe(ErrorCode.BAD_PAYLOAD);
    expect(toWireCode('UNKNOWN_REMOTE_ERROR')).toBe(ErrorCode.INTERNAL);
  });
});
