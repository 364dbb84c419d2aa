/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0; check 0x29B1).
 * Same result as the `crc` package's crc16ccitt; a local table lets the codec run over
 * a range of a buffer without creating views.
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    table[i] = crc & 0xffff;
  }
  return table;
}

export const CRC16_INIT = 0xffff;

/** CRC of `bytes[start..end)`, continuing from `crc` (default: a fresh CRC). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length, crc = CRC16_INIT): number {
  const table = TABLE;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) ^ table[((crc >>> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  }
  return crc;
}
