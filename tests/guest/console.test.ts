import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';

/**
 * XP10's console as a terminal sees it (issue 15, "A console that feels like a terminal";
 * issue 11 item 14): VT100/ANSI keys typed on COM2 edit the line, and built-in output fits
 * 80 columns. Real v86 booting the real image.
 */

const PROMPT = 'XP10> ';
const MAX_COLUMNS = 79; // < 80: a line of exactly 80 makes the VGA console (and some terminals) wrap early

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a VT100 shows for `text`: printable characters overwrite, backspace moves left,
 * CR returns, LF starts a row; a bell and escape sequences are not drawn. Returns the rows
 * (trailing spaces trimmed) and the cursor column on the last row.
 */
function render(text: string): { rows: string[]; column: number } {
  const rows: string[][] = [[]];
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const row = rows[rows.length - 1]!;
    if (ch === '\b') column = Math.max(0, column - 1);
    else if (ch === '\r') column = 0;
    else if (ch === '\n') rows.push([]);
    else if (ch === '\x1b') {
      while (i + 1 < text.length && !/[A-Za-z~]/.test(text[i + 1]!)) i++;
      i++;
    } else if (ch >= ' ' && ch !== '\x7f') {
      while (row.length < column) row.push(' ');
      row[column++] = ch;
    }
  }
  return { rows: rows.map((r) => r.join('').trimEnd()), column };
}

describe('XP10 console on COM2: line editing, history, completion, 80 columns', () => {
  let machine: Xp10Machine;

  /** Types `parts` one write at a time with a pause between, so sequences arrive split. */
  async function typeSplit(...parts: string[]): Promise<void> {
    for (const part of parts) {
      machine.typeText(part);
      await sleep(30);
    }
  }

  /** The screen line being edited right now (from the prompt before `from`), and the cursor on it. */
  function editedLine(from: number): { line: string; column: number } {
    const { rows, column } = render(machine.outputSince(from - PROMPT.length));
    return { line: rows[rows.length - 1]!, column };
  }

  /** Runs what is typed up to Enter and resolves with the output up to the next prompt. */
  async function enter(from: number): Promise<string> {
    const at = machine.outputOffset();
    machine.typeText('\r');
    await machine.waitForOutput(/\n[^]*XP10> $/, { from: at, timeoutMs: 5000 });
    return machine.outputSince(from);
  }

  /** A fresh, empty prompt whatever the test before left (Ctrl-C); returns the offset after it. */
  async function fresh(): Promise<number> {
    const from = machine.outputOffset();
    machine.typeText('\x03');
    await machine.waitForOutput(/\^C\r\nXP10> $/, { from, timeoutMs: 5000 });
    return machine.outputOffset();
  }

  beforeAll(async () => {
    machine = new Xp10Machine();
    await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 20_000 });
    const from = machine.outputOffset();
    machine.setCarrierDetect(true); // a caller dialled in
    await machine.waitForOutput(/Console COM2\.[^]*XP10> $/, { from, timeoutMs: 5000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  it('help fits 79 columns and breaks no word, on COM2 and on the VGA screen', async () => {
    const from = await fresh();
    const out = await enter((machine.typeText('help'), from));
    const lines = out.split('\r\n').slice(1, -1);
    expect(lines[0]).toBe('Commands:');
    expect(lines.length).toBeGreaterThan(14);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(MAX_COLUMNS);
    // A command starts at column 2; a continuation is indented under the text column (26),
    // never a word's tail at the left margin.
    const table = lines.slice(1, lines.findIndex((l) => l.startsWith('Keys:')));
    expect(table.length).toBeGreaterThan(13);
    for (const line of table) expect(line, line).toMatch(/^( {2}| {26})\S/);
    expect(out).toMatch(/Keys: Left\/Right\/Home\/End move the cursor, Up\/Down recall earlier lines,\r\n {6}Tab completes/);
    expect(out).toMatch(/crash \[stack\] +raise a CPU exception, or overflow the stack \(dump,\r\n {26}halts\); local console only/);

    machine.typeOnKeyboard('help\n');
    await expect.poll(() => machine.screenText().join('\n'), { timeout: 5000 }).toMatch(/tensor OP A \[B\][^]*XP10>\s*$/);
    const screen = machine.screenText().map((row) => row.trimEnd());
    for (const line of lines) expect(screen, line).toContain(line); // each help line is one screen row
  });

  it('every built-in command and usage message fits 79 columns', async () => {
    const commands = ['ver', 'mem', 'uptime', 'ps', 'stats', 'busy', 'busy 1', 'block', 'llm', 'cube', 'tensor', 'tensor x', 'crash', 'frobnicate'];
    for (const command of commands) {
      const from = await fresh();
      machine.typeText(command);
      const out = await enter(from);
      for (const line of out.split('\r\n')) expect(line.length, `${command}: ${line}`).toBeLessThanOrEqual(MAX_COLUMNS);
    }
    // The boot log and banner too.
    for (const line of machine.output().split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(MAX_COLUMNS);
  });

  it('left/right and Home/End move the cursor; typing inserts there; the terminal shows the line', async () => {
    const from = await fresh();
    // "er", Left, Left, "v" -> "ver"; the ESC and "[D" arrive in separate writes.
    await typeSplit('er', '\x1b', '[D', '\x1b[', 'D', 'v');
    expect(editedLine(from)).toEqual({ line: `${PROMPT}ver`, column: PROMPT.length + 1 });
    await typeSplit('\x1b[F', ' x', '\x1b[H', '\x1bOF', '\x7f\x7f'); // End, " x", Home, End (SS3), erase " x"
    expect(editedLine(from)).toEqual({ line: `${PROMPT}ver`, column: PROMPT.length + 3 });
    expect(await enter(from)).toContain('XP10 [Version 1.0]');
  });

  it('Delete and Backspace in the middle of the line, and unknown sequences are not typed', async () => {
    const from = await fresh();
    await typeSplit('vXer', '\x1b[D\x1b[D\x1b[D', '\x1b[3~', '\x1b[15~', '\x1b[1;5C', '\x1b[C\x7fr');
    expect(editedLine(from).line).toBe(`${PROMPT}ver`);
    expect(await enter(from)).toContain('XP10 [Version 1.0]');
  });

  it('up and down walk the history; an edited recall runs as edited', async () => {
    let from = await fresh();
    machine.typeText('uptime');
    expect(await enter(from)).toMatch(/Up \d+:\d\d/);
    from = await fresh();
    machine.typeText('ver');
    await enter(from);
    from = await fresh();
    await typeSplit('draft', '\x1b[A');
    expect(editedLine(from).line).toBe(`${PROMPT}ver`);
    await typeSplit('\x1b', 'O', 'A'); // up in application cursor mode
    expect(editedLine(from).line).toBe(`${PROMPT}uptime`);
    await typeSplit('\x1b[B', '\x1b[B');
    expect(editedLine(from)).toEqual({ line: `${PROMPT}draft`, column: PROMPT.length + 5 });
    await typeSplit('\x15', '\x1b[A\x1b[A', '\x1b[H', 'xx', '\x7f\x7f');
    expect(await enter(from)).toMatch(/Up \d+:\d\d:\d\d/);
  });

  it('Ctrl-U clears the line; Tab completes a command name or lists the candidates', async () => {
    let from = await fresh();
    await typeSplit('frobnicate', '\x15', 'ver');
    expect(editedLine(from).line).toBe(`${PROMPT}ver`);
    const out = await enter(from);
    expect(out).toContain('XP10 [Version 1.0]');
    expect(out).not.toContain('not recognized');

    from = await fresh();
    await typeSplit('upt', '\t');
    expect(editedLine(from).line).toBe(`${PROMPT}uptime`);
    expect(await enter(from)).toMatch(/Up \d+:\d\d/);

    from = await fresh();
    await typeSplit('c', '\t');
    expect(machine.outputSince(from)).toContain('\r\nclear  crash  cube\r\nXP10> c');
    await typeSplit('u', '\t', '1 neu hi');
    expect(editedLine(from).line).toBe(`${PROMPT}cube 1 neu hi`);
    await typeSplit('\x15');
  });

  it('Ctrl-C interrupts the running command and at the prompt discards the line', async () => {
    let from = await fresh();
    machine.typeText('busy 20000\r');
    await sleep(300);
    machine.typeText('\x03');
    await machine.waitForOutput(/Stopped after \d+ ms without yielding[^]*XP10> $/, { from, timeoutMs: 5000 });

    from = await fresh();
    await typeSplit('some half-typed line', '\x03');
    await machine.waitForOutput(/\^C\r\nXP10> $/, { from, timeoutMs: 5000 });
    expect(editedLine(from).line).toBe(PROMPT.trimEnd());
  });

  it('the VGA console reads the PS/2 cursor keys the same way', async () => {
    // Scancode set 1: E0-prefixed Left (4B), Home (47), End (4F); make then break (| 0x80).
    const keyboard = (machine as unknown as { emulator: { keyboard_send_scancodes(codes: number[]): void } }).emulator;
    const press = (code: number): number[] => [0xe0, code, 0xe0, code | 0x80];
    const screen = (): string => machine.screenText().join('\n').trimEnd();
    machine.typeOnKeyboard('\x03');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10>$/);
    machine.typeOnKeyboard('ptime');
    keyboard.keyboard_send_scancodes([...press(0x4b), ...press(0x4b), ...press(0x47)]); // Left, Left, Home
    machine.typeOnKeyboard('u');
    keyboard.keyboard_send_scancodes(press(0x4f)); // End
    machine.typeOnKeyboard('\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10> uptime\nUp \d+:\d\d:\d\d\.\d{3} [^\n]*\nXP10>$/);
  });

  it('a new caller does not inherit the previous caller\'s history', async () => {
    let from = await fresh();
    machine.typeText('ver');
    await enter(from);
    from = machine.outputOffset();
    machine.setCarrierDetect(false);
    await machine.waitForOutput('Session ended.', { from, timeoutMs: 5000 });
    from = machine.outputOffset();
    machine.setCarrierDetect(true);
    await machine.waitForOutput(/Console COM2\.[^]*XP10> $/, { from, timeoutMs: 5000 });
    from = machine.outputOffset();
    await typeSplit('\x1b[A');
    expect(editedLine(from).line).toBe(PROMPT.trimEnd());
    expect(machine.outputSince(from)).toBe('\x07');
  });
});
