import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, temporaryWritesOf, type DatabaseHandle } from './connect.js';
import { migrateToLatest } from './migrate.js';
import type { WriteTurns } from './sqlite-driver.js';

/**
 * Two connections writing one SQLite file, as the request thread and its import worker do: reads
 * outside transactions never wait for one, and the second writer's transactions wait for a turn
 * that the first grants when its own transaction is done.
 */
describe('the SQLite driver for a file two connections write', () => {
  let folder: string;
  let first: DatabaseHandle;
  let second: DatabaseHandle | undefined;
  const url = () => `sqlite:${join(folder, 'test.db')}`;
  const names = async (handle: DatabaseHandle) =>
    (await handle.db.selectFrom('api_tokens').select('name').orderBy('name').execute()).map(
      (r) => r.name,
    );
  const token = (name: string) => ({
    id: name,
    name,
    role: 'admin',
    token_hash: `hash-${name}`,
    created_by: null,
    created_at: new Date().toISOString(),
  });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'intake-driver-'));
    first = connectDatabase(url());
    await migrateToLatest(first.db);
  });
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await first.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A second connection whose turns the first grants (as `ThreadExecution` does for its worker). */
  const secondWriter = () => {
    const turns: WriteTurns = { take: () => first.sqlite!.turnForAnother() };
    second = connectDatabase(url(), { writeTurns: turns });
    return second;
  };

  it('answers a read outside a transaction while a transaction is open, with what was committed', async () => {
    await first.db.insertInto('api_tokens').values(token('kept')).execute();
    let reads: string[] | undefined;
    await first.db.transaction().execute(async (trx) => {
      await trx.insertInto('api_tokens').values(token('pending')).execute();
      // Not behind the transaction: the read-only connection answers at once.
      reads = await names(first);
    });
    expect(reads).toEqual(['kept']);
    expect(await names(first)).toEqual(['kept', 'pending']);
  });

  it("makes the other connection's transaction wait for its turn, and this one's for the turn to end", async () => {
    const other = secondWriter();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    const mine = first.db.transaction().execute(async (trx) => {
      await trx.insertInto('api_tokens').values(token('a')).execute();
      await held;
      order.push('first committed');
    });
    const theirs = other.db.transaction().execute(async (trx) => {
      order.push('second began');
      await trx.insertInto('api_tokens').values(token('b')).execute();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The second waits for its turn: nothing of it has begun.
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([mine, theirs]);
    expect(order).toEqual(['first committed', 'second began']);
    expect(await names(first)).toEqual(['a', 'b']);
  });

  it('writes the temporary tables of a connection without a turn, and reads them on its writer', async () => {
    const other = secondWriter();
    const local = temporaryWritesOf(other.db);
    expect(local).not.toBe(other.db);
    let released = false;
    // This side holds the writer: a write of the file by the other would wait for it.
    const release = await first.sqlite!.turnForAnother();
    try {
      await sql`create temp table scratch (n integer)`.execute(local);
      await local.transaction().execute(async (trx) => {
        await sql`insert into scratch values (1), (2)`.execute(trx);
      });
      const { rows } = await sql<{ n: number }>`select count(*) as n from scratch`.execute(local);
      expect(rows[0]!.n).toBe(2);
      const waiting = other.db
        .insertInto('api_tokens')
        .values(token('c'))
        .execute()
        .then(() => expect(released).toBe(true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      released = true;
      release();
      await waiting;
    } finally {
      if (!released) release();
    }
    expect(await names(first)).toEqual(['c']);
  });
});
