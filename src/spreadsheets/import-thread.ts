import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Revalidation } from '../capture/full-validation.js';
import type { ImportLimits } from '../config.js';
import { AppError } from '../errors.js';
import { keyringSnapshot, type KeyringSnapshot } from '../secrets/sealing.js';
import type { jobProblem } from './import-errors.js';
import {
  TakenOver,
  type ExecutionRequest,
  type Executed,
  type ImportExecution,
} from './import-execution.js';
import type { ImportJob, RerunOptions } from './import-repository.js';
import type { RunResult } from './run-import.js';

/** What the worker thread is started with. */
export interface ThreadSetup {
  /** The database the process uses: the worker opens its own connections to it. */
  database: { url: string; schema?: string };
  secrets: KeyringSnapshot;
  limits: ImportLimits;
}

/** A run, as sent to the worker. `clock` is the process's time when it started (ms). */
export type ToWorker =
  | {
      type: 'run';
      job: ImportJob;
      options: RerunOptions;
      dir: string;
      upload: string;
      clock: number;
    }
  | { type: 'revalidate'; id: string; acquisitionId: string; clock: number }
  | { type: 'stop'; id: string }
  | { type: 'close' };

/** What the worker tells of a run. */
export type FromWorker =
  | { type: 'progress'; id: string; rowsRead: number }
  | { type: 'done'; id: string; result: RunResult; finishedAt: string }
  | { type: 'revalidated'; id: string; result: Revalidation }
  | { type: 'taken-over'; id: string }
  | { type: 'refused'; id: string; problem: ReturnType<typeof jobProblem> }
  | { type: 'failed'; id: string; message: string; stack?: string; code?: string };

/** How long a closing worker may take to close its connections before it is stopped. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Runs imports on a worker thread, so that their CPU (reading, normalising, validating and placing
 * a hundred thousand rows) leaves this thread to answer requests, and the process uses a second
 * core. Full re-validations run there too (`revalidate`): seconds of CPU at 100,000 records. The worker opens its own connections to the same PostgreSQL database and runs the same
 * `runImport` in its own transaction; to the rest of Intake it is one more node, which the data
 * versions and the context cache's checks already handle. On SQLite, whose one connection is
 * shared by the process, imports stay in-process (`InProcessExecution`).
 *
 * The worker is started with the server (or at the first import) and kept. If it dies, its runs
 * fail as unexpected failures (their transactions die with its connections: nothing is stored)
 * and the next one starts a new worker.
 */
export class ThreadExecution implements ImportExecution {
  private worker: Worker | undefined;
  /** What the worker is doing for this thread: import runs (with their request), re-validations. */
  private readonly runs = new Map<
    string,
    {
      request?: ExecutionRequest;
      resolve: (value: unknown) => void;
      reject: (e: unknown) => void;
      /** Why this side stopped the run, when not because another node took the job over. */
      failure?: unknown;
    }
  >();

  constructor(
    private readonly database: ThreadSetup['database'],
    private readonly limits: ImportLimits,
    private readonly now: () => Date,
  ) {}

  execute(request: ExecutionRequest): Promise<Executed> {
    // The worker opens the upload itself: what this thread opened is let go.
    request.ready?.prepared.table.close();
    const { job } = request;
    return this.send<Executed>(
      {
        type: 'run',
        job,
        options: request.options,
        dir: request.dir,
        upload: request.upload,
        clock: this.now().getTime(),
      },
      job.id,
      request,
    );
  }

  /** Re-validates every record of an acquisition on the worker (`revalidateAcquisition`). */
  revalidate(acquisitionId: string): Promise<Revalidation> {
    const id = randomUUID();
    return this.send<Revalidation>(
      { type: 'revalidate', id, acquisitionId, clock: this.now().getTime() },
      id,
    );
  }

  private send<T>(message: ToWorker, id: string, request?: ExecutionRequest): Promise<T> {
    return new Promise<unknown>((resolve, reject) => {
      const worker = this.started();
      this.runs.set(id, { request, resolve, reject });
      worker.postMessage(message);
    }) as Promise<T>;
  }

  start(): void {
    this.started();
  }

  /** The worker's thread id while one runs (it starts at the first import). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Lets the worker finish its runs and close its connections; stops it after 5 s. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited.catch(() => undefined);
    clearTimeout(timer);
  }

  /**
   * Stops the worker at once, as a crash would: its runs fail, their transactions end with its
   * connections, and the next import starts another worker.
   */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const setup: ThreadSetup = {
      database: this.database,
      secrets: keyringSnapshot(),
      limits: this.limits,
    };
    const worker = startWorker(setup);
    // A worker left running must not keep the process alive (close() ends it at shutdown).
    worker.unref();
    worker.on('message', (message: FromWorker) => this.receive(worker, message));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) =>
      this.lost(worker, new Error(`The import worker thread exited (code ${code}).`)),
    );
    this.worker = worker;
    return worker;
  }

  private receive(worker: Worker, message: FromWorker): void {
    const run = this.runs.get(message.id);
    if (!run) return;
    switch (message.type) {
      case 'progress':
        try {
          run.request?.onProgress(message.rowsRead);
        } catch (error) {
          // The run stops as it would have in-process, failing with what was thrown.
          if (!(error instanceof TakenOver)) run.failure ??= error;
          worker.postMessage({ type: 'stop', id: message.id } satisfies ToWorker);
        }
        return;
      case 'done':
        this.runs.delete(message.id);
        run.resolve({ result: message.result, finishedAt: message.finishedAt } satisfies Executed);
        return;
      case 'revalidated':
        this.runs.delete(message.id);
        run.resolve(message.result);
        return;
      case 'taken-over':
        this.runs.delete(message.id);
        run.reject(run.failure ?? new TakenOver());
        return;
      case 'refused': {
        this.runs.delete(message.id);
        const { code, status, detail, errors, extra } = message.problem;
        run.reject(new AppError(code, status, detail, errors, extra));
        return;
      }
      case 'failed': {
        this.runs.delete(message.id);
        const error = Object.assign(
          new Error(message.message),
          message.code ? { code: message.code } : {},
        );
        if (message.stack) error.stack = message.stack;
        run.reject(error);
      }
    }
  }

  /** The worker died: its runs fail, and the next import starts another. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, run] of this.runs) {
      this.runs.delete(id);
      run.reject(error);
    }
  }
}

/**
 * Starts the worker from the compiled module (`dist/`). Under the test runner the sources are
 * TypeScript: the worker registers `tsx` (a development dependency) and imports the source.
 */
function startWorker(setup: ThreadSetup): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(source ? './import-worker.ts' : './import-worker.js', import.meta.url);
  if (!source) return new Worker(entry, { workerData: setup });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}
