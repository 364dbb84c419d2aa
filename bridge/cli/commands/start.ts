import { LmdbStore } from '../../store/LmdbStore.js';
import { PgStore } from '../../store/PgStore.js';
import { openLine } from '../../lines/openLine.js';
import { BridgeServer, type BridgeServerOptions } from '../../server/BridgeServer.js';
import { parseDialTarget } from '../../modem/DialTarget.js';
import { parseSerialDevice } from '../../modem/SerialModem.js';
import { createConsoleLogger } from '../../util/Logger.js';
import { attachGuest, type AttachedGuest } from '../../server/attachGuest.js';
import { WebFront } from '../../stack/WebFront.js';
import type { CliIo } from '../CliIo.js';
import { flagOption, intOption, parseArgs, stringOption, UsageError, type ParsedArgs } from '../parseArgs.js';
import { START_CONFIG_OPTIONS, startConfig } from './startConfig.js';
import { XP10_MACHINES_MAX } from '../../../machine/phonebook.js';

/** Guest memory: 64 MiB for one XP10, 32 MiB each in a cube of them (9 idle stay under 1 GB RSS). */
const GUEST_MEMORY_MB_ONE = 64;
const GUEST_MEMORY_MB_MANY = 32;

const OPTIONS = {
  ...START_CONFIG_OPTIONS,
  'allow-host': { type: 'string' },
  guest: { type: 'flag' },
  guests: { type: 'int', min: 1, max: XP10_MACHINES_MAX },
  memory: { type: 'int', min: 16, max: 4096 },
  profile: { type: 'string' },
  web: { type: 'string' },
  serial: { type: 'string' },
  telnet: { type: 'int', min: 0, max: 65535 },
  'modem-serial': { type: 'string' },
  phonebook: { type: 'string' },
  'dial-allow': { type: 'string' },
  'no-examples': { type: 'flag' },
} as const;

/** `konomi start`: runs until SIGINT/SIGTERM, then shuts everything down and exits 0. */
export async function startCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 0) throw new UsageError(`start takes no arguments, got "${args.positional[0]}"`);
  const profile = stringOption(args, 'profile') ?? 'v90';
  if (!['v90', 'v34', 'unlimited'].includes(profile)) throw new UsageError('--profile must be v90, v34 or unlimited');
  const config = startConfig(args, process.env);
  const logger = createConsoleLogger(config.role === 'all' ? 'konomi' : `konomi-${config.role}`);
  const webRoot = stringOption(args, 'web') ?? 'dist/web';
  if (config.role === 'web') {
    const front = await WebFront.start({
      host: config.host,
      port: config.port,
      webRoot,
      apiUrl: config.apiUrl,
      wsUrl: config.wsUrl,
      logger,
      ...(config.token ? { token: config.token } : {}),
    });
    io.out(`konomi web: ${front.url}  api ${config.apiUrl}  ws ${config.wsUrl}\n`);
    logger.info(`${await io.interrupted}: stopping`);
    await front.stop();
    return 0;
  }
  // Durable by default (LMDB under ./data), as a user who restarts expects their blocks back.
  const store = config.dbUrl
    ? await PgStore.open({ url: config.dbUrl, chain: config.bridgeId })
    : config.dataDir
      ? LmdbStore.open(config.dataDir)
      : undefined;
  const server = await BridgeServer.start({
    host: config.host,
    port: config.port,
    packetPort: config.packetPort,
    limits: config.limits,
    logger,
    webRoot,
    ...(store ? { store } : {}),
    ...(config.token ? { token: config.token } : {}),
    ...(allowedHosts(stringOption(args, 'allow-host'))),
    ...(config.redisUrl ? { cluster: { redisUrl: config.redisUrl, bridgeId: config.bridgeId } } : {}),
    ...modemOptions(args),
    ...(config.kappaTickMs !== undefined ? { kappaTickMs: config.kappaTickMs } : {}),
    examplePrograms: !flagOption(args, 'no-examples'),
  });
  const serialPath = stringOption(args, 'serial');
  if (serialPath) {
    const line = await openLine(serialPath.startsWith('/') ? serialPath : `/${serialPath}`);
    server.attach(line, 'serial');
  }
  // --guests N boots a cube of XP10s: machine i answers ATDT i and hosts vertex i-1 of cube 1.
  const machines = intOption(args, 'guests') ?? (flagOption(args, 'guest') ? 1 : 0);
  const memoryMb = intOption(args, 'memory') ?? (machines > 1 ? GUEST_MEMORY_MB_MANY : GUEST_MEMORY_MB_ONE);
  const guests: AttachedGuest[] = [];
  for (let machine = 1; machine <= machines; machine++) guests.push(await attachGuest(server, { memoryMb, profile, logger, machine }));
  const guest = guests[0];
  const state = config.dbUrl ? `PostgreSQL (chain ${config.bridgeId})` : config.dataDir ? `LMDB in ${config.dataDir}` : 'memory only';
  const cluster = config.redisUrl ? `  cluster ${config.bridgeId}` : '';
  const dialIn = guests.length > 1 ? `  XP10 machines on ATDT 1..${guests.length}` : guest ? '  XP10 on ATDT 1' : '';
  io.out(`konomi bridge: ${server.httpUrl}  state: ${state}  packet port tcp://${server.packetAddress.address}:${server.packetAddress.port}${cluster}${dialIn}${server.telnetAddress ? `  telnet ${server.telnetAddress.address} ${server.telnetAddress.port}` : ''}\n`);
  const signal = await io.interrupted;
  logger.info(`${signal}: stopping`);
  for (const g of guests) await g.stop();
  await server.stop();
  return 0;
}

/** --telnet, --modem-serial, --phonebook, --dial-allow: the modem's ways in and out (docs/MODEM.md). */
function modemOptions(args: ParsedArgs): Pick<BridgeServerOptions, 'telnetPort' | 'modemSerial' | 'phonebookFile' | 'dialAllow'> {
  const telnetPort = intOption(args, 'telnet');
  const modemSerial = stringOption(args, 'modem-serial');
  if (modemSerial !== undefined) {
    try {
      parseSerialDevice(modemSerial);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  const phonebookFile = stringOption(args, 'phonebook');
  const dialAllow = (stringOption(args, 'dial-allow') ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const item of dialAllow) if (!parseDialTarget(item)) throw new UsageError(`--dial-allow: "${item}" is not HOST:PORT`);
  return {
    ...(telnetPort !== undefined ? { telnetPort } : {}),
    ...(modemSerial !== undefined ? { modemSerial } : {}),
    ...(phonebookFile !== undefined ? { phonebookFile } : {}),
    ...(dialAllow.length ? { dialAllow } : {}),
  };
}

/** `--allow-host a.lan,b.example`: more names browsers reach the bridge by (WebSocket Host/Origin check). */
function allowedHosts(list: string | undefined): { allowedHosts?: string[] } {
  const names = (list ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  return names.length > 0 ? { allowedHosts: names } : {};
}
