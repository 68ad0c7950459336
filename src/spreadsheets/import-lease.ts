import type { ImportRepository } from './import-repository.js';

/**
 * Import jobs on several nodes (PostgreSQL): the node running a job renews its lease (the job's
 * `heartbeat_at`, with the rows read so far) every third of the lease, and every node fails the
 * jobs whose lease ran out: their node died, and its transaction died with it, so nothing was
 * stored. A job a live node runs is never taken for interrupted, as it was when each start failed
 * every running job. The rows read reach every node, so progress can be followed from any of them.
 */
export class ImportLease {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly jobs: ImportRepository,
    /** How long a job may go without a heartbeat before it is taken for interrupted. */
    readonly ms: number,
    private readonly now: () => Date,
    /** Told the jobs failed, to remove their files. */
    private readonly onFailed: (ids: string[]) => Promise<void>,
    private readonly logError: (error: unknown) => void,
    /** The jobs this process runs, which it never fails itself (its heartbeat may lag under load). */
    private readonly ownJobs: () => readonly string[] = () => [],
  ) {}

  /** Renews a running job's lease until the returned function is called. */
  keep(id: string, rowsRead: () => number): () => void {
    const timer = setInterval(
      () =>
        void this.jobs
          .heartbeat(id, rowsRead(), this.now().toISOString())
          .catch((error: unknown) => this.logError(error)),
      Math.max(100, Math.floor(this.ms / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Fails the jobs whose lease ran out; returns how many. */
  async sweep(): Promise<number> {
    const now = this.now();
    const staleBefore = new Date(now.getTime() - this.ms).toISOString();
    const ids = await this.jobs.failInterrupted(now.toISOString(), staleBefore, this.ownJobs());
    if (ids.length > 0) await this.onFailed(ids);
    return ids.length;
  }

  /** Sweeps every lease period until `stop`; the timer keeps no process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.logError(error))
        .finally(() => (this.sweeping = undefined));
    }, this.ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }
}
