import { performance } from 'node:perf_hooks';
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
 * time, each chunk its own short transaction (some 40 ms), so that other requests' writes go on between them
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

/**
 * How long a chunk's transaction should hold the file: others' writes wait at most about this
 * long. A chunk's size moves halfway toward what the last one's time says (from 200 to 2,000
 * records, 500 first): a chunk's time varies by half from one to the next, and a chunk costs a
 * commit and a look at the acquisition whatever its size.
 */
const CHUNK_TARGET_MS = 40;
const FIRST_CHUNK = 500;
const chunkSizeAfter = (size: number, ms: number) =>
  Math.round(
    Math.min(2000, Math.max(200, (size + (size * CHUNK_TARGET_MS) / Math.max(ms, 1)) / 2)),
  );

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
    for (let from = 0, size = FIRST_CHUNK; from < ids.length;) {
      const chunk = ids.slice(from, from + size);
      from += chunk.length;
      let began = 0;
      await db.transaction().execute(async (trx) => {
        began = performance.now();
        if (!(await area.unchanged(trx))) throw changed();
        await applyChunk(runOn(trx), area, shapes, chunk);
      });
      chunks++;
      size = chunkSizeAfter(chunk.length, performance.now() - began);
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

/** Undo rows per statement when they come back from a statement of the chunk (4 parameters each). */
const UNDO_ROWS = 500;

/** Writes undo rows that a statement returned. */
async function saveUndo(
  run: Run,
  area: StagedTables,
  part: string,
  rows: readonly { row: string }[],
): Promise<void> {
  for (let from = 0; from < rows.length; from += UNDO_ROWS) {
    const some = rows.slice(from, from + UNDO_ROWS);
    await run(
      `insert into main."staging_undo" ("area", "acquisition_id", "part", "row") values ${some.map(() => '(?, ?, ?, ?)').join(', ')}`,
      some.flatMap((r) => [area.id, area.acquisitionId, part, r.row]),
    );
  }
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

  // What the chunk changes, as it is now: the records it updates or deletes, those it creates.
  await undo(
    'record',
    `${rowAsJson(shapes.records, 'r')} from main."records" as r where r."id" in ${chunk}`,
  );
  await undo(
    'created',
    `json_object('id', t."id") from ${own('touched')} as t where t."id" in ${chunk} and not exists (select 1 from main."records" as r where r."id" = t."id")`,
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
  // reference) stay where they are. The undo log keeps the keys removed and added, as returned.
  const removed = (await run(
    `delete from main."record_keys" where "record_id" in ${chunk} and not exists (select 1 from ${own('record_keys')} as s where ${sameKey('s', '"record_keys"')}) returning ${rowAsJson(shapes.keys, '"record_keys"')} as "row"`,
    ids,
  )) as { rows: { row: string }[] };
  const added = (await run(
    `insert into main."record_keys" (${list(shapes.keys)}) select ${list(shapes.keys)} from ${own('record_keys')} as s where s."record_id" in ${chunk} and not exists (select 1 from main."record_keys" as k where ${sameKey('k', 's')}) returning ${rowAsJson(KEY_IDENTITY, '"record_keys"')} as "row"`,
    ids,
  )) as { rows: { row: string }[] };
  await saveUndo(run, area, 'key-removed', removed.rows);
  await saveUndo(run, area, 'key-added', added.rows);
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
