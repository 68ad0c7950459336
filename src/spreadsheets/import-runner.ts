import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { ImportLimits } from '../config.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { jobProblem } from './import-errors.js';
import {
  completed,
  prepareUpload,
  TakenOver,
  type ImportExecution,
  type ReadyImport,
} from './import-execution.js';
import type {
  ImportCounts,
  ImportFinding,
  ImportJob,
  ImportRepository,
  RerunOptions,
} from './import-repository.js';
import { refusalOf, type PreparedImport } from './prepare-import.js';
import { reportPath, stagingPath } from './run-import.js';
import { ImportLease } from './import-lease.js';
import { ImportTakeover } from './import-takeover.js';
import { StaleImports } from './stale-imports.js';

/** How far a job this node runs has got, as its followers are told. */
export interface ImportProgress {
  rowsRead: number;
  status: ImportJob['status'];
}

/** The upload's name in its job's folder, where any node sharing the data folder finds it. */
const UPLOAD_FILE = 'upload';

type Outcome = Pick<ImportJob, 'status' | 'error' | 'applied' | 'sheets'> &
  ImportCounts & {
    findings: ImportFinding[];
  };

/**
 * The running of import jobs on this node: runs a job in the background (one transaction; see
 * `runImport`), reports its progress, stores how it ended and tells its followers. With several
 * nodes (PostgreSQL) it renews the lease of each job it runs; a job whose node stopped is run again
 * by a node that can read its upload, or failed (`import-takeover.ts`).
 */
export class ImportRunner {
  private readonly running = new Map<string, { rowsRead: number; done: Promise<ImportJob> }>();
  /** Emits `progress:<id>` with an `ImportProgress`, and `done:<id>` with the finished job. */
  readonly events = new EventEmitter();
  private readonly takeover: ImportTakeover;
  /** Null on one node (SQLite); see `leaseMs`. */
  readonly lease: ImportLease | null;

  constructor(
    db: Kysely<Database>,
    /** Runs each job's rows: on this thread, or on a worker thread (`ImportExecution`). */
    private readonly execution: ImportExecution,
    private readonly jobs: ImportRepository,
    private readonly limits: ImportLimits,
    private readonly dataDir: string,
    private readonly now: () => Date,
    /** Where an unexpected failure is logged (its details never reach the client). */
    private readonly logError: (error: unknown) => void,
    /**
     * With several nodes (PostgreSQL): how long a job may go without its node's heartbeat before
     * it is taken for interrupted. Null on one node.
     */
    leaseMs: number | null,
    /** This node as its jobs record it. */
    node: string,
  ) {
    this.events.setMaxListeners(0);
    this.takeover = new ImportTakeover(
      new StaleImports(db),
      (id) => this.uploadOf(id),
      (job, options) => this.resume(job, options),
      (ids) => this.removeFiles(ids),
      now,
      node,
    );
    this.lease =
      leaseMs === null
        ? null
        : new ImportLease(jobs, leaseMs, now, (staleBefore) => this.recover(staleBefore), logError);
  }

  private async removeFiles(ids: readonly string[]): Promise<void> {
    for (const id of ids) await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /** Takes over or fails the interrupted jobs (all but this process's own); returns how many. */
  async recover(staleBefore: string | undefined): Promise<number> {
    const { failed, resumed } = await this.takeover.recover(staleBefore, [...this.running.keys()]);
    return failed.length + resumed.length;
  }

  /** Waits for every running import (at shutdown), then stops sweeping leases. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await this.lease?.stop();
    await this.execution.close();
  }

  /** The progress of a job this node runs; else undefined. */
  progressOf(id: string): ImportProgress | undefined {
    const run = this.running.get(id);
    return run ? { rowsRead: run.rowsRead, status: 'running' } : undefined;
  }

  /** The folder of a job's files: its upload while it runs, then its reports. */
  dirOf(id: string): string {
    return join(this.dataDir, 'imports', id);
  }

  /** A job's upload while it runs (relative to the data folder: every node finds it there). */
  uploadOf(id: string): string {
    return join(this.dirOf(id), UPLOAD_FILE);
  }

  /** The promise of a job this node runs, settling with the finished job; else undefined. */
  doneOf(id: string): Promise<ImportJob> | undefined {
    return this.running.get(id)?.done;
  }

  /** Opens a job's upload and works out its sheets with the job's options (`prepareImport`). */
  prepare(
    ctx: AcquisitionContext,
    fileName: string,
    options: RerunOptions,
    path: string,
  ): Promise<PreparedImport> {
    return prepareUpload(ctx, fileName, options, path, this.limits);
  }

  /** Runs a job this node claimed from a node that stopped: from the start, with its options. */
  private async resume(job: ImportJob, options: RerunOptions): Promise<void> {
    // What the stopped run left beside the upload (staged rows, a report) is written again.
    for (let i = 0; i < job.sheets.length; i++) {
      await rm(stagingPath(this.dirOf(job.id), i), { force: true });
      await rm(reportPath(this.dirOf(job.id), i), { force: true });
    }
    void this.launch(job, options);
  }

  /**
   * Runs run `job.attempts` of a job in the background, renewing its lease; returns the promise
   * of the finished job. When the rows are stored, the job's outcome commits with them. `ready`
   * is the sheets as the starting request opened them; without it they are opened from the upload.
   */
  launch(job: ImportJob, options: RerunOptions, ready?: ReadyImport): Promise<ImportJob> {
    const dir = this.dirOf(job.id);
    const attempt = job.attempts;
    const run = { rowsRead: 0, lost: false, done: Promise.resolve(job) };
    const release = this.lease?.keep(
      job.id,
      attempt,
      () => run.rowsRead,
      () => (run.lost = true),
    );
    run.done = (async () => {
      // Whether this run still owns the job's files (not when another node took it over).
      let owned = true;
      let sheets = job.sheets.length;
      try {
        if (ready) sheets = ready.prepared.sheets.length;
        const { result, finishedAt } = await this.execution.execute({
          job,
          options,
          dir,
          upload: this.uploadOf(job.id),
          ready,
          onProgress: (rowsRead) => {
            if (run.lost) throw new TakenOver();
            run.rowsRead = rowsRead;
            this.events.emit(`progress:${job.id}`, { rowsRead, status: 'running' });
          },
        });
        sheets = Math.max(sheets, result.sheets.length);
        if (result.applied) return this.settled(job, { ...completed(result), finishedAt });
        return await this.finish(job, completed(result));
      } catch (thrown) {
        if (thrown instanceof TakenOver) {
          owned = false;
          return (await this.jobs.get(job.acquisitionId, job.id)) ?? job;
        }
        // A reader's refusal past the first rows (a cell past a limit) is the client's, not a 500.
        const error = refusalOf(thrown);
        if (!(error instanceof AppError)) this.logError(error);
        const finished = await this.finish(job, {
          rowsRead: run.rowsRead,
          created: 0,
          updated: 0,
          unchanged: 0,
          invalid: 0,
          applied: false,
          findings: [],
          sheets: job.sheets,
          status: 'failed',
          error:
            error instanceof AppError
              ? jobProblem(error)
              : {
                  code: 'internal',
                  status: 500,
                  detail: 'The import failed unexpectedly; nothing from it was stored.',
                },
        });
        if (finished.status === 'failed') await rm(dir, { recursive: true, force: true });
        else owned = false;
        return finished;
      } finally {
        release?.();
        if (owned) {
          await rm(this.uploadOf(job.id), { force: true });
          for (let i = 0; i < sheets; i++) await rm(stagingPath(dir, i), { force: true });
        }
        this.running.delete(job.id);
      }
    })();
    this.running.set(job.id, run);
    return run.done;
  }

  /**
   * Stores how this node's run of a job ended and tells its followers; when another node has
   * taken the job over, stores nothing and returns the job as stored.
   */
  private async finish(job: ImportJob, outcome: Outcome): Promise<ImportJob> {
    const finishedAt = this.now().toISOString();
    const stored = await this.jobs.finish(
      job.id,
      job.attempts,
      { ...outcome, finishedAt },
      outcome.findings,
    );
    if (!stored) return (await this.jobs.get(job.acquisitionId, job.id)) ?? job;
    return this.settled(job, { ...outcome, finishedAt });
  }

  /** The finished job, as its followers on this node are told. */
  private settled(job: ImportJob, outcome: Outcome & { finishedAt: string }): ImportJob {
    const finished: ImportJob = {
      ...job,
      status: outcome.status,
      error: outcome.error,
      applied: outcome.applied,
      rowsRead: outcome.rowsRead,
      created: outcome.created,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      invalid: outcome.invalid,
      sheets: outcome.sheets,
      finishedAt: outcome.finishedAt,
    };
    this.running.delete(job.id);
    this.events.emit(`done:${job.id}`, finished);
    return finished;
  }
}
