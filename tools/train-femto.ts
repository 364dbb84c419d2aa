/**
 * Trains FemtoLLM's shared base weights on the Jargon File with eVGPU's autodiff, then writes
 * core/femto/weights/baseWeights.ts (base64, loads without fs), the loss curve as a PNG and the
 * held-out bits per character next to unigram and bigram baselines.
 *
 *   npm run train:femto -- [--merges N] [--mlp N] [--context N] [--ngram N] [--steps N] [--batch N] [--seq N]
 *                          [--lr X] [--seed N] [--out DIR]
 *
 * The defaults reproduce the committed weights. --merges 0 trains the byte-level model.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { encodeBase64 } from '../core/femto/base64.js';
import { BpeTokenizer } from '../core/femto/BpeTokenizer.js';
import { FEMTO_CONFIG, type FemtoConfig } from '../core/femto/FemtoConfig.js';
import { FemtoLlmFactory } from '../core/femto/FemtoLlm.js';
import { Lexicon } from '../core/femto/Lexicon.js';
import { sampleAnswers } from '../core/femto/answerSample.js';
import { answerStats, vocabularyOf } from '../core/femto/wordStats.js';
import { decodeText } from '../core/femto/text.js';
import { FemtoEngine } from '../core/femto/FemtoEngine.js';
import { FemtoTrainer } from '../core/femto/FemtoTrainer.js';
import { FemtoWeights } from '../core/femto/FemtoWeights.js';
import { type Raster, renderLossChart } from '../core/femto/LossChart.js';
import { NgramModel } from '../core/femto/NgramModel.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const femtoDir = join(root, 'core', 'femto');

function parseOptions() {
  return parseArgs({
    options: {
      merges: { type: 'string', default: String(DEFAULT_MERGES) },
      mlp: { type: 'string', default: String(FEMTO_CONFIG.mlp) },
      context: { type: 'string', default: String(FEMTO_CONFIG.context) },
      ngram: { type: 'string', default: String(DEFAULT_NGRAM) },
      steps: { type: 'string', default: '3000' },
      batch: { type: 'string', default: '16' },
      seq: { type: 'string' },
      lr: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '1234' },
      corpus: { type: 'string', default: join(femtoDir, 'corpus', 'jargon.txt') },
      out: { type: 'string', default: join(femtoDir, 'weights') },
    },
  }).values;
}

/** BPE merges of the committed model: vocabulary = 256 bytes + merges. */
export const DEFAULT_MERGES = 256;
/** Buckets of the hashed (previous token, token) input embedding; 0: none. */
export const DEFAULT_NGRAM = 16384;

/** The last tenth of the corpus is held out; it is never trained on. */
export const HELD_OUT_FRACTION = 0.1;

function main(): void {
  const args = parseOptions();
  const positive = (name: 'steps' | 'batch' | 'seq' | 'seed' | 'mlp' | 'context' | 'merges' | 'ngram', min = 1): number => {
    const v = Number(args[name]);
    if (!Number.isInteger(v) || v < min) throw new RangeError(`--${name} must be an integer ≥ ${min}`);
    return v;
  };
  const steps = positive('steps');
  const batch = positive('batch');
  const merges = positive('merges', 0);
  const context = positive('context', 2);
  const mlp = positive('mlp', 4);
  const ngram = positive('ngram', 0);
  const seqLen = args.seq === undefined ? context : positive('seq', 2);
  const lr = Number(args.lr);
  if (!(lr > 0)) throw new RangeError('--lr must be a positive number');
  const seed = positive('seed');
  const corpus = new Uint8Array(readFileSync(args.corpus ?? ''));
  const split = Math.floor(corpus.length * (1 - HELD_OUT_FRACTION));
  const train = corpus.subarray(0, split);
  const heldOut = corpus.subarray(split);
  const probe = heldOut.subarray(0, 8192);

  const t0 = Date.now();
  const tokenizer = merges === 0 ? new BpeTokenizer() : BpeTokenizer.train(train, merges);
  const tokenizerSeconds = (Date.now() - t0) / 1000;
  const config: FemtoConfig = { vocab: tokenizer.vocabSize, hidden: FEMTO_CONFIG.hidden, context, mlp, ...(ngram > 0 ? { ngram } : {}) };
  const weights = FemtoWeights.random(seed, config, tokenizer);
  const trainer = new FemtoTrainer(weights, train, { steps, batch, seqLen, lr, seed });
  const engine = new FemtoEngine(weights);
  const trainCurve: Array<[number, number]> = [];
  const heldOutCurve: Array<[number, number]> = [[0, engine.bitsPerByte(probe)]];
  const started = Date.now();
  let smoothed = NaN;
  for (let s = 1; s <= steps; s++) {
    // Training loss per token, shown per character like the held-out curve.
    const bits = trainer.step() / Math.LN2 / trainer.bytesPerToken;
    smoothed = Number.isNaN(smoothed) ? bits : 0.95 * smoothed + 0.05 * bits;
    if (s % 10 === 0) trainCurve.push([s, smoothed]);
    if (s % 200 === 0 || s === steps) {
      engine.weightsChanged();
      heldOutCurve.push([s, engine.bitsPerByte(probe)]);
    }
    progress(s, steps, smoothed, heldOutCurve.at(-1)?.[1] ?? NaN, started);
  }
  process.stderr.write('\n');

  const trainSeconds = Math.round((Date.now() - started) / 1000);
  const baselines = new NgramModel(train);
  engine.weightsChanged();
  const trainText = decodeText(train);
  const vocabulary = vocabularyOf(trainText);
  const lexicon = Lexicon.fromText(trainText);
  const unguarded = answerStats(sampleAnswers(new FemtoLlmFactory(weights)), vocabulary);
  const shipped = weights.withLexicon(lexicon);
  const answers = sampleAnswers(new FemtoLlmFactory(shipped));
  const stats = answerStats(answers, vocabulary);
  const report = {
    seed, steps, batch, seqLen, lr, merges, vocab: config.vocab, context, mlp, ngram,
    parameters: weights.parameterCount,
    trainBytes: train.length,
    heldOutBytes: heldOut.length,
    trainSeconds,
    tokenizerSeconds: round(tokenizerSeconds),
    heldOutBitsPerChar: round(engine.bitsPerByte(heldOut)),
    wordsInTrainingVocabulary: round(stats.validShare),
    distinctWordBigrams: round(stats.distinctBigramShare),
    wordsInTrainingVocabularyWithoutGuard: round(unguarded.validShare),
    distinctWordBigramsWithoutGuard: round(unguarded.distinctBigramShare),
    lexiconWords: lexicon.words.length,
    bigramBitsPerChar: round(baselines.bigramBits(heldOut)),
    unigramBitsPerChar: round(baselines.unigramBits(heldOut)),
  };
  const out = args.out ?? '.';
  writeFileSync(join(out, 'baseWeights.ts'), weightsModule(shipped, report));
  writeFileSync(join(out, 'loss.png'), encodePng(renderLossChart([
    { points: trainCurve, color: [30, 90, 200] },
    { points: heldOutCurve, color: [220, 60, 30] },
  ])));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`sample: ${JSON.stringify(answers[0]?.prompt + (answers[0]?.answer ?? ''))}\n`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function progress(step: number, steps: number, trainBits: number, heldBits: number, started: number): void {
  const width = 30;
  const filled = Math.round((width * step) / steps);
  const elapsed = (Date.now() - started) / 1000;
  const eta = (elapsed / step) * (steps - step);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${steps} train ${trainBits.toFixed(3)} b/c held-out ${heldBits.toFixed(3)} b/c eta ${eta.toFixed(0)}s `,
  );
}

/** A flat array of 100-character lines (a long chain of `+` overflows parsers' stacks). */
function base64Lines(bytes: Uint8Array): string {
  const lines = encodeBase64(bytes).match(/.{1,100}/g) ?? [''];
  return `[\n${lines.map((l) => `  '${l}',`).join('\n')}\n].join('');`;
}

function weightsModule(weights: FemtoWeights, report: object): string {
  const m = weights.tokenizer.merges;
  const merges = new Uint8Array(m.length * 2);
  const view = new DataView(merges.buffer);
  m.forEach((id, i) => view.setUint16(2 * i, id, true));
  return [
    '// Generated by `npm run train:femto` (tools/train-femto.ts). Do not edit.',
    '// FemtoLLM shared base: its shape, the BPE merges (little-endian u16 pairs, base64) and the',
    '// weights (little-endian f32 in femtoParamShapes order, base64).',
    `export const BASE_WEIGHTS_REPORT = ${JSON.stringify(report, null, 2)} as const;`,
    '',
    `export const BASE_CONFIG = ${JSON.stringify(weights.config)} as const;`,
    '',
    '// The training text\'s words (lower case, sorted, space-separated) for the word guard.',
    `export const BASE_LEXICON = ${JSON.stringify(weights.lexicon?.serialize() ?? '')};`,
    '',
    'export const BASE_MERGES_BASE64 =',
    base64Lines(merges),
    '',
    'export const BASE_WEIGHTS_BASE64 =',
    base64Lines(weights.serialize()),
    '',
  ].join('\n');
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Truecolour 8-bit PNG: every scanline gets filter byte 0, the whole image one zlib stream. */
export function encodePng(img: Raster): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const stride = img.width * 3;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) raw.set(img.rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
