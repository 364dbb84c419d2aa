import { ProtocolError } from '../ProtocolError.js';
import { decodeUtf8Strict } from '../utf8.js';

/** Bounds-checked big-endian reader; every failure is ProtocolError('BAD_PAYLOAD'). */
export class PayloadReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2));
  }

  u32(): number {
    return this.view.getUint32(this.take(4));
  }

  u64(): bigint {
    return this.view.getBigUint64(this.take(8));
  }

  f32(): number {
    return this.view.getFloat32(this.take(4));
  }

  f64(): number {
    return this.view.getFloat64(this.take(8));
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
    for (let i = 0; i < count; i++) out[i] = this.f32();
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

  private take(length: number): number {
    if (length > this.remaining) this.fail(`needs ${length} more bytes at offset ${this.offset}, ${this.remaining} left`);
    const start = this.offset;
    this.offset += length;
    return start;
  }
}
