// Round trips of the bridge over TCP (window 1 and 8) against redis-benchmark GET at the same
// pipeline depth, and PING to XP10 over serial0 in v86 (unpaced). Run: npx tsx bench/bridge.ts
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Opcode } from '../protocol/constants.js';
import type { Line } from '../protocol/Line.js';
import { Session } from '../protocol/Session.js';
import { encodeBlockGetRequest } from '../protocol/payloads/blockGet.js';
import { Xp10Machine } from '../bridge/emulator/Xp10Machine.js';
import { connectTcpLine } from '../bridge/lines/TcpLine.js';

interface Row {
  what: string;
  depth: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
}

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** `depth` workers each keep one request in flight: at most `depth` outstanding, like a pipeline. */
async function measure(line: Line, what: string, opcode: number, payload: Uint8Array, depth: number, requests: number, greet = true): Promise<Row> {
  const session = new Session(line, { name: 'bench', window: Math.max(depth, 1), initialRtoMs: 2000 });
  // XP10 greets first and expects an answer; the session's built-in HELLO handling gives it.
  if (greet) await session.hello({ window: Math.max(depth, 1) });
  for (let i = 0; i < 200; i++) await session.request(opcode, payload);
  const latencies = new Float64Array(requests);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        await session.request(opcode, payload);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  session.close();
  latencies.sort();
  return { what, depth, requests, rps: requests / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function startBridge(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bridgeServerChild.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, port: (JSON.parse(first) as { packetPort: number }).packetPort };
}

function redisRows(depth: number): Row | undefined {
  const port = 6390;
  let server: ChildProcess | undefined;
  try {
    server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    execFileSync('sh', ['-c', `for i in $(seq 50); do redis-cli -p ${port} ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1`]);
    execFileSync('redis-cli', ['-p', String(port), 'set', 'key:__rand_int__', 'x']);
    const csv = execFileSync('redis-benchmark', ['-p', String(port), '-t', 'get', '-n', String(REQUESTS * 2), '-c', '1', '-P', String(depth), '--csv'], { encoding: 'utf8' });
    const line = csv.trim().split('\n').find((l) => l.startsWith('"GET"'));
    if (!line) return undefined;
    const cols = line.split(',').map((c) => Number(c.replace(/"/g, '')));
    return { what: 'redis GET', depth, requests: REQUESTS * 2, rps: cols[1]!, p50: cols[4]!, p99: cols[6]! };
  } catch (err) {
    console.error(`redis-benchmark unavailable: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    server?.kill('SIGTERM');
  }
}

async function xp10Ping(): Promise<Row> {
  const machine = new Xp10Machine();
  await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
  const row = await measure(machine.serial0, 'PING XP10 serial0 (v86)', Opcode.PING, new Uint8Array(16), 1, Math.min(REQUESTS, 2000));
  await machine.destroy();
  return row;
}

const rows: Row[] = [];
const { child, port } = await startBridge();
try {
  for (const depth of [1, 8]) {
    rows.push(await measure(await connectTcpLine('127.0.0.1', port), 'bridge PING tcp', Opcode.PING, new Uint8Array(16), depth, REQUESTS));
    rows.push(await measure(await connectTcpLine('127.0.0.1', port), 'bridge BLOCK_GET tcp', Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 1, y: 2, z: 3 }), depth, REQUESTS));
    const redis = redisRows(depth);
    if (redis) rows.push(redis);
  }
} finally {
  child.kill('SIGTERM');
}
rows.push(await xp10Ping());

console.log('| test | depth | requests | round trips/s | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.what} | ${r.depth} | ${r.requests} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} |`);
}
