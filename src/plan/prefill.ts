import type { EntitySpec, Prefill } from '../catalog/model.js';
import type { Proposal, ProposalItem, ProposalSite } from '../proposals/proposal.js';
import { isPresent } from './conditions.js';

/** Where a pre-filled value came from, for provenance. */
export type PrefillSource =
  | 'proposal.characteristic'
  | 'proposal.item'
  | 'proposal.site'
  | 'proposal.customer'
  | 'proposal.contact'
  | 'proposal.cardinality';

export interface PrefilledValue {
  value: unknown;
  source: PrefillSource;
}

interface PrefillContext {
  proposal: Proposal;
  items: readonly ProposalItem[];
  site: ProposalSite | undefined;
  preset: Readonly<Record<string, string>>;
}

function pathValue(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function resolve(
  prefill: Prefill,
  ctx: PrefillContext,
  values: Record<string, PrefilledValue>,
): PrefilledValue | undefined {
  switch (prefill.from) {
    case 'characteristic': {
      for (const item of ctx.items) {
        const value = item.characteristics[prefill.name];
        if (isPresent(value)) return { value, source: 'proposal.characteristic' };
      }
      return undefined;
    }
    case 'item': {
      const item = ctx.items[0];
      return item ? { value: item[prefill.path], source: 'proposal.item' } : undefined;
    }
    case 'site': {
      const value = ctx.site ? pathValue(ctx.site, prefill.path) : undefined;
      return isPresent(value) ? { value, source: 'proposal.site' } : undefined;
    }
    case 'siteQuantity': {
      // An item at this site alone counts whole; one spread over several sites, its share.
      if (!ctx.site) return undefined;
      const siteId = ctx.site.id;
      const allSites = ctx.proposal.sites.map((s) => s.id);
      let total = 0;
      for (const item of ctx.proposal.items) {
        if (item.productSpecification !== prefill.product) continue;
        const sites = item.siteIds.length > 0 ? item.siteIds : allSites;
        if (sites.includes(siteId)) total += Math.ceil(item.quantity / sites.length);
      }
      return total > 0 ? { value: total, source: 'proposal.item' } : undefined;
    }
    case 'customer': {
      const customer = { ...ctx.proposal.customer.attributes, ...ctx.proposal.customer };
      const value = pathValue(customer, prefill.path);
      return isPresent(value) ? { value, source: 'proposal.customer' } : undefined;
    }
    case 'contact': {
      const role =
        prefill.role ?? (prefill.roleField ? values[prefill.roleField]?.value : undefined);
      if (typeof role !== 'string') return undefined;
      const contact = ctx.proposal.contacts.find(
        (c) => c.role.toLowerCase() === role.toLowerCase(),
      );
      const value = contact?.[prefill.path];
      return isPresent(value) ? { value, source: 'proposal.contact' } : undefined;
    }
  }
}

/**
 * The values the proposal already gives for a record: what the cardinality presets (a contact's
 * role), the site the record is at, and each field's declared pre-fill source.
 */
export function prefillValues(
  entity: EntitySpec,
  ctx: PrefillContext,
): Record<string, PrefilledValue> {
  const values: Record<string, PrefilledValue> = {};
  for (const [field, value] of Object.entries(ctx.preset)) {
    values[field] = { value, source: 'proposal.cardinality' };
  }
  if (entity.siteField && ctx.site)
    values[entity.siteField] = { value: ctx.site.id, source: 'proposal.site' };
  for (const field of entity.fields) {
    if (!field.prefill || values[field.id]) continue;
    const resolved = resolve(field.prefill, ctx, values);
    if (resolved) values[field.id] = resolved;
  }
  return values;
}
