/**
 * Where XP10's console (COM2) is in every phonebook: the page's modem and the bridge's dial-in
 * modems (/modem, telnet, serial) list it under the same number and names, so `ATDT 1` or
 * `ATDT xp10` reaches the same guest console whichever modem the caller uses.
 */
export const XP10_NUMBER = '1';
/** Other keys that ring XP10: its name, and a long number for scripts that dial seven digits. */
export const XP10_NAMES = ['xp10', '5551000'] as const;

/** Machines in a cube of XP10s (`konomi start --guests N`): machine i answers `ATDT i`, hosts vertex i-1. */
export const XP10_MACHINES_MAX = 9;

/** The number and names machine `i` (1..9) is listed under; machine 1 is the XP10 of old. */
export function xp10Listing(machine: number): { number: string; names: string[] } {
  if (machine === 1) return { number: XP10_NUMBER, names: [...XP10_NAMES] };
  return { number: String(machine), names: [`xp10-${machine}`] };
}

/**
 * The name machine `i` gives in HELLO: "XP10" for machine 1, "XP10-i" for the others (the guest
 * builds it in guest/kernel/bootargs.c; the bridge recognises its XP10s by it).
 */
export function xp10HelloName(machine: number): string {
  return machine === 1 ? 'XP10' : `XP10-${machine}`;
}

/** Whether a HELLO name is one of XP10's (machine 1..XP10_MACHINES_MAX). */
export function isXp10HelloName(name: string): boolean {
  for (let i = 1; i <= XP10_MACHINES_MAX; i++) if (name === xp10HelloName(i)) return true;
  return false;
}
