import type { Kysely } from 'kysely';

/** The audit log of secret values shown in clear: who, when, where; never the value. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_reveals')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('acquisition_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('entity', 'varchar(64)', (c) => c.notNull())
    .addColumn('field', 'varchar(64)', (c) => c.notNull())
    .addColumn('record_id', 'varchar(36)')
    .addColumn('channel', 'varchar(20)', (c) => c.notNull())
    .addColumn('actor', 'varchar(200)', (c) => c.notNull())
    .addColumn('token_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('secret_reveals_acquisition_idx')
    .on('secret_reveals')
    .columns(['acquisition_id', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('secret_reveals').execute();
}
