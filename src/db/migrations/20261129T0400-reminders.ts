import type { Kysely } from 'kysely';

/**
 * Sending links by email and reminding: when a link was first used and when it was emailed, and
 * the reminders sent (one per kind and subject, so a sweep never sends the same one twice).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_links').addColumn('first_used_at', 'varchar(30)').execute();
  await db.schema.alterTable('access_links').addColumn('emailed_at', 'varchar(30)').execute();
  await db.schema
    .createTable('reminders')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('sent_at', 'varchar(30)', (c) => c.notNull())
    .addUniqueConstraint('reminders_kind_subject_key', ['kind', 'subject_id'])
    .execute();
  // Unused links are looked for by age among those never opened.
  await db.schema
    .createIndex('access_links_unused_idx')
    .on('access_links')
    .columns(['first_used_at', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('access_links_unused_idx').execute();
  await db.schema.dropTable('reminders').execute();
  await db.schema.alterTable('access_links').dropColumn('emailed_at').execute();
  await db.schema.alterTable('access_links').dropColumn('first_used_at').execute();
}
