import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Revalidation } from '../capture/full-validation.js';
import type { DialectName } from '../db/connect.js';
import type { SqliteFile } from '../db/sqlite-driver.js';
import { stagedApplies, stagedImports } from '../db/staged-import-gates.js';
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
  database: { url: string; schema?: string; dialect: DialectName };
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
  /** SQLite: the worker's turn at writing the file (`write-turn`) is granted. */
  | { type: 'write-turn-granted'; id: string }
  | { type: 'close' };

/** What the worker tells of a run. */
export type FromWorker =
  | { type: 'progress'; id: string; rowsRead: number }
  | { type: 'done'; id: string; result: RunResult; finishedAt: string }
  | { type: 'revalidated'; id: string; result: Revalidation }
  | { type: 'taken-over'; id: string }
  | { type: 'refused'; id: string; problem: ReturnType<typeof jobProblem> }
  | { type: 'failed'; id: string; message: string; stack?: string; code?: string }
  /** SQLite: the worker asks for a turn at writing the file, and gives it back. */
  | { type: 'write-turn'; id: string }
  | { type: 'write-turn-done'; id: string }
  /** SQLite: the worker started (true) or ended (false) applying an import of the acquisition. */
  | { type: 'applying'; acquisitionId: string; held: boolean };

/** What the worker tells of its use of a SQLite file rather than of a run. */
type FileMessage = Extract<FromWorker, { type: 'write-turn' | 'write-turn-done' | 'applying' }>;

const isFileMessage = (message: FromWorker): message is FileMessage =>
  message.type === 'write-turn' ||
  message.type === 'write-turn-done' ||
  message.type === 'applying';

/** How long a closing worker may take to close its connections before it is stopped. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Runs imports on a worker thread, so that their CPU (reading, normalising, validating and placing
 * a hundred thousand rows) leaves this thread to answer requests, and the process uses a second
 * core. Full re-validations run there too (`revalidate`): seconds of CPU at 100,000 records. The worker opens its own connections to the same PostgreSQL database and runs the same
 * `runImport` in its own transaction; to the rest of Intake it is one more node, which the data
 * versions and the context cache's checks already handle. On a SQLite file the worker opens a
 * connection of its own, stages there (in its temporary tables, which no one else waits for), and
 * asks this thread for a turn before each transaction that writes the file (`write-turn`: granted
 * once this thread's transaction is done; src/db/sqlite-driver.ts); this thread holds the
 * acquisition's gates meanwhile (src/db/staged-import-gates.ts) and leaves the WAL's checkpoints
 * to the worker, so that no request waits for one. A `:memory:` database, which no other
 * connection can open, runs imports in-process (`InProcessExecution`).
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

  /** SQLite: the worker's turns at writing the file, held for it, by the worker's request id. */
  private readonly turns = new Map<string, () => void>();
  /** SQLite: the acquisitions the worker is applying an import of, with their gates held. */
  private readonly applying = new Map<string, () => void>();

  constructor(
    private readonly database: ThreadSetup['database'],
    private readonly limits: ImportLimits,
    private readonly now: () => Date,
    /** SQLite: the file this thread writes too, whose writer the worker takes turns with. */
    private readonly sqlite?: SqliteFile,
    /** SQLite: undoes what a worker that died had applied of an import (`recoverStagedApplies`). */
    private readonly undoApplies: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  async execute(request: ExecutionRequest): Promise<Executed> {
    // The worker opens the upload itself: what this thread opened is let go.
    request.ready?.prepared.table.close();
    const { job } = request;
    // On SQLite, writes of the acquisition made here meanwhile would be overwritten by the import.
    const release = this.sqlite ? stagedImports.hold(job.acquisitionId) : undefined;
    try {
      return await this.sendRun(request);
    } finally {
      release?.();
    }
  }

  private sendRun(request: ExecutionRequest): Promise<Executed> {
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
    // The worker checkpoints the WAL, off this thread (a checkpoint after an import's apply takes
    // seconds, and the commit that ran it would hold a request that long).
    this.sqlite?.autoCheckpoint(0);
    worker.on('message', (message: FromWorker) => this.receive(worker, message));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) =>
      this.lost(worker, new Error(`The import worker thread exited (code ${code}).`)),
    );
    this.worker = worker;
    return worker;
  }

  private receive(worker: Worker, message: FromWorker): void {
    if (isFileMessage(message)) return this.receiveFileMessage(worker, message);
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

  /** SQLite: the worker's turns at writing the file, and the imports it applies. */
  private receiveFileMessage(worker: Worker, message: FileMessage): void {
    switch (message.type) {
      case 'write-turn':
        void this.grantTurn(worker, message.id);
        return;
      case 'write-turn-done':
        this.turns.get(message.id)?.();
        this.turns.delete(message.id);
        return;
      case 'applying':
        if (message.held) {
          this.applying.set(message.acquisitionId, stagedApplies.hold(message.acquisitionId));
          return;
        }
        this.applying.get(message.acquisitionId)?.();
        this.applying.delete(message.acquisitionId);
    }
  }

  /** Grants the worker a turn at writing the file once this thread's transaction is done. */
  private async grantTurn(worker: Worker, id: string): Promise<void> {
    const release = await this.sqlite!.turnForAnother();
    if (this.worker !== worker) return release();
    this.turns.set(id, release);
    worker.postMessage({ type: 'write-turn-granted', id } satisfies ToWorker);
  }

  /**
   * The worker died: its runs fail, its turns and gates are given back (what it had not committed
   * died with its connection; an apply it had begun is undone at the next start), and the next
   * import starts another.
   */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const release of this.turns.values()) release();
    this.turns.clear();
    // Requests about an acquisition it was applying wait until what it applied is undone.
    const gates = [...this.applying.values()];
    this.applying.clear();
    if (gates.length > 0) void this.undoApplies().finally(() => gates.forEach((open) => open()));
    this.sqlite?.autoCheckpoint(1000);
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
