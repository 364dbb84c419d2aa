import { hostname, networkInterfaces } from 'node:os';
import { isLoopbackAddress } from '../util/isLoopback.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** host, host:port or [v6]:port; nothing a URL parser could read as credentials or a path. */
const HOST_HEADER = /^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/;

/**
 * Which `Host` and `Origin` a WebSocket upgrade may carry. A page on another site must not open
 * a socket to the bridge with the user's browser (cross-site WebSocket hijacking), and a name
 * that merely resolves to the bridge's address must not reach it either (DNS rebinding): the
 * Host must be a name or address the server listens on, and an Origin, when present, must be
 * one of those too. Ports are not compared, so a front proxy on another port of the same host
 * (bridge/stack) still passes.
 */
export class HostPolicy {
  private readonly names = new Set<string>();

  /** `listenHost` is what the server was bound to; `extra` are names users reach it by (DNS names, proxies). */
  constructor(listenHost: string, extra: readonly string[] = []) {
    const host = normalize(listenHost);
    const wildcard = host === '' || host === '0.0.0.0' || host === '::';
    if (wildcard || isLoopbackAddress(host)) for (const n of LOOPBACK_NAMES) this.names.add(n);
    if (!wildcard) this.names.add(host);
    if (wildcard) {
      this.names.add(normalize(hostname()));
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) this.names.add(normalize(a.address));
    }
    for (const n of extra) this.names.add(normalize(n));
  }

  /** A `Host` header naming this server (missing: refused, browsers always send one). */
  allowsHost(header: string | undefined): boolean {
    const name = header === undefined || !HOST_HEADER.test(header) ? undefined : hostOf(`http://${header}`);
    return name !== undefined && this.names.has(name);
  }

  /** No Origin is a non-browser client; a browser's Origin must be this server's own. */
  allowsOrigin(header: string | undefined): boolean {
    if (header === undefined) return true;
    const name = /^https?:\/\//i.test(header) ? hostOf(header) : undefined;
    return name !== undefined && this.names.has(name);
  }
}

function hostOf(url: string): string | undefined {
  try {
    return normalize(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

function normalize(name: string): string {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n.startsWith('[') && n.endsWith(']') ? n.slice(1, -1) : n;
}
