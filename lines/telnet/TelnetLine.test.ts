import { describe, expect, it } from 'vitest';
import { createLinePair } from '../../protocol/MemoryLine.js';
import type { Line } from '../../protocol/Line.js';
import { Telnet, TelnetOption } from './TelnetCodes.js';
import { TelnetLine } from './TelnetLine.js';

const { IAC, WILL, WONT, DO, DONT, IP, AYT } = Telnet;
const { ECHO, SGA, BINARY } = TelnetOption;
const TTYPE = 24;

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The far end of the TCP connection, as raw bytes. */
function peer(line: Line): { received: number[]; send(bytes: number[]): void } {
  const received: number[] = [];
  line.onData((chunk) => received.push(...chunk));
  return { received, send: (bytes) => line.write(Uint8Array.from(bytes)) };
}

function setup(role: 'server' | 'client'): { telnet: TelnetLine; far: ReturnType<typeof peer>; data: number[] } {
  const [near, farEnd] = createLinePair(['tcp:near', 'tcp:far']);
  const far = peer(farEnd);
  const telnet = new TelnetLine(near, { role });
  const data: number[] = [];
  telnet.onData((chunk) => data.push(...chunk));
  return { telnet, far, data };
}

describe('TelnetLine as a server', () => {
  it('offers WILL ECHO and WILL SGA, then takes the answers silently (no loop)', async () => {
    const { telnet, far } = setup('server');
    await flush();
    expect(far.received).toEqual([IAC, WILL, ECHO, IAC, WILL, SGA]);
    far.received.length = 0;
    far.send([IAC, DO, ECHO, IAC, DO, SGA]);
    await flush();
    expect(far.received).toEqual([]);
    expect(telnet.describeOptions()).toBe('ECHO SGA / peer none');
    expect(telnet.peerSpeaksTelnet).toBe(true);
  });

  it('refuses options it does not support once, accepts SGA and BINARY from the client', async () => {
    const { telnet, far } = setup('server');
    await flush();
    far.received.length = 0;
    far.send([IAC, WILL, TTYPE, IAC, WILL, SGA, IAC, DO, TTYPE, IAC, WILL, TTYPE]);
    await flush();
    // TTYPE refused each time it is offered (state stays "no"), SGA accepted once.
    expect(far.received).toEqual([IAC, DONT, TTYPE, IAC, DO, SGA, IAC, WONT, TTYPE, IAC, DONT, TTYPE]);
    far.received.length = 0;
    far.send([IAC, DO, BINARY, IAC, WILL, BINARY]);
    await flush();
    expect(far.received).toEqual([IAC, WILL, BINARY, IAC, DO, BINARY]);
    expect(telnet.binaryIn && telnet.binaryOut).toBe(true);
    far.received.length = 0;
    far.send([IAC, DONT, BINARY]);
    await flush();
    expect(far.received).toEqual([IAC, WONT, BINARY]);
    expect(telnet.binaryOut).toBe(false);
  });

  it('folds CR NUL and CR LF to CR outside binary, also split across chunks; IAC IAC is 255', async () => {
    const { far, data } = setup('server');
    await flush();
    for (const b of [0x41, 13, 0, 0x42, 13, 10, 0x43, 13]) far.send([b]);
    far.send([0, IAC, IAC, 13, 0x44]);
    await flush();
    expect(data).toEqual([0x41, 13, 0x42, 13, 0x43, 13, 255, 13, 0x44]);
  });

  it('passes CR NUL unchanged once the client sends binary', async () => {
    const { far, data } = setup('server');
    far.send([IAC, WILL, BINARY, 13, 0, 13, 10]);
    await flush();
    expect(data).toEqual([13, 0, 13, 10]);
  });

  it('escapes what it writes: IAC doubled, bare CR followed by NUL once the peer speaks telnet', async () => {
    const { telnet, far } = setup('server');
    await flush();
    far.received.length = 0;
    // A raw TCP client (no telnet command seen yet): IAC still doubled, but no NULs.
    telnet.write(Uint8Array.from([0x41, 255, 13, 10, 13]));
    await flush();
    expect(far.received).toEqual([0x41, 255, 255, 13, 10, 13]);
    far.send([IAC, DO, ECHO]);
    await flush();
    far.received.length = 0;
    telnet.write(Uint8Array.from([0x41, 255, 13, 10, 13]));
    await flush();
    expect(far.received).toEqual([0x41, 255, 255, 13, 10, 13, 0]);
  });

  it('turns IP into Ctrl-C and answers AYT', async () => {
    const { far, data } = setup('server');
    await flush();
    far.received.length = 0;
    far.send([IAC, IP, IAC, AYT]);
    await flush();
    expect(data).toEqual([3]);
    expect(Buffer.from(far.received).toString('latin1')).toBe('\r\n[Yes]\r\n');
  });
});

describe('TelnetLine as a client (dial-out)', () => {
  it('sends nothing first, lets the service echo and refuses to echo itself', async () => {
    const { telnet, far, data } = setup('client');
    await flush();
    expect(far.received).toEqual([]);
    far.send([IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, ECHO, 0x68, 0x69]);
    await flush();
    expect(far.received).toEqual([IAC, DO, ECHO, IAC, DO, SGA, IAC, WONT, ECHO]);
    expect(data).toEqual([0x68, 0x69]);
    expect(telnet.describeOptions()).toBe('none / peer ECHO SGA');
  });

  it("keeps the service's CR LF (a newline on the terminal), drops the NUL of CR NUL", async () => {
    const { far, data } = setup('client');
    far.send([0x41, 13, 10, 0x42, 13]);
    far.send([0, 0x43, 13]);
    far.send([10]);
    await flush();
    expect(data).toEqual([0x41, 13, 10, 0x42, 13, 0x43, 13, 10]);
  });

  it('closing the line closes the connection both ways', async () => {
    const [near, farEnd] = createLinePair();
    const telnet = new TelnetLine(near, { role: 'client' });
    let closed = 0;
    telnet.onClose(() => closed++);
    farEnd.close();
    await flush();
    expect(closed).toBe(1);
    expect(telnet.isOpen).toBe(false);
  });
});
