import { setImmediate } from 'node:timers/promises';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The undo log of an import applied a chunk at a time on SQLite (`staged-apply.ts`): each chunk's
 * transaction first saves, in `staging_undo`, the rows it is about to change as they are, so
 * that an apply that does not reach its last transaction can be undone, at once when it fails,
 * or at the next start when the process stopped. The last transaction marks it `committed`.
 */

/** The statements of one transaction, or of none: raw SQL with its parameters. */
export type Run = (text: string, parameters?: readonly unknown[]) => Promise<unknown>;

export const runOn =
  (db: Kysely<Database>): Run =>
  (text, parameters = []) =>
    db.executeQuery(CompiledQuery.raw(text, [...parameters]));

/** The columns of a table of the main database, in their order. */
export async function columnsOf(db: Kysely<Database>, table: string): Promise<string[]> {
  const { rows } = await db.executeQuery<{ name: string }>(
    CompiledQuery.raw(`select "name" from pragma_table_info(?, 'main') order by "cid"`, [table]),
  );
  return rows.map((r) => r.name);
}

/** `json_object('c1', alias."c1", …)`: a row of `columns` as JSON, as the undo log keeps it. */
export const rowAsJson = (columns: readonly string[], alias: string) =>
  `json_object(${columns.map((c) => `'${c}', ${alias}."${c}"`).join(', ')})`;

/** `json_extract(row, '$."c1"'), …`: the columns back out of an undo row. */
const columnsFromJson = (columns: readonly string[]) =>
  columns.map((c) => `json_extract("row", '$."${c}"')`).join(', ');

/** The same key: its record, kind and value (the key table's primary key). */
export const KEY_IDENTITY = ['record_id', 'kind', 'key_value'] as const;

/**
 * Puts back what an apply changed, in one transaction: the records it touched as they were (those
 * it created are deleted), their keys and findings, and no history of theirs past the versions they
 * had. Then forgets the apply.
 */
export async function undoApply(db: Kysely<Database>, area: string): Promise<void> {
  // Named in the statements below: an area is always one of ours (a UUID).
  if (!/^[0-9a-f-]{36}$/.test(area)) throw new Error(`not a staging area: ${area.slice(0, 40)}`);
  await db.transaction().execute(async (trx) => {
    const run = runOn(trx);
    const of = (part: string, select: string) =>
      `(select ${select} from "staging_undo" where "area" = '${area}' and "part" = '${part}')`;
    // The records it touched: those it updated or deleted (saved as they were), those it created.
    const touched = `(select json_extract("row", '$.id') from "staging_undo" where "area" = '${area}' and "part" in ('record', 'created'))`;
    const records = await columnsOf(trx, 'records');
    const keys = await columnsOf(trx, 'record_keys');
    const findings = await columnsOf(trx, 'findings');
    const restore = (table: string, columns: readonly string[], part: string) =>
      run(
        `insert into main."${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select ${columnsFromJson(columns)} from "staging_undo" where "area" = ? and "part" = ?`,
        [area, part],
      );
    await run(`delete from main."records" where "id" in ${touched}`);
    await restore('records', records, 'record');
    await run(
      `delete from main."record_keys" where (${KEY_IDENTITY.map((c) => `"${c}"`).join(', ')}) in ${of('key-added', columnsFromJson(KEY_IDENTITY))}`,
    );
    await restore('record_keys', keys, 'key-removed');
    await run(`delete from main."findings" where "record_id" in ${touched}`);
    await restore('findings', findings, 'finding');
    // History past the versions the records had; all of that of the records it created.
    await run(
      `delete from main."record_history" where rowid in (select h.rowid from "staging_undo" as u join main."record_history" as h on h."record_id" = json_extract(u."row", '$.id') and h."record_version" > coalesce(json_extract(u."row", '$.version'), 0) where u."area" = ? and u."part" in ('record', 'created'))`,
      [area],
    );
    await run(`delete from "staging_undo" where "area" = ?`, [area]);
  });
}

/** Rows of the undo log deleted per statement once an apply committed: each a short transaction. */
const FORGET_ROWS = 20_000;

/** Deletes the undo log of a committed apply, a short statement at a time. */
export async function forgetApply(db: Kysely<Database>, area: string): Promise<void> {
  const run = runOn(db);
  for (;;) {
    const result = (await run(
      `delete from "staging_undo" where rowid in (select rowid from "staging_undo" where "area" = ? limit ${FORGET_ROWS})`,
      [area],
    )) as { numAffectedRows?: bigint };
    if (Number(result.numAffectedRows ?? 0) < FORGET_ROWS) return;
    // A statement's promise settles at once on SQLite: only a turn of the event loop lets others in.
    await setImmediate();
  }
}

/**
 * At start, before any import runs again: undoes every apply the last process left unfinished
 * (an interrupted job is then run again from its upload) and forgets the committed ones. Returns
 * how many were undone. Nothing on PostgreSQL, whose imports commit in one transaction.
 */
export async function recoverStagedApplies(db: Kysely<Database>): Promise<number> {
  const { rows } = await db.executeQuery<{ area: string; committed: number }>(
    CompiledQuery.raw(
      `select "area", max(case when "part" = 'committed' then 1 else 0 end) as "committed" from "staging_undo" group by "area"`,
    ),
  );
  let undone = 0;
  for (const { area, committed } of rows) {
    if (Number(committed) === 1) {
      await forgetApply(db, area);
    } else {
      await undoApply(db, area);
      undone++;
    }
  }
  return undone;
}
