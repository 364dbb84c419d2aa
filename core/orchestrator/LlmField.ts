import { boxContains, boxVolume, checkCoordinate, validateBox, type Box, type Dims } from '../block/Dims.js';
import { mortonEncode, mortonX, mortonY, mortonZ } from '../block/Morton.js';
import { CoreError } from '../errors/CoreError.js';
import { requireIntegerIn } from '../errors/validate.js';
import { hashSeed } from '../evgpu/Random.js';
import type { LlmFactory, LlmLessonInfo, LlmNode } from '../llm/LlmNode.js';
import { MAX_LESSON_BYTES, type MutableBatch } from '../store/Store.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import type { Disposable } from '../../protocol/Disposable.js';
import { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../../protocol/vocabulary/Teaching.js';
import type { CoreContext } from './CoreContext.js';
import type { LlmBroadcastResult, LlmTeachOptions, LlmTeachResult, LlmView } from './types.js';

export const DEFAULT_TEACH_BUDGET_MS = 2000;
/** Steps of a teaching between two yields to the host. */
export const TEACH_YIELD_STEPS = 10;
export const DEFAULT_MAX_LLM_NODES = 100_000;

/** What the LLM field announces. */
export type LlmFieldEvent =
  /** Requests moved the κ of the models they reached. */
  | { readonly type: 'kappa' }
  /** The model at (x, y, z) learned `lesson`; announced before the teaching's commit, so what listeners change rides with it. */
  | { readonly type: 'taught'; readonly x: number; readonly y: number; readonly z: number; readonly lesson: Uint8Array };

export interface LlmFieldOptions {
  /** The grid's dimensions: every coordinate of it may hold a model. */
  readonly dims: Dims;
  readonly factory: LlmFactory;
  /**
   * Most models kept alive; past it the least recently used is dropped and only its κ is kept
   * (re-created from its coordinate on next use, with that κ). Default 100 000.
   */
  readonly maxLlmNodes?: number | undefined;
  /** Longest a teaching may run, in milliseconds of `teachClock`. Default 2000. */
  readonly teachBudgetMs?: number | undefined;
  /** Clock of the teaching budget, in milliseconds. Default Date.now. */
  readonly teachClock?: (() => number) | undefined;
  /** Awaited every TEACH_YIELD_STEPS steps of a teaching, so the host can serve other requests meanwhile. */
  readonly yieldToHost?: (() => Promise<void>) | undefined;
}

/**
 * The LLM field: a model at every grid coordinate, created on first use from the coordinate
 * alone, at most maxLlmNodes alive (LRU; an evicted one keeps only its κ); its κ moves with the
 * requests it answers; a model taught a lesson keeps it. Tracks which κ and lessons changed
 * for the next commit.
 */
export class LlmField {
  /** Live models by Morton key, least recently used first (a Map keeps insertion order). */
  private readonly llms = new Map<number, LlmNode>();
  /** κ of models evicted from `llms`, by Morton key: 8 bytes of state instead of a model. */
  private readonly evictedKappa = new Map<number, number>();
  /** Morton keys whose κ a request moved since the last commit: written with the next one. */
  private readonly dirtyLlms = new Set<number>();
  /** Lessons of taught models by Morton key (≤ 1 KiB each, kept through eviction). */
  private readonly lessons = new Map<number, Uint8Array>();
  /** What each lesson said about itself, once a model has applied it. */
  private readonly lessonInfo = new Map<number, LlmLessonInfo>();
  private readonly dirtyLessons = new Set<number>();
  /** Teachings run one at a time (each is CPU-bound): the tail of the queue. */
  private teachingTail: Promise<unknown> = Promise.resolve();
  private readonly maxLlmNodes: number;
  private readonly llmFactory: LlmFactory;
  private readonly events = new Emitter<LlmFieldEvent>(propagateListenerError);

  constructor(
    private readonly context: CoreContext,
    private readonly options: LlmFieldOptions,
  ) {
    this.maxLlmNodes = options.maxLlmNodes ?? DEFAULT_MAX_LLM_NODES;
    requireIntegerIn(this.maxLlmNodes, 1, 2 ** 30, 'maxLlmNodes');
    this.llmFactory = options.factory;
    context.track(this);
  }

  onEvent(listener: (event: LlmFieldEvent) => void): Disposable {
    return this.events.add(listener);
  }

  /** The lesson taught at a Morton key, if any (cube vertices living there learn it too). */
  lessonAt(key: number): Uint8Array | undefined {
    return this.lessons.get(key);
  }

  /** The κ of every model created so far, alive or evicted. */
  kappas(): number[] {
    return [...this.llms.values()].map((n) => n.kappa).concat([...this.evictedKappa.values()]);
  }

  /**
   * The model at a grid coordinate, created on first use from the coordinate alone. At most
   * maxLlmNodes stay alive (LRU); an evicted one comes back from its coordinate with its κ.
   */
  at(x: number, y: number, z: number): LlmNode {
    checkCoordinate(this.options.dims, x, y, z);
    const key = mortonEncode(x, y, z);
    let node = this.llms.get(key);
    if (node !== undefined) {
      this.llms.delete(key);
    } else {
      node = this.llmFactory.create(x, y, z);
      const kappa = this.evictedKappa.get(key);
      if (kappa !== undefined) {
        node.kappa = kappa;
        this.evictedKappa.delete(key);
      }
      const lesson = this.lessons.get(key);
      if (lesson !== undefined) {
        if (node.restoreLesson === undefined) throw new CoreError('CORRUPT', `a lesson is stored for ${node.id}, whose model cannot learn`);
        this.lessonInfo.set(key, node.restoreLesson(lesson));
      }
      if (this.llms.size >= this.maxLlmNodes) this.evictOldest();
    }
    this.llms.set(key, node);
    return node;
  }

  /** LLM_QUERY: the model at a coordinate answers (κ drifts). Needs the system in Execute. */
  query(x: number, y: number, z: number, prompt: string, maxTokens?: number): LlmBroadcastResult {
    this.context.checkRunning();
    this.context.checkPrompt(prompt);
    const node = this.at(x, y, z);
    const text = this.respondAt(mortonEncode(x, y, z), node, prompt, maxTokens);
    this.events.emit({ type: 'kappa' });
    return { x, y, z, id: node.id, kappa: node.kappa, text };
  }

  /** A request to a model; a κ it moves is durable with the next commit (as cube κ is). */
  private respondAt(key: number, node: LlmNode, prompt: string, maxTokens: number | undefined): string {
    const before = node.kappa;
    const text = node.respond(prompt, maxTokens);
    if (node.kappa !== before) this.dirtyLlms.add(key);
    return text;
  }

  /**
   * Teaches the model at (x, y, z) `text` (2..4096 characters; non-ASCII reads as '?'): its own
   * parameters only, the shared base stays frozen. At most `steps` optimiser steps within the
   * time budget; teachings queue one behind the other. Resolves once the lesson is applied and
   * durable. UNSUPPORTED if the model cannot learn (the placeholder).
   */
  async teach(x: number, y: number, z: number, text: string, options: LlmTeachOptions = {}): Promise<LlmTeachResult> {
    this.context.checkRunning();
    checkCoordinate(this.options.dims, x, y, z);
    if (typeof text !== 'string' || text.length < 2) throw new CoreError('BAD_VALUE', 'a text to teach needs at least 2 characters');
    if (text.length > MAX_TEACH_TEXT) throw new CoreError('TOO_LARGE', `a text to teach is at most ${MAX_TEACH_TEXT} characters, got ${text.length}`);
    const steps = options.steps ?? DEFAULT_TEACH_STEPS;
    requireIntegerIn(steps, 1, MAX_TEACH_STEPS, 'steps');
    const run = this.teachingTail.then(() => this.runTeaching(x, y, z, text, steps, options));
    this.teachingTail = run.catch(() => undefined);
    return run;
  }

  private async runTeaching(x: number, y: number, z: number, text: string, steps: number, options: LlmTeachOptions): Promise<LlmTeachResult> {
    this.context.checkRunning();
    const key = mortonEncode(x, y, z);
    const node = this.at(x, y, z);
    if (node.teach === undefined || node.lesson === undefined) throw new CoreError('UNSUPPORTED', `the model at ${x},${y},${z} cannot learn (${node.id})`);
    const clock = this.options.teachClock ?? Date.now;
    const budget = this.options.teachBudgetMs ?? DEFAULT_TEACH_BUDGET_MS;
    const started = clock();
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) < 128 ? text.charCodeAt(i) : 63;
    const teaching = node.teach(bytes, hashSeed('teach', x, y, z, text, steps));
    let done = 0;
    let stoppedEarly = false;
    while (done < steps) {
      if (clock() - started >= budget) {
        stoppedEarly = true;
        break;
      }
      const loss = teaching.step();
      done++;
      options.onProgress?.({ step: done, steps, loss });
      if (done % TEACH_YIELD_STEPS === 0 && this.options.yieldToHost) await this.options.yieldToHost();
    }
    const info = teaching.finish();
    const lesson = node.lesson();
    if (lesson === null || lesson.length > MAX_LESSON_BYTES) throw new CoreError('CORRUPT', `${node.id} learned ${lesson?.length ?? 0} bytes; at most ${MAX_LESSON_BYTES}`);
    this.lessons.set(key, lesson);
    this.lessonInfo.set(key, info);
    this.dirtyLessons.add(key);
    // A κ row too, so the restored model is counted and found by broadcasts like any used one.
    this.dirtyLlms.add(key);
    this.events.emit({ type: 'taught', x, y, z, lesson });
    await this.context.flush();
    this.events.emit({ type: 'kappa' });
    return { x, y, z, id: node.id, steps: done, stoppedEarly, bitsBefore: info.bitsBefore, bitsAfter: info.bitsAfter, ms: clock() - started };
  }

  /** Whether the model at (x, y, z) was taught, and what its last teaching measured. */
  view(x: number, y: number, z: number): LlmView {
    checkCoordinate(this.options.dims, x, y, z);
    const key = mortonEncode(x, y, z);
    if (!this.lessons.has(key)) return { taught: false };
    if (!this.lessonInfo.has(key)) this.at(x, y, z);
    const info = this.lessonInfo.get(key);
    return info === undefined ? { taught: true } : { taught: true, ...info };
  }

  /** How many coordinates have had a model created (alive or evicted to κ only). */
  get count(): number {
    return this.llms.size + this.evictedKappa.size;
  }

  /** How many llmAt models are alive (at most maxLlmNodes). */
  get liveCount(): number {
    return this.llms.size;
  }

  private evictOldest(): void {
    const oldest = this.llms.entries().next();
    if (oldest.done === true) return;
    const [key, node] = oldest.value;
    this.llms.delete(key);
    this.evictedKappa.set(key, node.kappa);
  }

  /**
   * Sends a prompt to every existing model in the box (or to every coordinate of it with
   * `create`), in Morton order. Refuses with TOO_LARGE before anyone answers if the box holds
   * more targets than maxBroadcast.
   */
  broadcast(box: Box, prompt: string, options: { maxTokens?: number; create?: boolean } = {}): LlmBroadcastResult[] {
    this.context.checkRunning();
    const b = validateBox(this.options.dims, box);
    this.context.checkPrompt(prompt);
    const max = this.context.maxBroadcast;
    const targets = options.create ? boxKeys(b, max) : this.existingKeys(b, max);
    const results = targets.map((key) => {
      const [x, y, z] = [mortonX(key), mortonY(key), mortonZ(key)];
      const node = this.at(x, y, z);
      const text = this.respondAt(key, node, prompt, options.maxTokens);
      return { x, y, z, id: node.id, kappa: node.kappa, text };
    });
    this.events.emit({ type: 'kappa' });
    return results;
  }

  // ---------------------------------------------------------------- store and cubes

  private existingKeys(b: Box, max: number): number[] {
    const keys: number[] = [];
    for (const source of [this.llms.keys(), this.evictedKappa.keys()]) {
      for (const key of source) if (boxContains(b, { x: mortonX(key), y: mortonY(key), z: mortonZ(key) })) keys.push(key);
    }
    if (keys.length > max) throw new CoreError('TOO_LARGE', `${keys.length} models in the box; at most ${max}`);
    return keys.sort((p, q) => p - q);
  }

  takeChanges(batch: MutableBatch): void {
    const rows = batch.llmKappas;
    for (const morton of this.dirtyLlms) {
      const kappa = this.llms.get(morton)?.kappa ?? this.evictedKappa.get(morton);
      if (kappa !== undefined) rows.push({ morton, kappa });
    }
    this.dirtyLlms.clear();
    const lessons = batch.llmLessons;
    for (const morton of this.dirtyLessons) {
      const lesson = this.lessons.get(morton);
      if (lesson !== undefined) lessons.push({ morton, lesson });
    }
    this.dirtyLessons.clear();
  }

  /** A stored lesson waits until its model is created (llmAt applies it). */
  restoreLesson(morton: number, lesson: Uint8Array): void {
    if (!Number.isInteger(morton) || morton < 0 || morton >= 2 ** 30) throw new CoreError('CORRUPT', `llm lesson row with Morton code ${String(morton)}`);
    if (!(lesson instanceof Uint8Array) || lesson.length > MAX_LESSON_BYTES) throw new CoreError('CORRUPT', `llm lesson at Morton code ${morton} is not ≤ ${MAX_LESSON_BYTES} bytes`);
    this.lessons.set(morton, Uint8Array.from(lesson));
    this.lessonInfo.delete(morton);
    this.llms.delete(morton);
  }

  /** A stored κ waits in the evicted map: the model is created only when its coordinate is used. */
  restoreKappa(morton: number, kappa: number): void {
    if (!Number.isInteger(morton) || morton < 0 || morton >= 2 ** 30) throw new CoreError('CORRUPT', `llm κ row with Morton code ${String(morton)}`);
    if (!Number.isFinite(kappa) || kappa < 0 || kappa > 1) throw new CoreError('CORRUPT', `llm κ ${String(kappa)} at Morton code ${morton} is outside [0, 1]`);
    const [x, y, z] = [mortonX(morton), mortonY(morton), mortonZ(morton)];
    if (x >= this.options.dims.x || y >= this.options.dims.y || z >= this.options.dims.z) {
      throw new CoreError('CORRUPT', `llm κ stored at ${x},${y},${z}, outside the ${this.options.dims.x}×${this.options.dims.y}×${this.options.dims.z} grid`);
    }
    this.evictedKappa.set(morton, kappa);
  }
}

function boxKeys(b: Box, max: number): number[] {
  const volume = boxVolume(b);
  if (volume > max) throw new CoreError('TOO_LARGE', `${volume} coordinates in the box; at most ${max}`);
  const keys: number[] = [];
  for (let z = b.z0; z <= b.z1; z++) for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) keys.push(mortonEncode(x, y, z));
  return keys.sort((p, q) => p - q);
}
