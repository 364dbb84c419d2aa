import { describe, expect, it } from 'vitest';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Clock } from '../../protocol/Clock.js';
import type { SignalLine } from '../../lines/modem/index.js';
import type { LightName } from '../view/ModemLights.js';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { LineDestination } from '../../lines/modem/LineDestination.js';
import { DialUp } from './DialUp.js';

class ManualClock implements Clock {
  private t = 0;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers.delete(handle as number); }
  /** Runs due timers in time order, letting microtasks settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

class FakeTerminal {
  output = '';
  private listeners = new Set<(b: Uint8Array) => void>();
  write(bytes: Uint8Array): void { this.output += String.fromCharCode(...bytes); }
  writeText(text: string): void { this.output += text; }
  onInput(l: (b: Uint8Array) => void): Disposable { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; }
  type(text: string): void { for (const l of this.listeners) l(new TextEncoder().encode(text)); }
}

class FakeCom2 implements SignalLine {
  readonly name = 'com2';
  isOpen = true;
  received = '';
  carrier = false;
  rings = 0;
  private data = new Set<(c: Uint8Array) => void>();
  write(data: Uint8Array): void { this.received += String.fromCharCode(...data); }
  onData(l: (c: Uint8Array) => void): Disposable { this.data.add(l); return { dispose: () => this.data.delete(l) }; }
  onClose(): Disposable { return { dispose: () => {} }; }
  close(): void { this.isOpen = false; }
  setCarrierDetect(on: boolean): void { this.carrier = on; }
  setRingIndicator(on: boolean): void { if (on) this.rings++; }
  send(text: string): void { for (const l of this.data) l(new TextEncoder().encode(text)); }
}

class FakeLights {
  readonly on = new Set<LightName>();
  readonly flashed = new Set<LightName>();
  set(name: LightName, value: boolean): void { if (value) this.on.add(name); else this.on.delete(name); }
  flash(name: 'RD' | 'SD'): void { this.flashed.add(name); }
}

function setup(): { clock: ManualClock; terminal: FakeTerminal; com2: FakeCom2; lights: FakeLights; dialUp: DialUp } {
  const clock = new ManualClock();
  const terminal = new FakeTerminal();
  const lights = new FakeLights();
  const com2 = new FakeCom2();
  const dialUp = new DialUp({ terminal, lights, clock });
  dialUp.attachGuest(com2);
  return { clock, terminal, com2, lights, dialUp };
}

describe('DialUp: the terminal dials XP10 COM2', () => {
  it('shows a banner, rings the guest, connects at 56000 with carrier and the right lights', async () => {
    const { clock, terminal, com2, lights } = setup();
    expect(terminal.output).toMatch(/Konomi 56k/);
    expect([...lights.on].sort()).toEqual(['MR', 'TR']);
    terminal.type('ATDT 1\r');
    await clock.advance(3_000);
    expect(com2.rings).toBeGreaterThan(0);
    expect(com2.carrier).toBe(true);
    // The ringback comes first, as on a real line.
    expect(terminal.output).toMatch(/ATDT 1\r\r\nRINGING\r\n\r\nCONNECT 56000\r\n$/);
    expect([...lights.on].sort()).toEqual(['CD', 'HS', 'MR', 'OH', 'TR']);
    expect(lights.flashed.has('SD')).toBe(true);
  });

  it('carries data both ways at line pace, then +++ and ATH drop carrier on the guest', async () => {
    const { clock, terminal, com2, lights } = setup();
    terminal.type('ATDT xp10\r');
    await clock.advance(3_000);
    terminal.type('ver\r');
    await clock.advance(100);
    expect(com2.received).toBe('ver\r');
    com2.send('XP10>');
    await clock.advance(100);
    expect(terminal.output.endsWith('XP10>')).toBe(true);
    // 1,000 bytes at 56,000 bit/s take ~179 ms: none of it may arrive at once.
    const before = terminal.output.length;
    com2.send('x'.repeat(1000));
    await clock.advance(20);
    expect(terminal.output.length - before).toBeLessThan(1000);
    await clock.advance(400);
    expect(terminal.output.length - before).toBe(1000);
    await clock.advance(1_100);
    terminal.type('+++');
    await clock.advance(1_100);
    expect(terminal.output).toMatch(/OK\r\n$/);
    terminal.type('ATH\r');
    await clock.advance(100);
    expect(terminal.output.match(/NO CARRIER/g)).toHaveLength(1);
    expect(com2.carrier).toBe(false);
    expect(lights.on.has('CD')).toBe(false);
    expect(lights.on.has('OH')).toBe(false);
  });

  it('prints NO CARRIER when XP10 goes away during a call (reboot)', async () => {
    const { clock, terminal, dialUp } = setup();
    terminal.type('ATDT 1\r');
    await clock.advance(3_000);
    dialUp.detachGuest();
    await clock.advance(100);
    expect(terminal.output.match(/NO CARRIER/g)).toHaveLength(1);
  });

  it('answers NO ANSWER when no XP10 is running, and NO CARRIER for unknown numbers', async () => {
    const { clock, terminal, dialUp } = setup();
    dialUp.detachGuest();
    terminal.type('ATDT 1\r');
    await clock.advance(5_000);
    expect(terminal.output).toMatch(/NO ANSWER/);
    terminal.type('ATDT 999\r');
    await clock.advance(100);
    expect(terminal.output).toMatch(/NO CARRIER/);
  });

  it('connects at 33600 after switching to V.34 and lights AA after ATS0=1', async () => {
    const { clock, terminal, dialUp, lights } = setup();
    dialUp.setProfile('v34');
    terminal.type('ATS0=1\r');
    await clock.advance(10);
    expect(lights.on.has('AA')).toBe(true);
    terminal.type('ATDT 1\r');
    await clock.advance(3_000);
    expect(terminal.output).toMatch(/CONNECT 33600/);
  });

  it('prints NO CARRIER in the modem\'s result style: words, the number 3 after ATV0, nothing after ATQ1', async () => {
    const hangUpAfter = async (init: string): Promise<string> => {
      const { clock, terminal } = setup();
      terminal.type(`${init}\r`);
      await clock.advance(10);
      terminal.type('ATDT 1\r');
      await clock.advance(3_000);
      await clock.advance(1_100);
      terminal.type('+++');
      await clock.advance(1_100);
      const before = terminal.output.length;
      terminal.type('ATH\r');
      await clock.advance(100);
      return terminal.output.slice(before);
    };
    expect(await hangUpAfter('ATV1')).toBe('ATH\r\r\nOK\r\n\r\nNO CARRIER\r\n');
    expect(await hangUpAfter('ATV0')).toBe('ATH\r0\r3\r');
    expect(await hangUpAfter('ATQ1')).toBe('ATH\r');
    // ATZ brings back the power-on settings the probe learns from the next result.
    expect(await hangUpAfter('ATV0Z')).toBe('ATH\r\r\nOK\r\n\r\nNO CARRIER\r\n');
  });

  it('shows no RINGING in numeric mode, and CONNECT as the number 1', async () => {
    const { clock, terminal } = setup();
    terminal.type('ATV0\r');
    await clock.advance(10);
    terminal.type('ATDT 1\r');
    await clock.advance(3_000);
    expect(terminal.output).toMatch(/ATDT 1\r1\r$/);
  });

  it('counts the bytes XP10 sends and the bytes the terminal gets, which lag behind at V.90 pace', async () => {
    const { clock, terminal, com2, dialUp } = setup();
    terminal.type('ATDT 1\r');
    await clock.advance(3_000);
    const start = { ...dialUp.counters };
    com2.send('y'.repeat(5_600));
    await clock.advance(500);
    expect(dialUp.counters.fromGuest - start.fromGuest).toBe(5_600);
    // 5,600 bytes at 56,000 bit/s (10 bits a byte) take a second: half of it after half a second.
    const half = dialUp.counters.toTerminal - start.toTerminal;
    expect(half).toBeGreaterThan(2_000);
    expect(half).toBeLessThan(3_600);
    await clock.advance(600);
    expect(dialUp.counters.toTerminal - start.toTerminal).toBe(5_600);
  });
});

describe('DialUp: numbers the page does not list', () => {
  it('go to the remote destination (the bridge): ATDT host:port connects, its data reaches the terminal', async () => {
    const clock = new ManualClock();
    const terminal = new FakeTerminal();
    const dialled: string[] = [];
    const [pageEnd, bridgeEnd] = createLinePair(['page', 'bridge']);
    const dialUp = new DialUp({
      terminal,
      lights: new FakeLights(),
      clock,
      remote: (dialString) => {
        dialled.push(dialString);
        return new LineDestination(() => pageEnd);
      },
    });
    expect(terminal.output).toMatch(/ATDT host:port dial out through the bridge/);
    terminal.type('ATDT BBS.example.org:23\r');
    await clock.advance(10);
    expect(dialled).toEqual(['bbs.example.org:23']);
    expect(terminal.output).toMatch(/ATDT BBS\.example\.org:23\r\r\nCONNECT 56000\r\n$/);
    bridgeEnd.write(new TextEncoder().encode('welcome'));
    await clock.advance(100);
    expect(terminal.output).toMatch(/CONNECT 56000\r\nwelcome$/);
    // Number 1 stays the page's own XP10, never the bridge's.
    expect(dialled).not.toContain('1');
    dialUp.dispose();
  });

  it('without a remote, an unlisted number is NO CARRIER', async () => {
    const clock = new ManualClock();
    const terminal = new FakeTerminal();
    new DialUp({ terminal, lights: new FakeLights(), clock });
    terminal.type('ATDT 127.0.0.1:23\r');
    await clock.advance(10);
    expect(terminal.output).toMatch(/\r\nNO CARRIER\r\n$/);
  });
});
