// Page benchmark (not a test): `npm run bench:web`. Needs images/xp10.elf.
// Compares, in the same run, XP10 booting in v86 inside Debian's chromium (the page) against the
// baseline of the same image in v86 under Node; the dial-in data rate at V.90 against the unlimited
// profile; the dial-in time and the bundle size.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { V86 } from 'v86';
import { buildWeb } from '../web/build.js';
import { openBrowser } from '../tests/web/harness/browser.js';
import { serveStatic } from '../tests/web/harness/staticServer.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist', 'web');
const RUNS = Number(process.env['RUNS'] ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Baseline: the same image in v86 under Node, time from `new V86` to the prompt on COM2. */
async function nodeBootMs(image: ArrayBuffer): Promise<number> {
  const started = performance.now();
  const emulator = new V86({
    wasm_path: join(ROOT, 'node_modules/v86/build/v86.wasm'),
    memory_size: 64 * 1024 * 1024,
    multiboot: { buffer: image },
    uart1: true,
    autostart: true,
  });
  let text = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('node boot timed out')), 60_000);
    emulator.add_listener('serial1-output-byte', (byte: number) => {
      text += String.fromCharCode(byte);
      if (text.includes('XP10> ')) {
        clearTimeout(timer);
        done();
      }
    });
  });
  const ms = performance.now() - started;
  await emulator.destroy();
  return ms;
}

async function main(): Promise<void> {
  await buildWeb();
  const imageBytes = await readFile(join(ROOT, 'images/xp10.elf'));
  const image = imageBytes.buffer.slice(imageBytes.byteOffset, imageBytes.byteOffset + imageBytes.byteLength);
  const app = await readFile(join(DIST, 'app.js'));
  const wasm = await stat(join(DIST, 'v86.wasm'));

  const nodeRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) nodeRuns.push(await nodeBootMs(image));

  const server = await serveStatic(DIST);
  const session = await openBrowser();
  const pageRuns: number[] = [];
  const dialRuns: number[] = [];
  const throughput: Record<'v90' | 'unlimited', number[]> = { v90: [], unlimited: [] };
  const text = (): Promise<string> =>
    session.page.evaluate(() => (window as unknown as { konomi: { terminalText(): string } }).konomi.terminalText());
  const waitFor = async (pattern: RegExp, from: number): Promise<string> => {
    for (;;) {
      const all = await text();
      if (pattern.test(all.slice(from))) return all;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await session.page.goto(server.url);
      await session.page.locator('#screen .screen-text', { hasText: 'XP10> ' }).waitFor({ timeout: 60_000 });
      pageRuns.push(performance.now() - started);
      for (const profile of ['v90', 'unlimited'] as const) {
        await session.page.locator('#profile').selectOption(profile);
        await session.page.locator('#terminal .xterm').click();
        let mark = (await text()).length;
        const dialStarted = performance.now();
        await session.page.keyboard.type('ATDT 1\r');
        await waitFor(/CONNECT[\s\S]*XP10> $/, mark);
        if (profile === 'v90') dialRuns.push(performance.now() - dialStarted);
        // `help` prints a screenful; its bytes over the time it took is the dial-in data rate.
        mark = (await text()).length;
        const helpStarted = performance.now();
        await session.page.keyboard.type('help\r');
        const after = await waitFor(/help[\s\S]*XP10> $/, mark);
        const seconds = (performance.now() - helpStarted) / 1000;
        throughput[profile].push((after.length - mark) / seconds);
        await session.page.waitForTimeout(1_100);
        await session.page.keyboard.type('+++');
        await session.page.waitForTimeout(1_100);
        await session.page.keyboard.type('ATH\r');
        await waitFor(/NO CARRIER/, mark);
      }
    }
    await session.page.waitForTimeout(1_500);
  } finally {
    await session.close();
    await server.close();
  }

  const row = (name: string, value: string, baseline: string): string => `| ${name} | ${value} | ${baseline} |`;
  console.log(`runs: ${RUNS} (median)\n`);
  console.log('| measure | page (chromium) | baseline: v86 in Node |');
  console.log('|---|---|---|');
  console.log(row('boot to `XP10> ` prompt', `${median(pageRuns).toFixed(0)} ms (page load included)`, `${median(nodeRuns).toFixed(0)} ms`));
  console.log(row('ATDT 1 → CONNECT 56000 → prompt', `${median(dialRuns).toFixed(0)} ms`, '–'));
  const rate = (p: 'v90' | 'unlimited'): string => `${(median(throughput[p]) / 1000).toFixed(2)} kB/s`;
  console.log(row('`help` output through the modems, V.90 (line rate 5.60 kB/s)', rate('v90'), `${rate('unlimited')} (profile unlimited)`));
  console.log(row('app.js', `${(app.length / 1024).toFixed(0)} KiB (${(gzipSync(app).length / 1024).toFixed(0)} KiB gzip)`, '–'));
  console.log(row('v86.wasm', `${(wasm.size / 1024).toFixed(0)} KiB`, '–'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
