import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toJob, type ImportJob, type RerunOptions } from './import-repository.js';

/** A running job whose node stopped renewing its lease, with what it takes to run it again. */
export interface StaleImport {
  job: ImportJob;
  /** Null for a job stored before options were kept: it cannot be run again. */
  options: RerunOptions | null;
}

/** A job's problem when it is failed for good (see `import-takeover.ts`). */
export type StaleFailure = NonNullable<ImportJob['error']>;

/** Running, and (with `staleBefore`) not renewed since: `undefined` takes every running job. */
const staleWhere =
  (staleBefore: string | undefined) => (eb: ExpressionBuilder<Database, 'imports'>) =>
    eb.and([
      eb('status', '=', 'running'),
      ...(staleBefore === undefined
        ? []
        : [eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)])]),
    ]);

/**
 * The queries of interrupted imports: which jobs are stale, and the two ways one leaves that state,
 * each a compare-and-set on the job's run number (`attempts`), so that of several nodes sweeping at
 * once exactly one claims or fails a job. No lock is held: on PostgreSQL a second `update` waits
 * for the first and, read again, no longer matches.
 */
export class StaleImports {
  constructor(private readonly db: Kysely<Database>) {}

  /** Running jobs not renewed since `staleBefore` (every running job without it), but `exclude`. */
  async list(staleBefore: string | undefined, exclude: readonly string[]): Promise<StaleImport[]> {
    let query = this.db.selectFrom('imports').selectAll().where(staleWhere(staleBefore));
    if (exclude.length > 0) query = query.where('id', 'not in', [...exclude]);
    const rows = await query.orderBy('created_at').execute();
    return rows.map((row) => ({
      job: toJob(row),
      options: row.options ? (JSON.parse(row.options) as RerunOptions) : null,
    }));
  }

  /**
   * Makes run `attempts + 1` of a stale job this node's: true for the one node that gets it. Its
   * lease starts now and its rows read start again from nothing.
   */
  async claim(
    job: Pick<ImportJob, 'id' | 'attempts'>,
    staleBefore: string | undefined,
    node: string,
    at: string,
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable('imports')
      .set({ attempts: job.attempts + 1, node, heartbeat_at: at, rows_read: 0 })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where(staleWhere(staleBefore))
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Fails a stale job for good with `problem`: true for the one node that does. */
  async fail(
    job: Pick<ImportJob, 'id' | 'attempts'>,
    staleBefore: string | undefined,
    at: string,
    problem: StaleFailure,
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable('imports')
      .set({ status: 'failed', finished_at: at, error: JSON.stringify(problem) })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where(staleWhere(staleBefore))
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
}
