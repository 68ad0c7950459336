import { createHash, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { CaptureEngine } from '../capture/capture-engine.js';
import { captureErrors } from '../capture/capture-errors.js';
import type { ImportLimits } from '../config.js';
import { makePrivateDir } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { recoverStagedApplies } from '../db/staging-undo.js';
import { errors } from '../errors.js';
import type { MappingOverride } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type { ImportExecution } from './import-execution.js';
import type {
  ImportJob,
  ImportMode,
  ImportRepository,
  MatchMode,
  RerunOptions,
} from './import-repository.js';
import { reportPath } from './run-import.js';
import type { Audience } from './sheet-columns.js';
import type { ImportLease } from './import-lease.js';
import { ImportRunner, type ImportProgress } from './import-runner.js';
import { thisNode } from './import-takeover.js';

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

/**
 * Spreadsheet imports as jobs: checks the upload, records the job (an Idempotency-Key replays an
 * earlier request) and hands it to the `ImportRunner`, which runs it in the background (one
 * transaction; see `runImport`) and reports progress as it goes. A job whose node stopped is run
 * again by a node that can read its upload, or failed (`import-takeover.ts`): on one node at the
 * next start, on several (PostgreSQL) once its lease has run out.
 */
export class ImportService {
  private readonly runner: ImportRunner;
  /** Emits `progress:<id>` with an `ImportProgress`, and `done:<id>` with the finished job. */
  readonly events: EventEmitter;
  /** Null on one node (SQLite); see `leaseMs`. */
  readonly lease: ImportLease | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: CaptureEngine,
    /** Runs each job's rows: on this thread, or on a worker thread (`import-execution.ts`). */
    readonly execution: ImportExecution,
    readonly jobs: ImportRepository,
    limits: ImportLimits,
    private readonly dataDir: string,
    private readonly now: () => Date,
    /** Where an unexpected failure is logged (its details never reach the client). */
    logError: (error: unknown) => void = () => undefined,
    /**
     * With several nodes (PostgreSQL): how long a job may go without its node's heartbeat before
     * it is taken for interrupted. Without it, a start recovers every job left running (one node).
     */
    leaseMs: number | null = null,
    /** This node as its jobs record it. */
    readonly node: string = thisNode(),
  ) {
    this.runner = new ImportRunner(
      db,
      execution,
      jobs,
      limits,
      dataDir,
      now,
      logError,
      leaseMs,
      node,
    );
    this.events = this.runner.events;
    this.lease = this.runner.lease;
  }

  /**
   * At start: runs again, or fails, the jobs a previous process left running (see
   * `import-takeover.ts`); a failed job's files go (its upload, staged rows, a half-written
   * report), and so does any upload that never became a job (a process that died while reading a
   * file leaves it in `incoming`). On one node (SQLite), an import the last process stopped while
   * applying is undone first (`recoverStagedApplies`). Returns the jobs taken over or failed.
   */
  async recoverInterrupted(): Promise<number> {
    if (this.lease) {
      // Other nodes may be running jobs and receiving uploads: only what is stale goes.
      const handled = await this.lease.sweep();
      await removeOlderThan(this.incomingDir(), this.now().getTime() - INCOMING_MAX_AGE_MS);
      this.lease.start();
      return handled;
    }
    // An import the last process was applying is undone before its job runs again (SQLite).
    await recoverStagedApplies(this.db);
    const handled = await this.runner.recover(undefined);
    await rm(this.incomingDir(), { recursive: true, force: true });
    return handled;
  }

  /** Where uploads are written while they arrive and are read, before (or without) a job. */
  incomingDir(): string {
    return join(this.dataDir, 'imports', 'incoming');
  }

  /** Waits for every running import (at shutdown), then stops sweeping leases. */
  async drain(): Promise<void> {
    await this.runner.drain();
  }

  /** The progress of a job this node runs; else undefined (see `ImportRunner`). */
  progressOf(id: string): ImportProgress | undefined {
    return this.runner.progressOf(id);
  }

  /** The folder of a job's files (see `ImportRunner.dirOf`). */
  dirOf(id: string): string {
    return this.runner.dirOf(id);
  }

  /** Where a job's upload is kept while it runs (see `ImportRunner.uploadOf`). */
  uploadOf(id: string): string {
    return this.runner.uploadOf(id);
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
      const prepared = await this.runner.prepare(
        ctx,
        request.upload.fileName,
        options,
        this.uploadOf(id),
      );
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
      const done = this.runner.launch(job, options, { ctx, prepared });
      return { job, replayed: false, done };
    } finally {
      if (!started) {
        await rm(upload.path, { force: true });
        await rm(this.dirOf(id), { recursive: true, force: true });
      }
    }
  }

  private replay(earlier: ImportJob, requestHash: string, key: string): StartedImport {
    if (earlier.requestHash !== requestHash) throw importErrors.idempotencyKeyReused(key);
    const done = this.runner.doneOf(earlier.id) ?? Promise.resolve(earlier);
    return { job: earlier, replayed: true, done };
  }
}
