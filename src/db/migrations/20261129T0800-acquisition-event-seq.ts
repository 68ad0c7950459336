import { sql, type Kysely } from 'kysely';

/**
 * The acquisition's event sequence gets a column of its own (it shared `row_version` until now),
 * carried on from the row version so that no sequence number is issued twice. The stored
 * completeness goes: it is worked out from the required and satisfied counts when read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('acquisitions')
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`update acquisitions set event_seq = row_version`.execute(db);
  await db.schema.alterTable('acquisitions').dropColumn('completeness').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('acquisitions')
    .addColumn('completeness', 'double precision', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`update acquisitions set completeness = case when required_fields = 0 then 1.0 else cast(satisfied_fields as double precision) / required_fields end`.execute(
    db,
  );
  await sql`update acquisitions set row_version = event_seq where event_seq > row_version`.execute(
    db,
  );
  await db.schema.alterTable('acquisitions').dropColumn('event_seq').execute();
}
