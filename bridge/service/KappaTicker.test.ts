import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../protocol/testing/ManualClock.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { MemoryStore } from '../../core/store/MemoryStore.js';
import type { StoreBatch } from '../../core/store/Store.js';
import { MemoryLogger } from '../util/Logger.js';
import type { CoreEvent } from './CoreEvent.js';
import { KappaTicker } from './KappaTicker.js';
import { KonomiService } from './KonomiService.js';

type KappaData = Extract<CoreEvent, { event: 'kappa' }>['data'];

/** A real Konomi behind a real KonomiService, ticked by a KappaTicker on a ManualClock. */
async function field() {
  const store = new MemoryStore();
  const commits: StoreBatch[] = [];
  const commit = store.commit.bind(store);
  store.commit = (batch) => {
    commits.push(batch);
    return commit(batch);
  };
  const konomi = await Konomi.open({ store });
  const a = await konomi.cubes.at(0, 0, 0);
  const b = await konomi.cubes.at(4, 0, 0);
  const far = await konomi.cubes.at(500, 500, 500);
  const service = new KonomiService(konomi);
  const events: KappaData[] = [];
  service.onEvent((e) => {
    if (e.event === 'kappa') events.push(e.data);
  });
  const clock = new ManualClock();
  const ticker = new KappaTicker(service, clock, 1000);
  return { konomi, service, ticker, clock, events, commits, a, b, far };
}

const within = (k: number) => Math.abs(k - 0.6) <= 0.05;

describe('KappaTicker drives the κ field on its clock', () => {
  it('a perturbation relaxes to 0.6 ± 0.05 in under 50 ticks of the clock, announced and committed as it moves', async () => {
    const { konomi, service, ticker, clock, events, commits, a, b, far } = await field();
    ticker.start();
    await konomi.cubes.perturb(a.id, 1);
    expect(events.at(-1)!.cubes.find((c) => c.id === a.id)).toMatchObject({ kappa: 1, central: 0.6 });
    const committed = commits.length;
    await clock.advance(999);
    expect(ticker.ticks).toBe(0);
    await clock.advance(1);
    expect(ticker.ticks).toBe(1);
    const first = events.at(-1)!;
    const view = (id: number) => first.cubes.find((c) => c.id === id)!;
    expect(view(a.id).kappa).toBeLessThan(1);
    // The neighbour is pulled up, the far cube stays; a's vertices (CENTRAL included) follow a.
    expect(view(b.id).kappa).toBeGreaterThan(0.6);
    expect(view(far.id).kappa).toBe(0.6);
    expect(view(a.id).central).toBeGreaterThan(0.6);
    expect(view(a.id).vertexKappa).toHaveLength(9);
    expect(commits.length).toBeGreaterThan(committed);
    expect(commits.at(-1)!.cubes.map((c) => c.id).sort()).toEqual([a.id, b.id]);
    while (!konomi.kappaMetrics().cubes.every((c) => within(c.kappa) && c.vertexKappa.every(within))) {
      await clock.advance(1000);
      expect(ticker.ticks).toBeLessThan(50);
    }
    ticker.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a settled field goes quiet: no events and no commits of its own', async () => {
    const { ticker, clock, events, commits } = await field();
    ticker.start();
    const [e, c] = [events.length, commits.length];
    await clock.advance(10_000);
    expect(ticker.ticks).toBe(10);
    expect([events.length, commits.length]).toEqual([e, c]);
    ticker.stop();
  });

  it('skips ticks while the system is held, and goes on after', async () => {
    const { konomi, service, ticker, clock, a } = await field();
    await konomi.cubes.perturb(a.id, 0);
    ticker.start();
    konomi.command('hold');
    await clock.advance(3000);
    expect(ticker.ticks).toBe(0);
    expect(a.kappa).toBe(0);
    konomi.command('unhold');
    await clock.advance(1000);
    expect(ticker.ticks).toBe(1);
    expect(a.kappa).toBeGreaterThan(0);
    ticker.stop();
  });

  it('logs a failing tick once and keeps ticking', async () => {
    const logger = new MemoryLogger();
    const clock = new ManualClock();
    let calls = 0;
    const ticker = new KappaTicker(
      {
        tickKappa: async () => {
          calls++;
          throw new Error('store down');
        },
      },
      clock,
      100,
      logger,
    );
    ticker.start();
    await clock.advance(500);
    expect(calls).toBe(5);
    expect(logger.lines.filter((l) => l.includes('store down'))).toHaveLength(1);
    ticker.stop();
    expect(() => new KappaTicker({ tickKappa: async () => ({ cubes: 0, largestChange: 0 }) }, clock, 0)).toThrow(RangeError);
  });
});
