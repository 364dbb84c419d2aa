import { Telnet } from './TelnetCodes.js';

const CR = 13;
const LF = 10;

/**
 * Data bytes as they go on a telnet connection: IAC doubled (RFC 854), and outside BINARY
 * mode a bare CR followed by NUL, as the NVT requires (a CR that ends a chunk counts as bare:
 * the receiver drops the NUL of `CR NUL LF`). Returns the input itself when nothing changes.
 */
export function encodeTelnetData(data: Uint8Array, binary: boolean): Uint8Array {
  let extra = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === Telnet.IAC || (!binary && b === CR && data[i + 1] !== LF)) extra++;
  }
  if (extra === 0) return data;
  const out = new Uint8Array(data.length + extra);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    out[o++] = b;
    if (b === Telnet.IAC) out[o++] = Telnet.IAC;
    else if (!binary && b === CR && data[i + 1] !== LF) out[o++] = 0;
  }
  return out;
}
