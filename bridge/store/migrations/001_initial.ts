import type { Migration } from './Migration.js';

/** Morton codes are 30 bits; the top 3 are the top bit of x, y and z: one octant of the grid. */
const OCTANT = 2 ** 27;

function octantPartitions(): string {
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    out.push(`CREATE TABLE cells_octant_${i} PARTITION OF cells FOR VALUES FROM (${i * OCTANT}) TO (${(i + 1) * OCTANT});`);
  }
  return out.join('\n');
}

/**
 * The layout of docs/CORE.md with two additions: cells are range-partitioned by Morton prefix
 * (an octant of space per partition, so a region query touches few partitions and a partition
 * can live on its own database node), and the ledger holds one hash chain per writer, with
 * `chains` recording each chain's head (see docs/DEPLOY.md).
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE arrays (
  id int PRIMARY KEY,
  x int NOT NULL, y int NOT NULL, z int NOT NULL,
  template boolean NOT NULL,
  template_id int NULL
);

CREATE TABLE cells (
  array_id int NOT NULL,
  morton bigint NOT NULL CHECK (morton >= 0 AND morton < ${8 * OCTANT}),
  active boolean NOT NULL,
  value float8 NOT NULL,
  ts bigint NOT NULL,
  PRIMARY KEY (array_id, morton)
) PARTITION BY RANGE (morton);
${octantPartitions()}

CREATE TABLE chains (
  chain text PRIMARY KEY,
  length bigint NOT NULL,
  head bytea NOT NULL CHECK (octet_length(head) = 32),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger (
  chain text NOT NULL REFERENCES chains (chain),
  idx bigint NOT NULL CHECK (idx >= 0),
  op smallint NOT NULL,
  array_id int NOT NULL,
  x int NOT NULL, y int NOT NULL, z int NOT NULL,
  value float8 NOT NULL,
  ts bigint NOT NULL,
  prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (chain, idx)
);

CREATE FUNCTION konomi_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger
  FOR EACH ROW EXECUTE FUNCTION konomi_ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION konomi_ledger_append_only();

CREATE TABLE cubes (
  id int PRIMARY KEY,
  record jsonb NOT NULL
);
`,
};
