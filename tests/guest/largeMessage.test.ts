import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { connectTcpLine, type TcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import type { LineSnapshot } from '../../bridge/dispatch/Dispatcher.js';

/**
 * Issue 11 item 3: a CUBE_MSG to the vertex XP10 hosts, at and just past the limit XP10
 * announces in HELLO (max content 266: 256 fragments of 256 bytes = 65,536 bytes of payload).
 * A CUBE_MSG payload is cube (2) + vertex (1) + text, so text of 65,533 bytes is the largest.
 */
const LIMIT = 65_536;
const CUBE_MSG_HEADER = 3;

let server: BridgeServer;
let guest: AttachedGuest;
let tcp: TcpLine;
let script: Session;

function guestLine(): LineSnapshot | undefined {
  return server.dispatcher.lines().find((l) => l.kind === 'v86' && l.vertices.length > 0);
}

/** Text of `length` ASCII bytes whose end is recognisable, so a lost tail would show. */
function textOf(length: number): string {
  const tail = '<end>';
  return 'x'.repeat(length - tail.length) + tail;
}

async function ask(textLength: number) {
  const payload = encodeCubeMsgRequest({ cube: 1, vertex: 0, text: textOf(textLength) });
  return script.request(Opcode.CUBE_MSG, payload, { timeoutMs: 60_000 });
}

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0 });
  guest = await attachGuest(server, { memoryMb: 64 });
  const end = Date.now() + 30_000;
  while (!guestLine()) {
    if (Date.now() > end) throw new Error('XP10 never announced its vertex');
    await new Promise((r) => setTimeout(r, 50));
  }
  tcp = await connectTcpLine('127.0.0.1', server.packetAddress.port);
  script = new Session(tcp, { name: 'script' });
}, 60_000);

afterAll(async () => {
  script?.close();
  tcp?.close();
  await guest?.stop();
  await server?.stop();
});

describe('large CUBE_MSG to the vertex XP10 hosts (real v86, real image, real bridge)', () => {
  it('answers 34,000 bytes (more than its 32 KiB COM1 receive ring) without a retransmission', async () => {
    const before = guestLine()!.stats;
    const reply = decodeCubeMsgReply((await ask(34_000 - CUBE_MSG_HEADER)).payload);
    expect(reply.text).toMatch(/^NEU of cube 1 in XP10 \(message \d+, 33997 bytes\) heard: x+$/);
    expect(guestLine()!.stats.retransmits).toBe(before.retransmits);
  }, 60_000);

  it('answers a message of exactly the announced limit, 65,536 bytes, whole', async () => {
    const before = guestLine()!.stats;
    const reply = decodeCubeMsgReply((await ask(LIMIT - CUBE_MSG_HEADER)).payload);
    expect(reply.text).toMatch(/^NEU of cube 1 in XP10 \(message \d+, 65533 bytes\) heard: x+$/);
    expect(guestLine()!.stats.retransmits).toBe(before.retransmits);
  }, 60_000);

  it('refuses one byte more with TOO_LARGE at once: nothing of it is sent to XP10', async () => {
    const before = guestLine()!.stats;
    await expect(ask(LIMIT - CUBE_MSG_HEADER + 1)).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(/hosted by .*65537 bytes exceeds 65536/),
    });
    const after = guestLine()!.stats;
    expect(after.bytesOut).toBe(before.bytesOut);
    expect(after.requestsSent).toBe(before.requestsSent);
  }, 60_000);
});
