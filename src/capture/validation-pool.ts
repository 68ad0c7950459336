import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Catalog } from '../catalog/model.js';
import { keyringSnapshot, type KeyringSnapshot } from '../secrets/sealing.js';
import type { AcquisitionContext, AcquisitionFacts } from './acquisition-context.js';
import type { ValidationRow } from './capture-repository.js';
import type { KeyAnswers } from './key-index.js';
import {
  packRows,
  unpackKeyTable,
  unpackVerdict,
  type PackedKeyTable,
  type PackedRows,
  type PackedVerdict,
} from './thread-messages.js';
import type { CapturedRecord } from './record.js';
import {
  evaluateShare,
  prepareShare,
  type PreparedShare,
  type SharePreparation,
  type ShareVerdict,
} from './validation-share.js';

/** Runs the shares of one full validation: prepares each, then evaluates it. */
export interface ShareRunner {
  prepare(
    share: number,
    rows: readonly ValidationRow[],
    sites: readonly CapturedRecord[],
  ): Promise<SharePreparation>;
  evaluate(
    share: number,
    answers: KeyAnswers,
    inputs: readonly CapturedRecord[],
    opening: boolean,
  ): Promise<ShareVerdict>;
  /** Lets the prepared shares go (once evaluated, or when the pass fails). */
  end(): void;
}

/** A request to a pool worker (see `validation-worker.ts`). */
export type ToPoolWorker =
  | {
      type: 'prepare';
      id: number;
      pass: number;
      share: number;
      acquisition: AcquisitionFacts;
      /** Sent to each worker once per catalogue version. */
      catalog?: Catalog;
      keyring: KeyringSnapshot;
      rows: PackedRows;
      sites: readonly CapturedRecord[];
    }
  | {
      type: 'evaluate';
      id: number;
      pass: number;
      share: number;
      answers: KeyAnswers;
      inputs: readonly CapturedRecord[];
      opening: boolean;
    }
  | { type: 'end'; id: number; pass: number };

/** A share's preparation as a pool worker sends it: its key table packed. */
export type PackedPreparation = Omit<SharePreparation, 'keys'> & { keys: PackedKeyTable };

/** A pool worker's answer. */
export interface FromPoolWorker {
  id: number;
  result?: PackedPreparation | PackedVerdict | undefined;
  failure?: { message: string; stack?: string };
}

/** Shares run on this thread: the same code as the workers', without the messages. */
export function localRunner(ctx: AcquisitionContext): ShareRunner {
  const shares = new Map<number, PreparedShare>();
  return {
    prepare: (k, rows, sites) => {
      const { share, preparation } = prepareShare(ctx, rows, sites);
      shares.set(k, share);
      return Promise.resolve(preparation);
    },
    evaluate: (k, answers, inputs, opening) =>
      Promise.resolve(evaluateShare(ctx, shares.get(k)!, answers, inputs, opening)),
    end: () => shares.clear(),
  };
}

/**
 * How many pool workers a pass of `records` records uses besides its own thread: one per core but
 * that one, at most three; none below 20,000 records (starting is not worth it) or on one core.
 */
export function poolSizeFor(records: number): number {
  const cores = availableParallelism();
  return records < 20_000 ? 0 : Math.min(cores - 1, 3);
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>;
  catalogs: Set<string>;
}

let workers: PoolWorker[] = [];
let requests = 0;
let passes = 0;

/**
 * Shares run on the process's validation workers (started at the first pass that needs them and
 * kept), share k on worker k modulo `size`. A worker keeps a share it prepared until it evaluates
 * it; each message carries the rows or answers it needs, nothing else is shared.
 */
export function poolRunner(ctx: AcquisitionContext, size: number): ShareRunner {
  while (workers.length < size) workers.push(startPoolWorker());
  const pool = workers.slice(0, size);
  const pass = ++passes;
  const on = (share: number) => pool[share % pool.length]!;
  return {
    prepare: (share, rows, sites) => {
      const target = on(share);
      const version = ctx.catalog.versionId;
      const catalog = target.catalogs.has(version) ? undefined : ctx.catalog;
      target.catalogs.add(version);
      return ask<PackedPreparation>(target, (id) => ({
        type: 'prepare',
        id,
        pass,
        share,
        acquisition: ctx.acquisition,
        catalog,
        keyring: keyringSnapshot(),
        rows: packRows(rows),
        sites,
      })).then((prepared) => ({ ...prepared, keys: unpackKeyTable(prepared.keys) }));
    },
    evaluate: (share, answers, inputs, opening) =>
      ask<PackedVerdict>(
        on(share),
        (id) => ({ type: 'evaluate', id, pass, share, answers, inputs, opening }),
        [answers.answers.buffer as ArrayBuffer],
      ).then(unpackVerdict),
    end: () => {
      for (const target of pool)
        if (workers.includes(target)) target.worker.postMessage({ type: 'end', id: 0, pass });
    },
  };
}

/** Sends a request and waits for its answer; the worker keeps the process alive meanwhile. */
function ask<T>(
  target: PoolWorker,
  message: (id: number) => ToPoolWorker,
  transfer: ArrayBuffer[] = [],
): Promise<T> {
  return new Promise<unknown>((resolve, reject) => {
    const id = ++requests;
    target.pending.set(id, { resolve, reject });
    target.worker.ref();
    target.worker.postMessage(message(id), transfer);
  }) as Promise<T>;
}

function startPoolWorker(): PoolWorker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(
    source ? './validation-worker.ts' : './validation-worker.js',
    import.meta.url,
  );
  // Under the test runner the sources are TypeScript: the worker registers tsx first.
  const worker = source
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
        { eval: true },
      )
    : new Worker(entry);
  const target: PoolWorker = { worker, pending: new Map(), catalogs: new Set() };
  // An idle worker must not keep the process alive; one with a request pending does (`ask`).
  worker.unref();
  worker.on('message', (answer: FromPoolWorker) => {
    const request = target.pending.get(answer.id);
    if (!request) return;
    target.pending.delete(answer.id);
    if (target.pending.size === 0) worker.unref();
    if (answer.failure)
      request.reject(
        Object.assign(new Error(answer.failure.message), { stack: answer.failure.stack }),
      );
    else request.resolve(answer.result);
  });
  const lost = (error: Error) => {
    workers = workers.filter((w) => w !== target);
    for (const request of target.pending.values()) request.reject(error);
    target.pending.clear();
  };
  worker.on('error', lost);
  worker.on('exit', (code) => lost(new Error(`A validation worker exited (code ${code}).`)));
  return target;
}

/**
 * Starts the workers a large pass uses, ahead of it: loading a worker's modules takes some 0.3 s,
 * which the first large opening or re-validation would otherwise wait for. `intake serve` calls it
 * at start; idle workers keep no process alive.
 */
export function startValidationPool(): void {
  const size = poolSizeFor(Number.MAX_SAFE_INTEGER);
  while (workers.length < size) workers.push(startPoolWorker());
}

/** Stops the validation workers (the next pass that needs them starts new ones). */
export async function closeValidationPool(): Promise<void> {
  const stopping = workers;
  workers = [];
  await Promise.all(stopping.map((w) => w.worker.terminate()));
}
