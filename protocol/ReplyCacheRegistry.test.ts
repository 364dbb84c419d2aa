import { describe, expect, it } from 'vitest';
import { fingerprintOf } from './ReplyCache.js';
import { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
import { realClock, type Clock } from './Clock.js';

/** Only `now` matters to the registry. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let time = 0;
  return { ...realClock, now: () => time, advance: (ms: number) => void (time += ms) };
}

const answered = (registry: ReplyCacheRegistry, bootId: number, seq = 1) => {
  const cache = registry.claim(bootId, registry.newCache());
  cache.put(0, seq, 2, ...fingerprintOf(new Uint8Array([seq])), [new Uint8Array(100)]);
  return cache;
};
const knows = (registry: ReplyCacheRegistry, bootId: number, seq = 1) =>
  registry.claim(bootId, registry.newCache()).lookup(0, seq, 2, ...fingerprintOf(new Uint8Array([seq])))?.kind === 'reply';

describe('ReplyCacheRegistry', () => {
  it('shares one cache between the live sessions of a boot id and hands it back after they closed', () => {
    const clock = fakeClock();
    const registry = new ReplyCacheRegistry({ clock });
    const first = answered(registry, 7);
    const mine = registry.newCache();
    mine.put(0, 9, 2, ...fingerprintOf(new Uint8Array([9])), []);
    const second = registry.claim(7, mine);
    expect(second).toBe(first);
    expect(second.lookup(0, 9, 2, ...fingerprintOf(new Uint8Array([9])))?.kind).toBe('reply'); // learnt before the HELLO, kept
    registry.release(7, first);
    expect(registry.parkedCount).toBe(0);
    registry.release(7, second);
    expect(registry.parkedCount).toBe(1);
    clock.advance(119_000);
    expect(knows(registry, 7)).toBe(true);
  });

  it('forgets a parked cache after expiryMs, and a different boot id never sees it', () => {
    const clock = fakeClock();
    const registry = new ReplyCacheRegistry({ clock, expiryMs: 1000 });
    registry.release(7, answered(registry, 7));
    expect(knows(registry, 8)).toBe(false);
    clock.advance(1000);
    expect(knows(registry, 7)).toBe(false);
  });

  it('keeps at most maxParked parked caches and maxParkedBytes of their replies, oldest parked forgotten first', () => {
    const clock = fakeClock();
    const registry = new ReplyCacheRegistry({ clock, maxParked: 3, maxParkedBytes: 250 });
    for (const boot of [1, 2, 3, 4]) {
      registry.release(boot, answered(registry, boot));
      clock.advance(1);
    }
    // Count bound 3, then byte bound 250: only the two newest (100 bytes each) are left.
    expect(registry.parkedCount).toBe(2);
    expect(knows(registry, 4)).toBe(true);
    expect(knows(registry, 3)).toBe(true);
    expect(knows(registry, 2)).toBe(false);
    expect(knows(registry, 1)).toBe(false);
  });

  it('stays bounded when peers come and go many times', () => {
    const clock = fakeClock();
    const registry = new ReplyCacheRegistry({ clock, maxParked: 8 });
    for (let i = 0; i < 5000; i++) {
      const boot = 1 + (i % 20);
      registry.release(boot, registry.claim(boot, registry.newCache()));
      clock.advance(1);
    }
    expect(registry.parkedCount).toBeLessThanOrEqual(8);
    expect(registry.size).toBeLessThanOrEqual(8);
  });
});
