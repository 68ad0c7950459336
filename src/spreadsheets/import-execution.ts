import type { Kysely } from 'kysely';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { CaptureEngine } from '../capture/capture-engine.js';
import type { ImportLimits } from '../config.js';
import type { Database } from '../db/schema.js';
import type { ImportJob, ImportRepository, RerunOptions } from './import-repository.js';
import { prepareImport, type PreparedImport } from './prepare-import.js';
import { runImport, type RunResult } from './run-import.js';

/** Thrown out of a run that another node took over: it stores nothing and leaves the files. */
export class TakenOver extends Error {
  constructor() {
    super('another node took the import over');
  }
}

/** A job's sheets, opened and mapped (by the request that started it). */
export interface ReadyImport {
  ctx: AcquisitionContext;
  prepared: PreparedImport;
}

/** One run of a job, as the runner hands it to be executed. */
export interface ExecutionRequest {
  job: ImportJob;
  options: RerunOptions;
  /** The job's folder (staged rows, reports) and its upload in it. */
  dir: string;
  upload: string;
  /** The sheets when the request already opened them; else they are opened from the upload. */
  ready?: ReadyImport;
  /** Told how many rows were read; throws `TakenOver` when the run no longer owns the job. */
  onProgress: (rowsRead: number) => void;
}

/** How a stored (or rolled back) run ended: its result, and when its outcome was stored. */
export interface Executed {
  result: RunResult;
  /** When the outcome committed with the rows; empty when nothing was stored (a roll-back). */
  finishedAt: string;
}

/**
 * What runs an import's rows: in this thread (`InProcessExecution`), or in a worker thread
 * (`ThreadExecution`). Either way, when the rows are stored the job's outcome commits with them;
 * a run that another node took over throws `TakenOver`; a reader's refusal or a failure throws.
 */
export interface ImportExecution {
  execute(request: ExecutionRequest): Promise<Executed>;
  /** Gets ready to run (a worker thread starts), so that the first import does not wait. */
  start(): void;
  /** Stops taking runs (at shutdown, once the runs have settled). */
  close(): Promise<void>;
}

/** A run's result as a completed job's outcome. */
export function completed(result: RunResult): RunResult & Pick<ImportJob, 'status' | 'error'> {
  return { ...result, status: 'completed', error: null };
}

/** Opens a job's upload and works out its sheets with the job's options (`prepareImport`). */
export function prepareUpload(
  ctx: AcquisitionContext,
  fileName: string,
  options: RerunOptions,
  path: string,
  limits: ImportLimits,
): Promise<PreparedImport> {
  return prepareImport(path, ctx, {
    fileName,
    audience: options.customerOnly ? 'customer' : 'staff',
    entity: options.entity,
    mapping: options.mapping,
    limits,
  });
}

/** Runs imports on this thread, on the process's own database connection. */
export class InProcessExecution implements ImportExecution {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: CaptureEngine,
    private readonly jobs: ImportRepository,
    private readonly limits: ImportLimits,
    private readonly now: () => Date,
  ) {}

  async execute(request: ExecutionRequest): Promise<Executed> {
    const { job, options } = request;
    let ready = request.ready;
    if (!ready) {
      const ctx = await this.engine.context(job.acquisitionId);
      ready = {
        ctx,
        prepared: await prepareUpload(ctx, job.fileName, options, request.upload, this.limits),
      };
    }
    let finishedAt = '';
    const result = await runImport(this.db, this.engine, ready.ctx, ready.prepared, {
      importId: job.id,
      mode: job.mode,
      match: job.match,
      limits: this.limits,
      origin: { actor: job.actor, customerOnly: options.customerOnly },
      fileName: job.fileName,
      dir: request.dir,
      now: this.now,
      onProgress: request.onProgress,
      beforeCommit: async (trx, stored) => {
        finishedAt = this.now().toISOString();
        const outcome = { ...completed(stored), finishedAt };
        if (!(await this.jobs.finish(job.id, job.attempts, outcome, stored.findings, trx)))
          throw new TakenOver();
      },
    });
    return { result, finishedAt };
  }

  start(): void {}

  async close(): Promise<void> {}
}
