import { ProtocolError } from '../../protocol/ProtocolError.js';
import { MAX_PROGRAMS, MAX_PROGRAM_READ, MAX_PROGRAM_SIZE, normalizeProgramName, programNameProblem } from '../../protocol/vocabulary/Programs.js';
import { decodeUtf8Strict, encodeUtf8, truncateUtf8 } from '../../protocol/utf8.js';
import { CoreError } from '../errors/CoreError.js';
import type { ProgramInfo, ProgramRow, ProgramStore } from '../store/Store.js';

export interface ProgramLibraryOptions {
  now?: () => number;
  /** Programs kept at most (default MAX_PROGRAMS, what one LIST reply can name). */
  maxPrograms?: number;
}

/**
 * The program store's rules in one place, whoever asks (a PROGRAM request on a line, REST, the
 * CLI): names are case-insensitive and kept upper case, a program is at most 1 MiB of UTF-8
 * (one message carries 64 KiB of it: larger ones are saved with APPENDs and read in pieces), the
 * store holds at most 1024 programs. Errors are the wire's: BAD_PAYLOAD for a bad name, TOO_LARGE,
 * NOT_FOUND. SAVEs of one store are serialised so the count check and the write agree.
 */
export class ProgramLibrary {
  private readonly now: () => number;
  private readonly maxPrograms: number;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: ProgramStore,
    options: ProgramLibraryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxPrograms = options.maxPrograms ?? MAX_PROGRAMS;
  }

  /** The stored (upper-case) form of `name`; BAD_PAYLOAD naming the problem otherwise. */
  static normalize(name: string): string {
    const normal = normalizeProgramName(name);
    if (normal === undefined) throw new ProtocolError('BAD_PAYLOAD', programNameProblem(name) ?? `bad program name ${JSON.stringify(name)}`);
    return normal;
  }

  async get(name: string): Promise<ProgramRow> {
    const key = ProgramLibrary.normalize(name);
    const row = await this.store.getProgram(key);
    if (row === undefined) throw new CoreError('NOT_FOUND', `no program ${key}`);
    return row;
  }

  /** Creates or replaces `name`; resolves with what was stored once it is durable. */
  async save(name: string, text: string): Promise<ProgramInfo> {
    const key = ProgramLibrary.normalize(name);
    const size = encodeUtf8(text).length;
    if (size > MAX_PROGRAM_SIZE) throw new CoreError('TOO_LARGE', `program ${key} is ${size} bytes, at most ${MAX_PROGRAM_SIZE}`);
    const run = async (): Promise<ProgramInfo> => {
      if ((await this.store.getProgram(key)) === undefined) {
        const count = (await this.store.listPrograms()).length;
        if (count >= this.maxPrograms) throw new CoreError('TOO_LARGE', `the store holds ${count} programs, at most ${this.maxPrograms}: delete one first`);
      }
      const updated = this.now();
      await this.store.putProgram({ name: key, text, updated });
      return { name: key, size, updated };
    };
    return this.serialised(run);
  }

  /** Adds `text` to the end of the existing program `name` (NOT_FOUND when there is none). */
  async append(name: string, text: string): Promise<ProgramInfo> {
    const key = ProgramLibrary.normalize(name);
    const added = encodeUtf8(text).length;
    return this.serialised(async () => {
      const row = await this.store.getProgram(key);
      if (row === undefined) throw new CoreError('NOT_FOUND', `no program ${key}: SAVE its first piece before appending`);
      const size = encodeUtf8(row.text).length + added;
      if (size > MAX_PROGRAM_SIZE) throw new CoreError('TOO_LARGE', `program ${key} would be ${size} bytes, at most ${MAX_PROGRAM_SIZE}`);
      const updated = this.now();
      await this.store.putProgram({ name: key, text: row.text + text, updated });
      return { name: key, size, updated };
    });
  }

  /**
   * Up to MAX_PROGRAM_READ bytes of `name` from byte `offset`, ending before a character that
   * would not fit whole, with the program's size. `offset` must start a character.
   */
  async read(name: string, offset: number): Promise<{ size: number; text: string }> {
    const bytes = encodeUtf8((await this.get(name)).text);
    if (offset > bytes.length) throw new CoreError('OUT_OF_RANGE', `offset ${offset} is past the end of ${ProgramLibrary.normalize(name)} (${bytes.length} bytes)`);
    if (offset < bytes.length && isContinuation(bytes[offset]!)) throw new ProtocolError('BAD_PAYLOAD', `offset ${offset} is inside a UTF-8 character`);
    return { size: bytes.length, text: decodeUtf8Strict(truncateUtf8(bytes.subarray(offset), MAX_PROGRAM_READ)) };
  }

  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const done = this.writes.then(run, run);
    this.writes = done.catch(() => undefined);
    return done;
  }

  async delete(name: string): Promise<void> {
    const key = ProgramLibrary.normalize(name);
    if (!(await this.store.deleteProgram(key))) throw new CoreError('NOT_FOUND', `no program ${key}`);
  }

  list(): Promise<ProgramInfo[]> {
    return this.store.listPrograms();
  }
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
