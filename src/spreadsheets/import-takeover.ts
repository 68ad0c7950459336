import { access, constants } from 'node:fs/promises';
import { hostname } from 'node:os';
import { importErrors, jobProblem } from './import-errors.js';
import type { ImportJob, RerunOptions } from './import-repository.js';
import type { StaleImport, StaleImports } from './stale-imports.js';

/** How many times one import is run at most: by the node it was sent to, then two take-overs. */
export const MAX_IMPORT_ATTEMPTS = 3;

/** This process as a job records it: its host name and process id. */
export const thisNode = (): string => `${hostname()}#${process.pid}`;

/** What becomes of an interrupted job (pure): run again, or failed with a reason. */
export type StaleVerdict = { resume: true } | { resume: false; error: 'interrupted' | 'too-often' };

/**
 * An interrupted job is run again when a node can read its upload and it has runs left; a job
 * stored without its options (before they were kept) cannot be run as it was asked.
 */
export function verdictOn(stale: StaleImport, uploadReadable: boolean): StaleVerdict {
  if (stale.job.attempts >= MAX_IMPORT_ATTEMPTS) return { resume: false, error: 'too-often' };
  if (!stale.options || !uploadReadable) return { resume: false, error: 'interrupted' };
  return { resume: true };
}

/** What a sweep did: the jobs this node failed and those it took over. */
export interface Recovered {
  failed: string[];
  resumed: string[];
}

/**
 * Interrupted imports: a job whose node stopped (its lease ran out, or on one node, a restart) is
 * claimed by one live node and run again from the start, with the same options and id, when its
 * upload is in the data folder this node reads (a folder the nodes share); else it is failed as
 * before. The run's transaction died with its node, so nothing of the earlier run was stored.
 */
export class ImportTakeover {
  constructor(
    private readonly stale: StaleImports,
    /** Where a job's upload is kept under this node's data folder. */
    private readonly uploadOf: (id: string) => string,
    /** Starts run `job.attempts` of a claimed job on this node. */
    private readonly resume: (job: ImportJob, options: RerunOptions) => Promise<void>,
    /** Told the jobs failed, to remove their files. */
    private readonly onFailed: (ids: string[]) => Promise<void>,
    private readonly now: () => Date,
    readonly node: string = thisNode(),
  ) {}

  /**
   * Takes over or fails the running jobs not renewed since `staleBefore` (every running job
   * without it: a start on one node), leaving the `exclude`d ones (those this process runs).
   */
  async recover(staleBefore: string | undefined, exclude: readonly string[]): Promise<Recovered> {
    const done: Recovered = { failed: [], resumed: [] };
    for (const stale of await this.stale.list(staleBefore, exclude)) {
      const readable = await access(this.uploadOf(stale.job.id), constants.R_OK).then(
        () => true,
        () => false,
      );
      const verdict = verdictOn(stale, readable);
      const at = this.now().toISOString();
      if (verdict.resume) {
        if (!(await this.stale.claim(stale.job, staleBefore, this.node, at))) continue;
        const job = { ...stale.job, attempts: stale.job.attempts + 1, rowsRead: 0 };
        await this.resume(job, stale.options!);
        done.resumed.push(job.id);
        continue;
      }
      const error =
        verdict.error === 'too-often'
          ? importErrors.interruptedTooOften(stale.job.attempts)
          : importErrors.interrupted();
      if (await this.stale.fail(stale.job, staleBefore, at, jobProblem(error)))
        done.failed.push(stale.job.id);
    }
    if (done.failed.length > 0) await this.onFailed(done.failed);
    return done;
  }
}
