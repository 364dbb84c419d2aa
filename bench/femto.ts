/**
 * FemtoLLM quality, throughput and footprint in one run.
 *   npm run bench:femto               (add -- --instances N to change the population)
 * Quality: held-out bits per character on the last 10 % of the Jargon File beside byte n-gram
 * baselines fitted on the same 90 % (unigram, add-k bigram, interpolated Kneser-Ney 2..5), and
 * issue 13's answer measures (64 answers of 128 tokens at κ = 0.6). Speed and size baselines
 * named by the issue: the original 0.1 s per request (10 requests/s) and the aim of 5,000
 * requests/s; the original 4 MB per instance and the aim of 1 KB. Teaching (bench/femtoTeach.ts):
 * held-out bits per character of three narrow texts, taught vs untaught, and CPU per teach.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { printTeachTable, teachRows } from './femtoTeach.js';
import {
  FemtoEngine, FemtoLlmFactory, type FemtoLlm, NgramModel, answerStats, baseWeights, baseWeightsReport, decodeText, ensembleRespond,
  sampleAnswers, vocabularyOf,
} from '../core/femto/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({ options: { instances: { type: 'string', default: '1000000' } } });
const population = Number(values.instances);

/**
 * Wall-clock rate and rate per CPU-second of this process: on a shared machine the second is
 * what one core would do if it were ours.
 */
function requestsPerSecond(seconds: number): { rps: number; rpsCpu: number; charsPerRequest: number } {
  const factory = new FemtoLlmFactory();
  const nodes = Array.from({ length: 64 }, (_, i) => factory.create(i, i * 7, i * 13));
  const prompts = ['The hacker ', 'A kludge is ', 'foo bar baz ', 'In the old days, '];
  let n = 0;
  let chars = 0;
  for (let i = 0; i < 200; i++) nodes[i % 64]!.respond(prompts[i % 4]!, 32);
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++, n++) chars += nodes[n % 64]!.respond(prompts[n % 4]!, 32).length;
  }
  const cpu = process.cpuUsage(cpu0);
  // 32 tokens of at least one character each.
  if (chars < n * 32) throw new Error('short answer');
  return { rps: n / ((performance.now() - t0) / 1000), rpsCpu: n / ((cpu.user + cpu.system) / 1e6), charsPerRequest: chars / n };
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

function quality() {
  const corpus = new Uint8Array(readFileSync(new URL('../core/femto/corpus/jargon.txt', import.meta.url)));
  const split = Math.floor(corpus.length * 0.9);
  const train = corpus.subarray(0, split);
  const held = corpus.subarray(split);
  const ngram = new NgramModel(train);
  const weights = baseWeights();
  const vocabulary = vocabularyOf(decodeText(train));
  const guarded = answerStats(sampleAnswers(new FemtoLlmFactory(weights)), vocabulary);
  const bare = answerStats(sampleAnswers(new FemtoLlmFactory(weights.withLexicon(null))), vocabulary);
  return {
    femto: new FemtoEngine(weights).bitsPerByte(held),
    unigram: ngram.unigramBits(held),
    bigramAddK: ngram.bigramBits(held),
    kn: [2, 3, 4, 5].map((o) => ngram.knBits(o, held)),
    guarded,
    bare,
    heldBytes: held.length,
  };
}

const q = quality();
const r = baseWeightsReport;
const qualityRows: string[][] = [
  [`**FemtoLLM** (BPE ${r.vocab}, context ${r.context}, MLP ${r.mlp}, hashed pairs ${r.ngram}; ${r.parameters.toLocaleString('en')} parameters)`, q.femto.toFixed(3)],
  ['unigram (bytes, add-0.01)', q.unigram.toFixed(3)],
  ['bigram (bytes, add-0.01)', q.bigramAddK.toFixed(3)],
  ...q.kn.map((b, i) => [`Kneser-Ney ${i + 2}-gram (bytes, interpolated, D = 0.75)`, b.toFixed(3)]),
];
console.log(`held-out: last 10 % of the Jargon File (${q.heldBytes.toLocaleString('en')} bytes); baselines fitted on the same 90 %`);
console.log('| model | held-out bits per character |');
console.log('|---|---:|');
for (const row of qualityRows) console.log(`| ${row.join(' | ')} |`);
console.log('');
console.log('| answers (64 × 128 tokens, κ = 0.6, different coordinates) | with word guard (shipped) | model alone | aim |');
console.log('|---|---:|---:|---:|');
console.log(`| generated words found in the training text | ${(100 * q.guarded.validShare).toFixed(1)} % | ${(100 * q.bare.validShare).toFixed(1)} % | ≥ 90 % |`);
console.log(`| distinct word bigrams / all word bigrams | ${q.guarded.distinctBigramShare.toFixed(3)} | ${q.bare.distinctBigramShare.toFixed(3)} | ≥ 0.6 |`);
console.log(`| words counted | ${q.guarded.words} | ${q.bare.words} | |`);
console.log('');
console.log(
  `training (npm run train:femto, committed weights): seed ${r.seed}, ${r.steps} steps of ${r.batch} × ${r.seqLen} tokens, ${r.trainSeconds} s wall clock ` +
    '(progress bar on stderr; loss curve core/femto/weights/loss.png; reproducible bit for bit, core/femto/femto.test.ts)',
);
console.log('');

printTeachTable(teachRows());
console.log('');

const { rps, rpsCpu, charsPerRequest } = requestsPerSecond(4);
const ens = ensembleRate(2);
const mem = populationBytes(population);
const perInstance = mem / population;

const rows: string[][] = [
  ['requests/s, 32 tokens, one thread (wall clock)', rps.toFixed(0), '10 (0.1 s/request)', '5,000', `${(rps / 10).toFixed(0)}× original, ${((100 * rps) / 5000).toFixed(0)}% of aim`],
  ['requests per CPU-second, 32 tokens', rpsCpu.toFixed(0), '10', '5,000', `${((100 * rpsCpu) / 5000).toFixed(0)}% of aim`],
  ['ms CPU per request', (1000 / rpsCpu).toFixed(3), '100', '0.2', ''],
  ['tokens per CPU-second', (rpsCpu * 32).toFixed(0), '', '', `${charsPerRequest.toFixed(0)} characters per request`],
  ['cube ensemble requests/s (8 vertices, 32 tokens)', ens.toFixed(1), '', '', ''],
  ['bytes per instance (measured)', perInstance.toFixed(0), '4,194,304', '1,024', `${(4194304 / perInstance).toFixed(0)}× smaller than original`],
  [`memory for ${population.toLocaleString('en')} instances`, `${(mem / 2 ** 20).toFixed(0)} MiB`, `${((4194304 * population) / 2 ** 40).toFixed(1)} TiB`, `${((1024 * population) / 2 ** 20).toFixed(0)} MiB`, ''],
  ['shared base (weights, merges, lexicon)', `${((baseWeights().parameterCount * 4 + baseWeights().tokenizer.merges.byteLength + (baseWeights().lexicon?.serialize().length ?? 0)) / 1024).toFixed(1)} KiB`, '', '4,096 KiB', 'once per process'],
];
const head = ['measure', 'FemtoLLM', 'original target', 'aim', 'note'];
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
