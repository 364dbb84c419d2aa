/**
 * PC keyboard scancode set 1 for printable ASCII, Enter, Backspace and Ctrl-C: what a
 * PS/2 keyboard sends for each character (make codes; a break code is make | 0x80).
 */
const SHIFT_MAKE = 0x2a;
const CTRL_MAKE = 0x1d;
const BREAK = 0x80;

const UNSHIFTED = "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./";
const SHIFTED = '!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:"~|ZXCVBNM<>?';
const MAKE_CODES = [
  0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
  0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
  0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
];
const SPECIAL: Record<string, number> = { ' ': 0x39, '\n': 0x1c, '\r': 0x1c, '\b': 0x0e, '\t': 0x0f };
const KEY_C = 0x2e;

function press(code: number): number[] {
  return [code, code | BREAK];
}

/** Scancodes (make and break) that type `text`; throws on a character no key produces. */
export function textToScancodes(text: string): number[] {
  const codes: number[] = [];
  for (const ch of text) {
    if (ch === '\x03') {
      codes.push(CTRL_MAKE, ...press(KEY_C), CTRL_MAKE | BREAK);
      continue;
    }
    const special = SPECIAL[ch];
    if (special !== undefined) {
      codes.push(...press(special));
      continue;
    }
    const plain = UNSHIFTED.indexOf(ch);
    if (plain >= 0) {
      codes.push(...press(MAKE_CODES[plain]!));
      continue;
    }
    const shifted = SHIFTED.indexOf(ch);
    if (shifted < 0) throw new RangeError(`no key types ${JSON.stringify(ch)}`);
    codes.push(SHIFT_MAKE, ...press(MAKE_CODES[shifted]!), SHIFT_MAKE | BREAK);
  }
  return codes;
}
