import { queueMicrotask as defer } from '../microtask.js';
import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import type { Line } from '../../protocol/Line.js';
import type { CallAttempt, CallCallbacks, CallDestination, CallFailure } from './CallDestination.js';
import { createCallPair } from './CallPair.js';
import { EscapeDetector } from './EscapeDetector.js';
import { connectSpeed, V90_SPEEDS, type CallSpeeds } from './LineProfileSpeeds.js';
import type { Clock } from '../../protocol/Clock.js';
import { ModemTimer } from './ModemTimer.js';
import { ModemPacer } from './ModemPacer.js';
import { parseCommandLine, type ModemCommand } from './parseCommandLine.js';
import { Phonebook } from './Phonebook.js';
import { formatResult, type ResultCodeName } from './ResultCode.js';
import { isSignalLine, type SignalLine } from './SignalLine.js';
import { defaultSRegisters, SReg } from './SRegisters.js';

export interface HayesModemOptions {
  /** The terminal side: what the modem reads commands and data from and answers to. */
  dte: Line;
  clock: Clock;
  name?: string;
  /** Numbers this modem can dial. */
  phonebook?: Phonebook;
  /** Line rates when this modem answers (the caller's CONNECT shows `down`); V.90 by default. */
  answerSpeeds?: CallSpeeds;
  /** Power-on settings: e.g. a guest-side modem is quiet, without echo and answers on the first ring. */
  echo?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  registers?: Readonly<Record<number, number>>;
  /** Ring cadence (US: 2 s on, 4 s off). */
  ringOnMs?: number;
  ringOffMs?: number;
  /** Lines of ATI output, indexed by the I value. */
  identity?: readonly string[];
}

export type ModemState = 'idle' | 'dialing' | 'ringing' | 'data' | 'online-command';

export interface ModemEvent {
  type: 'state' | 'result' | 'dial' | 'hangup' | 'signal';
  state: ModemState;
  detail?: string;
}

/** The longest command line accepted after AT; longer lines get ERROR. */
const MAX_COMMAND_LENGTH = 255;

const DEFAULT_IDENTITY = ['Konomi 56k', 'Konomi Corduroy-OS Hayes-compatible modem', 'V.90 56000/33600, V.34 33600', 'OK'];

interface Connection {
  line: Line;
  rxSpeed: number;
  subscriptions: Disposable[];
}

interface IncomingCall {
  from: string;
  callbacks: CallCallbacks;
}

/**
 * A Hayes-compatible modem between a DTE (a terminal, or the COM2 of a guest) and the
 * telephone network of CallDestinations. It is itself a CallDestination, so one modem dials
 * another: the answering modem rings its DTE (RING text and the ring-indicator signal),
 * answers after S0 rings or on ATA, raises carrier detect and passes data paced at the call's
 * line rate, queueing rather than dropping bytes the DTE cannot take yet.
 */
export class HayesModem implements CallDestination {
  readonly name: string;
  private readonly clock: Clock;
  private readonly dte: Line;
  private readonly signals: SignalLine | undefined;
  private readonly phonebook: Phonebook;
  private readonly answerSpeeds: CallSpeeds;
  private readonly options: HayesModemOptions;
  private registers = defaultSRegisters();
  private echo = true;
  private verbose = true;
  private quiet = false;
  private stateValue: ModemState = 'idle';
  private parse: 'idle' | 'gotA' | 'command' = 'idle';
  private commandBuffer = '';
  private lastCommand = '';
  private lastDialled: string | undefined;
  private connection: Connection | undefined;
  private attempt: CallAttempt | undefined;
  private incoming: IncomingCall | undefined;
  private pacer: ModemPacer | undefined;
  private readonly escape: EscapeDetector;
  private readonly dialTimer: ModemTimer;
  private readonly ringTimer: ModemTimer;
  private readonly listeners = new Emitter<ModemEvent>(propagateListenerError);
  private readonly dteSubscriptions: Disposable[];
  private carrier = false;

  constructor(options: HayesModemOptions) {
    this.options = options;
    this.name = options.name ?? 'modem';
    this.clock = options.clock;
    this.dte = options.dte;
    this.signals = isSignalLine(options.dte) ? options.dte : undefined;
    this.phonebook = options.phonebook ?? new Phonebook();
    this.answerSpeeds = options.answerSpeeds ?? V90_SPEEDS;
    this.escape = new EscapeDetector(
      this.clock,
      () => ({ escapeChar: this.registers[SReg.ESCAPE_CHAR]!, guardMs: this.registers[SReg.GUARD_TIME]! * 20 }),
      () => this.onEscape(),
    );
    this.dialTimer = new ModemTimer(this.clock);
    this.ringTimer = new ModemTimer(this.clock);
    this.applyPowerOnSettings();
    this.dteSubscriptions = [
      this.dte.onData((chunk) => this.onDteData(chunk)),
      this.dte.onClose(() => this.dispose()),
    ];
  }

  get state(): ModemState {
    return this.stateValue;
  }

  /** Carrier detect as the DTE sees it. */
  get carrierDetect(): boolean {
    return this.carrier;
  }

  register(n: number): number | undefined {
    return this.registers[n];
  }

  onEvent(listener: (event: ModemEvent) => void): Disposable {
    return this.listeners.add(listener);
  }

  /** CallDestination: another modem (or the bridge) dials this one. */
  call(from: string, callbacks: CallCallbacks): CallAttempt {
    if (this.stateValue !== 'idle') {
      defer(() => callbacks.failed('BUSY'));
      return { cancel: () => undefined };
    }
    const incoming: IncomingCall = { from, callbacks };
    this.incoming = incoming;
    this.registers[SReg.RING_COUNT] = 0;
    this.setState('ringing', from);
    this.ring();
    return {
      cancel: () => {
        if (this.incoming !== incoming) return;
        this.stopRinging();
        this.setState('idle', 'caller gave up');
      },
    };
  }

  /** Hangs up as ATH would, e.g. when the DTE's terminal goes away. */
  hangUp(): void {
    this.endCall(false);
  }

  /** Hangs up and detaches from the DTE. */
  dispose(): void {
    this.endCall(false);
    for (const sub of this.dteSubscriptions) sub.dispose();
  }

  // ---- DTE input -------------------------------------------------------------------------

  private onDteData(chunk: Uint8Array): void {
    if (this.stateValue === 'data') {
      this.escape.push(chunk);
      this.connection?.line.write(chunk);
      return;
    }
    if (this.stateValue === 'dialing') {
      // Any key aborts dialling, as on a real modem.
      this.abortDial('NO_CARRIER');
      return;
    }
    for (let i = 0; i < chunk.length; i++) this.onCommandByte(chunk[i]!);
  }

  private onCommandByte(byte: number): void {
    if (this.stateValue === 'data' || this.stateValue === 'dialing') return;
    const ch = String.fromCharCode(byte);
    const cr = this.registers[SReg.CR]!;
    const bs = this.registers[SReg.BACKSPACE]!;
    if (this.parse === 'command') {
      if (byte === cr) {
        this.echoText(ch);
        this.parse = 'idle';
        this.execute(this.commandBuffer);
        return;
      }
      if (byte === bs || byte === 0x7f) {
        if (this.commandBuffer.length > 0) {
          this.commandBuffer = this.commandBuffer.slice(0, -1);
          this.echoText('\b \b');
        }
        return;
      }
      if (byte < 0x20 || byte > 0x7e) return;
      this.echoText(ch);
      // Keep one character past the limit so an overlong line is detected, not truncated silently.
      if (this.commandBuffer.length <= MAX_COMMAND_LENGTH) this.commandBuffer += ch;
      return;
    }
    this.echoText(ch);
    if (this.parse === 'gotA') {
      if (ch === 'T' || ch === 't') {
        this.parse = 'command';
        this.commandBuffer = '';
        return;
      }
      if (ch === '/') {
        this.parse = 'idle';
        this.execute(this.lastCommand);
        return;
      }
    }
    this.parse = ch === 'A' || ch === 'a' ? 'gotA' : 'idle';
  }

  private echoText(text: string): void {
    if (this.echo) this.writeText(text);
  }

  // ---- Command execution -------------------------------------------------------------------

  private execute(body: string): void {
    this.lastCommand = body;
    if (body.length > MAX_COMMAND_LENGTH) return this.result('ERROR');
    const parsed = parseCommandLine(body);
    if (!parsed.ok) {
      this.emit('result', `ERROR (${parsed.error})`);
      return this.result('ERROR');
    }
    for (const command of parsed.commands) {
      const outcome = this.run(command);
      if (outcome === 'error') return this.result('ERROR');
      if (outcome === 'pending') return;
    }
    this.result('OK');
  }

  /** Runs one command; 'pending' means its result comes later (dial, answer, online). */
  private run(command: ModemCommand): 'ok' | 'error' | 'pending' {
    switch (command.kind) {
      case 'dial':
        return this.dial(command.target);
      case 'answer':
        return this.answer();
      case 'setRegister':
        this.registers[command.register] = command.value;
        return 'ok';
      case 'queryRegister': {
        const value = String(this.registers[command.register] ?? 0).padStart(3, '0');
        this.infoText(value);
        return 'ok';
      }
      case 'ampersand':
        if (command.letter === 'F') this.applyFactoryDefaults();
        if (command.letter === 'V') this.infoText(this.configurationText());
        return 'ok';
      case 'flag':
        return this.runFlag(command.letter, command.value);
    }
  }

  private runFlag(letter: string, value: number): 'ok' | 'error' | 'pending' {
    switch (letter) {
      case 'E':
        this.echo = value === 1;
        return 'ok';
      case 'V':
        this.verbose = value === 1;
        return 'ok';
      case 'Q':
        this.quiet = value === 1;
        return 'ok';
      case 'H':
        if (value === 0) this.endCall(false);
        return 'ok';
      case 'Z':
        this.endCall(false);
        this.applyPowerOnSettings();
        return 'ok';
      case 'O':
        return this.goOnline();
      case 'I': {
        const identity = this.options.identity ?? DEFAULT_IDENTITY;
        const text = identity[value];
        if (text === undefined) return 'error';
        this.infoText(text);
        return 'ok';
      }
      default:
        // X, L, M: accepted so that common init strings work; a software modem has no speaker.
        return 'ok';
    }
  }

  private dial(dialled: string): 'ok' | 'error' | 'pending' {
    if (this.stateValue === 'online-command' || this.stateValue === 'ringing') return 'error';
    // ATDL redials the last number.
    const target = dialled === 'l' ? this.lastDialled : dialled;
    if (target === undefined) return 'error';
    this.lastDialled = target;
    const entry = this.phonebook.lookup(target);
    this.emit('dial', target);
    this.setState('dialing', target);
    if (!entry) {
      defer(() => this.finishDial('NO_CARRIER'));
      return 'pending';
    }
    let settled = false;
    this.dialTimer.start(this.registers[SReg.CARRIER_WAIT]! * 1000, () => this.abortDial('NO_ANSWER'));
    this.attempt = entry.destination.call(this.name, {
      answered: (line, speed) => {
        if (settled || this.stateValue !== 'dialing') {
          line.close();
          return;
        }
        settled = true;
        this.dialTimer.stop();
        this.attempt = undefined;
        this.connect(line, speed);
      },
      failed: (reason) => {
        if (settled) return;
        settled = true;
        this.finishDial(reason);
      },
      ringing: () => {
        if (!settled && this.stateValue === 'dialing') this.showRingback();
      },
    });
    return 'pending';
  }

  private abortDial(reason: CallFailure): void {
    if (this.stateValue !== 'dialing') return;
    const attempt = this.attempt;
    this.attempt = undefined;
    attempt?.cancel();
    this.finishDial(reason);
  }

  private finishDial(reason: CallFailure): void {
    if (this.stateValue !== 'dialing') return;
    this.dialTimer.stop();
    this.attempt = undefined;
    this.setState('idle', reason);
    this.result(reason);
  }

  private answer(): 'error' | 'pending' {
    const incoming = this.incoming;
    if (!incoming) {
      if (this.stateValue === 'idle') {
        defer(() => this.result('NO_CARRIER'));
        return 'pending';
      }
      return 'error';
    }
    this.stopRinging();
    const [callerEnd, ourEnd] = createCallPair(`${incoming.from}->${this.name}`, `${this.name}<-${incoming.from}`);
    this.connect(ourEnd, this.answerSpeeds.up);
    incoming.callbacks.answered(callerEnd, this.answerSpeeds.down, this.answerSpeeds.up);
    return 'pending';
  }

  private goOnline(): 'error' | 'pending' {
    const connection = this.connection;
    if (!connection || this.stateValue !== 'online-command') {
      defer(() => this.result('NO_CARRIER'));
      return 'pending';
    }
    this.setState('data', 'online');
    this.result('CONNECT', connection.rxSpeed);
    this.escape.reset();
    this.pacer?.resume();
    return 'pending';
  }

  // ---- Ringing ----------------------------------------------------------------------------------

  private ring(): void {
    if (!this.incoming) return;
    this.registers[SReg.RING_COUNT] = Math.min(255, this.registers[SReg.RING_COUNT]! + 1);
    this.setRing(true);
    this.result('RING');
    this.incoming.callbacks.ringing?.();
    const autoAnswer = this.registers[SReg.AUTO_ANSWER_RINGS]!;
    if (autoAnswer > 0 && this.registers[SReg.RING_COUNT]! >= autoAnswer) {
      // Answer once the ring has been seen: RI stays up for a moment, as on the wire.
      this.ringTimer.start(Math.min(this.options.ringOnMs ?? 2000, 100), () => this.answer());
      return;
    }
    this.ringTimer.start(this.options.ringOnMs ?? 2000, () => {
      this.setRing(false);
      this.ringTimer.start(this.options.ringOffMs ?? 4000, () => this.ring());
    });
  }

  private stopRinging(): void {
    this.ringTimer.stop();
    this.setRing(false);
    this.incoming = undefined;
    this.registers[SReg.RING_COUNT] = 0;
  }

  // ---- Connected ------------------------------------------------------------------------------

  private connect(line: Line, rxSpeed: number): void {
    const pacer = new ModemPacer({
      clock: this.clock,
      bitsPerSecond: rxSpeed,
      sink: (chunk) => this.dte.write(chunk),
      onOverflow: () => this.endCall(true, 'receive queue overflow'),
    });
    this.pacer = pacer;
    const connection: Connection = { line, rxSpeed, subscriptions: [] };
    this.connection = connection;
    connection.subscriptions.push(
      line.onData((chunk) => pacer.push(chunk)),
      line.onClose(() => this.onRemoteHangUp(connection)),
    );
    this.setCarrier(true);
    this.setState('data', `connected ${connectSpeed(rxSpeed)}`);
    this.result('CONNECT', connectSpeed(rxSpeed));
    this.escape.reset();
  }

  private onRemoteHangUp(connection: Connection): void {
    if (this.connection !== connection) return;
    const pacer = this.pacer;
    // Deliver what already arrived before reporting the lost carrier, so no byte is lost.
    if (pacer && this.stateValue === 'data') pacer.whenDrained(() => this.connection === connection && this.endCall(true));
    else this.endCall(true);
  }

  /** Hangs up. `remote` means the far end went away, which the DTE learns as NO CARRIER. */
  private endCall(remote: boolean, why?: string): void {
    if (this.stateValue === 'dialing') {
      const attempt = this.attempt;
      this.attempt = undefined;
      attempt?.cancel();
      this.dialTimer.stop();
    }
    if (this.incoming) {
      const incoming = this.incoming;
      this.stopRinging();
      incoming.callbacks.failed('NO_ANSWER');
    }
    const connection = this.connection;
    this.connection = undefined;
    this.pacer?.clear();
    this.pacer = undefined;
    this.escape.stop();
    if (connection) {
      for (const sub of connection.subscriptions) sub.dispose();
      connection.line.close();
      this.setCarrier(false);
      this.emit('hangup', why ?? (remote ? 'remote hung up' : 'local hang-up'));
    }
    const wasConnected = connection !== undefined;
    if (this.stateValue !== 'idle') this.setState('idle', why ?? 'on hook');
    if (remote && wasConnected) this.result('NO_CARRIER');
  }

  private onEscape(): void {
    if (this.stateValue !== 'data') return;
    this.pacer?.pause();
    this.setState('online-command', 'escape');
    this.parse = 'idle';
    this.result('OK');
  }

  // ---- Output -------------------------------------------------------------------------------

  private result(code: ResultCodeName, speed?: number): void {
    this.emit('result', code === 'CONNECT' && speed !== undefined ? `CONNECT ${speed}` : code);
    if (this.quiet) return;
    this.writeText(formatResult(code, this.verbose, this.crText(), this.lfText(), speed));
  }

  /**
   * RINGING while the far end rings, as modems that report the ringback (X4) print it. It is no
   * result code: numeric and quiet modes show nothing.
   */
  private showRingback(): void {
    if (this.quiet || !this.verbose) return;
    const crlf = this.crText() + this.lfText();
    this.writeText(`${crlf}RINGING${crlf}`);
  }

  /** Information text (ATI, S?): framed like a verbose result, shown even in numeric mode. */
  private infoText(text: string): void {
    if (this.quiet) return;
    const crlf = this.crText() + this.lfText();
    this.writeText(`${crlf}${text}${crlf}`);
  }

  /** AT&V: the active settings and S-registers. */
  private configurationText(): string {
    const flags = `E${this.echo ? 1 : 0} Q${this.quiet ? 1 : 0} V${this.verbose ? 1 : 0}`;
    const regs: string[] = [];
    for (const n of [0, 1, 2, 3, 4, 5, 7, 12]) regs.push(`S${String(n).padStart(2, '0')}:${String(this.registers[n]).padStart(3, '0')}`);
    return `${flags}${this.crText()}${this.lfText()}${regs.join(' ')}`;
  }

  private crText(): string {
    return String.fromCharCode(this.registers[SReg.CR]!);
  }

  private lfText(): string {
    return String.fromCharCode(this.registers[SReg.LF]!);
  }

  private writeText(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    this.dte.write(bytes);
  }

  private setCarrier(on: boolean): void {
    if (this.carrier === on) return;
    this.carrier = on;
    this.signals?.setCarrierDetect(on);
    this.emit('signal', on ? 'DCD on' : 'DCD off');
  }

  private setRing(on: boolean): void {
    this.signals?.setRingIndicator(on);
    this.emit('signal', on ? 'RI on' : 'RI off');
  }

  private setState(state: ModemState, detail?: string): void {
    this.stateValue = state;
    this.emit('state', detail);
  }

  private emit(type: ModemEvent['type'], detail?: string): void {
    const event: ModemEvent = detail === undefined ? { type, state: this.stateValue } : { type, state: this.stateValue, detail };
    this.listeners.emit(event);
  }

  private applyFactoryDefaults(): void {
    this.registers = defaultSRegisters();
    this.echo = true;
    this.verbose = true;
    this.quiet = false;
  }

  private applyPowerOnSettings(): void {
    this.applyFactoryDefaults();
    this.echo = this.options.echo ?? true;
    this.verbose = this.options.verbose ?? true;
    this.quiet = this.options.quiet ?? false;
    for (const [reg, value] of Object.entries(this.options.registers ?? {})) this.registers[Number(reg)] = value;
  }
}
