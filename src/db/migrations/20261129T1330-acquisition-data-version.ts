import type { Kysely } from 'kysely';

/**
 * The acquisition's data version: moved by every write that changes its records, findings or
 * totals (the same statement that moves the totals, so it costs no extra lock). Views worked out
 * from all the records, such as the work list, are kept under it and worked out again only when
 * it has moved, on whichever node reads them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('acquisitions')
    .addColumn('data_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('acquisitions').dropColumn('data_version').execute();
}
