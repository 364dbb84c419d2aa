/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (α = 1/8, β = 1/4),
 * RTO = SRTT + max(G, 4·RTTVAR), clamped to [min, max]. Callers apply Karn's rule (no samples
 * from retransmitted requests). Back-off is exponential per request, and an expiry also backs
 * off the timeout of requests sent afterwards until the next valid sample (RFC 6298 5.5/5.7),
 * so a too-small initial RTO does not make every request time out once.
 */
export class RtoEstimator {
  private srttMs: number | undefined;
  private rttvarMs = 0;
  private rtoMs: number;
  /** Doublings applied to every request until the next sample. */
  private level = 0;

  constructor(
    readonly initialMs: number,
    readonly minMs: number,
    readonly maxMs: number,
    /** Clock granularity G. */
    readonly granularityMs = 1,
  ) {
    if (!(minMs > 0 && minMs <= maxMs)) throw new RangeError(`RTO bounds ${minMs}..${maxMs} are invalid`);
    this.rtoMs = this.clamp(initialMs);
  }

  get rto(): number {
    return this.rtoMs;
  }

  get srtt(): number | undefined {
    return this.srttMs;
  }

  get rttvar(): number {
    return this.rttvarMs;
  }

  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (this.srttMs === undefined) {
      this.srttMs = r;
      this.rttvarMs = r / 2;
    } else {
      this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - r);
      this.srttMs = 0.875 * this.srttMs + 0.125 * r;
    }
    this.rtoMs = this.clamp(this.srttMs + Math.max(this.granularityMs, 4 * this.rttvarMs));
    this.level = 0;
  }

  /** A request sent `attempts` extra times timed out. */
  expired(attempts: number): void {
    this.level = Math.min(30, Math.max(this.level, attempts + 1));
  }

  /** Timeout for a request already sent `attempts` extra times: doubles each time, up to max. */
  backedOff(attempts: number): number {
    return Math.min(this.maxMs, this.rtoMs * 2 ** Math.min(Math.max(attempts, this.level), 30));
  }

  private clamp(ms: number): number {
    return Math.min(this.maxMs, Math.max(this.minMs, ms));
  }
}
