import { LITTLE_ENDIAN, SCRATCH, SCRATCH_BYTES } from './PayloadWriter.js';
import { ProtocolError } from '../ProtocolError.js';
import { decodeUtf8Strict } from '../utf8.js';

/** Bounds-checked big-endian reader; every failure is ProtocolError('BAD_PAYLOAD'). */
export class PayloadReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    return this.bytes[this.take(1)]!;
  }

  u16(): number {
    const at = this.take(2);
    const b = this.bytes;
    return (b[at]! << 8) | b[at + 1]!;
  }

  u32(): number {
    const at = this.take(4);
    const b = this.bytes;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  u64(): bigint {
    return this.scratch(8).getBigUint64(0);
  }

  f32(): number {
    return this.scratch(4).getFloat32(0);
  }

  f64(): number {
    return this.scratch(8).getFloat64(0);
  }

  /** A copy of the next `length` bytes. */
  bytesOf(length: number): Uint8Array {
    const start = this.take(length);
    return this.bytes.slice(start, start + length);
  }

  /** The rest of the payload as strict UTF-8. */
  restText(): string {
    return this.text(this.remaining);
  }

  /** A u8 length then that many bytes of UTF-8. */
  shortText(): string {
    return this.text(this.u8());
  }

  restBytes(): Uint8Array {
    return this.bytesOf(this.remaining);
  }

  /** Float32 elements, big-endian. */
  f32Array(count: number): Float32Array {
    if (count * 4 > this.remaining) this.fail(`${count} elements need ${count * 4} bytes, ${this.remaining} left`);
    const out = new Float32Array(count);
    const dst = new Uint8Array(out.buffer);
    const at = this.take(count * 4);
    const src = this.bytes;
    if (!LITTLE_ENDIAN) {
      dst.set(src.subarray(at, at + count * 4));
      return out;
    }
    // One pass over bytes, no call per element (issue 16: a 1 MB tensor on the main thread).
    for (let i = 0, j = at; i < dst.length; i += 4, j += 4) {
      dst[i] = src[j + 3]!;
      dst[i + 1] = src[j + 2]!;
      dst[i + 2] = src[j + 1]!;
      dst[i + 3] = src[j]!;
    }
    return out;
  }

  /** Rejects trailing bytes. */
  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }

  fail(reason: string): never {
    throw new ProtocolError('BAD_PAYLOAD', `${this.what}: ${reason}`);
  }

  private text(length: number): string {
    const start = this.take(length);
    try {
      return decodeUtf8Strict(this.bytes.subarray(start, start + length));
    } catch {
      return this.fail('invalid UTF-8');
    }
  }

  /** The next `length` bytes copied into SCRATCH, for the DataView to read. */
  private scratch(length: number): DataView {
    const at = this.take(length);
    for (let i = 0; i < length; i++) SCRATCH_BYTES[i] = this.bytes[at + i]!;
    return SCRATCH;
  }

  private take(length: number): number {
    if (length > this.remaining) this.fail(`needs ${length} more bytes at offset ${this.offset}, ${this.remaining} left`);
    const start = this.offset;
    this.offset += length;
    return start;
  }
}
