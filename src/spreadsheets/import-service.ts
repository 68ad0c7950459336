import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { CaptureEngine } from '../capture/capture-engine.js';
import { captureErrors } from '../capture/capture-errors.js';
import type { ImportLimits } from '../config.js';
import { makePrivateDir } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { AppError, errors } from '../errors.js';
import type { MappingOverride } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type {
  ImportFinding,
  ImportJob,
  ImportMode,
  ImportRepository,
  MatchMode,
} from './import-repository.js';
import { prepareImport, refusalOf } from './prepare-import.js';
import { reportPath, runImport, stagingPath } from './run-import.js';
import type { Audience } from './sheet-columns.js';
import { ImportLease } from './import-lease.js';

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

/**
 * Spreadsheet imports as jobs: checks the upload, records the job, runs it in the background (one
 * transaction; see `runImport`) and reports progress as it goes. A job a restart interrupted is
 * marked failed at the next start; its transaction never committed.
 */
export class ImportService {
  private readonly running = new Map<string, { rowsRead: number; done: Promise<ImportJob> }>();
  /** Emits `progress:<id>` with an `ImportProgress`, and `done:<id>` with the finished job. */
  readonly events = new EventEmitter();

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
     * it is taken for interrupted. Without it, a start fails every job left running (one node).
     */
    leaseMs: number | null = null,
  ) {
    this.events.setMaxListeners(0);
    this.lease =
      leaseMs === null
        ? null
        : new ImportLease(
            jobs,
            leaseMs,
            now,
            (ids) => this.removeFiles(ids),
            logError,
            () => [...this.running.keys()],
          );
  }

  /** Null on one node (SQLite); see `leaseMs`. */
  readonly lease: ImportLease | null;

  private async removeFiles(ids: readonly string[]): Promise<void> {
    for (const id of ids) await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /**
   * At start: marks jobs a previous process left running as failed and removes what they left on
   * disk (the upload, staged rows, a half-written report), and any upload that never became a job
   * (a process that died while reading a file leaves it in `incoming`). Returns the jobs failed.
   */
  async recoverInterrupted(): Promise<number> {
    if (this.lease) {
      // Other nodes may be running jobs and receiving uploads: only what is stale goes.
      const failed = await this.lease.sweep();
      await removeOlderThan(this.incomingDir(), this.now().getTime() - INCOMING_MAX_AGE_MS);
      this.lease.start();
      return failed;
    }
    const ids = await this.jobs.failInterrupted(this.now().toISOString());
    await this.removeFiles(ids);
    await rm(this.incomingDir(), { recursive: true, force: true });
    return ids.length;
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
      const prepared = await prepareImport(upload.path, ctx, {
        fileName: upload.fileName,
        audience,
        entity: request.entity,
        mapping: request.mapping,
        limits: this.limits,
      });
      const job: ImportJob = {
        id: randomUUID(),
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
      };
      const inserted = await this.jobs.insert(job).catch((error: unknown) => {
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
      const dir = this.dirOf(job.id);
      await makePrivateDir(dir);
      const path = upload.path;
      started = true;
      const run = { rowsRead: 0, done: Promise.resolve(job) };
      const release = this.lease?.keep(job.id, () => run.rowsRead);
      run.done = (async () => {
        try {
          const result = await runImport(this.db, this.engine, ctx, prepared, {
            importId: job.id,
            mode: request.mode,
            match: request.match,
            limits: this.limits,
            origin: { actor: request.actor, customerOnly: request.customerOnly },
            fileName: upload.fileName,
            dir,
            now: this.now,
            onProgress: (rowsRead) => {
              run.rowsRead = rowsRead;
              this.events.emit(`progress:${job.id}`, { rowsRead, status: 'running' });
            },
          });
          return await this.finish(job, { ...result, status: 'completed', error: null });
        } catch (thrown) {
          // A reader's refusal past the first rows (a cell past a limit) is the client's, not a 500.
          const error = refusalOf(thrown);
          const problem =
            error instanceof AppError
              ? {
                  code: error.code,
                  status: error.status,
                  detail: error.message,
                  ...(error.errors.length > 0 ? { errors: error.errors } : {}),
                  ...(Object.keys(error.extra).length > 0 ? { extra: error.extra } : {}),
                }
              : {
                  code: 'internal',
                  status: 500,
                  detail: 'The import failed unexpectedly; nothing from it was stored.',
                };
          if (!(error instanceof AppError)) this.logError(error);
          await rm(dir, { recursive: true, force: true });
          return this.finish(job, {
            rowsRead: run.rowsRead,
            created: 0,
            updated: 0,
            unchanged: 0,
            invalid: 0,
            applied: false,
            findings: [],
            sheets: job.sheets,
            status: 'failed',
            error: problem,
          });
        } finally {
          release?.();
          await rm(path, { force: true });
          for (let i = 0; i < job.sheets.length; i++)
            await rm(stagingPath(dir, i), { force: true });
          this.running.delete(job.id);
        }
      })();
      this.running.set(job.id, run);
      return { job, replayed: false, done: run.done };
    } finally {
      if (!started) await rm(upload.path, { force: true });
    }
  }

  private async finish(
    job: ImportJob,
    outcome: Pick<ImportJob, 'status' | 'error' | 'applied' | 'sheets'> &
      Pick<ImportJob, 'rowsRead' | 'created' | 'updated' | 'unchanged' | 'invalid'> & {
        findings: ImportFinding[];
      },
  ): Promise<ImportJob> {
    const finishedAt = this.now().toISOString();
    await this.jobs.finish(job.id, { ...outcome, finishedAt }, outcome.findings);
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
      finishedAt,
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
