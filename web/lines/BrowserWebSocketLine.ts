import { LineBase } from '../../lines/LineBase.js';

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
export class WebSocketLineError extends Error {
  constructor(readonly code: 'WS_CONNECT' | 'WS_CLOSED', message: string) {
    super(message);
    this.name = 'WebSocketLineError';
  }
}

/** Bound on bytes queued in the browser's socket buffer before we treat the bridge as gone. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * A browser WebSocket carrying raw bytes as binary messages (one message = one chunk), the browser end
 * of the bridge's `/line/serial0`. Created through `connect`, which resolves once the socket is open;
 * bytes that arrive before the first listener are kept for it (LineBase).
 */
export class BrowserWebSocketLine extends LineBase {
  private constructor(private readonly socket: WebSocket, name: string) {
    super(name);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (event.data instanceof ArrayBuffer) this.emitData(new Uint8Array(event.data));
    });
    socket.addEventListener('close', (event) => {
      const clean = event.code === 1000 || event.code === 1001;
      this.finish(clean ? undefined : new WebSocketLineError('WS_CLOSED', `${name} closed (code ${event.code})`));
    });
  }

  static connect(url: string, timeoutMs = 10_000): Promise<BrowserWebSocketLine> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(url);
      } catch (err) {
        reject(new WebSocketLineError('WS_CONNECT', `cannot open ${url}: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      const timer = setTimeout(() => {
        socket.close();
        reject(new WebSocketLineError('WS_CONNECT', `${url} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (): void => {
        clearTimeout(timer);
        reject(new WebSocketLineError('WS_CONNECT', `bridge unreachable at ${url}`));
      };
      socket.addEventListener('error', fail, { once: true });
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        socket.removeEventListener('error', fail);
        resolve(new BrowserWebSocketLine(socket, `ws:${new URL(url).pathname}`));
      }, { once: true });
    });
  }

  override get isOpen(): boolean {
    return super.isOpen && this.socket.readyState === WebSocket.OPEN;
  }

  write(data: Uint8Array): void {
    if (!this.isOpen || data.length === 0) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED) {
      this.close(new WebSocketLineError('WS_CLOSED', `${this.name}: bridge is not reading (over ${MAX_BUFFERED} bytes queued)`));
      return;
    }
    // Copy: the caller may reuse its buffer once write returns, and send() may read it later.
    this.socket.send(data.slice());
  }

  close(reason?: Error): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(1000);
    }
    this.finish(reason);
  }
}
