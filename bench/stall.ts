// No stalls between lines (issue 16): while one TCP line sends a stream of heavy requests, another
// line PINGs the bridge every 5 ms; the PING latencies show how long the bridge's event loop was
// held. The bridge runs in its own process (bench/stallServerChild.ts), the heavy client in
// another (bench/stallLoaderChild.ts: encoding 1 MB requests would otherwise delay our own PINGs),
// the PING client here.
//   npm run bench:stall [-- --seconds=N] [-- --only=conv2d]   (BENCH_PROFILE=DIR profiles the bridges; rows: no load, 1 MB conv2d on the worker pool, the same on the
//                                   main thread as before, LLM_QUERY bursts, /ledger/verify over
//                                   160 k entries)
// Beside the PINGs each row prints the bridge's own event-loop delay, its main thread's busy time
// per heavy request and its full GCs, which tell the bridge's stalls from the machine's.
// The machine is shared: compare rows of one run, interleaved, not runs.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Opcode } from '../protocol/constants.js';
import { Session } from '../protocol/Session.js';
import { encodeLlmQueryRequest } from '../protocol/payloads/llmQuery.js';
import { connectTcpLine } from '../bridge/lines/TcpLine.js';
import { Random } from '../core/evgpu/Random.js';
import { Tensor } from '../core/evgpu/Tensor.js';
import { TensorOpCode } from '../core/evgpu/TensorOp.js';
import { tensorOpToWire } from '../bridge/dispatch/tensorOpWire.js';

const AIM_P99_MS = 10;
const PING_EVERY_MS = 5;
/** `--only=conv2d`: the baseline and the pooled conv2d row alone (for profiling one load). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const SECONDS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 6);

interface Bridge {
  port: number;
  httpPort: number;
  stop(): Promise<void>;
  /** The bridge's event-loop delay over a row (perf_hooks, inside the bridge): reset at its start, read at its end. */
  resetLoopDelay(): void;
  loopDelay(): Promise<{ p99: number; max: number; busy: number; fullGcs: number; fullGcMax: number }>;
}

async function startBridge(mode: 'pool' | 'inline', ledgerEntries = 0): Promise<Bridge> {
  // BENCH_PROFILE=DIR: the bridges run under `node --cpu-prof --cpu-prof-dir DIR`.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/stallServerChild.ts', mode, String(ledgerEntries)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done === true) throw new Error(`bridge exited with ${child.exitCode}`);
  const { packetPort, httpPort } = JSON.parse(first.value) as { packetPort: number; httpPort: number };
  return {
    port: packetPort,
    httpPort,
    resetLoopDelay: () => void child.stdin!.write('reset\n'),
    loopDelay: async () => {
      child.stdin!.write('report\n');
      const reply = await lines.next();
      return JSON.parse(String(reply.value)) as { p99: number; max: number; busy: number; fullGcs: number; fullGcMax: number };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function session(port: number, name: string): Promise<Session> {
  const line = await connectTcpLine('127.0.0.1', port);
  const s = new Session(line, { name, window: 1, initialRtoMs: 5000 });
  await s.hello();
  return s;
}

interface Row {
  what: string;
  p50: number;
  p99: number;
  max: number;
  pings: number;
  heavy: number;
  seconds: number;
  /** The bridge's own event-loop delay over the row. */
  loopP99: number;
  loopMax: number;
  /** Milliseconds the bridge's event loop was busy over the row. */
  busy: number;
  /** The bridge's full (mark-compact) collections over the row, and the longest, ms. */
  fullGcs: number;
  fullGcMax: number;
}

type Heavy = 'conv2d' | 'llm' | 'ledger';

/** The heavy line's client, in its own process (bench/stallLoaderChild.ts): its work must not delay our PINGs. */
async function startLoader(kind: Heavy, bridge: Bridge): Promise<() => Promise<number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/stallLoaderChild.ts', kind, String(bridge.port), String(bridge.httpPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = await lines.next();
  if (ready.value !== 'ready') throw new Error(`loader ${kind} did not start`);
  return async () => {
    child.kill('SIGTERM');
    const count = await lines.next();
    return Number(count.value);
  };
}

/** PINGs every PING_EVERY_MS on one line while a heavy client (if any) loops on another, for SECONDS. */
async function measure(bridge: Bridge, what: string, heavy?: Heavy): Promise<Row> {
  const pinger = await session(bridge.port, 'pinger');
  for (let i = 0; i < 50; i++) await pinger.request(Opcode.PING, new Uint8Array(8));
  const stopLoader = heavy ? await startLoader(heavy, bridge) : undefined;
  bridge.resetLoopDelay();
  const start = performance.now();
  const latencies: number[] = [];
  while (performance.now() - start < SECONDS * 1000) {
    const t0 = performance.now();
    await pinger.request(Opcode.PING, new Uint8Array(8));
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (ms < PING_EVERY_MS) await new Promise((r) => setTimeout(r, PING_EVERY_MS - ms));
  }
  const seconds = (performance.now() - start) / 1000;
  const loop = await bridge.loopDelay();
  const heavyCount = stopLoader ? await stopLoader() : 0;
  pinger.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { what, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN, pings: latencies.length, heavy: heavyCount, seconds, loopP99: loop.p99, loopMax: loop.max, busy: loop.busy, fullGcs: loop.fullGcs, fullGcMax: loop.fullGcMax };
}

const rows: Row[] = [];
const LEDGER = 160_000;
if (ONLY !== undefined && ONLY !== 'conv2d') throw new Error(`--only=${ONLY}: the only row that runs alone is conv2d`);
const pool = await startBridge('pool', ONLY === undefined ? LEDGER : 0);
const inline = ONLY === undefined ? await startBridge('inline') : undefined;
try {
  // Interleaved: the baseline of each bridge next to its loaded rows.
  rows.push(await measure(pool, 'no heavy load (baseline)'));
  rows.push(await measure(pool, '1 MB conv2d stream, worker pool (issue 16)', 'conv2d'));
  if (inline !== undefined) {
    rows.push(await measure(inline, '1 MB conv2d stream, main thread (before)', 'conv2d'));
    rows.push(await measure(pool, 'LLM_QUERY bursts of 8 (FemtoLLM, 32 tokens)', 'llm'));
    rows.push(await measure(pool, `GET /ledger/verify over ${LEDGER / 1000} k entries (sliced)`, 'ledger'));
  }
  rows.push(await measure(pool, 'no heavy load (baseline, again)'));
} finally {
  await pool.stop();
  await inline?.stop();
}
const baseline = Math.max(rows[0]!.p99, rows[rows.length - 1]!.p99);
console.log(`\n### PING on one line while another line is loaded (${SECONDS} s per row, a PING every ${PING_EVERY_MS} ms)\n`);
console.log('| load on the other line | PING p50 | PING p99 | PING max | PINGs | heavy requests/s | bridge event-loop delay p99 / max | bridge main thread busy per heavy request | bridge full GCs (longest) | aim: p99 < 10 ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const met = r.heavy === 0 ? '—' : r.p99 < AIM_P99_MS ? 'met' : 'not met';
  console.log(`| ${r.what} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(1)} ms | ${r.pings} | ${(r.heavy / r.seconds).toFixed(1)} | ${r.loopP99.toFixed(1)} / ${r.loopMax.toFixed(1)} ms | ${r.heavy === 0 ? `– (${((r.busy / r.seconds / 1000) * 100).toFixed(1)} % busy)` : `${(r.busy / r.heavy).toFixed(2)} ms`} | ${r.fullGcs} (${r.fullGcMax.toFixed(1)} ms) | ${met} |`);
}
console.log(`\nsame-run baseline PING p99 with no heavy load: ${baseline.toFixed(2)} ms (the machine is shared: figures are noisy)`);
