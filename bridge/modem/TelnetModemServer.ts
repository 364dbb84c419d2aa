import type { AddressInfo } from 'node:net';
import type { Line } from '../../protocol/Line.js';
import { HayesModem } from '../../lines/modem/HayesModem.js';
import { realClock, type Clock } from '../../protocol/Clock.js';
import type { Phonebook } from '../../lines/modem/Phonebook.js';
import { TelnetLine } from '../../lines/telnet/TelnetLine.js';
import { sameToken } from '../http/requestAuth.js';
import type { TcpLine } from '../lines/TcpLine.js';
import { TcpLineServer } from '../lines/TcpLineServer.js';
import { isLoopbackAddress } from '../util/isLoopback.js';
import type { RateLimitedLog } from '../util/RateLimitedLog.js';
import { countBytes } from './countBytes.js';

export interface TelnetModemServerOptions {
  phonebook: Phonebook;
  /** One line per connection, summarised under a flood of connections. */
  log: RateLimitedLog;
  /** Callers from other hosts must type it first (the bridge's token rules); loopback callers need none. */
  token?: string;
  clock?: Clock;
  /** Connections past this are refused at once (default 64, like the packet port). */
  maxConnections?: number;
  /** How long a remote caller has to type the token (default 60 s). */
  tokenTimeoutMs?: number;
}

const BANNER = '\r\nKonomi 56k modem, Hayes compatible. ATDT 1 dials XP10; +++ then ATH hangs up.\r\n';
const MAX_TOKEN_LENGTH = 256;
const CR = 13;

/**
 * `konomi start --telnet PORT`: every TCP connection is a caller with its own Hayes modem in
 * command mode, as tcpser gives a terminal program. The connection speaks telnet (the server
 * offers ECHO and SUPPRESS-GO-AHEAD so a stock telnet client goes to character mode); raw TCP
 * clients work too. Closing the connection hangs up, so the far end loses carrier.
 */
export class TelnetModemServer {
  private readonly tcp: TcpLineServer;
  private readonly modems = new Set<HayesModem>();

  constructor(private readonly options: TelnetModemServerOptions) {
    this.tcp = new TcpLineServer({ maxConnections: options.maxConnections ?? 64 });
    this.tcp.onConnection((line) => this.accept(line));
  }

  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.tcp.listen(port, host);
  }

  get address(): AddressInfo | undefined {
    return this.tcp.address;
  }

  get connectionCount(): number {
    return this.tcp.connectionCount;
  }

  async close(): Promise<void> {
    for (const modem of this.modems) modem.dispose();
    await this.tcp.close();
  }

  private accept(tcp: TcpLine): void {
    const openedAt = Date.now();
    const telnet = new TelnetLine(tcp, { role: 'server', name: `telnet:${tcp.remoteAddress}:${tcp.remotePort}` });
    const { line, counts } = countBytes(telnet);
    const dialled: string[] = [];
    let outcome = '';
    telnet.onClose(() => {
      const seconds = ((Date.now() - openedAt) / 1000).toFixed(1);
      const client = telnet.peerSpeaksTelnet ? `telnet client (${telnet.describeOptions()})` : 'raw TCP client';
      this.options.log.info(
        'telnet connection',
        `${telnet.name}: ${outcome || `${seconds} s`}, ${client}, dialled ${dialled.join(' ') || 'nothing'}, ${counts.read} B in, ${counts.written} B out`,
      );
    });
    const start = (): void => {
      line.write(new TextEncoder().encode(BANNER));
      const modem = new HayesModem({ dte: line, clock: this.options.clock ?? realClock, phonebook: this.options.phonebook, name: telnet.name });
      this.modems.add(modem);
      modem.onEvent((event) => {
        // Bounded: what a caller typed must not make the log line long.
        if (event.type === 'dial' && event.detail && dialled.length < 16) dialled.push(event.detail.slice(0, 64));
      });
      line.onClose(() => this.modems.delete(modem));
    };
    if (isLoopbackAddress(tcp.remoteAddress)) return start();
    void this.askToken(line).then((ok) => {
      if (ok) return start();
      outcome = 'refused: wrong or no token';
      line.write(new TextEncoder().encode('\r\nUNAUTHORIZED\r\n'));
      line.close();
    });
  }

  /**
   * A caller from another host types the bridge token first (no echo: the server has offered
   * ECHO and does not echo it). Without a configured token nobody remote gets in.
   */
  private askToken(line: Line): Promise<boolean> {
    return new Promise((resolve) => {
      line.write(new TextEncoder().encode('Token: '));
      const typed: number[] = [];
      const finish = (ok: boolean): void => {
        sub.dispose();
        closeSub.dispose();
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), this.options.tokenTimeoutMs ?? 60_000);
      const closeSub = line.onClose(() => finish(false));
      const sub = line.onData((chunk) => {
        for (const byte of chunk) {
          if (byte === CR || byte === 10) {
            return finish(sameToken(Buffer.from(typed).toString('utf8'), this.options.token));
          }
          if (typed.length >= MAX_TOKEN_LENGTH) return finish(false);
          typed.push(byte);
        }
      });
    });
  }
}
