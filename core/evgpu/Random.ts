/**
 * Seeded PRNG (SplitMix32 step into Mulberry32): reproducible initialisation, sampling and test
 * data on every host. Not for cryptography.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }
}

/** 32-bit FNV-1a over numbers and strings, for deriving seeds from coordinates and prompts. */
export function hashSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (const p of parts) {
    if (typeof p === 'number') {
      const bits = new DataView(new ArrayBuffer(8));
      bits.setFloat64(0, p);
      for (let i = 0; i < 8; i++) mix(bits.getUint8(i));
    } else {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        mix(c);
        mix(c >>> 8);
      }
    }
    mix(0x1f);
  }
  return h >>> 0;
}
