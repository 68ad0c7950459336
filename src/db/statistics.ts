import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgresDb } from './bulk.js';
import type { Database } from './schema.js';

/** Below this many rows a table's plans do not depend on its statistics. */
const SMALL_TABLE = 1000;
/** The share of rows changed since the last ANALYZE past which statistics are stale (as autovacuum's default). */
const STALE_SHARE = 0.1;

/**
 * On PostgreSQL, analyzes those of the tables whose planner statistics are missing or stale, so
 * that a large write that follows finds its rows by index. Without statistics the planner takes
 * `record_id in (… 500 ids …)` to match most of `record_keys` and scans the whole table: an import
 * into an acquisition opened a moment ago (before autovacuum, or with it off) spent 16 s of 53 s
 * scanning. Call it outside a transaction: ANALYZE holds its lock until the transaction ends. Does
 * nothing on SQLite, whose planner does not need them for these look-ups.
 */
export async function refreshStaleStatistics(
  db: Kysely<Database>,
  tables: readonly (keyof Database)[],
): Promise<void> {
  if (!isPostgresDb(db) || tables.length === 0) return;
  const { rows } = await db.executeQuery<{
    relname: string;
    rows: string | number;
    changed: string | number;
    analyzed: boolean;
  }>(
    CompiledQuery.raw(
      `select relname, n_live_tup as rows, n_mod_since_analyze as changed,
              (last_analyze is not null or last_autoanalyze is not null) as analyzed
         from pg_stat_user_tables where schemaname = current_schema() and relname = any($1)`,
      [tables],
    ),
  );
  for (const t of rows) {
    const changed = Number(t.changed);
    const size = Math.max(Number(t.rows), changed);
    if (size < SMALL_TABLE) continue;
    if (t.analyzed && changed <= STALE_SHARE * size) continue;
    await db.executeQuery(CompiledQuery.raw(`analyze "${t.relname}"`));
  }
}
