/**
 * The import worker thread (see `import-thread.ts`): opens its own connections to the process's
 * database, loads the process's secret keys, and runs each import it is sent with the same
 * `runImport` as the process would, telling the process its progress and how it ended; and each
 * full re-validation it is sent, with `revalidateAcquisition`. On a SQLite file it takes turns
 * with the process at writing the file, tells it when it applies an import, and checkpoints the
 * WAL.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import { CaptureEngine } from '../capture/capture-engine.js';
import { revalidateAcquisition } from '../capture/full-validation.js';
import { ContextCache } from '../capture/context-cache.js';
import { CatalogRepository } from '../catalog/catalog-repository.js';
import { connectDatabase } from '../db/connect.js';
import type { WriteTurns } from '../db/sqlite-driver.js';
import { stagedApplies } from '../db/staged-import-gates.js';
import { AppError } from '../errors.js';
import { restoreKeyring } from '../secrets/sealing.js';
import { jobProblem } from './import-errors.js';
import { InProcessExecution, TakenOver } from './import-execution.js';
import { ImportRepository } from './import-repository.js';
import type { FromWorker, ThreadSetup, ToWorker } from './import-thread.js';
import { refusalOf } from './prepare-import.js';

const port = parentPort!;
const setup = workerData as ThreadSetup;
restoreKeyring(setup.secrets);
const tell = (message: FromWorker) => port.postMessage(message);
/** SQLite: turns at writing the file asked of the process, by request id, waiting to be granted. */
const asked = new Map<string, () => void>();
const sqlite = setup.database.dialect === 'sqlite';
const writeTurns: WriteTurns | undefined = sqlite
  ? {
      take: () =>
        new Promise<() => void>((granted) => {
          const id = randomUUID();
          asked.set(id, () => granted(() => tell({ type: 'write-turn-done', id })));
          tell({ type: 'write-turn', id });
        }),
    }
  : undefined;
// An import uses one connection for its transaction, and one to refresh table statistics first.
const database = connectDatabase(setup.database.url, {
  schema: setup.database.schema,
  poolSize: 3,
  writeTurns,
});
if (sqlite)
  stagedApplies.listen((acquisitionId, held) => tell({ type: 'applying', acquisitionId, held }));

/**
 * SQLite: the process's commits leave the WAL to this thread, which copies it into the file after
 * its own writes and every second (PASSIVE: no one waits for it, nor it for anyone).
 */
let checkpointing: Promise<void> | undefined;
function checkpointSoon(): void {
  checkpointing ??= new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => database.sqlite?.checkpoint())
    .catch(() => undefined)
    .finally(() => (checkpointing = undefined));
}
const checkpoints = sqlite ? setInterval(checkpointSoon, 1000) : undefined;
const contexts = new ContextCache(
  new AcquisitionRepository(database.db),
  new CatalogRepository(database.db),
);
const jobs = new ImportRepository(database.db);
/** Runs the process took back (another node took their job over). */
const stopped = new Set<string>();
const running = new Set<Promise<void>>();

/** The process's clock (tests set it), carried on from when `clock` was read there. */
function clockFrom(clock: number): () => Date {
  const offset = clock - Date.now();
  return () => new Date(Date.now() + offset);
}

/** Tells the process how a run or re-validation failed: a refusal as such, else unexpected. */
function tellFailure(id: string, thrown: unknown): void {
  const error = refusalOf(thrown);
  if (error instanceof AppError) return tell({ type: 'refused', id, problem: jobProblem(error) });
  const failure = error instanceof Error ? error : new Error(String(error));
  // The code says whether the database was unreachable (a 503 to the client, not a 500).
  const { code } = failure as { code?: unknown };
  tell({
    type: 'failed',
    id,
    message: failure.message,
    stack: failure.stack,
    ...(typeof code === 'string' ? { code } : {}),
  });
}

async function revalidate(message: Extract<ToWorker, { type: 'revalidate' }>): Promise<void> {
  try {
    const ctx = await contexts.get(message.acquisitionId);
    const result = await revalidateAcquisition(database.db, ctx, clockFrom(message.clock)());
    tell({ type: 'revalidated', id: message.id, result });
  } catch (thrown) {
    tellFailure(message.id, thrown);
  }
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { job } = message;
  const now = clockFrom(message.clock);
  const execution = new InProcessExecution(
    database.db,
    new CaptureEngine(database.db, contexts, now),
    jobs,
    setup.limits,
    now,
  );
  try {
    const { result, finishedAt } = await execution.execute({
      job,
      options: message.options,
      dir: message.dir,
      upload: message.upload,
      onProgress: (rowsRead) => {
        if (stopped.has(job.id)) throw new TakenOver();
        tell({ type: 'progress', id: job.id, rowsRead });
      },
    });
    tell({ type: 'done', id: job.id, result, finishedAt });
  } catch (thrown) {
    if (thrown instanceof TakenOver) return tell({ type: 'taken-over', id: job.id });
    tellFailure(job.id, thrown);
  } finally {
    stopped.delete(job.id);
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'run':
    case 'revalidate': {
      const done = (message.type === 'run' ? run(message) : revalidate(message)).finally(() =>
        running.delete(done),
      );
      running.add(done);
      return;
    }
    case 'stop':
      stopped.add(message.id);
      return;
    case 'write-turn-granted':
      asked.get(message.id)?.();
      asked.delete(message.id);
      return;
    case 'close':
      clearInterval(checkpoints);
      void Promise.allSettled(running)
        .then(() => database.close())
        .finally(() => port.close());
  }
});
