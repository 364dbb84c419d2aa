// The bridge on its own process for bench/bridge.ts, so client and server do not share an event loop.
import { BridgeServer } from '../bridge/server/BridgeServer.js';

const server = await BridgeServer.start({
  port: 0,
  packetPort: 0,
  limits: { requestsPerSecond: 1e9, requestBurst: 1e9, maxOutstanding: 1024 },
});
await server.service.setCell(1, 2, 3, 4.5);
process.stdout.write(`${JSON.stringify({ packetPort: server.packetAddress.port })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
