import { CompiledQuery, type Kysely } from 'kysely';
import { CopyRows } from './copy.js';
import type { Database } from './schema.js';

/**
 * From this many rows, PostgreSQL gets them through COPY (into the table, or into a staging table
 * merged with one statement) instead of as parameters: binding thousands of parameters costs more
 * than the write (20–30 ms for 500 records, history rows or keys, against 2–5 ms). Fewer rows (an
 * edit) keep one plain statement, without the staging table's round trips.
 */
export const COPY_FROM_ROWS = 50;

const quote = (names: readonly string[]) => names.map((c) => `"${c}"`).join(',');

const stages = new Map<string, string>();

/**
 * A temporary table for staging `columns` of `table` (the same types, no constraints), created in
 * the transaction unless it already was (dropped at its end), and emptied: the statement text, and
 * the table's name. `as` renames the columns in the staging table.
 */
function stageText(
  table: string,
  columns: readonly string[],
  as: readonly string[] = columns,
): { text: string; stage: string } {
  const key = `${table}|${columns.join(',')}|${as.join(',')}`;
  let stage = stages.get(key);
  if (!stage) {
    stage = `intake_stage_${table}_${stages.size}`;
    stages.set(key, stage);
  }
  const select = columns.map((c, i) => `"${c}" as "${as[i]}"`).join(',');
  return {
    stage,
    // No parameters: sent as one simple query, both statements in one round trip.
    text: `create temp table if not exists "${stage}" on commit drop as select ${select} from "${table}" with no data; truncate "${stage}"`,
  };
}

/** Streams the rows into `table`'s `columns` with COPY (PostgreSQL only; see `acceptCopy`). */
async function copyInto(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  await db.executeQuery(
    CompiledQuery.raw(`copy "${table}" (${quote(columns)}) from stdin`, [new CopyRows(rows)]),
  );
}

/** Inserts rows with COPY: straight into the table, or staged first to skip conflicting rows. */
export async function copyInsert(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  ignoreConflicts: boolean,
): Promise<void> {
  if (!ignoreConflicts) return copyInto(db, table, columns, rows);
  const { text, stage } = stageText(table, columns);
  await db.executeQuery(CompiledQuery.raw(text));
  await copyInto(db, stage, columns, rows);
  await db.executeQuery(
    CompiledQuery.raw(
      `insert into "${table}" (${quote(columns)}) select ${quote(columns)} from "${stage}" on conflict do nothing`,
    ),
  );
}

/**
 * `bulkUpdate` on PostgreSQL from COPY: the rows staged, then one `update … from` the staging
 * table, which the planner runs as an index look-up per staged row.
 */
export async function copyUpdate(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  rows: readonly { id: string; values: unknown[] }[],
  onlyIf: { column: string; values: readonly number[] } | undefined,
): Promise<string[]> {
  const source = ['id', ...columns, ...(onlyIf ? [onlyIf.column] : [])];
  const staged = ['v_id', ...columns.map((c) => `v_${c}`), ...(onlyIf ? ['v_only_if'] : [])];
  const { text, stage } = stageText(table, source, staged);
  await db.executeQuery(CompiledQuery.raw(text));
  await copyInto(
    db,
    stage,
    staged,
    rows.map((row, r) => [row.id, ...row.values, ...(onlyIf ? [onlyIf.values[r]] : [])]),
  );
  const sets = columns.map((c) => `"${c}" = v."v_${c}"`).join(', ');
  const guard = onlyIf ? ` and "${table}"."${onlyIf.column}" = v."v_only_if"` : '';
  const result = await db.executeQuery<{ id: string }>(
    CompiledQuery.raw(
      `update "${table}" set ${sets} from "${stage}" v where "${table}"."id" = v."v_id"${guard}${onlyIf ? ` returning "${table}"."id"` : ''}`,
    ),
  );
  return result.rows.map((row) => row.id);
}

/**
 * `replaceOwnedRows` from COPY: the rows staged once, then the delete and the insert both read them
 * from the staging table.
 */
export async function copyReplace(
  db: Kysely<Database>,
  table: string,
  spec: {
    owners: readonly string[];
    identity: readonly string[];
    columns: readonly string[];
    rows: readonly unknown[][];
  },
): Promise<void> {
  const { owners, identity, columns, rows } = spec;
  const { text, stage } = stageText(table, columns);
  await db.executeQuery(CompiledQuery.raw(text));
  await copyInto(db, stage, columns, rows);
  if (owners.length > 0) {
    // The planner must know the staging table's size. Without statistics `not exists` became a
    // nested loop over it, quadratic in the batch; and `not in` is hashed only while the staging
    // table fits in work_mem: a full re-validation replacing 450,000 keys ran it as a plain
    // subplan, rescanning the staging table per key (over ten minutes). With statistics the
    // anti-join is hashed at any size.
    await db.executeQuery(CompiledQuery.raw(`analyze "${stage}"`));
    const same = identity.map((c) => `s."${c}" = "${table}"."${c}"`).join(' and ');
    await db.executeQuery(
      CompiledQuery.raw(
        `delete from "${table}" where "${identity[0]!}" = any($1) and not exists (select 1 from "${stage}" s where ${same})`,
        [owners],
      ),
    );
  }
  await db.executeQuery(
    CompiledQuery.raw(
      `insert into "${table}" (${quote(columns)}) select ${quote(columns)} from "${stage}" on conflict do nothing`,
    ),
  );
}
