/** A TCP service a modem call can reach: `ATDT host:port`, or a phonebook entry's target. */
export interface DialTarget {
  /** A name or an IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*\.?$/i;

/**
 * `host:port`, `[v6]:port`: the form typed after ATDT (already lower-cased by the phonebook's
 * normalisation) and written in phonebook files. Undefined for anything else, so a plain number
 * or a name is never mistaken for a host.
 */
export function parseDialTarget(text: string): DialTarget | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/i.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1] ?? m[2]!;
  if (m[1] === undefined && !HOST_NAME.test(host)) return undefined;
  return { host: host.toLowerCase(), port };
}

export function formatDialTarget(target: DialTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
