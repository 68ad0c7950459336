/**
 * Views worked out from all of an acquisition's records (its plan, its work list), kept per
 * acquisition under the key they were worked out at: the acquisition's data version (see
 * `AcquisitionRepository.dataVersion`), with whatever else the view depends on (the day, for
 * follow-ups falling overdue). At 10,000 seats such a view takes about half a second to work out,
 * and the overview and the problems tab ask for it on every visit; every read asks the database
 * for the key first, so a change made on another node is never missed. Requests that arrive while
 * one is being worked out share it. The view is shared too: callers must not change it.
 */
export class DataVersionCache<T> {
  private readonly entries = new Map<string, { key: string; work: Promise<T> }>();

  constructor(private readonly maxEntries = 100) {}

  get(acquisitionId: string, key: string, workOut: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(acquisitionId);
    this.entries.delete(acquisitionId);
    if (hit?.key === key) {
      this.entries.set(acquisitionId, hit);
      return hit.work;
    }
    const work = workOut();
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(acquisitionId, { key, work });
    void work.catch(() => {
      if (this.entries.get(acquisitionId)?.work === work) this.entries.delete(acquisitionId);
    });
    return work;
  }
}
