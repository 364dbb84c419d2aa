import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../ProtocolError.js';
import { decodeCubeMsgRequest, encodeCubeMsgRequest } from './cubeMsg.js';
import { formatChoiceReply, formatChoiceText, isChoiceText, parseChoiceReply, parseChoiceText } from './cubeChoices.js';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof ProtocolError ? e.code : String(e);
  }
  return 'no error';
}

describe('CUBE_MSG choice votes: the text form', () => {
  it('a ?choices first line makes a vote; anything else stays a plain collective think', () => {
    expect(parseChoiceText('?choices yes|no\nIs the grid up?')).toEqual({ choices: ['yes', 'no'], query: 'Is the grid up?' });
    expect(parseChoiceText('?choices  emacs | vi |ed\r\nbest editor\nsecond line')).toEqual({ choices: ['emacs', 'vi', 'ed'], query: 'best editor\nsecond line' });
    expect(parseChoiceText('?choices a|b')).toEqual({ choices: ['a', 'b'], query: '' });
    for (const plain of ['think', '?choicesyes|no\nq', ' ?choices a|b\nq', '?CHOICES a|b\nq', '']) {
      expect(isChoiceText(plain), plain).toBe(false);
      expect(parseChoiceText(plain)).toBeNull();
    }
  });

  it('a malformed vote is BAD_PAYLOAD, naming what is wrong', () => {
    for (const bad of ['?choices\nq', '?choices yes\nq', '?choices yes|yes\nq', '?choices yes||no\nq', `?choices ${'x'.repeat(65)}|no`, `?choices ${Array.from({ length: 17 }, (_, i) => i).join('|')}`]) {
      expect(code(() => parseChoiceText(bad)), bad).toBe('BAD_PAYLOAD');
    }
  });

  it('round-trips through the unchanged CUBE_MSG payload (u16 cube, u8 vertex 0xFF, UTF-8 text)', () => {
    const text = formatChoiceText({ choices: ['ja', 'nein', 'vielleicht'], query: 'Größe?' });
    const payload = encodeCubeMsgRequest({ cube: 2, vertex: 0xff, text });
    expect(Buffer.from(payload.subarray(0, 3)).toString('hex')).toBe('0002ff');
    expect(Buffer.from(payload.subarray(3)).toString('utf8')).toBe('?choices ja|nein|vielleicht\nGröße?');
    expect(parseChoiceText(decodeCubeMsgRequest(payload).text)).toEqual({ choices: ['ja', 'nein', 'vielleicht'], query: 'Größe?' });
    expect(code(() => formatChoiceText({ choices: ['a|b', 'c'], query: '' }))).toBe('INVALID_ARGUMENT');
  });

  it('the reply: the choice, quorum and share, every vertex vote, the dissenters by name', () => {
    const reply = { choice: 'yes', quorum: true, share: 0.8341, votes: [0, 1, 0, 0, 0, 0, null, 0, 0], dissenting: [1] };
    const text = formatChoiceReply(reply);
    expect(text).toBe('yes\nquorum yes 0.834\nvotes 0 1 0 0 0 0 - 0 0\ndissent NED');
    expect(parseChoiceReply(text)).toEqual({ ...reply, share: 0.834 });
    const none = formatChoiceReply({ choice: null, quorum: false, share: 0, votes: new Array(9).fill(null), dissenting: [] });
    expect(none).toBe('\nquorum no 0.000\nvotes - - - - - - - - -\ndissent');
    expect(parseChoiceReply(none)).toMatchObject({ choice: null, quorum: false, dissenting: [] });
    for (const bad of ['yes', 'yes\nquorum maybe 1.000\nvotes 0\ndissent', 'yes\nquorum yes 1.000\nvotes x\ndissent', 'yes\nquorum yes 1.000\nvotes 0\ndissent NOPE']) {
      expect(code(() => parseChoiceReply(bad)), bad).toBe('BAD_PAYLOAD');
    }
  });
});
