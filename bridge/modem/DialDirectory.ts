import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CallAttempt, CallCallbacks, CallDestination } from '../../lines/modem/CallDestination.js';
import { normaliseDialString } from '../../lines/modem/parseCommandLine.js';
import type { Phonebook, PhonebookEntry } from '../../lines/modem/Phonebook.js';
import { badField } from '../http/HttpError.js';
import { DialOutDestination, type DialOutOptions, type DialProtocol } from './DialOutDestination.js';
import { formatDialTarget, parseDialTarget } from './DialTarget.js';

/** At most this many entries an operator or a PUT may list. */
export const MAX_PHONEBOOK_ENTRIES = 256;
const MAX_NAMES = 8;
const MAX_NAME_LENGTH = 32;
const MAX_DESCRIPTION = 200;

/** A phonebook entry as the file, GET and PUT /phonebook write it. */
export interface PhonebookRecord {
  number: string;
  names?: string[];
  /** `HOST:PORT` (dial-out) or the name of one of the bridge's own entries (`xp10`, `packet`). */
  target: string;
  /** For HOST:PORT targets: `telnet` (default) or `raw`. */
  protocol?: DialProtocol;
  description?: string;
}

/**
 * The operator's phonebook: entries from `--phonebook FILE` and `PUT /phonebook`, laid over the
 * bridge's own numbers (1 = XP10, 5600 = packet port) in the shared Phonebook every caller's
 * modem dials through. It also resolves `ATDT host:port` for numbers nobody listed. Every
 * HOST:PORT, listed or typed, goes through the same DialPolicy; a PUT cannot list a host the
 * operator did not allow. With a file, a PUT rewrites it (atomically), so entries survive a restart.
 */
export class DialDirectory {
  private records: PhonebookRecord[] = [];
  private entries: PhonebookEntry[] = [];

  /**
   * `machines`: the bridge's own entries an operator's entry may point at (`xp10`, `packet`), with
   * every number and name each one has or will have once attached (XP10 attaches after start).
   */
  constructor(
    private readonly phonebook: Phonebook,
    private readonly dialOut: DialOutOptions,
    private readonly machines: ReadonlyArray<{ name: string; keys: readonly string[] }>,
    private readonly file?: string,
  ) {
    phonebook.resolveUnlisted((dialString) => {
      const target = parseDialTarget(dialString);
      if (!target) return undefined;
      return { number: formatDialTarget(target), destination: new DialOutDestination(target, 'telnet', dialOut) };
    });
  }

  /** Reads the file given to the constructor (a missing file is an empty phonebook). */
  load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${this.file}: not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      this.replace(json, false);
    } catch (err) {
      throw new Error(`${this.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** GET /phonebook: the bridge's own entries, then the operator's, and the dial-out rule. */
  list(): { entries: Array<PhonebookRecord & { builtIn: boolean }>; dialOut: { loopback: true; allow: string[] } } {
    const own = this.phonebook.entries.filter((e) => !this.entries.includes(e));
    return {
      entries: [
        ...own.map((e) => ({
          number: e.number,
          names: [...(e.names ?? [])],
          target: e.names?.[0] ?? e.number,
          ...(e.description ? { description: e.description } : {}),
          builtIn: true,
        })),
        ...this.records.map((r) => ({ ...r, builtIn: false })),
      ],
      dialOut: { loopback: true, allow: this.dialOut.policy.allowList },
    };
  }

  /**
   * PUT /phonebook: `{ entries: [...] }` (or a bare array) replaces the operator's entries, all
   * or nothing. Bad input throws a 400 naming the field (`entries[2].target: …`).
   */
  replace(body: unknown, persist = true): void {
    const list = Array.isArray(body) ? body : isObject(body) ? body.entries : undefined;
    if (!Array.isArray(list)) throw badField('entries', 'must be an array of { number, names?, target, protocol?, description? }');
    if (list.length > MAX_PHONEBOOK_ENTRIES) throw badField('entries', `holds at most ${MAX_PHONEBOOK_ENTRIES} entries`);
    const records = list.map((item, i) => this.validate(item, `entries[${i}]`));
    const taken = new Map<string, string>();
    for (const e of this.phonebook.entries) {
      if (this.entries.includes(e)) continue;
      for (const key of [e.number, ...(e.names ?? [])]) taken.set(normaliseDialString(key), 'the bridge');
    }
    for (const m of this.machines) for (const key of m.keys) taken.set(normaliseDialString(key), `the bridge (${m.name})`);
    records.forEach((r, i) => {
      for (const key of [r.number, ...(r.names ?? [])]) {
        const k = normaliseDialString(key);
        const owner = taken.get(k);
        if (owner) throw badField(`entries[${i}].number`, `${key} is already listed by ${owner}`);
        taken.set(k, `entries[${i}]`);
      }
    });
    if (persist && this.file) {
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ entries: records }, null, 2)}\n`);
      renameSync(tmp, this.file);
    }
    for (const e of this.entries) this.phonebook.remove(e);
    this.records = records;
    this.entries = records.map((r) => this.entryFor(r));
    for (const e of this.entries) this.phonebook.add(e);
  }

  private validate(item: unknown, at: string): PhonebookRecord {
    if (!isObject(item)) throw badField(at, 'must be an object');
    const number = item.number;
    if (typeof number !== 'string' || number.length > MAX_NAME_LENGTH || normaliseDialString(number) === '') {
      throw badField(`${at}.number`, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
    }
    if (parseDialTarget(normaliseDialString(number))) throw badField(`${at}.number`, 'must not look like HOST:PORT (that dials the host itself)');
    const names = item.names ?? [];
    if (!Array.isArray(names) || names.length > MAX_NAMES) throw badField(`${at}.names`, `must be an array of at most ${MAX_NAMES} names`);
    names.forEach((n: unknown, j) => {
      if (typeof n !== 'string' || n.length > MAX_NAME_LENGTH || normaliseDialString(n) === '' || parseDialTarget(normaliseDialString(n))) {
        throw badField(`${at}.names[${j}]`, `must be a name of 1..${MAX_NAME_LENGTH} characters, not HOST:PORT`);
      }
    });
    const target = item.target;
    if (typeof target !== 'string' || target === '') throw badField(`${at}.target`, 'is required: HOST:PORT or xp10 / packet');
    const hostPort = parseDialTarget(target);
    if (hostPort) {
      const refusal = this.dialOut.policy.refusal(hostPort);
      if (refusal) throw badField(`${at}.target`, `${refusal}: the operator allows hosts with --dial-allow`);
    } else if (!this.machine(target)) {
      throw badField(`${at}.target`, `must be HOST:PORT or one of the bridge's own entries (${this.machines.map((m) => m.name).join(', ')})`);
    }
    const protocol = item.protocol ?? 'telnet';
    if (protocol !== 'telnet' && protocol !== 'raw') throw badField(`${at}.protocol`, 'must be telnet or raw');
    if (!hostPort && item.protocol !== undefined) throw badField(`${at}.protocol`, 'applies to HOST:PORT targets only');
    const description = item.description;
    if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
      throw badField(`${at}.description`, `must be a string of at most ${MAX_DESCRIPTION} characters`);
    }
    return {
      number,
      ...(names.length ? { names: names as string[] } : {}),
      target: hostPort ? formatDialTarget(hostPort) : this.machine(target)!.name,
      ...(hostPort ? { protocol } : {}),
      ...(description !== undefined ? { description } : {}),
    };
  }

  private entryFor(record: PhonebookRecord): PhonebookEntry {
    const hostPort = parseDialTarget(record.target);
    const destination: CallDestination = hostPort
      ? new DialOutDestination(hostPort, record.protocol ?? 'telnet', this.dialOut)
      : { call: (from, callbacks) => this.callBuiltIn(record.target, from, callbacks) };
    return {
      number: record.number,
      ...(record.names ? { names: record.names } : {}),
      destination,
      ...(record.description ? { description: record.description } : {}),
    };
  }

  /** An alias of a bridge entry is looked up when dialled: XP10 may attach after the phonebook loads. */
  private callBuiltIn(name: string, from: string, callbacks: CallCallbacks): CallAttempt {
    const entry = this.builtIn(name);
    if (!entry) {
      queueMicrotask(() => callbacks.failed('NO_CARRIER'));
      return { cancel: () => undefined };
    }
    return entry.destination.call(from, callbacks);
  }

  /** The bridge entry a name dials now, if it is attached. */
  private builtIn(name: string): PhonebookEntry | undefined {
    const machine = this.machine(name);
    if (!machine) return undefined;
    const keys = new Set(machine.keys.map(normaliseDialString));
    return this.phonebook.entries.find((e) => !this.entries.includes(e) && keys.has(normaliseDialString(e.number)));
  }

  private machine(name: string): { name: string; keys: readonly string[] } | undefined {
    const key = normaliseDialString(name);
    return this.machines.find((m) => m.keys.some((k) => normaliseDialString(k) === key));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
