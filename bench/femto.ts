/**
 * FemtoLLM throughput and footprint.
 *   npx tsx bench/femto.ts            (add --instances 1000000 to change the population)
 * Baselines named by the issue: the original 0.1 s per request (10 requests/s) and the aim of
 * 5,000 requests/s; the original 4 MB per instance and the aim of 1 KB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { FemtoLlmFactory, type FemtoLlm, baseWeights, ensembleRespond } from '../core/femto/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({ options: { instances: { type: 'string', default: '1000000' } } });
const population = Number(values.instances);

/**
 * Wall-clock rate and rate per CPU-second of this process: on a shared machine the second is
 * what one core would do if it were ours.
 */
function requestsPerSecond(seconds: number): { rps: number; rpsCpu: number } {
  const factory = new FemtoLlmFactory();
  const nodes = Array.from({ length: 64 }, (_, i) => factory.create(i, i * 7, i * 13));
  const prompts = ['The hacker ', 'A kludge is ', 'foo bar baz ', 'In the old days, '];
  let n = 0;
  let tokens = 0;
  for (let i = 0; i < 200; i++) nodes[i % 64]!.respond(prompts[i % 4]!, 32);
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++, n++) tokens += nodes[n % 64]!.respond(prompts[n % 4]!, 32).length;
  }
  const cpu = process.cpuUsage(cpu0);
  if (tokens !== n * 32) throw new Error('short answer');
  return { rps: n / ((performance.now() - t0) / 1000), rpsCpu: n / ((cpu.user + cpu.system) / 1e6) };
}

function ensembleRate(seconds: number): number {
  const factory = new FemtoLlmFactory();
  const vertices = Array.from({ length: 8 }, (_, i) => factory.create(i & 1, (i >> 1) & 1, i >> 2));
  const central = factory.create(9, 9, 9);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    ensembleRespond(central, vertices, 'The hacker ', 32);
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

function populationBytes(count: number): number {
  baseWeights();
  gc();
  const before = process.memoryUsage();
  const factory = new FemtoLlmFactory();
  const keep: FemtoLlm[] = new Array(count);
  for (let i = 0; i < count; i++) keep[i] = factory.create(i & 0xff, (i >> 8) & 0xff, i >> 16);
  gc();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  if (keep.length !== count) throw new Error('unreachable');
  return used;
}

const { rps, rpsCpu } = requestsPerSecond(4);
const ens = ensembleRate(2);
const mem = populationBytes(population);
const perInstance = mem / population;

const rows: string[][] = [
  ['requests/s, 32 tokens, one thread (wall clock)', rps.toFixed(0), '10 (0.1 s/request)', '5,000', `${(rps / 10).toFixed(0)}× original, ${((100 * rps) / 5000).toFixed(0)}% of aim`],
  ['requests per CPU-second, 32 tokens', rpsCpu.toFixed(0), '10', '5,000', `${((100 * rpsCpu) / 5000).toFixed(0)}% of aim`],
  ['ms CPU per request', (1000 / rpsCpu).toFixed(3), '100', '0.2', ''],
  ['tokens per CPU-second', (rpsCpu * 32).toFixed(0), '', '', ''],
  ['cube ensemble requests/s (8 vertices, 32 tokens)', ens.toFixed(1), '', '', ''],
  ['bytes per instance (measured)', perInstance.toFixed(0), '4,194,304', '1,024', `${(4194304 / perInstance).toFixed(0)}× smaller than original`],
  [`memory for ${population.toLocaleString('en')} instances`, `${(mem / 2 ** 20).toFixed(0)} MiB`, `${((4194304 * population) / 2 ** 40).toFixed(1)} TiB`, `${((1024 * population) / 2 ** 20).toFixed(0)} MiB`, ''],
  ['shared base weights', `${(baseWeights().parameterCount * 4 / 1024).toFixed(1)} KiB`, '', '', 'once per process'],
];
const head = ['measure', 'FemtoLLM', 'original target', 'aim', 'note'];
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
