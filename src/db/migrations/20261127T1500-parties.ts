import type { Kysely } from 'kysely';

/** TMF629 customers and TMF632 organizations and individuals, kept as their TMF documents. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tmf_resources')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('resource_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)')
    .addColumn('name', 'varchar(300)')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tmf_resources_type_idx')
    .on('tmf_resources')
    .columns(['resource_type', 'position', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tmf_resources').execute();
}
