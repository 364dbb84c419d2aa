/** Hayes result codes: the verbose text (V1) and the number (V0) sent to the DTE. */
export const ResultCode = {
  OK: 0,
  CONNECT: 1,
  RING: 2,
  NO_CARRIER: 3,
  ERROR: 4,
  BUSY: 7,
  NO_ANSWER: 8,
} as const;
export type ResultCodeName = keyof typeof ResultCode;

const VERBOSE: Record<ResultCodeName, string> = {
  OK: 'OK',
  CONNECT: 'CONNECT',
  RING: 'RING',
  NO_CARRIER: 'NO CARRIER',
  ERROR: 'ERROR',
  BUSY: 'BUSY',
  NO_ANSWER: 'NO ANSWER',
};

/**
 * The text of a result code. CONNECT carries the line speed in verbose form (`CONNECT 56000`);
 * in numeric form it is always 1, as with X0 on a Hayes modem, because speed numbers differ by vendor.
 */
export function formatResult(code: ResultCodeName, verbose: boolean, cr: string, lf: string, speed?: number): string {
  if (!verbose) return `${ResultCode[code]}${cr}`;
  const text = code === 'CONNECT' && speed !== undefined ? `CONNECT ${speed}` : VERBOSE[code];
  return `${cr}${lf}${text}${cr}${lf}`;
}
