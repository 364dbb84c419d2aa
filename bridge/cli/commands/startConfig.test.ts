import { describe, expect, it } from 'vitest';
import { parseArgs } from '../parseArgs.js';
import { START_CONFIG_OPTIONS, startConfig } from './startConfig.js';


const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => startConfig(parseArgs(argv, START_CONFIG_OPTIONS), env);

describe('startConfig', () => {
  it('defaults: one process, LMDB under ./data, no cluster', () => {
    expect(config([])).toMatchObject({ role: 'all', host: '127.0.0.1', port: 3000, packetPort: 5600, dataDir: './data', dbUrl: undefined, redisUrl: undefined });
  });

  it('reads the environment', () => {
    const c = config([], {
      DB_URL: 'postgres://u@db:5432/k',
      REDIS_URL: 'redis://r:6379',
      PORT: '4000',
      PACKET_PORT: '4001',
      HOST: '0.0.0.0',
      TOKEN: 'secret',
      BRIDGE_ID: 'b1',
    });
    expect(c).toMatchObject({ dbUrl: 'postgres://u@db:5432/k', redisUrl: 'redis://r:6379', port: 4000, packetPort: 4001, host: '0.0.0.0', token: 'secret', bridgeId: 'b1', dataDir: undefined });
    expect(config([], { DATA_DIR: '/var/konomi' }).dataDir).toBe('/var/konomi');
  });

  it('flags win over the environment', () => {
    const c = config(['--port', '5', '--db', 'postgres://flag/k', '--id', 'x', '--host', '::1'], { PORT: '4000', DB_URL: 'postgres://env/k', BRIDGE_ID: 'y', HOST: '0.0.0.0' });
    expect(c).toMatchObject({ port: 5, dbUrl: 'postgres://flag/k', bridgeId: 'x', host: '::1' });
    expect(config(['--data', './here'], { DATA_DIR: './there' }).dataDir).toBe('./here');
  });

  it('roles take the ports of the original design', () => {
    expect(config(['--role', 'api']).port).toBe(3001);
    expect(config([], { ROLE: 'ws' })).toMatchObject({ port: 3002, packetPort: 0 });
    expect(config(['--role', 'web']).port).toBe(3000);
  });

  it('refuses what cannot work, with a clear message', () => {
    expect(() => config(['--role', 'db'])).toThrow(/--role must be/);
    expect(() => config([], { DB_URL: 'mysql://x' })).toThrow(/postgres:\/\//);
    expect(() => config([], { REDIS_URL: 'redis://r:6379' })).toThrow(/needs the shared PostgreSQL store/);
    expect(() => config(['--ephemeral'], { DB_URL: 'postgres://x/k' })).toThrow(/excludes/);
    expect(() => config([], { PORT: 'eighty' })).toThrow(/PORT must be a port number/);
    expect(() => config([], { PORT: '70000' })).toThrow(/PORT must be a port number/);
  });

  it('reads the per-line limits from flags, then KONOMI_* variables; only what is given overrides the defaults', () => {
    expect(config([]).limits).toEqual({});
    expect(config(['--window', '16', '--line-rate', '2000', '--session-expiry', '30']).limits).toEqual({ window: 16, requestsPerSecond: 2000, sessionExpiryMs: 30_000 });
    expect(config([], { KONOMI_LINE_QUEUE: '100', KONOMI_PARKED_SESSIONS: '8', KONOMI_LINE_BURST: '50' }).limits).toEqual({ maxQueuedNoReply: 100, maxParkedSessions: 8, requestBurst: 50 });
    expect(config(['--window', '4'], { KONOMI_WINDOW: '32' }).limits).toEqual({ window: 4 });
  });

  it('refuses line limits out of range or a window larger than the requests a line may have outstanding', () => {
    expect(() => config(['--window', '65'])).toThrow(/--window must be at most 64/);
    expect(() => config([], { KONOMI_WINDOW: '0' })).toThrow(/KONOMI_WINDOW must be an integer 1..64/);
    expect(() => config([], { KONOMI_LINE_RATE: 'fast' })).toThrow(/KONOMI_LINE_RATE/);
    expect(() => config(['--window', '32', '--line-outstanding', '16'])).toThrow(/--line-outstanding \(16\) must be at least --window \(32\)/);
  });

  it('reads the κ field tick from --kappa-tick, then KONOMI_KAPPA_TICK_MS; absent leaves the bridge default', () => {
    expect(config([]).kappaTickMs).toBeUndefined();
    expect(config(['--kappa-tick', '0']).kappaTickMs).toBe(0);
    expect(config([], { KONOMI_KAPPA_TICK_MS: '250' }).kappaTickMs).toBe(250);
    expect(config(['--kappa-tick', '100'], { KONOMI_KAPPA_TICK_MS: '250' }).kappaTickMs).toBe(100);
    expect(() => config([], { KONOMI_KAPPA_TICK_MS: 'soon' })).toThrow(/KONOMI_KAPPA_TICK_MS must be an integer 0..3600000/);
    expect(() => config(['--kappa-tick', '3600001'])).toThrow(/--kappa-tick must be at most 3600000/);
  });
});
