/**
 * One frame's header fields and payload (version 1 is implied).
 * `flags` is the low nibble (see `Flag`); `seq` is 0..65535; `channel`, `fragment` and
 * `opcode` are 0..255; the payload is at most MAX_PAYLOAD bytes.
 */
export interface Frame {
  flags: number;
  opcode: number;
  seq: number;
  channel: number;
  fragment: number;
  payload: Uint8Array;
}
