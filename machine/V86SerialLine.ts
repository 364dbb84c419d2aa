import type { Disposable } from '../protocol/Disposable.js';
import type { Line } from '../protocol/Line.js';
import { ByteBatcher } from '../lines/ByteBatcher.js';
import { Emitter } from '../protocol/Emitter.js';

export type SerialPortIndex = 0 | 1;

type SerialOutputEvent = 'serial0-output-byte' | 'serial1-output-byte';

/**
 * The part of v86's `V86` a serial line uses. v86's own typings describe a browser emulator (DOM
 * elements, canvases); naming only these methods keeps this room free of DOM types, and a real
 * `V86` (Node or page) is assignable to it.
 */
export interface V86SerialHost {
  add_listener(event: SerialOutputEvent, listener: (byte: number) => void): void;
  remove_listener(event: SerialOutputEvent, listener: (byte: number) => void): void;
  serial_send_bytes(serial: number, data: Uint8Array): void;
  serial_set_carrier_detect(serial: number, status: boolean): void;
  serial_set_ring_indicator(serial: number, status: boolean): void;
}

const INITIAL_BATCH_CAPACITY = 4096;

/**
 * One 16550 UART of an emulated XP10 as a Line, the same in Node (bridge/emulator) and in the page
 * (web/emulator). Input goes in through `serial_send_bytes` (binary-safe; `serial0_send` takes a
 * string and would mangle bytes ≥ 0x80). v86 emits one event per output byte; they are batched and
 * delivered as one chunk per microtask, so downstream parsers see a few large chunks.
 *
 * Not a LineBase: a UART has no "before the first listener" — bytes the guest sends while nobody
 * listens are gone, as on a real wire, instead of being kept for a late subscriber.
 */
export class V86SerialLine implements Line {
  readonly name: string;
  private open = true;
  private readonly dataListeners = new Emitter<Uint8Array>();
  private readonly closeListeners = new Emitter<Error | undefined>();
  private readonly batcher = new ByteBatcher((chunk) => this.dataListeners.emit(chunk), INITIAL_BATCH_CAPACITY);
  private readonly outputEvent: SerialOutputEvent;
  private readonly onByte = (byte: number): void => {
    if (!this.open) return;
    this.bytesOut++;
    this.batcher.push(byte);
  };
  /** Bytes sent into the guest / received from the guest, for the front-panel lights. */
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    private readonly emulator: V86SerialHost,
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
    this.bytesIn += data.length;
    this.emulator.serial_send_bytes(this.index, data);
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return this.closeListeners.add(listener);
  }

  /** Data carrier detect and ring indicator as the guest's 16550 modem status register sees them. */
  setCarrierDetect(on: boolean): void {
    if (this.open) this.emulator.serial_set_carrier_detect(this.index, on);
  }

  setRingIndicator(on: boolean): void {
    if (this.open) this.emulator.serial_set_ring_indicator(this.index, on);
  }

  close(reason?: Error): void {
    if (!this.open) return;
    this.batcher.flush();
    this.open = false;
    this.emulator.remove_listener(this.outputEvent, this.onByte);
    this.dataListeners.clear();
    this.closeListeners.emit(reason);
    this.closeListeners.clear();
  }
}
