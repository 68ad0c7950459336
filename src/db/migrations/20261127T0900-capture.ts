import { sql, type Kysely } from 'kysely';

/** Records, their history, findings, key indexes, the outbox, follow-ups and customer links. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('records')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull().references('acquisitions.id'))
    .addColumn('entity', 'varchar(64)', (c) => c.notNull())
    .addColumn('slot', 'varchar(200)')
    .addColumn('site', 'varchar(100)')
    .addColumn('values', 'text', (c) => c.notNull())
    .addColumn('provenance', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('required_count', 'integer', (c) => c.notNull())
    .addColumn('satisfied_count', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'varchar(40)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('records_acquisition_entity_idx')
    .on('records')
    .columns(['acquisition_id', 'entity', 'id'])
    .execute();
  await sql`create unique index records_slot_idx on records (acquisition_id, slot) where slot is not null`.execute(
    db,
  );

  await db.schema
    .createTable('findings')
    .addColumn('record_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('rule', 'varchar(40)', (c) => c.notNull())
    .addColumn('field', 'varchar(64)', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('entity', 'varchar(64)', (c) => c.notNull())
    .addColumn('severity', 'varchar(10)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('related', 'text')
    .addPrimaryKeyConstraint('findings_pk', ['record_id', 'rule', 'field'])
    .execute();
  await db.schema
    .createIndex('findings_acquisition_idx')
    .on('findings')
    .columns(['acquisition_id', 'severity'])
    .execute();

  await db.schema
    .createTable('record_keys')
    .addColumn('record_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('kind', 'varchar(80)', (c) => c.notNull())
    .addColumn('key_value', 'varchar(400)', (c) => c.notNull())
    .addColumn('scope', 'varchar(160)', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_keys_pk', ['record_id', 'kind', 'key_value'])
    .execute();
  await db.schema
    .createIndex('record_keys_lookup_idx')
    .on('record_keys')
    .columns(['key_value', 'kind', 'scope'])
    .execute();
  await db.schema
    .createIndex('record_keys_acquisition_idx')
    .on('record_keys')
    .columns(['acquisition_id'])
    .execute();

  await db.schema
    .createTable('record_history')
    .addColumn('record_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('record_version', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('entity', 'varchar(64)', (c) => c.notNull())
    .addColumn('field', 'varchar(64)', (c) => c.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('source', 'varchar(20)', (c) => c.notNull())
    .addColumn('source_detail', 'varchar(300)')
    .addColumn('actor', 'varchar(200)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'varchar(30)', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_history_pk', ['record_id', 'record_version', 'seq'])
    .execute();
  await db.schema
    .createIndex('record_history_acquisition_idx')
    .on('record_history')
    .columns(['acquisition_id', 'at'])
    .execute();

  await db.schema
    .createTable('outbox_events')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('aggregate_type', 'varchar(40)', (c) => c.notNull())
    .addColumn('aggregate_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'varchar(80)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('outbox_events_order_idx')
    .on('outbox_events')
    .columns(['created_at', 'id'])
    .execute();

  await db.schema
    .createTable('follow_ups')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull().references('acquisitions.id'))
    .addColumn('record_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('field', 'varchar(64)', (c) => c.notNull())
    .addColumn('due_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('contact', 'varchar(200)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('resolved_at', 'varchar(30)')
    .execute();
  await db.schema
    .createIndex('follow_ups_acquisition_idx')
    .on('follow_ups')
    .columns(['acquisition_id', 'due_date'])
    .execute();

  await db.schema
    .createTable('access_links')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('acquisition_id', 'varchar(40)', (c) => c.notNull().references('acquisitions.id'))
    .addColumn('contact_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('contact_email', 'varchar(254)')
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(30)')
    .execute();

  for (const column of [
    'submitted_at',
    'approved_at',
    'approved_by',
    'customer_confirmation',
    'cancelled_at',
  ]) {
    await db.schema.alterTable('acquisitions').addColumn(column, 'text').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'submitted_at',
    'approved_at',
    'approved_by',
    'customer_confirmation',
    'cancelled_at',
  ]) {
    await db.schema.alterTable('acquisitions').dropColumn(column).execute();
  }
  for (const table of [
    'access_links',
    'follow_ups',
    'outbox_events',
    'record_history',
    'record_keys',
    'findings',
    'records',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
