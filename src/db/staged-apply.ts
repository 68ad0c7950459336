import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import {
  columnsOf,
  forgetApply,
  KEY_IDENTITY,
  rowAsJson,
  runOn,
  undoApply,
  type Run,
} from './staging-undo.js';

/**
 * Applying an import staged on SQLite (`sqlite-staging.ts`) to the tables, a chunk of records at a
 * time, each chunk its own short transaction, so that other requests' writes go on between them
 * (one transaction for a hundred thousand records held every write of the process for seconds).
 * It still becomes visible all at once: requests about the acquisition wait while it is applied
 * (`afterStagedApply`), and what a chunk changes is saved first in the undo log, in the chunk's
 * own transaction (`staging-undo.ts`). The last transaction moves the acquisition's totals and
 * version, runs what the import commits with (its event, the job's outcome) and marks the apply
 * committed. An apply that fails before it is undone at once; one the process did not finish, at
 * the next start.
 */

/** What the apply reads of a staging area. */
export interface StagedTables {
  /** The area's id, unique across starts: its rows in the undo log. */
  readonly id: string;
  readonly acquisitionId: string;
  /** The quoted name of a table's staging copy. */
  name(table: string): string;
  /** False when anyone changed the acquisition since its rows were copied. */
  unchanged(db: Kysely<Database>): Promise<boolean>;
  /** Moves the acquisition's totals and data version to the staged ones. */
  applyAcquisition(run: Run): Promise<void>;
}

/** Records per chunk: some 20–40 ms of writing each on this machine kind. */
export const APPLY_CHUNK_RECORDS = 500;

/** Columns of a record that no write changes once it is stored: the update leaves them (and their indexes) alone. */
const FIXED_RECORD_COLUMNS = new Set(['id', 'acquisition_id', 'entity', 'slot', 'created_at']);

/** The table shapes a chunk needs, read once per apply. */
interface Shapes {
  records: string[];
  keys: string[];
  findings: string[];
}

/**
 * Applies the staged area to the tables (see above); `last` runs inside the final transaction.
 * Throws `changed()` when the acquisition was changed by anyone else meanwhile, with nothing of
 * the import left in the tables.
 */
export async function applyStaged(
  db: Kysely<Database>,
  area: StagedTables,
  changed: () => Error,
  last: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const shapes: Shapes = {
    records: await columnsOf(db, 'records'),
    keys: await columnsOf(db, 'record_keys'),
    findings: await columnsOf(db, 'findings'),
  };
  // In the order the records lie in the table (new ones last): a chunk then writes pages of its
  // own, where chunks in id order each wrote pages all over the table.
  const { rows } = (await runOn(db)(
    `select t."id" as "id" from ${area.name('touched')} as t left join main."records" as r on r."id" = t."id" order by r.rowid is null, r.rowid`,
  )) as { rows: { id: string }[] };
  const ids = rows.map((r) => r.id);
  let chunks = 0;
  try {
    for (let from = 0; from < ids.length; from += APPLY_CHUNK_RECORDS) {
      const chunk = ids.slice(from, from + APPLY_CHUNK_RECORDS);
      await db.transaction().execute(async (trx) => {
        if (!(await area.unchanged(trx))) throw changed();
        await applyChunk(runOn(trx), area, shapes, chunk);
      });
      chunks++;
      // Other requests run between chunks (a statement's promise settles at once on SQLite:
      // only a turn of the event loop lets them in).
      await setImmediate();
    }
    await db.transaction().execute(async (trx) => {
      if (!(await area.unchanged(trx))) throw changed();
      const run = runOn(trx);
      await area.applyAcquisition(run);
      await last(trx);
      await run(
        `insert into main."staging_undo" ("area", "acquisition_id", "part", "row") values (?, ?, 'committed', '{}')`,
        [area.id, area.acquisitionId],
      );
    });
  } catch (error) {
    if (chunks > 0) await undoApply(db, area.id);
    throw error;
  }
  await forgetApply(db, area.id);
}

/** Saves, then applies, the touched records `ids`. */
async function applyChunk(
  run: Run,
  area: StagedTables,
  shapes: Shapes,
  ids: readonly string[],
): Promise<void> {
  const own = (table: string) => area.name(table);
  const chunk = `(${ids.map(() => '?').join(', ')})`;
  const undo = (part: string, select: string) =>
    run(
      `insert into main."staging_undo" ("area", "acquisition_id", "part", "row") select ?, ?, ?, ${select}`,
      [area.id, area.acquisitionId, part, ...ids],
    );
  const sameKey = (a: string, b: string) =>
    KEY_IDENTITY.map((c) => `${a}."${c}" = ${b}."${c}"`).join(' and ');
  const list = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');

  // What the chunk changes, as it is now.
  await undo(
    'touched',
    `json_object('id', t."id", 'version', coalesce(r."version", 0)) from ${own('touched')} as t left join main."records" as r on r."id" = t."id" where t."id" in ${chunk}`,
  );
  await undo(
    'record',
    `${rowAsJson(shapes.records, 'r')} from main."records" as r where r."id" in ${chunk}`,
  );
  await undo(
    'key-removed',
    `${rowAsJson(shapes.keys, 'k')} from main."record_keys" as k where k."record_id" in ${chunk} and not exists (select 1 from ${own('record_keys')} as s where ${sameKey('s', 'k')})`,
  );
  await undo(
    'key-added',
    `${rowAsJson(KEY_IDENTITY, 's')} from ${own('record_keys')} as s where s."record_id" in ${chunk} and not exists (select 1 from main."record_keys" as k where ${sameKey('k', 's')})`,
  );
  await undo(
    'finding',
    `${rowAsJson(shapes.findings, 'f')} from main."findings" as f where f."record_id" in ${chunk}`,
  );

  // The records: deleted, updated (but for the columns that never change) and created.
  const sets = shapes.records
    .filter((c) => !FIXED_RECORD_COLUMNS.has(c))
    .map((c) => `"${c}" = s."${c}"`)
    .join(', ');
  await run(
    `delete from main."records" where "id" in ${chunk} and not exists (select 1 from ${own('records')} as s where s."id" = "records"."id")`,
    ids,
  );
  await run(
    `update main."records" set ${sets} from ${own('records')} as s where s."id" = "records"."id" and s."id" in ${chunk}`,
    ids,
  );
  await run(
    `insert into main."records" (${list(shapes.records)}) select ${list(shapes.records)} from ${own('records')} as s where s."id" in ${chunk} and not exists (select 1 from main."records" as r where r."id" = s."id")`,
    ids,
  );
  // Keys by their identity (as the capture engine replaces them): those a record keeps (its site
  // reference) stay where they are.
  await run(
    `delete from main."record_keys" where "record_id" in ${chunk} and not exists (select 1 from ${own('record_keys')} as s where ${sameKey('s', '"record_keys"')})`,
    ids,
  );
  await run(
    `insert into main."record_keys" (${list(shapes.keys)}) select ${list(shapes.keys)} from ${own('record_keys')} as s where s."record_id" in ${chunk} and not exists (select 1 from main."record_keys" as k where ${sameKey('k', 's')})`,
    ids,
  );
  await run(`delete from main."findings" where "record_id" in ${chunk}`, ids);
  await run(
    `insert into main."findings" (${list(shapes.findings)}) select ${list(shapes.findings)} from ${own('findings')} where "record_id" in ${chunk}`,
    ids,
  );
  await run(
    `insert into main."record_history" select * from ${own('record_history')} where "record_id" in ${chunk}`,
    ids,
  );
}
