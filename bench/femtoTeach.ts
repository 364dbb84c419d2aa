/**
 * Teaching (issue 13 §2), for `npm run bench:femto` (or alone: `npx tsx bench/femtoTeach.ts`):
 * each text of core/femto/corpus/teach is cut 80 / 20; three instances (different coordinates)
 * are each taught the first 80 % with the default steps, and the last 20 % is read under each
 * before (untaught: its coordinate-derived matrix, no bias) and after. Prints bits per character
 * of the held-out 20 % untaught vs taught, the shared base alone for reference, the lesson's
 * size and the CPU seconds per teach (this process, including the base's pass over the text and
 * the two measurements a teach makes). Aim: ≥ 0.3 bits/char better, ≤ 1 KB, ≤ 2 s of CPU.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEACH_STEPS, FemtoEngine, FemtoLlmFactory, LESSON_BYTES } from '../core/femto/index.js';
import { hashSeed } from '../core/evgpu/Random.js';

export const TEACH_TEXTS = ['mit-license.txt', 'crc16-c-source.txt', 'shell-session.txt'] as const;
const COORDS: [number, number, number][] = [
  [1, 2, 3],
  [500, 20, 7],
  [999, 999, 0],
];

export interface TeachRow {
  readonly text: string;
  readonly trainBytes: number;
  readonly heldBytes: number;
  readonly base: number;
  readonly untaught: number;
  readonly taught: number;
  readonly cpuSeconds: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

export function teachRows(factory = new FemtoLlmFactory()): TeachRow[] {
  const base = new FemtoEngine(factory.weights);
  const rows: TeachRow[] = [];
  for (const name of TEACH_TEXTS) {
    const bytes = readFileSync(fileURLToPath(new URL(`../core/femto/corpus/teach/${name}`, import.meta.url)));
    const cut = Math.floor(bytes.length * 0.8);
    const train = new Uint8Array(bytes.subarray(0, cut));
    const held = new Uint8Array(bytes.subarray(cut));
    let untaught = 0;
    let taught = 0;
    let cpu = 0;
    for (const [x, y, z] of COORDS) {
      const llm = factory.create(x, y, z);
      untaught += llm.bitsPerChar(held);
      const started = cpuSeconds();
      const t = llm.teach(train, hashSeed('bench', name, x, y, z));
      for (let i = 0; i < DEFAULT_TEACH_STEPS; i++) t.step();
      t.finish();
      cpu += cpuSeconds() - started;
      taught += llm.bitsPerChar(held);
    }
    const n = COORDS.length;
    rows.push({ text: name, trainBytes: train.length, heldBytes: held.length, base: base.bitsPerByte(held), untaught: untaught / n, taught: taught / n, cpuSeconds: cpu / n });
  }
  return rows;
}

export function printTeachTable(rows: readonly TeachRow[]): void {
  console.log(`teaching: ${DEFAULT_TEACH_STEPS} steps on the first 80 % of each text, held-out = the last 20 %; mean of ${COORDS.length} instances; lesson ${LESSON_BYTES} bytes per instance`);
  console.log('| text (train / held-out bytes) | base alone | untaught instance | taught instance | better by | CPU s per teach | aim |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(
      `| ${r.text} (${r.trainBytes} / ${r.heldBytes}) | ${r.base.toFixed(3)} | ${r.untaught.toFixed(3)} | ${r.taught.toFixed(3)} | ${(r.untaught - r.taught).toFixed(3)} | ${r.cpuSeconds.toFixed(2)} | ≥ 0.3 better, ≤ 2 s |`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) printTeachTable(teachRows());
