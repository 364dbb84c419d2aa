import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../bridge/store/PgStore.js';
import { mortonEncode } from '../../core/block/Morton.js';
import { KonomiProcess } from './konomiProcess.js';
import { PacketClient } from './PacketClient.js';
import { missingServices, TestServices } from './services.js';

const skip = missingServices({ postgres: true });

describe.skipIf(skip !== undefined)('a bridge on PostgreSQL under SIGKILL', () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await TestServices.start({ postgres: true });
  });
  afterAll(async () => {
    await services?.stop();
  });

  it('every acknowledged BLOCK_SET survives kill -9 of the bridge, and its chain verifies', async () => {
    const bridge = await KonomiProcess.start({ env: { DB_URL: services.postgresUrl, REDIS_URL: '', DATA_DIR: '', TOKEN: '' }, args: ['--id', 'solo'] });
    const client = await PacketClient.connect(bridge.packetPort);
    const acked = new Map<number, number>();
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        try {
          await client.blockSet(i % 1000, Math.floor(i / 1000), 7, i + 0.5, 5000);
        } catch {
          return;
        }
        acked.set(i, i + 0.5);
        if (acked.size >= 400 && !killed) {
          killed = true;
          await bridge.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    client.close();
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(400);

    const store = await PgStore.open({ url: services.postgresUrl, chain: 'solo' });
    for (const [i, value] of acked) {
      expect(await store.readCell(0, mortonEncode(i % 1000, Math.floor(i / 1000), 7))).toMatchObject({ active: true, value });
    }
    const verification = await store.verifyChain('solo');
    expect(verification.valid).toBe(true);
    expect(verification.length).toBeGreaterThan(acked.size); // + CREATE_ARRAY of the grid
    await store.close();
  }, 60_000);
});
