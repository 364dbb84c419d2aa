import { ProtocolError } from '../ProtocolError.js';
import { CUBE_VERTEX_NAMES } from '../vocabulary/CubeVertex.js';

/**
 * The choice vote's text form inside an ordinary CUBE_MSG to the whole cube (vertex 0xFF): the
 * frame and payload layout are unchanged, only the text means more. A request whose text starts
 * with the line `?choices yes|no` asks the cube to vote on those choices for the query on the
 * lines after it; the reply text names the chosen one, the quorum, every vertex's vote and the
 * dissenters (docs/PROTOCOL.md, "CUBE_MSG choice votes").
 */
export const CHOICES_PREFIX = '?choices';
/** A vote has 2..MAX_CHOICES choices of 1..MAX_CHOICE_LENGTH characters each. */
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 16;
export const MAX_CHOICE_LENGTH = 64;
/** Characters no choice may hold: the text form separates choices with `|` and lines with CR/LF. */
export const CHOICE_FORBIDDEN = /[|\r\n]/;

export interface ChoiceRequest {
  readonly choices: string[];
  readonly query: string;
}

export interface ChoiceReply {
  /** The choice holding the most weight; null when no vertex could vote. */
  readonly choice: string | null;
  /** Whether strictly more than 2/3 of the weight voted for it. */
  readonly quorum: boolean;
  /** Its share of the total weight, 0..1. */
  readonly share: number;
  /** Per vertex (wire number 0..8): the index of the choice it voted for, or null if it abstained. */
  readonly votes: (number | null)[];
  /** Vertices that voted for another choice, by wire number. */
  readonly dissenting: number[];
}

const NAMES: readonly string[] = CUBE_VERTEX_NAMES;

/** Whether a CUBE_MSG text is a choice vote (starts with the `?choices` line). */
export function isChoiceText(text: string): boolean {
  return /^\?choices(?:[ \t\r\n]|$)/.test(text);
}

/**
 * `?choices A|B…` on the first line (CRLF or LF), the query after it; choices are trimmed.
 * Null when the text is not a choice vote; BAD_PAYLOAD when it is one but malformed.
 */
export function parseChoiceText(text: string): ChoiceRequest | null {
  if (!isChoiceText(text)) return null;
  const newline = text.indexOf('\n');
  const line = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '');
  const query = newline < 0 ? '' : text.slice(newline + 1);
  const list = line.slice(CHOICES_PREFIX.length).trim();
  if (list === '') throw new ProtocolError('BAD_PAYLOAD', `${CHOICES_PREFIX} needs ${MIN_CHOICES}..${MAX_CHOICES} choices separated by |`);
  const choices = list.split('|').map((c) => c.trim());
  checkChoiceList(choices, (message) => new ProtocolError('BAD_PAYLOAD', `${CHOICES_PREFIX}: ${message}`));
  return { choices, query };
}

/** The request text for a vote: the `?choices` line, then the query. */
export function formatChoiceText(request: ChoiceRequest): string {
  checkChoiceList(request.choices, (message) => new ProtocolError('INVALID_ARGUMENT', message));
  return `${CHOICES_PREFIX} ${request.choices.join('|')}\n${request.query}`;
}

/**
 * The rules every API applies to a list of choices (the core checks the same ones): 2..16
 * choices, each 1..64 characters without `|`, CR or LF and without surrounding blanks, all distinct.
 */
export function checkChoiceList(choices: readonly string[], fail: (message: string) => Error): void {
  if (choices.length < MIN_CHOICES || choices.length > MAX_CHOICES) throw fail(`a vote needs ${MIN_CHOICES}..${MAX_CHOICES} choices, got ${choices.length}`);
  const seen = new Set<string>();
  choices.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0 || c.length > MAX_CHOICE_LENGTH) throw fail(`choice ${i + 1} must be 1..${MAX_CHOICE_LENGTH} characters`);
    if (CHOICE_FORBIDDEN.test(c)) throw fail(`choice ${i + 1} holds | or a line break`);
    if (c.trim() !== c) throw fail(`choice ${i + 1} starts or ends with a blank`);
    if (seen.has(c)) throw fail(`choice "${c}" is given twice`);
    seen.add(c);
  });
}

/**
 * The reply text: four lines, e.g.
 * ```
 * yes
 * quorum yes 0.834
 * votes 0 1 0 0 0 0 1 0 0
 * dissent NED SWD
 * ```
 * (the chosen choice, empty if nobody voted; quorum yes/no and the chosen share of the weight with
 * three decimals; each vertex's choice index by wire number, `-` for an abstention; the names of
 * the vertices that voted otherwise).
 */
export function formatChoiceReply(reply: ChoiceReply): string {
  const votes = reply.votes.map((v) => (v === null ? '-' : String(v))).join(' ');
  const dissent = reply.dissenting.map((v) => ` ${NAMES[v] ?? String(v)}`).join('');
  return `${reply.choice ?? ''}\nquorum ${reply.quorum ? 'yes' : 'no'} ${reply.share.toFixed(3)}\nvotes ${votes}\ndissent${dissent}`;
}

/** Reads a reply written by formatChoiceReply; BAD_PAYLOAD if it is not one. */
export function parseChoiceReply(text: string): ChoiceReply {
  const lines = text.split('\n');
  const bad = (why: string): never => {
    throw new ProtocolError('BAD_PAYLOAD', `choice reply: ${why}`);
  };
  if (lines.length !== 4) bad(`4 lines expected, got ${lines.length}`);
  const [choice, quorumLine, votesLine, dissentLine] = lines as [string, string, string, string];
  const q = /^quorum (yes|no) (\d+\.\d{3})$/.exec(quorumLine) ?? bad(`bad quorum line "${quorumLine}"`);
  if (!votesLine.startsWith('votes ')) bad(`bad votes line "${votesLine}"`);
  const votes = votesLine.slice(6).split(' ').map((v) => (v === '-' ? null : /^\d+$/.test(v) ? Number(v) : bad(`bad vote "${v}"`)));
  if (!dissentLine.startsWith('dissent')) bad(`bad dissent line "${dissentLine}"`);
  const dissenting = dissentLine
    .slice(7)
    .split(' ')
    .filter((n) => n !== '')
    .map((n) => {
      const v = NAMES.indexOf(n);
      return v >= 0 ? v : bad(`unknown vertex "${n}"`);
    });
  return { choice: choice === '' ? null : choice, quorum: q[1] === 'yes', share: Number(q[2]), votes, dissenting };
}
