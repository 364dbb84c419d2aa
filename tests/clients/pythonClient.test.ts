import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { ledgerHeadView } from '../../bridge/service/coreViews.js';

const run = promisify(execFile);
let server: BridgeServer;

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0 });
});
afterAll(async () => {
  await server.stop();
});

describe('Python client written from docs/PROTOCOL.md', () => {
  it('does HELLO, PING, BLOCK_SET and BLOCK_GET over TCP and sees OUT_OF_RANGE', async () => {
    const { stdout } = await run('python3', ['tests/clients/konomi_client.py', '127.0.0.1', String(server.packetAddress.port)], { timeout: 20_000 });
    const steps = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(steps[0]).toEqual({ step: 'hello', peer: 'konomi-bridge' });
    expect(steps[1]).toEqual({ step: 'ping', echo: Buffer.from('\x7e\x7d hello', 'latin1').toString('hex') });
    expect(steps[2]).toMatchObject({ step: 'block_set', hash: ledgerHeadView(server.service.konomi.grid).hash });
    expect(steps[3]).toMatchObject({ step: 'block_get', active: 1, value: 3.25 });
    expect(steps[3]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(steps[3]!.hash).not.toBe('0'.repeat(64));
    expect(steps[4]).toEqual({ step: 'out_of_range', error: 'OUT_OF_RANGE' });
  });
});
