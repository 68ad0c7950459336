import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/connect.js';

/** What a refused request must leave exactly as it was: every table, and the data folder. */
export interface StoreDigest {
  /** Per table: row count and a hash of its rows (in any order). */
  tables: Record<string, string>;
  /** Per file under the data folder: its size. */
  files: Record<string, number>;
  /** Rows in all tables together. */
  rows: number;
}

/**
 * Tables a refused request is meant to change: on PostgreSQL the throttle counts every counted
 * request, refused ones included (a wrong token is what it counts), so that every node sees them.
 */
const BOOKKEEPING = new Set(['rate_counters']);

/** The tables of the handle's database (on PostgreSQL, of its own schema only), but bookkeeping. */
export async function tablesOf(handle: DatabaseHandle): Promise<string[]> {
  const tables = await handle.db.introspection.getTables();
  return tables
    .filter((t) => handle.dialect !== 'postgres' || t.schema === handle.schema)
    .filter((t) => !BOOKKEEPING.has(t.name))
    .map((t) => t.name)
    .sort();
}

/**
 * A digest of every row of every table and of every file under `dataDir`. Two digests are equal
 * when nothing was stored, changed or removed in between.
 */
export async function digestStore(
  handle: DatabaseHandle,
  tables: string[],
  dataDir: string,
): Promise<StoreDigest> {
  const digest: StoreDigest = { tables: {}, files: {}, rows: 0 };
  // The tables are read at once (PostgreSQL runs them on its pool), then hashed in order.
  const contents = await Promise.all(
    tables.map(
      async (table) =>
        (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(handle.db))
          .rows,
    ),
  );
  tables.forEach((table, i) => {
    const rows = contents[i]!;
    const lines = rows.map((row) => JSON.stringify(row, (_k, v: unknown) => plain(v))).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    digest.rows += rows.length;
    digest.tables[table] = `${rows.length} rows, ${hash.digest('hex').slice(0, 16)}`;
  });
  for (const file of await filesUnder(dataDir)) {
    digest.files[relative(dataDir, file)] = (await stat(file)).size;
  }
  return digest;
}

const plain = (v: unknown) => (typeof v === 'bigint' ? String(v) : v);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
