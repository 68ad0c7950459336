import { customerFields } from '../scope/customer-scope.js';
import type { Acquisition } from '../acquisitions/acquisition.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { EntitySpec } from '../catalog/model.js';
import type { OwnerPlan } from '../plan/plan.js';

/** Who the forms are for: staff see every field, a customer link only the customer's. */
export type FormScope = 'staff' | 'customer';

/** A slot group as the web forms need it: the quote items its conditions read, and what the proposal fills. */
export interface FormGroup {
  key: string;
  entity: string;
  site: string | null;
  items: { id: string; productSpecification: string; characteristics: Record<string, unknown> }[];
  prefill: Record<string, unknown>;
}

/** An entity as a form or grid shows it, with how many records it has and is expected to have. */
export interface FormEntity extends EntitySpec {
  expected: number;
  present: number;
  /** For a customer link: the customer's answers still missing on this entity's records. */
  missing?: number;
}

/**
 * Everything the web application needs to draw and check an acquisition's forms in the browser
 * with the server's own rules: the pinned catalogue's entities, the slot groups (for conditions and
 * pre-fill) and the site countries (for national numbers and postcodes).
 */
export interface FormContext {
  acquisition: {
    id: string;
    customerName: string;
    proposalReference: string;
    state: string;
  };
  scope: FormScope;
  entities: FormEntity[];
  groups: FormGroup[];
  sites: { id: string; name: string; country: string | null }[];
  fallbackCountry: string | null;
  /** Required fields satisfied, of every owner for staff, of the customer for a link. */
  progress: Pick<OwnerPlan, 'requiredFields' | 'satisfiedFields' | 'completeness'>;
}

/** Records expected (the plan's minimum) and present, by entity. */
export type EntityCounts = ReadonlyMap<
  string,
  { expected: number; present: number; missing?: number }
>;

/** Expected records by entity, from the slot groups (no plan needed); present ones are counted by the caller. */
export function expectedByEntity(ctx: AcquisitionContext): Map<string, number> {
  const expected = new Map<string, number>();
  for (const f of ctx.groups.values())
    expected.set(f.group.entity.id, (expected.get(f.group.entity.id) ?? 0) + f.group.count);
  return expected;
}

/** The entities in scope, in the plan's order: for the customer, only their fields (and entities that have any). */
function entitiesInScope(
  ctx: AcquisitionContext,
  counts: EntityCounts,
  scope: FormScope,
): FormEntity[] {
  const out: FormEntity[] = [];
  for (const [id, count] of counts) {
    const entity = ctx.catalog.entities.get(id);
    if (!entity) continue;
    const mine = scope === 'customer' ? customerFields(entity) : null;
    const fields = mine ? entity.fields.filter((f) => mine.has(f.id)) : entity.fields;
    if (fields.length === 0) continue;
    out.push({ ...entity, fields, ...count });
  }
  return out;
}

/**
 * The form context of an acquisition, for `scope`. The capture context must carry the
 * acquisition as read now: its state is not part of what the context cache keeps.
 */
export function buildFormContext(
  ctx: AcquisitionContext & { acquisition: Acquisition },
  scope: FormScope,
  counts: EntityCounts,
  progress: FormContext['progress'],
): FormContext {
  const { acquisition } = ctx;
  const entities = entitiesInScope(ctx, counts, scope);
  const inScope = new Set(entities.map((e) => e.id));
  return {
    acquisition: {
      id: acquisition.id,
      customerName: acquisition.customerName,
      proposalReference: acquisition.proposalReference,
      state: acquisition.state,
    },
    scope,
    entities,
    groups: [...ctx.groups.values()]
      .filter((f) => inScope.has(f.group.entity.id))
      .map((f) => ({
        key: f.group.key,
        entity: f.group.entity.id,
        site: f.group.site,
        items: f.group.items.map((i) => ({
          id: i.id,
          productSpecification: i.productSpecification,
          characteristics: i.characteristics,
        })),
        prefill: f.prefillPlain,
      })),
    sites: acquisition.proposal.sites.map((s) => ({
      id: s.id,
      name: s.name,
      country: s.address.country ?? null,
    })),
    fallbackCountry: ctx.fallbackCountry ?? null,
    progress: {
      requiredFields: progress.requiredFields,
      satisfiedFields: progress.satisfiedFields,
      completeness: progress.completeness,
    },
  };
}
