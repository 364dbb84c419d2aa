import { parseArgs, UsageError } from './parseArgs.js';
import { START_CONFIG_OPTIONS, startConfig } from './commands/startConfig.js';

/** Where the client commands (`send`, `replay`, `dial`, `capture`) find the bridge by default. */
export interface LocalBridge {
  /** `tcp://host:port` of the packet port; KONOMI_TO when set. */
  packetTarget: string;
  /** `ws://host:port` + path on the HTTP port. */
  wsUrl(path: string): string;
  /** `http://host:port` + path: the REST API. */
  httpUrl(path: string): string;
  /** The token `start` would use (TOKEN, KONOMI_TOKEN). */
  token: string | undefined;
}

/**
 * The bridge that `konomi start` would run with this environment (HOST, PORT, PACKET_PORT,
 * TOKEN, ROLE… read by startConfig, the one owner of those variables), seen from this machine:
 * a wildcard listen address is reached on loopback. KONOMI_TO, a full target URL, wins for the
 * packet commands. A flag (`--to`, `--from`, `--token`) wins over all of it.
 */
export function localBridge(env: NodeJS.ProcessEnv): LocalBridge {
  let config;
  try {
    // Where the bridge listens is all a client needs: its store and cluster settings are not checked here.
    config = startConfig(parseArgs([], START_CONFIG_OPTIONS), { ...env, DB_URL: '', REDIS_URL: '' });
  } catch (err) {
    throw new UsageError(`environment: ${err instanceof Error ? err.message : String(err)}`);
  }
  const host = reachable(config.host);
  const konomiTo = env.KONOMI_TO === undefined || env.KONOMI_TO === '' ? undefined : env.KONOMI_TO;
  return {
    packetTarget: konomiTo ?? `tcp://${host}:${config.packetPort}`,
    wsUrl: (path) => `ws://${host}:${config.port}${path}`,
    httpUrl: (path) => `http://${host}:${config.port}${path}`,
    token: config.token,
  };
}

/** A listen address as a client reaches it: wildcards mean this machine; IPv6 gets brackets. */
function reachable(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
