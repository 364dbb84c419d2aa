import { isIP } from 'node:net';
import { isLoopbackAddress } from '../util/isLoopback.js';
import { formatDialTarget, parseDialTarget, type DialTarget } from './DialTarget.js';

/**
 * Which TCP services modem callers may dial out to. Safe by default: only the bridge's own
 * machine by loopback address (127.0.0.0/8, ::1, `localhost`). Anything else must be listed as
 * HOST:PORT by the operator (`--dial-allow`); the host is compared as written, so allowing
 * `bbs.example.org:23` allows that name, not whatever else resolves to the same address.
 * Everything is decided from the dialled text, before any DNS lookup or connection.
 */
export class DialPolicy {
  private readonly allowed = new Set<string>();

  constructor(allow: readonly string[] = []) {
    for (const item of allow) {
      const target = parseDialTarget(item);
      if (!target) throw new Error(`--dial-allow: "${item}" is not HOST:PORT`);
      this.allowed.add(formatDialTarget(target));
    }
  }

  /** The operator's list, as given (normalised). */
  get allowList(): string[] {
    return [...this.allowed];
  }

  /** Undefined when the target may be dialled, else the reason it may not (for the log). */
  refusal(target: DialTarget): string | undefined {
    if (this.allowed.has(formatDialTarget(target))) return undefined;
    const loopback = target.host === 'localhost' || (isIP(target.host) !== 0 && isLoopbackAddress(target.host));
    if (loopback) return undefined;
    return `${formatDialTarget(target)} is not loopback and not in --dial-allow`;
  }
}
