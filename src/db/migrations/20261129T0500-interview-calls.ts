import type { Kysely } from 'kysely';

/** Interview calls: who at Intake spoke with whom at the customer, when, and the notes they took. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('interview_calls')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('acquisition_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('contact', 'varchar(200)', (c) => c.notNull())
    .addColumn('staff', 'varchar(200)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('ended_at', 'varchar(30)')
    .addColumn('notes', 'text')
    .execute();
  await db.schema
    .createIndex('interview_calls_acquisition_idx')
    .on('interview_calls')
    .columns(['acquisition_id', 'started_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('interview_calls').execute();
}
