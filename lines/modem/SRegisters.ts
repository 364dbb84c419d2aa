/** S-register numbers the modem gives meaning to. */
export const SReg = {
  /** Rings before auto-answer; 0 disables auto-answer. */
  AUTO_ANSWER_RINGS: 0,
  /** Rings counted on the current incoming call. */
  RING_COUNT: 1,
  /** The escape character (default '+'); a value above 127 disables the escape sequence. */
  ESCAPE_CHAR: 2,
  CR: 3,
  LF: 4,
  BACKSPACE: 5,
  /** Seconds to wait for carrier after dialling before NO ANSWER. */
  CARRIER_WAIT: 7,
  /** Escape guard time in fiftieths of a second. */
  GUARD_TIME: 12,
} as const;

/** Registers S0..S37 exist; others are an ERROR, as on most Hayes clones. */
export const SREGISTER_COUNT = 38;

export function defaultSRegisters(): Uint8Array {
  const regs = new Uint8Array(SREGISTER_COUNT);
  regs[SReg.AUTO_ANSWER_RINGS] = 0;
  regs[SReg.ESCAPE_CHAR] = 43;
  regs[SReg.CR] = 13;
  regs[SReg.LF] = 10;
  regs[SReg.BACKSPACE] = 8;
  regs[6] = 2;
  regs[SReg.CARRIER_WAIT] = 50;
  regs[8] = 2;
  regs[10] = 14;
  regs[SReg.GUARD_TIME] = 50;
  return regs;
}
