import { CompiledQuery, PostgresAdapter, type Kysely } from 'kysely';
import { COPY_FROM_ROWS, copyInsert, copyReplace, copyUpdate } from './copy-staging.js';
import type { Database } from './schema.js';
import { tableOn } from './sqlite-staging.js';

/** Most parameters in one statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

const quote = (names: readonly string[]) => names.map((c) => `"${c}"`).join(',');

const isPostgres = (db: Kysely<Database>) => db.getExecutor().adapter instanceof PostgresAdapter;
/** Whether the database is PostgreSQL (placeholders are `$n` there, `?` on SQLite). */
export const isPostgresDb = isPostgres;

const texts = new Map<string, string>();

/** The statement text for `rows` rows of `columns`, built once per shape and dialect. */
function insertText(
  postgres: boolean,
  table: string,
  columns: readonly string[],
  rows: number,
  conflict: string,
): string {
  const key = `${postgres ? 'p' : 's'}|${table}|${columns.join(',')}|${rows}|${conflict}`;
  let text = texts.get(key);
  if (!text) {
    const tuples: string[] = [];
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const marks = columns.map(() => (postgres ? `$${++n}` : '?'));
      tuples.push(`(${marks.join(',')})`);
    }
    const quoted = columns.map((c) => `"${c}"`).join(',');
    text = `insert into "${table}" (${quoted}) values ${tuples.join(',')}${conflict}`;
    if (texts.size > 2000) texts.clear();
    texts.set(key, text);
  }
  return text;
}

const lists = new Map<string, string>();

/**
 * `(?,?,?),(?,?,?)…` (or `($1,$2,$3),…` on PostgreSQL) for `rows` tuples of `width` parameters,
 * built once per shape: for `in (values …)` look-ups that skip the query builder.
 */
export function tupleList(
  db: Kysely<Database>,
  rows: number,
  width: number,
  /** Parameters before the list in the statement (PostgreSQL numbers the list's after them). */
  before = 0,
): string {
  const postgres = isPostgres(db);
  const key = `${postgres ? 'p' : 's'}|${rows}|${width}|${postgres ? before : 0}`;
  let text = lists.get(key);
  if (!text) {
    const tuples: string[] = [];
    let n = postgres ? before : 0;
    for (let r = 0; r < rows; r++)
      tuples.push(
        `(${Array.from({ length: width }, () => (postgres ? `$${++n}` : '?')).join(',')})`,
      );
    text = tuples.join(',');
    if (lists.size > 200) lists.clear();
    lists.set(key, text);
  }
  return text;
}

/**
 * `select <columns> from <table> where (<match>) in (values <rows tuples>)[ and <condition>]`, the
 * tuples' parameters first. On PostgreSQL each tuple is probed through the index by a lateral
 * subquery (`offset 0` keeps the planner from flattening it): with statistics, it otherwise
 * hash-joins a few hundred tuples against a scan of the whole table (50 ms instead of 1 ms over
 * 300,000 keys). `condition` names the table's columns unqualified.
 */
export function tupleLookupText(
  db: Kysely<Database>,
  /** The table as named in the statement (a staging copy's name, see `tableOn`). */
  table: string,
  columns: readonly string[],
  match: readonly string[],
  rows: number,
  condition?: string,
): string {
  const list = tupleList(db, rows, match.length);
  const quoted = (names: readonly string[], prefix = '') =>
    names.map((c) => `${prefix}"${c}"`).join(', ');
  const where = condition ? ` and ${condition}` : '';
  if (!isPostgres(db))
    return `select ${quoted(columns)} from "${table}" where (${quoted(match)}) in (values ${list})${where}`;
  const equal = match.map((c) => `"${c}" = v."${c}"`).join(' and ');
  return `select ${quoted(columns, 't.')} from (values ${list}) v(${quoted(match)}) cross join lateral (select ${quoted(columns)} from "${table}" where ${equal}${where} offset 0) t`;
}

/**
 * Statements selecting `columns` of the rows of `table` whose `column` is one of `values` and whose
 * `fixed` columns hold the values given (`except`: a column that must not hold its value): one
 * parameter per value, as many values per statement as the limits allow, on PostgreSQL all of them
 * as one array. For many values of one kind at once (a full re-validation's global keys), where
 * a tuple per value would bind three parameters each.
 */
export function valuesLookups(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  column: string,
  values: readonly string[],
  fixed: readonly [column: string, value: unknown][],
  except?: [column: string, value: unknown],
): CompiledQuery[] {
  const postgres = isPostgres(db);
  const after = [...fixed.map(([c]) => `"${c}" = `), ...(except ? [`"${except[0]}" <> `] : [])];
  const tail = [...fixed.map(([, v]) => v), ...(except ? [except[1]] : [])];
  const select = `select ${quote(columns)} from "${table}" where `;
  if (postgres) {
    const rest = after.map((c, i) => ` and ${c}$${i + 2}`).join('');
    return [CompiledQuery.raw(`${select}"${column}" = any($1::text[])${rest}`, [values, ...tail])];
  }
  const rest = after.map((c) => ` and ${c}?`).join('');
  const perStatement = MAX_PARAMETERS - tail.length;
  const out: CompiledQuery[] = [];
  for (let i = 0; i < values.length; i += perStatement) {
    const part = values.slice(i, i + perStatement);
    const marks = part.map(() => '?').join(',');
    out.push(CompiledQuery.raw(`${select}"${column}" in (${marks})${rest}`, [...part, ...tail]));
  }
  return out;
}

/**
 * Inserts many rows of one table in as few statements as the parameter limits allow, with the
 * statement text built directly: Kysely's query builder costs more than the insert itself for
 * the thousands of rows an import writes. Values must already be in their column form.
 */
export async function bulkInsert<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  rows: readonly unknown[][],
  options: { ignoreConflicts?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const postgres = isPostgres(db);
  // Ignoring conflicts needs a staging table, which lives as long as the transaction.
  if (postgres && rows.length >= COPY_FROM_ROWS && (db.isTransaction || !options.ignoreConflicts))
    return copyInsert(db, table, columns, rows, options.ignoreConflicts ?? false);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const conflict = options.ignoreConflicts ? ' on conflict do nothing' : '';
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const parameters: unknown[] = [];
    for (const row of part) for (const value of row) parameters.push(value);
    const text = insertText(postgres, tableOn(db, table), columns, part.length, conflict);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}

/**
 * Sets columns of many rows, each to its own values, in one statement per few hundred rows:
 * `with v(id, …) as (values …) update t set c = v.c … from v where t.id = v.id`, which both
 * SQLite (3.33 and later) and PostgreSQL run as a join. With `onlyIf`, a row is updated only while
 * its integer column still holds the value given for it (a version), and the ids of the rows
 * updated are returned (none without `onlyIf`).
 */
export async function bulkUpdate<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  rows: readonly { id: string; values: unknown[] }[],
  options: { onlyIf?: { column: keyof Database[T] & string; values: readonly number[] } } = {},
): Promise<string[]> {
  if (rows.length === 0) return [];
  const postgres = isPostgres(db);
  const { onlyIf } = options;
  // The staging table lives as long as the transaction: outside one, plain statements.
  if (postgres && rows.length >= COPY_FROM_ROWS && db.isTransaction)
    return copyUpdate(db, table, columns, rows, onlyIf);
  const width = columns.length + 1 + (onlyIf ? 1 : 0);
  const perStatement = Math.floor(MAX_PARAMETERS / width);
  const updated: string[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const parameters: unknown[] = [];
    // PostgreSQL reads untyped parameters in VALUES as text: numbers are cast back.
    const casts = part[0]!.values.map((v) =>
      postgres && typeof v === 'number' ? '::integer' : '',
    );
    const mark = (cast = '') => (postgres ? `$${parameters.length}${cast}` : '?');
    const tuples = part.map((row, r) => {
      parameters.push(row.id);
      const marks = [mark()];
      row.values.forEach((value, c) => {
        parameters.push(value);
        marks.push(mark(casts[c]));
      });
      if (onlyIf) {
        parameters.push(onlyIf.values[i + r]);
        marks.push(mark('::integer'));
      }
      return `(${marks.join(',')})`;
    });
    const names = ['v_id', ...columns.map((c) => `v_${c}`), ...(onlyIf ? ['v_only_if'] : [])]
      .map((c) => `"${c}"`)
      .join(',');
    const sets = columns.map((c) => `"${c}" = v."v_${c}"`).join(', ');
    const name = tableOn(db, table);
    const guard = onlyIf ? ` and "${name}"."${onlyIf.column}" = v."v_only_if"` : '';
    const result = await db.executeQuery<{ id: string }>(
      CompiledQuery.raw(
        `with v(${names}) as (values ${tuples.join(',')}) update "${name}" set ${sets} from v where "${name}"."id" = v."v_id"${guard}${onlyIf ? ' returning "id"' : ''}`,
        parameters,
      ),
    );
    for (const row of result.rows) updated.push(row.id);
  }
  return updated;
}

/**
 * Replaces the rows `owners` hold in a table (the keys of some records) with `rows`: deletes each
 * owner's rows that are not among `rows` (compared on the `identity` columns, which begin with the
 * owner column) and inserts the others, leaving in place the rows that stay. `rows` may hold rows
 * of other owners too (new ones): they are inserted. On PostgreSQL inside a transaction, from COPY
 * (`copyReplace`).
 */
export async function replaceOwnedRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  spec: {
    owners: readonly string[];
    identity: readonly (keyof Database[T] & string)[];
    columns: readonly (keyof Database[T] & string)[];
    rows: readonly unknown[][];
  },
): Promise<void> {
  const { owners, identity, columns, rows } = spec;
  const at = identity.map((c) => columns.indexOf(c));
  if (isPostgres(db) && db.isTransaction && rows.length >= COPY_FROM_ROWS)
    return copyReplace(db, table, spec);
  const kept = new Map<unknown, unknown[][]>();
  for (const row of rows) {
    const id = row[at[0]!];
    const list = kept.get(id);
    if (list) list.push(row);
    else kept.set(id, [row]);
  }
  const postgres = isPostgres(db);
  const mark = (n: number) => (postgres ? `$${n}` : '?');
  for (let i = 0; i < owners.length; i += 500) {
    const part = owners.slice(i, i + 500);
    const parameters: unknown[] = [...part];
    const stay = part.flatMap((id) => kept.get(id) ?? []);
    let text = `delete from "${tableOn(db, table)}" where "${identity[0]!}" in (${part.map((_, n) => mark(n + 1)).join(',')})`;
    if (stay.length > 0) {
      for (const row of stay) for (const c of at) parameters.push(row[c]);
      text += ` and (${quote(identity)}) not in (values ${tupleList(db, stay.length, identity.length, part.length)})`;
    }
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
  await bulkInsert(db, table, columns, rows as unknown[][], { ignoreConflicts: true });
}
