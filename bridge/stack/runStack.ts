/**
 * `npm run stack`: the services of deploy/compose.yaml without Docker. Starts PostgreSQL and
 * Redis from the system's packages on loopback (data under $STACK_DATA, default ./data/stack),
 * then the api, ws and web roles of `konomi start`, and stops everything, in reverse order, on
 * SIGINT/SIGTERM/SIGHUP or when one of them dies. Prints `STACK READY {json}` once all answer
 * /healthz. If the runner itself is killed, orphanReaper stops the services.
 *
 * Environment: STACK_DATA, HOST (127.0.0.1; PostgreSQL and Redis always bind 127.0.0.1),
 * WEB_PORT (3000), API_PORT (3001), WS_PORT (3002), PACKET_PORT (5600), PG_PORT and REDIS_PORT
 * (free ports when unset), TOKEN (one token for every role; generated when unset and HOST is
 * not loopback).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { describeError } from '../../protocol/errors/CodedError.js';
import { isLoopbackAddress } from '../util/isLoopback.js';
import { createConsoleLogger } from '../util/Logger.js';
import { ChildService } from './ChildService.js';
import { PostgresProcess } from './PostgresProcess.js';
import { RedisProcess } from './RedisProcess.js';

const logger = createConsoleLogger('stack');

interface Role {
  name: 'api' | 'ws' | 'web';
  port: number;
  packetPort: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return Number(raw);
}

/** A sibling module, .ts under tsx and .js once compiled. */
function sibling(name: string): string {
  return fileURLToPath(import.meta.url).replace(/runStack\.(ts|js)$/, `${name}.$1`);
}

/** Started first, in its own group; told every service's pid (see orphanReaper.ts). */
function startReaper(): { watch(pid: number | undefined): void; release(): void } {
  const reaper: ChildProcess = spawn(process.execPath, [...process.execArgv, sibling('orphanReaper')], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  reaper.unref();
  reaper.stdin?.on('error', () => undefined);
  return {
    watch: (pid) => void (pid !== undefined && reaper.stdin?.write(`${pid}\n`)),
    release: () => reaper.stdin?.end('bye\n'),
  };
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/healthz`);
  return response.ok;
}

async function main(): Promise<number> {
  const dataDir = resolve(process.env.STACK_DATA ?? './data/stack');
  mkdirSync(dataDir, { recursive: true });
  // When we are root, PostgreSQL runs as the postgres account: it must be able to reach its directory.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const host = process.env.HOST ?? '127.0.0.1';
  // The databases never listen beyond loopback: only the roles on this host use them.
  const dbHost = '127.0.0.1';
  let token = process.env.TOKEN || process.env.KONOMI_TOKEN || undefined;
  if (token === undefined && !isLoopbackAddress(host)) {
    token = randomBytes(12).toString('hex');
    logger.warn(`listening on ${host}: callers from other hosts present this token (all roles): ${token}`);
  }
  const reaper = startReaper();
  const roles: Role[] = [
    { name: 'api', port: envInt('API_PORT', 3001), packetPort: envInt('PACKET_PORT', 5600) },
    { name: 'ws', port: envInt('WS_PORT', 3002), packetPort: 0 },
    { name: 'web', port: envInt('WEB_PORT', 3000), packetPort: 0 },
  ];
  let stopping = false;
  const children: ChildService[] = [];
  let postgres: PostgresProcess | undefined;
  let redis: RedisProcess | undefined;
  const stopAll = async (): Promise<void> => {
    for (const child of [...children].reverse()) await child.stop('SIGTERM', 15_000);
    await redis?.stop();
    await postgres?.stop();
    reaper.release();
  };
  // `on`, not `once`: under npm/tsx a Ctrl-C arrives twice (from the terminal and forwarded), and
  // a second, unhandled one would kill the runner before it has stopped its services.
  const interrupted = new Promise<string>((done) => {
    process.on('SIGINT', () => done('SIGINT'));
    process.on('SIGTERM', () => done('SIGTERM'));
    process.on('SIGHUP', () => done('SIGHUP'));
  });
  try {
    postgres = await PostgresProcess.start({ dataDir: join(dataDir, 'postgres'), host: dbHost, port: envInt('PG_PORT', 0), ownGroup: true });
    reaper.watch(postgres.pid);
    logger.info(`postgres ${postgres.url} (pid ${String(postgres.pid)})`);
    redis = await RedisProcess.start({ dataDir: join(dataDir, 'redis'), host: dbHost, port: envInt('REDIS_PORT', 0), persist: true, ownGroup: true });
    reaper.watch(redis.pid);
    logger.info(`redis ${redis.url} (pid ${String(redis.pid)})`);
    const api = `http://${host}:${roles[0]!.port}`;
    const ws = `http://${host}:${roles[1]!.port}`;
    // The page's WebSocket goes to the bridge that serves its REST calls: one system as the page sees it.
    const died = new Promise<string>((done) => {
      for (const role of roles) {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ROLE: role.name,
          HOST: host,
          PORT: String(role.port),
          PACKET_PORT: String(role.packetPort),
          DB_URL: postgres!.url,
          REDIS_URL: redis!.url,
          BRIDGE_ID: `stack-${role.name}`,
          API_URL: api,
          WS_URL: api,
          DATA_DIR: '',
          ...(token ? { TOKEN: token } : {}),
        };
        const child = ChildService.spawn(role.name, process.execPath, [...process.execArgv, sibling('konomiMain'), 'start'], { env, ownGroup: true });
        reaper.watch(child.pid);
        child.onOutput((text) => process.stderr.write(text));
        children.push(child);
        void child.wait().then((code) => {
          if (!stopping) done(`${role.name} exited with ${String(code)}`);
        });
      }
    });
    await Promise.all(roles.map((role, i) => children[i]!.waitUntil(() => healthy(`http://${host}:${role.port}`), 60_000)));
    const ready = {
      web: `http://${host}:${roles[2]!.port}`,
      api,
      ws,
      packet: `tcp://${host}:${roles[0]!.packetPort}`,
      postgres: postgres.url,
      redis: redis.url,
      pids: { postgres: postgres.pid, redis: redis.pid, api: children[0]!.pid, ws: children[1]!.pid, web: children[2]!.pid },
    };
    process.stdout.write(`STACK READY ${JSON.stringify(ready)}\n`);
    const why = await Promise.race([interrupted, died]);
    stopping = true;
    logger.info(`${why}: stopping the stack`);
    await stopAll();
    logger.info('stopped');
    return why.startsWith('SIG') ? 0 : 1;
  } catch (err) {
    stopping = true;
    logger.error(describeError(err));
    await stopAll();
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
