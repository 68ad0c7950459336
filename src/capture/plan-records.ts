import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/model.js';
import type { Database } from '../db/schema.js';
import type { PlanRecord } from '../plan/plan.js';
import { completeValues } from './acquisition-context.js';
import { maskValues, secretFieldsOf } from '../secrets/secret-fields.js';
import { CaptureRepository, type StoredRecord } from './capture-repository.js';

import { FIELD_RULES } from './record.js';

export { FIELD_RULES };

/**
 * The captured records of an acquisition as the plan sees them: every field present, null where it
 * is empty or holds an invalid value (so an invalid value never counts as provided).
 */
function asPlanRecords(
  catalog: Catalog,
  records: readonly StoredRecord[],
  findings: readonly { recordId: string; rule: string; field: string }[],
): PlanRecord[] {
  const invalid = new Map<string, Set<string>>();
  for (const f of findings) {
    if (!FIELD_RULES.has(f.rule)) continue;
    const set = invalid.get(f.recordId) ?? new Set<string>();
    set.add(f.field);
    invalid.set(f.recordId, set);
  }
  return records.flatMap((r) => {
    const entity = catalog.entities.get(r.entity);
    if (!entity) return [];
    return [
      {
        id: r.id,
        entity: r.entity,
        slot: r.slot,
        site: r.site,
        values: completeValues(entity, r.values, invalid.get(r.id) ?? new Set()),
      },
    ];
  });
}

/**
 * `planRecordsOf` for views read again and again (the plan, the work list): the records last read
 * are kept per acquisition, and each read asks only for every record's id and version, then reads
 * again just the records whose version moved (an edit moves its record's version; a record deleted
 * drops out). At 10,000 seats that is 20,000 small rows instead of 20,000 records parsed. The
 * findings are read in full each time. At most `maxRecords` records are kept in all; the
 * acquisitions used longest ago go first.
 */
export class PlanRecordStore {
  private readonly kept = new Map<string, Map<string, StoredRecord>>();
  private size = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxRecords = 100_000,
  ) {}

  async planRecordsOf(catalog: Catalog, acquisitionId: string): Promise<PlanRecord[]> {
    const repo = new CaptureRepository(this.db);
    const [versions, findings] = await Promise.all([
      repo.recordVersions(acquisitionId),
      repo.findings(acquisitionId),
    ]);
    const known = this.kept.get(acquisitionId);
    const moved = versions.filter((v) => known?.get(v.id)?.version !== v.version).map((v) => v.id);
    const read =
      !known || moved.length > versions.length / 2
        ? await repo.recordsForValidation(acquisitionId)
        : await repo.getRecords(acquisitionId, moved);
    const byId = new Map(read.map((r) => [r.id, r]));
    // Secrets are kept masked: the plan asks only whether one was given.
    const secrets = secretFieldsOf(catalog);
    const records = versions.flatMap((v) => {
      const fresh = byId.get(v.id);
      if (fresh)
        return [
          { ...fresh, provenance: {}, values: maskValues(secrets, fresh.entity, fresh.values) },
        ];
      const record = known?.get(v.id);
      return record ? [record] : [];
    });
    this.keep(acquisitionId, records);
    return asPlanRecords(catalog, records, findings);
  }

  private keep(acquisitionId: string, records: readonly StoredRecord[]) {
    this.size -= this.kept.get(acquisitionId)?.size ?? 0;
    this.kept.delete(acquisitionId);
    if (records.length > this.maxRecords) return;
    for (const [id, map] of this.kept) {
      if (this.size + records.length <= this.maxRecords) break;
      this.size -= map.size;
      this.kept.delete(id);
    }
    this.kept.set(acquisitionId, new Map(records.map((r) => [r.id, r])));
    this.size += records.length;
  }
}
