import type { Kysely } from 'kysely';

/** When the customer submitted their part through a link ("submit my part"). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_links').addColumn('submitted_at', 'varchar(40)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_links').dropColumn('submitted_at').execute();
}
