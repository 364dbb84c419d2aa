import { describe, expect, it } from 'vitest';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { createCallPair } from './CallPair.js';
import { HayesModem, type HayesModemOptions } from './HayesModem.js';
import { LineDestination } from './LineDestination.js';
import type { Clock } from '../../protocol/Clock.js';
import { ModemPacer } from './ModemPacer.js';
import { normaliseDialString, parseCommandLine } from './parseCommandLine.js';
import { Phonebook } from './Phonebook.js';
import type { SignalLine } from './SignalLine.js';

/** A clock that only moves when the test says so; microtasks run between timers. */
class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await flush();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The DTE side of a modem as a test sees it: what was printed, the signals, and typing. */
class Terminal implements SignalLine {
  readonly name = 'terminal';
  isOpen = true;
  output = '';
  bytes: number[] = [];
  dcd = false;
  ri = false;
  riChanges = 0;
  private listeners = new Set<(chunk: Uint8Array) => void>();
  private closers = new Set<(reason?: Error) => void>();
  write(data: Uint8Array): void {
    for (const b of data) {
      this.bytes.push(b);
      this.output += String.fromCharCode(b);
    }
  }
  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  onClose(listener: (reason?: Error) => void): Disposable {
    this.closers.add(listener);
    return { dispose: () => this.closers.delete(listener) };
  }
  close(): void {
    this.isOpen = false;
    for (const c of this.closers) c();
  }
  setCarrierDetect(on: boolean): void {
    this.dcd = on;
  }
  setRingIndicator(on: boolean): void {
    if (on !== this.ri) this.riChanges++;
    this.ri = on;
  }
  type(text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? new Uint8Array([...text].map((c) => c.charCodeAt(0))) : text;
    for (const l of this.listeners) l(bytes);
  }
  take(): string {
    const out = this.output;
    this.output = '';
    return out;
  }
}

function setup(extra: Partial<HayesModemOptions> = {}) {
  const clock = new ManualClock();
  const phonebook = new Phonebook();
  const term = new Terminal();
  const modem = new HayesModem({ dte: term, clock, phonebook, name: 'caller', ...extra });
  return { clock, phonebook, term, modem };
}

/** A caller modem plus an answering modem (the guest side) listed as 5551000 / "xp10". */
function callSetup(answer: Partial<HayesModemOptions> = {}) {
  const s = setup();
  const guest = new Terminal();
  const answering = new HayesModem({ dte: guest, clock: s.clock, name: 'xp10', echo: false, quiet: true, registers: { 0: 1 }, ...answer });
  s.phonebook.add({ number: '555-1000', names: ['xp10'], destination: answering });
  return { ...s, guest, answering };
}

async function connected() {
  const s = callSetup();
  s.term.type('ATDT 555-1000\r');
  await s.clock.advance(200);
  expect(s.term.take()).toBe('ATDT 555-1000\r\r\nRINGING\r\n\r\nCONNECT 56000\r\n');
  return s;
}

describe('HayesModem command mode', () => {
  it('answers AT with OK and echoes what is typed', () => {
    const { term } = setup();
    term.type('AT\r');
    expect(term.take()).toBe('AT\r\r\nOK\r\n');
  });

  it('accepts lower case, several commands per line and spaces', () => {
    const { term, modem } = setup();
    term.type('at e0 v1 s0=3\r');
    expect(term.take()).toBe('at e0 v1 s0=3\r\r\nOK\r\n');
    expect(modem.register(0)).toBe(3);
  });

  it('ATE0 stops the echo and ATE1 restores it', () => {
    const { term } = setup();
    term.type('ATE0\r');
    term.take();
    term.type('AT\r');
    expect(term.take()).toBe('\r\nOK\r\n');
    term.type('ATE1\r');
    term.type('AT\r');
    expect(term.take()).toBe('\r\nOK\r\nAT\r\r\nOK\r\n');
  });

  it('ATV0 gives numeric result codes', () => {
    const { term } = setup({ echo: false });
    term.type('ATV0\r');
    expect(term.take()).toBe('0\r');
    term.type('ATK\r');
    expect(term.take()).toBe('4\r');
  });

  it('ATQ1 suppresses result codes, ATQ0 brings them back', () => {
    const { term } = setup({ echo: false });
    term.type('ATQ1\r');
    term.type('AT\r');
    expect(term.take()).toBe('');
    term.type('ATQ0\r');
    expect(term.take()).toBe('\r\nOK\r\n');
  });

  it('rejects unknown commands and bad values with ERROR, applying nothing of the line', () => {
    const { term, modem } = setup({ echo: false });
    for (const bad of ['ATY', 'ATE2', 'ATS0=256', 'ATS99=1', 'ATS0', 'AT&Z', 'ATD', 'ATI99']) {
      term.type(`${bad}\r`);
      expect(term.take(), bad).toBe('\r\nERROR\r\n');
    }
    term.type('ATS0=5 Y\r');
    expect(term.take()).toBe('\r\nERROR\r\n');
    expect(modem.register(0)).toBe(0);
  });

  it('rejects an overlong command line', () => {
    const { term } = setup({ echo: false });
    term.type(`AT${'E1'.repeat(200)}\r`);
    expect(term.take()).toBe('\r\nERROR\r\n');
  });

  it('edits the command line with backspace', () => {
    const { term, modem } = setup({ echo: false });
    term.type('ATS0=9\b2\r');
    expect(term.take()).toBe('\r\nOK\r\n');
    expect(modem.register(0)).toBe(2);
  });

  it('reads and writes S-registers', () => {
    const { term } = setup({ echo: false });
    term.type('ATS0=2S2=42S12=25\r');
    term.take();
    term.type('ATS0?S2?S12?S7?\r');
    expect(term.take()).toBe('\r\n002\r\n\r\n042\r\n\r\n025\r\n\r\n050\r\n\r\nOK\r\n');
  });

  it('A/ repeats the last command line without a carriage return', () => {
    const { term, modem } = setup({ echo: false });
    term.type('ATS0=7\r');
    term.take();
    term.type('ATS0=1\r');
    term.take();
    term.type('ATS0?\r');
    term.take();
    term.type('A/');
    expect(term.take()).toBe('\r\n001\r\n\r\nOK\r\n');
    expect(modem.register(0)).toBe(1);
  });

  it('ATI prints identification text', () => {
    const { term } = setup({ echo: false, identity: ['Konomi test', 'second'] });
    term.type('ATI\r');
    expect(term.take()).toBe('\r\nKonomi test\r\n\r\nOK\r\n');
    term.type('ATI1\r');
    expect(term.take()).toBe('\r\nsecond\r\n\r\nOK\r\n');
  });

  it('ATZ restores the power-on settings', () => {
    const { term, modem } = setup();
    term.type('ATE0V0S0=4\r');
    term.type('ATZ\r');
    expect(modem.register(0)).toBe(0);
    term.take();
    term.type('AT\r');
    expect(term.take()).toBe('AT\r\r\nOK\r\n');
  });

  it('AT&V shows the settings and registers', () => {
    const { term } = setup({ echo: false });
    term.type('ATS0=2&V\r');
    expect(term.take()).toBe('\r\nE0 Q0 V1\r\nS00:002 S01:000 S02:043 S03:013 S04:010 S05:008 S07:050 S12:050\r\n\r\nOK\r\n');
  });

  it('ignores init-string commands a software modem has no use for', () => {
    const { term } = setup({ echo: false });
    term.type('AT&FX4L0M1&C1&D2\r');
    expect(term.take()).toBe('\r\nOK\r\n');
  });

  it('ATO and ATA without a call give NO CARRIER', async () => {
    const { term, clock } = setup({ echo: false });
    term.type('ATO\r');
    await clock.advance(1);
    expect(term.take()).toBe('\r\nNO CARRIER\r\n');
    term.type('ATA\r');
    await clock.advance(1);
    expect(term.take()).toBe('\r\nNO CARRIER\r\n');
  });
});

describe('HayesModem dialling', () => {
  it('dials an unknown number: NO CARRIER', async () => {
    const { term, clock } = setup({ echo: false });
    term.type('ATDT5550000\r');
    await clock.advance(1);
    expect(term.take()).toBe('\r\nNO CARRIER\r\n');
  });

  it('dials by number or by name; the guest sees RING then carrier; CONNECT 56000 on V.90', async () => {
    const s = callSetup();
    s.term.type('ATDT xp10\r');
    await s.clock.advance(200);
    expect(s.answering.state).toBe('data');
    expect(s.guest.riChanges).toBe(2);
    expect(s.guest.dcd).toBe(true);
    expect(s.guest.output).toBe('');
    expect(s.term.take()).toBe('ATDT xp10\r\r\nRINGING\r\n\r\nCONNECT 56000\r\n');
    expect(s.modem.state).toBe('data');
  });

  it('rings S0 times before answering, with the RING result and the ring indicator each time', async () => {
    const s = callSetup({ quiet: false, registers: { 0: 3 } });
    s.term.type('ATD5551000\r');
    await s.clock.advance(100);
    expect(s.guest.take()).toBe('\r\nRING\r\n');
    expect(s.guest.ri).toBe(true);
    await s.clock.advance(2000);
    expect(s.guest.ri).toBe(false);
    await s.clock.advance(4000);
    expect(s.guest.take()).toBe('\r\nRING\r\n');
    expect(s.answering.register(1)).toBe(2);
    expect(s.guest.dcd).toBe(false);
    await s.clock.advance(6000);
    expect(s.guest.take()).toBe('\r\nRING\r\n\r\nCONNECT 33600\r\n');
    expect(s.guest.dcd).toBe(true);
    expect(s.guest.ri).toBe(false);
    // The caller hears the ringback: one RINGING per ring of the called modem.
    expect(s.term.take()).toBe('ATD5551000\r' + '\r\nRINGING\r\n'.repeat(3) + '\r\nCONNECT 56000\r\n');
  });

  it('prints no RINGING in numeric or quiet mode', async () => {
    const numeric = callSetup();
    numeric.term.type('ATV0\r');
    numeric.term.take();
    numeric.term.type('ATD5551000\r');
    await numeric.clock.advance(200);
    expect(numeric.term.take()).toBe('ATD5551000\r1\r');
    const quiet = callSetup();
    quiet.term.type('ATQ1E0\r');
    quiet.term.type('ATD5551000\r');
    await quiet.clock.advance(200);
    expect(quiet.term.take()).toBe('ATQ1E0\r');
    expect(quiet.modem.state).toBe('data');
  });

  it('without auto-answer the called DTE answers with ATA', async () => {
    const s = callSetup({ quiet: false, registers: { 0: 0 } });
    s.term.type('ATDT5551000\r');
    await s.clock.advance(10);
    expect(s.guest.take()).toBe('\r\nRING\r\n');
    s.guest.type('ATA\r');
    await s.clock.advance(10);
    expect(s.guest.take()).toBe('\r\nCONNECT 33600\r\n');
    expect(s.term.take()).toContain('CONNECT 56000');
  });

  it('gives NO ANSWER after S7 seconds and the called modem stops ringing', async () => {
    const s = callSetup({ registers: { 0: 0 } });
    s.term.type('ATS7=10DT5551000\r');
    await s.clock.advance(9_000);
    expect(s.answering.state).toBe('ringing');
    await s.clock.advance(1_100);
    expect(s.term.take()).toContain('NO ANSWER');
    expect(s.answering.state).toBe('idle');
    expect(s.guest.ri).toBe(false);
  });

  it('ATDL redials the last number; without one it is an ERROR', async () => {
    const s = callSetup();
    s.term.type('ATDL\r');
    await s.clock.advance(1);
    expect(s.term.take()).toBe('ATDL\r\r\nERROR\r\n');
    s.term.type('ATDT xp10\r');
    await s.clock.advance(200);
    s.answering.hangUp();
    await s.clock.advance(100);
    s.term.take();
    s.term.type('ATDL\r');
    await s.clock.advance(200);
    expect(s.term.take()).toBe('ATDL\r\r\nRINGING\r\n\r\nCONNECT 56000\r\n');
  });

  it('gives BUSY when the number is already in a call', async () => {
    const s = await connected();
    const second = new Terminal();
    const other = new HayesModem({ dte: second, clock: s.clock, phonebook: s.phonebook, echo: false });
    second.type('ATDT5551000\r');
    await s.clock.advance(1);
    expect(second.take()).toBe('\r\nBUSY\r\n');
    expect(other.state).toBe('idle');
  });

  it('a key pressed while dialling aborts the call', async () => {
    const s = callSetup({ registers: { 0: 0 } });
    s.term.type('ATDT5551000\r');
    await s.clock.advance(3000);
    s.term.type('x');
    await s.clock.advance(1);
    expect(s.term.take()).toMatch(/NO CARRIER\r\n$/);
    expect(s.answering.state).toBe('idle');
  });

  it('connects to a LineDestination at once', async () => {
    const s = setup({ echo: false });
    const [service, far] = createCallPair('service', 'far');
    const received: number[] = [];
    far.onData((c) => received.push(...c));
    s.phonebook.add({ number: '5600', names: ['packet'], destination: new LineDestination(() => service) });
    s.term.type('ATDT packet\r');
    await s.clock.advance(1);
    expect(s.term.take()).toBe('\r\nCONNECT 56000\r\n');
    s.term.type(new Uint8Array([0x7e, 0x00, 0xff]));
    await s.clock.advance(1);
    expect(received).toEqual([0x7e, 0x00, 0xff]);
  });

  it('a LineDestination that fails to open is NO CARRIER', async () => {
    const s = setup({ echo: false });
    s.phonebook.add({ number: '1', destination: new LineDestination(() => Promise.reject(new Error('refused'))) });
    s.term.type('ATD1\r');
    await s.clock.advance(1);
    expect(s.term.take()).toBe('\r\nNO CARRIER\r\n');
  });
});

describe('HayesModem data mode', () => {
  it('passes every byte value both ways', async () => {
    const s = await connected();
    const all = new Uint8Array(256).map((_, i) => i);
    s.term.type(all);
    s.guest.type(all);
    await s.clock.advance(1000);
    expect(s.guest.bytes).toEqual([...all]);
    expect(s.term.bytes.slice(-256)).toEqual([...all]);
  });

  it('paces data at the line rate: 56000 bit/s toward the caller, 33600 toward the guest, nothing lost', async () => {
    const s = await connected();
    const before = s.term.bytes.length;
    const burst = new Uint8Array(11_200).map((_, i) => i & 0xff);
    s.guest.type(burst);
    s.term.type(burst.subarray(0, 6720));
    await s.clock.advance(1000);
    const inOneSecond = s.term.bytes.length - before;
    expect(inOneSecond).toBeGreaterThan(5_400);
    expect(inOneSecond).toBeLessThanOrEqual(5_600);
    expect(s.guest.bytes.length).toBeGreaterThan(3_200);
    expect(s.guest.bytes.length).toBeLessThanOrEqual(3_360);
    await s.clock.advance(1100);
    expect(s.term.bytes.slice(before)).toEqual([...burst]);
    expect(s.guest.bytes).toEqual([...burst.subarray(0, 6720)]);
  });

  it('+++ after and before the guard time returns to command mode; ATO goes back online', async () => {
    const s = await connected();
    await s.clock.advance(1000);
    s.term.type('+++');
    await s.clock.advance(999);
    expect(s.modem.state).toBe('data');
    await s.clock.advance(2);
    expect(s.modem.state).toBe('online-command');
    expect(s.term.take()).toBe('\r\nOK\r\n');
    expect(s.guest.output).toBe('+++');
    s.guest.type('while away');
    s.term.type('AT\r');
    expect(s.term.take()).toBe('AT\r\r\nOK\r\n');
    await s.clock.advance(100);
    expect(s.term.output).toBe('');
    s.term.type('ATO\r');
    expect(s.term.take()).toBe('ATO\r\r\nCONNECT 56000\r\n');
    await s.clock.advance(100);
    expect(s.term.take()).toBe('while away');
    s.term.type('hello');
    await s.clock.advance(100);
    expect(s.guest.output).toBe('+++hello');
  });

  it('+++ inside data never escapes', async () => {
    const s = await connected();
    await s.clock.advance(1500);
    s.term.type('abc+++');
    await s.clock.advance(3000);
    expect(s.modem.state).toBe('data');
    s.term.type('++');
    await s.clock.advance(3000);
    s.term.type('+');
    await s.clock.advance(3000);
    expect(s.modem.state).toBe('data');
    s.term.type('+++x');
    await s.clock.advance(3000);
    expect(s.modem.state).toBe('data');
    s.term.type('+++');
    await s.clock.advance(500);
    s.term.type('y');
    await s.clock.advance(3000);
    expect(s.modem.state).toBe('data');
    s.term.type('++++');
    await s.clock.advance(3000);
    expect(s.modem.state).toBe('data');
    expect(s.term.output).toBe('');
  });

  it('honours S2 (escape character) and S12 (guard time)', async () => {
    const s = callSetup();
    s.term.type('ATS2=33S12=10DT5551000\r');
    await s.clock.advance(1);
    await s.clock.advance(200);
    s.term.type('+++');
    await s.clock.advance(300);
    expect(s.modem.state).toBe('data');
    s.term.type('!!!');
    await s.clock.advance(199);
    expect(s.modem.state).toBe('data');
    await s.clock.advance(2);
    expect(s.modem.state).toBe('online-command');
  });

  it('ATH hangs up: carrier drops on both sides and the guest modem is idle again', async () => {
    const s = await connected();
    await s.clock.advance(1000);
    s.term.type('+++');
    await s.clock.advance(1001);
    s.term.type('ATH\r');
    await s.clock.advance(10);
    expect(s.term.take()).toBe('\r\nOK\r\nATH\r\r\nOK\r\n');
    expect(s.modem.carrierDetect).toBe(false);
    expect(s.guest.dcd).toBe(false);
    expect(s.answering.state).toBe('idle');
    s.term.type('ATDT5551000\r');
    await s.clock.advance(200);
    expect(s.term.take()).toContain('CONNECT 56000');
  });

  it('a remote hang-up delivers the queued bytes, then NO CARRIER', async () => {
    const s = await connected();
    const text = 'x'.repeat(2000);
    s.guest.type(text);
    s.answering.hangUp();
    await s.clock.advance(100);
    expect(s.modem.state).toBe('data');
    await s.clock.advance(1000);
    expect(s.term.take()).toBe(`${text}\r\nNO CARRIER\r\n`);
    expect(s.modem.state).toBe('idle');
    expect(s.guest.dcd).toBe(false);
  });

  it('a closed DTE hangs up the call', async () => {
    const s = await connected();
    s.term.close();
    await s.clock.advance(10);
    expect(s.answering.state).toBe('idle');
    expect(s.guest.dcd).toBe(false);
  });
});

describe('ModemPacer', () => {
  it('delivers in order at the configured rate, pauses and resumes without loss', async () => {
    const clock = new ManualClock();
    const out: number[] = [];
    const pacer = new ModemPacer({ clock, bitsPerSecond: 10_000, sink: (c) => out.push(...c) });
    for (let i = 0; i < 30; i++) pacer.push(new Uint8Array(100).fill(i));
    await clock.advance(1000);
    expect(out.length).toBe(1000);
    pacer.pause();
    await clock.advance(1000);
    expect(out.length).toBe(1000);
    pacer.resume();
    await clock.advance(2100);
    expect(out.length).toBe(3000);
    expect(out.every((b, i) => b === Math.floor(i / 100))).toBe(true);
  });

  it('reports overflow instead of growing without bound', () => {
    const clock = new ManualClock();
    let overflow = 0;
    const pacer = new ModemPacer({ clock, bitsPerSecond: 1000, sink: () => undefined, maxQueuedBytes: 1000, onOverflow: () => overflow++ });
    pacer.push(new Uint8Array(900));
    pacer.push(new Uint8Array(200));
    expect(overflow).toBe(1);
    expect(pacer.queuedBytes).toBe(900);
  });
});

describe('parseCommandLine', () => {
  it('parses a mixed line', () => {
    expect(parseCommandLine('E0V1S7=30S0?&FDT 555-1234')).toEqual({
      ok: true,
      commands: [
        { kind: 'flag', letter: 'E', value: 0 },
        { kind: 'flag', letter: 'V', value: 1 },
        { kind: 'setRegister', register: 7, value: 30 },
        { kind: 'queryRegister', register: 0 },
        { kind: 'ampersand', letter: 'F', value: 0 },
        { kind: 'dial', method: 'T', target: '5551234' },
      ],
    });
  });

  it('normalises dial strings', () => {
    expect(normaliseDialString('(555) 1234')).toBe('5551234');
    expect(normaliseDialString(',555-1234;')).toBe('5551234');
    expect(normaliseDialString('"XP10"')).toBe('xp10');
    expect(normaliseDialString(' Packet Port ')).toBe('packetport');
  });
});

describe('Phonebook', () => {
  it('refuses duplicate numbers or names', () => {
    const book = new Phonebook();
    const destination = new LineDestination(() => createCallPair('a', 'b')[0]);
    book.add({ number: '1', names: ['one'], destination });
    expect(() => book.add({ number: '2', names: ['ONE'], destination })).toThrow(/already listed/);
    expect(book.lookup('"one"')).toBe(book.entries[0]);
  });

  it('removes entries, and asks the unlisted resolver only for what is not listed', () => {
    const book = new Phonebook();
    const destination = new LineDestination(() => createCallPair('a', 'b')[0]);
    const entry = { number: '2000', names: ['bbs'], destination };
    book.add(entry);
    const asked: string[] = [];
    book.resolveUnlisted((dial) => {
      asked.push(dial);
      return dial.includes(':') ? { number: dial, destination } : undefined;
    });
    expect(book.lookup('BBS')).toBe(entry);
    expect(book.lookup('Localhost:7000')?.number).toBe('localhost:7000');
    expect(book.lookup('555')).toBeUndefined();
    book.remove(entry);
    expect(book.entries).toEqual([]);
    expect(book.lookup('bbs')).toBeUndefined();
    expect(asked).toEqual(['localhost:7000', '555', 'bbs']);
    book.add({ number: '2000', names: ['bbs'], destination });
  });
});

// Keep the type import used even if a test is removed.
export type { Line };
