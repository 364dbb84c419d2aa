import { hostname } from 'node:os';
import { flagOption, intOption, stringOption, UsageError, type ParsedArgs } from '../parseArgs.js';

export type Role = 'all' | 'api' | 'ws' | 'web';

/** The `konomi start` options that `startConfig` reads (each also has an environment variable). */
export const START_CONFIG_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'int', min: 0, max: 65535 },
  'packet-port': { type: 'int', min: 0, max: 65535 },
  data: { type: 'string' },
  ephemeral: { type: 'flag' },
  token: { type: 'string' },
  db: { type: 'string' },
  redis: { type: 'string' },
  id: { type: 'string' },
  role: { type: 'string' },
  api: { type: 'string' },
  ws: { type: 'string' },
} as const;

/** Default HTTP port per role: the ports of the original design (web 3000, api 3001, ws 3002). */
const ROLE_PORT: Record<Role, number> = { all: 3000, api: 3001, ws: 3002, web: 3000 };

export interface StartConfig {
  role: Role;
  host: string;
  port: number;
  /** 0: a free port (the ws role's packet port is not published). */
  packetPort: number;
  token: string | undefined;
  /** PostgreSQL URL: selects PgStore. */
  dbUrl: string | undefined;
  /** LMDB directory when there is no dbUrl; undefined with --ephemeral. */
  dataDir: string | undefined;
  /** Redis URL: joins the cluster. */
  redisUrl: string | undefined;
  /** Names the bridge in the cluster and its ledger chain in PostgreSQL. */
  bridgeId: string;
  /** The web role proxies to these. */
  apiUrl: string;
  wsUrl: string;
}

/**
 * Options from flags, then the environment (DB_URL, REDIS_URL, PORT, PACKET_PORT, HOST,
 * DATA_DIR, TOKEN, BRIDGE_ID, ROLE, API_URL, WS_URL), then defaults. Flags win.
 */
export function startConfig(args: ParsedArgs, env: NodeJS.ProcessEnv): StartConfig {
  const role = (stringOption(args, 'role') ?? env.ROLE ?? 'all') as Role;
  if (!['all', 'api', 'ws', 'web'].includes(role)) throw new UsageError('--role must be all, api, ws or web');
  const ephemeral = flagOption(args, 'ephemeral');
  const dataOption = stringOption(args, 'data');
  if (ephemeral && dataOption !== undefined) throw new UsageError('--ephemeral and --data exclude each other');
  const dbUrl = stringOption(args, 'db') ?? nonEmpty(env.DB_URL);
  if (dbUrl !== undefined && !/^postgres(ql)?:\/\//.test(dbUrl)) throw new UsageError('DB_URL / --db must be a postgres:// URL');
  if (dbUrl !== undefined && (ephemeral || dataOption !== undefined)) throw new UsageError('--db excludes --data and --ephemeral');
  const redisUrl = stringOption(args, 'redis') ?? nonEmpty(env.REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) throw new UsageError('REDIS_URL / --redis must be a redis:// URL');
  if (redisUrl !== undefined && dbUrl === undefined && role !== 'web') {
    throw new UsageError('a cluster (REDIS_URL) needs the shared PostgreSQL store (DB_URL): bridges cannot share LMDB');
  }
  const port = intOption(args, 'port') ?? envPort(env, 'PORT') ?? ROLE_PORT[role];
  const packetPort = intOption(args, 'packet-port') ?? envPort(env, 'PACKET_PORT') ?? (role === 'ws' ? 0 : 5600);
  const dataDir = dbUrl !== undefined || ephemeral ? undefined : dataOption ?? nonEmpty(env.DATA_DIR) ?? nonEmpty(env.KONOMI_DATA) ?? './data';
  return {
    role,
    host: stringOption(args, 'host') ?? nonEmpty(env.HOST) ?? '127.0.0.1',
    port,
    packetPort,
    token: stringOption(args, 'token') ?? nonEmpty(env.TOKEN) ?? nonEmpty(env.KONOMI_TOKEN),
    dbUrl,
    dataDir,
    redisUrl,
    bridgeId: stringOption(args, 'id') ?? nonEmpty(env.BRIDGE_ID) ?? `${hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 60)}-${role}-${port}`,
    apiUrl: stringOption(args, 'api') ?? nonEmpty(env.API_URL) ?? 'http://127.0.0.1:3001',
    wsUrl: stringOption(args, 'ws') ?? nonEmpty(env.WS_URL) ?? 'http://127.0.0.1:3002',
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function envPort(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`${name} must be a port number, got "${raw}"`);
  return Number(raw);
}
