import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { ownDatabase } from '../test/own-database.js';
import { waitFor } from '../test/listener.js';
import { connectDatabase, type DatabaseHandle } from './connect.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';

const postgres = dialects.includes('postgres');

describe.skipIf(!postgres)('migrations of nodes starting together on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const freshDatabase = async () => {
    const folder = await mkdtemp(join(tmpdir(), 'intake-migrate-'));
    const own = await ownDatabase('postgres', folder);
    cleanups.push(async () => {
      await own.drop();
      await rm(folder, { recursive: true, force: true });
    });
    return own.url;
  };
  const connect = (url: string): DatabaseHandle => {
    const handle = connectDatabase(url, { poolSize: 3 });
    cleanups.push(() => handle.close());
    return handle;
  };

  it('lets five migrators started at once on a fresh database all succeed, each migration run once', async () => {
    const url = await freshDatabase();
    const nodes = Array.from({ length: 5 }, () => connect(url));
    const outcomes = await Promise.allSettled(nodes.map((n) => migrateToLatest(n.db, n.schema)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('fulfilled'));
    expect(await pendingMigrations(nodes[0]!.db, 'public')).toEqual([]);
    const runs = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(nodes[0]!.db);
    const names = runs.rows.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    // One row per migration: a second run of any would have failed on the tables it creates.
    expect(names.length).toBeGreaterThan(10);
    const tables = await nodes[0]!.db.introspection.getTables();
    expect(tables.filter((t) => t.schema === 'public').map((t) => t.name)).toContain('records');
  });

  it('waits while another node holds the migration lock, then finds the schema as that node left it', async () => {
    const url = await freshDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query(`select pg_advisory_lock(hashtext('intake.migrate:public'))`);
    const node = connect(url);
    const migrating = migrateToLatest(node.db, node.schema);
    // The migrator's session is queued behind the lock (pg_locks shows it not granted).
    await waitFor(async () => {
      const waiting = await holder.query(
        `select 1 from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
      );
      return waiting.rowCount === 1;
    }, 10_000);
    const before = await holder.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    expect(before.rows[0]?.n).toBe(0);
    await holder.query(`select pg_advisory_unlock(hashtext('intake.migrate:public'))`);
    await migrating;
    expect(await pendingMigrations(node.db, 'public')).toEqual([]);
  });
});
