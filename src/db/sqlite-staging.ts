import {
  CompiledQuery,
  OperationNodeTransformer,
  TableNode,
  type Kysely,
  type KyselyPlugin,
  type QueryId,
} from 'kysely';
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { temporaryWritesOf } from './connect.js';
import type { Database } from './schema.js';
import { applyStaged, type StagedTables } from './staged-apply.js';
import { stagedApplies, stagedImports } from './staged-import-gates.js';
import type { Run } from './staging-undo.js';

/**
 * An import's staging area on SQLite: copies, in temporary tables, of the tables an import writes,
 * holding the acquisition's rows. The import writes there in short transactions, one per batch,
 * and other requests' statements run between them (SQLite has one connection: a transaction held
 * for the whole import made every other request of the process wait for it). The end of the
 * import copies what changed back a chunk at a time (`apply`, in staged-apply.ts), with an undo
 * log, while requests about the acquisition wait, so that it becomes visible all at once.
 * Temporary tables belong to the connection: a process that dies while the rows are staged takes
 * them with it, and nothing of the import was stored; one that dies while they are applied has
 * them undone at the next start (staging-undo.ts).
 */

/** The tables an import writes (through the capture engine). */
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

/** What the acquisition was when its rows were copied: the apply refuses if anyone changed it since. */
interface Seen {
  state: string;
  dataVersion: number;
  rowVersion: number;
}

/** Rowids per statement when the acquisition's rows are copied: some 50 ms each. */
const COPY_ROWIDS = 10_000;

/** Acquisitions whose import this thread is staging: one at a time each. */
const staging = new Set<string>();

let opened = 0;

export class StagingArea implements StagedTables {
  /** Unique across starts: the area's rows in the undo log while it is applied. */
  readonly id = randomUUID();
  private readonly names: Map<string, string>;
  private readonly plugin: KyselyPlugin;
  private readonly ended: () => void;

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
    staging.add(acquisitionId);
    const release = stagedImports.hold(acquisitionId);
    this.ended = () => {
      staging.delete(acquisitionId);
      release();
    };
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
        await area.fill(temporaryWritesOf(db));
        const now = await seenOf(db, acquisitionId);
        if (sameAs(now, seen) || attempt === 3) return area;
      } catch (error) {
        await area.drop(temporaryWritesOf(db));
        throw error;
      }
      await area.drop(temporaryWritesOf(db));
    }
  }

  private async fill(db: Kysely<Database>): Promise<void> {
    // A statement's promise settles at once on SQLite: only a turn of the event loop between
    // statements lets other requests in.
    const run = async (text: string, parameters: unknown[] = []) => {
      await setImmediate();
      return db.executeQuery(CompiledQuery.raw(text, parameters));
    };
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
    // The records whose row, keys or findings the import changes: what `apply` copies back.
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
  name = (table: string) => `"${this.prefix}${table}"`;

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
   * Copies what the import changed into the tables, a chunk at a time, then runs `last` in the
   * final transaction (`applyStaged`). Requests about the acquisition wait meanwhile
   * (`afterStagedApply`). Throws `changed()`, with nothing stored, when the acquisition was changed
   * by anyone else since its rows were copied (its state, or a write that went past the wait in
   * `afterStagedImport`, such as a full re-validation).
   */
  async apply(
    db: Kysely<Database>,
    changed: () => Error,
    last: (trx: Kysely<Database>) => Promise<void>,
  ): Promise<void> {
    const release = stagedApplies.hold(this.acquisitionId);
    try {
      await applyStaged(db, this, changed, last);
    } finally {
      release();
    }
  }

  async unchanged(db: Kysely<Database>): Promise<boolean> {
    return sameAs(await seenOf(db, this.acquisitionId), this.seen);
  }

  async applyAcquisition(run: Run): Promise<void> {
    await run(
      `update main."acquisitions" set "required_fields" = s."required_fields", "satisfied_fields" = s."satisfied_fields", "updated_at" = s."updated_at", "data_version" = "acquisitions"."data_version" + 1 from ${this.name('acquisitions')} as s where s."id" = "acquisitions"."id" and s."data_version" <> ?`,
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
