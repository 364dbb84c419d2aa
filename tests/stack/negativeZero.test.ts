import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyInclusionProof, type InclusionProof } from '../../core/ledger/Merkle.js';
import { encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { KonomiProcess } from './konomiProcess.js';
import { PacketClient } from './PacketClient.js';
import { missingServices, TestServices } from './services.js';

/**
 * -0 through the real front doors of a real `konomi start`, then a restart on the same data:
 * the entry hashed and the value stored must be the same bytes (docs/CORE.md, canonical values).
 */

const NEGATIVE_ZERO_BITS = '8000000000000000';

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

async function proof(bridge: KonomiProcess, x: number, y: number, z: number): Promise<InclusionProof> {
  const p = await getJson(`${bridge.url}/ledger/proof?x=${x}&y=${y}&z=${z}`);
  return { ...(p as unknown as InclusionProof), path: (p.path as string[]).map(fromHex), root: fromHex(p.root as string) };
}

interface Before {
  head: Record<string, unknown>;
  proofs: InclusionProof[];
}

/** Writes -0 by REST and by BLOCK_SET (sign bit set on the wire), checks the replies, takes proofs. */
async function writeNegativeZeros(bridge: KonomiProcess): Promise<Before> {
  const res = await fetch(`${bridge.url}/value`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"x":1,"y":1,"z":1,"value":-0}',
  });
  expect(res.status).toBe(200);

  const payload = encodeBlockSetRequest({ x: 2, y: 2, z: 2, value: -0 });
  expect(Buffer.from(payload.subarray(payload.length - 8)).toString('hex')).toBe(NEGATIVE_ZERO_BITS);
  const client = await PacketClient.connect(bridge.packetPort);
  try {
    await client.blockSet(2, 2, 2, -0);
    const read = await client.blockGet(2, 2, 2);
    expect(read.active).toBe(true);
    expect(Object.is(read.value, 0)).toBe(true);
    await client.blockSet(3, 3, 3, 7.25);
  } finally {
    client.close();
  }
  expect(await getJson(`${bridge.url}/ledger/verify`)).toMatchObject({ valid: true });
  const proofs = [await proof(bridge, 1, 1, 1), await proof(bridge, 2, 2, 2), await proof(bridge, 3, 3, 3)];
  for (const p of proofs) expect(verifyInclusionProof(p)).toBe(true);
  return { head: await getJson(`${bridge.url}/ledger/head`), proofs };
}

/** After the restart: same head, valid chain, and the proofs issued before verify against today's root. */
async function checkAfterRestart(bridge: KonomiProcess, before: Before): Promise<void> {
  expect(await getJson(`${bridge.url}/ledger/head`)).toEqual(before.head);
  const verification = await getJson(`${bridge.url}/ledger/verify`);
  expect(verification).toEqual({ valid: true, length: before.head.length });
  const root = (await proof(bridge, 3, 3, 3)).root;
  for (const p of before.proofs) expect(verifyInclusionProof(p, root)).toBe(true);
  const cell = await getJson(`${bridge.url}/value?x=1&y=1&z=1`);
  expect(cell).toMatchObject({ active: true, value: 0 });
}

describe('-0 across a restart of konomi start', () => {
  it('on LMDB (--data): /ledger/verify stays valid and earlier proofs still verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-negzero-'));
    const env = { DB_URL: '', REDIS_URL: '', TOKEN: '', KONOMI_TOKEN: '' };
    try {
      const first = await KonomiProcess.start({ args: ['--data', dir], env });
      const before = await writeNegativeZeros(first).finally(() => first.stop());
      expect(first.exitCode).toBe(0);
      const second = await KonomiProcess.start({ args: ['--data', dir], env });
      try {
        await checkAfterRestart(second, before);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  const noPostgres = missingServices({ postgres: true });
  describe.skipIf(noPostgres !== undefined)('on PostgreSQL', () => {
    let services: TestServices;
    beforeAll(async () => {
      services = await TestServices.start({ postgres: true });
    });
    afterAll(async () => {
      await services?.stop();
    });

    it('on the same database and chain: /ledger/verify stays valid, every chain verifies, earlier proofs still verify', async () => {
      const env = { DB_URL: services.postgresUrl, REDIS_URL: '', DATA_DIR: '', KONOMI_DATA: '', TOKEN: '', KONOMI_TOKEN: '' };
      const first = await KonomiProcess.start({ args: ['--id', 'negzero'], env });
      const before = await writeNegativeZeros(first).finally(() => first.stop());
      expect(first.exitCode).toBe(0);
      const second = await KonomiProcess.start({ args: ['--id', 'negzero'], env });
      try {
        await checkAfterRestart(second, before);
        expect(await getJson(`${second.url}/ledger/verify-all`)).toMatchObject({ valid: true });
      } finally {
        await second.stop();
      }
    }, 180_000);
  });
});
