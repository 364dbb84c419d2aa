import { V86 } from 'v86';
import type { MemoryPlan } from './memoryPlan.js';
import { V86SerialLine } from '../../machine/V86SerialLine.js';
import { pciBusOf, withPciBarHolesFilled } from './restoreStateFix.js';

export interface BrowserXp10Options {
  /** URL of the v86 wasm; always passed explicitly so v86 never guesses a path relative to the script. */
  readonly wasmUrl: string;
  /** The XP10 kernel image, already fetched (so a failed download is reported by us, not retried forever). */
  readonly image: ArrayBuffer;
  readonly memory: MemoryPlan;
  /** The element holding v86's text-mode `<div>` and graphics `<canvas>`. */
  readonly screen: HTMLElement;
  /** How long to wait for v86 to become ready before giving up. */
  readonly readyTimeoutMs?: number;
  readonly initialState?: ArrayBuffer;
}

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
export class EmulatorError extends Error {
  constructor(readonly code: 'EMULATOR_START' | 'EMULATOR_STATE', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
  }
}

/**
 * XP10 running in v86 in this tab: multiboot straight into the kernel (no BIOS), COM1 = serial0
 * (the packet link to the bridge), COM2 = serial1 (the console the modem dials into), VGA text screen.
 */
export class BrowserXp10 {
  readonly serial0: V86SerialLine;
  readonly serial1: V86SerialLine;
  readonly startedAt = performance.now();
  private destroyed = false;

  private constructor(private readonly emulator: V86, readonly memory: MemoryPlan) {
    this.serial0 = new V86SerialLine(emulator, 0);
    this.serial1 = new V86SerialLine(emulator, 1);
  }

  static async boot(options: BrowserXp10Options): Promise<BrowserXp10> {
    let emulator: V86;
    try {
      emulator = new V86({
        wasm_path: options.wasmUrl,
        memory_size: options.memory.bytes,
        multiboot: { buffer: options.image },
        ...(options.initialState ? { initial_state: { buffer: options.initialState } } : {}),
        uart1: true,
        screen_container: options.screen,
        autostart: true,
        disable_mouse: true,
        disable_speaker: true,
      });
    } catch (err) {
      throw new EmulatorError('EMULATOR_START', `v86 could not be created: ${describe(err)}`, { cause: err });
    }
    const machine = new BrowserXp10(emulator, options.memory);
    try {
      await machine.waitReady(options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      await machine.destroy().catch(() => {});
      throw err;
    }
    return machine;
  }

  /** Monotonic count of guest instructions; MIPS is the delta over wall time. */
  instructionCounter(): number {
    return this.emulator.get_instruction_counter();
  }

  isRunning(): boolean {
    return !this.destroyed && this.emulator.is_running();
  }

  async saveState(): Promise<ArrayBuffer> {
    try {
      return await this.emulator.save_state();
    } catch (err) {
      throw new EmulatorError('EMULATOR_STATE', `saving the machine state failed: ${describe(err)}`, { cause: err });
    }
  }

  async restoreState(state: ArrayBuffer): Promise<void> {
    try {
      await withPciBarHolesFilled(pciBusOf(this.emulator), () => this.emulator.restore_state(state));
    } catch (err) {
      throw new EmulatorError('EMULATOR_STATE', `restoring the machine state failed: ${describe(err)}`, { cause: err });
    }
  }

  /** A PNG of the current screen (v86 renders text mode to a canvas for this). */
  screenshotDataUrl(): string {
    const image = this.emulator.screen_make_screenshot();
    if (image instanceof HTMLImageElement) return image.src;
    if (image instanceof HTMLCanvasElement) return image.toDataURL('image/png');
    throw new EmulatorError('EMULATOR_STATE', 'v86 returned no screenshot');
  }

  /** Focuses keyboard input on the VGA console (XP10's keyboard driver). */
  setKeyboardEnabled(enabled: boolean): void {
    this.emulator.keyboard_set_enabled(enabled);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.serial0.close();
    this.serial1.close();
    await this.emulator.destroy();
  }

  private waitReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new EmulatorError('EMULATOR_START', `v86 was not ready after ${timeoutMs} ms (wasm failed to load?)`));
      }, timeoutMs);
      this.emulator.add_listener('emulator-ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
