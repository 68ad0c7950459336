import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { loadConfig } from '../config.js';
import { startIntake } from '../main.js';
import { dialects } from '../test/database.js';
import { ownDatabase } from '../test/own-database.js';
import { backupDatabase, BackupError, restoreDatabase } from './backup.js';
import { connectDatabase } from './connect.js';

const catalogDir = new URL('../../catalog', import.meta.url).pathname;
type Snapshot = Record<string, string[]>;

/** Every table of the database, each as its rows in a stable order. */
async function snapshot(url: string): Promise<Snapshot> {
  const handle = connectDatabase(url);
  try {
    const tables =
      handle.dialect === 'sqlite'
        ? await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
            handle.db,
          )
        : await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(
            handle.db,
          );
    const result: Snapshot = {};
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
        handle.db,
      );
      result[name] = rows.rows.map((r) => JSON.stringify(r)).sort();
    }
    return result;
  } finally {
    await handle.close();
  }
}

describe.each(dialects)('backup and restore on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  const folder = mkdtempSync(join(tmpdir(), 'intake-backups-'));

  beforeAll(async () => {
    database = await ownDatabase(dialect, folder);
  });
  afterAll(() => database.drop());

  it('takes a backup while Intake runs and restores every table exactly', async () => {
    const running = await startIntake(
      loadConfig({
        PORT: '0',
        DATABASE_URL: database.url,
        INTAKE_CATALOG_DIR: catalogDir,
        INTAKE_DATA_DIR: folder,
        INTAKE_LOG_LEVEL: 'silent',
      }),
      () => undefined,
      { secret: () => undefined },
    );
    const file = join(folder, `backup-${dialect}`);
    try {
      await backupDatabase({ url: database.url }, file);
    } finally {
      await running.close();
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = await snapshot(database.url);
    expect(before.acquisitions).toHaveLength(1);
    expect(before.records!.length).toBeGreaterThan(100);
    expect(before.outbox_events!.length).toBeGreaterThan(0);

    // Lose data after the backup: the restore must bring back exactly what the backup held.
    const handle = connectDatabase(database.url);
    await handle.db.deleteFrom('findings').execute();
    await handle.db.deleteFrom('record_history').execute();
    await handle.db.updateTable('records').set({ values: '{}' }).execute();
    await handle.close();
    expect(await snapshot(database.url)).not.toEqual(before);

    await restoreDatabase({ url: database.url }, file);
    expect(await snapshot(database.url)).toEqual(before);
  });

  it('backs up and restores through the command line', async () => {
    const env = { DATABASE_URL: database.url, INTAKE_CATALOG_DIR: catalogDir };
    const out = { log: () => undefined, error: () => undefined };
    const file = join(folder, `cli-${dialect}`);
    const before = await snapshot(database.url);
    expect(await runCli(['backup', file], out, env)).toBe(0);
    const handle = connectDatabase(database.url);
    await handle.db.deleteFrom('api_tokens').execute();
    await handle.close();
    expect(await runCli(['restore', file], out, env)).toBe(0);
    expect(await snapshot(database.url)).toEqual(before);
  });

  it('refuses a file that is not a backup and leaves the database as it was', async () => {
    const before = await snapshot(database.url);
    const bogus = join(folder, `bogus-${dialect}`);
    writeFileSync(bogus, 'name,email\nAda,ada@example.com\n');
    await expect(restoreDatabase({ url: database.url }, bogus)).rejects.toBeInstanceOf(BackupError);
    expect(await snapshot(database.url)).toEqual(before);
  });
});
