import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86 } from 'v86';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { V86SerialLine, type SerialPortIndex } from '../../machine/V86SerialLine.js';
import { planMemorySize, type MemorySize } from './memorySize.js';
import { textToScancodes } from '../../machine/scancodes.js';
import { Xp10MachineError } from './Xp10MachineError.js';

const EFLAGS_IF = 0x200;
/**
 * v86 in Node runs its main loop again with setImmediate when the next timer event is less
 * than 1 ms away (a busy wait), and XP10's idle loop halts with the next PIT interrupt at
 * most 10 ms away: the last millisecond of every tick was spent spinning, about 9 % of a core
 * for a guest doing nothing. A halted CPU sleeps this long instead; only a timer wake is
 * delayed (by under 1 ms), never input (v86 wakes the loop with a delay of exactly 0 then).
 */
const HALTED_MIN_SLEEP_MS = 1;

/** The parts of v86's internal main loop (`emulator.v86`) that Xp10Machine adjusts or reads. */
interface V86MainLoop {
  yield(delayMs: number, tick: number): void;
  yield_callback(tick: number): void;
  cpu?: { in_hlt?: Uint8Array; flags?: Int32Array };
}

export interface Xp10MachineOptions {
  /** The multiboot ELF: bytes or a file path. Default: images/xp10.elf of this repository. */
  image?: Uint8Array | string;
  /** Guest memory in bytes (default 64 MiB). Above 4 GiB is refused; above v86's limit is reduced. */
  memoryBytes?: number;
  /** Path of v86.wasm; default: the one shipped in the v86 package. */
  wasmPath?: string;
  /** Most transcript characters kept per serial port for waitForOutput (default 1 MiB). */
  transcriptLimit?: number;
  /** The kernel command line (multiboot `cmdline`), e.g. "machine=3" (guest/kernel/bootargs.c). */
  cmdline?: string;
}

export interface WaitForOutputOptions {
  /** Which UART's text to search: 1 (COM2, the console; default) or 0 (COM1). */
  port?: SerialPortIndex;
  timeoutMs?: number;
  /** Transcript offset to search from; default: what arrived before the call is ignored. */
  from?: number;
}

export interface OutputMatch {
  match: RegExpExecArray;
  /** Transcript offset just after the match, to chain waits. */
  end: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const TEXT_COLUMNS = 80;
const TEXT_ROWS = 25;
const DEFAULT_TRANSCRIPT_LIMIT = 1024 * 1024;
const VGA_MEMORY_BYTES = 256 * 1024;

/**
 * XP10 running headless in v86 inside Node: multiboot straight into the kernel (no BIOS),
 * serial0 (COM1, the packet link) and serial1 (COM2, the console line) as Lines, the modem
 * status lines of COM2, and a transcript of each port's output for tests and tools.
 *
 * The machine starts running in the constructor. `destroy()` stops the emulator, closes
 * both lines and releases v86's memory; it is safe to call more than once.
 */
export class Xp10Machine implements Disposable {
  readonly serial0: Line;
  readonly serial1: Line;
  readonly memory: MemorySize;
  /** Resolves when v86 has loaded the image and is running. */
  readonly ready: Promise<void>;

  private readonly emulator: V86;
  private readonly lines: [V86SerialLine, V86SerialLine];
  private readonly transcripts: [TranscriptBuffer, TranscriptBuffer];
  private readonly waiters = new Set<() => void>();
  /** The VGA text screen as v86 reports it, one string of 80 characters per row. */
  private readonly screenRows: string[][] = Array.from({ length: TEXT_ROWS }, () => new Array<string>(TEXT_COLUMNS).fill(' '));
  private readonly onScreenChar = ([row, column, code]: [number, number, number]): void => {
    const line = this.screenRows[row];
    if (line && column < TEXT_COLUMNS) line[column] = String.fromCharCode(code);
  };
  private destroyed = false;
  private destroying: Promise<void> | undefined;
  private loopRuns = 0;

  constructor(options: Xp10MachineOptions = {}) {
    this.memory = planMemorySize(options.memoryBytes);
    const image = loadImage(options.image);
    this.emulator = new V86({
      wasm_path: options.wasmPath ?? defaultWasmPath(),
      multiboot: { buffer: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) as ArrayBuffer },
      memory_size: this.memory.effectiveBytes,
      ...(options.cmdline !== undefined ? { cmdline: options.cmdline } : {}),
      vga_memory_size: VGA_MEMORY_BYTES,
      uart1: true,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    });
    // v86 creates its main loop (emulator.v86) while loading, before it reports ready.
    this.ready = new Promise((resolveReady) =>
      this.emulator.add_listener('emulator-ready', () => {
        this.sleepWhenHalted();
        resolveReady();
      }),
    );
    this.lines = [new V86SerialLine(this.emulator, 0), new V86SerialLine(this.emulator, 1)];
    this.serial0 = this.lines[0];
    this.serial1 = this.lines[1];
    const limit = options.transcriptLimit ?? DEFAULT_TRANSCRIPT_LIMIT;
    this.transcripts = [new TranscriptBuffer(limit), new TranscriptBuffer(limit)];
    this.emulator.add_listener('screen-put-char', this.onScreenChar);
    for (const index of [0, 1] as const) {
      this.lines[index].onData((chunk) => {
        this.transcripts[index].append(chunk);
        for (const wake of [...this.waiters]) wake();
      });
    }
  }

  /** Data carrier detect on COM2: rising greets the caller, falling ends the session. */
  setCarrierDetect(on: boolean): void {
    if (!this.destroyed) this.emulator.serial_set_carrier_detect(1, on);
  }

  /** Ring indicator on COM2. */
  setRingIndicator(on: boolean): void {
    if (!this.destroyed) this.emulator.serial_set_ring_indicator(1, on);
  }

  /** Types text on the console line (COM2), as a terminal would. */
  typeText(text: string): void {
    this.serial1.write(new TextEncoder().encode(text));
  }

  /** Types on the PS/2 keyboard (the VGA console's input): printable ASCII, \n, \b, \x03 (Ctrl-C). */
  typeOnKeyboard(text: string): void {
    if (!this.destroyed) void this.emulator.keyboard_send_scancodes(textToScancodes(text));
  }

  /**
   * What the emulated CPU is doing: halted (`hlt`), whether it takes interrupts (EFLAGS.IF)
   * and instructions executed so far. Halted with interrupts off means stopped for good.
   * Reads v86 internals (`v86.cpu`), so fields are undefined if a v86 version lacks them.
   */
  cpuState(): { halted: boolean | undefined; interruptsEnabled: boolean | undefined; instructions: number } {
    const cpu = (this.emulator as unknown as { v86?: { cpu?: { in_hlt?: Uint8Array; flags?: Int32Array } } }).v86?.cpu;
    const flags = cpu?.flags?.[0];
    const hlt = cpu?.in_hlt?.[0];
    return {
      halted: hlt === undefined ? undefined : hlt !== 0,
      interruptsEnabled: flags === undefined ? undefined : (flags & EFLAGS_IF) !== 0,
      instructions: this.destroyed ? 0 : this.emulator.get_instruction_counter(),
    };
  }

  /**
   * How many times v86's main loop has been scheduled since the machine started. An idle
   * guest costs one or two per PIT tick (100 Hz); a guest at work, thousands per second.
   */
  get mainLoopRuns(): number {
    return this.loopRuns;
  }

  /** The VGA text screen, 25 rows, trailing spaces removed. */
  screenText(): string[] {
    return this.screenRows.map((row) => row.join('').trimEnd());
  }

  /** Everything a port has sent that is still kept, as Latin-1 text. */
  output(port: SerialPortIndex = 1): string {
    return this.transcripts[port].text;
  }

  /** A port's output from transcript offset `from` on (as far as it is still kept). */
  outputSince(from: number, port: SerialPortIndex = 1): string {
    return this.transcripts[port].since(from);
  }

  /** Transcript offset of the next character a port will send. */
  outputOffset(port: SerialPortIndex = 1): number {
    return this.transcripts[port].end;
  }

  /** Resolves when the port's output (from `from` on) matches; rejects with TIMEOUT. */
  waitForOutput(pattern: RegExp | string, options: WaitForOutputOptions = {}): Promise<OutputMatch> {
    const port = options.port ?? 1;
    const transcript = this.transcripts[port];
    const from = options.from ?? transcript.end;
    const regex = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<OutputMatch>((resolveMatch, reject) => {
      const check = (): boolean => {
        if (this.destroyed) {
          finish();
          reject(new Xp10MachineError('DESTROYED', 'the machine was destroyed while waiting for output'));
          return true;
        }
        const found = transcript.search(regex, from);
        if (!found) return false;
        finish();
        resolveMatch(found);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        const tail = JSON.stringify(transcript.text.slice(-300));
        reject(new Xp10MachineError('TIMEOUT', `no ${String(regex)} on serial${port} within ${timeoutMs} ms; last output: ${tail}`));
      }, timeoutMs);
      const wake = (): void => void check();
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      check();
    });
  }

  /** Pauses emulation (destroy() also does this). */
  async stop(): Promise<void> {
    if (!this.destroyed) await this.emulator.stop();
  }

  destroy(): Promise<void> {
    this.destroying ??= this.release();
    return this.destroying;
  }

  dispose(): void {
    void this.destroy();
  }

  /**
   * Wraps v86's scheduling of its own main loop (see HALTED_MIN_SLEEP_MS). Reads v86
   * internals; a v86 without them keeps its own behaviour.
   */
  private sleepWhenHalted(): void {
    const loop = (this.emulator as unknown as { v86?: V86MainLoop }).v86;
    if (!loop || typeof loop.yield !== 'function' || typeof loop.yield_callback !== 'function') return;
    const schedule = loop.yield.bind(loop);
    loop.yield = (delayMs: number, tick: number): void => {
      this.loopRuns++;
      const halted = loop.cpu?.in_hlt?.[0] === 1;
      if (halted && delayMs > 0) {
        setTimeout(() => loop.yield_callback(tick), Math.max(HALTED_MIN_SLEEP_MS, Math.ceil(delayMs)));
        return;
      }
      schedule(delayMs, tick);
    };
  }

  private async release(): Promise<void> {
    for (const line of this.lines) line.close();
    this.emulator.remove_listener('screen-put-char', this.onScreenChar);
    this.destroyed = true;
    for (const wake of [...this.waiters]) wake();
    await this.emulator.stop();
    await this.emulator.destroy();
  }
}

/** Output text with absolute offsets; old text is dropped past the limit. */
class TranscriptBuffer {
  private chunks = '';
  private dropped = 0;
  private readonly decoder = new TextDecoder('latin1');

  constructor(private readonly limit: number) {}

  get text(): string {
    return this.chunks;
  }

  get end(): number {
    return this.dropped + this.chunks.length;
  }

  append(bytes: Uint8Array): void {
    this.chunks += this.decoder.decode(bytes);
    const excess = this.chunks.length - this.limit;
    if (excess > 0) {
      this.chunks = this.chunks.slice(excess);
      this.dropped += excess;
    }
  }

  since(from: number): string {
    return this.chunks.slice(Math.max(0, from - this.dropped));
  }

  search(regex: RegExp, from: number): OutputMatch | undefined {
    const start = Math.max(0, from - this.dropped);
    const flags = regex.flags.includes('g') ? regex.flags : `${regex.flags}g`;
    const global = new RegExp(regex.source, flags);
    global.lastIndex = start;
    const match = global.exec(this.chunks);
    if (!match) return undefined;
    return { match, end: this.dropped + match.index + match[0].length };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function defaultWasmPath(): string {
  return fileURLToPath(new URL('v86.wasm', import.meta.resolve('v86')));
}

/** images/xp10.elf of the repository, from the sources or from dist/. */
export function defaultImagePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../images/xp10.elf'), resolve(here, '../../../images/xp10.elf')];
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function loadImage(image: Uint8Array | string | undefined): Uint8Array {
  let bytes: Uint8Array;
  if (image instanceof Uint8Array) {
    bytes = image;
  } else {
    const path = image ?? defaultImagePath();
    if (!existsSync(path)) {
      throw new Xp10MachineError('IMAGE_NOT_FOUND', `XP10 image not found at ${path}: run npm run build:guest`);
    }
    bytes = readFileSync(path);
  }
  if (bytes.length < ELF_MAGIC.length || ELF_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Xp10MachineError('IMAGE_INVALID', 'the XP10 image is not an ELF file');
  }
  return bytes;
}
