import { realClock, type Clock } from '../../protocol/Clock.js';
import type { Disposable } from '../../protocol/Disposable.js';
import {
  HayesModem, Phonebook, SReg, speedsForProfile,
  type CallAttempt, type CallCallbacks, type CallDestination, type ModemEvent, type SignalLine,
} from '../../lines/modem/index.js';
import { XP10_NAMES, XP10_NUMBER } from '../../machine/phonebook.js';
import type { ModemLights } from '../view/ModemLights.js';
import { ResultStyle } from './ResultStyle.js';
import { TerminalLine, type TerminalIo } from './TerminalLine.js';

export type ProfileName = 'v90' | 'v34' | 'unlimited';


/** Connections at or above this rate light HS, as on a real front panel. */
const HIGH_SPEED = 14_400;

/** Byte counts of the call path, to check the pacing from outside (tests, the devtools console). */
export interface DialUpCounters {
  /** Bytes XP10 wrote to COM2 (into the answering modem). */
  fromGuest: number;
  /** Bytes the person's modem wrote to the terminal (results and paced call data). */
  toTerminal: number;
}

export interface DialUpOptions {
  readonly terminal: TerminalIo;
  readonly lights: Pick<ModemLights, 'set' | 'flash'>;
  readonly clock?: Clock;
  /**
   * Where a number the page does not list leads (`ATDT host:port`, the bridge's phonebook names):
   * the bridge's `/dial`, which places the call under its dial policy. None: NO CARRIER.
   */
  readonly remote?: (dialString: string) => CallDestination;
}

/**
 * The person's modem in the browser and the telephone line to XP10: the xterm is the DTE of a
 * Hayes modem whose phonebook number 1 calls a second, auto-answering modem on XP10's COM2. That
 * one rings the guest (RI), answers on the first ring, raises carrier detect, and paces data at
 * the line profile's rates. The guest side is swapped on reboot and on a profile change.
 */
export class DialUp implements Disposable {
  readonly modem: HayesModem;
  private guest: { modem: HayesModem; line: SignalLine } | undefined;
  private profile: ProfileName = 'v90';
  private pendingProfile: ProfileName | undefined;
  private readonly clock: Clock;
  private readonly subscriptions: Disposable[] = [];
  private rxSpeed = 0;
  private noCarrierShown = false;
  private readonly style = new ResultStyle();
  private guestCounter: Disposable | undefined;
  readonly counters: DialUpCounters = { fromGuest: 0, toTerminal: 0 };

  constructor(private readonly options: DialUpOptions) {
    this.clock = options.clock ?? realClock;
    const { lights } = options;
    const dte = new TerminalLine(this.observed(options.terminal), (direction) => lights.flash(direction === 'toModem' ? 'SD' : 'RD'));
    const console: CallDestination = { call: (from, callbacks) => this.callGuest(from, callbacks) };
    const phonebook = new Phonebook([
      { number: XP10_NUMBER, names: [...XP10_NAMES], destination: console, description: "XP10's console (COM2)" },
    ]);
    const remote = options.remote;
    if (remote) phonebook.resolveUnlisted((dialString) => ({ number: dialString, destination: remote(dialString) }));
    this.modem = new HayesModem({ dte, clock: this.clock, name: 'web', phonebook });
    this.subscriptions.push(this.modem.onEvent((event) => this.onModemEvent(event)));
    lights.set('MR', true);
    lights.set('TR', true);
    this.updateLights();
    options.terminal.writeText(
      'Konomi 56k V.90 modem · Hayes compatible\r\n' +
      `Phonebook: ${XP10_NUMBER} (${XP10_NAMES.join(', ')}) → XP10 console on COM2\r\n` +
      'Type ATDT 1 to dial; +++ then ATH to hang up.\r\n' +
      (remote ? 'Other numbers and ATDT host:port dial out through the bridge.\r\n' : ''),
    );
  }

  /** XP10 booted: its COM2 becomes the line number 1 rings. A call to an older guest is dropped. */
  attachGuest(line: SignalLine): void {
    this.detachGuest();
    this.guest = { modem: this.createGuestModem(line), line };
    this.guestCounter = line.onData((chunk) => { this.counters.fromGuest += chunk.length; });
  }

  detachGuest(): void {
    const guest = this.guest;
    this.guest = undefined;
    this.guestCounter?.dispose();
    this.guestCounter = undefined;
    guest?.modem.dispose();
  }

  /** Takes effect at once when no call is up, otherwise after the current call. */
  setProfile(profile: ProfileName): void {
    if (this.guest && this.guest.modem.state !== 'idle') {
      this.pendingProfile = profile;
      return;
    }
    this.profile = profile;
    if (this.guest) this.attachGuest(this.guest.line);
  }

  dispose(): void {
    this.detachGuest();
    this.modem.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private createGuestModem(line: SignalLine): HayesModem {
    const speeds = speedsForProfile(this.profile);
    const modem = new HayesModem({
      dte: line,
      clock: this.clock,
      name: 'xp10-com2',
      // The guest's console is not a terminal typing AT commands: no echo, no result codes.
      echo: false,
      quiet: true,
      registers: { [SReg.AUTO_ANSWER_RINGS]: 1 },
      ...(speeds ? { answerSpeeds: speeds } : {}),
    });
    // The guest's modem is quiet, but each ring still reaches the caller's modem, which prints RINGING.
    return modem;
  }

  /** The terminal as the modem sees it, with the modem's output counted and watched for its result style. */
  private observed(terminal: TerminalIo): TerminalIo {
    return {
      write: (bytes) => {
        this.counters.toTerminal += bytes.length;
        this.style.modemWrote(bytes);
        terminal.write(bytes);
      },
      writeText: (text) => terminal.writeText(text),
      onInput: (listener) => terminal.onInput(listener),
    };
  }

  private lineEnds(): { cr: string; lf: string } {
    return {
      cr: String.fromCharCode(this.modem.register(SReg.CR) ?? 13),
      lf: String.fromCharCode(this.modem.register(SReg.LF) ?? 10),
    };
  }

  private callGuest(from: string, callbacks: CallCallbacks): CallAttempt {
    if (!this.guest) {
      // XP10 is not running: the line rings out.
      const timer = this.clock.setTimeout(() => callbacks.failed('NO_ANSWER'), 3_000);
      return { cancel: () => this.clock.clearTimeout(timer) };
    }
    return this.guest.modem.call(from, callbacks);
  }

  private onModemEvent(event: ModemEvent): void {
    if (event.type === 'result') this.style.resultAnnounced();
    if (event.type === 'result' && event.detail === 'NO_CARRIER') this.noCarrierShown = true;
    if (event.type === 'hangup') this.reportCarrierLoss();
    const connect = event.type === 'result' ? /^CONNECT (\d+)/.exec(event.detail ?? '') : null;
    if (connect?.[1]) this.rxSpeed = Number(connect[1]);
    if (event.type === 'hangup' || (event.type === 'state' && event.state === 'idle')) {
      this.rxSpeed = 0;
      if (this.pendingProfile) {
        const next = this.pendingProfile;
        this.pendingProfile = undefined;
        // After the call has fully ended on both modems.
        this.clock.setTimeout(() => this.setProfile(next), 0);
      }
    }
    this.updateLights();
  }

  /**
   * The Hayes modem answers a local ATH with OK and tells only the far side NO CARRIER (docs/MODEM.md);
   * the far side here is XP10's quiet modem, so the person would never see the call end. The page
   * shows the carrier loss on the terminal, once per call, unless the modem already reported it,
   * in the modem's current result style (ATV0: `3`, ATQ1: nothing).
   */
  private reportCarrierLoss(): void {
    this.noCarrierShown = false;
    this.clock.setTimeout(() => {
      if (this.noCarrierShown) return;
      const { cr, lf } = this.lineEnds();
      const text = this.style.format('NO_CARRIER', cr, lf);
      if (text) this.options.terminal.writeText(text);
    }, 0);
  }

  private updateLights(): void {
    const { lights } = this.options;
    const state = this.modem.state;
    lights.set('OH', state === 'dialing' || state === 'data' || state === 'online-command');
    lights.set('CD', this.modem.carrierDetect);
    lights.set('HS', this.modem.carrierDetect && this.rxSpeed >= HIGH_SPEED);
    lights.set('AA', (this.modem.register(SReg.AUTO_ANSWER_RINGS) ?? 0) > 0);
  }
}
