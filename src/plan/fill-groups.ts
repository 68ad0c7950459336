import type { Catalog } from '../catalog/model.js';
import type { Proposal } from '../proposals/proposal.js';
import type { ValueOf } from './conditions.js';
import type { PlanRecord } from './plan.js';
import { prefillValues, type PrefilledValue } from './prefill.js';
import { expectSlotGroups, type SlotGroup } from './slots.js';

/** A slot group with its pre-filled values and the captured records that fill it. */
export interface FilledGroup {
  group: SlotGroup;
  prefill: Record<string, PrefilledValue>;
  prefillPlain: Record<string, unknown>;
  /** Records by slot number − 1; records beyond `count` are allowed up to `max`. */
  records: (PlanRecord | undefined)[];
  /** No slot before this index is free (keeps placing records linear). */
  nextFree: number;
}

function takeFree(f: FilledGroup, capacity: number): number {
  while (f.nextFree < capacity && f.records[f.nextFree]) f.nextFree++;
  return f.nextFree < capacity ? f.nextFree : -1;
}

/** Groups of an entity in the order a record at `site` should try them: same site, no site, others. */
/**
 * The groups a record without a slot may go to: its site's first, then those the customer places.
 * A record at a site never takes another site's slot (the quote gave each site its own); one with
 * no site may go anywhere.
 */
function candidatesFor(groups: FilledGroup[], site: string | null): FilledGroup[] {
  const rank = (f: FilledGroup) => (f.group.site === site ? 0 : f.group.site === null ? 1 : 2);
  return [...groups].filter((f) => site === null || rank(f) < 2).sort((a, b) => rank(a) - rank(b));
}

/**
 * Works out the slot groups of a proposal and places captured records into them: by the slot id a
 * record was created for, else by entity and site into the first free slot. Records beyond what
 * the proposal allows go to an `<entity>/unexpected` group so that they stay visible.
 */
export function fillGroups(
  proposal: Proposal,
  catalog: Catalog,
  records: readonly PlanRecord[],
): FilledGroup[] {
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
    if (
      target &&
      target.group.entity.id === record.entity &&
      index >= 0 &&
      index < limit &&
      !target.records[index]
    ) {
      target.records[index] = record;
    } else unplaced.push(record);
  }
  if (unplaced.length === 0) return filled;

  const byEntity = new Map<string, FilledGroup[]>();
  for (const f of filled) {
    const list = byEntity.get(f.group.entity.id) ?? [];
    list.push(f);
    byEntity.set(f.group.entity.id, list);
  }
  const ordered = new Map<string, FilledGroup[]>();
  for (const record of unplaced) {
    const site = record.site ?? null;
    const cacheKey = `${record.entity}\u0000${site}`;
    let candidates = ordered.get(cacheKey);
    if (!candidates) {
      candidates = candidatesFor(byEntity.get(record.entity) ?? [], site);
      ordered.set(cacheKey, candidates);
    }
    const target =
      candidates.find((f) => takeFree(f, f.group.count) >= 0) ??
      candidates.find((f) => takeFree(f, f.group.max ?? Infinity) >= 0);
    if (target) {
      target.records[target.nextFree] = record;
      continue;
    }
    const entity = catalog.entities.get(record.entity);
    if (!entity) continue;
    const key = `${entity.id}/unexpected`;
    let overflow = byKey.get(key);
    if (!overflow) {
      const items = candidates[0]?.group.items ?? [];
      overflow = {
        group: { key, entity, site: null, items, count: 0, max: 0, preset: {}, overflow: true },
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
  return filled;
}

/**
 * The site a record is at: the proposal site the capture engine placed it at (it resolves the site
 * field, written by id or by name, on every write), else its site field, else its group's site.
 */
export function recordSite(
  group: SlotGroup,
  values: ValueOf,
  record: PlanRecord | undefined,
): string | null {
  const fromField = group.entity.siteField ? values(group.entity.siteField) : undefined;
  return record?.site ?? (typeof fromField === 'string' ? fromField : undefined) ?? group.site;
}
