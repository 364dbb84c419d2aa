// The bridge on its own process for bench/bridge.ts, so client and server do not share an event
// loop; default limits (a well-behaved client never meets them), memory store.
import { BridgeServer } from '../bridge/server/BridgeServer.js';

const server = await BridgeServer.start({ port: 0, packetPort: 0 });
await server.service.setCell(1, 2, 3, 4.5);
process.stdout.write(`${JSON.stringify({ packetPort: server.packetAddress.port })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
