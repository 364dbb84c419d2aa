/**
 * A whole request or reply before fragmentation / after reassembly. `flags` never has MORE;
 * the payload may be up to MAX_MESSAGE bytes.
 */
export interface Message {
  flags: number;
  opcode: number;
  seq: number;
  channel: number;
  payload: Uint8Array;
}
