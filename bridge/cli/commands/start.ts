import { LmdbStore } from '../../store/LmdbStore.js';
import { openLine } from '../../lines/openLine.js';
import { BridgeServer } from '../../server/BridgeServer.js';
import { createConsoleLogger } from '../../server/Logger.js';
import { attachGuest } from '../../server/attachGuest.js';
import type { CliIo } from '../CliIo.js';
import { flagOption, intOption, parseArgs, stringOption, UsageError } from '../parseArgs.js';

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'int', min: 0, max: 65535 },
  'packet-port': { type: 'int', min: 0, max: 65535 },
  data: { type: 'string' },
  ephemeral: { type: 'flag' },
  guest: { type: 'flag' },
  memory: { type: 'int', min: 16, max: 4096 },
  token: { type: 'string' },
  profile: { type: 'string' },
  web: { type: 'string' },
  serial: { type: 'string' },
} as const;

/** `konomi start`: runs until SIGINT/SIGTERM, then shuts everything down and exits 0. */
export async function startCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 0) throw new UsageError(`start takes no arguments, got "${args.positional[0]}"`);
  const profile = stringOption(args, 'profile') ?? 'v90';
  if (!['v90', 'v34', 'unlimited'].includes(profile)) throw new UsageError('--profile must be v90, v34 or unlimited');
  const logger = createConsoleLogger();
  // Durable by default (LMDB under ./data), as a user who restarts expects their blocks back.
  const ephemeral = flagOption(args, 'ephemeral');
  const dataOption = stringOption(args, 'data');
  if (ephemeral && dataOption !== undefined) throw new UsageError('--ephemeral and --data exclude each other');
  const dataDir = ephemeral ? undefined : dataOption ?? process.env.KONOMI_DATA ?? './data';
  const token = stringOption(args, 'token') ?? process.env.KONOMI_TOKEN;
  const server = await BridgeServer.start({
    host: stringOption(args, 'host') ?? '127.0.0.1',
    port: intOption(args, 'port') ?? 3000,
    packetPort: intOption(args, 'packet-port') ?? 5600,
    logger,
    webRoot: stringOption(args, 'web') ?? 'dist/web',
    ...(dataDir ? { store: LmdbStore.open(dataDir) } : {}),
    ...(token ? { token } : {}),
  });
  const serialPath = stringOption(args, 'serial');
  if (serialPath) {
    const line = await openLine(serialPath.startsWith('/') ? serialPath : `/${serialPath}`);
    server.attach(line, 'serial');
  }
  const guest = flagOption(args, 'guest')
    ? await attachGuest(server, { memoryMb: intOption(args, 'memory') ?? 64, profile, logger })
    : undefined;
  io.out(`konomi bridge: ${server.httpUrl}  state: ${dataDir ? `LMDB in ${dataDir}` : 'memory only'}  packet port tcp://${server.packetAddress.address}:${server.packetAddress.port}${guest ? '  XP10 on ATDT 1' : ''}\n`);
  const signal = await io.interrupted;
  logger.info(`${signal}: stopping`);
  await guest?.stop();
  await server.stop();
  return 0;
}
