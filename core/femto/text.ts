/**
 * The model reads and writes bytes 0..127 as characters one to one; anything outside ASCII in
 * a prompt becomes '?' so one character is always one token.
 */
export function encodeText(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 128 ? c : 63;
  }
  return out;
}

export function decodeText(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}
