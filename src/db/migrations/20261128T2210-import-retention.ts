import type { Kysely } from 'kysely';

/** When an import's files (its report, any upload left) were deleted after the retention period. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('files_removed_at', 'varchar(30)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('files_removed_at').execute();
}
