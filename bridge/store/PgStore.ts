import pg from 'pg';
import { mortonBigMin, mortonEncode, mortonX, mortonY, mortonZ } from '../../core/block/Morton.js';
import type { CubeRecord } from '../../core/cube/Cube.js';
import { CoreError } from '../../core/errors/CoreError.js';
import { ledgerEntryHash, ZERO_HASH, type LedgerVerification } from '../../core/ledger/Ledger.js';
import { isLedgerOp, type LedgerEntry } from '../../core/ledger/LedgerEntry.js';
import { PACKML_STATES, type PackMlState } from '../../core/orchestrator/PackMl.js';
import type { ArrayRow, CellRow, IdKind, LlmKappaRow, LlmLessonRow, ProgramInfo, ProgramRow, Store, StoreBatch, StoreSink } from '../../core/store/Store.js';
import { chainsRoot, type ChainHead } from './PgStoreChains.js';
import { migrate } from './PgStoreMigrate.js';

export interface PgStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /**
   * This writer's ledger chain. Each bridge appends to its own chain (see docs/DEPLOY.md); one
   * process owns a chain at a time. Default 'main'.
   */
  chain?: string;
  /** Schema to use (created if missing): lets tests share one database. Default: public. */
  schema?: string;
  /** Connections for commits and reads, besides the one holding the chain lock. Default 4. */
  poolSize?: number;
}

/** One page of a region query: exported so that a test can EXPLAIN exactly this statement. */
export const REGION_PAGE_SQL =
  'SELECT array_id, morton, active, value, ts FROM cells WHERE array_id = $1 AND morton BETWEEN $2 AND $3 AND active ORDER BY morton LIMIT 1000';

/** Rows per INSERT statement: keeps each parameter array small for very large batches (planes). */
const ROWS_PER_STATEMENT = 20_000;
/** Rows per round trip while streaming a load. */
const LOAD_PAGE = 50_000;
const NAME = /^[A-Za-z0-9._:-]{1,100}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

type Bytes = Uint8Array;

/** Concurrent batched read queries, and cells per query. */
const READ_STREAMS = 2;
const MAX_READ_BATCH = 1000;

interface PendingRead {
  array: number;
  morton: number;
  resolve(row: CellRow | undefined): void;
  reject(err: Error): void;
}

interface CellDbRow {
  array_id: number;
  morton: string;
  active: boolean;
  value: number;
  ts: string;
}

interface LedgerDbRow {
  idx: string;
  op: number;
  array_id: number;
  x: number;
  y: number;
  z: number;
  value: number;
  ts: string;
  prev_hash: Bytes;
  hash: Bytes;
}

/**
 * The PostgreSQL Store: the same rows as the LMDB store in SQL tables (migrations in
 * ./migrations, applied at open). A batch is one transaction; commit() resolves after COMMIT
 * returned, i.e. after PostgreSQL has flushed its WAL. Cells are keyed (array_id, morton bigint)
 * and range-partitioned by Morton octant. The ledger is append-only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE) and holds one chain per writer; this store writes `chain` and loads only
 * that chain into the core, and every cell of every writer.
 */
export class PgStore implements Store {
  private closed = false;
  private readonly reads: PendingRead[] = [];
  private readStreams = 0;

  private constructor(
    private readonly pool: pg.Pool,
    /** Holds the session advisory lock that makes this process the chain's only writer. */
    private readonly owner: pg.Client,
    readonly chain: string,
    private ledgerLength: number,
  ) {}

  static async open(options: PgStoreOptions): Promise<PgStore> {
    const chain = options.chain ?? 'main';
    if (!NAME.test(chain)) throw new CoreError('STORE_FAILED', `chain name "${chain}" must be 1-100 of A-Z a-z 0-9 . _ : -`);
    if (options.schema !== undefined && !SCHEMA.test(options.schema)) throw new CoreError('STORE_FAILED', `bad schema name "${options.schema}"`);
    const config: pg.ClientConfig = {
      connectionString: options.url,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    };
    const owner = new pg.Client(config);
    owner.on('error', () => undefined);
    try {
      await owner.connect();
      if (options.schema) await owner.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      await migrate(owner);
      await claimLegacyCubes(owner);
      const locked = await owner.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended('konomi-chain:' || current_schema() || ':' || $1, 0)) AS ok", [chain]);
      if (!locked.rows[0]?.ok) throw new Error(`ledger chain "${chain}" is open in another process`);
      await owner.query("INSERT INTO chains (chain, length, head) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING", [chain, Buffer.from(ZERO_HASH)]);
      const head = await owner.query<{ length: string }>('SELECT length FROM chains WHERE chain = $1', [chain]);
      const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 });
      pool.on('error', () => undefined);
      return new PgStore(pool, owner, chain, Number(head.rows[0]?.length ?? 0));
    } catch (cause) {
      await owner.end().catch(() => undefined);
      throw new CoreError('STORE_FAILED', `cannot open PostgreSQL store: ${message(cause)}`);
    }
  }

  async commit(batch: StoreBatch): Promise<void> {
    this.checkOpen();
    batch.entries.forEach((e, i) => {
      if (e.index !== this.ledgerLength + i) {
        throw new CoreError('STORE_FAILED', `ledger entry ${e.index} does not follow ${this.ledgerLength + i - 1}`);
      }
    });
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      throw new CoreError('STORE_FAILED', `PostgreSQL unreachable: ${message(cause)}`);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (batch.entries.length > 0) await this.appendEntries(client, batch.entries);
      await upsertArrays(client, batch.arrays, this.chain);
      await upsertCells(client, batch.cells);
      await upsertCubes(client, batch.cubes, this.chain);
      await upsertLlmKappas(client, batch.llmKappas ?? []);
      await upsertLlmLessons(client, batch.llmLessons ?? []);
      await client.query('COMMIT');
    } catch (cause) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      throw cause instanceof CoreError ? cause : new CoreError('STORE_FAILED', `commit failed: ${message(cause)}`);
    } finally {
      client.release(broken);
    }
    this.ledgerLength += batch.entries.length;
  }

  async load(sink: StoreSink): Promise<void> {
    this.checkOpen();
    const arrays = await this.pool.query<{ id: number; x: number; y: number; z: number; template: boolean; template_id: number | null; state: string | null }>(
      'SELECT id, x, y, z, template, template_id, state FROM arrays ORDER BY id',
    );
    for (const r of arrays.rows) sink.array(toArrayRow(r));
    await this.streamCells(sink);
    await this.streamEntries(this.chain, (e) => sink.entry(e));
    const cubes = await this.pool.query<{ record: CubeRecord }>('SELECT record FROM cubes ORDER BY id');
    for (const r of cubes.rows) sink.cube(r.record);
    if (sink.llmKappa) {
      const kappas = await this.pool.query<{ morton: string; kappa: number }>('SELECT morton, kappa FROM llm_kappas ORDER BY morton');
      for (const r of kappas.rows) sink.llmKappa(Number(r.morton), r.kappa);
    }
    if (sink.llmLesson) {
      const lessons = await this.pool.query<{ morton: string; lesson: Buffer }>('SELECT morton, lesson FROM llm_lessons ORDER BY morton');
      for (const r of lessons.rows) sink.llmLesson(Number(r.morton), Uint8Array.from(r.lesson));
    }
  }

  /**
   * Array ids from a sequence every writer draws from; a cube's id from its origin's claim (the
   * first writer to claim an origin fixes its id, later ones get the same). Ids of failed
   * commits are not reused, so ids may have gaps.
   */
  async allocateId(kind: IdKind, key?: number): Promise<number> {
    this.checkOpen();
    try {
      if (kind === 'array') return Number((await this.pool.query<{ id: number }>("SELECT nextval('array_ids')::int AS id")).rows[0]!.id);
      if (key === undefined) return Number((await this.pool.query<{ id: number }>("SELECT nextval('cube_ids')::int AS id")).rows[0]!.id);
      const claimed = await this.pool.query<{ id: number }>(
        "INSERT INTO cube_claims (origin, id) VALUES ($1, nextval('cube_ids')) ON CONFLICT (origin) DO NOTHING RETURNING id",
        [key],
      );
      const row = claimed.rows[0] ?? (await this.pool.query<{ id: number }>('SELECT id FROM cube_claims WHERE origin = $1', [key])).rows[0];
      if (row === undefined) throw new Error(`no claim for origin ${key}`);
      return row.id;
    } catch (cause) {
      throw new CoreError('STORE_FAILED', `cannot allocate a ${kind} id: ${message(cause)}`);
    }
  }

  async getProgram(name: string): Promise<ProgramRow | undefined> {
    const rows = await this.programQuery<{ text: string; updated: string }>('SELECT text, updated FROM programs WHERE name = $1', [name]);
    const row = rows[0];
    return row && { name, text: row.text, updated: Number(row.updated) };
  }

  async putProgram(row: ProgramRow): Promise<void> {
    await this.programQuery(
      'INSERT INTO programs (name, text, updated) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET text = EXCLUDED.text, updated = EXCLUDED.updated',
      [row.name, row.text, row.updated],
    );
  }

  async deleteProgram(name: string): Promise<boolean> {
    return (await this.programQuery('DELETE FROM programs WHERE name = $1 RETURNING name', [name])).length > 0;
  }

  async listPrograms(): Promise<ProgramInfo[]> {
    // COLLATE "C": byte order, the same order as the other stores whatever the database's locale.
    const rows = await this.programQuery<{ name: string; size: number; updated: string }>(
      'SELECT name, octet_length(text) AS size, updated FROM programs ORDER BY name COLLATE "C"',
      [],
    );
    return rows.map((r) => ({ name: r.name, size: Number(r.size), updated: Number(r.updated) }));
  }

  private async programQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[]): Promise<R[]> {
    this.checkOpen();
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (cause) {
      throw new CoreError('STORE_FAILED', `program store: ${message(cause)}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
    await this.owner.end().catch(() => undefined);
  }

  /**
   * One cell as committed by any writer, or undefined if never written. Reads that arrive while
   * others are in flight are batched into one query (at most READ_STREAMS queries at a time), so
   * many concurrent BLOCK_GETs cost few round trips.
   */
  readCell(array: number, morton: number): Promise<CellRow | undefined> {
    if (this.closed) return Promise.reject(new CoreError('STORE_FAILED', 'store is closed'));
    return new Promise((resolve, reject) => {
      this.reads.push({ array, morton, resolve, reject });
      if (this.readStreams < READ_STREAMS) {
        this.readStreams++;
        queueMicrotask(() => void this.drainReads());
      }
    });
  }

  private async drainReads(): Promise<void> {
    while (this.reads.length > 0) {
      const batch = this.reads.splice(0, MAX_READ_BATCH);
      try {
        const r = await this.pool.query<CellDbRow>(
          `SELECT c.array_id, c.morton, c.active, c.value, c.ts FROM cells c
           JOIN unnest($1::int[], $2::bigint[]) AS k(array_id, morton) ON c.array_id = k.array_id AND c.morton = k.morton`,
          [batch.map((b) => b.array), batch.map((b) => b.morton)],
        );
        const found = new Map<number, CellRow>();
        for (const row of r.rows) {
          const cell = toCellRow(row);
          found.set(cell.array * 2 ** 30 + cell.morton, cell);
        }
        for (const b of batch) b.resolve(found.get(b.array * 2 ** 30 + b.morton));
      } catch (cause) {
        const err = new CoreError('STORE_FAILED', `read failed: ${message(cause)}`);
        for (const b of batch) b.reject(err);
      }
    }
    this.readStreams--;
  }

  /**
   * Active cells of `array` inside the box [min, max], in Morton order, at most `limit`.
   * Served by the primary key index: a range scan from morton(min) that jumps over the parts
   * of the Z-curve outside the box (BIGMIN), on the octant partitions the range touches.
   */
  async region(array: number, min: Xyz, max: Xyz, limit = 100_000): Promise<CellRow[]> {
    this.checkOpen();
    const zmin = mortonEncode(min.x, min.y, min.z);
    const zmax = mortonEncode(max.x, max.y, max.z);
    const out: CellRow[] = [];
    let from = zmin;
    while (from <= zmax && out.length < limit) {
      const page = await this.pool.query<CellDbRow>(REGION_PAGE_SQL, [array, from, zmax]);
      if (page.rows.length === 0) break;
      let last = from;
      for (const row of page.rows) {
        const cell = toCellRow(row);
        last = cell.morton;
        if (inBox(cell.morton, min, max)) {
          out.push(cell);
          if (out.length === limit) break;
        }
      }
      if (page.rows.length < 1000) break;
      from = inBox(last, min, max) ? last + 1 : mortonBigMin(last, zmin, zmax);
    }
    return out;
  }

  /** Every writer's chain head, by name. */
  async chainHeads(): Promise<ChainHead[]> {
    this.checkOpen();
    const r = await this.pool.query<{ chain: string; length: string; head: Bytes }>('SELECT chain, length, head FROM chains ORDER BY chain');
    return r.rows.map((row) => ({ chain: row.chain, length: Number(row.length), head: Uint8Array.from(row.head) }));
  }

  /** SHA-256 over all chain heads (PgStoreChains.chainsRoot): one value for the whole system's history. */
  async rootHash(): Promise<Uint8Array> {
    return chainsRoot(await this.chainHeads());
  }

  /** Recomputes any writer's chain from the table; also checks it ends at the head `chains` records. */
  async verifyChain(chain: string): Promise<LedgerVerification> {
    this.checkOpen();
    let prev: Uint8Array = ZERO_HASH;
    let length = 0;
    let firstBad: number | undefined;
    await this.streamEntries(chain, (e) => {
      const expected = ledgerEntryHash(prev, e.index, e);
      if (firstBad === undefined && (e.index !== length || !sameBytes(e.prevHash, prev) || !sameBytes(e.hash, expected))) firstBad = e.index;
      prev = expected;
      length++;
    });
    const head = (await this.chainHeads()).find((h) => h.chain === chain);
    if (firstBad === undefined && head && (head.length !== length || !sameBytes(head.head, prev))) firstBad = Math.min(head.length, length);
    return firstBad === undefined ? { valid: true, length } : { valid: false, length, firstBadIndex: firstBad };
  }

  private async appendEntries(client: pg.ClientBase, entries: readonly LedgerEntry[]): Promise<void> {
    const head = await client.query<{ length: string }>('SELECT length FROM chains WHERE chain = $1 FOR UPDATE', [this.chain]);
    const stored = Number(head.rows[0]?.length ?? -1);
    const first = entries[0]!.index;
    if (stored !== first) throw new CoreError('STORE_FAILED', `ledger entry ${first} does not follow the stored chain "${this.chain}" of ${stored}`);
    for (let from = 0; from < entries.length; from += ROWS_PER_STATEMENT) {
      const part = entries.slice(from, from + ROWS_PER_STATEMENT);
      await client.query(
        `INSERT INTO ledger (chain, idx, op, array_id, x, y, z, value, ts, prev_hash, hash)
         SELECT $1, * FROM unnest($2::bigint[], $3::smallint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::float8[], $9::bigint[], $10::bytea[], $11::bytea[])`,
        [
          this.chain,
          part.map((e) => e.index),
          part.map((e) => e.op),
          part.map((e) => e.array),
          part.map((e) => e.x),
          part.map((e) => e.y),
          part.map((e) => e.z),
          part.map((e) => floatText(e.value)),
          part.map((e) => e.timestamp),
          part.map((e) => Buffer.from(e.prevHash)),
          part.map((e) => Buffer.from(e.hash)),
        ],
      );
    }
    const last = entries[entries.length - 1]!;
    await client.query('UPDATE chains SET length = $2, head = $3, updated_at = now() WHERE chain = $1', [this.chain, last.index + 1, Buffer.from(last.hash)]);
  }

  private async streamCells(sink: StoreSink): Promise<void> {
    let afterArray = -1;
    let afterMorton = -1;
    for (;;) {
      const page = await this.pool.query<CellDbRow>(
        'SELECT array_id, morton, active, value, ts FROM cells WHERE (array_id, morton) > ($1, $2) ORDER BY array_id, morton LIMIT $3',
        [afterArray, afterMorton, LOAD_PAGE],
      );
      for (const row of page.rows) sink.cell(row.array_id, Number(row.morton), row.active, row.value, Number(row.ts));
      const last = page.rows[page.rows.length - 1];
      if (!last || page.rows.length < LOAD_PAGE) return;
      afterArray = last.array_id;
      afterMorton = Number(last.morton);
    }
  }

  private async streamEntries(chain: string, each: (entry: LedgerEntry) => void): Promise<void> {
    let from = 0;
    for (;;) {
      const page = await this.pool.query<LedgerDbRow>(
        'SELECT idx, op, array_id, x, y, z, value, ts, prev_hash, hash FROM ledger WHERE chain = $1 AND idx >= $2 ORDER BY idx LIMIT $3',
        [chain, from, LOAD_PAGE],
      );
      for (const row of page.rows) each(toEntry(row));
      if (page.rows.length < LOAD_PAGE) return;
      from = Number(page.rows[page.rows.length - 1]!.idx) + 1;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new CoreError('STORE_FAILED', 'store is closed');
  }
}

export interface Xyz {
  x: number;
  y: number;
  z: number;
}

/**
 * A writer updates an array's state and template flag, never its definition: a row with the
 * same id but other dimensions or origin template is another writer's array, and the commit
 * fails rather than mix the two (with allocateId this cannot happen; it guards old data and bugs).
 */
async function upsertArrays(client: pg.ClientBase, arrays: readonly ArrayRow[], creator: string): Promise<void> {
  const rows = [...new Map(arrays.map((a) => [a.id, a])).values()];
  if (rows.length === 0) return;
  const r = await client.query<{ id: number }>(
    `INSERT INTO arrays (id, x, y, z, template, template_id, state, creator)
     SELECT *, $8 FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::boolean[], $6::int[], $7::text[])
     ON CONFLICT (id) DO UPDATE SET template = excluded.template, state = excluded.state
     WHERE arrays.x = excluded.x AND arrays.y = excluded.y AND arrays.z = excluded.z
       AND arrays.template_id IS NOT DISTINCT FROM excluded.template_id AND (excluded.template OR NOT arrays.template)
     RETURNING id`,
    [
      rows.map((a) => a.id),
      rows.map((a) => a.x),
      rows.map((a) => a.y),
      rows.map((a) => a.z),
      rows.map((a) => a.template),
      rows.map((a) => a.templateId),
      rows.map((a) => a.state ?? null),
      creator,
    ],
  );
  refuseOthers('array', rows.map((a) => a.id), r.rows);
}

/** Later rows with the same key replace earlier ones (one statement may not update a row twice). */
async function upsertCells(client: pg.ClientBase, cells: readonly CellRow[]): Promise<void> {
  const latest = new Map<number, CellRow>();
  for (const c of cells) latest.set(c.array * 2 ** 30 + c.morton, c);
  const rows = [...latest.values()];
  for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
    const part = rows.slice(from, from + ROWS_PER_STATEMENT);
    await client.query(
      `INSERT INTO cells (array_id, morton, active, value, ts)
       SELECT * FROM unnest($1::int[], $2::bigint[], $3::boolean[], $4::float8[], $5::bigint[])
       ON CONFLICT (array_id, morton) DO UPDATE SET active = excluded.active, value = excluded.value, ts = excluded.ts`,
      [part.map((c) => c.array), part.map((c) => c.morton), part.map((c) => c.active), part.map((c) => floatText(c.value)), part.map((c) => c.timestamp)],
    );
  }
}

/** A cube record replaces the stored one only at the same origin (see upsertArrays). */
async function upsertCubes(client: pg.ClientBase, cubes: readonly CubeRecord[], creator: string): Promise<void> {
  const rows = [...new Map(cubes.map((c) => [c.id, c])).values()];
  if (rows.length === 0) return;
  const r = await client.query<{ id: number }>(
    `INSERT INTO cubes (id, record, creator) SELECT *, $3 FROM unnest($1::int[], $2::jsonb[])
     ON CONFLICT (id) DO UPDATE SET record = excluded.record
     WHERE cubes.record->'x' = excluded.record->'x' AND cubes.record->'y' = excluded.record->'y' AND cubes.record->'z' = excluded.record->'z'
     RETURNING id`,
    [rows.map((c) => c.id), rows.map((c) => JSON.stringify(c)), creator],
  );
  refuseOthers('cube', rows.map((c) => c.id), r.rows);
}

/** Last writer wins: κ is a model's state, not an identity another writer could own. */
async function upsertLlmKappas(client: pg.ClientBase, rows: readonly LlmKappaRow[]): Promise<void> {
  const latest = [...new Map(rows.map((k) => [k.morton, k.kappa])).entries()];
  if (latest.length === 0) return;
  await client.query(
    `INSERT INTO llm_kappas (morton, kappa) SELECT * FROM unnest($1::bigint[], $2::float8[])
     ON CONFLICT (morton) DO UPDATE SET kappa = excluded.kappa`,
    [latest.map(([m]) => m), latest.map(([, k]) => floatText(k))],
  );
}

/** Last writer wins, as for κ: a lesson is a model's state. */
async function upsertLlmLessons(client: pg.ClientBase, rows: readonly LlmLessonRow[]): Promise<void> {
  const latest = [...new Map(rows.map((l) => [l.morton, l.lesson])).entries()];
  if (latest.length === 0) return;
  await client.query(
    `INSERT INTO llm_lessons (morton, lesson) SELECT * FROM unnest($1::bigint[], $2::bytea[])
     ON CONFLICT (morton) DO UPDATE SET lesson = excluded.lesson`,
    [latest.map(([m]) => m), latest.map(([, l]) => Buffer.from(l.buffer, l.byteOffset, l.byteLength))],
  );
}

function refuseOthers(kind: string, ids: readonly number[], written: readonly { id: number }[]): void {
  if (written.length === ids.length) return;
  const done = new Set(written.map((w) => w.id));
  const other = ids.find((id) => !done.has(id));
  throw new CoreError('STORE_FAILED', `${kind} ${String(other)} is stored with another definition (another writer's); not overwritten`);
}

/** Cubes stored before cube_claims existed get their claims, so allocateId never hands out their ids or origins. */
async function claimLegacyCubes(client: pg.ClientBase): Promise<void> {
  const r = await client.query<{ id: number; x: number; y: number; z: number }>(
    `SELECT id, (record->>'x')::int AS x, (record->>'y')::int AS y, (record->>'z')::int AS z FROM cubes
     WHERE id NOT IN (SELECT id FROM cube_claims)`,
  );
  if (r.rows.length === 0) return;
  await client.query(
    'INSERT INTO cube_claims (origin, id) SELECT * FROM unnest($1::bigint[], $2::int[]) ON CONFLICT DO NOTHING',
    [r.rows.map((c) => mortonEncode(c.x, c.y, c.z)), r.rows.map((c) => c.id)],
  );
}

const STATES: ReadonlySet<string> = new Set(PACKML_STATES);

function toArrayRow(r: { id: number; x: number; y: number; z: number; template: boolean; template_id: number | null; state: string | null }): ArrayRow {
  const row = { id: r.id, x: r.x, y: r.y, z: r.z, template: r.template, templateId: r.template_id };
  if (r.state === null) return row;
  if (!STATES.has(r.state)) throw new CoreError('CORRUPT', `array ${r.id} has unknown state "${r.state}"`);
  return { ...row, state: r.state as PackMlState };
}

function toCellRow(row: CellDbRow): CellRow {
  return { array: row.array_id, morton: Number(row.morton), active: row.active, value: row.value, timestamp: Number(row.ts) };
}

function toEntry(row: LedgerDbRow): LedgerEntry {
  if (!isLedgerOp(row.op)) throw new CoreError('CORRUPT', `ledger entry ${row.idx} has unknown op ${row.op}`);
  return {
    index: Number(row.idx),
    op: row.op,
    array: row.array_id,
    x: row.x,
    y: row.y,
    z: row.z,
    value: row.value,
    timestamp: Number(row.ts),
    prevHash: Uint8Array.from(row.prev_hash),
    hash: Uint8Array.from(row.hash),
  };
}

function inBox(morton: number, min: Xyz, max: Xyz): boolean {
  const x = mortonX(morton);
  const y = mortonY(morton);
  const z = mortonZ(morton);
  return x >= min.x && x <= max.x && y >= min.y && y <= max.y && z >= min.z && z <= max.z;
}

/** String(-0) is "0": keep the sign, since a cell's leaf hash covers the f64 bits. */
function floatText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
