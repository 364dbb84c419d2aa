import type { Disposable } from '../protocol/Disposable.js';
import { BrowserXp10 } from './emulator/BrowserXp10.js';
import { formatBytes, MIB, planMemory, type MemoryPlan } from './emulator/memoryPlan.js';
import { byId, download, formatClock as clock, formatDuration, setText } from './dom.js';
import { SerialLink } from './lines/SerialLink.js';
import { BrowserWebSocketLine } from './lines/BrowserWebSocketLine.js';
import { LineDestination } from '../lines/modem/LineDestination.js';
import { CoreClient, CoreEventFeed } from './net/CoreClient.js';
import type { CoreEvent } from './net/coreTypes.js';
import type { LineTotals } from './net/LineTotals.js';
import { DialUp, type ProfileName } from './terminal/DialUp.js';
import { TerminalPane } from './terminal/TerminalPane.js';
import { ErrorPanel } from './view/ErrorPanel.js';
import { KappaPlot } from './view/KappaPlot.js';
import { mipsText } from './view/mipsText.js';
import { voteText } from './view/voteText.js';
import { ModemLights } from './view/ModemLights.js';
import { PointCloudView } from './view/PointCloudView.js';
import { RateMeter } from './view/RateMeter.js';
import { fitVgaFont, VGA_COLUMNS } from './view/vgaFit.js';
import type { AgentRow } from './net/coreTypes.js';
import { NO_AGENTS, agentCells } from './view/agentsTable.js';

/** How often the agents panel asks the bridge (each ask is one AGENTS request per XP10). */
const AGENTS_POLL_MS = 2_000;

export interface PageOptions {
  /** Where the bridge lives; the page is normally served by it, so this is the page's origin. */
  readonly bridge: URL;
  readonly imageUrl: string;
  readonly wasmUrl: string;
  /** Blocks fetched for the 3D view. */
  readonly blockLimit: number;
  readonly pollMs: number;
  /** The bridge's token (from the page's `?token=`), sent with every request and socket. */
  readonly token?: string;
}

type MachineState = 'booting' | 'running' | 'error';

/** A `kappa` event carries only the cubes' κ; the vertices' κ is fetched at most this often after one. */
const CUBE_REFRESH_MS = 1_000;

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
/** The XP10 image could not be fetched; shown with a Retry that fetches it again. */
export class ImageLoadError extends Error {
  readonly code = 'IMAGE_LOAD';
  constructor(message: string) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

/** Wires the page: XP10 in v86, its serial0 to the bridge, the modem terminal, the core view, the status bar. */
export class Page {
  readonly errors = new ErrorPanel(byId('errors', HTMLElement));
  readonly terminal = new TerminalPane(byId('terminal', HTMLElement));
  readonly lights = new ModemLights(byId('lights', HTMLElement));
  readonly dialUp = new DialUp({
    terminal: this.terminal,
    lights: this.lights,
    // Numbers the page does not list go to the bridge's phonebook and dial-out (docs/MODEM.md).
    remote: (dialString) => new LineDestination(() => BrowserWebSocketLine.connect(this.dialUrl(dialString))),
  });
  readonly cloud = new PointCloudView(byId('cloud', HTMLCanvasElement), byId('cloud-caption', HTMLElement));
  readonly kappa = new KappaPlot(byId('kappa', HTMLCanvasElement));
  private readonly client: CoreClient;
  private readonly feed: CoreEventFeed;
  private machine: BrowserXp10 | undefined;
  private link: SerialLink | undefined;
  private image: ArrayBuffer | undefined;
  private savedState: { readonly state: ArrayBuffer; readonly at: Date } | undefined;
  private booting: Promise<void> | undefined;
  private readonly mips = new RateMeter();
  private readonly frames = new RateMeter();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly subscriptions: Disposable[] = [];
  private readonly screenResize = new ResizeObserver(() => this.fitScreen());
  private cubeRefresh: ReturnType<typeof setTimeout> | undefined;
  private lastCubeRefresh = 0;

  constructor(private readonly options: PageOptions) {
    this.client = new CoreClient(options.bridge, options.token ? { token: options.token } : {});
    this.feed = new CoreEventFeed(this.client.wsUrl('/ws'));
  }

  /** The bridge's `/dial` for a number the page does not list. */
  private dialUrl(dialString: string): string {
    const url = new URL(this.client.wsUrl('/dial'));
    url.searchParams.set('to', dialString);
    return url.toString();
  }

  start(): void {
    this.catchStrayErrors();
    this.wireControls();
    this.subscriptions.push(
      this.feed.onEvent((event) => this.applyEvent(event)),
      this.feed.onState((state) => setText('stat-bridge', state === 'open' ? 'live' : state)),
    );
    this.dialUp.setProfile(this.profile());
    this.feed.start();
    this.cloud.start();
    this.kappa.start();
    const screenPane = byId('screen', HTMLElement).parentElement;
    if (screenPane) this.screenResize.observe(screenPane);
    // The screen's font may arrive after the first layout; fit again once it is there.
    void document.fonts?.ready.then(() => this.fitScreen());
    this.fitScreen();
    this.timers.push(setInterval(() => this.updateEmulatorStats(), 1_000));
    this.timers.push(setInterval(() => void this.pollLineTotals(), 1_000));
    this.timers.push(setInterval(() => void this.pollAgents(), AGENTS_POLL_MS));
    this.timers.push(setInterval(() => void this.pollCore(), this.options.pollMs));
    void this.pollCore();
    void this.boot();
  }

  /** Boots XP10 (again), optionally from a saved state; one boot at a time. */
  boot(initialState?: ArrayBuffer): Promise<void> {
    this.booting ??= this.doBoot(initialState).finally(() => { this.booting = undefined; });
    return this.booting;
  }

  /** Stops everything the page started (timers, sockets, the emulator). */
  async dispose(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    clearTimeout(this.cubeRefresh);
    this.screenResize.disconnect();
    this.feed.stop();
    this.cloud.stop();
    this.kappa.stop();
    await this.shutdown();
    this.dialUp.dispose();
    this.terminal.dispose();
  }

  /** Text written to the modem terminal so far (for tests and the console). */
  terminalText(): string {
    return this.terminal.text();
  }

  private async doBoot(initialState?: ArrayBuffer): Promise<void> {
    this.setMachineState('booting');
    await this.shutdown();
    try {
      const memory = this.memoryPlan();
      const image = await this.loadImage();
      this.errors.clear('emulator');
      const machine = await BrowserXp10.boot({
        wasmUrl: this.options.wasmUrl,
        image,
        memory,
        screen: byId('screen', HTMLElement),
        ...(initialState ? { initialState } : {}),
      });
      this.machine = machine;
    } catch (err) {
      this.setMachineState('error');
      const key = err instanceof ImageLoadError ? 'image' : 'emulator';
      this.errors.show(key, message(err), () => void this.boot(initialState));
      return;
    }
    // v86 listens for keys on the whole window; only the focused VGA screen should type into XP10.
    this.machine.setKeyboardEnabled(document.activeElement === byId('screen', HTMLElement));
    this.mips.reset();
    this.connectSerial0(this.machine);
    this.dialUp.attachGuest(this.machine.serial1);
    this.setMachineState('running');
  }

  private async shutdown(): Promise<void> {
    this.dialUp.detachGuest();
    this.link?.dispose();
    this.link = undefined;
    const machine = this.machine;
    this.machine = undefined;
    if (machine) await machine.destroy();
  }

  private memoryPlan(): MemoryPlan {
    const mib = Number(byId('memory', HTMLSelectElement).value);
    const plan = planMemory(mib * MIB);
    const note = byId('memory-note', HTMLElement);
    note.hidden = !plan.note;
    note.textContent = plan.note ?? '';
    note.title = plan.note ? `requested ${formatBytes(plan.requestedBytes)}` : '';
    return plan;
  }

  private profile(): ProfileName {
    const value = byId('profile', HTMLSelectElement).value;
    return value === 'v34' || value === 'unlimited' ? value : 'v90';
  }

  private async loadImage(): Promise<ArrayBuffer> {
    if (this.image) return this.image;
    let response: Response;
    try {
      response = await fetch(this.options.imageUrl, { cache: 'no-cache', headers: this.client.headers('application/octet-stream') });
    } catch {
      throw new ImageLoadError(`XP10 image failed to load: ${this.options.imageUrl} unreachable (is the bridge running?)`);
    }
    if (!response.ok) {
      throw new ImageLoadError(`XP10 image failed to load: ${this.options.imageUrl} answered HTTP ${response.status} (run npm run build:guest && npm run build:web)`);
    }
    const image = await response.arrayBuffer();
    const magic = new Uint8Array(image, 0, Math.min(4, image.byteLength));
    if (magic.length < 4 || magic[0] !== 0x7f || magic[1] !== 0x45 || magic[2] !== 0x4c || magic[3] !== 0x46) {
      throw new ImageLoadError(`XP10 image failed to load: ${this.options.imageUrl} is not an ELF file (${image.byteLength} bytes)`);
    }
    this.errors.clear('image');
    this.image = image;
    return image;
  }

  private connectSerial0(machine: BrowserXp10): void {
    const link = new SerialLink(machine.serial0, this.client.wsUrl('/line/serial0'));
    link.onState((state) => {
      setText('stat-link', state.kind);
      if (state.kind === 'down') {
        this.errors.show('serial0', `bridge unreachable: serial0 link down (${state.error.message}); retrying in ${Math.round(state.retryInMs / 1000)} s`, () => link.retryNow());
      } else if (state.kind === 'open') {
        this.errors.clear('serial0');
      }
    });
    link.start();
    this.link = link;
  }

  private async pollCore(): Promise<void> {
    const requestedAt = performance.now();
    try {
      const [sample, cubes, head] = await Promise.all([
        this.client.blocks(this.options.blockLimit),
        this.client.cubes(),
        this.client.ledgerHead(),
      ]);
      this.cloud.setAll(sample.blocks, sample.total, requestedAt);
      this.kappa.add(cubes);
      this.showLedger(head.index, head.hash);
      this.errors.clear('bridge');
      // The bridge answers again: resubscribe now rather than at the end of the feed's back-off.
      this.feed.retryNow();
    } catch (err) {
      this.errors.show('bridge', `${message(err)}; the core view is paused`, () => {
        this.feed.retryNow();
        void this.pollCore();
      });
      setText('stat-bridge', 'unreachable');
    }
  }

  private applyEvent(event: CoreEvent): void {
    switch (event.event) {
      case 'block':
        // The view shows array 0, as GET /blocks does.
        this.cloud.update(event.blocks.filter((b) => (b.array ?? 0) === 0));
        break;
      case 'kappa':
        this.kappa.add(event.cubes);
        this.refreshCubesSoon();
        break;
      case 'ledger':
        this.showLedger(event.head.index, event.head.hash);
        break;
      case 'vote': {
        const line = byId('vote-caption', HTMLElement);
        line.textContent = voteText(event.vote);
        line.dataset['dissenting'] = event.vote.dissenting.join(',');
        line.hidden = false;
        break;
      }
      case 'lines':
        // Open lines only: the status bar counts lifetime totals from GET /metrics instead.
        break;
    }
  }

  /** The vertices' κ after a `kappa` event: GET /cubes at once, or at the end of the current second. */
  private refreshCubesSoon(): void {
    if (this.cubeRefresh !== undefined) return;
    const wait = Math.max(0, this.lastCubeRefresh + CUBE_REFRESH_MS - performance.now());
    this.cubeRefresh = setTimeout(() => {
      this.lastCubeRefresh = performance.now();
      this.client.cubes().then(
        (cubes) => {
          this.cubeRefresh = undefined;
          this.kappa.add(cubes);
        },
        () => {
          // The 3 s poll reports a bridge that went away.
          this.cubeRefresh = undefined;
        },
      );
    }, wait);
  }

  /**
   * Sizes the VGA font so XP10's 80 columns fill the pane's width (web/view/vgaFit.ts); the box is the
   * pane's width and 25 rows high. Glyph advances are rounded at some sizes, so a second or third pass
   * may be needed to land within a quarter pixel.
   */
  private fitScreen(): void {
    const screen = byId('screen', HTMLElement);
    const probe = screen.querySelector<HTMLElement>('.vga-probe');
    if (!probe) return;
    if (probe.textContent?.length !== VGA_COLUMNS) probe.textContent = '0'.repeat(VGA_COLUMNS);
    const available = screen.clientWidth;
    for (let pass = 0; pass < 3; pass++) {
      const measured = probe.getBoundingClientRect().width;
      if (Math.abs(measured - available) < 0.25) return;
      const font = fitVgaFont(parseFloat(getComputedStyle(probe).fontSize), measured, available);
      if (font === undefined) return;
      screen.style.setProperty('--vga-font', `${font}px`);
    }
  }

  private showLedger(index: number, hash: string): void {
    setText('ledger-index', `#${index}`);
    setText('ledger-hash', hash);
  }

  /** The agents panel: every XP10's BASIC agents (GET /agents); failures leave the last rows. */
  private async pollAgents(): Promise<void> {
    if (this.errors.has('bridge')) return;
    let rows: AgentRow[];
    try {
      rows = await this.client.agents();
    } catch {
      return;
    }
    const body = byId('agents', HTMLTableElement).tBodies[0];
    if (!body) return;
    body.replaceChildren(
      ...rows.map((row) => {
        const tr = document.createElement('tr');
        tr.dataset['state'] = row.state;
        for (const text of agentCells(row)) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
    const note = byId('agents-note', HTMLElement);
    note.hidden = rows.length > 0;
    note.textContent = NO_AGENTS;
  }

  /** Failures show up through pollCore's "bridge unreachable"; here they only leave the last figures. */
  private async pollLineTotals(): Promise<void> {
    // While the bridge is known to be away, pollCore's slower polling is what notices its return.
    if (this.errors.has('bridge')) return;
    let totals: LineTotals;
    try {
      totals = await this.client.lineTotals();
    } catch {
      this.frames.reset();
      return;
    }
    const frames = totals.framesIn + totals.framesOut;
    const fps = byId('stat-fps', HTMLElement);
    fps.textContent = this.frames.sample(frames, performance.now()).toFixed(1);
    // The rate is 0 again a second after a request; the lifetime total says it was counted at all.
    fps.dataset['frames'] = String(frames);
    fps.title = `${frames} frames on all lines since the bridge started`;
    setText('stat-crc', String(totals.crcErrors));
    setText('stat-retx', String(totals.retransmits));
  }

  private updateEmulatorStats(): void {
    const machine = this.machine;
    if (!machine) return;
    const instructions = machine.instructionCounter();
    const mips = this.mips.sample(instructions, performance.now()) / 1e6;
    const figure = byId('stat-mips', HTMLElement);
    figure.textContent = mipsText(mips);
    figure.dataset['mips'] = mips.toFixed(3);
    figure.title = `${mips.toFixed(3)} million guest instructions per second`;
    setText('stat-uptime', formatDuration(performance.now() - machine.startedAt));
  }

  private setMachineState(state: MachineState): void {
    const badge = byId('machine-state', HTMLElement);
    badge.textContent = state;
    badge.dataset['state'] = state;
    for (const id of ['save-state', 'screenshot']) byId(id, HTMLButtonElement).disabled = state !== 'running';
  }

  private wireControls(): void {
    byId('reboot', HTMLButtonElement).addEventListener('click', () => void this.boot());
    byId('memory', HTMLSelectElement).addEventListener('change', () => {
      try {
        this.memoryPlan();
      } catch (err) {
        this.errors.show('memory', message(err));
      }
    });
    byId('profile', HTMLSelectElement).addEventListener('change', () => this.dialUp.setProfile(this.profile()));
    byId('save-state', HTMLButtonElement).addEventListener('click', () => void this.saveState());
    byId('restore-state', HTMLButtonElement).addEventListener('click', () => {
      const saved = this.savedState;
      if (saved) void this.restoreState(saved.state, `the ${clock(saved.at)} state`);
    });
    byId('state-file', HTMLInputElement).addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      const file = input.files?.[0];
      // The same file chosen again must fire again.
      input.value = '';
      if (file) void file.arrayBuffer().then((state) => this.restoreState(state, file.name));
    });
    byId('screenshot', HTMLButtonElement).addEventListener('click', () => this.screenshot());
    byId('screen', HTMLElement).addEventListener('focus', () => this.machine?.setKeyboardEnabled(true));
    byId('screen', HTMLElement).addEventListener('blur', () => this.machine?.setKeyboardEnabled(false));
  }

  private async saveState(): Promise<void> {
    const machine = this.machine;
    if (!machine) return;
    const button = byId('save-state', HTMLButtonElement);
    button.disabled = true;
    button.textContent = 'Saving…';
    this.stateNote('saving the machine state…', 'busy');
    try {
      const state = await machine.saveState();
      const at = new Date();
      this.savedState = { state, at };
      const restore = byId('restore-state', HTMLButtonElement);
      restore.disabled = false;
      restore.title = `Restore the state saved at ${clock(at)}`;
      const name = `xp10-${at.toISOString().replace(/[:.]/g, '-')}.bin`;
      download(name, new Blob([state]));
      this.stateNote(`saved ${clock(at)} · ${formatBytes(state.byteLength)}, downloaded`, 'ok', name);
      this.errors.clear('state');
    } catch (err) {
      this.stateNote('saving failed', 'error');
      this.errors.show('state', message(err));
    } finally {
      button.textContent = 'Save state';
      button.disabled = this.machine === undefined;
    }
  }

  /** `what` names the state for the person: "the 22:10:05 state" or a file name. */
  private async restoreState(state: ArrayBuffer, what: string): Promise<void> {
    const restore = byId('restore-state', HTMLButtonElement);
    restore.disabled = true;
    this.stateNote(`restoring ${what}…`, 'busy');
    try {
      if (this.machine) {
        await this.machine.restoreState(state);
      } else {
        await this.boot(state);
        if (!this.machine) throw new Error('the machine did not start from it');
      }
      // How many restores went through, for anyone waiting on one (tests, devtools).
      const badge = byId('machine-state', HTMLElement);
      badge.dataset['restores'] = String(Number(badge.dataset['restores'] ?? 0) + 1);
      this.stateNote(`restored ${what}`, 'ok');
      this.errors.clear('state');
    } catch (err) {
      this.stateNote('restore failed', 'error', what);
      this.errors.show('state', `${message(err)} (a state only restores with the memory size it was saved with)`);
    } finally {
      restore.disabled = this.savedState === undefined;
    }
  }

  /** The line beside Save/Restore saying what they just did; it flashes on every change. */
  private stateNote(text: string, kind: 'busy' | 'ok' | 'error', detail?: string): void {
    const note = byId('state-note', HTMLElement);
    note.textContent = text;
    note.title = detail ?? text;
    note.dataset['kind'] = kind;
    note.classList.remove('flash');
    // Reading a layout property restarts the CSS animation.
    void note.offsetWidth;
    note.classList.add('flash');
  }

  private screenshot(): void {
    if (!this.machine) return;
    try {
      download(`xp10-screen-${Date.now()}.png`, this.machine.screenshotDataUrl());
    } catch (err) {
      this.errors.show('screenshot', message(err));
    }
  }

  /** Anything that escapes a handler is shown on the page, not only in the console. */
  private catchStrayErrors(): void {
    window.addEventListener('error', (event) => this.errors.show('page', `page error: ${event.message}`));
    window.addEventListener('unhandledrejection', (event) => this.errors.show('page', `page error: ${message(event.reason)}`));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
