import { hostname } from 'node:os';
import { flagOption, intOption, stringOption, UsageError, type ParsedArgs } from '../parseArgs.js';
import { DEFAULT_DISPATCHER_LIMITS, type DispatcherLimits } from '../../dispatch/DispatcherLimits.js';

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
  // Per-line limits (LINE_LIMITS below).
  window: { type: 'int', min: 1, max: 64 },
  'line-outstanding': { type: 'int', min: 1, max: 65_535 },
  'line-queue': { type: 'int', min: 0, max: 1_000_000 },
  'line-rate': { type: 'int', min: 0, max: 1_000_000_000 },
  'line-burst': { type: 'int', min: 1, max: 1_000_000_000 },
  'session-expiry': { type: 'int', min: 0, max: 86_400 },
  'parked-sessions': { type: 'int', min: 0, max: 65_535 },
  'kappa-tick': { type: 'int', min: 0, max: 3_600_000 },
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
  /** Per-line limits given by flag or environment (the rest keep DEFAULT_DISPATCHER_LIMITS). */
  limits: Partial<DispatcherLimits>;
  /** Milliseconds between ticks of the κ field (0: no ticks); undefined: the bridge's default. */
  kappaTickMs: number | undefined;
}

/**
 * Options from flags, then the environment (DB_URL, REDIS_URL, PORT, PACKET_PORT, HOST,
 * DATA_DIR, TOKEN, BRIDGE_ID, ROLE, API_URL, WS_URL, KONOMI_WINDOW … for the line limits and
 * KONOMI_KAPPA_TICK_MS),
 * then defaults. Flags win.
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
    limits: lineLimits(args, env),
    kappaTickMs: intOption(args, 'kappa-tick') ?? envInt(env, 'KONOMI_KAPPA_TICK_MS', 0, START_CONFIG_OPTIONS['kappa-tick'].max),
  };
}

/**
 * The per-line limits of `konomi start`: flag, then environment variable, then the default of
 * DEFAULT_DISPATCHER_LIMITS (docs/BRIDGE.md, "Limits"). Each is [flag, env, limit, scale to the
 * limit's unit]; the flag's range is in START_CONFIG_OPTIONS.
 */
const LINE_LIMITS: ReadonlyArray<readonly [keyof typeof START_CONFIG_OPTIONS, string, keyof DispatcherLimits, number]> = [
  ['window', 'KONOMI_WINDOW', 'window', 1],
  ['line-outstanding', 'KONOMI_LINE_OUTSTANDING', 'maxOutstanding', 1],
  ['line-queue', 'KONOMI_LINE_QUEUE', 'maxQueuedNoReply', 1],
  ['line-rate', 'KONOMI_LINE_RATE', 'requestsPerSecond', 1],
  ['line-burst', 'KONOMI_LINE_BURST', 'requestBurst', 1],
  ['session-expiry', 'KONOMI_SESSION_EXPIRY', 'sessionExpiryMs', 1000],
  ['parked-sessions', 'KONOMI_PARKED_SESSIONS', 'maxParkedSessions', 1],
];

function lineLimits(args: ParsedArgs, env: NodeJS.ProcessEnv): Partial<DispatcherLimits> {
  const limits: Record<string, number> = {};
  for (const [flag, name, limit, scale] of LINE_LIMITS) {
    const spec = START_CONFIG_OPTIONS[flag] as { min: number; max: number };
    const value = intOption(args, flag) ?? envInt(env, name, spec.min, spec.max);
    if (value !== undefined) limits[limit] = value * scale;
  }
  const window = limits.window ?? DEFAULT_DISPATCHER_LIMITS.window;
  const outstanding = limits.maxOutstanding ?? DEFAULT_DISPATCHER_LIMITS.maxOutstanding;
  // A client keeping to the window must never meet BUSY for having too many requests outstanding.
  if (outstanding < window) throw new UsageError(`--line-outstanding (${outstanding}) must be at least --window (${window})`);
  return limits as Partial<DispatcherLimits>;
}

function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`${name} must be an integer ${min}..${max}, got "${raw}"`);
  return Number(raw);
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
