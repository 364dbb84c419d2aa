/** Live events the web page subscribes to over /ws. */
export type CoreEvent =
  | { event: 'block'; data: { array: number; x: number; y: number; z: number; value: number; index: number } }
  | { event: 'ledger'; data: { length: number; index: number; hash: string } }
  /** A teaching's progress: one per optimiser step, then one with `done` and the result. */
  | { event: 'teach'; data: { x: number; y: number; z: number; step: number; steps: number; loss?: number; done?: true; bitsBefore?: number; bitsAfter?: number; stoppedEarly?: boolean } }
  | { event: 'kappa'; data: { cubes: Array<{ id: number; kappa: number }>; cubeMean: number | null; llmMean: number | null } };
