import type { Kysely } from 'kysely';

/** What the handover left on an acquisition: the order system's order id, or why it failed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('acquisitions').addColumn('order_id', 'varchar(200)').execute();
  await db.schema.alterTable('acquisitions').addColumn('handover_error', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('acquisitions').dropColumn('handover_error').execute();
  await db.schema.alterTable('acquisitions').dropColumn('order_id').execute();
}
