// Durable BLOCK_SET/s and BLOCK_GET round trips/s through one, two and three bridges sharing a
// private PostgreSQL and Redis, against one bridge on the embedded LMDB store (the baseline),
// all in the same run. Bridges are `konomi start` child processes; load comes from this process
// over TCP. Run: npx tsx bench/cluster.ts   (BENCH_SECONDS=3, BENCH_LINES=8 and BENCH_READ_LINES=16 per bridge, BENCH_DEPTH=16 per line)
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Opcode } from '../protocol/constants.js';
import { Session } from '../protocol/Session.js';
import { encodeBlockGetRequest } from '../protocol/payloads/blockGet.js';
import { encodeBlockSetRequest } from '../protocol/payloads/blockSet.js';
import { connectTcpLine, type TcpLine } from '../bridge/lines/TcpLine.js';
import { ChildService } from '../bridge/stack/ChildService.js';
import { freePort } from '../bridge/stack/freePort.js';
import { PostgresProcess } from '../bridge/stack/PostgresProcess.js';
import { RedisProcess } from '../bridge/stack/RedisProcess.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LINES = Number(process.env.BENCH_LINES ?? 8);
/** Reads get more lines: each line is limited to 5,000 requests/s (DispatcherLimits), which one LMDB bridge can exceed. */
const READ_LINES = Number(process.env.BENCH_READ_LINES ?? 16);
const DEPTH = Number(process.env.BENCH_DEPTH ?? 16);
const MAIN = 'bridge/stack/konomiMain.ts';

interface Bridge {
  service: ChildService;
  packetPort: number;
}

interface Row {
  store: string;
  bridges: number;
  setRps: number;
  setP50: number;
  getRps: number;
  getP50: number;
}

async function startBridge(env: NodeJS.ProcessEnv, args: string[]): Promise<Bridge> {
  const [port, packetPort] = [await freePort(), await freePort()];
  const service = ChildService.spawn('konomi', process.execPath, ['--import', 'tsx', MAIN, 'start', '--port', String(port), '--packet-port', String(packetPort), ...args], {
    env: { ...process.env, TOKEN: '', ...env },
  });
  await service.waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
  return { service, packetPort };
}

/** Runs `request` on `lines` sessions per bridge, DEPTH in flight each, for SECONDS. */
async function load(bridges: Bridge[], lines: number, request: (session: Session, worker: number, i: number) => Promise<unknown>): Promise<{ rps: number; p50: number }> {
  const sessions: Session[] = [];
  const tcpLines: TcpLine[] = [];
  for (const b of bridges) {
    for (let l = 0; l < lines; l++) {
      const line = await connectTcpLine('127.0.0.1', b.packetPort);
      tcpLines.push(line);
      sessions.push(new Session(line, { name: 'bench', window: DEPTH, initialRtoMs: 5000 }));
    }
  }
  const latencies: number[] = [];
  let done = 0;
  let errors = 0;
  const kinds = new Map<string, number>();
  let measuring = false;
  let running = true;
  const workers = sessions.flatMap((session, s) =>
    Array.from({ length: DEPTH }, async (_, d) => {
      const worker = s * DEPTH + d;
      for (let i = 0; running; i++) {
        const t0 = performance.now();
        try {
          await request(session, worker, i);
        } catch (err) {
          // BUSY from the per-line limiter, a timeout, or the session closed at the end.
          if (measuring) {
            errors++;
            const why = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
            kinds.set(why, (kinds.get(why) ?? 0) + 1);
          }
          if (!running) return;
          // A failure can be immediate; yield to timers so the run's clock keeps ticking.
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        if (measuring) {
          done++;
          if (latencies.length < 200_000) latencies.push(performance.now() - t0);
        }
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  running = false;
  // Closing the sessions fails whatever is still in flight, so no worker can hang the run.
  for (const s of sessions) s.close();
  await Promise.all(workers);
  // Bridges accept a bounded number of connections: release ours before the next figure.
  for (const line of tcpLines) line.close();
  latencies.sort((a, b) => a - b);
  if (errors > 0) console.warn(`  ${errors} requests failed: ${[...kinds].map(([k, n]) => `${n} × ${k}`).join('; ').slice(0, 500)}`);
  return { rps: done / elapsed, p50: latencies[Math.floor(latencies.length / 2)] ?? NaN };
}

async function measure(store: string, bridges: Bridge[]): Promise<Row> {
  // Every worker writes its own cells (no two writers on one cell); reads hit those cells.
  const coord = (worker: number, i: number): { x: number; y: number; z: number } => ({ x: worker % 1000, y: Math.floor(worker / 1000) * 10 + (Math.floor(i / 1000) % 10), z: i % 1000 });
  const set = await load(bridges, LINES, (s, w, i) => s.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ ...coord(w, i), value: i }), { timeoutMs: 10_000 }));
  const get = await load(bridges, READ_LINES, (s, w, i) => s.request(Opcode.BLOCK_GET, encodeBlockGetRequest(coord(w, i % 500)), { timeoutMs: 10_000 }));
  return { store, bridges: bridges.length, setRps: set.rps, setP50: set.p50, getRps: get.rps, getP50: get.p50 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'konomi-bench-cluster-'));
  chmodSync(dir, 0o755);
  const rows: Row[] = [];
  let postgres: PostgresProcess | undefined;
  let redis: RedisProcess | undefined;
  const bridges: Bridge[] = [];
  // Interrupted: stop every child before leaving, so no bridge or database outlives the run.
  const cleanUp = async (): Promise<void> => {
    for (const b of bridges) await b.service.stop();
    await redis?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void cleanUp().then(() => process.exit(130)));
  }
  try {
    const lmdb = await startBridge({ DB_URL: '', REDIS_URL: '' }, ['--data', join(dir, 'lmdb')]);
    bridges.push(lmdb);
    rows.push(await measure('LMDB (embedded)', [lmdb]));
    await lmdb.service.stop();
    bridges.length = 0;

    postgres = await PostgresProcess.start({ dataDir: join(dir, 'pg') });
    redis = await RedisProcess.start({ dataDir: join(dir, 'redis') });
    const env = { DB_URL: postgres.url, REDIS_URL: redis.url, DATA_DIR: '' };
    for (let n = 1; n <= 3; n++) {
      bridges.push(await startBridge(env, ['--id', `bench-${n}`]));
      console.warn(`measuring ${n} bridge(s) on PostgreSQL`);
      rows.push(await measure('PostgreSQL + Redis', [...bridges]));
    }
  } finally {
    await cleanUp();
  }
  const base = rows[0]!;
  console.log(`\nper bridge: ${LINES} lines (BLOCK_SET) or ${READ_LINES} (BLOCK_GET) × ${DEPTH} in flight, ${SECONDS} s per figure; baseline: one bridge on LMDB\n`);
  console.log('| store | bridges | BLOCK_SET/s (durable) | × LMDB | p50 ms | BLOCK_GET/s | × LMDB | p50 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.store} | ${r.bridges} | ${Math.round(r.setRps)} | ${(r.setRps / base.setRps).toFixed(2)} | ${r.setP50.toFixed(2)} | ${Math.round(r.getRps)} | ${(r.getRps / base.getRps).toFixed(2)} | ${r.getP50.toFixed(2)} |`,
    );
  }
}

await main();
