import type { Kysely } from 'kysely';

/**
 * Throttling counters shared by every node on one database: a count per key (an address's failed
 * bearer checks, its link requests) and when its window ends, in milliseconds since the epoch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_counters')
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('window_ends', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_counters_window_idx')
    .on('rate_counters')
    .column('window_ends')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_counters').execute();
}
