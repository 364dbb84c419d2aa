import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The browser test files each boot XP10 in Chromium beside a bridge and rebuild dist/web; vitest
 * runs files in parallel, and two of them at once on a 2-core machine starve each other's
 * emulators and rewrite the bundle under a loading page. This lock makes them take turns.
 * A lock whose holder died (kill -9, a crashed worker) is taken over.
 */
const LOCK = join(process.cwd(), 'test-output', 'browser-suite.lock');
const POLL_MS = 250;
/** Long enough for the other browser file to finish on a loaded machine. */
export const LOCK_WAIT_MS = 300_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function holderPid(): Promise<number | undefined> {
  const text = await readFile(join(LOCK, 'pid'), 'utf8').catch(() => undefined);
  const pid = text === undefined ? Number.NaN : Number.parseInt(text, 10);
  return Number.isInteger(pid) ? pid : undefined;
}

/** Waits for the lock, takes it, and resolves to its release. */
export async function lockBrowserSuite(timeoutMs: number): Promise<() => Promise<void>> {
  await mkdir(join(LOCK, '..'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return () => rm(LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = await holderPid();
    // A holder that has not written its pid yet is given a moment; a dead one loses the lock.
    if (pid !== undefined && !alive(pid)) await rm(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`another browser test file held ${LOCK} for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
