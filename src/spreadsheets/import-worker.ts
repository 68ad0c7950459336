/**
 * The import worker thread (see `import-thread.ts`): opens its own connections to the process's
 * PostgreSQL database, loads the process's secret keys, and runs each import it is sent with the
 * same `runImport` as the process would, telling the process its progress and how it ended; and
 * each full re-validation it is sent, with `revalidateAcquisition`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import { CaptureEngine } from '../capture/capture-engine.js';
import { revalidateAcquisition } from '../capture/full-validation.js';
import { ContextCache } from '../capture/context-cache.js';
import { CatalogRepository } from '../catalog/catalog-repository.js';
import { connectDatabase } from '../db/connect.js';
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
// An import uses one connection for its transaction, and one to refresh table statistics first.
const database = connectDatabase(setup.database.url, {
  schema: setup.database.schema,
  poolSize: 3,
});
const contexts = new ContextCache(
  new AcquisitionRepository(database.db),
  new CatalogRepository(database.db),
);
const jobs = new ImportRepository(database.db);
/** Runs the process took back (another node took their job over). */
const stopped = new Set<string>();
const running = new Set<Promise<void>>();

const tell = (message: FromWorker) => port.postMessage(message);

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
    case 'close':
      void Promise.allSettled(running)
        .then(() => database.close())
        .finally(() => port.close());
  }
});
