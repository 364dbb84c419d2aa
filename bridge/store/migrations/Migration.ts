/** One schema step. Versions are applied in ascending order, each once, and never edited after release. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in one transaction together with the bookkeeping row. */
  readonly sql: string;
}
