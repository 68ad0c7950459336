import type { Kysely } from 'kysely';

/**
 * The id of the secret key the nodes on this database seal with (src/secrets/shared-key.ts): the
 * first node to start stores it, and every later start compares its own key's id with it. One
 * row, named 'sealing'; never the key itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_key_check')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('key_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('secret_key_check').execute();
}
