import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter } from '../../protocol/Emitter.js';
import {
  CoreDecodeError, parseBlockSample, parseCoreEvent, parseCubes, parseLedgerHead, parseLines,
  type BlockSample, type CoreEvent, type CubeKappa, type LedgerHead, type LineStats, parseAgents, type AgentRow } from './coreTypes.js';
import { MetricsDecodeError, parseLineTotals, type LineTotals } from './LineTotals.js';

export type BridgeErrorCode = 'BRIDGE_UNREACHABLE' | 'BRIDGE_HTTP' | 'BRIDGE_UNAUTHORIZED' | 'BRIDGE_BAD_JSON';

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
/** Every message starts with "bridge unreachable" or names the bridge's answer, so the page can show it as is. */
export class BridgeError extends Error {
  constructor(readonly code: BridgeErrorCode, message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

export interface CoreClientOptions {
  /** The bridge's token (the page's `?token=`): `Authorization: Bearer` on REST, `?token=` on sockets. */
  readonly token?: string;
  readonly timeoutMs?: number;
}

/** Largest response body the page will parse (the 3D view asks for a bounded number of blocks). */
const MAX_BODY = 16 * 1024 * 1024;

/** The bridge's REST API (same origin by default) and its `/ws` live events. */
export class CoreClient {
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly base: URL, options: CoreClientOptions = {}) {
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A sample of array 0's active cells for the 3D view, with the total count. */
  blocks(limit: number): Promise<BlockSample> {
    const bounded = Math.max(1, Math.min(Math.floor(limit), 100_000));
    return this.getJson(`blocks?limit=${bounded}`, parseBlockSample);
  }

  cubes(): Promise<CubeKappa[]> {
    return this.getJson('cubes', parseCubes);
  }

  ledgerHead(): Promise<LedgerHead> {
    return this.getJson('ledger/head', parseLedgerHead);
  }

  lines(): Promise<LineStats[]> {
    return this.getJson('lines', parseLines);
  }

  /** Lifetime frame, CRC-error and retransmit totals over all lines, closed ones included (GET /metrics). */
  async lineTotals(): Promise<LineTotals> {
    const text = await this.get('metrics', 'text/plain');
    try {
      return parseLineTotals(text);
    } catch (err) {
      if (err instanceof MetricsDecodeError) throw new BridgeError('BRIDGE_BAD_JSON', `bridge unreachable: ${err.message}`);
      throw err;
    }
  }

  /** Every XP10's BASIC agents, one row each (GET /agents). */
  agents(): Promise<AgentRow[]> {
    return this.getJson('agents', parseAgents);
  }

  value(x: number, y: number, z: number): Promise<unknown> {
    return this.getJson(`value?x=${x}&y=${y}&z=${z}`, (v) => v);
  }

  /** ws:// or wss:// URL of a bridge WebSocket path, e.g. `/line/serial0`, carrying the token if there is one. */
  wsUrl(path: string): string {
    const url = new URL(path.replace(/^\//, ''), this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.token) url.searchParams.set('token', this.token);
    return url.toString();
  }

  /** Headers for any request to the bridge (the page's own fetches of its image use them too). */
  headers(accept: string): Record<string, string> {
    return this.token ? { accept, authorization: `Bearer ${this.token}` } : { accept };
  }

  private async getJson<T>(path: string, decode: (json: unknown) => T): Promise<T> {
    const text = await this.get(path, 'application/json');
    const where = `GET /${path.split('?')[0]}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BridgeError('BRIDGE_BAD_JSON', `bridge unreachable: ${where} did not answer JSON (is this a Konomi bridge?)`);
    }
    try {
      return decode(json);
    } catch (err) {
      if (err instanceof CoreDecodeError) throw new BridgeError('BRIDGE_BAD_JSON', `${where}: unexpected answer (${err.message})`);
      throw err;
    }
  }

  /** The body of a successful GET; any failure is a BridgeError whose message says what the person can do. */
  private async get(path: string, accept: string): Promise<string> {
    const url = new URL(path, this.base);
    const where = `GET ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: this.headers(accept) });
    } catch {
      throw new BridgeError('BRIDGE_UNREACHABLE', `bridge unreachable at ${url.origin} (${where} failed)`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new BridgeError('BRIDGE_UNAUTHORIZED', `bridge refused ${where} (HTTP ${response.status}): open the page with ?token=<the bridge's token>`);
    }
    if (response.status === 404) {
      throw new BridgeError('BRIDGE_HTTP', `bridge unreachable: ${url.origin} serves the page but no bridge API (${where} not found)`);
    }
    if (!response.ok) throw new BridgeError('BRIDGE_HTTP', `bridge unreachable: ${where} answered HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_BODY) throw new BridgeError('BRIDGE_BAD_JSON', `${where}: response too large`);
    return text;
  }
}


export type FeedState = 'connecting' | 'open' | 'closed';

/**
 * The `/ws` subscription: sends `{type:'subscribe'}` on open, decodes events, reconnects with back-off
 * (capped) while started. State changes are reported so the page can show "bridge unreachable".
 */
export class CoreEventFeed {
  private readonly eventListeners = new Emitter<CoreEvent>();
  private readonly stateListeners = new Emitter<FeedState>();
  private socket: WebSocket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 500;
  private running = false;

  constructor(private readonly url: string, private readonly maxRetryMs = 8_000) {}

  onEvent(listener: (event: CoreEvent) => void): Disposable {
    return this.eventListeners.add(listener);
  }

  onState(listener: (state: FeedState) => void): Disposable {
    return this.stateListeners.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /** Reconnect now (retry button, bridge seen again) instead of waiting out the back-off; no-op while connected. */
  retryNow(): void {
    if (!this.running) return this.start();
    if (this.socket) return;
    clearTimeout(this.retryTimer);
    this.retryMs = 500;
    this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.socket = undefined;
  }

  private connect(): void {
    this.stateListeners.emit('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 500;
      socket.send(JSON.stringify({ type: 'subscribe' }));
      this.stateListeners.emit('open');
    });
    socket.addEventListener('message', (message: MessageEvent<unknown>) => {
      if (typeof message.data !== 'string' || message.data.length > MAX_BODY) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseCoreEvent(parsed);
      if (event) this.eventListeners.emit(event);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stateListeners.emit('closed');
      if (!this.running) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
    });
  }
}
