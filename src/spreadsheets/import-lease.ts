import type { ImportRepository } from './import-repository.js';

/**
 * Import jobs on several nodes (PostgreSQL): the node running a job renews its lease (the job's
 * `heartbeat_at`, with the rows read so far) every third of the lease, and every node, every lease
 * period, recovers the jobs whose lease ran out (`import-takeover.ts`: run again by a node that can
 * read the upload, else failed). A job a live node runs is never taken for interrupted, as it was
 * when each start failed every running job. The rows read reach every node, so progress can be
 * followed from any of them.
 */
export class ImportLease {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly jobs: ImportRepository,
    /** How long a job may go without a heartbeat before it is taken for interrupted. */
    readonly ms: number,
    private readonly now: () => Date,
    /** Recovers the jobs not renewed since the time given; returns how many it failed or took over. */
    private readonly recover: (staleBefore: string) => Promise<number>,
    private readonly logError: (error: unknown) => void,
  ) {}

  /**
   * Renews run `attempt` of a job's lease until the returned function is called; `onLost` is told
   * when another node has taken the job over (this node's heartbeats came too late).
   */
  keep(id: string, attempt: number, rowsRead: () => number, onLost: () => void = () => {}) {
    const timer = setInterval(
      () =>
        void this.jobs.heartbeat(id, attempt, rowsRead(), this.now().toISOString()).then(
          (kept) => {
            if (!kept) onLost();
          },
          (error: unknown) => this.logError(error),
        ),
      Math.max(100, Math.floor(this.ms / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Recovers the jobs whose lease ran out; returns how many it failed or took over. */
  async sweep(): Promise<number> {
    return this.recover(new Date(this.now().getTime() - this.ms).toISOString());
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
