import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgresDb } from './bulk.js';
import type { Database } from './schema.js';

let cursors = 0;

/**
 * The rows of a select, a page at a time, read as they are needed: through a cursor on
 * PostgreSQL (inside the transaction `db` is), stepping the statement on SQLite. A query's whole
 * result, a million records of an entity, is never in memory at once.
 */
export async function* rowPages<Row>(
  db: Kysely<Database>,
  query: CompiledQuery,
  pageSize: number,
): AsyncGenerator<Row[]> {
  if (!isPostgresDb(db)) {
    for await (const { rows } of db.getExecutor().stream<Row>(query, pageSize)) yield rows;
    return;
  }
  if (!db.isTransaction)
    throw new Error('rowPages on PostgreSQL reads through a cursor: call it in a transaction');
  const cursor = `row_pages_${++cursors}`;
  await db.executeQuery(
    CompiledQuery.raw(`declare ${cursor} no scroll cursor for ${query.sql}`, [...query.parameters]),
  );
  try {
    for (;;) {
      const { rows } = await db.executeQuery<Row>(
        CompiledQuery.raw(`fetch forward ${pageSize} from ${cursor}`),
      );
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
    }
  } finally {
    await db.executeQuery(CompiledQuery.raw(`close ${cursor}`));
  }
}
