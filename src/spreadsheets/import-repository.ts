import type { Kysely, Selectable } from 'kysely';
import { bulkInsert } from '../db/bulk.js';
import type { Database, ImportTable } from '../db/schema.js';
import type { ProblemDetail } from '../errors.js';
import type { ColumnMapping, MappingOverride } from './header-mapping.js';
import type { IgnoredColumn } from './ignored-columns.js';
import type { ImportFinding } from './import-finding.js';
import type { SeatCount } from './site-seats.js';
import { importErrors } from './import-errors.js';

export type ImportMode = 'validate' | 'all-or-nothing' | 'valid-rows';
export type MatchMode = 'merge' | 'add';
export type ImportStatus = 'running' | 'completed' | 'failed';

/** How one sheet was read: which entity, where its header was, how its columns map. */
export interface SheetPlan {
  name: string;
  /** The sheet's main entity (a row group's first). */
  entity: string;
  /** Every entity a row fills: the entity alone, or the row group's. */
  entities?: string[];
  /** The row group the sheet was read as, when its rows fill several entities. */
  rowGroup?: string;
  /** Row number of the header, as the spreadsheet shows it. */
  headerRow: number;
  columns: ColumnMapping[];
  missingRequired: string[];
  /** After the import: the columns it did not store, with how many values each held. */
  ignored?: IgnoredColumn[];
  /** After the import: per site, the records the quote expects and those there are. */
  seats?: SeatCount[];
}

export interface ImportCounts {
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  invalid: number;
}

export type { ImportFinding } from './import-finding.js';

export interface ImportJob extends ImportCounts {
  id: string;
  acquisitionId: string;
  idempotencyKey: string | null;
  requestHash: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  mode: ImportMode;
  match: MatchMode;
  status: ImportStatus;
  /** Whether the rows were stored (false for a dry run, or all-or-nothing with invalid rows). */
  applied: boolean;
  sheets: SheetPlan[];
  error: {
    code: string;
    status: number;
    detail: string;
    errors?: ProblemDetail[];
    /** The refusal's own members, such as the row and column of a cell that is too long. */
    extra?: Record<string, unknown>;
  } | null;
  actor: string;
  /** The id of the staff token or customer link that started it; null for imports from before. */
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** When its files (the report) were deleted after the retention period; null while kept. */
  filesRemovedAt: string | null;
  /** Which run of the job is the latest: 1, then one more each time a node took it over. */
  attempts: number;
}

/** What a job's upload was read with besides its mode and match: kept to run it again. */
export interface RerunOptions {
  entity?: string;
  mapping?: MappingOverride | Record<string, MappingOverride>;
  /** Started through a customer link: only the customer's fields. */
  customerOnly: boolean;
}

/** An import as the API answers it: the job, its first findings and where to follow it. */
export interface ImportJobView extends ImportJob {
  findings: ImportFinding[];
  findingsTotal: number;
  links: { self: string; events: string; reportCsv?: string; reportXlsx?: string };
}

/** A stored job row as the code sees it. */
export const toJob = (row: Selectable<ImportTable>): ImportJob => ({
  id: row.id,
  acquisitionId: row.acquisition_id,
  idempotencyKey: row.idempotency_key,
  requestHash: row.request_hash,
  fileName: row.file_name,
  format: row.format as ImportJob['format'],
  mode: row.mode as ImportMode,
  match: row.match_mode as MatchMode,
  status: row.status as ImportStatus,
  applied: Number(row.applied) === 1,
  sheets: JSON.parse(row.sheets) as SheetPlan[],
  rowsRead: Number(row.rows_read),
  created: Number(row.created),
  updated: Number(row.updated),
  unchanged: Number(row.unchanged),
  invalid: Number(row.invalid),
  error: row.error ? (JSON.parse(row.error) as ImportJob['error']) : null,
  actor: row.actor,
  createdBy: row.created_by,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
  filesRemovedAt: row.files_removed_at,
  attempts: Number(row.attempts),
});

/** Import jobs and their findings. */
export class ImportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores a new job; false when the idempotency key is already taken on the acquisition. Throws
   * `import.already-running` while another import of the acquisition runs (dry runs included).
   * With `rerun`, another node can run the job again if its node dies (import-takeover.ts).
   */
  async insert(job: ImportJob, rerun?: { options: RerunOptions; node: string }): Promise<boolean> {
    try {
      await this.db
        .insertInto('imports')
        .values({
          id: job.id,
          acquisition_id: job.acquisitionId,
          idempotency_key: job.idempotencyKey,
          request_hash: job.requestHash,
          file_name: job.fileName,
          format: job.format,
          mode: job.mode,
          match_mode: job.match,
          status: job.status,
          applied: job.applied ? 1 : 0,
          sheets: JSON.stringify(job.sheets),
          rows_read: 0,
          created: 0,
          updated: 0,
          unchanged: 0,
          invalid: 0,
          error: null,
          actor: job.actor,
          created_by: job.createdBy,
          created_at: job.createdAt,
          finished_at: null,
          heartbeat_at: job.status === 'running' ? job.createdAt : null,
          attempts: job.attempts,
          node: rerun?.node ?? null,
          options: rerun ? JSON.stringify(rerun.options) : null,
        })
        .execute();
      return true;
    } catch (error) {
      if (
        job.idempotencyKey &&
        (await this.byIdempotencyKey(job.acquisitionId, job.idempotencyKey))
      )
        return false;
      // The unique index on running jobs: another import of the acquisition is under way.
      const running = await this.runningOf(job.acquisitionId);
      if (running) throw importErrors.alreadyRunning(running);
      throw error;
    }
  }

  /** The id of the acquisition's running import, if one runs. */
  async runningOf(acquisitionId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('imports')
      .select('id')
      .where('acquisition_id', '=', acquisitionId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return row?.id;
  }

  /**
   * Stores how run `attempt` of a job ended, with its findings; false (and nothing written) when
   * the job is no longer that run's: another node took it over. In `trx`, the import's own
   * transaction, rows and outcome commit together, so a job is never stored twice.
   */
  async finish(
    id: string,
    attempt: number,
    outcome: Pick<ImportJob, 'status' | 'applied' | 'error' | 'finishedAt' | 'sheets'> &
      ImportCounts,
    findings: readonly ImportFinding[],
    trx?: Kysely<Database>,
  ): Promise<boolean> {
    if (!trx)
      return this.db.transaction().execute((t) => this.finish(id, attempt, outcome, findings, t));
    const updated = await trx
      .updateTable('imports')
      .set({
        status: outcome.status,
        applied: outcome.applied ? 1 : 0,
        error: outcome.error ? JSON.stringify(outcome.error) : null,
        finished_at: outcome.finishedAt,
        sheets: JSON.stringify(outcome.sheets),
        rows_read: outcome.rowsRead,
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        invalid: outcome.invalid,
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    // Text built once per shape (a million-row sheet has ten thousand findings): Kysely's builder
    // took most of a second for them, in the import's last transaction.
    await bulkInsert(
      trx,
      'import_findings',
      [
        'import_id',
        'seq',
        'sheet',
        'row_number',
        'column_letter',
        'header',
        'value',
        'entity',
        'field',
        'rule',
        'severity',
        'message',
      ],
      findings.map((f, seq) => [
        id,
        seq,
        f.sheet,
        f.row,
        f.column,
        f.header,
        f.value,
        f.entity,
        f.field,
        f.rule,
        f.severity,
        f.message,
      ]),
    );
    return true;
  }

  async get(acquisitionId: string, id: string): Promise<ImportJob | undefined> {
    const row = await this.db
      .selectFrom('imports')
      .selectAll()
      .where('id', '=', id)
      .where('acquisition_id', '=', acquisitionId)
      .executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async byIdempotencyKey(acquisitionId: string, key: string): Promise<ImportJob | undefined> {
    const row = await this.db
      .selectFrom('imports')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async list(acquisitionId: string, limit = 50): Promise<ImportJob[]> {
    const rows = await this.db
      .selectFrom('imports')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  async findings(importId: string, limit: number, offset = 0): Promise<ImportFinding[]> {
    const rows = await this.db
      .selectFrom('import_findings')
      .selectAll()
      .where('import_id', '=', importId)
      .orderBy('seq')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({
      sheet: r.sheet,
      row: Number(r.row_number),
      column: r.column_letter,
      header: r.header,
      value: r.value,
      entity: r.entity,
      field: r.field,
      rule: r.rule,
      severity: r.severity as ImportFinding['severity'],
      message: r.message,
    }));
  }

  async countFindings(importId: string): Promise<number> {
    const row = await this.db
      .selectFrom('import_findings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('import_id', '=', importId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Finished jobs, finished before `before`, whose files are still kept (oldest first). */
  async expiredWithFiles(before: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('imports')
      .select('id')
      .where('status', '!=', 'running')
      .where('finished_at', '<', before)
      .where('files_removed_at', 'is', null)
      .orderBy('finished_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Records that the jobs' files were deleted, so that their reports answer 410. */
  async markFilesRemoved(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('imports')
      .set({ files_removed_at: at })
      .where('id', 'in', [...ids])
      .execute();
  }

  /**
   * A running job's lease renewed by the node running run `attempt`, with the rows read so far
   * (any node can show them); false when another node has taken the job over since.
   */
  async heartbeat(id: string, attempt: number, rowsRead: number, at: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('imports')
      .set({ heartbeat_at: at, rows_read: rowsRead })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
}
