import { createServer } from 'node:net';
import { StackError } from './StackError.js';

/** A TCP port that was free on `host` a moment ago (the kernel picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server on a port picked by freePort, again (up to 3 times) if another process took
 * the port between the pick and the start (START_FAILED). With a fixed port there is no retry.
 */
export async function startOnFreePort<T>(fixedPort: number | undefined, startOnce: () => Promise<T>): Promise<T> {
  let first: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      first ??= err;
      if (fixedPort || attempt === 3 || !(err instanceof StackError) || err.code !== 'START_FAILED') throw first;
    }
  }
}
