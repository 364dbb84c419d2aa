/**
 * Where XP10's console (COM2) is in every phonebook: the page's modem and the bridge's dial-in
 * modems (/modem, telnet, serial) list it under the same number and names, so `ATDT 1` or
 * `ATDT xp10` reaches the same guest console whichever modem the caller uses.
 */
export const XP10_NUMBER = '1';
/** Other keys that ring XP10: its name, and a long number for scripts that dial seven digits. */
export const XP10_NAMES = ['xp10', '5551000'] as const;
