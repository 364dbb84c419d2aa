import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Opcode } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { decodeLlmTeachReply, encodeLlmTeachRequest } from '../../protocol/payloads/llmTeach.js';
import { decodeLlmQueryReply, encodeLlmQueryRequest } from '../../protocol/payloads/llmQuery.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { FemtoLlmFactory } from '../../core/femto/FemtoLlm.js';

// Teaching end to end on a real loopback bridge with an LMDB store: REST, /ws with progress,
// the wire's LLM_TEACH, and the lesson surviving a restart of the bridge on the same directory.
const dir = mkdtempSync(join(tmpdir(), 'konomi-teach-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHELL = '$ ls -l\ntotal 8\n-rw-r--r-- 1 ada ada 812 notes.txt\n$ cd src\n$ make\ncc -O2 -Wall -c main.c -o main.o\n$ ./demo -n 3 notes.txt\n';

async function start(): Promise<BridgeServer> {
  return BridgeServer.start({ port: 0, packetPort: 0, logger: new MemoryLogger(), webRoot: '/nonexistent-konomi-web', store: LmdbStore.open(dir) });
}

async function http(server: BridgeServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function session(server: BridgeServer): Promise<Session> {
  const s = new Session(await connectTcpLine('127.0.0.1', server.packetAddress.port), { name: 'teach-test' });
  await s.hello({ name: 'teach-test' });
  return s;
}

describe('teaching over REST, /ws and the wire, durable across a restart (LMDB)', () => {
  let taughtValue: any;
  let answerBefore: string;

  it('POST /llm/teach teaches one instance and GET /value shows it; bad bodies name the field', async () => {
    const server = await start();
    try {
      expect((await http(server, 'GET', '/value?x=5&y=6&z=7')).json.llm).toEqual({ taught: false });
      const r = await http(server, 'POST', '/llm/teach', { x: 5, y: 6, z: 7, text: SHELL.repeat(3), steps: 30 });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ x: 5, y: 6, z: 7, id: 'llm:5,6,7', steps: 30, stoppedEarly: false });
      expect(r.json.bitsAfter).toBeLessThan(r.json.bitsBefore - 0.5);
      const value = await http(server, 'GET', '/value?x=5&y=6&z=7');
      expect(value.json.llm).toEqual({ taught: true, steps: 30, textBytes: SHELL.length * 3, bitsBefore: r.json.bitsBefore, bitsAfter: r.json.bitsAfter });
      taughtValue = value.json.llm;
      // Only that instance learned.
      expect((await http(server, 'GET', '/value?x=5&y=6&z=8')).json.llm).toEqual({ taught: false });

      const tooLong = await http(server, 'POST', '/llm/teach', { x: 1, y: 1, z: 1, text: 'a'.repeat(4097) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.json.error.field).toBe('text');
      const tooMany = await http(server, 'POST', '/llm/teach', { x: 1, y: 1, z: 1, text: 'ab', steps: 1001 });
      expect(tooMany.status).toBe(400);
      expect(tooMany.json.error.field).toBe('steps');
      const short = await http(server, 'POST', '/llm/teach', { x: 1, y: 1, z: 1, text: 'a' });
      expect(short.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'text' });

      answerBefore = (await http(server, 'POST', '/llm/process', { x: 5, y: 6, z: 7, prompt: '$ ', maxTokens: 12 })).json.text;
    } finally {
      await server.stop();
    }
  });

  it('survives a restart: GET /value and the answers are those of the taught instance', async () => {
    const server = await start();
    try {
      expect((await http(server, 'GET', '/value?x=5&y=6&z=7')).json.llm).toEqual(taughtValue);
      const s = await session(server);
      const q = decodeLlmQueryReply((await s.request(Opcode.LLM_QUERY, encodeLlmQueryRequest({ x: 5, y: 6, z: 7, maxTokens: 12, prompt: '$ ' }))).payload);
      // The same teaching and the same two requests without a restart: the lesson (and κ, moved
      // by the answer before the restart) came back, so the answer is that of the taught model.
      const control = await Konomi.open({ llmFactory: new FemtoLlmFactory() });
      await control.llm.teach(5, 6, 7, SHELL.repeat(3), { steps: 30 });
      expect(control.llm.query(5, 6, 7, '$ ', 12).text).toBe(answerBefore);
      expect(q.text).toBe(control.llm.query(5, 6, 7, '$ ', 12).text);
      await control.close();
      await s.close();
    } finally {
      await server.stop();
    }
  });

  it('/ws teach sends a teach event per step, then its answer; LLM_TEACH on the wire answers steps and bits', async () => {
    const server = await start();
    try {
      const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const messages: any[] = [];
      const answered = new Promise<any>((resolve) =>
        ws.on('message', (data) => {
          const m = JSON.parse(String(data));
          messages.push(m);
          if (m.type === 'teach' || m.type === 'error') resolve(m);
        }),
      );
      ws.send(JSON.stringify({ type: 'teach', id: 7, x: 9, y: 9, z: 9, text: SHELL, steps: 12 }));
      const reply = await answered;
      ws.close();
      expect(reply).toMatchObject({ type: 'teach', id: 7, ok: true, steps: 12, llm: 'llm:9,9,9' });
      const progress = messages.filter((m) => m.type === 'event' && m.event === 'teach').map((m) => m.data);
      expect(progress.filter((p) => !p.done).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(progress.every((p) => p.done || (p.loss > 0 && p.steps === 12 && p.x === 9))).toBe(true);
      expect(progress.at(-1)).toMatchObject({ done: true, bitsBefore: reply.bitsBefore, bitsAfter: reply.bitsAfter });

      const s = await session(server);
      const wire = decodeLlmTeachReply((await s.request(Opcode.LLM_TEACH, encodeLlmTeachRequest({ x: 2, y: 3, z: 4, steps: 0, text: SHELL }))).payload);
      expect(wire.steps).toBe(100);
      expect(wire.bitsAfter).toBeLessThan(wire.bitsBefore);
      expect((await http(server, 'GET', '/value?x=2&y=3&z=4')).json.llm).toMatchObject({ taught: true, steps: 100, bitsAfter: wire.bitsAfter });
      // Steps above the maximum never reach the core: the payload does not decode.
      const bad = new Uint8Array(encodeLlmTeachRequest({ x: 2, y: 3, z: 4, steps: 1, text: 'ab' }));
      bad[6] = 0x03;
      bad[7] = 0xe9;
      await expect(s.request(Opcode.LLM_TEACH, bad)).rejects.toMatchObject({ code: 'BAD_PAYLOAD' });
      await expect(s.request(Opcode.LLM_TEACH, encodeLlmTeachRequest({ x: 2, y: 3, z: 4, steps: 1, text: 'a' }))).rejects.toBeInstanceOf(ProtocolError);
      await s.close();
    } finally {
      await server.stop();
    }
  });
});
