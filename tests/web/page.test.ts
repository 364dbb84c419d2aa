// End to end: the page in Debian's chromium (playwright-core), first without a bridge behind it
// (errors must be visible, with a retry), then with `konomi start`: XP10 boots in the page, the
// terminal dials into its console, `block set` reaches the core and shows in the 3D view.
// Screenshots of every step go to test-output/web/.
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import { openBrowser, type BrowserSession } from './harness/browser.js';
import { startBridge, type BridgeProcess } from './harness/bridgeProcess.js';
import { serveStatic, type StaticServer } from './harness/staticServer.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist', 'web');
const IMAGE = join(ROOT, 'images', 'xp10.elf');
const BOOT_MS = 60_000;

/** What the page exposes as `window.konomi` for tests. */
interface PageHandle { terminalText(): string }

async function terminalText(session: BrowserSession): Promise<string> {
  return session.page.evaluate(() => (window as unknown as { konomi: PageHandle }).konomi.terminalText());
}

async function waitForTerminal(session: BrowserSession, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await terminalText(session);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; it shows:\n${text.slice(-2000)}`);
    await session.page.waitForTimeout(100);
  }
}

async function typeInTerminal(session: BrowserSession, text: string): Promise<void> {
  await session.page.locator('#terminal .xterm').click();
  await session.page.keyboard.type(text, { delay: 5 });
}

beforeAll(async () => {
  await buildWeb();
}, 120_000);

describe('the page without a bridge', () => {
  let site: string;
  let server: StaticServer;
  let session: BrowserSession;

  beforeAll(async () => {
    // The built page minus the XP10 image, served by a plain file server: no REST, no WebSockets.
    site = await mkdtemp(join(tmpdir(), 'konomi-web-static-'));
    for (const name of await readdir(DIST)) {
      if (/\.(html|js|css|wasm|map)$/.test(name)) await copyFile(join(DIST, name), join(site, name));
    }
    server = await serveStatic(site);
    session = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
    await rm(site, { recursive: true, force: true });
  });

  it('shows "image failed to load" and "bridge" errors on the page, each with a retry button', async () => {
    await session.page.goto(server.url);
    const imageError = session.page.locator('#errors .error-entry[data-key="image"]');
    await imageError.waitFor({ timeout: 20_000 });
    expect(await imageError.innerText()).toMatch(/XP10 image failed to load/);
    await expect(imageError.locator('button.retry').count()).resolves.toBe(1);
    const bridgeError = session.page.locator('#errors .error-entry[data-key="bridge"]');
    await bridgeError.waitFor({ timeout: 20_000 });
    expect(await bridgeError.locator('button.retry').count()).toBe(1);
    expect(await session.page.locator('#machine-state').getAttribute('data-state')).toBe('error');
    await session.screenshot('00-no-bridge-errors');
    // The page's own code threw nothing: only the failed requests the errors above describe.
    expect(session.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  }, 60_000);

  it('rejects a file that is not an ELF image, then boots XP10 once the image is there and Retry is pressed', async () => {
    await writeFile(join(site, 'xp10.elf'), '<!doctype html><p>not a kernel</p>');
    await session.page.locator('#errors .error-entry[data-key="image"] button.retry').click();
    await session.page.locator('#errors .error-entry[data-key="image"]', { hasText: 'not an ELF file' }).waitFor({ timeout: 20_000 });
    expect(existsSync(IMAGE), 'images/xp10.elf (npm run build:guest)').toBe(true);
    await copyFile(IMAGE, join(site, 'xp10.elf'));
    await session.page.locator('#errors .error-entry[data-key="image"] button.retry').click();
    await session.page.locator('#screen .screen-text', { hasText: 'XP10' }).waitFor({ timeout: BOOT_MS });
    await session.page.locator('#machine-state[data-state="running"]').waitFor();
    expect(await session.page.locator('#errors .error-entry[data-key="image"]').count()).toBe(0);
    await session.screenshot('01-static-booted');
  }, BOOT_MS + 10_000);
  it('types on XP10\'s keyboard only while the VGA screen has focus', async () => {
    const { page } = session;
    await typeInTerminal(session, 'ATI0\r');
    await waitForTerminal(session, /ATI0[\s\S]*OK\r\n$/);
    expect(await page.locator('#screen .screen-text').innerText()).not.toContain('ATI0');
    await page.locator('#screen').click();
    await page.keyboard.type('ver\n');
    await page.locator('#screen .screen-text', { hasText: 'XP10> ver' }).waitFor({ timeout: 10_000 });
    await session.screenshot('01b-static-vga-keyboard');
  }, 30_000);

  it('dials at the chosen line profile: V.34 connects at 33600', async () => {
    const { page } = session;
    await page.locator('#profile').selectOption('v34');
    await typeInTerminal(session, 'ATDT 1\r');
    await waitForTerminal(session, /CONNECT 33600[\s\S]*XP10> $/);
    expect(await page.locator('.led[data-light="HS"]').getAttribute('data-on')).toBe('true');
    await page.waitForTimeout(1_100);
    await typeInTerminal(session, '+++');
    await page.waitForTimeout(1_100);
    await typeInTerminal(session, 'ATH\r');
    await waitForTerminal(session, /NO CARRIER\r\n$/);
    await page.locator('#profile').selectOption('v90');
  }, 30_000);

  it('caps 4 GiB with a note, saves and restores the machine state, takes a screenshot, reboots', async () => {
    const { page } = session;
    await page.locator('#memory').selectOption('4096');
    const note = page.locator('#memory-note');
    await note.waitFor();
    expect(await note.innerText()).toMatch(/2 GiB − 128 KiB/);
    await page.locator('#memory').selectOption('64');
    expect(await note.isHidden()).toBe(true);

    const saved = page.waitForEvent('download');
    await page.locator('#save-state').click();
    const state = await saved;
    expect(state.suggestedFilename()).toMatch(/^xp10-.*\.bin$/);
    await page.locator('#restore-state:not([disabled])').click();
    await page.waitForTimeout(500);
    expect(await page.locator('#errors .error-entry[data-key="state"]').count()).toBe(0);
    expect(await page.locator('#machine-state').getAttribute('data-state')).toBe('running');

    const shot = page.waitForEvent('download');
    await page.locator('#screenshot').click();
    expect((await shot).suggestedFilename()).toMatch(/\.png$/);

    const uptimeBefore = await page.locator('#stat-uptime').innerText();
    await page.locator('#reboot').click();
    await page.locator('#machine-state[data-state="booting"], #machine-state[data-state="running"]').first().waitFor();
    await page.locator('#screen .screen-text', { hasText: 'XP10> ' }).waitFor({ timeout: BOOT_MS });
    await page.locator('#machine-state[data-state="running"]').waitFor();
    await page.waitForTimeout(1_100);
    expect(await page.locator('#stat-uptime').innerText()).not.toBe(uptimeBefore);
    await session.screenshot('02-static-controls');
    expect(session.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  }, BOOT_MS + 30_000);
});

describe('the page served by konomi start', () => {
  let bridge: BridgeProcess;
  let session: BrowserSession;

  beforeAll(async () => {
    bridge = await startBridge(ROOT);
    session = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await bridge?.stop();
  });

  async function getValue(x: number, y: number, z: number): Promise<unknown> {
    const response = await fetch(new URL(`value?x=${x}&y=${y}&z=${z}`, bridge.url));
    return response.ok ? response.json() : undefined;
  }

  it('loads without console errors and boots XP10 to its banner on the VGA screen', async () => {
    await session.page.goto(bridge.url);
    await session.page.locator('#screen .screen-text', { hasText: 'XP10 [Version' }).waitFor({ timeout: BOOT_MS });
    await session.page.locator('#stat-link', { hasText: 'open' }).waitFor({ timeout: 20_000 });
    await session.screenshot('10-booted');
    expect(session.consoleErrors).toEqual([]);
    expect(await session.page.locator('#errors .error-entry').count()).toBe(0);
  }, BOOT_MS + 30_000);

  it('dials XP10 from the terminal: CONNECT 56000, carrier and off-hook lights, the console prompt', async () => {
    await waitForTerminal(session, /Konomi 56k/);
    await typeInTerminal(session, 'ATDT 1\r');
    await waitForTerminal(session, /CONNECT 56000[\s\S]*XP10> $/);
    expect(await session.page.locator('.led[data-light="CD"]').getAttribute('data-on')).toBe('true');
    expect(await session.page.locator('.led[data-light="OH"]').getAttribute('data-on')).toBe('true');
    await session.screenshot('11-dialled');
  }, 60_000);

  it('`block set 1 2 3 4.5` typed in the terminal is visible through GET /value and in the 3D view', async () => {
    await typeInTerminal(session, 'block set 1 2 3 4.5\r');
    await waitForTerminal(session, /block set 1 2 3 4\.5[\s\S]*XP10> $/);
    const deadline = Date.now() + 20_000;
    let value: unknown;
    while (Date.now() < deadline) {
      value = await getValue(1, 2, 3);
      if (JSON.stringify(value ?? null).includes('4.5')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(JSON.stringify(value)).toContain('4.5');
    await session.screenshot('12-block-set');
    await session.page.locator('#cloud-caption[data-latest="1,2,3=4.5"]').waitFor({ timeout: 20_000 });
    expect(Number(await session.page.locator('#cloud').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    await session.screenshot('13-cloud');
  }, 60_000);

  it('hangs up with +++ and ATH: NO CARRIER, carrier light off', async () => {
    await session.page.waitForTimeout(1_200);
    await typeInTerminal(session, '+++');
    await waitForTerminal(session, /\r\nOK\r\n$/, 10_000);
    await typeInTerminal(session, 'ATH\r');
    await waitForTerminal(session, /NO CARRIER/, 10_000);
    await session.page.locator('.led[data-light="CD"][data-on="false"]').waitFor();
    await session.screenshot('14-hung-up');
    expect(session.consoleErrors).toEqual([]);
  }, 30_000);

  it('copies the terminal selection and pastes into the modem', async () => {
    const { page, context } = session;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bridge.url });
    await page.locator('#terminal .xterm-helper-textarea').focus();
    await page.evaluate(() => (window as unknown as { konomi: { terminal: { terminal: { selectAll(): void } } } }).konomi.terminal.terminal.selectAll());
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 5_000 }).toContain('Konomi 56k');
    await page.evaluate(() => navigator.clipboard.writeText('ATI0\r'));
    const before = (await terminalText(session)).length;
    await page.keyboard.press('Control+Shift+V');
    await expect.poll(async () => (await terminalText(session)).slice(before), { timeout: 5_000 }).toMatch(/OK\r\n$/);
    await page.waitForTimeout(300);
    // Pasted exactly once: one command, one answer.
    expect((await terminalText(session)).slice(before)).toMatch(/^ATI0\r\r\nKonomi 56k\r\n\r\nOK\r\n$/);
  }, 30_000);

  it('shows "bridge unreachable" when the bridge goes away and reconnects serial0 on Retry', async () => {
    const { page } = session;
    const port = bridge.port;
    await bridge.stop();
    await page.locator('#errors .error-entry[data-key="serial0"]').waitFor({ timeout: 20_000 });
    await page.locator('#errors .error-entry[data-key="bridge"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#errors .error-entry[data-key="serial0"]').innerText()).toMatch(/bridge unreachable/);
    await session.screenshot('15-bridge-gone');
    bridge = await startBridge(ROOT, { port });
    await page.locator('#errors .error-entry[data-key="serial0"] button.retry').click();
    await page.locator('#stat-link', { hasText: 'open' }).waitFor({ timeout: 20_000 });
    await page.locator('#errors .error-entry[data-key="serial0"]').waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#errors .error-entry[data-key="bridge"]').waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#stat-bridge', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    await session.screenshot('16-bridge-back');
  }, 60_000);
});
