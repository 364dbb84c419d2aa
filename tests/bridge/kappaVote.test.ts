import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { ManualClock } from '../../protocol/testing/ManualClock.js';
import { formatChoiceText, parseChoiceReply } from '../../protocol/payloads/cubeChoices.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { FemtoLlmFactory } from '../../core/femto/FemtoLlm.js';
import type { LlmFactory, LlmNode } from '../../core/llm/LlmNode.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';

/**
 * The κ field and choice votes end to end: a real bridge on loopback (FemtoLLM, the real cubes),
 * its /ws JSON API, REST and the packet port; the κ ticks run on a ManualClock so the test
 * counts them. Cube 0 sits at the origin, cube 1 at (4, 0, 0), its spatial neighbour.
 *
 * Until teaching lands, four vertices of cube 0 (NEU, NWD, SED, CENTRAL) stand for "vertices
 * taught a text that favours yes": real FemtoLLM instances whose score of any other choice is
 * lowered by 5 nats per character. The other five are untouched FemtoLLM instances, which on
 * this query prefer "no" by their own parameters.
 */
const FAVOUR_YES = new Set(['2,2,2', '0,2,0', '2,0,0', '1,1,1']);
const QUERY = 'Is the grid up?';

function favouringFactory(): LlmFactory {
  const real = new FemtoLlmFactory();
  return {
    create(x, y, z): LlmNode {
      const node = real.create(x, y, z);
      if (!FAVOUR_YES.has(`${x},${y},${z}`)) return node;
      return Object.assign(Object.create(node) as LlmNode, {
        logProbability: (prompt: string, continuation: string) =>
          node.logProbability(prompt, continuation) - (continuation.trim() === 'yes' ? 0 : 5 * continuation.length),
      });
    },
  };
}

let server: BridgeServer;
const clock = new ManualClock();

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0, webRoot: '/nonexistent-konomi-web', llmFactory: favouringFactory(), clock, kappaTickMs: 1000 });
});
afterAll(async () => {
  await server.stop();
});

/** A /ws client: `request` awaits the reply with its id; `event` awaits the next pushed event of a kind. */
async function openWs() {
  const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
  const inbox: any[] = [];
  const waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    const i = waiters.findIndex((w) => w.match(msg));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg);
    else inbox.push(msg);
  });
  await new Promise((r) => ws.once('open', r));
  const wait = (match: (m: any) => boolean): Promise<any> => {
    const i = inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  let id = 0;
  return {
    ws,
    inbox,
    request: (msg: Record<string, unknown>) => {
      const mine = ++id;
      ws.send(JSON.stringify({ ...msg, id: mine }));
      return wait((m) => m.id === mine);
    },
    event: (kind: string) => wait((m) => m.type === 'event' && m.event === kind),
    /** Drops queued events (they describe states before the next action). */
    drain: () => inbox.splice(0, inbox.length),
  };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const YES_VERTICES = ['NEU', 'NWD', 'SED', 'CENTRAL'];
const NO_VERTICES = ['NED', 'NWU', 'SEU', 'SWU', 'SWD'];

describe('choice votes over /ws, REST and CUBE_MSG', () => {
  it('each vertex votes with its own model; the tally follows the κ weights; the dissenters are named', async () => {
    const c = await openWs();
    expect(await c.request({ type: 'subscribe' })).toMatchObject({ ok: true, events: expect.arrayContaining(['kappa', 'vote']) });
    for (const vertex of [...YES_VERTICES, ...NO_VERTICES]) {
      expect(await c.request({ type: 'perturb', cube: 0, vertex, kappa: 0.6 })).toMatchObject({ ok: true });
    }
    // Equal weights: five "no" against four "yes".
    const equal = await c.request({ type: 'collective_think', cube: 0, query: QUERY, choices: ['yes', 'no'] });
    expect(equal).toMatchObject({ type: 'collective_think', ok: true, cube: 0, choice: 'no', quorum: false, choices: ['yes', 'no'] });
    expect(equal.votes).toHaveLength(9);
    expect(equal.votes.filter((v: any) => v.choice === 'yes').map((v: any) => v.name).sort()).toEqual([...YES_VERTICES].sort());
    expect(equal.dissenting.map((d: any) => d.name).sort()).toEqual([...YES_VERTICES].sort());
    for (const v of equal.votes) expect(v.scores).toHaveLength(2);
    const vote = await c.event('vote');
    expect(vote.data).toMatchObject({ cube: 0, choice: 'no', dissenting: equal.dissenting });

    // The four at κ 1 (weight 1 each) against five at κ 0 (2/3 each): four outweigh five.
    for (const vertex of YES_VERTICES) expect((await post('/cubes/0/perturb', { vertex, kappa: 1 })).status).toBe(200);
    for (const vertex of NO_VERTICES) expect((await post('/cubes/0/perturb', { vertex, kappa: 0 })).json.vertexKappa).toHaveLength(9);
    const heavy = await c.request({ type: 'collective_think', cube: 0, query: QUERY, choices: ['yes', 'no'] });
    expect(heavy).toMatchObject({ choice: 'yes', quorum: false });
    expect(heavy.dissenting.map((d: any) => d.name).sort()).toEqual([...NO_VERTICES].sort());
    expect(heavy.tally[0].weight).toBeGreaterThan(heavy.tally[1].weight);
    expect(heavy.share).toBeCloseTo(heavy.agreeingWeight / heavy.totalWeight, 12);

    // The same vote as a CUBE_MSG text form over the packet port.
    const session = new Session(await connectTcpLine('127.0.0.1', server.packetAddress.port), { name: 'vote-client' });
    const text = formatChoiceText({ choices: ['yes', 'no'], query: QUERY });
    const reply = decodeCubeMsgReply((await session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 0, vertex: 0xff, text }))).payload);
    expect(reply.vertex).toBe(8);
    const parsed = parseChoiceReply(reply.text);
    expect(parsed).toMatchObject({ choice: 'yes', quorum: false });
    expect(parsed.votes.map((v) => (v === 0 ? 'yes' : 'no'))).toEqual(heavy.votes.map((v: any) => v.choice));
    expect(parsed.dissenting.sort()).toEqual(heavy.dissenting.map((d: any) => d.vertex).sort());
    // A malformed ?choices line is refused, the plain collective think still answers.
    await expect(session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 0, vertex: 0xff, text: '?choices yes\nq' }))).rejects.toMatchObject({ code: 'BAD_PAYLOAD' });
    session.close();

    // Bad choices over /ws and REST name the problem.
    expect(await c.request({ type: 'collective_think', cube: 0, query: QUERY, choices: ['yes'] })).toMatchObject({ type: 'error', code: 'BAD_VALUE', message: expect.stringMatching(/2\.\.16 choices/) });
    expect(await c.request({ type: 'perturb', cube: 0, kappa: 2 })).toMatchObject({ type: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/^kappa: must be in 0\.\.1, got 2/) });
    expect((await post('/cubes/0/perturb', { kappa: 'x' })).status).toBe(400);
    expect((await post('/cubes/77/perturb', { kappa: 0.5 })).status).toBe(404);
    c.ws.close();
  });
});

describe('the κ field over /ws', () => {
  it('a perturbed cube pulls its neighbour and relaxes to 0.6 ± 0.05 in under 50 ticks, every cube, CENTRAL and vertex κ on the kappa events', async () => {
    const c = await openWs();
    await c.request({ type: 'subscribe' });
    const perturbed = await post('/cubes/0/perturb', { kappa: 1 });
    expect(perturbed.json).toMatchObject({ id: 0, kappa: 1 });
    let event = await c.event('kappa');
    expect(event.data.cubes[0]).toMatchObject({ id: 0, kappa: 1 });
    c.drain();
    await clock.advance(1000);
    event = await c.event('kappa');
    const [zero, one] = [event.data.cubes.find((x: any) => x.id === 0), event.data.cubes.find((x: any) => x.id === 1)];
    expect(zero.kappa).toBeLessThan(1);
    expect(one.kappa).toBeGreaterThan(0.6);
    expect(zero.vertexKappa).toHaveLength(9);
    expect(zero.central).toBe(zero.vertexKappa[8]);
    const settled = (data: any) => data.cubes.every((x: any) => Math.abs(x.kappa - 0.6) <= 0.05 && x.vertexKappa.every((k: number) => Math.abs(k - 0.6) <= 0.05));
    let ticks = 1;
    while (!settled(event.data)) {
      c.drain();
      await clock.advance(1000);
      event = await c.event('kappa');
      ticks++;
      expect(ticks).toBeLessThan(50);
    }
    // GET /cubes serves the same κ the events carry.
    const cubes = (await (await fetch(`${server.httpUrl}/cubes`)).json()) as { cubes: Array<{ id: number; kappa: number; vertexKappa: number[] }> };
    expect(cubes.cubes.find((x) => x.id === 0)!.kappa).toBe(event.data.cubes.find((x: any) => x.id === 0).kappa);
    c.ws.close();
  });
});

describe('κ visible in answers', () => {
  it('a corner answered by the core reports the κ and temperature it was sampled at, over /ws and REST', async () => {
    const c = await openWs();
    expect(await c.request({ type: 'perturb', cube: 1, vertex: 'NED', kappa: 0.9 })).toMatchObject({ ok: true });
    const ws = await c.request({ type: 'process', cube: 1, vertex: 'NED', text: QUERY });
    expect(ws).toMatchObject({ ok: true, vertex: 1, vertexName: 'NED', answeredBy: 'core', kappaUsed: 0.9 });
    expect(ws.temperature).toBeCloseTo(0.25 + 0.9, 12);
    const rest = await post('/cubes/1/message', { vertex: 'NED', text: QUERY });
    expect(rest.status).toBe(200);
    expect(rest.json).toMatchObject({ cube: 1, vertexName: 'NED', answeredBy: 'core' });
    expect(typeof rest.json.kappaUsed).toBe('number');
    expect(rest.json.temperature).toBeCloseTo(0.25 + rest.json.kappaUsed, 12);
    c.ws.close();
  });
});
