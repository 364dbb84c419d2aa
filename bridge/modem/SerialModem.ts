import { HayesModem } from '../../lines/modem/HayesModem.js';
import { realClock } from '../../protocol/Clock.js';
import type { Phonebook } from '../../lines/modem/Phonebook.js';
import { SerialPortLine } from '../lines/SerialPortLine.js';
import type { Logger } from '../util/Logger.js';

export interface SerialModemOptions {
  /** `/dev/ttyUSB0` or `/dev/ttyUSB0@9600` (default 115200 baud). */
  device: string;
  phonebook: Phonebook;
  logger: Logger;
  /** Hardware flow control (RTS/CTS); on unless the device cannot do it. */
  rtscts?: boolean;
}

export interface SerialModem {
  readonly modem: HayesModem;
  readonly line: SerialPortLine;
  close(): Promise<void>;
}

/** `/dev/ttyX[@baud]` → path and rate. */
export function parseSerialDevice(device: string): { path: string; baudRate: number } {
  const m = /^(\/[^@]+)(?:@(\d+))?$/.exec(device);
  if (!m) throw new Error(`--modem-serial: "${device}" is not /dev/ttyX[@baud]`);
  const baudRate = m[2] ? Number(m[2]) : 115200;
  if (baudRate < 50 || baudRate > 4_000_000) throw new Error(`--modem-serial: baud rate ${baudRate} is out of range`);
  return { path: m[1]!, baudRate };
}

/**
 * `konomi start --modem-serial /dev/ttyX[@baud]`: the bridge's Hayes modem answers on a real
 * serial port, so a computer with a terminal program on the other end of the cable types AT
 * commands and dials XP10 or a host. RTS/CTS is handed to the kernel's driver (CRTSCTS): when the
 * terminal lowers RTS, the driver stops sending and our writes wait in node-serialport's queue
 * behind the modem's pacer — nothing is dropped.
 */
export async function openSerialModem(options: SerialModemOptions): Promise<SerialModem> {
  const { path, baudRate } = parseSerialDevice(options.device);
  const line = await SerialPortLine.open(path, { baudRate, rtscts: options.rtscts ?? true });
  const modem = new HayesModem({ dte: line, clock: realClock, phonebook: options.phonebook, name: `serial:${path}` });
  const dialled: string[] = [];
  modem.onEvent((event) => {
    if (event.type === 'dial' && event.detail) {
      dialled.push(event.detail);
      options.logger.info(`modem on ${path}: ATD ${event.detail}`);
    }
    if (event.type === 'hangup') options.logger.info(`modem on ${path}: hung up (${event.detail ?? ''})`);
  });
  line.onClose((reason) => options.logger.warn(`modem on ${path} closed${reason ? `: ${reason.message}` : ''}`));
  options.logger.info(`modem answering on ${path} at ${baudRate} baud, RTS/CTS ${options.rtscts ?? true ? 'on' : 'off'}`);
  return {
    modem,
    line,
    close: async () => {
      modem.dispose();
      line.close();
      await line.released;
    },
  };
}
