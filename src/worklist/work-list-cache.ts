import type { WorkList } from './work-list.js';

/**
 * Work lists kept per acquisition under the key they were worked out at: the acquisition's data
 * version and the day (follow-ups fall overdue at midnight). A work list of 10,000 seats takes
 * about half a second to work out from all the records, and the overview and the problems tab
 * ask for it on every visit; any node reads the key from the database, so a change made on
 * another node is never missed. Requests that arrive while one is being worked out share it.
 */
export class WorkListCache {
  private readonly entries = new Map<string, { key: string; work: Promise<WorkList> }>();

  constructor(private readonly maxEntries = 100) {}

  get(acquisitionId: string, key: string, workOut: () => Promise<WorkList>): Promise<WorkList> {
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
