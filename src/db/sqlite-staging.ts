import {
  CompiledQuery,
  OperationNodeTransformer,
  TableNode,
  type Kysely,
  type KyselyPlugin,
  type QueryId,
} from 'kysely';
import type { Database } from './schema.js';

/**
 * An import's staging area on SQLite: copies, in temporary tables, of the tables an import writes,
 * holding the acquisition's rows. The import writes there in short transactions, one per batch,
 * and other requests' statements run between them (SQLite has one connection: a transaction held
 * for the whole import made every other request of the process wait for it). The end of the
 * import copies what changed back in one transaction (`swap`), so that it becomes visible all at
 * once. Temporary tables belong to the connection: a process that dies takes them with it, and
 * nothing of the import was stored.
 */

/** The tables an import writes (through the capture engine), in the order they are swapped in. */
const STAGED = ['acquisitions', 'records', 'record_keys', 'findings', 'record_history'] as const;

/** The statements that write a staged table while `db` is one of an area's batches. */
const areas = new WeakMap<Kysely<Database>, StagingArea>();

/** The staging area whose batch `db` runs, if any. */
export function stagingAreaOf(db: Kysely<Database>): StagingArea | undefined {
  return areas.get(db);
}

/** The table a statement run on `db` names: its staging copy while `db` writes a staging area. */
export function tableOn(db: Kysely<Database>, table: string): string {
  return stagingAreaOf(db)?.nameOf(table) ?? table;
}

/** What the acquisition was when its rows were copied: the swap refuses if anyone changed it since. */
interface Seen {
  state: string;
  dataVersion: number;
  rowVersion: number;
}

/** Rowids per statement when the acquisition's rows are copied: some 50 ms each. */
const COPY_ROWIDS = 10_000;

/** Columns of a record that no write changes once it is stored. */
const FIXED_RECORD_COLUMNS = new Set(['id', 'acquisition_id', 'entity', 'slot', 'created_at']);

/** Acquisitions whose import is being staged, with what resolves when it ends. */
const staging = new Map<string, Promise<void>>();

/**
 * Waits until no import of the acquisition is being staged: a write to the acquisition made
 * meanwhile would be overwritten by the swap (on PostgreSQL it waits on the acquisition's row).
 */
export async function afterStagedImport(acquisitionId: string): Promise<void> {
  for (let ends = staging.get(acquisitionId); ends; ends = staging.get(acquisitionId)) await ends;
}

let opened = 0;

export class StagingArea {
  private readonly names: Map<string, string>;
  private readonly plugin: KyselyPlugin;
  private ended!: () => void;

  private constructor(
    readonly acquisitionId: string,
    private readonly prefix: string,
    private readonly seen: Seen,
  ) {
    this.names = new Map(STAGED.map((t) => [t, `${prefix}${t}`]));
    const transformer = new RenameTables(this.names);
    this.plugin = {
      transformQuery: (args) => transformer.transformNode(args.node, args.queryId),
      transformResult: (args) => Promise.resolve(args.result),
    };
    staging.set(
      acquisitionId,
      new Promise<void>((resolve) => {
        this.ended = () => {
          staging.delete(acquisitionId);
          resolve();
        };
      }),
    );
  }

  /**
   * Creates the staging tables and copies the acquisition's rows into them, a statement at a time
   * (each copy or index its own transaction, so that other requests run between them). Writes of
   * the acquisition through the capture engine wait from the start (`afterStagedImport`); if
   * anything else changed it while the rows were copied, they are copied again.
   * One import of an acquisition runs at a time (the import jobs make sure of it).
   */
  static async open(db: Kysely<Database>, acquisitionId: string): Promise<StagingArea> {
    if (staging.has(acquisitionId))
      throw new Error(`two imports of acquisition ${acquisitionId} staged at once`);
    for (let attempt = 1; ; attempt++) {
      const seen = await seenOf(db, acquisitionId);
      const area = new StagingArea(acquisitionId, `import_stage_${++opened}_`, seen);
      try {
        await area.fill(db);
        const now = await seenOf(db, acquisitionId);
        if (sameAs(now, seen) || attempt === 3) return area;
      } catch (error) {
        await area.drop(db);
        throw error;
      }
      await area.drop(db);
    }
  }

  private async fill(db: Kysely<Database>): Promise<void> {
    const run = (text: string, parameters: unknown[] = []) =>
      db.executeQuery(CompiledQuery.raw(text, parameters));
    const { rows: definitions } = await db.executeQuery<{ type: string; sql: string }>(
      CompiledQuery.raw(
        `select type, sql from main.sqlite_master where tbl_name in (${STAGED.map(() => '?').join(', ')}) and sql is not null`,
        [...STAGED],
      ),
    );
    // Tables and indexes first: an index built over the copied rows would be one statement as
    // long as the copy of them all.
    for (const type of ['table', 'index'])
      for (const d of definitions)
        if (d.type === type) await run(stagedDefinition(d.type, d.sql, this.prefix));
    const own = this.name;
    await run(
      `insert into ${own('acquisitions')} select * from main."acquisitions" where "id" = ?`,
      [this.acquisitionId],
    );
    // The rows a range of rowids at a time, so that no statement holds the connection long
    // (`+acquisition_id`: by the rowid range, not the acquisition's index).
    for (const table of ['records', 'record_keys', 'findings']) {
      const { rows } = await db.executeQuery<{ low: number | null; high: number | null }>(
        CompiledQuery.raw(
          `select min(rowid) as low, max(rowid) as high from main."${table}" where "acquisition_id" = ?`,
          [this.acquisitionId],
        ),
      );
      const { low, high } = rows[0] ?? { low: null, high: null };
      if (low === null || high === null) continue;
      for (let from = Number(low); from <= Number(high); from += COPY_ROWIDS)
        await run(
          `insert into ${own(table)} select * from main."${table}" where rowid between ? and ? and +"acquisition_id" = ?`,
          [from, Math.min(from + COPY_ROWIDS - 1, Number(high)), this.acquisitionId],
        );
    }
    // The records whose row, keys or findings the import changes: what the swap copies back.
    await run(`create temp table ${own('touched')} ("id" text primary key) without rowid`);
    for (const [table, column] of [
      ['records', 'id'],
      ['record_keys', 'record_id'],
      ['findings', 'record_id'],
    ] as const) {
      for (const event of ['insert', 'update', 'delete']) {
        const row = event === 'delete' ? 'old' : 'new';
        await run(
          `create temp trigger ${own(`${table}_${event}`)} after ${event} on ${own(table)} begin insert or ignore into ${own('touched')} ("id") values (${row}."${column}"); end`,
        );
      }
    }
  }

  /** A staged table's name, quoted. */
  private name = (table: string) => `"${this.prefix}${table}"`;

  /** The staging copy of `table`, if it is staged. */
  nameOf(table: string): string | undefined {
    return this.names.get(table);
  }

  /** `trx` with its statements on the staged tables writing and reading the staging copies. */
  on(trx: Kysely<Database>): Kysely<Database> {
    const staged = trx.withPlugin(this.plugin);
    areas.set(staged, this);
    return staged;
  }

  /**
   * Copies what the import changed back into the tables, inside `trx`. Throws `changed()` when
   * the acquisition was changed by anyone else since its rows were copied (its state, or a write
   * that went past the wait in `afterStagedImport`, such as a full re-validation).
   */
  async swap(trx: Kysely<Database>, changed: () => Error): Promise<void> {
    const own = this.name;
    const run = (text: string, parameters: unknown[] = []) =>
      trx.executeQuery(CompiledQuery.raw(text, parameters));
    if (!sameAs(await seenOf(trx, this.acquisitionId), this.seen)) throw changed();
    const touched = `(select "id" from ${own('touched')})`;
    const columns = await columnsOf(trx, 'records');
    const list = columns.map((c) => `"${c}"`).join(', ');
    // A record's acquisition, entity, slot and creation never change: leaving them out of the
    // update leaves the indexes on them alone.
    const sets = columns
      .filter((c) => !FIXED_RECORD_COLUMNS.has(c))
      .map((c) => `"${c}" = s."${c}"`)
      .join(', ');
    await run(
      `delete from main."records" where "id" in ${touched} and "id" not in (select "id" from ${own('records')})`,
    );
    await run(
      `update main."records" set ${sets} from ${own('records')} as s where s."id" = "records"."id" and s."id" in ${touched}`,
    );
    await run(
      `insert into main."records" (${list}) select ${list} from ${own('records')} as s where s."id" in ${touched} and not exists (select 1 from main."records" as r where r."id" = s."id")`,
    );
    // Keys by their identity (as the capture engine replaces them): the many a record keeps (its
    // site reference) stay where they are.
    const sameKey = (a: string, b: string) =>
      ['record_id', 'kind', 'key_value'].map((c) => `${a}."${c}" = ${b}."${c}"`).join(' and ');
    await run(
      `delete from main."record_keys" where "record_id" in ${touched} and not exists (select 1 from ${own('record_keys')} as s where ${sameKey('s', '"record_keys"')})`,
    );
    await run(
      `insert into main."record_keys" select * from ${own('record_keys')} as s where s."record_id" in ${touched} and not exists (select 1 from main."record_keys" as k where ${sameKey('k', 's')})`,
    );
    await run(`delete from main."findings" where "record_id" in ${touched}`);
    await run(
      `insert into main."findings" select * from ${own('findings')} where "record_id" in ${touched}`,
    );
    await run(`insert into main."record_history" select * from ${own('record_history')}`);
    await run(
      `update main."acquisitions" set "required_fields" = s."required_fields", "satisfied_fields" = s."satisfied_fields", "updated_at" = s."updated_at", "data_version" = "acquisitions"."data_version" + 1 from ${own('acquisitions')} as s where s."id" = "acquisitions"."id" and s."data_version" <> ?`,
      [this.seen.dataVersion],
    );
  }

  /** Drops the staging tables (their triggers and indexes with them). */
  async drop(db: Kysely<Database>): Promise<void> {
    try {
      for (const table of [...STAGED, 'touched'])
        await db.executeQuery(CompiledQuery.raw(`drop table if exists ${this.name(table)}`));
    } finally {
      this.ended();
    }
  }
}

async function seenOf(db: Kysely<Database>, acquisitionId: string): Promise<Seen> {
  const acquisition = await db
    .selectFrom('acquisitions')
    .select(['state', 'data_version', 'row_version'])
    .where('id', '=', acquisitionId)
    .executeTakeFirst();
  return {
    state: acquisition?.state ?? '',
    dataVersion: Number(acquisition?.data_version ?? 0),
    rowVersion: Number(acquisition?.row_version ?? 0),
  };
}

const sameAs = (a: Seen, b: Seen) =>
  a.state === b.state && a.dataVersion === b.dataVersion && a.rowVersion === b.rowVersion;

/** The definition of a staged table or index: the table's own, temporary, without foreign keys. */
function stagedDefinition(type: string, definition: string, prefix: string): string {
  const pattern =
    type === 'table'
      ? /^create table "?(\w+)"?/i
      : /^create (unique )?index "?(\w+)"? on "?(\w+)"?/i;
  if (!pattern.test(definition))
    throw new Error(`staging: unexpected definition of a ${type}: ${definition.slice(0, 60)}`);
  if (type === 'table')
    return definition
      .replace(pattern, (_, table: string) => `create temp table "${prefix}${table}"`)
      .replace(/\s+references\s+"?\w+"?\s*\([^)]*\)/gi, '');
  return definition.replace(
    pattern,
    (_, unique: string | undefined, index: string, table: string) =>
      `create ${unique ?? ''}index temp."${prefix}${index}" on "${prefix}${table}"`,
  );
}

async function columnsOf(db: Kysely<Database>, table: string): Promise<string[]> {
  const { rows } = await db.executeQuery<{ name: string }>(
    CompiledQuery.raw(`select "name" from pragma_table_info(?, 'main') order by "cid"`, [table]),
  );
  return rows.map((r) => r.name);
}

/** Points statements of the query builder at the staging copies of the staged tables. */
class RenameTables extends OperationNodeTransformer {
  constructor(private readonly names: ReadonlyMap<string, string>) {
    super();
  }

  protected override transformTable(node: TableNode, queryId?: QueryId): TableNode {
    const { table } = node;
    const renamed = table.schema ? undefined : this.names.get(table.identifier.name);
    return renamed ? TableNode.create(renamed) : super.transformTable(node, queryId);
  }
}
