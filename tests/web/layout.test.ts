// The page as a person sees it, in Debian's chromium at 1440×900 and at 800 px wide (issue 11, item 14):
// the 80×25 VGA screen fills its box exactly, the status bar is on screen, the 3D view's axis labels
// never collide, the κ plot shows one lane per cube (its own scale, CENTRAL, the corners' spread) that
// moves when a cube is perturbed, the 3D caption names only writes it saw, MIPS says "idle" while XP10
// waits, and Save/Restore say what they did. Geometry is read from the DOM, colours from screenshots;
// every step's screenshot is kept in test-output/web/layout-*.png.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page as BrowserPage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildWeb } from '../../web/build.js';
import { CENTRAL_COLOUR, SPREAD_ALPHA } from '../../web/view/KappaPlot.js';
import { startBridge, type BridgeProcess } from './harness/bridgeProcess.js';
import { openBrowser, SCREENSHOTS, type BrowserSession } from './harness/browser.js';
import { LOCK_WAIT_MS, lockBrowserSuite } from './harness/browserSuiteLock.js';
import { countColours, hexRgb, type Region, type Rgb } from './harness/pixels.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BOOT_MS = 60_000;
const SIZES = [
  { name: '1440x900', width: 1440, height: 900 },
  { name: '800x900', width: 800, height: 900 },
] as const;
/** XP10's screen background (VGA blue) and the κ plot's background. */
const VGA_BLUE: Rgb = [0, 0, 168];
const BLACK: Rgb = [0, 0, 0];
const PLOT_BACKGROUND: Rgb = [5, 8, 12];

interface Cube { id: number; kappa: number; vertexKappa: number[] }
interface Lane { id: string; colour: string; top: number; bottom: number; scale: [number, number]; kappa: number; central?: number; low?: number; high?: number }
interface LabelBox { text: string; x: number; y: number; width: number; height: number }

let bridge: BridgeProcess;

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, bridge.url), body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** One request over the bridge's WebSocket API, as any client would send it. */
async function wsRequest(message: Record<string, unknown>): Promise<Record<string, unknown>> {
  const socket = new WebSocket(new URL('ws', bridge.url.replace(/^http/, 'ws')));
  try {
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    socket.send(JSON.stringify(message));
    const reply = await new Promise<Record<string, unknown>>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
    if (reply['ok'] !== true) throw new Error(`ws ${String(message['type'])}: ${JSON.stringify(reply)}`);
    return reply;
  } finally {
    socket.close();
  }
}

async function rect(page: BrowserPage, selector: string): Promise<Region> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} has no box`);
  return box;
}

function overlap(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The colour of the corners' band: the cube's colour at SPREAD_ALPHA over the plot's background. */
function bandColour(colour: Rgb): Rgb {
  return [0, 1, 2].map((i) => Math.round(SPREAD_ALPHA * (colour[i] ?? 0) + (1 - SPREAD_ALPHA) * (PLOT_BACKGROUND[i] ?? 0))) as unknown as Rgb;
}

let unlock: (() => Promise<void>) | undefined;

beforeAll(async () => {
  unlock = await lockBrowserSuite(LOCK_WAIT_MS);
  await mkdir(SCREENSHOTS, { recursive: true });
  await buildWeb();
  // The κ field stands still (no ticks), so the lanes can be compared with GET /cubes exactly;
  // tests/bridge/kappaVote.test.ts covers the ticks.
  bridge = await startBridge(ROOT, { args: ['--kappa-tick', '0'] });
  // Written before any page opens; (800, 296, 5) is the box that gave the labels "y 296x 800".
  for (const [x, y, z, value] of [[1, 2, 3, 4.5], [800, 296, 5, 2], [400, 0, 4, -1]] as const) await api('value', { x, y, z, value });
}, LOCK_WAIT_MS + 120_000);

afterAll(async () => {
  await bridge?.stop();
  await unlock?.();
});

describe.each(SIZES)('the page at $name', (size) => {
  let session: BrowserSession;
  let page: BrowserPage;
  const shot = (step: string): Promise<Buffer> => page.screenshot({ path: join(SCREENSHOTS, `layout-${size.name}-${step}.png`) });

  beforeAll(async () => {
    session = await openBrowser({ viewport: { width: size.width, height: size.height } });
    page = session.page;
    await page.goto(bridge.url);
    await page.locator('#screen .screen-text', { hasText: 'XP10> ' }).waitFor({ timeout: BOOT_MS });
    await page.locator('#stat-link', { hasText: 'open' }).waitFor({ timeout: 20_000 });
    await page.locator('#cloud[data-points="3"], #cloud[data-points="4"]').waitFor({ timeout: 20_000 });
  }, BOOT_MS + 30_000);

  afterAll(async () => {
    await session?.close();
  });

  it('names no cell as the latest write at load, then the write it saw with its ledger entry', async () => {
    const caption = page.locator('#cloud-caption');
    // Cells written before the page opened come in no known order: no "latest (1, 2, 3)".
    expect(await caption.innerText()).toMatch(/^\d+ active blocks · no writes since this page opened$/);
    expect(await caption.getAttribute('data-latest')).toBeNull();
    const z = size.width === 1440 ? 7 : 8;
    const write = await api<{ index: number }>('value', { x: 7, y: 7, z, value: 9 });
    await expect.poll(() => caption.innerText(), { timeout: 10_000 }).toMatch(new RegExp(`· last write \\(7, 7, ${z}\\) = 9, ledger #${write.index}$`));
  }, 30_000);

  it('fits the 80×25 VGA screen to its box: no strip beside it, no band below it', async () => {
    await expect.poll(() => page.locator('#screen .screen-text > div').count(), { timeout: 10_000 }).toBe(25);
    const g = await page.evaluate(() => {
      const screen = document.getElementById('screen') as HTMLElement;
      const pane = screen.parentElement as HTMLElement;
      const style = getComputedStyle(pane);
      const paneBox = pane.getBoundingClientRect();
      const rows = [...screen.querySelectorAll<HTMLElement>('.screen-text > div')];
      const spans = [...(rows[0]?.querySelectorAll('span') ?? [])];
      const box = screen.getBoundingClientRect();
      return {
        box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
        content: {
          left: paneBox.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          right: paneBox.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
          bottom: paneBox.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom),
        },
        firstRowRight: spans.length > 0 ? Math.max(...spans.map((s) => s.getBoundingClientRect().right)) : 0,
        lastRowBottom: rows[rows.length - 1]?.getBoundingClientRect().bottom ?? 0,
        columns: rows[0]?.textContent?.length ?? 0,
      };
    });
    expect(g.columns).toBe(80);
    // The box spans the pane's content width and ends where the pane's content ends.
    expect(Math.abs(g.box.left - g.content.left)).toBeLessThanOrEqual(1);
    expect(Math.abs(g.box.right - g.content.right)).toBeLessThanOrEqual(1);
    expect(Math.abs(g.box.bottom - g.content.bottom)).toBeLessThanOrEqual(1);
    // 80 columns end at the box's right edge, 25 rows at its bottom edge.
    expect(Math.abs(g.firstRowRight - g.box.right)).toBeLessThanOrEqual(1);
    expect(Math.abs(g.lastRowBottom - g.box.bottom)).toBeLessThanOrEqual(1);
    // What a person sees: the right-most and bottom-most pixels of the box are XP10's blue, not black.
    const box = await rect(page, '#screen');
    const strips: Region[] = [
      { x: box.width - 3, y: 0, width: 3, height: box.height },
      { x: 0, y: box.height - 3, width: box.width, height: 3 },
    ];
    const [right, bottom] = await countColours(page, box, strips, [VGA_BLUE, BLACK], 12);
    const area = (r: Region): number => Math.round(r.width) * Math.round(r.height);
    expect(right![0]).toBeGreaterThan(0.9 * area(strips[0]!));
    expect(bottom![0]).toBeGreaterThan(0.9 * area(strips[1]!));
    expect(right![1]).toBeLessThan(0.02 * area(strips[0]!));
    expect(bottom![1]).toBeLessThan(0.02 * area(strips[1]!));
    await shot('vga');
  }, 30_000);

  it('keeps the status bar on screen', async () => {
    const viewport = { width: size.width, height: size.height };
    const inView = async (): Promise<void> => {
      const bar = await rect(page, '.statusbar');
      expect(bar.y).toBeGreaterThanOrEqual(0);
      expect(bar.y + bar.height).toBeLessThanOrEqual(viewport.height + 0.5);
      expect(bar.height).toBeGreaterThan(10);
      // Nothing covers it.
      const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('.statusbar') !== null, { x: 20, y: bar.y + bar.height / 2 });
      expect(hit).toBe(true);
      expect(await page.locator('#stat-mips').isVisible()).toBe(true);
    };
    await page.evaluate(() => window.scrollTo(0, 0));
    await inView();
    if (size.width >= 1440) {
      // At 1440×900 the whole page fits: nothing to scroll to.
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(viewport.height);
    } else {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await inView();
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    await shot('status');
  }, 30_000);

  it('places the 3D view\'s axis labels apart at every orientation a drag gives', async () => {
    const cloud = page.locator('#cloud');
    await cloud.scrollIntoViewIfNeeded();
    const { blocks } = await api<{ blocks: { x: number; y: number; z: number }[] }>('blocks');
    const max = (key: 'x' | 'y' | 'z'): number => Math.max(...blocks.map((b) => b[key]));
    const texts = [`x ${max('x')}`, `y ${max('y')}`, `z ${max('z')}`];
    const box = await rect(page, '#cloud');
    for (const [dx, dy] of [[0, 0], [40, 0], [60, 30], [-90, -20], [25, -60], [-50, 90], [120, 10], [-30, -30]] as const) {
      if (dx !== 0 || dy !== 0) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy, { steps: 4 });
        await page.mouse.up();
      }
      const labels = JSON.parse((await cloud.getAttribute('data-labels')) ?? '[]') as LabelBox[];
      expect(labels.map((l) => l.text)).toEqual(texts);
      for (const [i, label] of labels.entries()) {
        expect(label.x).toBeGreaterThanOrEqual(0);
        expect(label.y).toBeGreaterThanOrEqual(0);
        expect(label.x + label.width).toBeLessThanOrEqual(box.width + 0.5);
        expect(label.y + label.height).toBeLessThanOrEqual(box.height + 0.5);
        for (const other of labels.slice(0, i)) expect(overlap(label, other), `${label.text} over ${other.text}`).toBe(false);
      }
    }
    await shot('cloud');
  }, 30_000);

  it('draws one lane per cube with its own scale, CENTRAL and the corners\' spread, and moves when a cube is perturbed', async () => {
    const kappa = page.locator('#kappa');
    await kappa.scrollIntoViewIfNeeded();
    expect(await page.locator('#kappa-caption').innerText()).toMatch(/own scale.*cube.*CENTRAL.*corners/);
    const lanes = async (): Promise<Lane[]> => JSON.parse((await kappa.getAttribute('data-lanes')) ?? '[]') as Lane[];
    const { cubes } = await api<{ cubes: Cube[] }>('cubes');
    expect(cubes.length).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await lanes()).map((l) => l.id), { timeout: 10_000 }).toEqual(cubes.map((c) => String(c.id)));
    const before = await lanes();

    // Perturb cube 0 as a person would: the cube's κ, CENTRAL's and one corner's.
    const shift = size.width === 1440 ? 0.1 : 0.15;
    await wsRequest({ type: 'perturb', cube: 0, kappa: 0.6 + shift });
    await api('cubes/0/perturb', { vertex: 'CENTRAL', kappa: 0.6 - shift });
    await api('cubes/0/perturb', { vertex: 'NEU', kappa: 0.6 + 2 * shift });
    const { cubes: after } = await api<{ cubes: Cube[] }>('cubes');
    const cube0 = after.find((c) => c.id === 0);
    if (!cube0) throw new Error('no cube 0');
    const corners = cube0.vertexKappa.slice(0, 8);
    // The page follows the bridge: its lane for cube 0 shows exactly what GET /cubes reports.
    await expect.poll(async () => (await lanes())[0], { timeout: 10_000 }).toMatchObject({
      id: '0',
      kappa: cube0.kappa,
      central: cube0.vertexKappa[8],
      low: Math.min(...corners),
      high: Math.max(...corners),
    });
    const now = await lanes();
    const moved = (a: Lane | undefined, b: Lane | undefined): boolean => a?.central !== b?.central || a?.low !== b?.low || a?.high !== b?.high;
    expect(moved(before[0], now[0])).toBe(true);


    // Lanes are stacked apart inside the canvas, each scaled to hold what it draws.
    const canvas = await rect(page, '#kappa');
    for (const [i, lane] of now.entries()) {
      expect(lane.top).toBeGreaterThanOrEqual(0);
      expect(lane.bottom).toBeLessThanOrEqual(canvas.height);
      if (i > 0) expect(lane.top).toBeGreaterThan(now[i - 1]!.bottom);
      const [lo, hi] = lane.scale;
      for (const k of [lane.kappa, lane.central, lane.low, lane.high]) if (k !== undefined) expect(k >= lo && k <= hi).toBe(true);
    }
    expect(now[0]!.scale).not.toEqual(now[1]!.scale);

    // What a person sees: each cube's colour in its own lane and in no other, CENTRAL's white in each,
    // and cube 0's corners as a band.
    await page.waitForTimeout(300);
    const regions = now.map((l) => ({ x: 0, y: l.top, width: canvas.width, height: l.bottom - l.top }));
    const colours = [...now.map((l) => hexRgb(l.colour)), hexRgb(CENTRAL_COLOUR), bandColour(hexRgb(now[0]!.colour))];
    const counts = await countColours(page, canvas, regions, colours, 24);
    for (const [i, row] of counts.entries()) {
      for (const [j] of now.entries()) {
        if (i === j) expect(row[j], `cube ${now[j]!.id}'s colour in its lane`).toBeGreaterThan(40);
        else expect(row[j], `cube ${now[j]!.id}'s colour in cube ${now[i]!.id}'s lane`).toBe(0);
      }
      expect(row[now.length], `CENTRAL in cube ${now[i]!.id}'s lane`).toBeGreaterThan(20);
    }
    expect(counts[0]![now.length + 1], 'cube 0\'s corner band').toBeGreaterThan(200);

    // A choice vote shows under the plot with who dissented, as the bridge's answer names them.
    const vote = await wsRequest({ type: 'collective_think', cube: 1, query: `Is the page ${size.name} wide?`, choices: ['yes', 'no'] });
    const dissent = (vote['dissenting'] as Array<{ name: string }>).map((d) => d.name);
    const caption = page.locator('#vote-caption');
    await expect.poll(() => caption.getAttribute('data-dissenting'), { timeout: 10_000 }).toBe(dissent.join(','));
    expect(await caption.innerText()).toMatch(new RegExp(`^last vote, cube 1 on "Is the page ${size.name} wide\\?": "${String(vote['choice'])}", \\d+ % of the weight, (no )?quorum · (unanimous|dissent: [A-Z ]+)$`));
    // Scrolled to the middle of the window, as a person scrolls to read it (the status bar sticks
    // to the bottom edge, so "in view" at the very bottom would be under it).
    await caption.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    const captionBox = await rect(page, '#vote-caption');
    // On screen, above the status bar that sticks to the bottom of the window.
    const bar = await rect(page, '.statusbar');
    expect(captionBox.y + captionBox.height).toBeLessThanOrEqual(bar.y + 1);
    await shot('kappa');
  }, 40_000);

  it('says "idle" for MIPS while XP10 waits in HLT, and the rate while it computes', async () => {
    const mips = page.locator('#stat-mips');
    await expect.poll(() => mips.innerText(), { timeout: 15_000 }).toBe('idle');
    expect(Number(await mips.getAttribute('data-mips'))).toBeLessThan(1);
    await page.locator('#screen').click();
    await page.keyboard.type('busy 4000\n');
    await expect.poll(() => mips.innerText(), { timeout: 10_000 }).toMatch(/^\d+\.\d+$/);
    expect(Number(await mips.innerText())).toBeGreaterThanOrEqual(1);
    await shot('mips-busy');
    await expect.poll(() => mips.innerText(), { timeout: 20_000 }).toBe('idle');
  }, 45_000);

  it('says what Save state, Restore and Load… did, next to the buttons', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const note = page.locator('#state-note');
    const onScreen = async (): Promise<void> => {
      const box = await rect(page, '#state-note');
      expect(box.width).toBeGreaterThan(50);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(size.height);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
    };
    const downloaded = page.waitForEvent('download');
    await page.locator('#save-state').click();
    const download = await downloaded;
    await expect.poll(() => note.innerText(), { timeout: 20_000 }).toMatch(/^saved \d\d:\d\d:\d\d · [\d.]+ MiB, downloaded$/);
    expect(await note.getAttribute('title')).toBe(download.suggestedFilename());
    expect(await note.getAttribute('data-kind')).toBe('ok');
    await onScreen();
    await shot('saved');
    const savedAt = /saved (\d\d:\d\d:\d\d)/.exec(await note.innerText())?.[1];

    const restores = async (): Promise<number> => Number(await page.locator('#machine-state').getAttribute('data-restores') ?? 0);
    const first = await restores();
    await page.locator('#restore-state').click();
    await expect.poll(restores, { timeout: 20_000 }).toBe(first + 1);
    expect(await note.innerText()).toBe(`restored the ${savedAt} state`);
    await onScreen();
    await shot('restored');

    const dir = await mkdtemp(join(tmpdir(), 'konomi-layout-'));
    try {
      const file = join(dir, download.suggestedFilename());
      await download.saveAs(file);
      await page.locator('#state-file').setInputFiles(file);
      await expect.poll(restores, { timeout: 20_000 }).toBe(first + 2);
      expect(await note.innerText()).toBe(`restored ${download.suggestedFilename()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await page.locator('#errors .error-entry').count()).toBe(0);
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
});
