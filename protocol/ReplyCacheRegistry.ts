import { realClock, type Clock } from './Clock.js';
import { ReplyCache } from './ReplyCache.js';

export interface ReplyCacheRegistryOptions {
  /** Caches kept after their last line closed (default 64); past it the oldest parked one is forgotten. */
  maxParked?: number;
  /** How long a parked cache waits for its peer to come back (default 120,000 ms). */
  expiryMs?: number;
  /** Reply bytes all parked caches may hold together (default 32 MiB); past it the oldest parked are forgotten. */
  maxParkedBytes?: number;
  /** Size of each cache created here. */
  cacheEntries?: number;
  cacheBytes?: number;
  clock?: Clock;
}

interface Holder {
  readonly cache: ReplyCache;
  /** Sessions using it now; 0 = parked. */
  users: number;
  parkedAt: number;
}

/**
 * The duplicate caches of the peers one side serves, by the boot id in their HELLO, so that
 * duplicate suppression outlives a connection: a client that reconnects after a dropped line
 * (same boot id) and retransmits gets the cached reply instead of running its request twice,
 * as an MQTT broker keeps a persistent session. Sessions with the same peer boot id share one
 * cache, also while the old line is not yet seen to be closed; when the last of them closes
 * the cache is parked, and forgotten after `expiryMs` or when more than `maxParked` caches or
 * `maxParkedBytes` of replies are parked (oldest parked first). A new boot id is a new peer.
 */
export class ReplyCacheRegistry {
  readonly maxParked: number;
  readonly expiryMs: number;
  readonly maxParkedBytes: number;
  private readonly cacheEntries: number;
  private readonly cacheBytes: number;
  private readonly clock: Clock;
  private readonly holders = new Map<number, Holder>();
  /** Parked holders, oldest parked first; one may have been claimed again since (users > 0 or a newer parkedAt). */
  private readonly parked: Array<{ bootId: number; holder: Holder; parkedAt: number }> = [];
  private parkedHead = 0;

  constructor(options: ReplyCacheRegistryOptions = {}) {
    this.maxParked = options.maxParked ?? 64;
    this.expiryMs = options.expiryMs ?? 120_000;
    this.maxParkedBytes = options.maxParkedBytes ?? 32 * 1024 * 1024;
    this.cacheEntries = options.cacheEntries ?? 16_384;
    this.cacheBytes = options.cacheBytes ?? 4 * 1024 * 1024;
    this.clock = options.clock ?? realClock;
  }

  /** A cache sized like the ones this registry hands out, for a session before its peer's HELLO. */
  newCache(): ReplyCache {
    return new ReplyCache(this.cacheEntries, this.cacheBytes);
  }

  /**
   * The cache of peer `bootId` for one more session: the shared or parked one when the peer is
   * known (what `current` learnt before the HELLO is added to it), else `current` itself.
   */
  claim(bootId: number, current: ReplyCache): ReplyCache {
    this.expire();
    const holder = this.holders.get(bootId);
    if (holder === undefined) {
      this.holders.set(bootId, { cache: current, users: 1, parkedAt: 0 });
      return current;
    }
    holder.users++;
    if (holder.cache !== current) holder.cache.absorb(current);
    return holder.cache;
  }

  /** A session of peer `bootId` is done with its cache (its line closed or its peer restarted). */
  release(bootId: number, cache: ReplyCache): void {
    const holder = this.holders.get(bootId);
    if (holder === undefined || holder.cache !== cache || holder.users === 0) return;
    holder.users--;
    if (holder.users > 0) return;
    holder.parkedAt = this.clock.now();
    this.parked.push({ bootId, holder, parkedAt: holder.parkedAt });
    this.expire();
  }

  /** Parked caches now (for tests and metrics). */
  get parkedCount(): number {
    let n = 0;
    for (const holder of this.holders.values()) if (holder.users === 0) n++;
    return n;
  }

  /** Peers known (with open lines or parked). */
  get size(): number {
    return this.holders.size;
  }

  /** Forgets parked caches past their expiry, the count bound or the byte bound, oldest first. */
  private expire(): void {
    const now = this.clock.now();
    let parkedCount = 0;
    let parkedBytes = 0;
    for (let i = this.parkedHead; i < this.parked.length; i++) {
      const p = this.parked[i]!;
      if (isCurrent(p, this.holders.get(p.bootId))) {
        parkedCount++;
        parkedBytes += p.holder.cache.replyBytes;
      }
    }
    while (this.parkedHead < this.parked.length) {
      const p = this.parked[this.parkedHead]!;
      const current = isCurrent(p, this.holders.get(p.bootId));
      if (current && now - p.parkedAt < this.expiryMs && parkedCount <= this.maxParked && parkedBytes <= this.maxParkedBytes) break;
      this.parkedHead++;
      if (!current) continue;
      this.holders.delete(p.bootId);
      parkedCount--;
      parkedBytes -= p.holder.cache.replyBytes;
    }
    // Records of caches claimed again stay behind a parked one; drop them so the list stays O(maxParked).
    if (this.parked.length - this.parkedHead > 4 * this.maxParked + 64 || this.parkedHead > 1024) {
      const kept = this.parked.slice(this.parkedHead).filter((p) => isCurrent(p, this.holders.get(p.bootId)));
      this.parked.length = 0;
      this.parked.push(...kept);
      this.parkedHead = 0;
    }
  }
}

/** Whether a parked record still describes the peer's holder (not claimed again or re-parked since). */
function isCurrent(p: { holder: Holder; parkedAt: number }, holder: Holder | undefined): boolean {
  return holder === p.holder && holder.users === 0 && holder.parkedAt === p.parkedAt;
}
