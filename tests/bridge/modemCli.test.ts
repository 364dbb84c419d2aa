import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { main } from '../../bridge/cli/main.js';
import { recordingCliIo } from '../support/recordingCliIo.js';

const io = recordingCliIo;

describe('konomi start: modem options', () => {
  it('refuses bad --telnet, --dial-allow and --modem-serial values with usage and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--telnet', '70000'], /--telnet must be at most 65535/],
      [['--telnet', 'two'], /--telnet must be a whole number/],
      [['--dial-allow', 'bbs.example.org'], /--dial-allow: "bbs.example.org" is not HOST:PORT/],
      [['--dial-allow', '10.0.0.1:0'], /--dial-allow: "10.0.0.1:0" is not HOST:PORT/],
      [['--modem-serial', '/dev/ttyS0@fast'], /--modem-serial: "\/dev\/ttyS0@fast" is not \/dev\/ttyX\[@baud\]/],
    ];
    for (const [args, message] of cases) {
      const out = io();
      expect(await main(['start', '--ephemeral', ...args], out), args.join(' ')).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stderr).toMatch(/Usage: konomi/);
    }
  });

  it('--telnet PORT: prints the telnet address, answers AT with OK there, stops on interrupt', async () => {
    const out = io();
    const done = main(['start', '--ephemeral', '--port', '0', '--packet-port', '0', '--telnet', '0', '--dial-allow', 'bbs.example.org:23'], out);
    let port = 0;
    for (let i = 0; i < 200 && !port; i++) {
      const m = /telnet 127\.0\.0\.1 (\d+)/.exec(out.stdout);
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 25));
    }
    expect(port).toBeGreaterThan(0);
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const socket = connect({ port, host: '127.0.0.1' }, () => socket.write('AT\r'));
      socket.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (/OK\r\n/.test(got)) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
    });
    expect(text).toMatch(/AT\r\r\nOK\r\n$/);
    out.stop();
    expect(await done).toBe(0);
  }, 30_000);
});
