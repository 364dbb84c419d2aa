import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';

const WRITER = fileURLToPath(new URL('./fixtures/killWriter.ts', import.meta.url));
const KILL_AFTER_ACKS = 300;

/** Runs the writer until it has acknowledged enough writes, then SIGKILLs it mid-stream. */
function runAndKill(dir: string): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, number>();
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ACK (\d+) (\d+)$/.exec(line);
        if (m) acked.set(Number(m[1]), Number(m[2]));
      }
      if (!killed && acked.size >= KILL_AFTER_ACKS) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${String(code)} before the kill: ${stderr}`));
    });
  });
}

describe('LmdbStore under SIGKILL', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('every acknowledged write survives and the ledger verifies', async () => {
    dir = mkdtempSync(join(tmpdir(), 'konomi-kill-'));
    const acked = await runAndKill(dir);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const konomi = await Konomi.open({ store: LmdbStore.open(dir), gridDims: { x: 100, y: 100, z: 100 } });
    expect(konomi.grid.verifyLedger().valid).toBe(true);
    const length = konomi.grid.ledgerHead().length;
    for (const [i, ledgerIndex] of acked) {
      const x = i % 100;
      const y = Math.floor(i / 100) % 100;
      const z = Math.floor(i / 10_000) % 100;
      expect(konomi.grid.getCell(x, y, z)).toMatchObject({ active: true, value: i });
      expect(ledgerIndex).toBeLessThan(length);
      expect(konomi.grid.ledgerEntry(ledgerIndex)).toMatchObject({ x, y, z, value: i });
    }
    await konomi.close();
  });
});
