import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { Xp10Machine } from '../../bridge/emulator/Xp10Machine.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { connectWebSocketLine, type WebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';

// What the web page does: XP10 runs elsewhere (here: v86 in this process instead of a browser)
// and its serial0 bytes travel over the WebSocket /line/serial0 to the bridge.
let server: BridgeServer;
let machine: Xp10Machine;
let socket: WebSocketLine;

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0 });
  machine = new Xp10Machine();
  await machine.ready;
  socket = await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/line/serial0`);
  socket.onData((chunk) => machine.serial0.write(chunk));
  machine.serial0.onData((chunk) => socket.write(chunk));
}, 60_000);

afterAll(async () => {
  socket?.close();
  await machine?.destroy();
  await server?.stop();
});

describe('XP10 serial0 over the /line/serial0 WebSocket', () => {
  it("registers the guest's vertex and routes a script's CUBE_MSG to it", async () => {
    const end = Date.now() + 20_000;
    while (!server.dispatcher.lines().some((l) => l.kind === 'ws' && l.vertices.length > 0)) {
      if (Date.now() > end) throw new Error('no HELLO from XP10 over the WebSocket');
      await new Promise((r) => setTimeout(r, 50));
    }
    const tcp = await connectTcpLine('127.0.0.1', server.packetAddress.port);
    const session = new Session(tcp, { name: 'script' });
    const reply = decodeCubeMsgReply(
      (await session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'via the browser line' }), { timeoutMs: 15_000 })).payload,
    );
    expect(reply.text).toMatch(/NEU of cube 1 in XP10 .*heard: .*via the browser line/);
    session.close();
    tcp.close();
  });
});
