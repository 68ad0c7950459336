import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDatabase } from '../test/database.js';
import { bulkInsert, bulkUpdate, replaceOwnedRows } from './bulk.js';
import type { DatabaseHandle } from './connect.js';

/** Text COPY must escape, and text it must leave alone. */
const TRICKY = ['tab\there', 'line\nbreak', 'cr\rlf\r\n', 'back\\slash \\N', '\\.', 'ünï 🙂', ''];

const text = (i: number) => `${TRICKY[i % TRICKY.length]}#${i}`;

// 60 rows go through COPY on PostgreSQL (inside a transaction), 3 through plain statements.
describe.each(dialects)('bulk writes on %s', (dialect) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase(dialect);
  });
  afterAll(() => handle.close());

  it.each([60, 3])('insert and update %i rows exactly, nulls and escapes included', async (n) => {
    const ids = Array.from({ length: n }, (_, i) => `e${n}-${i}`);
    await handle.db.transaction().execute(async (trx) => {
      await bulkInsert(
        trx,
        'outbox_events',
        ['id', 'aggregate_type', 'aggregate_id', 'sequence', 'event_type', 'payload', 'created_at'],
        ids.map((id, i) => [id, 'record', text(i), i, 'x', text(i + 1), '2026-11-29']),
      );
      // Every third row is not at the version the update expects: it is left, and not returned.
      const updated = await bulkUpdate(
        trx,
        'outbox_events',
        ['payload', 'sequence'],
        ids.map((id, i) => ({ id, values: [text(i + 2), i + 100] })),
        { onlyIf: { column: 'sequence', values: ids.map((_, i) => (i % 3 === 0 ? -1 : i)) } },
      );
      expect(new Set(updated)).toEqual(new Set(ids.filter((_, i) => i % 3 !== 0)));
    });
    const rows = await handle.db
      .selectFrom('outbox_events')
      .select(['id', 'aggregate_id', 'payload', 'sequence'])
      .where('id', 'in', ids)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    ids.forEach((id, i) => {
      const kept = i % 3 === 0;
      expect(byId.get(id)).toEqual({
        id,
        aggregate_id: text(i),
        payload: text(kept ? i + 1 : i + 2),
        sequence: kept ? i : i + 100,
      });
    });
  });

  it.each([60, 3])('replace the keys of %i records, leaving those that stay', async (n) => {
    const key = (owner: string, value: string) => [owner, 'unique:x', value, 'global', 'a'];
    const owners = Array.from({ length: n }, (_, i) => `k${n}-${i}`);
    await bulkInsert(
      handle.db,
      'record_keys',
      ['record_id', 'kind', 'key_value', 'scope', 'acquisition_id'],
      owners.flatMap((o, i) => [key(o, 'stays'), key(o, `old ${text(i)}`)]),
    );
    const other = `k${n}-new`;
    await handle.db.transaction().execute((trx) =>
      replaceOwnedRows(trx, 'record_keys', {
        owners,
        identity: ['record_id', 'kind', 'key_value'],
        columns: ['record_id', 'kind', 'key_value', 'scope', 'acquisition_id'],
        rows: [
          ...owners.flatMap((o, i) => [key(o, 'stays'), key(o, `new ${text(i)}`)]),
          key(other, 'added'),
        ],
      }),
    );
    const stored = await handle.db
      .selectFrom('record_keys')
      .select(['record_id', 'key_value'])
      .where('record_id', 'in', [...owners, other])
      .execute();
    const expected = [
      ...owners.flatMap((o, i) => [`${o}|stays`, `${o}|new ${text(i)}`]),
      `${other}|added`,
    ];
    expect(stored.map((r) => `${r.record_id}|${r.key_value}`).sort()).toEqual(expected.sort());
  });
});
