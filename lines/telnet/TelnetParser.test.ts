import { describe, expect, it } from 'vitest';
import { Telnet, TelnetOption } from './TelnetCodes.js';
import { TelnetParser } from './TelnetParser.js';
import { encodeTelnetData } from './encodeTelnetData.js';

const { IAC, WILL, WONT, DO, DONT, SB, SE, NOP, AYT } = Telnet;

/** Records what the parser reports, merging adjacent data so the split points do not show. */
function record(): { events: string[]; sink: ConstructorParameters<typeof TelnetParser>[0] } {
  const events: string[] = [];
  const pushData = (bytes: Uint8Array): void => {
    const last = events[events.length - 1];
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (last?.startsWith('data:')) events[events.length - 1] = last + hex;
    else events.push(`data:${hex}`);
  };
  return {
    events,
    sink: {
      data: pushData,
      command: (code) => events.push(`cmd:${code}`),
      negotiate: (verb, option) => events.push(`neg:${verb}:${option}`),
      subnegotiation: (option, body) => events.push(`sb:${option}:${[...body].join(',')}`),
    },
  };
}

function parseWhole(bytes: number[]): string[] {
  const r = record();
  new TelnetParser(r.sink, 8).push(Uint8Array.from(bytes));
  return r.events;
}

/** Every way of cutting the stream into two and three chunks gives the same events. */
function expectSameAtEveryBoundary(bytes: number[]): void {
  const whole = parseWhole(bytes);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      const r = record();
      const parser = new TelnetParser(r.sink, 8);
      parser.push(Uint8Array.from(bytes.slice(0, i)));
      parser.push(Uint8Array.from(bytes.slice(i, j)));
      parser.push(Uint8Array.from(bytes.slice(j)));
      expect(r.events, `cut at ${i} and ${j}`).toEqual(whole);
    }
  }
}

const A = 0x41;
const B = 0x42;

describe('TelnetParser', () => {
  it('separates data, negotiation, commands and subnegotiation', () => {
    const stream = [A, IAC, WILL, TelnetOption.ECHO, B, IAC, IAC, A, IAC, NOP, IAC, SB, 24, 1, IAC, IAC, 2, IAC, SE, B, IAC, DO, 3, IAC, DONT, 0, IAC, WONT, 1, IAC, AYT];
    expect(parseWhole(stream)).toEqual([
      'data:41',
      `neg:${WILL}:1`,
      'data:42ff41',
      `cmd:${NOP}`,
      'sb:24:1,255,2',
      'data:42',
      `neg:${DO}:3`,
      `neg:${DONT}:0`,
      `neg:${WONT}:1`,
      `cmd:${AYT}`,
    ]);
    expectSameAtEveryBoundary(stream);
  });

  it('drops a subnegotiation longer than its limit whole, and recovers after it', () => {
    const body = Array.from({ length: 20 }, (_, i) => i + 1);
    const stream = [IAC, SB, 31, ...body, IAC, SE, A, IAC, SB, 31, 0, 80, 0, 24, IAC, SE, B];
    expect(parseWhole(stream)).toEqual(['data:41', 'sb:31:0,80,0,24', 'data:42']);
    expectSameAtEveryBoundary(stream);
  });

  it('a stray command inside a subnegotiation ends it and is reported', () => {
    const stream = [IAC, SB, 24, 1, IAC, NOP, A];
    expect(parseWhole(stream)).toEqual([`cmd:${NOP}`, 'data:41']);
    expectSameAtEveryBoundary(stream);
  });

  it('hands data on as views of the pushed chunk (no copy)', () => {
    const chunk = Uint8Array.from([A, B, IAC, NOP, A]);
    const seen: Uint8Array[] = [];
    new TelnetParser({ data: (b) => seen.push(b), command: () => undefined, negotiate: () => undefined, subnegotiation: () => undefined }).push(chunk);
    expect(seen.map((v) => v.buffer === chunk.buffer)).toEqual([true, true]);
  });

  it('round-trips every byte value through encodeTelnetData in binary mode', () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    const encoded = [...encodeTelnetData(Uint8Array.from(all), true)];
    expect(encoded.length).toBe(257);
    expect(parseWhole(encoded)).toEqual([`data:${all.map((b) => b.toString(16).padStart(2, '0')).join('')}`]);
    expectSameAtEveryBoundary(encoded.slice(250));
  });
});

describe('encodeTelnetData', () => {
  it('doubles IAC; outside binary a bare CR gets a NUL, CR LF stays', () => {
    expect([...encodeTelnetData(Uint8Array.from([1, IAC, 2]), false)]).toEqual([1, IAC, IAC, 2]);
    expect([...encodeTelnetData(Uint8Array.from([13, 10, 65, 13, 66, 13]), false)]).toEqual([13, 10, 65, 13, 0, 66, 13, 0]);
    expect([...encodeTelnetData(Uint8Array.from([13, 66]), true)]).toEqual([13, 66]);
  });

  it('returns its input unchanged when nothing needs escaping', () => {
    const plain = new TextEncoder().encode('hello\r\n');
    expect(encodeTelnetData(plain, false)).toBe(plain);
  });
});
