import type { AgentRow } from '../net/coreTypes.js';

/**
 * The agents panel's rows as text cells: machine, agent, state, the vertex it hosts, statements
 * run, and its last output line. Kept apart from the DOM so the wording is tested without a page.
 */
export function agentCells(row: AgentRow): string[] {
  return [row.machine, `${row.id} ${row.name}`, row.state, row.hosts || '–', String(row.statements), row.lastLine || '–'];
}

/** What the panel says when there is nothing to list. */
export const NO_AGENTS = 'no agents: dial in, type `basic`, write one, SAVE it, then `agent start NAME`';
