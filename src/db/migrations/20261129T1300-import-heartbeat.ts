import type { Kysely } from 'kysely';

/** A running import's lease (src/spreadsheets/import-lease.ts): when its node last renewed it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('heartbeat_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('heartbeat_at').execute();
}
