/**
 * The few pcapng blocks a frame capture needs (little-endian sections):
 * Section Header, Interface Description (one per line) and Enhanced Packet blocks.
 * Link type USER0 (147): each packet is one frame's unescaped content
 * (header, payload, CRC); docs/wireshark/konomi56k.lua dissects it.
 */
import { CodedError } from '../../protocol/errors/CodedError.js';
export const LINKTYPE_USER0 = 147;
const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_EPB_FLAGS = 2;
/** Largest packet a reader accepts: a frame's content is at most 4096 bytes. */
export const MAX_CAPTURED_PACKET = 65536;

export type Direction = 'in' | 'out';

export interface CapturedPacket {
  interfaceId: number;
  /** Microseconds since the epoch. */
  timestampUs: bigint;
  direction: Direction | undefined;
  data: Uint8Array;
}

export interface CapturedInterface {
  name: string;
  linkType: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + body.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  out.set(body, 8);
  view.setUint32(total - 4, total, true);
  return out;
}

function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sectionHeaderBlock(): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint32(0, BYTE_ORDER_MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  view.setBigInt64(8, -1n, true);
  return block(SHB, body);
}

export function interfaceBlock(name: string): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint16(0, LINKTYPE_USER0, true);
  view.setUint32(4, 0, true);
  const opts = concat([option(OPT_IF_NAME, new TextEncoder().encode(name)), option(OPT_IF_TSRESOL, new Uint8Array([6])), new Uint8Array(4)]);
  return block(IDB, concat([head, opts]));
}

export function enhancedPacketBlock(p: CapturedPacket): Uint8Array {
  const head = new Uint8Array(20);
  const view = new DataView(head.buffer);
  view.setUint32(0, p.interfaceId, true);
  view.setUint32(4, Number(p.timestampUs >> 32n), true);
  view.setUint32(8, Number(p.timestampUs & 0xffffffffn), true);
  view.setUint32(12, p.data.length, true);
  view.setUint32(16, p.data.length, true);
  const data = new Uint8Array(pad4(p.data.length));
  data.set(p.data);
  const parts: Uint8Array[] = [head, data];
  if (p.direction) {
    const flags = new Uint8Array(4);
    new DataView(flags.buffer).setUint32(0, p.direction === 'in' ? 1 : 2, true);
    parts.push(option(OPT_EPB_FLAGS, flags), new Uint8Array(4));
  }
  return block(EPB, concat(parts));
}

/** A typed error for a file that is not the pcapng this module writes. */
export class PcapngError extends CodedError<'BAD_CAPTURE'> {
  override readonly name = 'PcapngError';

  constructor(message: string) {
    super('BAD_CAPTURE', message);
  }
}

/**
 * Reads back a little-endian pcapng file: interfaces and packets in file order. Block lengths
 * are checked against the file size before anything is sliced.
 */
export function readPcapng(bytes: Uint8Array): { interfaces: CapturedInterface[]; packets: CapturedPacket[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const interfaces: CapturedInterface[] = [];
  const packets: CapturedPacket[] = [];
  let at = 0;
  if (bytes.length < 28 || view.getUint32(0, true) !== SHB || view.getUint32(8, true) !== BYTE_ORDER_MAGIC) {
    throw new PcapngError('not a little-endian pcapng file');
  }
  while (at + 12 <= bytes.length) {
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) throw new PcapngError(`bad block length ${length} at offset ${at}`);
    if (type === IDB) {
      const linkType = view.getUint16(at + 8, true);
      interfaces.push({ name: readIfName(bytes, view, at + 16, at + length - 4) ?? `if${interfaces.length}`, linkType });
    } else if (type === EPB) {
      const captured = view.getUint32(at + 20, true);
      if (captured > MAX_CAPTURED_PACKET || 28 + captured > length - 4) throw new PcapngError(`bad packet length ${captured} at offset ${at}`);
      const timestampUs = (BigInt(view.getUint32(at + 12, true)) << 32n) | BigInt(view.getUint32(at + 16, true));
      const direction = readDirection(view, at + 28 + pad4(captured), at + length - 4);
      packets.push({ interfaceId: view.getUint32(at + 8, true), timestampUs, direction, data: new Uint8Array(bytes.subarray(at + 28, at + 28 + captured)) });
    }
    at += length;
  }
  return { interfaces, packets };
}

function readIfName(bytes: Uint8Array, view: DataView, from: number, to: number): string | undefined {
  for (let at = from; at + 4 <= to; ) {
    const code = view.getUint16(at, true);
    const len = view.getUint16(at + 2, true);
    if (code === OPT_END) return undefined;
    if (at + 4 + len > to) return undefined;
    if (code === OPT_IF_NAME) return new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + pad4(len);
  }
  return undefined;
}

function readDirection(view: DataView, from: number, to: number): Direction | undefined {
  for (let at = from; at + 4 <= to; ) {
    const code = view.getUint16(at, true);
    const len = view.getUint16(at + 2, true);
    if (code === OPT_END || at + 4 + len > to) return undefined;
    if (code === OPT_EPB_FLAGS && len === 4) {
      const bits = view.getUint32(at + 4, true) & 3;
      return bits === 1 ? 'in' : bits === 2 ? 'out' : undefined;
    }
    at += 4 + pad4(len);
  }
  return undefined;
}
