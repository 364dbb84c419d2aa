import type { Line } from '../../protocol/Line.js';
import type { CallAttempt, CallCallbacks, CallDestination } from '../../lines/modem/CallDestination.js';
import { V90_SPEEDS, type CallSpeeds } from '../../lines/modem/LineProfileSpeeds.js';
import { TelnetLine } from '../../lines/telnet/TelnetLine.js';
import { connectTcpLine } from '../lines/TcpLine.js';
import type { RateLimitedLog } from '../util/RateLimitedLog.js';
import { countBytes } from './countBytes.js';
import type { DialPolicy } from './DialPolicy.js';
import { formatDialTarget, type DialTarget } from './DialTarget.js';

/** `telnet`: negotiate as a telnet client and unescape IAC (BBSes); `raw`: bytes as they are. */
export type DialProtocol = 'telnet' | 'raw';

export interface DialOutOptions {
  policy: DialPolicy;
  /** One line per dial-out; a caller dialling in a loop is summarised, not logged line by line. */
  log: RateLimitedLog;
  /** Line rates of the call (the caller's CONNECT shows `down`); V.90 by default. */
  speeds?: CallSpeeds;
  /** How long a TCP connect may take before the caller gets NO CARRIER (default 10 s). */
  connectTimeoutMs?: number;
}

/**
 * A phonebook destination that is a TCP service: the bridge connects to HOST:PORT on the
 * caller's behalf, if the DialPolicy allows it, and the call's data is the connection's data
 * (through a telnet client when the protocol is telnet). A refused or failed connection answers
 * NO CARRIER; the reason goes to the bridge log, one line per dial-out.
 */
export class DialOutDestination implements CallDestination {
  constructor(
    readonly target: DialTarget,
    readonly protocol: DialProtocol,
    private readonly options: DialOutOptions,
  ) {}

  call(from: string, callbacks: CallCallbacks): CallAttempt {
    const where = `${formatDialTarget(this.target)} (${this.protocol})`;
    const refusal = this.options.policy.refusal(this.target);
    if (refusal) {
      this.options.log.warn('dial-out refused', `dial-out from ${from} to ${where} refused: ${refusal}`);
      queueMicrotask(() => callbacks.failed('NO_CARRIER'));
      return { cancel: () => undefined };
    }
    let cancelled = false;
    const speeds = this.options.speeds ?? V90_SPEEDS;
    connectTcpLine(this.target.host, this.target.port, { timeoutMs: this.options.connectTimeoutMs ?? 10_000 }).then(
      (tcp) => {
        if (cancelled) {
          tcp.close();
          return;
        }
        const line: Line = this.protocol === 'telnet' ? new TelnetLine(tcp, { role: 'client', name: `dial:${formatDialTarget(this.target)}` }) : tcp;
        const openedAt = Date.now();
        const { line: counted, counts } = countBytes(line);
        line.onClose(() => {
          const seconds = ((Date.now() - openedAt) / 1000).toFixed(1);
          this.options.log.info('dial-out ended', `dial-out from ${from} to ${where} ended after ${seconds} s: ${counts.written} B sent, ${counts.read} B received`);
        });
        callbacks.answered(counted, speeds.down, speeds.up);
      },
      (err: unknown) => {
        if (cancelled) return;
        this.options.log.warn('dial-out failed', `dial-out from ${from} to ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
        callbacks.failed('NO_CARRIER');
      },
    );
    return {
      cancel: () => {
        cancelled = true;
      },
    };
  }
}
