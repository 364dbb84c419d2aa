import type { Disposable } from '../../protocol/Disposable.js';
import { Listeners } from '../util/Listeners.js';
import {
  parseBlocks, parseCoreEvent, parseCubes, parseLedgerHead, parseLines,
  type BlockPoint, type CoreEvent, type CubeKappa, type LedgerHead, type LineStats,
} from './coreTypes.js';

export class BridgeError extends Error {
  constructor(readonly code: 'BRIDGE_UNREACHABLE' | 'BRIDGE_HTTP' | 'BRIDGE_BAD_JSON', message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** Largest response body the page will parse (the 3D view asks for a bounded number of blocks). */
const MAX_BODY = 16 * 1024 * 1024;

/** The bridge's REST API (same origin by default) and its `/ws` live events. */
export class CoreClient {
  constructor(private readonly base: URL, private readonly timeoutMs = 10_000) {}

  blocks(limit: number): Promise<BlockPoint[]> {
    const bounded = Math.max(1, Math.min(Math.floor(limit), 100_000));
    return this.getJson(`blocks?limit=${bounded}`).then(parseBlocks);
  }

  cubes(): Promise<CubeKappa[]> {
    return this.getJson('cubes').then(parseCubes);
  }

  ledgerHead(): Promise<LedgerHead | undefined> {
    return this.getJson('ledger/head').then(parseLedgerHead);
  }

  lines(): Promise<LineStats[]> {
    return this.getJson('lines').then(parseLines);
  }

  value(x: number, y: number, z: number): Promise<unknown> {
    return this.getJson(`value?x=${x}&y=${y}&z=${z}`);
  }

  /** ws:// or wss:// URL of a bridge WebSocket path, e.g. `/line/serial0`. */
  wsUrl(path: string): string {
    const url = new URL(path.replace(/^\//, ''), this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  private async getJson(path: string): Promise<unknown> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch {
      throw new BridgeError('BRIDGE_UNREACHABLE', `bridge unreachable (GET ${url.pathname})`);
    }
    if (!response.ok) {
      throw new BridgeError('BRIDGE_HTTP', `GET ${url.pathname} answered HTTP ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_BODY) throw new BridgeError('BRIDGE_BAD_JSON', `GET ${url.pathname}: response too large`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BridgeError('BRIDGE_BAD_JSON', `GET ${url.pathname}: not JSON`);
    }
  }
}

export type FeedState = 'connecting' | 'open' | 'closed';

/**
 * The `/ws` subscription: sends `{type:'subscribe'}` on open, decodes events, reconnects with back-off
 * (capped) while started. State changes are reported so the page can show "bridge unreachable".
 */
export class CoreEventFeed {
  private readonly eventListeners = new Listeners<CoreEvent>();
  private readonly stateListeners = new Listeners<FeedState>();
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
