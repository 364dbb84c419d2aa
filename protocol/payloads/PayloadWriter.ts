import { ProtocolError } from '../ProtocolError.js';

/** Whether this host stores numbers little-endian (then f32 elements are byte-swapped on the wire). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Big-endian writer into an exactly sized buffer (callers compute the size first). */
export class PayloadWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number, field: string): this {
    this.view.setUint8(this.take(1), checkUint(value, 0xff, field));
    return this;
  }

  u16(value: number, field: string): this {
    this.view.setUint16(this.take(2), checkUint(value, 0xffff, field));
    return this;
  }

  u32(value: number, field: string): this {
    this.view.setUint32(this.take(4), checkUint(value, 0xffff_ffff, field));
    return this;
  }

  u64(value: bigint, field: string): this {
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field} ${value} is not a u64`);
    }
    this.view.setBigUint64(this.take(8), value);
    return this;
  }

  f32(value: number): this {
    this.view.setFloat32(this.take(4), value);
    return this;
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
    this.view.setFloat64(this.take(8), value);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.take(bytes.length));
    return this;
  }

  done(): Uint8Array {
    if (this.offset !== this.bytes.length) throw new Error(`payload size miscomputed: ${this.offset} of ${this.bytes.length}`);
    return this.bytes;
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
