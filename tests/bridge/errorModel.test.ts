import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { ERROR_TABLE } from '../../protocol/errors/errorTable.js';
import { encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';

// One refusal, asked on the packet port and over REST, reads the same on both: one code from
// ERROR_TABLE per side, the same message, and the code never inside the message.
let server: BridgeServer;

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0, logger: new MemoryLogger(), webRoot: '/nonexistent-konomi-web' });
});
afterAll(async () => {
  await server.stop();
});

describe('a write while the system is held', () => {
  it('is UNSUPPORTED on the wire (not BUSY) and 409 NOT_RUNNING over REST, with the same message', async () => {
    server.service.konomi.command('hold');
    try {
      const line = await connectTcpLine('127.0.0.1', server.packetAddress.port);
      const session = new Session(line, { name: 'held-test' });
      let wire: ProtocolError | undefined;
      try {
        await session.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x: 1, y: 1, z: 1, value: 2 }));
      } catch (err) {
        wire = err as ProtocolError;
      } finally {
        session.close();
        line.close();
      }
      expect(wire).toBeInstanceOf(ProtocolError);
      expect(wire).toMatchObject({ code: ERROR_TABLE.NOT_RUNNING.wire, remote: true });
      expect(wire!.code).toBe('UNSUPPORTED');

      const res = await fetch(`${server.httpUrl}/value`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 1, y: 1, z: 1, value: 2 }) });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status).toBe(409);
      expect(body.error.code).toBe('NOT_RUNNING');
      expect(body.error.message).not.toMatch(/NOT_RUNNING/);
      expect(wire!.message).toBe(body.error.message);
    } finally {
      server.service.konomi.command('unhold');
    }
  }, 60_000);
});
