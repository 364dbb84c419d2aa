import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress } from '../util/isLoopback.js';

/** The token a request presents: `Authorization: Bearer T` first, else `?token=T`. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('token') ?? undefined;
}

/** Constant-time, so the token cannot be guessed byte by byte from response times. */
export function sameToken(presented: string | undefined, expected: string | undefined): boolean {
  if (presented === undefined || expected === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Loopback peers are trusted; anyone else must present the bridge token. */
export function requestAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) || sameToken(presentedToken(req), token);
}
