import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../ProtocolError.js';
import {
  decodeProgramReply,
  decodeProgramRequest,
  encodeProgramReply,
  encodeProgramRequest,
  MAX_PROGRAM_READ,
  MAX_PROGRAM_TEXT,
  normalizeProgramName,
  ProgramOperation,
} from './program.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return 'none';
}

describe('PROGRAM payloads', () => {
  it('names are 1..32 of A-Z a-z 0-9 _ -, decoded upper case', () => {
    expect(normalizeProgramName('life-2_x')).toBe('LIFE-2_X');
    for (const bad of ['', 'a b', 'a.bas', 'κ', 'X'.repeat(33)]) expect(normalizeProgramName(bad)).toBeUndefined();
    expect(decodeProgramRequest(Uint8Array.from([2, 4, 0x6c, 0x69, 0x66, 0x65]))).toEqual({ operation: 2, name: 'LIFE' });
    expect(code(() => decodeProgramRequest(Uint8Array.from([2, 0])))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([2, 33, ...new Uint8Array(33).fill(0x41)])))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([4, 2, 0x41, 0x2e])))).toBe('BAD_PAYLOAD');
    expect(code(() => encodeProgramRequest({ operation: ProgramOperation.LOAD, name: 'a b' }))).toBe('INVALID_ARGUMENT');
  });

  it('refuses what PROTOCOL.md refuses: unknown operations, trailing bytes, bad UTF-8, texts over 64 KiB', () => {
    expect(code(() => decodeProgramRequest(Uint8Array.from([0])))).toBe('UNSUPPORTED');
    expect(code(() => decodeProgramRequest(Uint8Array.from([7])))).toBe('UNSUPPORTED');
    expect(code(() => decodeProgramRequest(new Uint8Array(0)))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([3, 0])))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([2, 1, 0x41, 0x41])))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([1, 1, 0x41, 0xff])))).toBe('BAD_PAYLOAD');
    const max = new Uint8Array(3 + MAX_PROGRAM_TEXT).fill(0x41);
    max.set([1, 1, 0x41]);
    expect(decodeProgramRequest(max)).toMatchObject({ operation: 1, name: 'A' });
    const over = new Uint8Array(4 + MAX_PROGRAM_TEXT).fill(0x41);
    over.set([1, 1, 0x41]);
    expect(code(() => decodeProgramRequest(over))).toBe('TOO_LARGE');
    expect(code(() => encodeProgramRequest({ operation: ProgramOperation.SAVE, name: 'A', text: 'κ'.repeat(MAX_PROGRAM_TEXT / 2 + 1) }))).toBe('TOO_LARGE');
  });

  it('APPEND carries text like SAVE; READ carries a u32 offset and is answered with the size and a piece', () => {
    const append = encodeProgramRequest({ operation: ProgramOperation.APPEND, name: 'f', text: 'κ' });
    expect([...append]).toEqual([5, 1, 0x46, 0xce, 0xba]);
    expect(decodeProgramRequest(append)).toEqual({ operation: 5, name: 'F', text: 'κ' });
    const over = new Uint8Array(4 + MAX_PROGRAM_TEXT).fill(0x41);
    over.set([5, 1, 0x41]);
    expect(code(() => decodeProgramRequest(over))).toBe('TOO_LARGE');
    const read = encodeProgramRequest({ operation: ProgramOperation.READ, name: 'f', offset: 0x10203 });
    expect([...read]).toEqual([6, 1, 0x46, 0x00, 0x01, 0x02, 0x03]);
    expect(decodeProgramRequest(read)).toEqual({ operation: 6, name: 'F', offset: 0x10203 });
    expect(code(() => decodeProgramRequest(read.subarray(0, 6)))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramRequest(Uint8Array.from([...read, 0])))).toBe('BAD_PAYLOAD');
    const piece = encodeProgramReply({ operation: ProgramOperation.READ, size: 100000, text: 'ab' });
    expect([...piece]).toEqual([0x00, 0x01, 0x86, 0xa0, 0x61, 0x62]);
    expect(decodeProgramReply(ProgramOperation.READ, piece)).toEqual({ operation: 6, size: 100000, text: 'ab' });
    expect(code(() => decodeProgramReply(ProgramOperation.READ, Uint8Array.from([0, 0])))).toBe('BAD_PAYLOAD');
    expect(code(() => encodeProgramReply({ operation: ProgramOperation.READ, size: 1, text: 'x'.repeat(MAX_PROGRAM_READ + 1) }))).toBe('TOO_LARGE');
    expect(decodeProgramReply(ProgramOperation.APPEND, new Uint8Array(0))).toEqual({ operation: 5 });
  });

  it('replies are read by the operation of their request', () => {
    const list = encodeProgramReply({ operation: ProgramOperation.LIST, programs: [{ name: 'a', size: 3, updated: 7 }] });
    expect(decodeProgramReply(ProgramOperation.LIST, list)).toEqual({ operation: 3, programs: [{ name: 'A', size: 3, updated: 7 }] });
    expect(code(() => decodeProgramReply(ProgramOperation.LIST, list.subarray(0, list.length - 1)))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeProgramReply(ProgramOperation.SAVE, Uint8Array.from([0])))).toBe('BAD_PAYLOAD');
    expect(decodeProgramReply(ProgramOperation.LOAD, new Uint8Array(0))).toEqual({ operation: 2, text: '' });
    expect(code(() => decodeProgramReply(ProgramOperation.LIST, Uint8Array.from([0x04, 0x01])))).toBe('BAD_PAYLOAD');
  });
});
