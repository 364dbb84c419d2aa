/** Opcodes of protocol version 1 (docs/PROTOCOL.md). Values not listed are reserved. */
export const Opcode = {
  HELLO: 0x01,
  PING: 0x02,
  TENSOR_OP: 0x10,
  LLM_QUERY: 0x11,
  BLOCK_GET: 0x12,
  BLOCK_SET: 0x13,
  CUBE_MSG: 0x14,
  /** The program store: SAVE, LOAD, LIST, DELETE (payloads/program.ts). */
  PROGRAM: 0x15,
  LLM_TEACH: 0x16,
  /** The bridge asks a guest which BASIC agents run (payloads/agents.ts). */
  AGENTS: 0x17,
  NAK: 0x7f,
} as const;
export type OpcodeName = keyof typeof Opcode;
export type OpcodeValue = (typeof Opcode)[OpcodeName];

/** Low nibble of the first content byte. */
export const Flag = {
  REPLY: 1,
  ERROR: 2,
  MORE: 4,
  NOREPLY: 8,
} as const;

/** Numeric error codes carried as the first byte of an ERROR reply's payload. */
export const ErrorCode = {
  BAD_PAYLOAD: 0x01,
  OUT_OF_RANGE: 0x02,
  TOO_LARGE: 0x03,
  UNSUPPORTED: 0x04,
  BUSY: 0x05,
  NOT_FOUND: 0x06,
  INTERNAL: 0x07,
  UNAUTHORIZED: 0x08,
  UNAVAILABLE: 0x09,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

export const PROTOCOL_VERSION = 1;
/** version/flags, opcode, seq (2), channel, fragment, length (2). */
export const HEADER_SIZE = 8;
export const CRC_SIZE = 2;
/** Largest unescaped content (header + payload + CRC). */
export const MAX_CONTENT = 4096;
export const MAX_PAYLOAD = MAX_CONTENT - HEADER_SIZE - CRC_SIZE;
export const MAX_FRAGMENTS = 256;
export const MAX_MESSAGE = MAX_FRAGMENTS * MAX_PAYLOAD;
/** Smallest valid content: a header and a CRC around an empty payload. */
export const MIN_CONTENT = HEADER_SIZE + CRC_SIZE;

export const FLAG_BYTE = 0x7e;
export const ESCAPE_BYTE = 0x7d;
/** An escaped byte is sent as ESCAPE_BYTE followed by the byte XOR this mask. */
export const ESCAPE_XOR = 0x20;

const opcodeNames = new Map<number, OpcodeName>(
  (Object.keys(Opcode) as OpcodeName[]).map((name) => [Opcode[name], name]),
);

export function opcodeName(opcode: number): OpcodeName | undefined {
  return opcodeNames.get(opcode);
}

export function isKnownOpcode(opcode: number): boolean {
  return opcodeNames.has(opcode);
}
