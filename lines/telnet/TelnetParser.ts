import { isNegotiationVerb, Telnet, type NegotiationVerb } from './TelnetCodes.js';

/** What the parser finds in a telnet byte stream. */
export interface TelnetParserSink {
  /** Plain data; `bytes` is only valid during the call (often a view of the pushed chunk). */
  data(bytes: Uint8Array): void;
  /** A two-byte command other than negotiation: NOP, IP, AYT, EC, EL, BRK, GA, DM, AO. */
  command(code: number): void;
  negotiate(verb: NegotiationVerb, option: number): void;
  /** `IAC SB option … IAC SE`, IAC IAC inside unescaped; bodies past the limit are dropped whole. */
  subnegotiation(option: number, body: Uint8Array): void;
}

/** Longest subnegotiation body kept (terminal type, window size need a few bytes). */
export const DEFAULT_MAX_SUBNEGOTIATION = 256;

type State = 'data' | 'iac' | 'verb' | 'sbOption' | 'sb' | 'sbIac';

/**
 * Push-style telnet stream parser (RFC 854): separates data from IAC commands, keeping its
 * state across chunks so a sequence may be split anywhere. Data runs are handed on as views of
 * the pushed chunk, without copying. Every length is bounded: a subnegotiation longer than
 * `maxSubnegotiation` is consumed and dropped, never buffered.
 */
export class TelnetParser {
  private state: State = 'data';
  private verb: NegotiationVerb = Telnet.WILL;
  private sbOption = 0;
  private readonly sbBody: Uint8Array;
  private sbLength = 0;
  private sbOverflow = false;

  constructor(
    private readonly sink: TelnetParserSink,
    maxSubnegotiation = DEFAULT_MAX_SUBNEGOTIATION,
  ) {
    this.sbBody = new Uint8Array(maxSubnegotiation);
  }

  push(chunk: Uint8Array): void {
    let runStart = this.state === 'data' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      switch (this.state) {
        case 'data':
          if (byte === Telnet.IAC) {
            if (runStart >= 0 && i > runStart) this.sink.data(chunk.subarray(runStart, i));
            runStart = -1;
            this.state = 'iac';
          } else if (runStart < 0) {
            runStart = i;
          }
          break;
        case 'iac':
          if (this.afterIac(byte, chunk, i)) runStart = i + 1;
          break;
        case 'verb':
          this.state = 'data';
          this.sink.negotiate(this.verb, byte);
          runStart = i + 1;
          break;
        case 'sbOption':
          this.sbOption = byte;
          this.sbLength = 0;
          this.sbOverflow = false;
          this.state = 'sb';
          break;
        case 'sb':
          if (byte === Telnet.IAC) this.state = 'sbIac';
          else this.keepSb(byte);
          break;
        case 'sbIac':
          if (byte === Telnet.IAC) {
            this.keepSb(byte);
            this.state = 'sb';
          } else if (byte === Telnet.SE) {
            this.state = 'data';
            runStart = i + 1;
            if (!this.sbOverflow) this.sink.subnegotiation(this.sbOption, this.sbBody.subarray(0, this.sbLength));
          } else {
            // A protocol error (RFC 854 allows only IAC IAC or IAC SE here): end the subnegotiation and take it as a command.
            if (this.afterIac(byte, chunk, i)) runStart = i + 1;
          }
          break;
      }
    }
    if (this.state === 'data' && runStart >= 0 && runStart < chunk.length) this.sink.data(chunk.subarray(runStart));
  }

  /** Handles the byte after IAC; true when the parser is back in data. */
  private afterIac(byte: number, chunk: Uint8Array, i: number): boolean {
    if (byte === Telnet.IAC) {
      this.state = 'data';
      // IAC IAC is one data byte 255: hand on the second one as a view.
      this.sink.data(chunk.subarray(i, i + 1));
      return true;
    }
    if (isNegotiationVerb(byte)) {
      this.verb = byte;
      this.state = 'verb';
      return false;
    }
    if (byte === Telnet.SB) {
      this.state = 'sbOption';
      return false;
    }
    this.state = 'data';
    this.sink.command(byte);
    return true;
  }

  private keepSb(byte: number): void {
    if (this.sbLength < this.sbBody.length) this.sbBody[this.sbLength++] = byte;
    else this.sbOverflow = true;
  }
}
