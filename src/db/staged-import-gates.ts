/**
 * Waits by acquisition while an import of it is staged on SQLite (src/db/sqlite-staging.ts): its
 * writes wait for the whole import, since applying it would overwrite them (on PostgreSQL they
 * wait on the acquisition's row); and every request about it waits while the import is applied,
 * a chunk at a time (src/db/staged-apply.ts), so that none sees it half applied. An import that
 * runs on the import worker thread holds the gates of the request thread, which serves requests.
 */
export class AcquisitionGate {
  private readonly held = new Map<
    string,
    { count: number; open: Promise<void>; release: () => void }
  >();
  private listener: ((acquisitionId: string, held: boolean) => void) | undefined;

  /** Closes the gate of an acquisition until the function returned is called (holds nest). */
  hold(acquisitionId: string): () => void {
    let entry = this.held.get(acquisitionId);
    if (!entry) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      entry = { count: 0, open, release };
      this.held.set(acquisitionId, entry);
      this.listener?.(acquisitionId, true);
    }
    entry.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.count > 0) return;
      this.held.delete(acquisitionId);
      entry.release();
      this.listener?.(acquisitionId, false);
    };
  }

  /** Whether the gate of the acquisition is closed. */
  isHeld(acquisitionId: string): boolean {
    return this.held.has(acquisitionId);
  }

  /** Waits until the gate of the acquisition is open. */
  async after(acquisitionId: string): Promise<void> {
    for (let entry = this.held.get(acquisitionId); entry; entry = this.held.get(acquisitionId))
      await entry.open;
  }

  /** Told when the gate of an acquisition closes (true) and opens (false): a worker tells its process. */
  listen(listener: (acquisitionId: string, held: boolean) => void): void {
    this.listener = listener;
  }
}

/** Acquisitions whose import is being staged: their writes wait. */
export const stagedImports = new AcquisitionGate();
/** Acquisitions whose staged import is being applied: every request about them waits. */
export const stagedApplies = new AcquisitionGate();

/**
 * Waits until no import of the acquisition is being staged: a write to the acquisition made
 * meanwhile would be overwritten when it is applied (on PostgreSQL it waits on the acquisition's
 * row).
 */
export function afterStagedImport(acquisitionId: string): Promise<void> {
  return stagedImports.after(acquisitionId);
}

/**
 * Waits until no staged import of the acquisition is being applied: what a request reads of it
 * meanwhile would be partly the import's (on PostgreSQL it reads what was committed before).
 */
export function afterStagedApply(acquisitionId: string): Promise<void> {
  return stagedApplies.after(acquisitionId);
}
