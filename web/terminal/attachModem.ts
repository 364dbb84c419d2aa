import type { Disposable } from '../../protocol/Disposable.js';
import type { V86SerialLine } from '../emulator/V86SerialLine.js';
import type { ModemLights } from '../view/ModemLights.js';
import type { TerminalPane } from './TerminalPane.js';

export type ProfileName = 'v90' | 'v34' | 'unlimited';

export interface ModemHookupOptions {
  readonly terminal: TerminalPane;
  readonly lights: ModemLights;
  /** XP10's COM2, the line the modem's phonebook number rings. */
  readonly console: V86SerialLine;
  readonly profile: ProfileName;
  readonly onError: (err: unknown) => void;
}

export interface ModemHookup extends Disposable {
  setProfile(profile: ProfileName): void;
}

/** TEMPORARY until protocol/modem lands: a null-modem cable straight into COM2 with carrier up. */
export function attachModem(options: ModemHookupOptions): ModemHookup {
  const { terminal, lights, console: com2 } = options;
  com2.setCarrierDetect(true);
  for (const name of ['MR', 'TR', 'CD', 'OH'] as const) lights.set(name, true);
  const subscriptions = [
    terminal.onInput((bytes) => { lights.flash('SD'); com2.write(bytes); }),
    com2.onData((bytes) => { lights.flash('RD'); terminal.write(bytes); }),
  ];
  return {
    setProfile: () => {},
    dispose: () => { for (const s of subscriptions) s.dispose(); },
  };
}
