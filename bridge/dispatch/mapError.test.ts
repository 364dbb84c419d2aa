import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { CoreError, type CoreErrorCode } from '../../core/errors/CoreError.js';
import { EvgpuError, type EvgpuErrorCode } from '../../core/evgpu/EvgpuError.js';
import { FemtoError } from '../../core/femto/FemtoError.js';
import { CodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE, type KnownErrorCode } from '../../protocol/errors/errorTable.js';
import { toProtocolError } from './mapError.js';

describe('toProtocolError', () => {
  it.each<[CoreErrorCode, string]>([
    ['OUT_OF_RANGE', 'OUT_OF_RANGE'],
    ['BAD_VALUE', 'OUT_OF_RANGE'],
    ['NOT_FOUND', 'NOT_FOUND'],
    ['TOO_LARGE', 'TOO_LARGE'],
    ['ALREADY_EXISTS', 'UNSUPPORTED'],
    ['INVALID_TRANSITION', 'UNSUPPORTED'],
    // A state conflict, like the two above: BUSY would ask the sender to retry a per-line limit.
    ['NOT_RUNNING', 'UNSUPPORTED'],
    ['STORE_FAILED', 'INTERNAL'],
    ['CORRUPT', 'INTERNAL'],
  ])('maps core %s to %s and keeps the message', (code, wire) => {
    const mapped = toProtocolError(new CoreError(code, 'because'));
    expect(mapped.code).toBe(wire);
    expect(mapped.message).toBe('because');
  });

  it.each<[EvgpuErrorCode, string]>([
    ['TOO_LARGE', 'TOO_LARGE'],
    ['UNSUPPORTED', 'UNSUPPORTED'],
    ['BAD_SHAPE', 'BAD_PAYLOAD'],
    ['BAD_PAYLOAD', 'BAD_PAYLOAD'],
  ])('maps eVGPU %s to %s', (code, wire) => {
    expect(toProtocolError(new EvgpuError(code, 'x')).code).toBe(wire);
  });

  it('maps FemtoLLM OUT_OF_RANGE to OUT_OF_RANGE and a weights failure to INTERNAL', () => {
    expect(toProtocolError(new FemtoError('OUT_OF_RANGE', 'x')).code).toBe('OUT_OF_RANGE');
    expect(toProtocolError(new FemtoError('BAD_WEIGHTS', 'x')).code).toBe('INTERNAL');
  });

  it('maps every code of ERROR_TABLE to its wire code, keeping the message', () => {
    for (const code of Object.keys(ERROR_TABLE) as KnownErrorCode[]) {
      const mapped = toProtocolError(new CodedError(code, 'why'));
      expect(mapped.code, code).toBe(ERROR_TABLE[code].wire);
      expect(mapped.message).toBe('why');
    }
  });

  it('passes protocol errors through and turns anything else into INTERNAL', () => {
    const original = new ProtocolError('BUSY', 'slow down');
    expect(toProtocolError(original)).toBe(original);
    expect(toProtocolError(new TypeError('boom')).code).toBe('INTERNAL');
    expect(toProtocolError('a string').code).toBe('INTERNAL');
  });
});
