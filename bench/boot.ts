/**
 * XP10 boot time in headless v86: from `new Xp10Machine()` (which constructs V86) to the
 * first prompt on COM2. Baseline, measured in the same runs: until v86 reports
 * `emulator-ready` (wasm compiled, image loaded), i.e. what any guest would pay before
 * its first instruction. The difference is XP10's own boot.
 *
 *   npx tsx bench/boot.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { MIB, Xp10Machine } from '../bridge/emulator/index.js';

interface Sample {
  readyMs: number;
  promptMs: number;
}

async function bootOnce(memoryBytes: number): Promise<Sample> {
  const started = performance.now();
  const machine = new Xp10Machine({ memoryBytes });
  let readyAt = 0;
  void machine.ready.then(() => (readyAt = performance.now()));
  await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
  const promptAt = performance.now();
  await machine.destroy();
  return { readyMs: readyAt - started, promptMs: promptAt - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const configs = [
    { label: '64 MiB', bytes: 64 * MIB, runs },
    { label: '2 GiB', bytes: 2048 * MIB, runs: Math.max(1, Math.ceil(runs / 2)) },
  ];
  console.log('XP10 boot in headless v86 (Node ' + process.version + ')\n');
  console.log('| memory | run | baseline: v86 ready (ms) | first prompt (ms) | XP10 kernel share (ms) |');
  console.log('|---|---|---|---|---|');
  const summary: string[] = [];
  for (const config of configs) {
    const samples: Sample[] = [];
    for (let run = 1; run <= config.runs; run++) {
      const s = await bootOnce(config.bytes);
      samples.push(s);
      console.log(`| ${config.label} | ${run} | ${s.readyMs.toFixed(0)} | ${s.promptMs.toFixed(0)} | ${(s.promptMs - s.readyMs).toFixed(0)} |`);
    }
    const ready = median(samples.map((s) => s.readyMs));
    const prompt = median(samples.map((s) => s.promptMs));
    summary.push(`| ${config.label} | median of ${config.runs} | ${ready.toFixed(0)} | ${prompt.toFixed(0)} | ${(prompt - ready).toFixed(0)} |`);
  }
  console.log('\nSummary:\n');
  console.log('| memory | runs | baseline: v86 ready (ms) | first prompt (ms) | XP10 kernel share (ms) |');
  console.log('|---|---|---|---|---|');
  for (const line of summary) console.log(line);
}

await main();
