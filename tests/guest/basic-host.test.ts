import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const guestDir = fileURLToPath(new URL('../../guest/', import.meta.url));
const run = promisify(execFile);

/** Building the sanitized binary and running 100,000 programs takes ~20 s of CPU. */
const MAKE_TIMEOUT_MS = 240_000;

describe('XP10 BASIC on the host (make -C guest test-basic)', () => {
  it(
    'passes its unit tests and libm comparison (SSE and x87 doubles), and fuzzes 100,000 programs without a crash, an overrun budget or a leak',
    async () => {
      const { stdout } = await run('make', ['-s', '-C', guestDir, 'test-basic'], {
        encoding: 'utf8',
        timeout: MAKE_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stdout).toMatch(/basic fuzz: 100000 programs \(\d+ mutated\), \d+ statements run, \d+ core calls, no crash, no leak/);
      expect(stdout).toMatch(/\nbasic: \d+ checks passed, 0 failed\n/);
      // again with doubles in the x87's extended precision, as the kernel computes them
      expect(stdout).toMatch(/\nbasic \(x87 doubles\): \d+ checks passed, 0 failed\n/);
    },
    MAKE_TIMEOUT_MS + 10_000,
  );
});
