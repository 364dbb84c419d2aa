/**
 * Konomi core benchmarks. Every table compares against a baseline measured in the same run.
 *   node --expose-gc --max-old-space-size=8192 --import tsx bench/core.ts          (1M and 10M cells)
 *   node --expose-gc --import tsx bench/core.ts --quick                             (1M only)
 *   … --only=cells,region,durable,cubes                                              (a subset)
 *   … --rounds=2                                                                     (interleaved rounds of the cell rows)
 *   node --cpu-prof --import tsx bench/core.ts --only=cells --cells-alone=BlockArray (one structure, to profile it)
 *   node --cpu-prof --import tsx bench/core.ts --only=cubes --cubes-alone=placeholder|femto (one model's cube mix, to profile it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../bridge/store/LmdbStore.js';
import { BlockArray } from '../core/block/BlockArray.js';
import { mortonEncode } from '../core/block/Morton.js';
import { Vertex, type VertexId } from '../core/cube/Vertex.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CellMerkle } from '../core/ledger/CellMerkle.js';
import { sha256Into } from '../core/ledger/Sha256.js';
import { FemtoLlmFactory } from '../core/femto/index.js';
import { Konomi } from '../core/orchestrator/Konomi.js';
import { MemoryStore } from '../core/store/MemoryStore.js';

const quick = process.argv.includes('--quick');
/** --only=cells,region,durable,cubes runs a subset. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wanted = (section: string) => only === undefined || only.includes(section);
const gc = (globalThis as { gc?: () => void }).gc;
const N = 1_000_000;
const DIM = 1000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s;
  };
}

function coords(n: number, seed: number): Uint16Array {
  const r = rng(seed);
  const out = new Uint16Array(n * 3);
  for (let i = 0; i < out.length; i++) out[i] = r() % DIM;
  return out;
}

/**
 * CPU seconds of this process: the machine is shared, so wall time would measure the neighbours.
 * (GC helper threads count too, which only disadvantages allocation-heavy baselines fairly.)
 */
function time(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n < 10 ? 2 : 0);
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

function heapNow(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

// -------------------------------------------------------------------- cells: get / set / memory

/** Cell values are f64 as on the wire: non-integers, so a Map holds a heap number per cell. */
const valueOf = (i: number) => i + 0.5;

/** The aims of issue 16 for cells. */
const AIM_VS_STRING_MAP = 5;
const AIM_MEMORY_VS_STRING_MAP = 0.2;

/** The aims' three operations, then reads in insertion order (informational: the Maps' best case). */
const OPS = ['set new', 'get', 'set existing', 'get in insertion order'] as const;
const AIM_OPS = 3;

interface CellSubject {
  name: string;
  /**
   * Builds a fresh structure with the n cells of `c` (timed), reads them all back in a random order (`r`: the same
   * cells shuffled), overwrites them all in that order, and reads them in insertion order; CPU seconds of each.
   */
  run(c: Uint16Array, r: Uint16Array, n: number): { seconds: [number, number, number, number]; held: unknown };
}

/** One monomorphic loop per structure, so no structure pays for another's call sites. */
const cellSubjects: CellSubject[] = [
  {
    name: 'Map<string, number> "x,y,z"',
    run(c, r, n) {
      const m = new Map<string, number>();
      const set = time(() => {
        for (let i = 0; i < n; i++) m.set(`${c[i * 3]},${c[i * 3 + 1]},${c[i * 3 + 2]}`, valueOf(i));
      });
      let sink = 0;
      const get = time(() => {
        for (let i = 0; i < n; i++) sink += m.get(`${r[i * 3]},${r[i * 3 + 1]},${r[i * 3 + 2]}`) ?? 0;
      });
      const update = time(() => {
        for (let i = 0; i < n; i++) m.set(`${r[i * 3]},${r[i * 3 + 1]},${r[i * 3 + 2]}`, valueOf(i + 1));
      });
      const inOrder = time(() => {
        for (let i = 0; i < n; i++) sink += m.get(`${c[i * 3]},${c[i * 3 + 1]},${c[i * 3 + 2]}`) ?? 0;
      });
      return { seconds: [set, get + (sink < 0 ? 1 : 0), update, inOrder], held: m };
    },
  },
  {
    name: 'Map<number, number> Morton',
    run(c, r, n) {
      const m = new Map<number, number>();
      const set = time(() => {
        for (let i = 0; i < n; i++) m.set(mortonEncode(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!), valueOf(i));
      });
      let sink = 0;
      const get = time(() => {
        for (let i = 0; i < n; i++) sink += m.get(mortonEncode(r[i * 3]!, r[i * 3 + 1]!, r[i * 3 + 2]!)) ?? 0;
      });
      const update = time(() => {
        for (let i = 0; i < n; i++) m.set(mortonEncode(r[i * 3]!, r[i * 3 + 1]!, r[i * 3 + 2]!), valueOf(i + 1));
      });
      const inOrder = time(() => {
        for (let i = 0; i < n; i++) sink += m.get(mortonEncode(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!)) ?? 0;
      });
      return { seconds: [set, get + (sink < 0 ? 1 : 0), update, inOrder], held: m };
    },
  },
  {
    name: 'BlockArray',
    run(c, r, n) {
      const a = new BlockArray({ x: DIM, y: DIM, z: DIM }, { clock: () => 1_700_000_000_000 });
      const set = time(() => {
        for (let i = 0; i < n; i++) a.set(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!, valueOf(i));
      });
      let sink = 0;
      const get = time(() => {
        for (let i = 0; i < n; i++) sink += a.get(r[i * 3]!, r[i * 3 + 1]!, r[i * 3 + 2]!) ?? 0;
      });
      const update = time(() => {
        for (let i = 0; i < n; i++) a.set(r[i * 3]!, r[i * 3 + 1]!, r[i * 3 + 2]!, valueOf(i + 1));
      });
      const inOrder = time(() => {
        for (let i = 0; i < n; i++) sink += a.get(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!) ?? 0;
      });
      return { seconds: [set, get + (sink < 0 ? 1 : 0), update, inOrder], held: a };
    },
  },
];

/** Distinct coordinates, so that "set new" really adds n cells and bytes per cell divide by n. */
function distinctCoords(n: number, seed: number): Uint16Array {
  const r = rng(seed);
  const seen = new Uint8Array((DIM * DIM * DIM) >>> 3);
  const out = new Uint16Array(n * 3);
  for (let i = 0; i < n; ) {
    const x = r() % DIM, y = r() % DIM, z = r() % DIM;
    const k = (z * DIM + y) * DIM + x;
    if (seen[k >>> 3]! & (1 << (k & 7))) continue;
    seen[k >>> 3]! |= 1 << (k & 7);
    out[i * 3] = x;
    out[i * 3 + 1] = y;
    out[i * 3 + 2] = z;
    i++;
  }
  return out;
}

/** The same cells in a random order (Fisher–Yates), for reads and updates unrelated to insertion order. */
function shuffledCells(c: Uint16Array, n: number, seed: number): Uint16Array {
  const r = rng(seed);
  const out = c.slice(0, n * 3);
  for (let i = n - 1; i > 0; i--) {
    const j = r() % (i + 1);
    for (let k = 0; k < 3; k++) {
      const t = out[i * 3 + k]!;
      out[i * 3 + k] = out[j * 3 + k]!;
      out[j * 3 + k] = t;
    }
  }
  return out;
}

/**
 * Every structure at 1M (and 10M) distinct random cells, interleaved: `rounds` rounds of
 * string Map, Morton Map, BlockArray, keeping each one's best CPU time per operation (the
 * round least disturbed by the machine's other jobs). Gets and updates visit the cells in a
 * random order unrelated to insertion; reads in insertion order are printed beside them, as
 * the Maps' best case (their entries sit in insertion order, so those reads walk memory
 * sequentially). Bytes per cell: heap + ArrayBuffers held after the round, after GC. Then
 * the aims, each met or not met.
 */
function benchCells(sizes: number[], rounds: number, alone: string | undefined): void {
  if (alone !== undefined) return profileCells(sizes, alone);
  const warm = distinctCoords(100_000, 9);
  const warmShuffled = shuffledCells(warm, 100_000, 8);
  for (const s of cellSubjects) s.run(warm, warmShuffled, 100_000); // JIT warm-up, not measured
  const verdicts: string[] = [];
  for (const n of sizes) {
    const c = distinctCoords(n, n === N ? 1 : 10);
    const r = shuffledCells(c, n, 11);
    const best = cellSubjects.map(() => OPS.map(() => Infinity));
    const bytes = cellSubjects.map(() => Infinity);
    for (let round = 0; round < rounds; round++) {
      cellSubjects.forEach((s, i) => {
        const before = heapNow();
        let { seconds, held } = s.run(c, r, n);
        const after = heapNow();
        bytes[i] = Math.min(bytes[i]!, (after - before) / n);
        seconds.forEach((t, op) => (best[i]![op] = Math.min(best[i]![op]!, t)));
        held = null;
        void held;
        heapNow();
        process.stderr.write(`  cells ${fmt(n)}: round ${round + 1}/${rounds} ${s.name} done\n`);
      });
    }
    const ns = (i: number, op: number) => (best[i]![op]! / n) * 1e9;
    const rows = cellSubjects.map((s, i) => [
      i === 0 ? `${s.name} (baseline)` : s.name,
      ...OPS.map((_, op) => `${ns(i, op).toFixed(0)} ns (${fmt(n / best[i]![op]!)}/s, ${(ns(0, op) / ns(i, op)).toFixed(1)}×)`),
      gc ? `${bytes[i]!.toFixed(1)} B (${(bytes[i]! / bytes[0]!).toFixed(2)}×)` : 'n/a (--expose-gc)',
    ]);
    table(`cells: ${fmt(n)} distinct random cells in 1000³, best of ${rounds} interleaved rounds (CPU ns per operation; × = speed vs the string Map)`,
      ['structure', ...OPS.map((op) => (op === 'set new' ? 'set new (growth included)' : op)), 'bytes per cell (vs string Map)'], rows);
    const block = cellSubjects.length - 1;
    for (let op = 0; op < AIM_OPS; op++) {
      const vsMorton = ns(1, op) / ns(block, op);
      const vsString = ns(0, op) / ns(block, op);
      verdicts.push(`${fmt(n)} ${OPS[op]}: BlockArray ahead of the Morton Map: ${vsMorton.toFixed(2)}× — ${vsMorton > 1 ? 'met' : 'not met'}`);
      verdicts.push(`${fmt(n)} ${OPS[op]}: BlockArray ≥ ${AIM_VS_STRING_MAP}× the string Map: ${vsString.toFixed(1)}× — ${vsString >= AIM_VS_STRING_MAP ? 'met' : 'not met'}`);
    }
    if (gc) {
      const ratio = bytes[block]! / bytes[0]!;
      verdicts.push(`${fmt(n)} memory: BlockArray ≤ ${AIM_MEMORY_VS_STRING_MAP}× the string Map: ${ratio.toFixed(3)}× — ${ratio <= AIM_MEMORY_VS_STRING_MAP ? 'met' : 'not met'}`);
    }
  }
  console.log('\n### cells: aims (issue 16)\n');
  for (const v of verdicts) console.log(`- ${v}`);
}

/** One structure alone (`--cells-alone=BlockArray`), for `node --cpu-prof`: no other structure's samples. */
function profileCells(sizes: number[], name: string): void {
  const subject = cellSubjects.find((s) => s.name.startsWith(name));
  if (!subject) throw new Error(`no cell structure named ${name}`);
  for (const n of sizes) {
    const c = distinctCoords(n, n === N ? 1 : 10);
    const { seconds } = subject.run(c, shuffledCells(c, n, 11), n);
    console.log(`${subject.name} ${fmt(n)}: ${OPS.map((op, i) => `${op} ${((seconds[i]! / n) * 1e9).toFixed(0)} ns`).join(', ')}`);
  }
}

// -------------------------------------------------------------------- region, plane

function benchRegionAndPlane(): void {
  const c = coords(N, 3);
  const block = new BlockArray({ x: DIM, y: DIM, z: DIM });
  const strMap = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    block.set(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!, i, 0);
    strMap.set(`${c[i * 3]},${c[i * 3 + 1]},${c[i * 3 + 2]}`, i);
  }
  const activeStr = N; // distinct count ≈ N
  void activeStr;
  const Q = 200;
  const r = rng(4);
  const boxes = Array.from({ length: Q }, () => {
    const x0 = r() % 990, y0 = r() % 990, z0 = r() % 990;
    return { x0, y0, z0, x1: x0 + 9, y1: y0 + 9, z1: z0 + 9 };
  });
  let found = 0;
  const tBlock = time(() => {
    for (const b of boxes) found += block.countInBox(b);
  });
  let foundMap = 0;
  const tProbe = time(() => {
    for (const b of boxes) {
      for (let z = b.z0; z <= b.z1; z++) for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) if (strMap.has(`${x},${y},${z}`)) foundMap++;
    }
  });
  const scanQ = 3;
  let foundScan = 0;
  const tScan = time(() => {
    for (const b of boxes.slice(0, scanQ)) {
      for (const key of strMap.keys()) {
        const [x, y, z] = key.split(',').map(Number) as [number, number, number];
        if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1 && z >= b.z0 && z <= b.z1) foundScan++;
      }
    }
  });
  if (found !== foundMap) throw new Error(`region mismatch ${found} vs ${foundMap}`);
  void foundScan;
  // A large box exercises the sorted-key BIGMIN walk instead of probing.
  const big = { x0: 100, y0: 100, z0: 100, x1: 299, y1: 299, z1: 299 };
  block.mortonKeys();
  let bigCount = 0;
  const tBig = time(() => {
    bigCount = block.countInBox(big);
  });
  let bigScan = 0;
  const tBigScan = time(() => {
    for (const key of strMap.keys()) {
      const [x, y, z] = key.split(',').map(Number) as [number, number, number];
      if (x >= 100 && x <= 299 && y >= 100 && y <= 299 && z >= 100 && z <= 299) bigScan++;
    }
  });
  if (bigCount !== bigScan) throw new Error(`big region mismatch ${bigCount} vs ${bigScan}`);
  const per = (t: number, q: number) => `${((t / q) * 1e3).toFixed(3)} ms`;
  table(`region queries among ${fmt(block.size)} active cells`, ['query', 'method', 'time per query', 'vs baseline'], [
    ['10³ box', 'Map<string> full scan (baseline)', per(tScan, scanQ), '1×'],
    ['10³ box', 'Map<string> probe 1000 keys', per(tProbe, Q), `${(tScan / scanQ / (tProbe / Q)).toFixed(0)}×`],
    ['10³ box', 'BlockArray.countInBox', per(tBlock, Q), `${(tScan / scanQ / (tBlock / Q)).toFixed(0)}×`],
    [`200³ box (${fmt(bigCount)} hits)`, 'Map<string> full scan (baseline)', per(tBigScan, 1), '1×'],
    [`200³ box (${fmt(bigCount)} hits)`, 'BlockArray BIGMIN walk', per(tBig, 1), `${(tBigScan / tBig).toFixed(1)}×`],
  ]);

  const plane = new BlockArray({ x: DIM, y: DIM, z: DIM });
  const tActivate = time(() => void plane.planeActivate('z', 500, 1, 0));
  const tProcess = time(() => void plane.planeProcess('z', 500, (v, x, y) => v + x - y, 0));
  const tSync = time(() => void plane.planeSync('z', 500, 501));
  const planeMap = new Map<string, number>();
  const tMapActivate = time(() => {
    for (let y = 0; y < DIM; y++) for (let x = 0; x < DIM; x++) planeMap.set(`${x},${y},500`, 1);
  });
  const tMapProcess = time(() => {
    for (let y = 0; y < DIM; y++) for (let x = 0; x < DIM; x++) {
      const k = `${x},${y},500`;
      planeMap.set(k, planeMap.get(k)! + x - y);
    }
  });
  table('plane ("interlock") operations over a 1000×1000 slice (1M cells)', ['operation', 'Map<string> (baseline)', 'BlockArray', 'speed-up'], [
    ['activate', `${(tMapActivate * 1e3).toFixed(0)} ms`, `${(tActivate * 1e3).toFixed(0)} ms`, `${(tMapActivate / tActivate).toFixed(1)}×`],
    ['process (v + x − y)', `${(tMapProcess * 1e3).toFixed(0)} ms`, `${(tProcess * 1e3).toFixed(0)} ms`, `${(tMapProcess / tProcess).toFixed(1)}×`],
    ['sync slice 500 → 501', '—', `${(tSync * 1e3).toFixed(0)} ms`, ''],
  ]);

  const merkle = new CellMerkle(block);
  const tRoot = time(() => void merkle.root());
  const tProof = time(() => void merkle.proof(c[0]!, c[1]!, c[2]!));
  const U = 1000;
  const tUpdate = time(() => {
    for (let i = 0; i < U; i++) {
      block.set(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!, i * 3.5, 0);
      merkle.root();
    }
  });
  const H = 200_000;
  const node = new Uint8Array(65);
  const digest = new Uint8Array(32);
  const tNoble = time(() => {
    for (let i = 0; i < H; i++) {
      node[1] = i;
      sha256(node);
    }
  });
  const tOwn = time(() => {
    for (let i = 0; i < H; i++) {
      node[1] = i;
      sha256Into(node, digest);
    }
  });
  table('SHA-256 of a 65-byte Merkle node', ['implementation', 'hashes/s', 'vs baseline'], [
    ['@noble/hashes sha256() (baseline)', `${fmt(H / tNoble)}/s`, '1×'],
    ['core/ledger/Sha256.ts sha256Into()', `${fmt(H / tOwn)}/s`, `${(tNoble / tOwn).toFixed(1)}×`],
  ]);
  table(`Merkle (SHA-256, on demand) over ${fmt(block.size)} cells`, ['operation', 'time'], [
    ['full build (after cells were activated or deactivated)', `${(tRoot * 1e3).toFixed(0)} ms`],
    ['proof from the cached tree', `${(tProof * 1e3).toFixed(3)} ms`],
    ['new value in an active cell, then root (path update)', `${((tUpdate / U) * 1e3).toFixed(3)} ms`],
  ]);
}

// -------------------------------------------------------------------- durability

async function benchDurable(): Promise<void> {
  const rows: (string | number)[][] = [];
  const planeRows: (string | number)[][] = [];
  const dir = mkdtempSync(join(tmpdir(), 'konomi-bench-'));
  try {
    const run = async (name: string, konomi: Konomi, writes: number, inFlight: number) => {
      let next = 0;
      const t = await timeAsync(async () => {
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            for (let i = next++; i < writes; i = next++) await konomi.grid.setCell(i % DIM, Math.floor(i / DIM) % DIM, 7, i);
          }),
        );
      });
      rows.push([name, inFlight, fmt(writes), `${fmt(writes / t)}/s`]);
    };
    const memory = await Konomi.open({ store: new MemoryStore() });
    await run('MemoryStore, not durable (baseline)', memory, 20_000, 1);
    await run('MemoryStore, not durable (baseline)', memory, 50_000, 256);
    await memory.close();
    const lmdb = await Konomi.open({ store: LmdbStore.open(dir) });
    await run('LmdbStore, durable', lmdb, 2_000, 1);
    await run('LmdbStore, durable (group commit)', lmdb, 50_000, 256);
    const tPlane = await timeAsync(async () => void (await lmdb.grid.planeActivate('z', 500, 1.5)));
    await lmdb.close();
    let size = 0;
    const tReopen = await timeAsync(async () => {
      const reopened = await Konomi.open({ store: LmdbStore.open(dir) });
      size = reopened.grid.array().size;
      await reopened.close();
    });
    planeRows.push(['planeActivate of a 1000×1000 slice (1M rows, one commit)', `${(tPlane * 1e3).toFixed(0)} ms`]);
    planeRows.push([`reopen: load ${fmt(size)} cells + ledger from LMDB`, `${(tReopen * 1e3).toFixed(0)} ms`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table('acknowledged setCell (ledger entry + SHA-256 + store commit)', ['store', 'writes in flight', 'writes', 'throughput'], rows);
  table('LmdbStore, bulk', ['operation', 'wall time'], planeRows);
}

// -------------------------------------------------------------------- cubes

/** --cubes-alone=placeholder|femto runs only that model's 1000-op mix, five times (to profile it). */
const cubesAlone = process.argv.find((a) => a.startsWith('--cubes-alone='))?.slice(14);
const CUBE_OPS = 1000;

/** ¾ processVertex (with its one-hop trace), ¼ collectiveThink over ten cubes; each also steps that cube's κ. */
function cubeMix(k: Konomi, maxTokens?: number): () => void {
  return () => {
    for (let i = 0; i < CUBE_OPS; i++) {
      const id = i % 10;
      if (i % 4 === 0) k.cubes.collectiveThink(id, `op ${i}`, maxTokens);
      else k.cubes.processVertex(id, (i % 9) as VertexId, `op ${i}`, maxTokens);
    }
  };
}

async function tenCubes(k: Konomi): Promise<Konomi> {
  for (let i = 0; i < 10; i++) await k.cubes.at(i * 3, 0, 0);
  return k;
}

async function benchCubes(): Promise<void> {
  if (cubesAlone !== undefined) {
    const k = await tenCubes(cubesAlone === 'femto' ? await Konomi.open({ llmFactory: new FemtoLlmFactory() }) : await Konomi.open());
    const tokens = cubesAlone === 'femto' ? 32 : undefined;
    for (let r = 0; r < 5; r++) console.log(`1000 cube ops, ${cubesAlone}: ${(time(cubeMix(k, tokens)) * 1e3).toFixed(1)} ms CPU`);
    return;
  }
  const konomi = await Konomi.open();
  const cube = await konomi.cubes.at(0, 0, 0);
  const R = 2000;
  const tThink = time(() => {
    for (let i = 0; i < R; i++) konomi.cubes.collectiveThink(cube.id, `query ${i % 17}`);
  });
  await tenCubes(konomi);
  const femto = await Konomi.open({ llmFactory: new FemtoLlmFactory() });
  const fc = await femto.cubes.at(0, 0, 0);
  const F = 200;
  const tFemto = time(() => {
    for (let i = 0; i < F; i++) femto.cubes.collectiveThink(fc.id, `query ${i}`, 32);
  });
  await tenCubes(femto);
  // Three interleaved rounds (the machine is shared): the best of each row.
  let tOps = Infinity;
  let tFemtoOps32 = Infinity;
  let tFemtoOps4 = Infinity;
  for (let r = 0; r < 3; r++) {
    tOps = Math.min(tOps, time(cubeMix(konomi)));
    tFemtoOps32 = Math.min(tFemtoOps32, time(cubeMix(femto, 32)));
    tFemtoOps4 = Math.min(tFemtoOps4, time(cubeMix(femto, 4)));
  }
  const aim = (t: number, limit: number) => `< ${limit * 1e3} ms: ${t < limit ? 'met' : 'not met'}`;
  table('cubes (CPU time, best of 3 interleaved rounds)', ['measure', 'baseline', 'Konomi', 'aim (issue 16)'], [
    ['collectiveThink/s, placeholder LLM, replicaQuorum', '—', `${fmt(R / tThink)}/s`, '—'],
    ['1000 cube ops, placeholder (¾ processVertex with trace, ¼ collectiveThink)', 'original target 10 s', `${(tOps * 1e3).toFixed(1)} ms`, aim(tOps, 0.1)],
    ['collectiveThink/s, FemtoLLM, replicaQuorum, 32 tokens', '—', `${fmt(F / tFemto)}/s`, '—'],
    ['1000 cube ops, FemtoLLM, 32 tokens (same mix; CENTRAL by ensemble)', 'original target 10 s', `${(tFemtoOps32 * 1e3).toFixed(0)} ms`, aim(tFemtoOps32, 0.5)],
    ['1000 cube ops, FemtoLLM, 4 tokens (same mix)', 'original target 10 s', `${(tFemtoOps4 * 1e3).toFixed(0)} ms`, '—'],
  ]);
}

async function main(): Promise<void> {
  if (!gc) console.log('(run with --expose-gc for bytes per cell)');
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadAverage()}`);
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
  const alone = process.argv.find((a) => a.startsWith('--cells-alone='))?.slice(14);
  if (wanted('cells')) benchCells(quick ? [N] : [N, 10 * N], rounds, alone);
  if (wanted('region')) benchRegionAndPlane();
  if (wanted('durable')) await benchDurable();
  if (wanted('cubes')) await benchCubes();
  console.log(`\nload average at the end: ${loadAverage()}`);
}

function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

await main();
