import type WebSocket from 'ws';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import type { KonomiService } from '../service/KonomiService.js';
import type { Logger } from '../util/Logger.js';
import { HttpError, badField } from './HttpError.js';
import { vertexName } from '../../protocol/payloads/cubeMsg.js';
import { Fields } from './fields.js';
import { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../../protocol/vocabulary/Teaching.js';
import { toHttpError } from './mapHttpError.js';
import { toVertex } from '../../core/cube/Vertex.js';
import { cubeKappaView, kappaEvent, ledgerHeadView, voteView } from '../service/coreViews.js';

/** Largest JSON message /ws answers; a longer one gets a TOO_LARGE error reply. */
export const MAX_JSON_MESSAGE = 64 * 1024;
/**
 * What the WebSocket server takes before it closes the socket (1009): above MAX_JSON_MESSAGE,
 * so a message somewhat too long gets an error reply instead of a dropped connection.
 */
export const MAX_JSON_FRAME = 16 * MAX_JSON_MESSAGE;
/** A subscriber this far behind misses live events rather than growing the send buffer. */
const MAX_SUBSCRIBER_BACKLOG = 1 << 20;
const U16 = 0xffff;
const LINES_INTERVAL_MS = 1000;
/** Bounds on reading `choices`; the core applies the vote's own rules (docs/CORE.md) and its codes. */
const CHOICES_READ_LIMIT = 64;
const CHOICE_READ_LENGTH = 256;

type Reply = Record<string, unknown>;

/**
 * The WebSocket JSON API of the original design: initialize, process, connect, status,
 * collective_think, plus subscribe for live block/κ/ledger/lines events. Every message gets
 * exactly one reply; a bad one gets an error reply and the socket stays open.
 */
export class JsonApi {
  private readonly clients = new Set<WebSocket>();

  constructor(
    private readonly service: KonomiService,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  accept(ws: WebSocket, remote: string): void {
    this.clients.add(ws);
    const subscriptions: Disposable[] = [];
    this.logger.info(`ws /ws open: ${remote}`);
    ws.on('message', (data, isBinary) => {
      void this.onMessage(ws, data, isBinary, subscriptions);
    });
    ws.on('close', () => {
      this.clients.delete(ws);
      for (const s of subscriptions) s.dispose();
      this.logger.info(`ws /ws closed: ${remote}`);
    });
    ws.on('error', (err) => this.logger.warn(`ws /ws ${remote}: ${err.message}`));
  }

  closeAll(): void {
    for (const ws of this.clients) ws.close(1001, 'bridge shutting down');
  }

  private async onMessage(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean, subs: Disposable[]): Promise<void> {
    let id: unknown;
    try {
      if (isBinary) throw new HttpError('BAD_REQUEST', 'messages must be JSON text');
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (bytes.length > MAX_JSON_MESSAGE) {
        throw new HttpError('TOO_LARGE', `message of ${bytes.length} bytes; at most ${MAX_JSON_MESSAGE} are accepted`);
      }
      const text = bytes.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new HttpError('BAD_REQUEST', `message is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) id = (parsed as Record<string, unknown>).id;
      const msg = Fields.json(parsed, 'message');
      const type = msg.string('type', 32);
      const reply = await this.run(ws, type, msg, subs);
      send(ws, { type, ...(id === undefined ? {} : { id }), ok: true, ...reply });
    } catch (err) {
      const e = toHttpError(err);
      send(ws, { type: 'error', ...(id === undefined ? {} : { id }), code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
    }
  }

  private async run(ws: WebSocket, type: string, msg: Fields, subs: Disposable[]): Promise<Reply> {
    const service = this.service;
    switch (type) {
      case 'initialize':
        return { status: service.status() };
      case 'status':
        return { status: service.status(), lines: this.dispatcher.lines() };
      case 'process': {
        if (msg.has('cube')) {
          // Routed as a CUBE_MSG is: a vertex hosted by a guest (XP10) is answered by that guest.
          const answer = await this.dispatcher.cubeMessage({
            cube: msg.int('cube', 0, U16),
            vertex: msg.vertex('vertex', { wholeCube: true }),
            text: msg.string('text', 4096),
          });
          return { ...answer, vertexName: vertexName(answer.vertex) };
        }
        const x = msg.int('x', 0, U16);
        const y = msg.int('y', 0, U16);
        const z = msg.int('z', 0, U16);
        const prompt = msg.string('prompt', 4096);
        return { x, y, z, ...service.llmQuery(x, y, z, prompt, msg.optionalInt('maxTokens', 1, 256, 32)) };
      }
      case 'teach': {
        const x = msg.int('x', 0, U16);
        const y = msg.int('y', 0, U16);
        const z = msg.int('z', 0, U16);
        const text = msg.string('text', MAX_TEACH_TEXT);
        if (text.length < 2) throw badField('text', 'needs at least 2 characters');
        const steps = msg.optionalInt('steps', 1, MAX_TEACH_STEPS, DEFAULT_TEACH_STEPS);
        // A subscribed socket already gets every teach event; one that is not gets its own teaching's.
        const own = subs.length === 0 ? (e: { event: string; data: unknown }) => push(ws, e.event, e.data) : undefined;
        // `id` is the request's own: the model is named `llm`.
        const { id: llm, ...result } = await service.teach(x, y, z, text, steps, own);
        return { ...result, llm };
      }
      case 'collective_think': {
        const cube = msg.int('cube', 0, U16);
        const text = msg.string(msg.has('query') ? 'query' : 'text', 4096);
        // With choices: a vote each vertex casts with its own model (docs/CORE.md, "Choice votes").
        if (msg.has('choices')) return { ...voteView(service.konomi.cubes.collectiveChoose(cube, text, msg.strings('choices', CHOICES_READ_LIMIT, CHOICE_READ_LENGTH)), text) };
        const result = service.konomi.cubes.collectiveThink(cube, text, msg.optionalInt('maxTokens', 1, 256, 32));
        return {
          cube,
          quorum: result.quorum,
          text: result.text,
          kappa: result.kappa,
          agreeing: result.agreeing,
          answers: result.answers,
        };
      }
      case 'connect': {
        const cube = msg.int('cube', 0, U16);
        const vertex = msg.vertex('vertex');
        const other = msg.int('otherCube', 0, U16);
        const otherVertex = msg.vertex('otherVertex');
        await service.konomi.cubes.link(cube, toVertex(vertex), other, toVertex(otherVertex));
        return { cube, vertex, otherCube: other, otherVertex };
      }
      case 'perturb': {
        // Sets a cube's κ (or one vertex's): the page's κ plot shows the field pulling it back.
        const cube = msg.int('cube', 0, U16);
        const vertex = msg.has('vertex') ? msg.vertex('vertex') : undefined;
        const c = await service.konomi.cubes.perturb(cube, msg.number('kappa', 0, 1), vertex);
        return { cube: cubeKappaView(c.id, c.kappa, c.vertexKappa()) };
      }
      case 'subscribe':
        if (subs.length === 0) {
          // Line counters change with every frame; a once-a-second snapshot feeds frames/s displays.
          const timer = setInterval(() => push(ws, 'lines', this.dispatcher.lines()), LINES_INTERVAL_MS);
          timer.unref();
          subs.push(
            service.onEvent((e) => push(ws, e.event, e.data)),
            this.dispatcher.onLineEvent(() => push(ws, 'lines', this.dispatcher.lines())),
            { dispose: () => clearInterval(timer) },
          );
        }
        return { events: ['block', 'kappa', 'ledger', 'lines', 'vote', 'teach'], ledger: ledgerHeadView(service.konomi.grid), kappa: kappaEvent(service.konomi).data };
      default:
        throw badField('type', `unknown message type "${type}"; one of initialize, status, process, teach, collective_think, connect, perturb, subscribe`);
    }
  }
}

function send(ws: WebSocket, message: Reply): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function push(ws: WebSocket, event: string, data: unknown): void {
  if (ws.bufferedAmount > MAX_SUBSCRIBER_BACKLOG) return;
  send(ws, { type: 'event', event, data });
}
