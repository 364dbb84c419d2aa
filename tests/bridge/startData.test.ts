import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KonomiProcess } from '../stack/konomiProcess.js';

/**
 * `konomi start --data DIR` and `KONOMI_DATA=DIR` on the directory a person just made with
 * `mktemp -d` or `mkdir`: it exists, it is empty, and its name may hold a dot (tmp.XXXXXXXXXX).
 */

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'konomi-start-data-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** What `mktemp -d` gives, made by mktemp itself: an empty directory named tmp.XXXXXXXXXX. */
function mktempDir(): string {
  const dir = execFileSync('mktemp', ['-d', '-p', root], { encoding: 'utf8' }).trim();
  expect(readdirSync(dir)).toEqual([]);
  return dir;
}

const ENV = { DB_URL: '', REDIS_URL: '', TOKEN: '', KONOMI_TOKEN: '', DATA_DIR: '', KONOMI_DATA: '' };

async function setValue(bridge: KonomiProcess, value: number): Promise<void> {
  const res = await fetch(`${bridge.url}/value`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ x: 4, y: 5, z: 6, value }),
  });
  expect(res.status).toBe(200);
}

async function getValue(bridge: KonomiProcess): Promise<unknown> {
  return ((await (await fetch(`${bridge.url}/value?x=4&y=5&z=6`)).json()) as { value: unknown }).value;
}

/** Starts on the directory, writes, stops cleanly, starts again and reads the write back. */
async function survivesRestart(options: { args?: string[]; env?: Record<string, string> }, dir: string): Promise<void> {
  const start = (): Promise<KonomiProcess> => KonomiProcess.start({ args: options.args ?? [], env: { ...ENV, ...options.env } });
  const first = await start();
  try {
    expect(first.log).toContain(`LMDB in ${dir}`);
    await setValue(first, 42.5);
  } finally {
    expect(await first.stop()).toBe(0);
  }
  expect(readdirSync(dir)).toContain('data.mdb');
  const second = await start();
  try {
    expect(await getValue(second)).toBe(42.5);
  } finally {
    expect(await second.stop()).toBe(0);
  }
}

describe('konomi start on an existing empty data directory', () => {
  it('--data DIR from mktemp -d', async () => {
    const dir = mktempDir();
    await survivesRestart({ args: ['--data', dir] }, dir);
  }, 180_000);

  it('KONOMI_DATA=DIR from mktemp -d', async () => {
    const dir = mktempDir();
    await survivesRestart({ env: { KONOMI_DATA: dir } }, dir);
  }, 180_000);

  it('--data DIR from mkdir, with a dot in its name', async () => {
    const dir = join(root, 'blocks.v2');
    mkdirSync(dir);
    await survivesRestart({ args: ['--data', dir] }, dir);
  }, 180_000);
});
