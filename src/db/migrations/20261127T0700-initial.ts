import type { Kysely } from 'kysely';

/** Tokens, catalogue snapshots and acquisitions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('role', 'varchar(20)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_by', 'varchar(100)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(30)')
    .execute();
  await db.schema
    .createTable('catalog_versions')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('file_versions', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('acquisitions')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('proposal_reference', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('proposal_format', 'varchar(20)', (c) => c.notNull())
    .addColumn('customer_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('catalog_version_id', 'varchar(40)', (c) =>
      c.notNull().references('catalog_versions.id'),
    )
    .addColumn('proposal', 'text', (c) => c.notNull())
    .addColumn('completeness', 'double precision', (c) => c.notNull())
    .addColumn('required_fields', 'integer', (c) => c.notNull())
    .addColumn('satisfied_fields', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('row_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('acquisitions_state_idx')
    .on('acquisitions')
    .column('state')
    .execute();
  await db.schema
    .createIndex('acquisitions_created_idx')
    .on('acquisitions')
    .columns(['created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('acquisitions').execute();
  await db.schema.dropTable('catalog_versions').execute();
  await db.schema.dropTable('api_tokens').execute();
}
