import type { VoteSummary } from '../net/coreTypes.js';

/**
 * The line under the κ plot after a cube's choice vote: what it chose, how much of the weight
 * agreed, and which vertices dissented, so a person sees a vote that was not unanimous.
 */
export function voteText(vote: VoteSummary): string {
  const choice = vote.choice === null ? 'no choice' : `"${vote.choice}"`;
  const share = `${Math.round(vote.share * 100)} % of the weight`;
  const quorum = vote.quorum ? 'quorum' : 'no quorum';
  const dissent = vote.dissenting.length === 0 ? 'unanimous' : `dissent: ${vote.dissenting.join(' ')}`;
  return `last vote, cube ${vote.cube} on ${JSON.stringify(vote.query)}: ${choice}, ${share}, ${quorum} · ${dissent}`;
}
