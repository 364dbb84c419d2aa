import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient } from 'redis';
import { ChildService } from './ChildService.js';
import { freePort, startOnFreePort } from './freePort.js';
import { StackError } from './StackError.js';
import { onPath } from './systemBinary.js';

export interface RedisOptions {
  /** Working directory (append-only file when `persist`). */
  dataDir: string;
  host?: string;
  port?: number;
  /** appendonly yes, fsync every second: for the stack; tests need no persistence. */
  persist?: boolean;
  startTimeoutMs?: number;
  /** Own process group: the terminal's Ctrl-C reaches only whoever stops it in order. */
  ownGroup?: boolean;
}

/** A private redis-server from the system package on loopback. */
export class RedisProcess {
  private constructor(
    private readonly service: ChildService,
    readonly host: string,
    readonly port: number,
  ) {}

  static binary(): string | undefined {
    return process.env.REDIS_SERVER ?? onPath('redis-server');
  }

  static available(): boolean {
    return RedisProcess.binary() !== undefined;
  }

  /** With no fixed port, a free one is picked; if another process takes it first, try again. */
  static start(options: RedisOptions): Promise<RedisProcess> {
    return startOnFreePort(options.port, () => RedisProcess.startOnce(options));
  }

  private static async startOnce(options: RedisOptions): Promise<RedisProcess> {
    const binary = RedisProcess.binary();
    if (!binary) throw new StackError('BINARY_MISSING', 'redis-server not found (install redis-server or set REDIS_SERVER)');
    const dir = resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    const host = options.host ?? '127.0.0.1';
    const port = options.port || (await freePort(host));
    const persist = options.persist ?? false;
    const args = ['--port', String(port), '--bind', host, '--dir', dir, '--daemonize', 'no', '--save', '', '--protected-mode', 'yes'];
    args.push('--appendonly', persist ? 'yes' : 'no');
    const service = ChildService.spawn('redis-server', binary, args, { ownGroup: options.ownGroup ?? false });
    const redis = new RedisProcess(service, host, port);
    await service.waitUntil(() => redis.ping(), options.startTimeoutMs ?? 15_000);
    return redis;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.service.pid;
  }

  async stop(): Promise<void> {
    await this.service.stop('SIGTERM');
  }

  private async ping(): Promise<boolean> {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      if (client.isOpen) await client.close().catch(() => undefined);
    }
  }
}
