import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { CaptureEngine } from '../capture/capture-engine.js';
import { captureErrors } from '../capture/capture-errors.js';
import type { ImportLimits } from '../config.js';
import { makePrivateDir } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { AppError, errors } from '../errors.js';
import type { MappingOverride } from './header-mapping.js';
import { importErrors, jobProblem } from './import-errors.js';
import type {
  ImportFinding,
  ImportJob,
  ImportMode,
  ImportRepository,
  MatchMode,
  RerunOptions,
} from './import-repository.js';
import { prepareImport, refusalOf, type PreparedImport } from './prepare-import.js';
import { reportPath, runImport, stagingPath, type RunResult } from './run-import.js';
import type { Audience } from './sheet-columns.js';
import { ImportLease } from './import-lease.js';
import { ImportTakeover, thisNode } from './import-takeover.js';
import { StaleImports } from './stale-imports.js';

/** An uploaded file, already on disk, with the SHA-256 of its bytes. */
export interface Upload {
  path: string;
  fileName: string;
  sha256: string;
}

export interface ImportRequest {
  acquisitionId: string;
  upload: Upload;
  mode: ImportMode;
  match: MatchMode;
  entity?: string;
  mapping?: MappingOverride | Record<string, MappingOverride>;
  idempotencyKey?: string;
  actor: string;
  /** The staff token or customer link starting the import (a link sees only its own imports). */
  createdBy: string;
  /** A customer link: only the customer's fields. */
  customerOnly: boolean;
}

export interface StartedImport {
  job: ImportJob;
  /** True when the Idempotency-Key named an earlier request: nothing new was started. */
  replayed: boolean;
  /** Settles with the finished job. */
  done: Promise<ImportJob>;
}

/** An upload older than this in the incoming folder was left by a node that died reading it. */
const INCOMING_MAX_AGE_MS = 60 * 60 * 1000;

/** Removes the entries of `dir` last changed before `before` (ms); a missing folder is fine. */
async function removeOlderThan(dir: string, before: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && info.mtimeMs < before) await rm(path, { recursive: true, force: true });
  }
}

export interface ImportProgress {
  rowsRead: number;
  status: ImportJob['status'];
}

/** The upload's name in its job's folder, where any node sharing the data folder finds it. */
const UPLOAD_FILE = 'upload';

/** Thrown out of a run that another node took over: it stores nothing and leaves the files. */
class TakenOver extends Error {
  constructor() {
    super('another node took the import over');
  }
}

type Outcome = Pick<ImportJob, 'status' | 'error' | 'applied' | 'sheets'> &
  Pick<ImportJob, 'rowsRead' | 'created' | 'updated' | 'unchanged' | 'invalid'> & {
    findings: ImportFinding[];
  };

/**
 * Spreadsheet imports as jobs: checks the upload, records the job, runs it in the background (one
 * transaction; see `runImport`) and reports progress as it goes. A job whose node stopped is run
 * again by a node that can read its upload, or failed (`import-takeover.ts`): on one node at the
 * next start, on several (PostgreSQL) once its lease has run out.
 */
export class ImportService {
  private readonly running = new Map<string, { rowsRead: number; done: Promise<ImportJob> }>();
  /** Emits `progress:<id>` with an `ImportProgress`, and `done:<id>` with the finished job. */
  readonly events = new EventEmitter();
  private readonly takeover: ImportTakeover;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: CaptureEngine,
    readonly jobs: ImportRepository,
    private readonly limits: ImportLimits,
    private readonly dataDir: string,
    private readonly now: () => Date,
    /** Where an unexpected failure is logged (its details never reach the client). */
    private readonly logError: (error: unknown) => void = () => undefined,
    /**
     * With several nodes (PostgreSQL): how long a job may go without its node's heartbeat before
     * it is taken for interrupted. Without it, a start recovers every job left running (one node).
     */
    leaseMs: number | null = null,
    /** This node as its jobs record it. */
    readonly node: string = thisNode(),
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

  /** Null on one node (SQLite); see `leaseMs`. */
  readonly lease: ImportLease | null;

  private async removeFiles(ids: readonly string[]): Promise<void> {
    for (const id of ids) await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /** Takes over or fails the interrupted jobs (all but this process's own); returns how many. */
  private async recover(staleBefore: string | undefined): Promise<number> {
    const { failed, resumed } = await this.takeover.recover(staleBefore, [...this.running.keys()]);
    return failed.length + resumed.length;
  }

  /**
   * At start: runs again, or fails, the jobs a previous process left running (see
   * `import-takeover.ts`); a failed job's files go (its upload, staged rows, a half-written
   * report), and so does any upload that never became a job (a process that died while reading a
   * file leaves it in `incoming`). Returns the jobs taken over or failed.
   */
  async recoverInterrupted(): Promise<number> {
    if (this.lease) {
      // Other nodes may be running jobs and receiving uploads: only what is stale goes.
      const handled = await this.lease.sweep();
      await removeOlderThan(this.incomingDir(), this.now().getTime() - INCOMING_MAX_AGE_MS);
      this.lease.start();
      return handled;
    }
    const handled = await this.recover(undefined);
    await rm(this.incomingDir(), { recursive: true, force: true });
    return handled;
  }

  /** Where uploads are written while they arrive and are read, before (or without) a job. */
  incomingDir(): string {
    return join(this.dataDir, 'imports', 'incoming');
  }

  /** Waits for every running import (at shutdown), then stops sweeping leases. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await this.lease?.stop();
  }

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

  reportFile(id: string, sheet: number): string {
    return reportPath(this.dirOf(id), sheet);
  }

  async start(request: ImportRequest): Promise<StartedImport> {
    const { upload } = request;
    const audience: Audience = request.customerOnly ? 'customer' : 'staff';
    const requestHash = createHash('sha256')
      .update(upload.sha256)
      .update(
        // The caller too: an Idempotency-Key never returns another caller's job.
        JSON.stringify([
          request.mode,
          request.match,
          request.entity,
          request.mapping,
          audience,
          request.createdBy,
        ]),
      )
      .digest('hex');
    const id = randomUUID();
    // The upload is removed when the job ends, or here when no job starts.
    let started = false;
    try {
      if (request.idempotencyKey) {
        const earlier = await this.jobs.byIdempotencyKey(
          request.acquisitionId,
          request.idempotencyKey,
        );
        if (earlier) return this.replay(earlier, requestHash, request.idempotencyKey);
      }
      const state = await this.db
        .selectFrom('acquisitions')
        .select('state')
        .where('id', '=', request.acquisitionId)
        .executeTakeFirst();
      if (!state) throw errors.acquisitionNotFound(request.acquisitionId);
      // Even a dry run goes through the capture engine, which writes only while collecting.
      if (state.state !== 'collecting') throw captureErrors.locked(state.state);
      // One import per acquisition at a time (dry runs too: they hold the same write transaction);
      // the database's index on running jobs settles a race between two starts.
      const running = await this.jobs.runningOf(request.acquisitionId);
      if (running) throw importErrors.alreadyRunning(running);
      const ctx = await this.engine.context(request.acquisitionId);
      // Into the job's folder before it is read: a node taking the job over reads it there.
      await makePrivateDir(this.dirOf(id));
      await rename(upload.path, this.uploadOf(id));
      const options: RerunOptions = {
        entity: request.entity,
        mapping: request.mapping,
        customerOnly: request.customerOnly,
      };
      const prepared = await this.prepare(ctx, request.upload.fileName, options, this.uploadOf(id));
      const job: ImportJob = {
        id,
        acquisitionId: request.acquisitionId,
        idempotencyKey: request.idempotencyKey ?? null,
        requestHash,
        fileName: upload.fileName,
        format: prepared.table.format,
        mode: request.mode,
        match: request.match,
        status: 'running',
        applied: false,
        sheets: prepared.sheets.map((s) => s.plan),
        rowsRead: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        invalid: 0,
        error: null,
        actor: request.actor,
        createdBy: request.createdBy,
        createdAt: this.now().toISOString(),
        finishedAt: null,
        filesRemovedAt: null,
        attempts: 1,
      };
      const inserted = await this.jobs
        .insert(job, { options, node: this.node })
        .catch((error: unknown) => {
          prepared.table.close();
          throw error;
        });
      if (!inserted) {
        prepared.table.close();
        const earlier = await this.jobs.byIdempotencyKey(
          request.acquisitionId,
          request.idempotencyKey!,
        );
        return this.replay(earlier!, requestHash, request.idempotencyKey!);
      }
      started = true;
      const done = this.launch(job, options, () => Promise.resolve({ ctx, prepared }));
      return { job, replayed: false, done };
    } finally {
      if (!started) {
        await rm(upload.path, { force: true });
        await rm(this.dirOf(id), { recursive: true, force: true });
      }
    }
  }

  private prepare(
    ctx: AcquisitionContext,
    fileName: string,
    options: RerunOptions,
    path: string,
  ): Promise<PreparedImport> {
    return prepareImport(path, ctx, {
      fileName,
      audience: options.customerOnly ? 'customer' : 'staff',
      entity: options.entity,
      mapping: options.mapping,
      limits: this.limits,
    });
  }

  /** Runs a job this node claimed from a node that stopped: from the start, with its options. */
  private async resume(job: ImportJob, options: RerunOptions): Promise<void> {
    // What the stopped run left beside the upload (staged rows, a report) is written again.
    for (let i = 0; i < job.sheets.length; i++) {
      await rm(stagingPath(this.dirOf(job.id), i), { force: true });
      await rm(reportPath(this.dirOf(job.id), i), { force: true });
    }
    void this.launch(job, options, async () => {
      const ctx = await this.engine.context(job.acquisitionId);
      return {
        ctx,
        prepared: await this.prepare(ctx, job.fileName, options, this.uploadOf(job.id)),
      };
    });
  }

  /**
   * Runs run `job.attempts` of a job in the background, renewing its lease; returns the promise
   * of the finished job. When the rows are stored, the job's outcome commits with them.
   */
  private launch(
    job: ImportJob,
    options: RerunOptions,
    prepare: () => Promise<{ ctx: AcquisitionContext; prepared: PreparedImport }>,
  ): Promise<ImportJob> {
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
        const { ctx, prepared } = await prepare();
        sheets = prepared.sheets.length;
        let finishedAt = '';
        const result = await runImport(this.db, this.engine, ctx, prepared, {
          importId: job.id,
          mode: job.mode,
          match: job.match,
          limits: this.limits,
          origin: { actor: job.actor, customerOnly: options.customerOnly },
          fileName: job.fileName,
          dir,
          now: this.now,
          onProgress: (rowsRead) => {
            if (run.lost) throw new TakenOver();
            run.rowsRead = rowsRead;
            this.events.emit(`progress:${job.id}`, { rowsRead, status: 'running' });
          },
          beforeCommit: async (trx, stored) => {
            finishedAt = this.now().toISOString();
            const outcome = { ...completed(stored), finishedAt };
            if (!(await this.jobs.finish(job.id, attempt, outcome, stored.findings, trx)))
              throw new TakenOver();
          },
        });
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

  private replay(earlier: ImportJob, requestHash: string, key: string): StartedImport {
    if (earlier.requestHash !== requestHash) throw importErrors.idempotencyKeyReused(key);
    const running = this.running.get(earlier.id);
    return { job: earlier, replayed: true, done: running?.done ?? Promise.resolve(earlier) };
  }
}

/** A run's result as a completed job's outcome. */
function completed(result: RunResult): Outcome {
  return { ...result, status: 'completed', error: null };
}
