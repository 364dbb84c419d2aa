import { describe, expect, it } from 'vitest';
import { parseAgents } from '../net/coreTypes.js';
import { agentCells } from './agentsTable.js';

describe('agents panel', () => {
  it('turns GET /agents into one row per agent, hosted vertex by name', () => {
    const rows = parseAgents({
      machines: [
        { name: 'XP10', agents: [{ id: 2, name: 'ECHO', state: 'running', hosts: { cube: 1, vertex: 5 }, statements: 40, memoryBytes: 9, lastLine: 'replied 3 ' }] },
        { name: 'XP10-2', agents: [{ id: 1, name: 'LIFE', state: 'ended', hosts: null, statements: 7, memoryBytes: 9, lastLine: '' }], error: undefined },
        { name: 'XP10-3', agents: [], error: 'timed out' },
      ],
    });
    expect(rows.map(agentCells)).toEqual([
      ['XP10', '2 ECHO', 'running', '1/SED', '40', 'replied 3 '],
      ['XP10-2', '1 LIFE', 'ended', '–', '7', '–'],
    ]);
  });
});
