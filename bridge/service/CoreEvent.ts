/** Live events the web page subscribes to over /ws. */
export type CoreEvent =
  | { event: 'block'; data: { array: number; x: number; y: number; z: number; value: number; index: number } }
  | { event: 'ledger'; data: { length: number; index: number; hash: string } }
  | { event: 'kappa'; data: { cubes: Array<{ id: number; kappa: number }>; cubeMean: number | null; llmMean: number | null } };
