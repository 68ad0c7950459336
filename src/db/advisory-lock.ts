import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Runs `work` while holding a PostgreSQL advisory lock named `name` (per database), so that nodes
 * starting together do it one after the other; on SQLite, which one process owns, it just runs.
 *
 * The lock is session-level, held by one pooled connection that does nothing else while `work`
 * uses the others (the pool needs at least two). A node that dies while holding it loses its
 * session, and with it the lock: the next node waiting goes on.
 */
export async function whileLocked<T>(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any schema
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return work();
  return db.connection().execute(async (holder) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(holder);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(holder);
    }
  });
}
