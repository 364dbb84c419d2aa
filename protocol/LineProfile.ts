/**
 * How fast a line carries bytes. Rates are in bit/s on the async serial link, 10 bits per byte
 * (start, 8 data, stop). "Downstream" is toward the dialling side.
 */
export interface LineProfile {
  readonly name: string;
  /** Toward the dialling side; Infinity = unpaced. */
  readonly downstreamBitsPerSecond: number;
  /** Toward the answering side; Infinity = unpaced. */
  readonly upstreamBitsPerSecond: number;
  readonly bitsPerByte: number;
  /** One-way delay added to every byte. */
  readonly latencyMs: number;
}

/** Which way the writes of a PacedLine travel. */
export type LineDirection = 'downstream' | 'upstream';

export type LineProfileName = 'v90' | 'v34' | 'unlimited';

export const LINE_PROFILES: Readonly<Record<LineProfileName, LineProfile>> = {
  v90: { name: 'v90', downstreamBitsPerSecond: 56_000, upstreamBitsPerSecond: 33_600, bitsPerByte: 10, latencyMs: 0 },
  v34: { name: 'v34', downstreamBitsPerSecond: 33_600, upstreamBitsPerSecond: 33_600, bitsPerByte: 10, latencyMs: 0 },
  unlimited: {
    name: 'unlimited',
    downstreamBitsPerSecond: Number.POSITIVE_INFINITY,
    upstreamBitsPerSecond: Number.POSITIVE_INFINITY,
    bitsPerByte: 10,
    latencyMs: 0,
  },
};

export function isLineProfileName(name: string): name is LineProfileName {
  return Object.hasOwn(LINE_PROFILES, name);
}

/** A named profile, optionally with latency. Throws RangeError for an unknown name. */
export function lineProfile(name: string, options: { latencyMs?: number } = {}): LineProfile {
  if (!isLineProfileName(name)) {
    throw new RangeError(`unknown line profile "${name}" (expected ${Object.keys(LINE_PROFILES).join(', ')})`);
  }
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) throw new RangeError(`latency ${latencyMs} must be ≥ 0`);
  return { ...LINE_PROFILES[name], latencyMs };
}

/** Payload bytes per second the profile carries in one direction (Infinity when unpaced). */
export function bytesPerSecond(profile: LineProfile, direction: LineDirection): number {
  const bits = direction === 'downstream' ? profile.downstreamBitsPerSecond : profile.upstreamBitsPerSecond;
  return bits / profile.bitsPerByte;
}
