import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { voteWeight } from '../../core/cube/Consensus.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';

/**
 * A choice vote that real teaching decides (issue 13 §4): three vertices of cube 0 are taught,
 * through POST /llm/teach at their coordinates, a text in which the query is answered "yes"; the
 * six others stay as the shared base made them. Every vertex scores the choices with its own
 * model, so the taught three vote "yes", the rest "no", and CENTRAL's tally is the sum of each
 * side's bounded κ weights. Real FemtoLLM, real bridge on loopback, no stand-ins.
 */
const QUERY = 'Is the grid up?';
/** Cube 0 sits at the origin: its corners are at 0 or 2 on each axis. NEU, NWD and SED. */
const TAUGHT = [
  { name: 'NEU', at: { x: 2, y: 2, z: 2 } },
  { name: 'NWD', at: { x: 0, y: 2, z: 0 } },
  { name: 'SED', at: { x: 2, y: 0, z: 0 } },
];
const LESSON = Array.from({ length: 24 }, () => `${QUERY} yes.\n`).join('');

let server: BridgeServer;

beforeAll(async () => {
  // No κ ticks: the weights stay where the test puts them.
  server = await BridgeServer.start({ port: 0, packetPort: 0, webRoot: '/nonexistent-konomi-web', kappaTickMs: 0 });
});
afterAll(async () => {
  await server.stop();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function vote(): Promise<any> {
  const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
  try {
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({ type: 'collective_think', id: 1, cube: 0, query: QUERY, choices: ['yes', 'no'] }));
    return await new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
  } finally {
    ws.close();
  }
}

describe('a choice vote decided by teaching', () => {
  it('untaught, every vertex says no; three taught vertices say yes and dissent; the tally is the sum of the bounded κ weights', async () => {
    const before = await vote();
    expect(before).toMatchObject({ ok: true, choice: 'no' });
    expect(before.votes.every((v: any) => v.choice === 'no')).toBe(true);

    for (const { at } of TAUGHT) {
      const taught = await post('/llm/teach', { ...at, text: LESSON });
      expect(taught.status).toBe(200);
      expect(taught.json.bitsAfter).toBeLessThan(taught.json.bitsBefore);
    }

    const after = await vote();
    expect(after).toMatchObject({ ok: true, choice: 'no', quorum: false });
    const yes = after.votes.filter((v: any) => v.choice === 'yes').map((v: any) => v.name).sort();
    expect(yes).toEqual(TAUGHT.map((t) => t.name).sort());
    expect(after.dissenting.map((d: any) => d.name).sort()).toEqual(yes);
    for (const v of after.votes) expect(v.weight).toBeCloseTo(voteWeight(v.kappa), 12);
    const sideWeight = (choice: string): number => after.votes.filter((v: any) => v.choice === choice).reduce((s: number, v: any) => s + v.weight, 0);
    const tally = Object.fromEntries(after.tally.map((t: any) => [t.choice, t.weight]));
    expect(tally.yes).toBeCloseTo(sideWeight('yes'), 12);
    expect(tally.no).toBeCloseTo(sideWeight('no'), 12);

    // The cube's own κ record sets the weights: the taught three at κ 1 (3 × 1) still lose to the
    // six at κ 0 (6 × 2/3 = 4), since a weight is bounded to [2/3, 1].
    for (const { name } of TAUGHT) expect((await post('/cubes/0/perturb', { vertex: name, kappa: 1 })).status).toBe(200);
    for (const name of ['NED', 'NWU', 'SEU', 'SWU', 'SWD', 'CENTRAL']) expect((await post('/cubes/0/perturb', { vertex: name, kappa: 0 })).status).toBe(200);
    const weighted = await vote();
    const w = Object.fromEntries(weighted.tally.map((t: any) => [t.choice, t.weight]));
    expect(w.yes).toBeCloseTo(3 * voteWeight(1), 12);
    expect(w.no).toBeCloseTo(6 * voteWeight(0), 12);
    expect(weighted.choice).toBe('no');
  }, 60_000);
});
