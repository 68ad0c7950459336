import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dialects, openTestDatabase } from '../test/database.js';
import { migrateTo, migrateToBottom, migrateToLatest } from './migrate.js';

const ALL_TABLES = [
  'access_links',
  'acquisitions',
  'api_tokens',
  'attachments',
  'catalog_versions',
  'deliveries',
  'findings',
  'follow_ups',
  'import_findings',
  'imports',
  'interview_calls',
  'outbox_events',
  'rate_counters',
  'record_history',
  'record_keys',
  'records',
  'reminders',
  'secret_key_check',
  'secret_reveals',
  'staging_undo',
  'subscriptions',
  'tmf_resources',
];

describe.each(dialects)('migrations on %s', (dialect) => {
  it('run up, down and up again', async () => {
    const handle = await openTestDatabase(dialect);
    try {
      // Other test files' PostgreSQL schemas come and go meanwhile: only this one is read (Kysely's
      // introspection reads them all, and fails when one is dropped under it).
      const tables = async () =>
        (handle.schema === undefined
          ? (await handle.db.introspection.getTables()).map((t) => t.name)
          : (
              await sql<{
                name: string;
              }>`select table_name as name from information_schema.tables where table_schema = ${handle.schema}`.execute(
                handle.db,
              )
            ).rows.map((r) => r.name)
        )
          .filter((n) => !n.startsWith('kysely_'))
          .sort();
      expect(await tables()).toEqual(ALL_TABLES);
      await migrateToBottom(handle.db, handle.schema);
      expect(await tables()).toEqual([]);
      await migrateToLatest(handle.db, handle.schema);
      await migrateToLatest(handle.db, handle.schema); // idempotent
      expect(await tables()).toEqual(ALL_TABLES);
      const result = await sql<{ n: number }>`select count(*) as n from acquisitions`.execute(
        handle.db,
      );
      expect(Number(result.rows[0]!.n)).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('gives the acquisition event sequence its own column, carried on from the row version', async () => {
    const handle = await openTestDatabase(dialect);
    const before = '20261129T0500-interview-calls';
    try {
      await migrateTo(handle.db, before, handle.schema);
      await sql`insert into catalog_versions (id, file_versions, document, created_at) values ('c1', '{}', '{}', '2026-11-29T08:00:00Z')`.execute(
        handle.db,
      );
      await sql`insert into acquisitions (id, proposal_reference, proposal_format, customer_name, state, catalog_version_id, proposal, completeness, required_fields, satisfied_fields, created_by, created_at, updated_at, row_version) values ('a1', 'Q-1', 'native', 'Acme', 'collecting', 'c1', '{}', 0.25, 8, 2, 'sales', '2026-11-29T08:00:00Z', '2026-11-29T08:00:00Z', 7)`.execute(
        handle.db,
      );
      await migrateToLatest(handle.db, handle.schema);
      const columns = async () =>
        (await handle.db.introspection.getTables())
          .find(
            (t) =>
              t.name === 'acquisitions' &&
              (handle.schema === undefined || t.schema === handle.schema),
          )!
          .columns.map((c) => c.name);
      expect(await columns()).toContain('event_seq');
      expect(await columns()).not.toContain('completeness');
      const after = await sql<{
        event_seq: number;
        row_version: number;
      }>`select event_seq, row_version from acquisitions`.execute(handle.db);
      expect(after.rows.map((r) => [Number(r.event_seq), Number(r.row_version)])).toEqual([[7, 7]]);
      await sql`update acquisitions set event_seq = 9`.execute(handle.db);
      await migrateTo(handle.db, before, handle.schema);
      const undone = await sql<{
        completeness: number;
        row_version: number;
      }>`select completeness, row_version from acquisitions`.execute(handle.db);
      expect(undone.rows.map((r) => [Number(r.completeness), Number(r.row_version)])).toEqual([
        [0.25, 9],
      ]);
    } finally {
      await handle.close();
    }
  });
});
