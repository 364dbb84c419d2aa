import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const guestDir = fileURLToPath(new URL('../../guest/', import.meta.url));

describe('the C protocol implementation (guest/proto) on the host', () => {
  it('passes the shared golden vectors, its session tests and the decoder fuzz (make -C guest test-proto)', () => {
    // test-proto: `make test` also runs XP10 BASIC's fuzzer, which tests/guest/basic-host.test.ts covers
    const output = execFileSync('make', ['-s', '-C', guestDir, 'test-proto'], { encoding: 'utf8', timeout: 120_000 });
    for (const section of ['crc16', 'frames', 'messages', 'streams', 'payloads'])
      expect(output).toMatch(new RegExp(`vectors ${section}\\s+\\d+ vectors, ok`));
    expect(output).toMatch(/session\s+ok/);
    expect(output).toMatch(/fuzz\s+\d+ bytes \(\d+ garbage\), 2000 frames, ok/);
    expect(output).toMatch(/\d+ checks passed, 0 failed/);
  });
});
