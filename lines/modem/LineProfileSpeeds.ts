/** Line rates of a call in bit/s, as the answering side's profile defines them. */
export interface CallSpeeds {
  /** Toward the dialling side (what the caller's CONNECT reports). */
  readonly down: number;
  /** Toward the answering side. */
  readonly up: number;
}

/** V.90: 56,000 bit/s toward the dialling side, 33,600 back. */
export const V90_SPEEDS: CallSpeeds = { down: 56000, up: 33600 };
export const V34_SPEEDS: CallSpeeds = { down: 33600, up: 33600 };
/** No pacing at all; CONNECT reports 115200 for old software that parses the number. */
export const UNLIMITED_SPEEDS: CallSpeeds = { down: Number.POSITIVE_INFINITY, up: Number.POSITIVE_INFINITY };

export function speedsForProfile(name: string): CallSpeeds | undefined {
  switch (name) {
    case 'v90':
      return V90_SPEEDS;
    case 'v34':
      return V34_SPEEDS;
    case 'unlimited':
      return UNLIMITED_SPEEDS;
    default:
      return undefined;
  }
}

/** The number a CONNECT result shows for a rate. */
export function connectSpeed(bitsPerSecond: number): number {
  return Number.isFinite(bitsPerSecond) ? bitsPerSecond : 115200;
}

/** The call speeds of a protocol LineProfile (protocol/LineProfile.ts), structurally typed. */
export function callSpeedsOf(profile: { readonly downstreamBitsPerSecond: number; readonly upstreamBitsPerSecond: number }): CallSpeeds {
  return { down: profile.downstreamBitsPerSecond, up: profile.upstreamBitsPerSecond };
}
