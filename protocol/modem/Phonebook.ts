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

/** Maps dialled numbers and names to destinations. */
export class Phonebook {
  private readonly byKey = new Map<string, PhonebookEntry>();
  private readonly list: PhonebookEntry[] = [];

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

  /** The entry for a dial string as typed after ATD/ATDT/ATDP, or undefined. */
  lookup(dialString: string): PhonebookEntry | undefined {
    return this.byKey.get(normaliseDialString(dialString));
  }

  get entries(): readonly PhonebookEntry[] {
    return this.list;
  }
}
