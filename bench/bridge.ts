// The bridge's packet port at steady state beside redis-server in the same run (issue 16):
// one TCP connection with W requests in flight against `redis-benchmark -c 1 -P W`, and 50
// connections with one request each against `redis-benchmark -c 50`, PING and a cell/key read.
// Every bridge row sends ≥ 100,000 requests, so the duplicate cache (16,384 entries) has been
// full for most of the row. CPU per request is the server process's (bridge or redis-server)
// user+system time from /proc over the row, divided by the requests answered.
// Also PING to XP10 over serial0 in v86 (unpaced).
//
// Run: npx tsx bench/bridge.ts   (BENCH_REQUESTS=N to change the row length; BENCH_XP10=0 skips
// the v86 row; BENCH_ROWS=1x16,50x1 picks the scenarios; BENCH_PROFILE=DIR runs the bridge under
// `node --cpu-prof --cpu-prof-dir DIR`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Flag, Opcode } from '../protocol/constants.js';
import { encodeFrame } from '../protocol/encodeFrame.js';
import { FrameDecoder } from '../protocol/FrameDecoder.js';
import type { Line } from '../protocol/Line.js';
import { Session } from '../protocol/Session.js';
import { encodeBlockGetRequest } from '../protocol/payloads/blockGet.js';
import { encodeHello, makeHello } from '../protocol/payloads/hello.js';
import { Xp10Machine } from '../bridge/emulator/Xp10Machine.js';
import { freePort } from '../bridge/stack/freePort.js';

interface Row {
  what: string;
  connections: number;
  depth: number;
  requests: number;
  rps: number;
  /** Server CPU per request, µs (undefined when not measured), and the part of it spent in the kernel. */
  cpuUs: number | undefined;
  kernelUs?: number;
  p50?: number;
  p99?: number;
}

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200_000);
const CLK_TCK = 100;

/** User and system CPU seconds of a process so far (Linux /proc). */
function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/**
 * One connection that pipelines exactly as `redis-benchmark -P depth` does: it writes `depth`
 * requests (each with its own seq) at once and waits for all their replies before the next
 * batch, so both servers see the same traffic pattern. Frames are pre-encoded per seq so the
 * client spends little CPU next to the server.
 */
class PipelinedClient {
  private readonly decoder = new FrameDecoder();
  private sent = 0;
  private answered = 0;
  errors = 0;
  private target = 0;
  private done: (() => void) | undefined;
  private helloDone: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly frames: Uint8Array[],
    private readonly depth: number,
  ) {
    this.decoder.onFrame((frame) => {
      if ((frame.flags & Flag.REPLY) === 0) return;
      if (frame.opcode === Opcode.HELLO) {
        this.helloDone?.();
        return;
      }
      if ((frame.flags & Flag.ERROR) !== 0) this.errors++;
      this.answered++;
    });
    socket.on('data', (chunk: Buffer) => {
      const before = this.answered;
      this.decoder.push(chunk);
      if (this.answered === before) return;
      if (this.answered >= this.target) {
        this.done?.();
        return;
      }
      this.fill();
    });
  }

  static async open(port: number, frames: Uint8Array[], depth: number): Promise<PipelinedClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new PipelinedClient(socket, frames, depth);
    await new Promise<void>((resolve) => {
      client.helloDone = resolve;
      const hello = encodeHello(makeHello({ name: 'bench', window: Math.max(depth, 1), bootId: 1 + Math.floor(Math.random() * 0xfffffffe) }));
      socket.write(encodeFrame({ flags: 0, opcode: Opcode.HELLO, seq: 0, channel: 0, fragment: 0, payload: hello }));
    });
    return client;
  }

  /** Sends `count` more requests, `depth` at a time; resolves when all are answered. */
  run(count: number): Promise<void> {
    this.target = this.answered + count;
    const finished = new Promise<void>((resolve) => (this.done = resolve));
    this.fill();
    return finished;
  }

  close(): void {
    this.socket.destroy();
  }

  private fill(): void {
    if (this.sent !== this.answered) return;
    const room = Math.min(this.depth, this.target - this.sent);
    if (room <= 0) return;
    const batch: Uint8Array[] = [];
    for (let i = 0; i < room; i++) batch.push(this.frames[this.sent++ % this.frames.length]!);
    this.socket.write(Buffer.concat(batch));
  }
}

/** Request frames for seqs 1..65535 (seq 0 carries the HELLO), so no request is a duplicate of a cached one. */
function framesFor(opcode: number, payload: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let seq = 1; seq <= 0xffff; seq++) frames.push(encodeFrame({ flags: 0, opcode, seq, channel: 0, fragment: 0, payload }));
  return frames;
}

async function bridgeRow(bridge: { pid: number; port: number }, what: string, frames: Uint8Array[], connections: number, depth: number): Promise<Row> {
  const clients = await Promise.all(Array.from({ length: connections }, () => PipelinedClient.open(bridge.port, frames, depth)));
  const per = Math.ceil(REQUESTS / connections);
  // Warm up (JIT, caches), then measure.
  await Promise.all(clients.map((c) => c.run(Math.min(per, 2000))));
  const cpu0 = cpuSplit(bridge.pid);
  const t0 = performance.now();
  await Promise.all(clients.map((c) => c.run(per)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSplit(bridge.pid);
  const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  const kernel = cpu1.system - cpu0.system;
  const errors = clients.reduce((n, c) => n + c.errors, 0);
  for (const c of clients) c.close();
  if (errors > 0) throw new Error(`${what}: ${errors} ERROR replies`);
  const requests = per * connections;
  return { what, connections, depth, requests, rps: requests / seconds, cpuUs: (cpu / requests) * 1e6, kernelUs: (kernel / requests) * 1e6 };
}

async function startBridge(): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const profile = process.env.BENCH_PROFILE;
  const node = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const child = spawn(process.execPath, [...node, '--import', 'tsx', 'bench/bridgeServerChild.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, pid: child.pid!, port: (JSON.parse(first) as { packetPort: number }).packetPort };
}

async function startRedis(): Promise<{ server: ChildProcess; port: number }> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  execFileSync('sh', ['-c', `for i in $(seq 50); do redis-cli -p ${port} ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1`]);
  execFileSync('redis-cli', ['-p', String(port), 'set', 'key', 'x']);
  return { server, port };
}

function redisRow(redis: { server: ChildProcess; port: number }, what: string, command: string[], connections: number, depth: number): Row {
  const requests = REQUESTS;
  const cpu0 = cpuSplit(redis.server.pid!);
  const t0 = performance.now();
  const csv = execFileSync('redis-benchmark', ['-p', String(redis.port), '-n', String(requests), '-c', String(connections), '-P', String(depth), '--csv', ...command], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSplit(redis.server.pid!);
  const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  const kernel = cpu1.system - cpu0.system;
  const line = csv.trim().split('\n')[1] ?? '';
  const cols = line.split(',').map((c) => Number(c.replace(/"/g, '')));
  // redis-benchmark's own figure excludes its connection setup; the CPU covers the whole call.
  const rps = Number.isFinite(cols[1]) && cols[1]! > 0 ? cols[1]! : requests / seconds;
  return { what, connections, depth, requests, rps, cpuUs: (cpu / requests) * 1e6, kernelUs: (kernel / requests) * 1e6, p50: cols[4], p99: cols[6] };
}

async function xp10Ping(): Promise<Row> {
  const machine = new Xp10Machine();
  await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
  const row = await sessionRoundTrips(machine.serial0, 'PING XP10 serial0 (v86)', Opcode.PING, new Uint8Array(16), 2000);
  await machine.destroy();
  return row;
}

/** Round trips one at a time through a full Session (what a script does), with latencies. */
async function sessionRoundTrips(line: Line, what: string, opcode: number, payload: Uint8Array, requests: number): Promise<Row> {
  const session = new Session(line, { name: 'bench', window: 1, initialRtoMs: 2000 });
  await session.hello();
  for (let i = 0; i < 200; i++) await session.request(opcode, payload);
  const latencies = new Float64Array(requests);
  const start = performance.now();
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await session.request(opcode, payload);
    latencies[i] = performance.now() - t0;
  }
  const seconds = (performance.now() - start) / 1000;
  session.close();
  latencies.sort();
  const at = (p: number) => latencies[Math.min(requests - 1, Math.floor(p * requests))]!;
  return { what, connections: 1, depth: 1, requests, rps: requests / seconds, cpuUs: undefined, p50: at(0.5), p99: at(0.99) };
}

const ping = framesFor(Opcode.PING, new Uint8Array(16));
const get = framesFor(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 1, y: 2, z: 3 }));
const rows: Row[] = [];
const aims: string[] = [];
const bridge = await startBridge();
const redis = await startRedis();
try {
  // BENCH_ROWS=1x16,50x1 picks scenarios (connections x in flight), e.g. to profile one alone.
  const scenarios = (process.env.BENCH_ROWS ?? '1x16,1x64,50x1').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  for (const [connections, depth] of scenarios) {
    const bp = await bridgeRow(bridge, 'bridge PING', ping, connections, depth);
    const rp = redisRow(redis, 'redis PING', ['PING'], connections, depth);
    const bg = await bridgeRow(bridge, 'bridge BLOCK_GET', get, connections, depth);
    const rg = redisRow(redis, 'redis GET', ['GET', 'key'], connections, depth);
    rows.push(bp, rp, bg, rg);
    if (depth === 16 || connections === 50) {
      const label = connections === 50 ? '50 connections' : `one connection at window ${depth}`;
      aims.push(`${label}: PING ${pct(bp.rps / rp.rps)} of redis, BLOCK_GET ${pct(bg.rps / rg.rps)} of redis GET (aim ≥ 50 %)`);
    }
  }
} finally {
  bridge.child.kill('SIGTERM');
  redis.server.kill('SIGTERM');
  await new Promise((r) => bridge.child.once('exit', r));
}
const worstCpu = Math.max(...rows.filter((r) => r.what.startsWith('bridge')).map((r) => r.cpuUs ?? 0));
aims.push(`bridge CPU per request: at most ${worstCpu.toFixed(2)} µs over the bridge rows (aim ≤ 4 µs)`);
if (process.env.BENCH_XP10 !== '0') rows.push(await xp10Ping());

function pct(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

console.log(`${REQUESTS.toLocaleString('en-US')} requests per row; server CPU = the bridge's or redis-server's process\n`);
console.log('| test | connections | in flight each | requests | requests/s | server CPU µs/request (kernel part) | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const cpu = r.cpuUs === undefined ? '–' : `${r.cpuUs.toFixed(2)} (${(r.kernelUs ?? 0).toFixed(2)})`;
  const p = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
  console.log(`| ${r.what} | ${r.connections} | ${r.depth} | ${r.requests} | ${Math.round(r.rps).toLocaleString('en-US')} | ${cpu} | ${p(r.p50)} | ${p(r.p99)} |`);
}
console.log('');
for (const a of aims) console.log(`- ${a}`);
