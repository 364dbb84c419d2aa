import { checkChoiceList } from '../../protocol/payloads/cubeChoices.js';
import { CoreError } from '../errors/CoreError.js';
import type { LlmNode } from '../llm/LlmNode.js';
import { holdsQuorum, voteWeight } from './Consensus.js';
import type { VertexId } from './Vertex.js';

/** One vertex's ballot: its scores for every choice and the choice it voted for. */
export interface ChoiceBallot {
  readonly vertex: VertexId;
  /** κ from the cube's record when it voted (never what the node reports); voteWeight of it is the ballot's weight. */
  readonly kappa: number;
  readonly weight: number;
  /** Mean ln-probability per character of each choice after the query under the vertex's own model; null if it could not score. */
  readonly scores: readonly (number | null)[];
  /** Index of the choice it voted for (its best score, the first on a tie); null when it abstained. */
  readonly choice: number | null;
}

export interface ChoiceTally {
  readonly choice: string;
  readonly weight: number;
  readonly vertices: readonly VertexId[];
}

export interface ChoiceDecision {
  readonly choices: readonly string[];
  /** The choice holding the most weight (the first on a tie); null if no vertex voted. */
  readonly choice: string | null;
  readonly index: number | null;
  /** Strictly more than 2/3 of the total weight (abstentions included), from at least two vertices. */
  readonly quorum: boolean;
  readonly agreeingWeight: number;
  readonly totalWeight: number;
  /** agreeingWeight / totalWeight. */
  readonly share: number;
  readonly tally: readonly ChoiceTally[];
  readonly ballots: readonly ChoiceBallot[];
  /** Vertices that voted for the chosen choice. */
  readonly agreeing: readonly VertexId[];
  /** Vertices that voted for another choice. */
  readonly dissenting: readonly VertexId[];
  /** Vertices that cast no vote (a node that cannot score, or scores that are not numbers). */
  readonly abstaining: readonly VertexId[];
}

/** The core's check of a choice list: the protocol's rules (2..16 distinct choices of 1..64 characters without | or line breaks). */
export function validateChoices(choices: unknown): string[] {
  if (!Array.isArray(choices)) throw new CoreError('BAD_VALUE', 'choices must be a list of strings');
  const list = choices.map((c, i) => {
    if (typeof c !== 'string') throw new CoreError('BAD_VALUE', `choice ${i + 1} is not a string`);
    return c;
  });
  checkChoiceList(list, (message: string) => new CoreError(list.length > 16 ? 'TOO_LARGE' : 'BAD_VALUE', message));
  return list;
}

/** The text a choice is scored as after the query: one space between them unless the query ends in a blank or is empty. */
export function choiceContinuation(query: string, choice: string): string {
  return query === '' || /\s$/.test(query) ? choice : ` ${choice}`;
}

/**
 * Each choice's mean ln-probability per character (of its continuation, see choiceContinuation)
 * under the node's own model. Per character, so that a short choice is not favoured for being
 * short ("no" against "yes"). Null for every choice if the node cannot score.
 */
export function scoreChoices(node: LlmNode, query: string, choices: readonly string[]): (number | null)[] {
  return choices.map((choice) => {
    if (typeof node.logProbability !== 'function') return null;
    const continuation = choiceContinuation(query, choice);
    let lp: unknown;
    try {
      lp = node.logProbability(query, continuation);
    } catch {
      return null; // a faulty node abstains; it cannot stop the vote
    }
    return typeof lp === 'number' && !Number.isNaN(lp) && lp <= 0 ? lp / continuation.length : null;
  });
}

/** The index of the best score (the first on a tie), or null if no score is a number. */
export function bestChoice(scores: readonly (number | null)[]): number | null {
  let best: number | null = null;
  scores.forEach((s, i) => {
    if (s !== null && (best === null || s > (scores[best] as number))) best = i;
  });
  return best;
}

/** CENTRAL's count: every ballot weighs voteWeight(κ recorded); the heaviest choice is answered, a quorum is > 2/3. */
export function tallyChoices(choices: readonly string[], ballots: readonly ChoiceBallot[]): ChoiceDecision {
  const weights = choices.map(() => 0);
  const voters: VertexId[][] = choices.map(() => []);
  let total = 0;
  for (const b of ballots) {
    total += b.weight;
    if (b.choice === null) continue;
    weights[b.choice] = (weights[b.choice] as number) + b.weight;
    voters[b.choice]!.push(b.vertex);
  }
  let index: number | null = null;
  weights.forEach((w, i) => {
    if (voters[i]!.length > 0 && (index === null || w > (weights[index] as number))) index = i;
  });
  const agreeingWeight = index === null ? 0 : (weights[index] as number);
  const agreeing = index === null ? [] : voters[index]!;
  return {
    choices,
    choice: index === null ? null : (choices[index] as string),
    index,
    quorum: index !== null && holdsQuorum(agreeingWeight, total, agreeing.length),
    agreeingWeight,
    totalWeight: total,
    share: total > 0 ? agreeingWeight / total : 0,
    tally: choices.map((choice, i) => ({ choice, weight: weights[i] as number, vertices: voters[i]! })),
    ballots,
    agreeing,
    dissenting: ballots.filter((b) => b.choice !== null && b.choice !== index).map((b) => b.vertex),
    abstaining: ballots.filter((b) => b.choice === null).map((b) => b.vertex),
  };
}

/** A vertex's ballot: it scores every choice with its own model and votes for its best. */
export function castBallot(vertex: VertexId, node: LlmNode, kappa: number, query: string, choices: readonly string[]): ChoiceBallot {
  const scores = scoreChoices(node, query, choices);
  return { vertex, kappa, weight: voteWeight(kappa), scores, choice: bestChoice(scores) };
}
