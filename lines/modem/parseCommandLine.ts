import { SREGISTER_COUNT } from './SRegisters.js';

/** One command from an AT command line. */
export type ModemCommand =
  | { kind: 'flag'; letter: 'E' | 'V' | 'Q' | 'H' | 'O' | 'Z' | 'I' | 'X' | 'L' | 'M'; value: number }
  | { kind: 'answer' }
  | { kind: 'dial'; method: 'T' | 'P' | ''; target: string }
  | { kind: 'setRegister'; register: number; value: number }
  | { kind: 'queryRegister'; register: number }
  | { kind: 'ampersand'; letter: string; value: number };

export type ParseResult = { ok: true; commands: ModemCommand[] } | { ok: false; error: string };

/** Highest value each single-letter command accepts (e.g. ATE0/ATE1); the value defaults to 0. */
const FLAG_MAX: Record<string, number> = { E: 1, V: 1, Q: 1, H: 1, O: 1, Z: 1, I: 9, X: 4, L: 3, M: 3 };
/** &-commands accepted for init-string compatibility; only &F has an effect. */
const AMPERSAND_MAX: Record<string, number> = { F: 0, C: 1, D: 3, K: 6, W: 1, V: 0 };

/**
 * Parses the text after "AT" into commands, all or nothing: a line with any bad command
 * is rejected whole so that nothing of it is half-applied. Spaces are ignored outside the
 * dial string; the dial string (after D) runs to the end of the line.
 */
export function parseCommandLine(body: string): ParseResult {
  const commands: ModemCommand[] = [];
  let i = 0;
  const peekDigits = (): string => {
    let j = i;
    while (j < body.length && body.charCodeAt(j) >= 48 && body.charCodeAt(j) <= 57) j++;
    const digits = body.slice(i, j);
    i = j;
    return digits;
  };
  const skipSpaces = (): void => {
    while (body[i] === ' ') i++;
  };
  while (true) {
    skipSpaces();
    if (i >= body.length) return { ok: true, commands };
    const letter = (body[i] ?? '').toUpperCase();
    i++;
    if (letter === 'D') {
      const rest = body.slice(i).trim();
      const first = (rest[0] ?? '').toUpperCase();
      const method = first === 'T' || first === 'P' ? first : '';
      const target = normaliseDialString(method ? rest.slice(1) : rest);
      if (target === '') return { ok: false, error: 'empty dial string' };
      commands.push({ kind: 'dial', method, target });
      return { ok: true, commands };
    }
    if (letter === 'A') {
      commands.push({ kind: 'answer' });
      continue;
    }
    if (letter === 'S') {
      const reg = peekDigits();
      const register = Number(reg);
      if (reg === '' || register >= SREGISTER_COUNT) return { ok: false, error: `no register S${reg}` };
      skipSpaces();
      if (body[i] === '?') {
        i++;
        commands.push({ kind: 'queryRegister', register });
        continue;
      }
      if (body[i] !== '=') return { ok: false, error: `S${reg} needs =value or ?` };
      i++;
      skipSpaces();
      const digits = peekDigits();
      const value = Number(digits);
      if (digits === '' || value > 255) return { ok: false, error: `S${reg} value must be 0..255` };
      commands.push({ kind: 'setRegister', register, value });
      continue;
    }
    if (letter === '&') {
      const sub = (body[i] ?? '').toUpperCase();
      i++;
      const max = AMPERSAND_MAX[sub];
      const digits = peekDigits();
      const value = digits === '' ? 0 : Number(digits);
      if (max === undefined || value > max) return { ok: false, error: `unknown command &${sub}${digits}` };
      commands.push({ kind: 'ampersand', letter: sub, value });
      continue;
    }
    const max = FLAG_MAX[letter];
    if (max === undefined) return { ok: false, error: `unknown command ${letter}` };
    const digits = peekDigits();
    const value = digits === '' ? 0 : Number(digits);
    if (digits.length > 3 || value > max) return { ok: false, error: `${letter}${digits} out of range` };
    commands.push({ kind: 'flag', letter: letter as 'E', value });
  }
}

/**
 * Canonical form of a dial string for phonebook lookup. A string of digits and dial
 * modifiers is a number: only 0-9 * # are kept (so `555-0100`, `(555) 0100` and `,5550100`
 * are the same). Anything else is a name: quotes and spaces dropped, lower-cased.
 */
export function normaliseDialString(raw: string): string {
  const compact = raw.replace(/["\s]/g, '');
  if (/^[0-9*#,;W@!\-().]*$/i.test(compact) && /[0-9*#]/.test(compact)) return compact.replace(/[^0-9*#]/g, '');
  return compact.replace(/;$/, '').toLowerCase();
}
