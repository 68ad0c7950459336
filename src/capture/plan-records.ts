import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/model.js';
import type { Database } from '../db/schema.js';
import type { PlanRecord } from '../plan/plan.js';
import { completeValues } from './acquisition-context.js';
import { CaptureRepository } from './capture-repository.js';

import { FIELD_RULES } from './record.js';

export { FIELD_RULES };

/**
 * The captured records of an acquisition as the plan sees them: every field present, null where it
 * is empty or holds an invalid value (so an invalid value never counts as provided).
 */
export async function planRecordsOf(
  db: Kysely<Database>,
  catalog: Catalog,
  acquisitionId: string,
): Promise<PlanRecord[]> {
  const repo = new CaptureRepository(db);
  const [records, findings] = await Promise.all([
    repo.recordsForValidation(acquisitionId),
    repo.findings(acquisitionId),
  ]);
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
