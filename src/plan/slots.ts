import type { Catalog, Cardinality, EntitySpec } from '../catalog/model.js';
import type { Proposal, ProposalItem } from '../proposals/proposal.js';
import { evaluateCondition } from './conditions.js';

/**
 * A group of expected records that share everything the plan looks at: the entity, the site,
 * the quote items they serve and the values preset by the cardinality. Slots in a group are
 * numbered `key#1 … key#count`, which are the plan's stable identifiers.
 */
export interface SlotGroup {
  key: string;
  entity: EntitySpec;
  /** The proposal site id the records belong to, or null when the customer chooses. */
  site: string | null;
  items: ProposalItem[];
  /** Records expected (the minimum). */
  count: number;
  /** Records allowed at most; null when unbounded. */
  max: number | null;
  /** Values fixed by the cardinality, e.g. `{ role: 'billing' }` for one contact per role. */
  preset: Record<string, string>;
  /** The `<entity>/unexpected` group of records beyond what the proposal allows. */
  overflow?: boolean;
}

function countFrom(
  cardinality: Cardinality,
  item: ProposalItem,
): { count: number; max: number | null } {
  switch (cardinality.kind) {
    case 'perQuantity': {
      const count = item.quantity * (cardinality.multiplier ?? 1);
      return { count, max: count };
    }
    case 'perSite':
      return { count: cardinality.min ?? 1, max: cardinality.max ?? cardinality.min ?? 1 };
    case 'fixed':
      return { count: cardinality.count, max: cardinality.count };
    case 'range':
      return { count: cardinality.min, max: cardinality.max };
    case 'fromCharacteristic': {
      const raw = item.characteristics[cardinality.characteristic];
      const count = typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? raw : 0;
      return {
        count,
        max: cardinality.max === undefined ? count : Math.max(count, cardinality.max),
      };
    }
    case 'perValue':
      return { count: 1, max: 1 };
  }
}

/**
 * Works out, from the proposal and the catalogue, every group of records the deal needs.
 * Deterministic: groups come in the order of the quote items, their needs and the sites.
 * Groups with the same key (a site needed by several products) are merged.
 */
export function expectSlotGroups(proposal: Proposal, catalog: Catalog): SlotGroup[] {
  const groups = new Map<string, SlotGroup>();
  const allSites = proposal.sites.map((s) => s.id);
  const add = (group: SlotGroup) => {
    const existing = groups.get(group.key);
    if (!existing) {
      groups.set(group.key, group);
      return;
    }
    if (!existing.items.includes(group.items[0]!)) existing.items.push(...group.items);
    existing.count = Math.max(existing.count, group.count);
    existing.max =
      existing.max === null || group.max === null ? null : Math.max(existing.max, group.max);
  };

  for (const item of proposal.items) {
    const product = catalog.products.get(item.productSpecification);
    if (!product) continue;
    const sites = item.siteIds.length > 0 ? item.siteIds : allSites;
    for (const need of product.needs ?? []) {
      if (need.when && !evaluateCondition(need.when, () => undefined, item)) continue;
      const entity = catalog.entities.get(need.entity);
      if (!entity) continue;
      const card = need.cardinality;
      const { count, max } = countFrom(card, item);
      const group = (key: string, site: string | null, preset: Record<string, string> = {}) =>
        add({ key, entity, site, items: [item], count, max, preset });
      const derivedPerSite =
        card.kind === 'fromCharacteristic' &&
        card.otherwise === 'perSite' &&
        item.characteristics[card.characteristic] === undefined;
      if (derivedPerSite) {
        // No count on the quote: one per site, for engineering to allocate (a number block).
        for (const site of sites)
          add({
            key: `${entity.id}@${site}`,
            entity,
            site,
            items: [item],
            count: 1,
            max: 1,
            preset: {},
          });
      } else if (card.kind === 'perSite') {
        for (const site of sites) group(`${entity.id}@${site}`, site);
      } else if (card.kind === 'perValue') {
        for (const value of card.values)
          group(`${entity.id}:${value}`, null, { [card.field]: value });
      } else if (count > 0 || max !== 0) {
        group(`${entity.id}/${item.id}`, sites.length === 1 ? sites[0]! : null);
      }
    }
  }
  return [...groups.values()];
}
