// End to end: the page in Debian's chromium (playwright-core), first without a bridge behind it
// (errors must be visible, with a retry), then with `konomi start`: XP10 boots in the page, the
// terminal dials into its console, `block set` reaches the core and shows in the 3D view.
// Screenshots of every step go to test-output/web/.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import type { Page as BrowserPage } from 'playwright-core';
import { openBrowser, SCREENSHOTS, type BrowserSession } from './harness/browser.js';
import { externalIPv4, startBridge, type BridgeProcess } from './harness/bridgeProcess.js';
import { serveStatic, type StaticServer } from './harness/staticServer.js';
import { LOCK_WAIT_MS, lockBrowserSuite } from './harness/browserSuiteLock.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist', 'web');
const IMAGE = join(ROOT, 'images', 'xp10.elf');
const BOOT_MS = 60_000;

/** What the page exposes as `window.konomi` for tests. */
interface PageHandle {
  terminalText(): string;
  dialUp: { counters: { fromGuest: number; toTerminal: number } };
}

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

/** Frames on every line since the bridge started, as the status bar last polled them. */
async function framesCounted(page: BrowserPage): Promise<number> {
  return Number((await page.locator('#stat-fps').getAttribute('data-frames')) ?? 0);
}

async function statNumber(page: BrowserPage, id: string): Promise<number> {
  return Number(await page.locator(`#${id}`).innerText());
}

let marks = 0;

/**
 * Types a unique marker and `uptime` on XP10's keyboard and returns the PIT ticks and rate it prints
 * after the marker's "not recognized" line (the screen scrolls, so counting lines would not do).
 */
async function guestClock(page: BrowserPage): Promise<{ ticks: number; hz: number }> {
  const mark = `mark${++marks}`;
  await page.locator('#screen').click();
  await page.keyboard.type(`${mark}\nuptime\n`);
  const read = async (): Promise<{ ticks: number; hz: number } | undefined> => {
    const text = await page.locator('#screen .screen-text').innerText();
    const at = text.lastIndexOf(`'${mark}' is not recognized`);
    const match = at < 0 ? null : /\((\d+) ticks at (\d+) Hz\)/.exec(text.slice(at));
    return match ? { ticks: Number(match[1]), hz: Number(match[2]) } : undefined;
  };
  await expect.poll(read, { timeout: 20_000 }).toBeDefined();
  const clock = await read();
  if (!clock) throw new Error(`no uptime after ${mark} on the VGA screen`);
  return clock;
}

/**
 * serial0 reconnects either by the link's own back-off or by the Retry button, whichever comes first;
 * a click that misses because the entry just went away is fine, the link state decides.
 */
async function reconnectSerial0(page: BrowserPage, timeoutMs = 40_000): Promise<void> {
  const open = page.locator('#stat-link', { hasText: 'open' });
  const retry = page.locator('#errors .error-entry[data-key="serial0"] button.retry:not([disabled])');
  const deadline = Date.now() + timeoutMs;
  while ((await open.count()) === 0) {
    if (Date.now() > deadline) throw new Error(`serial0 did not reconnect within ${timeoutMs} ms`);
    await retry.click({ timeout: 1_000 }).catch(() => undefined);
    await open.waitFor({ timeout: 2_000 }).catch(() => undefined);
  }
}

let unlock: (() => Promise<void>) | undefined;

beforeAll(async () => {
  unlock = await lockBrowserSuite(LOCK_WAIT_MS);
  // Screenshots are from this run only; layout.test.ts keeps its own (layout-*.png) beside them.
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const name of await readdir(SCREENSHOTS)) {
    if (name.endsWith('.png') && !name.startsWith('layout-')) await rm(join(SCREENSHOTS, name), { force: true });
  }
  await buildWeb();
}, LOCK_WAIT_MS + 120_000);

afterAll(async () => {
  await unlock?.();
});

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
    // A file server answers 404 for the API: the person reads "bridge unreachable", not an HTTP status.
    const bridgeText = await bridgeError.innerText();
    expect(bridgeText).toMatch(/^bridge unreachable/);
    expect(bridgeText).not.toMatch(/HTTP 404/);
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
    await page.locator('#screen').click();
    await page.keyboard.type('ver\n');
    // XP10 takes keys in order: had ATI0 leaked into its keyboard, it would stand before "ver" on
    // this very line once "ver" has been answered, so waiting for the answer waits long enough.
    await page.locator('#screen .screen-text', { hasText: 'Konomi Corduroy-OS, 56k packet protocol' }).waitFor({ timeout: 20_000 });
    const screen = await page.locator('#screen .screen-text').innerText();
    expect(screen).toMatch(/XP10> ver\s*\n/);
    expect(screen).not.toMatch(/ATI0|TI0/);
    await session.screenshot('01b-static-vga-keyboard');
  }, 40_000);

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

    const atSave = await guestClock(page);
    const saved = page.waitForEvent('download');
    await page.locator('#save-state').click();
    const state = await saved;
    expect(state.suggestedFilename()).toMatch(/^xp10-.*\.bin$/);
    // Let the guest run on well past the saved point (5 s of its time), then go back to it.
    let beforeRestore = await guestClock(page);
    while (beforeRestore.ticks < atSave.ticks + 5 * atSave.hz) beforeRestore = await guestClock(page);
    await page.locator('#restore-state:not([disabled])').click();
    await page.locator('#machine-state[data-restores="1"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#errors .error-entry[data-key="state"]').count()).toBe(0);
    // The restored machine runs on from the saved point: its clock reads from there, behind where it
    // was before the restore (by the 5 s, less what the restore and the command took).
    const afterRestore = await guestClock(page);
    expect(afterRestore.ticks).toBeGreaterThanOrEqual(atSave.ticks);
    expect(afterRestore.ticks).toBeLessThan(beforeRestore.ticks);
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
    const text = await waitForTerminal(session, /CONNECT 56000[\s\S]*XP10> $/);
    // The ringback, as a real modem shows it, before the connection.
    expect(text).toMatch(/ATDT 1\r\r\nRING(ING)?\r\n\r\nCONNECT 56000\r\n/);
    expect(await session.page.locator('.led[data-light="CD"]').getAttribute('data-on')).toBe('true');
    expect(await session.page.locator('.led[data-light="OH"]').getAttribute('data-on')).toBe('true');
    await session.screenshot('11-dialled');
  }, 60_000);

  it('`block set 1 2 3 4.5` typed in the terminal is visible through GET /value and in the 3D view', async () => {
    const framesBefore = await framesCounted(session.page);
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
    // The frames of that request are counted (lifetime totals from /metrics, polled each second);
    // the frames/s rate itself may be back at 0 by the time the caption above has caught up.
    await expect.poll(() => framesCounted(session.page), { timeout: 20_000 }).toBeGreaterThan(framesBefore);
    expect(await statNumber(session.page, 'stat-fps')).toBeGreaterThanOrEqual(0);
    for (const id of ['stat-crc', 'stat-retx']) expect(await session.page.locator(`#${id}`).innerText()).toMatch(/^\d+$/);
  }, 60_000);

  it("the page's own XP10 runs a BASIC agent (RUN &): the agents panel lists it and the 3D view shows its block", async () => {
    await typeInTerminal(session, 'basic\r');
    await waitForTerminal(session, /Ok\r\n$/);
    await typeInTerminal(session, 'NEW\r10 BLOCKSET 9, 9, 9, 99\r20 PRINT "hello from the page"\rRUN &\r');
    await waitForTerminal(session, /Agent \d started\.[\s\S]*Ok\r\n$/);
    await typeInTerminal(session, 'SYSTEM\r');
    await waitForTerminal(session, /SYSTEM[\s\S]*XP10> $/);
    const row = session.page.locator('#agents tbody tr', { hasText: 'hello from the page' });
    await row.waitFor({ timeout: 20_000 });
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[0]).toBe('XP10');
    expect(cells[1]).toMatch(/^\d BASIC$/);
    expect(cells[2]).toBe('ended');
    expect(await session.page.locator('#agents-note').isHidden()).toBe(true);
    await session.page.locator('#cloud-caption[data-latest="9,9,9=99"]').waitFor({ timeout: 20_000 });
    await session.screenshot('13b-agents');
  }, 60_000);

  it('shows the ledger head the bridge has, κ samples, a positive MIPS figure, and turns the 3D view on a drag', async () => {
    const { page } = session;
    const bridgeHead = async (): Promise<string> => ((await (await fetch(new URL('ledger/head', bridge.url))).json()) as { hash: string }).hash;
    await expect.poll(async () => (await page.locator('#ledger-hash').innerText()) === (await bridgeHead()), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('#ledger-hash').innerText()).toMatch(/^[0-9a-f]{64}$/);
    await expect.poll(async () => Number(await page.locator('#kappa').getAttribute('data-samples')), { timeout: 20_000 }).toBeGreaterThan(0);
    // The figure itself says "idle" while XP10 waits in HLT (tests/web/layout.test.ts); the rate is in data-mips.
    await page.waitForFunction(() => Number(document.getElementById('stat-mips')?.dataset['mips']) > 0, undefined, { timeout: 20_000 });

    // Spinning only turns the yaw; a vertical drag turns the pitch.
    const cloud = page.locator('#cloud');
    const pitchBefore = Number(await cloud.getAttribute('data-pitch'));
    const box = await cloud.boundingBox();
    if (!box) throw new Error('the 3D view has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 50, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => Math.abs(Number(await cloud.getAttribute('data-pitch')) - pitchBefore), { timeout: 10_000 }).toBeGreaterThan(0.3);
    await session.screenshot('13b-cloud-turned');
  }, 60_000);

  it('carries the dial-in data at V.90 pace: the terminal falls behind what XP10 sends', async () => {
    const { page } = session;
    // Sample the modem's byte counters in the page, every few ms, while XP10 answers `help`.
    await page.evaluate(() => {
      const { counters } = (window as unknown as { konomi: PageHandle }).konomi.dialUp;
      const start = { ...counters };
      const probe = { maxBacklog: 0, firstAt: 0, lastAt: 0, sent: 0, received: 0, timer: 0 };
      (window as unknown as { paceProbe: typeof probe }).paceProbe = probe;
      probe.timer = window.setInterval(() => {
        const sent = counters.fromGuest - start.fromGuest;
        const received = counters.toTerminal - start.toTerminal;
        if (sent > 0 && probe.firstAt === 0) probe.firstAt = performance.now();
        if (received > probe.received) probe.lastAt = performance.now();
        probe.maxBacklog = Math.max(probe.maxBacklog, sent - received);
        probe.sent = sent;
        probe.received = received;
      }, 5);
    });
    await typeInTerminal(session, 'help\r');
    await waitForTerminal(session, /Commands:[\s\S]*XP10> $/);
    const probe = await page.evaluate(() => {
      const { paceProbe } = window as unknown as { paceProbe: { maxBacklog: number; firstAt: number; lastAt: number; sent: number; received: number; timer: number } };
      clearInterval(paceProbe.timer);
      return paceProbe;
    });
    // XP10 writes its answer at once; the modem hands it to the terminal at 5,600 bytes/s.
    expect(probe.sent).toBeGreaterThan(500);
    expect(probe.maxBacklog).toBeGreaterThan(probe.sent / 3);
    // Never faster than the line (load only makes it slower): at least half the V.90 time.
    expect(probe.lastAt - probe.firstAt).toBeGreaterThanOrEqual(((probe.sent / 5_600) * 1_000) / 2);
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

  it('dials out through the bridge: ATDT 127.0.0.1:PORT reaches a TCP service on the loopback, then hangs up', async () => {
    const service = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('welcome from the page test service\r\n');
      socket.on('data', (chunk) => socket.write(chunk.toString('latin1').toUpperCase()));
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    try {
      const port = (service.address() as AddressInfo).port;
      await typeInTerminal(session, `ATDT 127.0.0.1:${port}\r`);
      await waitForTerminal(session, /CONNECT 56000\r\nwelcome from the page test service\r\n$/, 10_000);
      await typeInTerminal(session, 'shout');
      await waitForTerminal(session, /SHOUT$/, 10_000);
      await session.page.waitForTimeout(1_200);
      await typeInTerminal(session, '+++');
      await waitForTerminal(session, /\r\nOK\r\n$/, 10_000);
      await typeInTerminal(session, 'ATH\r');
      await waitForTerminal(session, /NO CARRIER\r\n$/, 10_000);
      await typeInTerminal(session, 'ATDT 192.0.2.1:23\r');
      await waitForTerminal(session, /ATDT 192\.0\.2\.1:23\r\r\nNO CARRIER\r\n$/, 10_000);
      expect(bridge.log()).toMatch(/dial-out from ws:127\.0\.0\.1:\d+\/dial to 192\.0\.2\.1:23 \(telnet\) refused/);
    } finally {
      await new Promise<void>((r) => service.close(() => r()));
    }
  }, 60_000);

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

  it('shows "bridge unreachable" when the bridge goes away and reconnects serial0 once it is back', async () => {
    const { page } = session;
    const port = bridge.port;
    await bridge.stop();
    const serial0 = page.locator('#errors .error-entry[data-key="serial0"]');
    await serial0.waitFor({ timeout: 20_000 });
    await page.locator('#errors .error-entry[data-key="bridge"]').waitFor({ timeout: 20_000 });
    const first = await serial0.innerText();
    expect(first).toMatch(/bridge unreachable/);
    // Each failed reconnect updates the entry in place: new text, the same single Retry button.
    await serial0.locator('button.retry').evaluate((button) => { button.dataset['marked'] = 'yes'; });
    await expect.poll(() => serial0.innerText(), { timeout: 20_000 }).not.toBe(first);
    expect(await serial0.locator('button.retry').count()).toBe(1);
    expect(await serial0.locator('button.retry[data-marked="yes"]').count()).toBe(1);
    await session.screenshot('15-bridge-gone');
    bridge = await startBridge(ROOT, { port });
    await reconnectSerial0(page);
    await page.locator('#errors .error-entry[data-key="serial0"]').waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#errors .error-entry[data-key="bridge"]').waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#stat-bridge', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    await session.screenshot('16-bridge-back');
  }, 60_000);
});

// The bridge on a non-loopback address with a token; the browser reaches it by that address, so to the
// bridge the page is "another host" and needs the token on every request and socket.
const EXTERNAL = externalIPv4();

describe.skipIf(!EXTERNAL)('the page of a bridge exposed with --host and a token', () => {
  const TOKEN = 'e2e-token-7c1f';
  const auth = { authorization: `Bearer ${TOKEN}` };
  let bridge: BridgeProcess;
  let session: BrowserSession;

  beforeAll(async () => {
    bridge = await startBridge(ROOT, { host: EXTERNAL, token: TOKEN });
    session = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await bridge?.stop();
  });

  it('without ?token= the page says the bridge refused it, and how to open it', async () => {
    const { page } = session;
    await page.goto(bridge.url);
    const error = page.locator('#errors .error-entry[data-key="bridge"]');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.innerText()).toMatch(/bridge refused GET \/\S+ \(HTTP 401\): open the page with \?token=/);
    await session.screenshot('20-token-missing');
  }, 60_000);

  it('with ?token= the core view, the /ws feed and serial0 work, and the bridge counts serial0 as authorised', async () => {
    const { page } = session;
    await page.goto(`${bridge.url}?token=${TOKEN}`);
    await page.locator('#screen .screen-text', { hasText: 'XP10 [Version' }).waitFor({ timeout: BOOT_MS });
    await page.locator('#stat-link', { hasText: 'open' }).waitFor({ timeout: 20_000 });
    await page.locator('#stat-bridge', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    const head = (await (await fetch(new URL('ledger/head', bridge.url), { headers: auth })).json()) as { hash: string };
    await expect.poll(() => page.locator('#ledger-hash').innerText(), { timeout: 20_000 }).toBe(head.hash);
    await expect.poll(() => page.locator('#stat-fps').innerText(), { timeout: 20_000 }).toMatch(/^\d+\.\d$/);
    interface Snapshot { kind: string; remote: boolean; authorized: boolean }
    const serial0 = async (): Promise<Snapshot | undefined> => {
      const { lines } = (await (await fetch(new URL('lines', bridge.url), { headers: auth })).json()) as { lines: Snapshot[] };
      return lines.find((line) => line.kind === 'ws');
    };
    await expect.poll(serial0, { timeout: 20_000 }).toMatchObject({ remote: true, authorized: true });
    expect(await page.locator('#errors .error-entry').count()).toBe(0);
    await session.screenshot('21-token');
  }, BOOT_MS + 30_000);
});
