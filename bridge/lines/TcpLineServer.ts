import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import { TcpLine, type TcpLineOptions } from './TcpLine.js';

export interface TcpLineServerOptions extends TcpLineOptions {
  /** Connections beyond this are refused at once (default 64). */
  maxConnections?: number;
}

/** Accepts TCP connections and hands each one out as a TcpLine (the packet port, 5600 by default). */
export class TcpLineServer {
  private readonly server: Server;
  private readonly lines = new Set<TcpLine>();
  private readonly listeners = new Emitter<TcpLine>(propagateListenerError);

  constructor(private readonly options: TcpLineServerOptions = {}) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get address(): AddressInfo | undefined {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  get connectionCount(): number {
    return this.lines.size;
  }

  onConnection(listener: (line: TcpLine) => void): Disposable {
    return this.listeners.add(listener);
  }

  /** Stops listening and closes every open line. */
  close(): Promise<void> {
    for (const line of this.lines) line.close();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private accept(socket: Socket): void {
    if (this.lines.size >= (this.options.maxConnections ?? 64)) {
      socket.destroy();
      return;
    }
    const line = new TcpLine(socket, this.options);
    this.lines.add(line);
    line.onClose(() => this.lines.delete(line));
    this.listeners.emit(line);
  }
}
