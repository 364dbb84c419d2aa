/** Telnet command bytes (RFC 854) and the option numbers this project negotiates. */
export const Telnet = {
  SE: 240,
  NOP: 241,
  DM: 242,
  BRK: 243,
  IP: 244,
  AO: 245,
  AYT: 246,
  EC: 247,
  EL: 248,
  GA: 249,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/** The verbs of option negotiation. */
export type NegotiationVerb = typeof Telnet.WILL | typeof Telnet.WONT | typeof Telnet.DO | typeof Telnet.DONT;

/** Options by number: BINARY (RFC 856), ECHO (RFC 857), SUPPRESS-GO-AHEAD (RFC 858). */
export const TelnetOption = {
  BINARY: 0,
  ECHO: 1,
  SGA: 3,
} as const;

const OPTION_NAMES: Readonly<Record<number, string>> = { 0: 'BINARY', 1: 'ECHO', 3: 'SGA', 24: 'TTYPE', 31: 'NAWS', 32: 'TSPEED', 33: 'LFLOW', 34: 'LINEMODE', 35: 'XDISPLOC', 36: 'ENVIRON', 39: 'NEW-ENVIRON' };

/** A readable name for logs and tests: `ECHO`, `SGA`, or `option 42`. */
export function telnetOptionName(option: number): string {
  return OPTION_NAMES[option] ?? `option ${option}`;
}

export function isNegotiationVerb(byte: number): byte is NegotiationVerb {
  return byte >= Telnet.WILL && byte <= Telnet.DONT;
}
