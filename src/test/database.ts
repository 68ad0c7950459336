import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type DatabaseHandle, type DialectName } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { TEST_POSTGRES_URL } from './postgres-probe.js';

/** The dialects this run tests (decided once in global-setup.ts). */
export const dialects: DialectName[] = inject('dialects');

/**
 * A fresh, migrated database of the dialect: a SQLite file in a folder of its own, as Intake runs
 * it (its import worker thread included), or a new PostgreSQL schema; `close()` removes it. Tests
 * never share state.
 */
export async function openTestDatabase(dialect: DialectName): Promise<DatabaseHandle> {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'intake-test-db-'));
    const handle = connectDatabase(`sqlite:${join(folder, 'test.db')}`);
    await migrateToLatest(handle.db, handle.schema);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const handle = connectDatabase(TEST_POSTGRES_URL, { schema, poolSize: 4 });
  await migrateToLatest(handle.db, handle.schema);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

/** Empties every table that belongs to acquisitions (tokens and catalogue snapshots stay). */
export async function clearAcquisitions(handle: DatabaseHandle): Promise<void> {
  for (const table of [
    'findings',
    'record_keys',
    'record_history',
    'outbox_events',
    'follow_ups',
    'interview_calls',
    'access_links',
    'deliveries',
    'tmf_resources',
    'subscriptions',
    'import_findings',
    'imports',
    'records',
    'acquisitions',
  ] as const) {
    await handle.db.deleteFrom(table).execute();
  }
}
