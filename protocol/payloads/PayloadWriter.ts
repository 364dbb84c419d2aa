import { ProtocolError } from '../ProtocolError.js';

/** Whether this host stores numbers little-endian (then f32 elements are byte-swapped on the wire). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Eight bytes through which the wider numbers pass: a DataView per payload cost more than
 * encoding a small reply (a BLOCK_GET reply is 41 bytes; issue 16), so readers and writers share
 * this one and copy its bytes.
 */
export const SCRATCH = new DataView(new ArrayBuffer(8));
export const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer);

/** Big-endian writer into an exactly sized buffer (callers compute the size first). */
export class PayloadWriter {
  readonly bytes: Uint8Array;
  private offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  u8(value: number, field: string): this {
    this.bytes[this.take(1)] = checkUint(value, 0xff, field);
    return this;
  }

  u16(value: number, field: string): this {
    const at = this.take(2);
    checkUint(value, 0xffff, field);
    this.bytes[at] = value >>> 8;
    this.bytes[at + 1] = value & 0xff;
    return this;
  }

  u32(value: number, field: string): this {
    const at = this.take(4);
    checkUint(value, 0xffff_ffff, field);
    this.bytes[at] = value >>> 24;
    this.bytes[at + 1] = (value >>> 16) & 0xff;
    this.bytes[at + 2] = (value >>> 8) & 0xff;
    this.bytes[at + 3] = value & 0xff;
    return this;
  }

  u64(value: bigint, field: string): this {
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field} ${value} is not a u64`);
    }
    SCRATCH.setBigUint64(0, value);
    return this.fromScratch(8);
  }

  f32(value: number): this {
    SCRATCH.setFloat32(0, value);
    return this.fromScratch(4);
  }

  /** Float32 elements, big-endian, in one pass over bytes (no call per element; issue 16). */
  f32Array(data: Float32Array): this {
    const at = this.take(data.length * 4);
    const out = this.bytes;
    const src = new Uint8Array(data.buffer, data.byteOffset, data.length * 4);
    if (!LITTLE_ENDIAN) {
      out.set(src, at);
      return this;
    }
    for (let i = 0, j = at; i < src.length; i += 4, j += 4) {
      out[j] = src[i + 3]!;
      out[j + 1] = src[i + 2]!;
      out[j + 2] = src[i + 1]!;
      out[j + 3] = src[i]!;
    }
    return this;
  }

  f64(value: number): this {
    SCRATCH.setFloat64(0, value);
    return this.fromScratch(8);
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.take(bytes.length));
    return this;
  }

  done(): Uint8Array {
    if (this.offset !== this.bytes.length) throw new Error(`payload size miscomputed: ${this.offset} of ${this.bytes.length}`);
    return this.bytes;
  }

  /** The first `length` bytes of SCRATCH, next in the payload. */
  private fromScratch(length: number): this {
    const at = this.take(length);
    for (let i = 0; i < length; i++) this.bytes[at + i] = SCRATCH_BYTES[i]!;
    return this;
  }

  private take(length: number): number {
    const start = this.offset;
    this.offset += length;
    return start;
  }
}

export function checkUint(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ProtocolError('INVALID_ARGUMENT', `${field} ${value} is not an integer in 0..${max}`);
  }
  return value;
}
