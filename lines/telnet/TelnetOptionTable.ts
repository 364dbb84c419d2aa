import { Telnet, type NegotiationVerb } from './TelnetCodes.js';

/** One side of one option, as RFC 1143 keeps it (without the queue bit: we never re-ask while waiting). */
type OptionState = 'no' | 'yes' | 'wantYes' | 'wantNo';

export interface OptionPolicy {
  /** Options this side agrees to perform (answers DO with WILL). */
  readonly local: ReadonlySet<number>;
  /** Options this side lets the peer perform (answers WILL with DO). */
  readonly remote: ReadonlySet<number>;
}

/**
 * Option negotiation without loops (RFC 854's rules, RFC 1143's states): a request that would
 * not change an option's state gets no answer, an unsupported one is refused once, and an
 * answer to our own request is not answered again.
 */
export class TelnetOptionTable {
  private readonly us = new Map<number, OptionState>();
  private readonly him = new Map<number, OptionState>();

  constructor(
    private readonly policy: OptionPolicy,
    /** Sends `IAC verb option`. */
    private readonly send: (verb: NegotiationVerb, option: number) => void,
  ) {}

  /** True when this side performs `option` (e.g. we echo, we send binary). */
  local(option: number): boolean {
    return this.us.get(option) === 'yes';
  }

  /** True when the peer performs `option`. */
  remote(option: number): boolean {
    return this.him.get(option) === 'yes';
  }

  /** Offers to perform an option (IAC WILL). */
  offer(option: number): void {
    if ((this.us.get(option) ?? 'no') !== 'no') return;
    this.us.set(option, 'wantYes');
    this.send(Telnet.WILL, option);
  }

  /** Asks the peer to perform an option (IAC DO). */
  ask(option: number): void {
    if ((this.him.get(option) ?? 'no') !== 'no') return;
    this.him.set(option, 'wantYes');
    this.send(Telnet.DO, option);
  }

  /** Handles a received `IAC verb option`. */
  receive(verb: NegotiationVerb, option: number): void {
    if (verb === Telnet.DO || verb === Telnet.DONT) {
      this.step(this.us, option, verb === Telnet.DO, this.policy.local.has(option), Telnet.WILL, Telnet.WONT);
    } else {
      this.step(this.him, option, verb === Telnet.WILL, this.policy.remote.has(option), Telnet.DO, Telnet.DONT);
    }
  }

  /** Options in effect, for the connection's log line: `ECHO SGA` on our side, `peer: SGA`. */
  agreed(): { local: number[]; remote: number[] } {
    const on = (m: Map<number, OptionState>): number[] => [...m].filter(([, s]) => s === 'yes').map(([o]) => o).sort((a, b) => a - b);
    return { local: on(this.us), remote: on(this.him) };
  }

  private step(
    table: Map<number, OptionState>,
    option: number,
    enable: boolean,
    supported: boolean,
    yes: NegotiationVerb,
    no: NegotiationVerb,
  ): void {
    const state = table.get(option) ?? 'no';
    if (enable) {
      if (state === 'no') {
        if (supported) {
          table.set(option, 'yes');
          this.send(yes, option);
        } else {
          this.send(no, option);
        }
      } else if (state === 'wantYes') {
        table.set(option, 'yes');
      } else if (state === 'wantNo') {
        // The peer answered our "no" with "yes": RFC 1143 treats it as an error; settle on no.
        table.set(option, 'no');
      }
      return;
    }
    if (state === 'yes') {
      table.set(option, 'no');
      this.send(no, option);
    } else if (state !== 'no') {
      table.set(option, 'no');
    }
  }
}
