import type { AcquisitionWithProposal } from '../acquisitions/acquisition.js';
import type { Catalog, EntitySpec } from '../catalog/model.js';
import type { ValueOf } from '../plan/conditions.js';
import { FieldState, fieldState } from '../plan/field-state.js';
import { fillGroups, type FilledGroup } from '../plan/fill-groups.js';
import { pickGroup } from '../plan/record-group.js';
import type { FieldProblem } from './normalize-field.js';
import { referencedEntities } from './record-keys.js';
import type { CapturedRecord } from './record.js';

/**
 * What of an acquisition never changes once it is open: its id, the proposal it was opened from
 * and the catalogue version it pinned. Its state, counts and times are read fresh where needed.
 */
export type AcquisitionFacts = Pick<AcquisitionWithProposal, 'id' | 'proposal' | 'catalogVersion'>;

/**
 * What the capture engine needs to know about an acquisition besides its records: the pinned
 * catalogue, the plan's slot groups (for the conditions and pre-fill of each record) and the
 * proposal's site countries. Derived from immutable inputs only, so it can be cached by
 * acquisition id.
 */
export interface AcquisitionContext {
  acquisition: AcquisitionFacts;
  catalog: Catalog;
  groups: Map<string, FilledGroup>;
  groupsByEntity: Map<string, FilledGroup[]>;
  referenced: Set<string>;
  proposalCountries: Map<string, string>;
  fallbackCountry: string | undefined;
}

/** The capture context of an acquisition; keeps only the facts that never change. */
export function buildContext(acquisition: AcquisitionFacts, catalog: Catalog): AcquisitionContext {
  const filled = fillGroups(acquisition.proposal, catalog, []);
  const groups = new Map(filled.map((f) => [f.group.key, f]));
  const groupsByEntity = new Map<string, FilledGroup[]>();
  for (const f of filled) {
    const list = groupsByEntity.get(f.group.entity.id) ?? [];
    list.push(f);
    groupsByEntity.set(f.group.entity.id, list);
  }
  const proposalCountries = new Map<string, string>();
  for (const site of acquisition.proposal.sites)
    if (site.address.country) proposalCountries.set(site.id, site.address.country);
  return {
    acquisition: {
      id: acquisition.id,
      proposal: acquisition.proposal,
      catalogVersion: acquisition.catalogVersion,
    },
    catalog,
    groups,
    groupsByEntity,
    referenced: referencedEntities(catalog),
    proposalCountries,
    fallbackCountry: acquisition.proposal.sites.find((s) => s.address.country)?.address.country,
  };
}

/** The slot group a record belongs to: its slot's, else the first of its entity at its site. */
export function groupOf(
  ctx: AcquisitionContext,
  record: Pick<CapturedRecord, 'entity' | 'slot' | 'site'>,
): FilledGroup | undefined {
  return pickGroup(
    record,
    ctx.groups,
    ctx.groupsByEntity.get(record.entity) ?? [],
    (g) => g.group.site,
  );
}

const fieldIds = new WeakMap<EntitySpec, Set<string>>();

/** The ids of an entity's fields, as a set built once per entity. */
function fieldIdsOf(entity: EntitySpec): Set<string> {
  let ids = fieldIds.get(entity);
  if (!ids) fieldIds.set(entity, (ids = new Set(entity.fields.map((f) => f.id))));
  return ids;
}

/**
 * How many of a record's fields are required (conditions applied) and how many are satisfied by a
 * valid value. The same rule as the plan's, so that summed counts equal the plan's totals.
 */
export function recordCounts(
  ctx: AcquisitionContext,
  entity: EntitySpec,
  record: CapturedRecord,
  problems: ReadonlyMap<string, FieldProblem>,
): { required: number; satisfied: number } {
  const group = groupOf(ctx, record);
  const prefill = group?.prefillPlain ?? {};
  const items = group?.group.items ?? [];
  // The record's values as `completeValues` gives them, read in place rather than copied.
  const fields = fieldIdsOf(entity);
  const own = record.values;
  const values: ValueOf = (field) =>
    fields.has(field) ? (problems.has(field) ? null : (own[field] ?? null)) : undefined;
  let required = 0;
  let satisfied = 0;
  for (const field of entity.fields) {
    const state = fieldState(field, values, prefill, items);
    if (state === FieldState.NotRequired) continue;
    required++;
    if (state !== FieldState.Missing) satisfied++;
  }
  return { required, satisfied };
}

/**
 * A stored record's values as the plan must see them: every field of the entity, null where it is
 * empty or its value is invalid. Stored records already carry what the proposal pre-filled, so
 * nothing is filled back in from the proposal.
 */
export function completeValues(
  entity: EntitySpec,
  values: Readonly<Record<string, unknown>>,
  invalid: ReadonlyMap<string, unknown> | ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of entity.fields)
    out[field.id] = invalid.has(field.id) ? null : (values[field.id] ?? null);
  return out;
}
