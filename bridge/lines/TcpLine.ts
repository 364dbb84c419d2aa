import { connect, type Socket } from 'node:net';
import { LineBase } from './LineBase.js';

/** Bytes queued in the socket beyond which the peer counts as stalled and the line is dropped. */
export const DEFAULT_MAX_WRITE_BUFFER = 8 * 1024 * 1024;

export interface TcpLineOptions {
  maxWriteBuffer?: number;
}

/** A Line over a TCP socket: raw 56k-protocol bytes from scripts and other bridges. */
export class TcpLine extends LineBase {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  private readonly maxWriteBuffer: number;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Socket, options: TcpLineOptions = {}) {
    super(`tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`);
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localPort = socket.localPort ?? 0;
    this.maxWriteBuffer = options.maxWriteBuffer ?? DEFAULT_MAX_WRITE_BUFFER;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish());
    // A half-closed peer will send nothing more; end our side too so 'close' follows.
    socket.on('end', () => socket.end());
  }

  write(data: Uint8Array): void {
    if (!this.isOpen || this.socket.destroyed) return;
    if (this.socket.writableLength + data.length > this.maxWriteBuffer) {
      const err = new Error(`${this.name}: peer is not reading (more than ${this.maxWriteBuffer} bytes queued)`);
      this.socket.destroy(err);
      this.finish(err);
      return;
    }
    // Frames written in the same tick leave in one writev: one syscall, not one per frame.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    // Copy: the caller may reuse its buffer before the socket flushes.
    this.socket.write(Buffer.from(data));
  }

  close(): void {
    if (!this.isOpen) return;
    this.socket.end();
    this.socket.destroySoon();
    this.finish();
  }
}

export interface ConnectTcpOptions extends TcpLineOptions {
  timeoutMs?: number;
}

/** Opens a TcpLine to host:port; rejects on refusal or after `timeoutMs` (default 5 s). */
export function connectTcpLine(host: string, port: number, options: ConnectTcpOptions = {}): Promise<TcpLine> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp://${host}:${port}: no connection after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`tcp://${host}:${port}: ${err.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new TcpLine(socket, options));
    });
  });
}
