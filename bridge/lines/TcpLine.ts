import { connect, type Socket } from 'node:net';
import { LineBase } from '../../lines/LineBase.js';
import { ReadTurnBudget } from './ReadTurnBudget.js';

/** Bytes queued in the socket beyond which the peer counts as stalled and the line is dropped. */
export const DEFAULT_MAX_WRITE_BUFFER = 8 * 1024 * 1024;

/** First size of the buffer one tick's writes are gathered in (small enough to come from Node's buffer pool); it doubles when a tick writes more. */
const STAGING_BYTES = 2048;
/**
 * A tick that wrote more starts the next one's buffer at that size, up to this: a large reply
 * leaves in slices of 32 frames (128 KiB), and doubling from 2 KiB each time copied each slice
 * six more times.
 */
const MAX_STAGING_HINT = 256 * 1024;

export interface TcpLineOptions {
  maxWriteBuffer?: number;
}

/** A Line over a TCP socket: raw 56k-protocol bytes from scripts and other bridges. */
export class TcpLine extends LineBase {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  private readonly maxWriteBuffer: number;
  /** Bytes written this tick, sent in one socket write when the tick ends. */
  private staging: Buffer | undefined;
  private staged = 0;
  private stagingHint = STAGING_BYTES;
  /**
   * Staging buffers the socket is still writing, oldest first (Node calls write callbacks in
   * order). The last one written comes back as `spare` for a later tick: a large reply sent in
   * slices then reuses one buffer instead of allocating one per slice, and the volume of
   * ArrayBuffers allocated is what starts V8's full collections (docs/PERFORMANCE.md).
   */
  private readonly writing: Buffer[] = [];
  private spare: Buffer | undefined;
  private readonly written = (): void => {
    const done = this.writing.shift();
    if (done !== undefined && done.length > STAGING_BYTES) this.spare = done;
  };
  private readonly flush = (): void => {
    const staging = this.staging;
    if (staging === undefined) return;
    this.staging = undefined;
    this.stagingHint = Math.min(MAX_STAGING_HINT, Math.max(STAGING_BYTES, this.staged));
    if (this.isOpen && !this.socket.destroyed) {
      this.writing.push(staging);
      this.socket.write(staging.subarray(0, this.staged), this.written);
    }
    this.staged = 0;
  };

  constructor(private readonly socket: Socket, options: TcpLineOptions = {}) {
    super(`tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`);
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localPort = socket.localPort ?? 0;
    this.maxWriteBuffer = options.maxWriteBuffer ?? DEFAULT_MAX_WRITE_BUFFER;
    socket.setNoDelay(true);
    const budget = new ReadTurnBudget(
      () => socket.pause(),
      () => {
        if (!socket.destroyed) socket.resume();
      },
    );
    socket.on('data', (chunk: Buffer) => {
      this.emitData(chunk);
      budget.took(chunk.length);
    });
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish());
    // A half-closed peer will send nothing more; end our side too so 'close' follows.
    socket.on('end', () => socket.end());
  }

  write(data: Uint8Array): void {
    if (!this.isOpen || this.socket.destroyed) return;
    if (this.socket.writableLength + this.staged + data.length > this.maxWriteBuffer) {
      const err = new Error(`${this.name}: peer is not reading (more than ${this.maxWriteBuffer} bytes queued)`);
      this.socket.destroy(err);
      this.finish(err);
      return;
    }
    // Frames written in the same tick leave in one socket write (one syscall, one stream
    // request), copied into one buffer: the caller may reuse its own before the tick ends.
    if (this.staging === undefined) {
      const size = Math.max(this.stagingHint, data.length);
      const spare = this.spare;
      this.spare = undefined;
      this.staging = spare !== undefined && spare.length >= size ? spare : Buffer.allocUnsafe(size);
      process.nextTick(this.flush);
    } else if (this.staged + data.length > this.staging.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.staging.length * 2, this.staged + data.length));
      this.staging.copy(grown, 0, 0, this.staged);
      this.staging = grown;
    }
    this.staging.set(data, this.staged);
    this.staged += data.length;
  }

  close(): void {
    if (!this.isOpen) return;
    this.flush();
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
