// The bridge on its own process for bench/stall.ts. argv[2] = 'inline' keeps every TENSOR_OP on
// the main thread (the behaviour before issue 16), for the same-run comparison.
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { BridgeServer } from '../bridge/server/BridgeServer.js';

const inline = process.argv[2] === 'inline';
const server = await BridgeServer.start({ port: 0, packetPort: 0, ...(inline ? { service: { poolMinOffloadBytes: Number.POSITIVE_INFINITY, poolMinMultiplyAdds: Number.POSITIVE_INFINITY } } : {}) });
// argv[3] = N: a ledger of N entries first, for the /ledger/verify row.
const entries = Number(process.argv[3] ?? 0);
for (let i = 0; i < entries; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(entries, i + 1000); j++) batch.push(server.service.setCell(j % 1000, Math.floor(j / 1000) % 1000, 7, j));
  await Promise.all(batch);
}
process.stdout.write(`${JSON.stringify({ packetPort: server.packetAddress.port, httpPort: server.httpAddress.port })}\n`);
// The event loop's own view of its delays (1 ms resolution): stdin "reset" starts a row, "report"
// answers its p99 and max in ms. Unlike the PINGs, no client or line is in this figure. `busy`
// is how long the event loop was not idle over the row (ms): the main thread's work, which the
// heavy requests' count turns into a cost per request that moves less with the machine's load.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let rowStart = performance.eventLoopUtilization();
// Full collections (mark-compact) stop the loop for milliseconds: counted per row, with the longest.
let fullGcs = 0;
let fullGcMax = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    fullGcs++;
    fullGcMax = Math.max(fullGcMax, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
createInterface({ input: process.stdin }).on('line', (command) => {
  if (command === 'reset') {
    loop.reset();
    rowStart = performance.eventLoopUtilization();
    fullGcs = 0;
    fullGcMax = 0;
  }
  if (command === 'report') {
    const busy = performance.eventLoopUtilization(rowStart).active;
    process.stdout.write(`${JSON.stringify({ p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, busy, fullGcs, fullGcMax })}\n`);
  }
});
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
