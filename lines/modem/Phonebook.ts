import type { CallDestination } from './CallDestination.js';
import { normaliseDialString } from './parseCommandLine.js';

export interface PhonebookEntry {
  /** The number, e.g. `5551000`; dashes and spaces are ignored when dialled. */
  readonly number: string;
  /** Optional names that dial the same destination (`ATDT xp10`), case-insensitive. */
  readonly names?: readonly string[];
  readonly destination: CallDestination;
  /** Shown by the CLI and the web page. */
  readonly description?: string;
}

/** Finds a destination for a dial string nobody listed (e.g. `host:port` for dial-out). */
export type UnlistedResolver = (dialString: string) => PhonebookEntry | undefined;

/** Maps dialled numbers and names to destinations. */
export class Phonebook {
  private readonly byKey = new Map<string, PhonebookEntry>();
  private list: PhonebookEntry[] = [];
  private unlisted: UnlistedResolver | undefined;

  constructor(entries: readonly PhonebookEntry[] = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: PhonebookEntry): void {
    const keys = [entry.number, ...(entry.names ?? [])].map(normaliseDialString);
    for (const key of keys) {
      if (key === '') throw new Error('phonebook: empty number or name');
      if (this.byKey.has(key)) throw new Error(`phonebook: ${key} is already listed`);
    }
    for (const key of keys) this.byKey.set(key, entry);
    this.list.push(entry);
  }

  /** Takes an entry out again (its number and names become free). */
  remove(entry: PhonebookEntry): void {
    if (!this.list.includes(entry)) return;
    this.list = this.list.filter((e) => e !== entry);
    for (const [key, value] of [...this.byKey]) if (value === entry) this.byKey.delete(key);
  }

  /** What a dial string that matches no entry leads to; the resolver gets the normalised string. */
  resolveUnlisted(resolver: UnlistedResolver | undefined): void {
    this.unlisted = resolver;
  }

  /** The entry for a dial string as typed after ATD/ATDT/ATDP, or undefined. */
  lookup(dialString: string): PhonebookEntry | undefined {
    const key = normaliseDialString(dialString);
    return this.byKey.get(key) ?? this.unlisted?.(key);
  }

  get entries(): readonly PhonebookEntry[] {
    return this.list;
  }
}
