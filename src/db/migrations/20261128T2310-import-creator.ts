import type { Kysely } from 'kysely';

/**
 * Who started an import: the id of the staff token or customer link. A link sees only the imports
 * it made itself; imports from before this column have none, and so are seen by staff alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('created_by', 'varchar(64)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('created_by').execute();
}
