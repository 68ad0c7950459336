import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '../db/connect.js';
import { TEST_POSTGRES_URL } from './postgres-probe.js';

/**
 * A whole database of its own for tests that start Intake as it runs in production (one URL, the
 * public schema): an SQLite file in `folder`, or a new PostgreSQL database that `drop` removes.
 */
export async function ownDatabase(
  dialect: DialectName,
  folder: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite')
    return { url: `sqlite:${join(folder, 'intake.db')}`, drop: async () => {} };
  const name = `intake_own_${randomBytes(5).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  return {
    url: TEST_POSTGRES_URL.replace(/\/[^/?]*(\?.*)?$/, `/${name}`),
    drop: () => run(`drop database if exists ${name} with (force)`),
  };
}
