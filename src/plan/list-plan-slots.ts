import type { Catalog } from '../catalog/model.js';
import type { Proposal } from '../proposals/proposal.js';
import { layeredValues } from './conditions.js';
import { requiredAndMissing } from './field-state.js';
import { fillGroups, recordSite } from './fill-groups.js';
import type { PlanRecord, PlanSlot } from './plan.js';

/** Filter and page for `listPlanSlots`. */
export interface SlotQuery {
  entity?: string;
  site?: string;
  offset?: number;
  limit?: number;
}

/**
 * Lists the plan's expected records one by one, with their stable ids, required and missing
 * fields and pre-filled values: the detail behind `determinePlan`'s counts.
 */
export function listPlanSlots(
  proposal: Proposal,
  catalog: Catalog,
  records: readonly PlanRecord[],
  query: SlotQuery = {},
): { total: number; slots: PlanSlot[] } {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 100;
  const slots: PlanSlot[] = [];
  let total = 0;
  for (const f of fillGroups(proposal, catalog, records)) {
    const { group } = f;
    if (query.entity && group.entity.id !== query.entity) continue;
    const count = Math.max(group.count, f.records.length);
    for (let i = 0; i < count; i++) {
      const record = f.records[i];
      const values = layeredValues(record?.values ?? {}, f.prefillPlain);
      const site = recordSite(group, values, record);
      if (query.site && site !== query.site) continue;
      total++;
      if (total <= offset || slots.length >= limit) continue;
      slots.push({
        id: `${group.key}#${i + 1}`,
        entity: group.entity.id,
        site,
        recordId: record?.id ?? null,
        ...requiredAndMissing(group.entity, values, f.prefillPlain, group.items),
        prefilled: record ? {} : { ...f.prefillPlain },
      });
    }
  }
  return { total, slots };
}
