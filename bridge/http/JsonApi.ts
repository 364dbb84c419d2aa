import type WebSocket from 'ws';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import type { KonomiService } from '../service/KonomiService.js';
import type { Logger } from '../server/Logger.js';
import { HttpError, badField } from './HttpError.js';
import { bodyObject, intField, numberField, optionalIntField, stringField } from './fields.js';
import { toHttpError } from './mapHttpError.js';

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
      if (isBinary) throw new HttpError(400, 'BAD_REQUEST', 'messages must be JSON text');
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (bytes.length > MAX_JSON_MESSAGE) {
        throw new HttpError(413, 'TOO_LARGE', `message of ${bytes.length} bytes; at most ${MAX_JSON_MESSAGE} are accepted`);
      }
      const text = bytes.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'BAD_REQUEST', 'message is not valid JSON');
      }
      const msg = bodyObject(parsed);
      id = msg.id;
      const type = stringField(msg, 'type', 32);
      const reply = await this.run(ws, type, msg, subs);
      send(ws, { type, ...(id === undefined ? {} : { id }), ok: true, ...reply });
    } catch (err) {
      const e = toHttpError(err);
      send(ws, { type: 'error', ...(id === undefined ? {} : { id }), code: e.code, message: e.message });
    }
  }

  private async run(ws: WebSocket, type: string, msg: Record<string, unknown>, subs: Disposable[]): Promise<Reply> {
    const service = this.service;
    switch (type) {
      case 'initialize':
        return { status: service.status() };
      case 'status':
        return { status: service.status(), lines: this.dispatcher.lines() };
      case 'process': {
        if (msg.cube !== undefined) {
          const answer = service.cubeMessage(intField(msg, 'cube', 0, U16), intField(msg, 'vertex', 0, 8), stringField(msg, 'text', 4096));
          return { ...answer };
        }
        const x = intField(msg, 'x', 0, U16);
        const y = intField(msg, 'y', 0, U16);
        const z = intField(msg, 'z', 0, U16);
        const prompt = stringField(msg, 'prompt', 4096);
        return { x, y, z, ...service.llmQuery(x, y, z, prompt, optionalIntField(msg, 'maxTokens', 1, 256, 32)) };
      }
      case 'collective_think': {
        const cube = intField(msg, 'cube', 0, U16);
        const text = stringField(msg, msg.query !== undefined ? 'query' : 'text', 4096);
        // With choices: a vote each vertex casts with its own model (docs/CORE.md, "Choice votes").
        if (msg.choices !== undefined) return { ...service.choiceJson(service.collectiveChoose(cube, text, msg.choices as never), text) };
        const result = service.collectiveThink(cube, text, optionalIntField(msg, 'maxTokens', 1, 256, 32));
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
        const cube = intField(msg, 'cube', 0, U16);
        const other = intField(msg, 'otherCube', 0, U16);
        await service.konomi.linkCubes(cube, intField(msg, 'vertex', 0, 8) as never, other, intField(msg, 'otherVertex', 0, 8) as never);
        return { cube, otherCube: other };
      }
      case 'perturb': {
        // Sets a cube's κ (or one vertex's): the page's κ plot shows the field pulling it back.
        const cube = intField(msg, 'cube', 0, U16);
        const vertex = msg.vertex === undefined ? undefined : typeof msg.vertex === 'string' ? msg.vertex : intField(msg, 'vertex', 0, 8);
        return { cube: await service.perturb(cube, numberField(msg, 'kappa'), vertex) };
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
        return { events: ['block', 'kappa', 'ledger', 'lines', 'vote'], ledger: service.ledgerHead(), kappa: service.kappa().data };
      default:
        throw badField('type', `unknown message type "${type}"`);
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
