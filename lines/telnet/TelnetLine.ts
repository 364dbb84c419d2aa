import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { encodeUtf8 } from '../../protocol/utf8.js';
import { LineBase } from '../LineBase.js';
import { encodeTelnetData } from './encodeTelnetData.js';
import { Telnet, TelnetOption, telnetOptionName, type NegotiationVerb } from './TelnetCodes.js';
import { TelnetOptionTable, type OptionPolicy } from './TelnetOptionTable.js';
import { TelnetParser } from './TelnetParser.js';

const CR = 13;
const LF = 10;
const NUL = 0;

/**
 * `server`: we are the host a terminal connects to (the bridge's --telnet port). We offer to echo
 * and to suppress go-ahead, so a stock telnet client switches to character mode, and accept
 * BINARY in either direction when the client asks (file transfers).
 * `client`: we dialled out to a telnet service. We ask for nothing and let the service echo,
 * suppress go-ahead and go binary.
 */
export type TelnetRole = 'server' | 'client';

const POLICIES: Record<TelnetRole, OptionPolicy> = {
  server: {
    local: new Set([TelnetOption.ECHO, TelnetOption.SGA, TelnetOption.BINARY]),
    remote: new Set([TelnetOption.SGA, TelnetOption.BINARY]),
  },
  client: {
    local: new Set([TelnetOption.SGA, TelnetOption.BINARY]),
    remote: new Set([TelnetOption.ECHO, TelnetOption.SGA, TelnetOption.BINARY]),
  },
};

/** Commands a terminal may send that have a byte meaning on a console. */
const COMMAND_BYTES: Readonly<Record<number, number>> = {
  [Telnet.IP]: 0x03, // interrupt process: Ctrl-C
  [Telnet.EC]: 0x08, // erase character: backspace
  [Telnet.EL]: 0x15, // erase line: Ctrl-U
};

export interface TelnetLineOptions {
  role: TelnetRole;
  name?: string;
}

/**
 * The data of a telnet connection as a Line: IAC sequences removed from what is read and added
 * to what is written, options negotiated with the peer, NVT line ends folded (CR NUL and CR LF
 * read as CR unless the peer sends BINARY). A peer that never speaks telnet (netcat, socat)
 * sees only the server's opening offers (6 bytes) and, in data, each 255 doubled; its CRs are
 * not stuffed with NUL.
 */
export class TelnetLine extends LineBase {
  private readonly options: TelnetOptionTable;
  private readonly parser: TelnetParser;
  private readonly subscriptions: Disposable[];
  private afterCr = false;
  private spoken = false;
  /** A terminal's Enter arrives as CR LF or CR NUL and means CR; a service's CR LF is a newline to keep. */
  private readonly foldCrLf: boolean;

  constructor(
    private readonly transport: Line,
    options: TelnetLineOptions,
  ) {
    super(options.name ?? transport.name);
    this.foldCrLf = options.role === 'server';
    this.options = new TelnetOptionTable(POLICIES[options.role], (verb, option) => this.sendNegotiation(verb, option));
    this.parser = new TelnetParser({
      data: (bytes) => this.receiveData(bytes),
      command: (code) => this.receiveCommand(code),
      negotiate: (verb, option) => {
        this.spoken = true;
        this.options.receive(verb, option);
      },
      subnegotiation: () => {
        this.spoken = true;
      },
    });
    this.subscriptions = [transport.onData((chunk) => this.parser.push(chunk))];
    transport.onClose((reason) => {
      for (const sub of this.subscriptions) sub.dispose();
      this.finish(reason);
    });
    if (options.role === 'server') {
      this.options.offer(TelnetOption.ECHO);
      this.options.offer(TelnetOption.SGA);
    }
  }

  override get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** True once the peer sent any telnet command: a telnet client rather than a raw TCP one. */
  get peerSpeaksTelnet(): boolean {
    return this.spoken;
  }

  /** We send BINARY (no CR NUL stuffing). */
  get binaryOut(): boolean {
    return this.options.local(TelnetOption.BINARY);
  }

  /** The peer sends BINARY (no CR folding). */
  get binaryIn(): boolean {
    return this.options.remote(TelnetOption.BINARY);
  }

  /** Options in effect, e.g. `ECHO SGA / peer SGA`, for a log line. */
  describeOptions(): string {
    const { local, remote } = this.options.agreed();
    const names = (list: number[]): string => (list.length ? list.map(telnetOptionName).join(' ') : 'none');
    return `${names(local)} / peer ${names(remote)}`;
  }

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.transport.write(encodeTelnetData(data, this.rawOut()));
  }

  /**
   * No CR NUL stuffing in BINARY, nor for a peer that has never sent a telnet command: a raw TCP
   * client (netcat, socat) would only see stray NULs. A telnet client answers the opening offers
   * at once, before anyone types, so it is known as one before data flows.
   */
  private rawOut(): boolean {
    return this.binaryOut || !this.spoken;
  }

  close(): void {
    this.transport.close();
  }

  private sendNegotiation(verb: NegotiationVerb, option: number): void {
    this.transport.write(Uint8Array.of(Telnet.IAC, verb, option));
  }

  private receiveCommand(code: number): void {
    this.spoken = true;
    if (code === Telnet.AYT) {
      this.transport.write(encodeTelnetData(encodeUtf8('\r\n[Yes]\r\n'), this.rawOut()));
      return;
    }
    const byte = COMMAND_BYTES[code];
    if (byte !== undefined) this.emit(Uint8Array.of(byte));
  }

  /**
   * NVT input (RFC 854): CR NUL means CR; from a terminal (server role) CR LF, its Enter key,
   * means CR too, as telnetd reads it. A binary sender's bytes pass unchanged.
   */
  private receiveData(bytes: Uint8Array): void {
    if (this.binaryIn) {
      this.afterCr = false;
      this.emit(bytes);
      return;
    }
    let start = 0;
    if (this.afterCr && bytes.length > 0) {
      this.afterCr = false;
      if (this.dropsAfterCr(bytes[0]!)) start = 1;
    }
    let runStart = start;
    for (let i = start; i < bytes.length; i++) {
      if (bytes[i] !== CR) continue;
      const next = i + 1;
      if (next === bytes.length) {
        this.afterCr = true;
        break;
      }
      if (this.dropsAfterCr(bytes[next]!)) {
        this.emit(bytes.subarray(runStart, next));
        runStart = next + 1;
        i = next;
      }
    }
    if (runStart < bytes.length) this.emit(bytes.subarray(runStart));
  }

  private dropsAfterCr(byte: number): boolean {
    return byte === NUL || (byte === LF && this.foldCrLf);
  }

  private emit(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.emitData(bytes);
  }
}
