import { SerialPort } from 'serialport';
import { LineBase } from '../../lines/LineBase.js';
import { ReadTurnBudget } from './ReadTurnBudget.js';

export interface SerialPortLineOptions {
  baudRate?: number;
  /** Hardware flow control: the driver holds output while CTS is low and lowers RTS when full. */
  rtscts?: boolean;
}

/** A Line over a real (or pty) serial device through node-serialport. */
export class SerialPortLine extends LineBase {
  /**
   * Resolves once the device is really closed (its lock released), which is after `close()`
   * returns: a process that opens the same device again must wait for it.
   */
  readonly released: Promise<void>;

  private constructor(private readonly port: SerialPort, path: string) {
    super(`serial:${path}`);
    this.released = new Promise((resolve) => port.once('close', () => resolve()));
    const budget = new ReadTurnBudget(
      () => port.pause(),
      () => {
        if (port.isOpen) port.resume();
      },
    );
    port.on('data', (chunk: Buffer) => {
      this.emitData(chunk);
      budget.took(chunk.length);
    });
    port.on('error', (err: Error) => this.finish(err));
    port.on('close', () => this.finish());
  }

  /** Opens `path` (e.g. /dev/ttyUSB0 or a pty) raw, 8N1, at `baudRate` (default 115200). */
  static open(path: string, options: SerialPortLineOptions = {}): Promise<SerialPortLine> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: options.baudRate ?? 115200, rtscts: options.rtscts ?? false, autoOpen: false });
      port.open((err) => {
        if (err) reject(new Error(`${path}: ${err.message}`));
        else resolve(new SerialPortLine(port, path));
      });
    });
  }

  write(data: Uint8Array): void {
    if (!this.isOpen || !this.port.isOpen) return;
    this.port.write(Buffer.from(data));
  }

  close(): void {
    if (!this.isOpen) return;
    // Let queued bytes reach the device before the descriptor goes away.
    this.port.drain(() => {
      if (this.port.isOpen) this.port.close(() => undefined);
    });
    this.finish();
  }
}
