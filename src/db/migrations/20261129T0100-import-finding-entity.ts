import type { Kysely } from 'kysely';

/** A sheet of a row group fills several entities: each import finding says which one it is on. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('import_findings')
    .addColumn('entity', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('import_findings').dropColumn('entity').execute();
}
