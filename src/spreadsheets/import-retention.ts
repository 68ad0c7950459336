import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportRepository } from './import-repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const BATCH = 500;

/** Where the sweep finds an import's files. */
export interface ImportFolders {
  /** The folder of one job's files (its report). */
  dirOf(id: string): string;
  /** Where uploads wait while they are read; anything old there was left behind. */
  incomingDir(): string;
}

/**
 * Deletes import files after the retention period: the reports of imports that finished more than
 * `retentionDays` ago (marking each import, so that its report answers 410 instead of failing),
 * and any upload left in the incoming folder for as long. Runs at start and every hour; the clock
 * is injected so that tests move it.
 */
export class ImportRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly jobs: ImportRepository,
    private readonly folders: ImportFolders,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    /** Where a failed sweep is logged; the next one tries again. */
    private readonly logError: (error: unknown) => void = () => undefined,
  ) {}

  /** Deletes what is past the retention period now; returns the number of imports swept. */
  async sweep(): Promise<number> {
    const now = this.now();
    const before = new Date(now.getTime() - this.retentionDays * DAY_MS);
    let swept = 0;
    for (;;) {
      const ids = await this.jobs.expiredWithFiles(before.toISOString(), BATCH);
      for (const id of ids) await rm(this.folders.dirOf(id), { recursive: true, force: true });
      await this.jobs.markFilesRemoved(ids, now.toISOString());
      swept += ids.length;
      if (ids.length < BATCH) break;
    }
    await this.sweepIncoming(before);
    return swept;
  }

  /** Sweeps now, then every `everyMs` (an hour) until `stop`; the timer keeps no process alive. */
  start(everyMs = HOUR_MS): void {
    if (this.timer) return;
    this.run();
    this.timer = setInterval(() => this.run(), everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private run(): void {
    if (this.running) return;
    this.running = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => this.logError(error))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async sweepIncoming(before: Date): Promise<void> {
    const dir = this.folders.incomingDir();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // No upload has arrived yet.
    }
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtime < before) await rm(path, { recursive: true, force: true });
    }
  }
}
