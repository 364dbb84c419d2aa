// No stalls between lines (issue 16): while one TCP line sends a stream of heavy requests, another
// line PINGs the bridge every 5 ms; the PING latencies show how long the bridge's event loop was
// held. The bridge runs in its own process (bench/stallServerChild.ts), the clients here.
//   npm run bench:stall            (rows: no load, 1 MB conv2d on the worker pool, the same on the
//                                   main thread as before, LLM_QUERY bursts, /ledger/verify over
//                                   160 k entries)
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
const SECONDS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 6);

interface Bridge {
  port: number;
  httpPort: number;
  stop(): Promise<void>;
}

async function startBridge(mode: 'pool' | 'inline', ledgerEntries = 0): Promise<Bridge> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/stallServerChild.ts', mode, String(ledgerEntries)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code}`)));
  });
  const { packetPort, httpPort } = JSON.parse(first) as { packetPort: number; httpPort: number };
  return {
    port: packetPort,
    httpPort,
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

function conv2dMegabyte(): Uint8Array {
  const rng = new Random(16);
  const fill = (shape: number[]) => {
    const t = Tensor.zeros(shape);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.next() * 2 - 1;
    return t;
  };
  // 16×126×126 floats in (1.0 MB), 16 filters of 3×3: about 0.3 s of CPU on the main thread.
  return tensorOpToWire(TensorOpCode.conv2d, [fill([1, 16, 126, 126]), fill([16, 16, 3, 3])], [1, 1]);
}

interface Row {
  what: string;
  p50: number;
  p99: number;
  max: number;
  pings: number;
  heavy: number;
  seconds: number;
}

/** PINGs every PING_EVERY_MS on one line while `heavy` (if any) loops on another, for SECONDS. */
async function measure(port: number, what: string, heavy?: (s: Session) => Promise<void>): Promise<Row> {
  const pinger = await session(port, 'pinger');
  const loader = heavy ? await session(port, 'loader') : undefined;
  for (let i = 0; i < 50; i++) await pinger.request(Opcode.PING, new Uint8Array(8));
  let done = false;
  let heavyCount = 0;
  const start = performance.now();
  const heavyLoop = (async () => {
    if (!heavy || !loader) return;
    while (!done) {
      await heavy(loader);
      heavyCount++;
    }
  })();
  const latencies: number[] = [];
  while (performance.now() - start < SECONDS * 1000) {
    const t0 = performance.now();
    await pinger.request(Opcode.PING, new Uint8Array(8));
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (ms < PING_EVERY_MS) await new Promise((r) => setTimeout(r, PING_EVERY_MS - ms));
  }
  done = true;
  await heavyLoop;
  const seconds = (performance.now() - start) / 1000;
  pinger.close();
  loader?.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { what, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN, pings: latencies.length, heavy: heavyCount, seconds };
}

const conv = conv2dMegabyte();
const llm = (i: number) => encodeLlmQueryRequest({ x: 1, y: 2, z: 3, prompt: `tell me about cube ${i}`, maxTokens: 32 });
const rows: Row[] = [];
const LEDGER = 160_000;
const pool = await startBridge('pool', LEDGER);
const inline = await startBridge('inline');
try {
  // Interleaved: the baseline of each bridge next to its loaded rows.
  rows.push(await measure(pool.port, 'no heavy load (baseline)'));
  rows.push(await measure(pool.port, '1 MB conv2d stream, worker pool (issue 16)', (s) => s.request(Opcode.TENSOR_OP, conv).then(() => undefined)));
  rows.push(await measure(inline.port, '1 MB conv2d stream, main thread (before)', (s) => s.request(Opcode.TENSOR_OP, conv).then(() => undefined)));
  let q = 0;
  rows.push(
    await measure(pool.port, 'LLM_QUERY bursts of 8 (FemtoLLM, 32 tokens)', async (s) => {
      for (let i = 0; i < 8; i++) await s.request(Opcode.LLM_QUERY, llm(q++));
    }),
  );
  rows.push(
    await measure(pool.port, `GET /ledger/verify over ${LEDGER / 1000} k entries (sliced)`, async () => {
      const r = await fetch(`http://127.0.0.1:${pool.httpPort}/ledger/verify`);
      const v = (await r.json()) as { valid: boolean; length: number };
      if (!v.valid || v.length < LEDGER) throw new Error(`ledger verify: ${JSON.stringify(v)}`);
    }),
  );
  rows.push(await measure(pool.port, 'no heavy load (baseline, again)'));
} finally {
  await pool.stop();
  await inline.stop();
}
const baseline = Math.max(rows[0]!.p99, rows[rows.length - 1]!.p99);
console.log(`\n### PING on one line while another line is loaded (${SECONDS} s per row, a PING every ${PING_EVERY_MS} ms)\n`);
console.log('| load on the other line | PING p50 | PING p99 | PING max | PINGs | heavy requests/s | aim: p99 < 10 ms |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const met = r.heavy === 0 ? '—' : r.p99 < AIM_P99_MS ? 'met' : 'not met';
  console.log(`| ${r.what} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(1)} ms | ${r.pings} | ${(r.heavy / r.seconds).toFixed(1)} | ${met} |`);
}
console.log(`\nsame-run baseline PING p99 with no heavy load: ${baseline.toFixed(2)} ms (the machine is shared: figures are noisy)`);
