import type { Line } from '../../protocol/Line.js';
import { HayesModem } from '../../lines/modem/HayesModem.js';
import { speedsForProfile, V90_SPEEDS } from '../../lines/modem/LineProfileSpeeds.js';
import { realClock } from '../../protocol/Clock.js';
import type { SignalLine } from '../../lines/modem/SignalLine.js';
import { Xp10Machine } from '../emulator/Xp10Machine.js';
import type { BridgeServer } from './BridgeServer.js';
import { xp10Listing } from '../../machine/phonebook.js';
import { silentLogger, type Logger } from '../util/Logger.js';

const MIB = 1024 * 1024;

export interface GuestOptions {
  memoryMb: number;
  /** Line profile of dial-in calls to the console (v90 by default). */
  profile?: string;
  logger?: Logger;
  image?: string;
  /** Which machine of a cube of XP10s (1..9, default 1): its phone number and the vertex it hosts. */
  machine?: number;
}

export interface AttachedGuest {
  readonly machine: Xp10Machine;
  readonly modem: HayesModem;
  stop(): Promise<void>;
}

/**
 * Boots XP10 next to the bridge: COM1 becomes a dispatcher line (the guest's HELLO announces
 * its vertices), COM2 sits behind an auto-answering modem listed as ATDT 1 / "xp10", so a
 * caller rings the guest (RI), gets CONNECT and raises its carrier detect.
 */
export async function attachGuest(server: BridgeServer, options: GuestOptions): Promise<AttachedGuest> {
  const logger = options.logger ?? silentLogger;
  const index = options.machine ?? 1;
  const listing = xp10Listing(index);
  const machine = new Xp10Machine({
    memoryBytes: options.memoryMb * MIB,
    cmdline: `machine=${index}`,
    ...(options.image ? { image: options.image } : {}),
  });
  await machine.ready;
  logger.info(`XP10 machine ${index} running with ${Math.round(machine.memory.effectiveBytes / MIB)} MiB, ATDT ${listing.number}`);
  const session = server.attach(machine.serial0, 'v86');
  void server.dispatcher.greet(session).catch((err: unknown) => logger.warn(`XP10 HELLO: ${err instanceof Error ? err.message : String(err)}`));
  const modem = new HayesModem({
    dte: consoleLine(machine),
    clock: realClock,
    name: listing.names[0] ?? 'xp10',
    echo: false,
    quiet: true,
    registers: { 0: 1 },
    answerSpeeds: speedsForProfile(options.profile ?? 'v90') ?? V90_SPEEDS,
  });
  const unlist = server.addPhoneNumber(listing.number, listing.names, modem, `XP10 machine ${index} console (COM2)`);
  return {
    machine,
    modem,
    stop: async () => {
      unlist();
      modem.dispose();
      await machine.destroy();
    },
  };
}

/** XP10 headless on its own, console raised as if a terminal were attached (`konomi boot`). */
export async function bootHeadless(options: GuestOptions): Promise<{ console: Line; stop(): Promise<void> }> {
  const machine = new Xp10Machine({ memoryBytes: options.memoryMb * MIB, ...(options.image ? { image: options.image } : {}) });
  await machine.ready;
  machine.setCarrierDetect(true);
  return { console: machine.serial1, stop: () => machine.destroy() };
}

/** COM2 as the modem sees it: bytes plus the DCD and RI inputs of the guest's UART. */
function consoleLine(machine: Xp10Machine): SignalLine {
  const line = machine.serial1;
  return {
    name: line.name,
    get isOpen() {
      return line.isOpen;
    },
    write: (data) => line.write(data),
    onData: (listener) => line.onData(listener),
    onClose: (listener) => line.onClose(listener),
    close: () => line.close(),
    setCarrierDetect: (on) => machine.setCarrierDetect(on),
    setRingIndicator: (on) => machine.setRingIndicator(on),
  };
}
