import { OWNERS, type Catalog, type EntitySpec, type FieldSpec, type Owner } from '../catalog/model.js';
import type { Proposal, ProposalItem } from '../proposals/proposal.js';
import { evaluateForItems, isPresent, type Values } from './conditions.js';
import type { EntityPlan, Plan, PlanRecord, PlanSlot } from './plan.js';
import { prefillValues, type PrefilledValue } from './prefill.js';
import { expectSlotGroups, type SlotGroup } from './slots.js';

/** A slot group with the records that fill it. */
interface FilledGroup {
  group: SlotGroup;
  prefill: Record<string, PrefilledValue>;
  prefillPlain: Record<string, unknown>;
  /** Records by slot number (1-based); records beyond `count` are allowed up to `max`. */
  records: (PlanRecord | undefined)[];
  /** No slot before this index is free (keeps placing records linear). */
  nextFree: number;
}

interface Evaluation {
  required: FieldSpec[];
  missing: FieldSpec[];
  prefilled: FieldSpec[];
}

function isRequired(field: FieldSpec, values: Values, items: readonly ProposalItem[]): boolean {
  const required = field.required;
  if (required === undefined || required === false) return false;
  if (required === true) return true;
  return evaluateForItems(required.when, values, items);
}

function evaluate(entity: EntitySpec, values: Values, fromProposal: Values, items: readonly ProposalItem[]): Evaluation {
  const result: Evaluation = { required: [], missing: [], prefilled: [] };
  for (const field of entity.fields) {
    if (!isRequired(field, values, items)) continue;
    result.required.push(field);
    if (!isPresent(values[field.id])) result.missing.push(field);
    else if (field.id in fromProposal && values[field.id] === fromProposal[field.id]) result.prefilled.push(field);
  }
  return result;
}

/** Places captured records into the slot groups: by their slot id, else by entity and site. */
function fillGroups(proposal: Proposal, catalog: Catalog, records: readonly PlanRecord[]): FilledGroup[] {
  const sites = new Map(proposal.sites.map((s) => [s.id, s]));
  const filled: FilledGroup[] = expectSlotGroups(proposal, catalog).map((group) => {
    const prefill = prefillValues(group.entity, {
      proposal,
      items: group.items,
      site: group.site ? sites.get(group.site) : undefined,
      preset: group.preset,
    });
    const prefillPlain = Object.fromEntries(Object.entries(prefill).map(([k, v]) => [k, v.value]));
    return { group, prefill, prefillPlain, records: [], nextFree: 0 };
  });
  const byKey = new Map(filled.map((f) => [f.group.key, f]));
  const unplaced: PlanRecord[] = [];
  for (const record of records) {
    const hash = record.slot ? record.slot.lastIndexOf('#') : -1;
    const target = hash > 0 ? byKey.get(record.slot!.slice(0, hash)) : undefined;
    const index = hash > 0 ? Number(record.slot!.slice(hash + 1)) - 1 : -1;
    const limit = target ? Math.max(target.group.count, target.group.max ?? Infinity) : 0;
    if (target && target.group.entity.id === record.entity && index >= 0 && index < limit && !target.records[index]) {
      target.records[index] = record;
    } else unplaced.push(record);
  }
  for (const record of unplaced) {
    const candidates = filled.filter((f) => f.group.entity.id === record.entity);
    const fits = (f: FilledGroup, capacity: number) => {
      while (f.nextFree < capacity && f.records[f.nextFree]) f.nextFree++;
      return f.nextFree < capacity ? f.nextFree : -1;
    };
    const bySite = (f: FilledGroup) => (f.group.site === (record.site ?? null) ? 0 : f.group.site === null ? 1 : 2);
    const ordered = [...candidates].sort((a, b) => bySite(a) - bySite(b));
    let placed = false;
    for (const pass of ['count', 'max'] as const) {
      for (const f of ordered) {
        const capacity = pass === 'count' ? f.group.count : (f.group.max ?? Number.MAX_SAFE_INTEGER);
        const i = fits(f, Math.min(capacity, f.records.length + 1));
        if (i >= 0) {
          f.records[i] = record;
          placed = true;
          break;
        }
      }
      if (placed) break;
    }
    if (!placed) {
      // More records than the proposal allows: keep them visible in an overflow group.
      const entity = catalog.entities.get(record.entity);
      if (!entity) continue;
      const key = `${entity.id}/unexpected`;
      let overflow = byKey.get(key);
      if (!overflow) {
        overflow = {
          group: { key, entity, site: null, items: candidates[0]?.group.items ?? [], count: 0, max: 0, preset: {} },
          prefill: {},
          prefillPlain: {},
          records: [],
          nextFree: 0,
        };
        byKey.set(key, overflow);
        filled.push(overflow);
      }
      overflow.records.push(record);
    }
  }
  return filled;
}

/** Calls `visit` for every expected or captured record; empty slots of a group share one evaluation. */
function visitSlots(
  filled: readonly FilledGroup[],
  visit: (f: FilledGroup, evaluation: Evaluation, times: number, record: PlanRecord | undefined, site: string | null, expected: boolean) => void,
) {
  for (const f of filled) {
    const { group } = f;
    let empty = 0;
    const slots = Math.max(group.count, f.records.length);
    for (let i = 0; i < slots; i++) {
      const record = f.records[i];
      if (!record) {
        if (i < group.count) empty++;
        continue;
      }
      const values = { ...f.prefillPlain, ...record.values };
      const site = (group.entity.siteField ? (values[group.entity.siteField] as string | undefined) : undefined) ?? record.site ?? group.site;
      visit(f, evaluate(group.entity, values, f.prefillPlain, group.items), 1, record, site ?? null, i < group.count);
    }
    if (empty > 0) visit(f, evaluate(group.entity, f.prefillPlain, f.prefillPlain, group.items), empty, undefined, group.site, true);
  }
}

const ratio = (satisfied: number, required: number) => (required === 0 ? 1 : satisfied / required);

/**
 * Determines the customer data an agreed proposal requires and what of it is still missing:
 * a pure function of the proposal, the catalogue and the records captured so far.
 *
 * @example
 * const plan = determinePlan(proposal, catalog, []);
 * plan.entities.find((e) => e.entity === 'user')?.expected; // 120 for 120 seats
 */
export function determinePlan(proposal: Proposal, catalog: Catalog, records: readonly PlanRecord[] = []): Plan {
  const filled = fillGroups(proposal, catalog, records);
  const entities = new Map<string, EntityPlan>();
  const missingCounts = new Map<string, Map<FieldSpec, number>>();
  const prefilledCounts = new Map<string, Map<string, number>>();
  const owners = new Map<Owner, { required: number; satisfied: number }>(OWNERS.map((o) => [o, { required: 0, satisfied: 0 }]));
  const siteTotals = new Map<string, { required: number; satisfied: number }>(proposal.sites.map((s) => [s.id, { required: 0, satisfied: 0 }]));

  const entityPlan = (entity: EntitySpec): EntityPlan => {
    let plan = entities.get(entity.id);
    if (!plan) {
      plan = {
        entity: entity.id, name: entity.name, expected: 0, max: 0, present: 0, complete: 0,
        requiredFields: 0, satisfiedFields: 0, completeness: 1, sites: [], missing: [], prefilled: [],
      };
      entities.set(entity.id, plan);
      missingCounts.set(entity.id, new Map());
      prefilledCounts.set(entity.id, new Map());
    }
    return plan;
  };

  for (const f of filled) {
    const plan = entityPlan(f.group.entity);
    plan.expected += f.group.count;
    plan.max = plan.max === null || f.group.max === null ? null : plan.max + f.group.max;
  }

  visitSlots(filled, (f, evaluation, times, record, site, expected) => {
    const plan = entityPlan(f.group.entity);
    const required = evaluation.required.length * times;
    const satisfied = (evaluation.required.length - evaluation.missing.length) * times;
    plan.requiredFields += required;
    plan.satisfiedFields += satisfied;
    if (record) plan.present += 1;
    if (evaluation.missing.length === 0) plan.complete += times;
    let siteRow = plan.sites.find((s) => s.site === site);
    if (!siteRow) {
      siteRow = { site, expected: 0, present: 0, complete: 0 };
      plan.sites.push(siteRow);
    }
    if (expected) siteRow.expected += times;
    if (record) siteRow.present += 1;
    if (evaluation.missing.length === 0) siteRow.complete += times;
    const missing = missingCounts.get(plan.entity)!;
    for (const field of evaluation.missing) missing.set(field, (missing.get(field) ?? 0) + times);
    const prefilled = prefilledCounts.get(plan.entity)!;
    for (const field of evaluation.prefilled) prefilled.set(field.id, (prefilled.get(field.id) ?? 0) + times);
    for (const field of evaluation.required) {
      const o = owners.get(field.owner)!;
      o.required += times;
      if (!evaluation.missing.includes(field)) o.satisfied += times;
    }
    const totals = site ? siteTotals.get(site) : undefined;
    if (totals) {
      totals.required += required;
      totals.satisfied += satisfied;
    }
  });

  let requiredFields = 0;
  let satisfiedFields = 0;
  let expectedRecords = 0;
  let presentRecords = 0;
  for (const plan of entities.values()) {
    plan.completeness = ratio(plan.satisfiedFields, plan.requiredFields);
    plan.missing = [...missingCounts.get(plan.entity)!].map(([field, count]) => ({
      field: field.id, label: field.label, owner: field.owner, question: field.question, count,
    }));
    plan.prefilled = [...prefilledCounts.get(plan.entity)!].map(([field, count]) => ({ field, count }));
    requiredFields += plan.requiredFields;
    satisfiedFields += plan.satisfiedFields;
    expectedRecords += plan.expected;
    presentRecords += plan.present;
  }
  return {
    catalogVersion: catalog.versionId,
    completeness: ratio(satisfiedFields, requiredFields),
    requiredFields,
    satisfiedFields,
    expectedRecords,
    presentRecords,
    entities: [...entities.values()],
    owners: [...owners].map(([owner, o]) => ({
      owner, requiredFields: o.required, satisfiedFields: o.satisfied,
      missingFields: o.required - o.satisfied, completeness: ratio(o.satisfied, o.required),
    })),
    sites: proposal.sites.map((s) => {
      const t = siteTotals.get(s.id)!;
      return { site: s.id, name: s.name, requiredFields: t.required, satisfiedFields: t.satisfied, completeness: ratio(t.satisfied, t.required) };
    }),
  };
}

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
      const values = record ? { ...f.prefillPlain, ...record.values } : f.prefillPlain;
      const siteField = group.entity.siteField;
      const site = ((siteField ? values[siteField] : undefined) as string | undefined) ?? record?.site ?? group.site;
      if (query.site && site !== query.site) continue;
      total++;
      if (total <= offset || slots.length >= limit) continue;
      const evaluation = evaluate(group.entity, values, f.prefillPlain, group.items);
      slots.push({
        id: `${group.key}#${i + 1}`,
        entity: group.entity.id,
        site: site ?? null,
        recordId: record?.id ?? null,
        required: evaluation.required.map((x) => x.id),
        missing: evaluation.missing.map((x) => x.id),
        prefilled: record ? {} : { ...f.prefillPlain },
      });
    }
  }
  return { total, slots };
}
