import WebSocket from 'ws';
import { LineBase } from '../../lines/LineBase.js';
import { ReadTurnBudget } from './ReadTurnBudget.js';

export interface WebSocketLineOptions {
  name?: string;
  /** Bytes queued in the socket beyond which the peer counts as stalled and the line is dropped. */
  maxBufferedAmount?: number;
}

/**
 * A Line over a WebSocket: each binary message is one chunk of the byte stream (the serial0
 * of an XP10 running in a browser page). Text messages are a protocol violation and close the line.
 */
export class WebSocketLine extends LineBase {
  private readonly maxBufferedAmount: number;

  constructor(private readonly socket: WebSocket, options: WebSocketLineOptions = {}) {
    super(options.name ?? 'ws');
    this.maxBufferedAmount = options.maxBufferedAmount ?? 8 * 1024 * 1024;
    socket.binaryType = 'nodebuffer';
    // ws pauses its socket; messages already parsed from the last read still arrive this turn.
    const budget = new ReadTurnBudget(
      () => socket.pause(),
      () => socket.resume(),
    );
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        socket.close(1003, 'binary messages only');
        this.finish(new Error(`${this.name}: text message on a byte line`));
        return;
      }
      const bytes = toBytes(data);
      this.emitData(bytes);
      budget.took(bytes.length);
    });
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish());
  }

  write(data: Uint8Array): void {
    if (!this.isOpen || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount + data.length > this.maxBufferedAmount) {
      const err = new Error(`${this.name}: peer is not reading`);
      this.socket.terminate();
      this.finish(err);
      return;
    }
    this.socket.send(Buffer.from(data), { binary: true });
  }

  close(): void {
    if (!this.isOpen) return;
    this.socket.close(1000);
    this.finish();
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Opens a client WebSocketLine to `url` (ws://host:port/path). */
export function connectWebSocketLine(url: string, options: WebSocketLineOptions & { timeoutMs?: number } = {}): Promise<WebSocketLine> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    socket.once('error', (err) => reject(new Error(`${url}: ${err.message}`)));
    socket.once('open', () => {
      socket.removeAllListeners('error');
      resolve(new WebSocketLine(socket, { name: options.name ?? url, ...options }));
    });
  });
}
