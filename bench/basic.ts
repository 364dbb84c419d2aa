/**
 * XP10 BASIC speed in headless v86: loops typed at the Ok prompt of the real image, timed by
 * the guest (TIMER, 10 ms ticks) and by the host (wall clock and this process's CPU, which is
 * v86 emulating the whole machine). Baseline, measured in the same runs: the empty loop
 * `FOR I = 1 TO N: NEXT`, i.e. what the interpreter pays per iteration before the body does
 * anything. The BLOCKSET loop is a round trip per iteration over COM1 to the tests'
 * in-memory core (CoreResponder), so it measures the link, not the core.
 *
 *   npx tsx bench/basic.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { Xp10Machine } from '../bridge/emulator/index.js';
import { CoreResponder } from '../tests/guest/support/CoreResponder.js';

interface Case {
  label: string;
  line: string;
  iterations: number;
}

const CASES: Case[] = [
  { label: 'baseline: empty FOR/NEXT', line: 'FOR I = 1 TO 200000: NEXT', iterations: 200_000 },
  { label: 'A = A + I * 2', line: 'FOR I = 1 TO 200000: A = A + I * 2: NEXT', iterations: 200_000 },
  { label: 'S$ = LEFT$(STR$(I), 3)', line: 'FOR I = 1 TO 50000: S$ = LEFT$(STR$(I), 3): NEXT', iterations: 50_000 },
  { label: 'X = SIN(I) + SQR(I)', line: 'FOR I = 1 TO 50000: X = SIN(I) + SQR(I): NEXT', iterations: 50_000 },
  { label: 'BLOCKSET over COM1', line: 'FOR I = 1 TO 500: BLOCKSET I MOD 1000, 1, 2, I: NEXT', iterations: 500 },
];

interface Sample {
  guestMs: number;
  wallMs: number;
  cpuMs: number;
}

async function type(machine: Xp10Machine, line: string, until: RegExp, timeoutMs = 120_000): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${line}\r`);
  await machine.waitForOutput(until, { from, timeoutMs });
  return machine.outputSince(from);
}

async function measure(machine: Xp10Machine, c: Case): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const out = await type(machine, `T = TIMER: ${c.line}: PRINT "MS"; (TIMER - T) * 1000`, /Ok\r?\n$/);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const guest = /MS ([\d.]+)/.exec(out);
  if (!guest) throw new Error(`no timing in ${JSON.stringify(out)}`);
  return { guestMs: Number(guest[1]), wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const machine = new Xp10Machine();
  new CoreResponder(machine.serial0);
  await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
  await type(machine, 'basic', /Ok\r?\n$/);
  console.log(`XP10 BASIC in headless v86 (Node ${process.version}), median of ${runs} runs after one warm-up\n`);
  console.log('| loop | iterations | guest µs/iteration | iterations/s (guest) | host wall µs/iteration | host CPU µs/iteration |');
  console.log('|---|---|---|---|---|---|');
  for (const c of CASES) {
    await measure(machine, c); // warm-up: v86 compiles the hot guest code to wasm
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) samples.push(await measure(machine, c));
    const guest = median(samples.map((s) => s.guestMs));
    const wall = median(samples.map((s) => s.wallMs));
    const cpu = median(samples.map((s) => s.cpuMs));
    const per = (ms: number) => ((ms * 1000) / c.iterations).toFixed(2);
    console.log(
      `| ${c.label} | ${c.iterations} | ${per(guest)} | ${Math.round((c.iterations * 1000) / Math.max(guest, 1))} | ${per(wall)} | ${per(cpu)} |`,
    );
  }
  await machine.destroy();
}

await main();
