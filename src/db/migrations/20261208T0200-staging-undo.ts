import type { Kysely } from 'kysely';

/**
 * What an import staged on SQLite changes while it is applied a chunk at a time
 * (src/db/staged-apply.ts): for each chunk, the rows as they were before it, written in the
 * chunk's own transaction. If the process stops before the apply's last transaction, the next
 * start puts them back (src/db/staging-undo.ts), so that nothing of the import stays. The last
 * transaction marks the apply `committed`; its rows are deleted after it. PostgreSQL applies an
 * import in one transaction and never writes here; the table exists on both for one schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('staging_undo')
    .addColumn('area', 'varchar(40)', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('part', 'varchar(20)', (c) => c.notNull())
    .addColumn('row', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('staging_undo_area_idx')
    .on('staging_undo')
    .columns(['area', 'part'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('staging_undo').execute();
}
