import { sql, type Kysely } from 'kysely';

/** Event subscriptions (TMF hubs) and the delivery of each outbox event to each subscriber. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('api', 'varchar(40)', (c) => c.notNull())
    .addColumn('callback', 'varchar(2000)', (c) => c.notNull())
    .addColumn('query', 'varchar(2000)')
    .addColumn('secret', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('deleted_at', 'varchar(30)')
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('subscription_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('aggregate_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'varchar(80)', (c) => c.notNull())
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('delivered_at', 'varchar(30)')
    .execute();
  await db.schema
    .createIndex('deliveries_event_idx')
    .on('deliveries')
    .columns(['subscription_id', 'event_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('deliveries_due_idx')
    .on('deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_chain_idx')
    .on('deliveries')
    .columns(['subscription_id', 'aggregate_id', 'status', 'sequence'])
    .execute();

  await db.schema.alterTable('outbox_events').addColumn('dispatched_at', 'varchar(30)').execute();
  await sql`create index outbox_undispatched_idx on outbox_events (created_at) where dispatched_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index outbox_undispatched_idx`.execute(db);
  await db.schema.alterTable('outbox_events').dropColumn('dispatched_at').execute();
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('subscriptions').execute();
}
