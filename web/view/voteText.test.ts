import { describe, expect, it } from 'vitest';
import { voteText } from './voteText.js';

describe('voteText', () => {
  it('names the choice, the share, the quorum and every dissenter', () => {
    expect(voteText({ cube: 0, query: 'Is the grid up?', choice: 'no', quorum: false, share: 0.6667, dissenting: ['NEU', 'NWD', 'SED'] })).toBe(
      'last vote, cube 0 on "Is the grid up?": "no", 67 % of the weight, no quorum · dissent: NEU NWD SED',
    );
  });

  it('says unanimous when nobody dissented, and "no choice" when nobody could vote', () => {
    expect(voteText({ cube: 3, query: 'q', choice: 'yes', quorum: true, share: 1, dissenting: [] })).toBe('last vote, cube 3 on "q": "yes", 100 % of the weight, quorum · unanimous');
    expect(voteText({ cube: 1, query: '', choice: null, quorum: false, share: 0, dissenting: [] })).toMatch(/: no choice, 0 % of the weight, no quorum/);
  });
});
