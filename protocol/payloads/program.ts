import { ProtocolError } from '../ProtocolError.js';
import { encodeUtf8 } from '../utf8.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';
import { MAX_PROGRAM_NAME, MAX_PROGRAM_READ, MAX_PROGRAM_TEXT, MAX_PROGRAMS, normalizeProgramName, programNameProblem } from '../vocabulary/Programs.js';

/** What a PROGRAM request does (its first byte). */
export const ProgramOperation = {
  SAVE: 0x01,
  LOAD: 0x02,
  LIST: 0x03,
  DELETE: 0x04,
  /** Adds text to the end of an existing program: how a file larger than one message is saved. */
  APPEND: 0x05,
  /** A piece of a program from a byte offset: how one larger than a LOAD reply is read. */
  READ: 0x06,
} as const;
export type ProgramOperationName = keyof typeof ProgramOperation;
export type ProgramOperationValue = (typeof ProgramOperation)[ProgramOperationName];

// Names and sizes are the program store's vocabulary, shared with the core's ProgramLibrary.
export {
  MAX_PROGRAM_NAME,
  MAX_PROGRAM_TEXT,
  MAX_PROGRAM_SIZE,
  MAX_PROGRAM_READ,
  MAX_PROGRAMS,
  normalizeProgramName,
  programNameProblem,
} from '../vocabulary/Programs.js';

export type ProgramRequest =
  | { operation: typeof ProgramOperation.SAVE | typeof ProgramOperation.APPEND; name: string; text: string }
  | { operation: typeof ProgramOperation.READ; name: string; offset: number }
  | { operation: typeof ProgramOperation.LOAD | typeof ProgramOperation.DELETE; name: string }
  | { operation: typeof ProgramOperation.LIST };

export interface ProgramEntry {
  name: string;
  /** Bytes of UTF-8 text. */
  size: number;
  /** When it was last saved, Unix seconds. */
  updated: number;
}

export type ProgramReply =
  | { operation: typeof ProgramOperation.SAVE | typeof ProgramOperation.DELETE | typeof ProgramOperation.APPEND }
  | { operation: typeof ProgramOperation.LOAD; text: string }
  /** `size`: the whole program's bytes, so the reader knows when it has all of it. */
  | { operation: typeof ProgramOperation.READ; size: number; text: string }
  | { operation: typeof ProgramOperation.LIST; programs: ProgramEntry[] };

export function encodeProgramRequest(request: ProgramRequest): Uint8Array {
  if (request.operation === ProgramOperation.LIST) return new PayloadWriter(1).u8(request.operation, 'operation').done();
  const name = checkName(request.name);
  if (request.operation === ProgramOperation.READ) {
    return new PayloadWriter(6 + name.length)
      .u8(request.operation, 'operation')
      .u8(name.length, 'name length')
      .raw(name)
      .u32(request.offset, 'offset')
      .done();
  }
  const carriesText = request.operation === ProgramOperation.SAVE || request.operation === ProgramOperation.APPEND;
  const text = carriesText ? checkText(encodeUtf8(request.text)) : new Uint8Array(0);
  return new PayloadWriter(2 + name.length + text.length)
    .u8(request.operation, 'operation')
    .u8(name.length, 'name length')
    .raw(name)
    .raw(text)
    .done();
}

export function decodeProgramRequest(payload: Uint8Array): ProgramRequest {
  const r = new PayloadReader(payload, 'PROGRAM request');
  const operation = readOperation(r);
  if (operation === ProgramOperation.LIST) {
    r.end();
    return { operation };
  }
  const name = readName(r);
  if (operation === ProgramOperation.READ) {
    const offset = r.u32();
    r.end();
    return { operation, name, offset };
  }
  if (operation !== ProgramOperation.SAVE && operation !== ProgramOperation.APPEND) {
    r.end();
    return { operation, name };
  }
  if (r.remaining > MAX_PROGRAM_TEXT) {
    throw new ProtocolError('TOO_LARGE', `PROGRAM request: text is ${r.remaining} bytes, at most ${MAX_PROGRAM_TEXT}`);
  }
  return { operation, name, text: r.restText() };
}

export function encodeProgramReply(reply: ProgramReply): Uint8Array {
  switch (reply.operation) {
    case ProgramOperation.SAVE:
    case ProgramOperation.DELETE:
    case ProgramOperation.APPEND:
      return new Uint8Array(0);
    case ProgramOperation.LOAD:
      return checkText(encodeUtf8(reply.text)).slice();
    case ProgramOperation.READ: {
      const text = encodeUtf8(reply.text);
      if (text.length > MAX_PROGRAM_READ) throw new ProtocolError('TOO_LARGE', `READ text is ${text.length} bytes, at most ${MAX_PROGRAM_READ}`);
      return new PayloadWriter(4 + text.length).u32(reply.size, 'size').raw(text).done();
    }
    case ProgramOperation.LIST: {
      if (reply.programs.length > MAX_PROGRAMS) {
        throw new ProtocolError('INVALID_ARGUMENT', `${reply.programs.length} programs, at most ${MAX_PROGRAMS}`);
      }
      const names = reply.programs.map((p) => checkName(p.name));
      const size = 2 + names.reduce((sum, n) => sum + 1 + n.length + 8, 0);
      const w = new PayloadWriter(size).u16(reply.programs.length, 'count');
      reply.programs.forEach((p, i) => {
        const name = names[i]!;
        w.u8(name.length, 'name length').raw(name).u32(p.size, 'size').u32(p.updated, 'updated');
      });
      return w.done();
    }
  }
}

/** A reply's layout depends on the request's operation, which the reply does not repeat. */
export function decodeProgramReply(operation: ProgramOperationValue, payload: Uint8Array): ProgramReply {
  const r = new PayloadReader(payload, 'PROGRAM reply');
  switch (operation) {
    case ProgramOperation.SAVE:
    case ProgramOperation.DELETE:
    case ProgramOperation.APPEND:
      r.end();
      return { operation };
    case ProgramOperation.READ: {
      const size = r.u32();
      if (r.remaining > MAX_PROGRAM_READ) r.fail(`READ text is ${r.remaining} bytes, at most ${MAX_PROGRAM_READ}`);
      return { operation, size, text: r.restText() };
    }
    case ProgramOperation.LOAD:
      if (r.remaining > MAX_PROGRAM_TEXT) r.fail(`text is ${r.remaining} bytes, at most ${MAX_PROGRAM_TEXT}`);
      return { operation, text: r.restText() };
    case ProgramOperation.LIST: {
      const count = r.u16();
      if (count > MAX_PROGRAMS) r.fail(`${count} programs, at most ${MAX_PROGRAMS}`);
      const programs: ProgramEntry[] = [];
      for (let i = 0; i < count; i++) {
        const name = readName(r);
        programs.push({ name, size: r.u32(), updated: r.u32() });
      }
      r.end();
      return { operation, programs };
    }
  }
}

function readOperation(r: PayloadReader): ProgramOperationValue {
  const operation = r.u8();
  if (operation < ProgramOperation.SAVE || operation > ProgramOperation.READ) {
    throw new ProtocolError('UNSUPPORTED', `PROGRAM request: operation ${operation} is not 1..6`);
  }
  return operation as ProgramOperationValue;
}

function readName(r: PayloadReader): string {
  const length = r.u8();
  if (length < 1 || length > MAX_PROGRAM_NAME) r.fail(`name length ${length} is not 1..${MAX_PROGRAM_NAME}`);
  const raw = r.bytesOf(length);
  const name = String.fromCharCode(...raw);
  const normal = normalizeProgramName(name);
  if (normal === undefined) r.fail(`name ${JSON.stringify(name)} may hold only A-Z, 0-9, _ and -`);
  return normal;
}

function checkName(name: string): Uint8Array {
  const problem = programNameProblem(name);
  if (problem !== undefined) throw new ProtocolError('INVALID_ARGUMENT', problem);
  return encodeUtf8(name.toUpperCase());
}

function checkText(text: Uint8Array): Uint8Array {
  if (text.length > MAX_PROGRAM_TEXT) throw new ProtocolError('TOO_LARGE', `program text is ${text.length} bytes, at most ${MAX_PROGRAM_TEXT}`);
  return text;
}
