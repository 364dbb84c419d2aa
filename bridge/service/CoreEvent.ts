import type { VoteView } from './coreViews.js';

/** Live events the web page subscribes to over /ws. */
export type CoreEvent =
  | { event: 'block'; data: { array: number; x: number; y: number; z: number; value: number; index: number } }
  | { event: 'ledger'; data: { length: number; index: number; hash: string } }
  | {
      event: 'kappa';
      data: {
        /** Per cube: its κ, CENTRAL's κ, and every vertex's κ by wire number (CENTRAL last). */
        cubes: Array<{ id: number; kappa: number; central: number; vertexKappa: number[] }>;
        cubeMean: number | null;
        llmMean: number | null;
      };
    }
  /** A cube's choice vote: the choice, the quorum, every vertex's vote and who dissented. */
  | { event: 'vote'; data: VoteView }
  /** A teaching's progress: one per optimiser step, then one with `done` and the result. */
  | { event: 'teach'; data: { x: number; y: number; z: number; step: number; steps: number; loss?: number; done?: true; bitsBefore?: number; bitsAfter?: number; stoppedEarly?: boolean } };
