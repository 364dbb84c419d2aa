import type { V86 } from 'v86';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { ByteBatcher } from '../../lines/ByteBatcher.js';
import { Listeners } from '../../lines/Emitter.js';

export type SerialIndex = 0 | 1;

/**
 * One UART of the in-browser XP10 as a Line. Input goes through `serial_send_bytes` (binary-safe;
 * `serial0_send` takes a string and would mangle bytes ≥ 0x80). Output bytes are batched per microtask.
 */
export class V86SerialLine implements Line {
  readonly name: string;
  private open = true;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | undefined>();
  private readonly batcher = new ByteBatcher((chunk) => this.dataListeners.emit(chunk));
  private readonly onByte = (byte: number): void => {
    this.bytesOut++;
    this.batcher.push(byte);
  };
  /** Bytes sent into the guest / received from the guest, for the front-panel lights. */
  bytesIn = 0;
  bytesOut = 0;

  constructor(private readonly emulator: V86, private readonly index: SerialIndex) {
    this.name = `v86:serial${index}`;
    this.listen(true);
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
    this.open = false;
    this.listen(false);
    this.batcher.flush();
    this.closeListeners.emit(reason);
    this.dataListeners.clear();
    this.closeListeners.clear();
  }

  private listen(on: boolean): void {
    const event = this.index === 0 ? 'serial0-output-byte' : 'serial1-output-byte';
    if (on) this.emulator.add_listener(event, this.onByte);
    else this.emulator.remove_listener(event, this.onByte);
  }
}
