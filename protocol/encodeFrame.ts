import {
  CRC_SIZE,
  ESCAPE_BYTE,
  ESCAPE_XOR,
  FLAG_BYTE,
  HEADER_SIZE,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
} from './constants.js';
import { crc16 } from './crc16.js';
import type { Frame } from './Frame.js';
import { ProtocolError } from './ProtocolError.js';

export { crc16 } from './crc16.js';

// Content is built in `scratch`, escaped into `escaped` (worst case: every byte escaped), and
// the used part is copied out once. Module-level buffers are safe: encoding is synchronous.
const scratch = new Uint8Array(HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE);
const escaped = new Uint8Array(2 * scratch.length + 2);

/** Unescaped content of a frame (header, payload, CRC) as a fresh array. */
export function encodeContent(frame: Frame): Uint8Array {
  const crc = writeHeader(frame);
  const n = frame.payload.length;
  scratch.set(frame.payload, HEADER_SIZE);
  scratch[HEADER_SIZE + n] = crc >>> 8;
  scratch[HEADER_SIZE + n + 1] = crc & 0xff;
  return scratch.slice(0, HEADER_SIZE + n + CRC_SIZE);
}

/**
 * The frame on the wire: flag, escaped content, flag. Throws ProtocolError on bad fields.
 * The payload is escaped straight from the caller's buffer (a 1 MB reply is 257 frames: one
 * copy fewer per byte is worth the second loop).
 */
export function encodeFrame(frame: Frame): Uint8Array {
  const crc = writeHeader(frame);
  const out = escaped;
  out[0] = FLAG_BYTE;
  let o = escapeInto(scratch, HEADER_SIZE, 1);
  o = escapeInto(frame.payload, frame.payload.length, o);
  scratch[0] = crc >>> 8;
  scratch[1] = crc & 0xff;
  o = escapeInto(scratch, CRC_SIZE, o);
  out[o] = FLAG_BYTE;
  return out.slice(0, o + 1);
}

function escapeInto(bytes: Uint8Array, length: number, o: number): number {
  const out = escaped;
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    if (b === FLAG_BYTE || b === ESCAPE_BYTE) {
      out[o++] = ESCAPE_BYTE;
      out[o++] = b ^ ESCAPE_XOR;
    } else {
      out[o++] = b;
    }
  }
  return o;
}

/** Writes the header into `scratch` and returns the CRC of header and payload. */
function writeHeader(frame: Frame): number {
  checkFields(frame);
  const n = frame.payload.length;
  scratch[0] = (PROTOCOL_VERSION << 4) | frame.flags;
  scratch[1] = frame.opcode;
  scratch[2] = frame.seq >>> 8;
  scratch[3] = frame.seq & 0xff;
  scratch[4] = frame.channel;
  scratch[5] = frame.fragment;
  scratch[6] = n >>> 8;
  scratch[7] = n & 0xff;
  return crc16(frame.payload, 0, n, crc16(scratch, 0, HEADER_SIZE));
}

function checkFields(frame: Frame): void {
  if (frame.payload.length > MAX_PAYLOAD) {
    throw new ProtocolError('TOO_LARGE', `payload of ${frame.payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  }
  checkInt('flags', frame.flags, 0x0f);
  checkInt('opcode', frame.opcode, 0xff);
  checkInt('seq', frame.seq, 0xffff);
  checkInt('channel', frame.channel, 0xff);
  checkInt('fragment', frame.fragment, 0xff);
}

function checkInt(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ProtocolError('INVALID_ARGUMENT', `${field} ${value} is not an integer in 0..${max}`);
  }
}
