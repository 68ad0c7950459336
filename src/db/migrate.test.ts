import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dialects, openTestDatabase } from '../test/database.js';
import { migrateToBottom, migrateToLatest } from './migrate.js';

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
  'record_history',
  'record_keys',
  'records',
  'reminders',
  'secret_reveals',
  'subscriptions',
  'tmf_resources',
];

describe.each(dialects)('migrations on %s', (dialect) => {
  it('run up, down and up again', async () => {
    const handle = await openTestDatabase(dialect);
    try {
      const tables = async () =>
        (await handle.db.introspection.getTables())
          // Other test files' PostgreSQL schemas exist at the same time: only this one counts.
          .filter((t) => handle.schema === undefined || t.schema === handle.schema)
          .map((t) => t.name)
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
});
