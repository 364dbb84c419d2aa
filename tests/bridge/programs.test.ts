import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../bridge/cli/main.js';
import { openLine } from '../../bridge/lines/openLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';
import { Opcode } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { decodeProgramReply, encodeProgramRequest, ProgramOperation, type ProgramRequest } from '../../protocol/payloads/program.js';
import { recordingCliIo } from '../support/recordingCliIo.js';

const LIFE = '10 PRINT "κ LIFE"\n20 END\n';
const servers: BridgeServer[] = [];

async function start(dir?: string): Promise<BridgeServer> {
  const server = await BridgeServer.start({ port: 0, packetPort: 0, ...(dir ? { store: LmdbStore.open(dir) } : {}) });
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** One PROGRAM request over the bridge's real packet port (TCP on loopback). */
async function program(server: BridgeServer, request: ProgramRequest): Promise<ReturnType<typeof decodeProgramReply>> {
  const line = await openLine(`tcp://127.0.0.1:${server.packetAddress.port}`, { timeoutMs: 5000 });
  const session = new Session(line, { name: 'programs-test' });
  try {
    const reply = await session.request(Opcode.PROGRAM, encodeProgramRequest(request), { timeoutMs: 5000 });
    return decodeProgramReply(request.operation, reply.payload);
  } finally {
    session.close();
    line.close();
  }
}

async function refusal(promise: Promise<unknown>): Promise<ProtocolError> {
  const e = await promise.then(
    () => expect.fail('resolved'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProtocolError);
  return e as ProtocolError;
}

describe('PROGRAM over the packet port', () => {
  it('a program over one message: SAVE + APPENDs on LMDB, READ in pieces, LOAD refuses it (TOO_LARGE), REST serves it whole', async () => {
    const server = await start(mkdtempSync(join(tmpdir(), 'programs-big-')));
    const piece = `${'10 PRINT "κ"\n'.repeat(4000)}`; // 56,000 bytes
    await program(server, { operation: ProgramOperation.SAVE, name: 'big', text: piece });
    expect(await program(server, { operation: ProgramOperation.APPEND, name: 'BIG', text: piece })).toEqual({ operation: 5 });
    expect((await refusal(program(server, { operation: ProgramOperation.APPEND, name: 'NONE', text: 'x' }))).code).toBe('NOT_FOUND');
    expect((await refusal(program(server, { operation: ProgramOperation.LOAD, name: 'BIG' }))).message).toMatch(/112000 bytes.*READ it in pieces/);
    let text = '';
    for (let offset = 0; ; ) {
      const part = (await program(server, { operation: ProgramOperation.READ, name: 'big', offset })) as { size: number; text: string };
      expect(part.size).toBe(112000);
      text += part.text;
      offset += Buffer.byteLength(part.text);
      if (offset >= part.size) break;
    }
    expect(text).toBe(piece + piece);
    expect((await refusal(program(server, { operation: ProgramOperation.READ, name: 'BIG', offset: 112001 }))).code).toBe('OUT_OF_RANGE');
    expect(await (await fetch(`${server.httpUrl}/programs/big`)).text()).toBe(piece + piece);
  });

  it('saves, lists, loads and deletes; names are case-insensitive; errors are NOT_FOUND, TOO_LARGE, BAD_PAYLOAD, UNSUPPORTED', async () => {
    const server = await start();
    expect(await program(server, { operation: ProgramOperation.SAVE, name: 'life', text: LIFE })).toEqual({ operation: 1 });
    const listed = await program(server, { operation: ProgramOperation.LIST });
    expect(listed).toEqual({ operation: 3, programs: [{ name: 'LIFE', size: 26, updated: expect.any(Number) }] });
    expect(Math.abs((listed as { programs: { updated: number }[] }).programs[0]!.updated - Date.now() / 1000)).toBeLessThan(60);
    expect(await program(server, { operation: ProgramOperation.LOAD, name: 'Life' })).toEqual({ operation: 2, text: LIFE });
    expect(await program(server, { operation: ProgramOperation.DELETE, name: 'LIFE' })).toEqual({ operation: 4 });
    expect((await refusal(program(server, { operation: ProgramOperation.LOAD, name: 'LIFE' }))).code).toBe('NOT_FOUND');
    expect((await refusal(program(server, { operation: ProgramOperation.DELETE, name: 'LIFE' }))).code).toBe('NOT_FOUND');

    // Raw payloads the encoder would refuse to build: the bridge's decoder names them.
    const raw = async (payload: number[]): Promise<ProtocolError> => {
      const line = await openLine(`tcp://127.0.0.1:${server.packetAddress.port}`, { timeoutMs: 5000 });
      const session = new Session(line, { name: 'programs-test' });
      try {
        return await refusal(session.request(Opcode.PROGRAM, Uint8Array.from(payload), { timeoutMs: 5000 }));
      } finally {
        session.close();
        line.close();
      }
    };
    const badName = await raw([2, 3, 0x41, 0x20, 0x42]);
    expect([badName.code, badName.message]).toEqual(['BAD_PAYLOAD', expect.stringMatching(/may hold only A-Z/)]);
    expect((await raw([9])).code).toBe('UNSUPPORTED');
    expect((await raw([3, 0])).code).toBe('BAD_PAYLOAD');
    const big = [1, 3, 0x42, 0x49, 0x47, ...new Uint8Array(64 * 1024 + 1).fill(0x41)];
    expect((await raw(big)).code).toBe('TOO_LARGE');
  });
});

describe('REST /programs', () => {
  it('PUT text/plain, GET the list and the text, DELETE; 4xx naming the problem', async () => {
    const server = await start();
    const url = (path = '') => `${server.httpUrl}/programs${path}`;
    const put = await fetch(url('/life'), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: LIFE });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ name: 'LIFE', size: 26, updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const list = await (await fetch(url())).json();
    expect(list).toEqual({ programs: [{ name: 'LIFE', size: 26, updated: expect.any(String) }] });
    const get = await fetch(url('/LIFE'));
    expect(get.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await get.text()).toBe(LIFE);
    // What the wire saved, REST reads: one store.
    expect(await program(server, { operation: ProgramOperation.LOAD, name: 'LIFE' })).toEqual({ operation: 2, text: LIFE });

    const error = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: object }).error });
    expect(await error(await fetch(url('/no%20way')))).toMatchObject({ status: 400, code: 'BAD_REQUEST', field: 'name' });
    expect(await error(await fetch(url('/' + 'X'.repeat(33))))).toMatchObject({ status: 400, message: expect.stringMatching(/at most 32/) });
    expect(await error(await fetch(url('/NOPE')))).toMatchObject({ status: 404, code: 'NOT_FOUND', message: expect.stringMatching(/NOPE/) });
    expect(
      await error(await fetch(url('/X'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '"10 END"' })),
    ).toMatchObject({ status: 415, message: expect.stringMatching(/text\/plain/) });
    expect(
      await error(await fetch(url('/X'), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(1024 * 1024 + 1) })),
    ).toMatchObject({ status: 413, code: 'TOO_LARGE' });
    expect(
      await error(await fetch(url('/X'), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: Uint8Array.from([0x31, 0xff]) })),
    ).toMatchObject({ status: 400, field: 'body', message: expect.stringMatching(/UTF-8/) });
    expect((await fetch(url('/life'), { method: 'DELETE' })).status).toBe(204);
    expect(await error(await fetch(url('/life'), { method: 'DELETE' }))).toMatchObject({ status: 404 });
    expect(await (await fetch(url())).json()).toEqual({ programs: [] });
  });

  it('programs survive a bridge restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-programs-'));
    let server = await start(dir);
    await program(server, { operation: ProgramOperation.SAVE, name: 'KEEP', text: LIFE });
    await servers.pop()!.stop();
    server = await start(dir);
    expect(await (await fetch(`${server.httpUrl}/programs/keep`)).text()).toBe(LIFE);
  });
});

describe('konomi program', () => {
  it('put FILE (named by its stem), list, get, rm; exit 1 with the bridge\'s error; exit 2 on bad arguments', async () => {
    const server = await start();
    const api = ['--api', server.httpUrl];
    const dir = mkdtempSync(join(tmpdir(), 'konomi-program-cli-'));
    const file = join(dir, 'life.bas');
    writeFileSync(file, LIFE);
    const run = async (...argv: string[]) => {
      const io = recordingCliIo();
      const code = await main(['program', ...argv, ...api], io);
      return { code, out: io.stdout, err: io.stderr };
    };
    expect(await run('put', file)).toEqual({ code: 0, out: 'saved LIFE (26 bytes)\n', err: '' });
    expect(await run('put', file, '--name', 'other_1')).toMatchObject({ code: 0, out: 'saved OTHER_1 (26 bytes)\n' });
    const list = await run('list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^NAME\s+BYTES\s+UPDATED\nLIFE\s+26\s+\d{4}-.*\nOTHER_1\s+26\s+\d{4}-.*\n$/);
    const got = recordingCliIo();
    expect(await main(['program', 'get', 'life', ...api], got)).toBe(0);
    expect(Buffer.from(got.bytes).toString('utf8')).toBe(LIFE);
    expect(await run('rm', 'LIFE')).toMatchObject({ code: 0, out: 'deleted LIFE\n' });
    expect(await run('get', 'LIFE')).toMatchObject({ code: 1, err: expect.stringMatching(/NOT_FOUND: no program LIFE/) });
    expect(await run('rm', 'LIFE')).toMatchObject({ code: 1, err: expect.stringMatching(/NOT_FOUND/) });
    expect(await run('put', join(dir, 'missing.bas'))).toMatchObject({ code: 1, err: expect.stringMatching(/cannot read/) });

    for (const argv of [[], ['frob'], ['put'], ['get'], ['get', 'a b'], ['rm', 'A', 'B'], ['list', 'X'], ['get', 'A', '--name', 'B'], ['put', join(dir, 'bad name.bas')]]) {
      const r = await run(...argv);
      expect(r.code, JSON.stringify(argv)).toBe(2);
      expect(r.err).toMatch(/Usage: konomi/);
    }
  });

  it('exits 1 when no bridge answers', async () => {
    const io = recordingCliIo();
    expect(await main(['program', 'list', '--api', 'http://127.0.0.1:9'], io)).toBe(1);
    expect(io.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/programs/);
  });
});
