import { MAX_CONTENT, MIN_CONTENT, PROTOCOL_VERSION } from '../constants.js';
import { ProtocolError } from '../ProtocolError.js';
import { encodeUtf8 } from '../utf8.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter, checkUint } from './PayloadWriter.js';

export const MIN_WINDOW = 1;
export const MAX_WINDOW = 64;
export const DEFAULT_WINDOW = 8;

/** A cube vertex this side hosts, and the channel of the agent that answers it. */
export interface HostedVertex {
  cube: number;
  vertex: number;
  channel: number;
}

/** HELLO request and reply (same layout). */
export interface Hello {
  version: number;
  /** Largest frame content this side accepts (11..4096). */
  maxContent: number;
  /** Outstanding requests this side accepts (1..64). */
  window: number;
  name: string;
  /** Empty when the side presents no token. */
  token: Uint8Array;
  vertices: HostedVertex[];
  /**
   * Picked anew each time a side starts (u32, 0 = none). A peer whose boot id changes has
   * restarted, so its old sequence numbers mean nothing and the duplicate cache may be cleared.
   * Sent after the vertex list only when non-zero, so version-1 peers that stop there still parse.
   */
  bootId: number;
}

/** A HELLO with defaults for everything not given. */
export function makeHello(fields: Partial<Hello> = {}): Hello {
  return {
    version: fields.version ?? PROTOCOL_VERSION,
    maxContent: fields.maxContent ?? MAX_CONTENT,
    window: fields.window ?? DEFAULT_WINDOW,
    name: fields.name ?? '',
    token: fields.token ?? new Uint8Array(0),
    vertices: fields.vertices ?? [],
    bootId: fields.bootId ?? 0,
  };
}

export function encodeHello(hello: Hello): Uint8Array {
  const name = encodeUtf8(hello.name);
  if (name.length > 255) throw new ProtocolError('INVALID_ARGUMENT', `HELLO name is ${name.length} bytes (max 255)`);
  if (hello.token.length > 255) throw new ProtocolError('INVALID_ARGUMENT', `HELLO token is ${hello.token.length} bytes (max 255)`);
  if (hello.vertices.length > 255) throw new ProtocolError('INVALID_ARGUMENT', `HELLO lists ${hello.vertices.length} vertices (max 255)`);
  checkRange(hello.maxContent, MIN_CONTENT + 1, MAX_CONTENT, 'maxContent', 'INVALID_ARGUMENT');
  checkRange(hello.window, MIN_WINDOW, MAX_WINDOW, 'window', 'INVALID_ARGUMENT');
  checkUint(hello.bootId, 0xffff_ffff, 'bootId');
  const bootIdBytes = hello.bootId === 0 ? 0 : 4;
  const w = new PayloadWriter(1 + 2 + 1 + 1 + name.length + 1 + hello.token.length + 1 + 4 * hello.vertices.length + bootIdBytes);
  w.u8(hello.version, 'version').u16(hello.maxContent, 'maxContent').u8(hello.window, 'window');
  w.u8(name.length, 'name length').raw(name);
  w.u8(hello.token.length, 'token length').raw(hello.token);
  w.u8(hello.vertices.length, 'vertex count');
  for (const v of hello.vertices) {
    w.u16(v.cube, 'cube').u8(v.vertex, 'vertex').u8(v.channel, 'channel');
  }
  if (bootIdBytes) w.u32(hello.bootId, 'bootId');
  return w.done();
}

/** Trailing bytes are ignored: later versions may append fields. */
export function decodeHello(payload: Uint8Array): Hello {
  const r = new PayloadReader(payload, 'HELLO');
  const version = r.u8();
  const maxContent = r.u16();
  const window = r.u8();
  checkRange(maxContent, MIN_CONTENT + 1, MAX_CONTENT, 'maxContent', 'BAD_PAYLOAD');
  checkRange(window, MIN_WINDOW, MAX_WINDOW, 'window', 'BAD_PAYLOAD');
  const name = r.shortText();
  const token = r.bytesOf(r.u8());
  const count = r.u8();
  const vertices: HostedVertex[] = [];
  for (let i = 0; i < count; i++) {
    vertices.push({ cube: r.u16(), vertex: r.u8(), channel: r.u8() });
  }
  const bootId = r.remaining >= 4 ? r.u32() : 0;
  return { version, maxContent, window, name, token, vertices, bootId };
}

function checkRange(value: number, min: number, max: number, field: string, code: 'BAD_PAYLOAD' | 'INVALID_ARGUMENT'): void {
  checkUint(value, 0xffff, field);
  if (value < min || value > max) throw new ProtocolError(code, `HELLO ${field} ${value} outside ${min}..${max}`);
}

/** The boot id of a HELLO payload (0 when it carries none). */
export function helloBootId(payload: Uint8Array): number {
  return decodeHello(payload).bootId;
}

/** A HELLO payload re-encoded with `bootId` after its vertex list. */
export function withHelloBootId(payload: Uint8Array, bootId: number): Uint8Array {
  return encodeHello({ ...decodeHello(payload), bootId });
}
