import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ChildService } from './ChildService.js';
import { freePort, startOnFreePort } from './freePort.js';
import { StackError } from './StackError.js';
import { localUser, postgresBinDir, type UserIds } from './systemBinary.js';

const run = promisify(execFile);

export interface PostgresOptions {
  /** Cluster directory; initialised on first use. */
  dataDir: string;
  host?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Database created on start if missing. */
  database?: string;
  /** Skip initdb's fsync of the new cluster (tests); commits are fsynced either way. */
  fastInit?: boolean;
  startTimeoutMs?: number;
  /** Own process group: the terminal's Ctrl-C reaches only whoever stops it in order. */
  ownGroup?: boolean;
}

/**
 * A private PostgreSQL from the system's binaries: its own cluster directory, TCP on loopback,
 * no unix socket, trust authentication for the `konomi` superuser. When we are root it runs as
 * the `postgres` account, which then owns the directory.
 */
export class PostgresProcess {
  private constructor(
    private readonly service: ChildService,
    readonly host: string,
    readonly port: number,
    readonly database: string,
  ) {}

  static available(): boolean {
    return postgresBinDir() !== undefined;
  }

  /** With no fixed port, a free one is picked; if another process takes it first, try again. */
  static start(options: PostgresOptions): Promise<PostgresProcess> {
    return startOnFreePort(options.port, () => PostgresProcess.startOnce(options));
  }

  private static async startOnce(options: PostgresOptions): Promise<PostgresProcess> {
    const bin = postgresBinDir();
    if (!bin) throw new StackError('BINARY_MISSING', 'PostgreSQL not found (install postgresql or set PG_BIN)');
    const dataDir = resolve(options.dataDir);
    const host = options.host ?? '127.0.0.1';
    const port = options.port || (await freePort(host));
    const database = options.database ?? 'konomi';
    const user = runAsUser();
    await initCluster(bin, dataDir, user, options.fastInit ?? false);
    const service = ChildService.spawn(
      'postgres',
      join(bin, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${host}`, '-c', 'unix_socket_directories='],
      { ...(user ? { user } : {}), ownGroup: options.ownGroup ?? false },
    );
    const pgProcess = new PostgresProcess(service, host, port, database);
    await service.waitUntil(() => pgProcess.ping('postgres'), options.startTimeoutMs ?? 30_000);
    await pgProcess.createDatabase();
    return pgProcess;
  }

  /** postgres://konomi@host:port/<database> */
  get url(): string {
    return this.urlFor(this.database);
  }

  get pid(): number | undefined {
    return this.service.pid;
  }

  get running(): boolean {
    return this.service.running;
  }

  /** Fast shutdown (SIGINT): open transactions roll back, committed ones are already on disk. */
  async stop(): Promise<void> {
    await this.service.stop('SIGINT', 20_000);
  }

  private urlFor(database: string): string {
    return `postgres://konomi@${this.host}:${this.port}/${database}`;
  }

  private async ping(database: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.urlFor(database), connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async createDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: this.urlFor('postgres') });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${this.database.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
  }
}

function runAsUser(): UserIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = localUser('postgres');
  if (!user) throw new StackError('START_FAILED', 'running as root and there is no "postgres" account to run PostgreSQL as');
  return user;
}

async function initCluster(bin: string, dataDir: string, user: UserIds | undefined, fast: boolean): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    if (user) chownTree(dataDir, user);
    return;
  }
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new StackError('START_FAILED', `${dataDir} is neither empty nor a PostgreSQL cluster`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const args = ['-D', dataDir, '-U', 'konomi', '--auth=trust', '-E', 'UTF8', '--locale=C'];
  if (fast) args.push('--no-sync');
  try {
    await run(join(bin, 'initdb'), args, { ...(user ? { uid: user.uid, gid: user.gid } : {}), cwd: '/' });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new StackError('START_FAILED', `initdb failed: ${detail}`);
  }
}

/** A cluster copied or created by root must belong to the account PostgreSQL runs as. */
function chownTree(path: string, user: UserIds): void {
  const st = statSync(path);
  if (st.uid === user.uid) return;
  chownSync(path, user.uid, user.gid);
  if (st.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), user);
}
