// TextEncoder/TextDecoder exist in every runtime we target (browsers, Node, workers) but are
// not part of lib ES2022, so this layer declares just what it uses.
interface Utf8Encoder {
  encode(text: string): Uint8Array;
}
interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}
interface TextCodecGlobals {
  TextEncoder: new () => Utf8Encoder;
  TextDecoder: new (label: string, options: { fatal: boolean }) => Utf8Decoder;
}

const globals = globalThis as unknown as TextCodecGlobals;
const encoder = new globals.TextEncoder();
const strictDecoder = new globals.TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new globals.TextDecoder('utf-8', { fatal: false });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Throws a TypeError on invalid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** Replaces invalid sequences with U+FFFD; for human-readable messages. */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** The longest prefix of `bytes` of at most `max` bytes that does not split a character. */
export function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
