import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresProcess } from '../../bridge/stack/PostgresProcess.js';
import { RedisProcess } from '../../bridge/stack/RedisProcess.js';

export interface Needs {
  postgres?: boolean;
  redis?: boolean;
}

/**
 * Why tests needing private PostgreSQL/Redis cannot run here, or undefined if they can. In CI
 * (process.env.CI set) a missing binary is not a reason to skip: the tests then run and fail.
 */
export function missingServices(needs: Needs): string | undefined {
  if (process.env.CI) return undefined;
  const missing: string[] = [];
  if (needs.postgres && !PostgresProcess.available()) missing.push('PostgreSQL (postgresql package; or set PG_BIN)');
  if (needs.redis && !RedisProcess.available()) missing.push('redis-server (redis-server package; or set REDIS_SERVER)');
  if (missing.length === 0) return undefined;
  const reason = `skipped: ${missing.join(' and ')} not installed`;
  console.warn(reason);
  return reason;
}

/** One private PostgreSQL and/or Redis for a test file, in a temp dir removed by stop(). */
export class TestServices {
  private constructor(
    private readonly dir: string,
    readonly postgres: PostgresProcess | undefined,
    readonly redis: RedisProcess | undefined,
  ) {}

  static async start(needs: Needs): Promise<TestServices> {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-services-'));
    // PostgreSQL runs as the postgres account when we are root: it must reach its directory.
    chmodSync(dir, 0o755);
    const [postgres, redis] = await Promise.allSettled([
      needs.postgres ? PostgresProcess.start({ dataDir: join(dir, 'pg'), fastInit: true }) : undefined,
      needs.redis ? RedisProcess.start({ dataDir: join(dir, 'redis') }) : undefined,
    ]);
    const services = new TestServices(dir, settled(postgres), settled(redis));
    const failure = [postgres, redis].find((r) => r.status === 'rejected');
    if (failure) {
      await services.stop();
      throw failure.reason;
    }
    return services;
  }

  get postgresUrl(): string {
    if (!this.postgres) throw new Error('PostgreSQL was not requested');
    return this.postgres.url;
  }

  get redisUrl(): string {
    if (!this.redis) throw new Error('Redis was not requested');
    return this.redis.url;
  }

  async stop(): Promise<void> {
    await Promise.all([this.postgres?.stop(), this.redis?.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function settled<T>(result: PromiseSettledResult<T | undefined>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined;
}
