import { truncateUtf8, decodeUtf8Lenient, encodeUtf8 } from '../utf8.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

/** Messages longer than this are cut (at a character boundary) so an ERROR reply is one frame. */
export const MAX_ERROR_MESSAGE = 1024;

/** ERROR reply payload: u8 code, UTF-8 message (rest). */
export interface ErrorPayload {
  code: number;
  message: string;
}

export function encodeErrorPayload(error: ErrorPayload): Uint8Array {
  const message = truncateUtf8(encodeUtf8(error.message), MAX_ERROR_MESSAGE);
  return new PayloadWriter(1 + message.length).u8(error.code, 'error code').raw(message).done();
}

/** The message is decoded leniently: a garbled message must not hide the code. */
export function decodeErrorPayload(payload: Uint8Array): ErrorPayload {
  const r = new PayloadReader(payload, 'ERROR reply');
  const code = r.u8();
  return { code, message: decodeUtf8Lenient(r.restBytes()) };
}
