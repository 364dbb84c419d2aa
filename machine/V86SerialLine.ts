import type { V86 } from 'v86';
import type { Disposable } from '../protocol/Disposable.js';
import type { Line } from '../protocol/Line.js';
import { queueMicrotask } from '../lines/microtask.js';

export type SerialPortIndex = 0 | 1;

const INITIAL_BATCH_CAPACITY = 4096;

/**
 * One 16550 UART of an emulated XP10 as a Line. Input goes in through `serial_send_bytes`
 * (binary-safe, unlike `serial0_send`, which takes a string). v86 emits one event per
 * output byte; they are collected in a reusable buffer and delivered as one chunk per
 * microtask, so downstream parsers see a few large chunks.
 */
export class EmulatorSerialLine implements Line {
  readonly name: string;
  private open = true;
  private batch = new Uint8Array(INITIAL_BATCH_CAPACITY);
  private batchLength = 0;
  private flushScheduled = false;
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason?: Error) => void>();
  private readonly outputEvent: 'serial0-output-byte' | 'serial1-output-byte';
  private readonly onByte = (byte: number): void => this.collect(byte);

  constructor(
    private readonly emulator: V86,
    readonly index: SerialPortIndex,
  ) {
    this.name = `xp10:serial${index}`;
    this.outputEvent = index === 0 ? 'serial0-output-byte' : 'serial1-output-byte';
    emulator.add_listener(this.outputEvent, this.onByte);
  }

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Uint8Array): void {
    if (!this.open || data.length === 0) return;
    this.emulator.serial_send_bytes(this.index, data);
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    // Wrapped so the same function can be registered twice and disposed independently.
    const entry = (chunk: Uint8Array): void => listener(chunk);
    this.dataListeners.add(entry);
    return { dispose: () => this.dataListeners.delete(entry) };
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    const entry = (reason?: Error): void => listener(reason);
    this.closeListeners.add(entry);
    return { dispose: () => this.closeListeners.delete(entry) };
  }

  close(reason?: Error): void {
    if (!this.open) return;
    this.flush();
    this.open = false;
    this.emulator.remove_listener(this.outputEvent, this.onByte);
    const listeners = [...this.closeListeners];
    this.dataListeners.clear();
    this.closeListeners.clear();
    for (const listener of listeners) listener(reason);
  }

  private collect(byte: number): void {
    if (!this.open) return;
    if (this.batchLength === this.batch.length) {
      const bigger = new Uint8Array(this.batch.length * 2);
      bigger.set(this.batch);
      this.batch = bigger;
    }
    this.batch[this.batchLength++] = byte;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batchLength === 0) return;
    // One copy per batch: listeners may keep the chunk, and the buffer is reused.
    const chunk = this.batch.slice(0, this.batchLength);
    this.batchLength = 0;
    for (const listener of [...this.dataListeners]) listener(chunk);
  }
}
