import type pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Arbitrary constant: the transaction-scoped advisory lock that serialises bridges migrating at once. */
const MIGRATION_LOCK = 0x4b6f6e6f;

/**
 * Applies every migration not yet recorded in `konomi_migrations`, in version order, in one
 * transaction under an advisory lock: several bridges starting together migrate once, and a
 * failure leaves the schema as it was. Returns the versions applied now.
 */
export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS konomi_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM konomi_migrations')).rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO konomi_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
