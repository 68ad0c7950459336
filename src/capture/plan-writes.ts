import { setImmediate } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import {
  type Caller,
  callerOf,
  canReadEntity,
  mayDelete,
  readableFields,
  scopeErrors,
} from '../scope/customer-scope.js';
import type { EntitySpec } from '../catalog/model.js';
import type { ProblemDetail } from '../errors.js';
import { pointerOf } from '../schema/ajv.js';
import { groupOf, recordCounts, type AcquisitionContext } from './acquisition-context.js';
import { captureErrors } from './capture-errors.js';
import type { CaptureRepository, StoredRecord } from './capture-repository.js';
import { siteCountry } from './evaluate-records.js';
import { recordKeys } from './record-keys.js';
import { referenceDirectories, resolveOps } from './reference-lookup.js';
import { countryOf, normalizeRecordValues, sameValue, unknownFields } from './record-values.js';
import { describeOversize, oversizeFields } from './value-limits.js';
import type { PreparedRecord } from './prepared-record.js';
import type { CapturedRecord, Provenance } from './record.js';
import type { CreateOp, DeleteOp, Origin, Planned, UpdateOp, WriteOp } from './write-types.js';

/** Problems found across a write's operations, refused together once every operation is checked. */
interface Refusals {
  invalid: ProblemDetail[];
  forbidden: ProblemDetail[];
  tooLong: ProblemDetail[];
}

/** What planning each operation of one write shares. */
interface WritePlanning {
  ctx: AcquisitionContext;
  repo: CaptureRepository;
  existing: Map<string, StoredRecord>;
  siteRecords: readonly CapturedRecord[];
  origin: Origin;
  at: string;
  caller: Caller;
  /** Slots this write has handed out so far, per entity. */
  taken: Map<string, Set<string>>;
  refusals: Refusals;
  /** Whether the write has several operations (pointers then start at `/records/i`). */
  many: boolean;
}

/** Checks every operation and works out the records as they will be; throws before anything is written. */
export async function planWrites(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  written: readonly WriteOp[],
  existing: Map<string, StoredRecord>,
  siteRecords: readonly CapturedRecord[],
  origin: Origin,
  at: string,
): Promise<Planned[]> {
  // References written by name are stored as the canonical reference (docs/references.md).
  const directories = await referenceDirectories(ctx, repo, written, existing, siteRecords);
  const ops = resolveOps(ctx, written, existing, directories);
  const planning: WritePlanning = {
    ...{ ctx, repo, existing, siteRecords, origin, at },
    caller: callerOf(ctx.acquisition.id, origin.customerOnly ?? false),
    taken: new Map(),
    refusals: { invalid: [], forbidden: [], tooLong: [] },
    many: ops.length > 1,
  };
  const planned: Planned[] = [];
  for (const [index, op] of ops.entries()) {
    // A batch of an import plans hundreds of records: other requests get their turn every 100.
    if (index % 100 === 99) await setImmediate();
    const p = await planOperation(planning, index, op);
    if (p) planned.push(p);
  }
  refuseProblems(planning.refusals);
  return planned;
}

/** Plans one operation; undefined when it is refused (the refusal is noted in `refusals`). */
async function planOperation(
  w: WritePlanning,
  index: number,
  op: WriteOp,
): Promise<Planned | undefined> {
  const at0 = w.many ? pointerOf('records', index) : '';
  if (op.op === 'create') return planValues(w, index, op, undefined);
  const before = visibleRecord(w, op);
  if (op.op === 'update') return planValues(w, index, op, before);
  if (!mayDelete(w.caller))
    w.refusals.forbidden.push({
      pointer: at0 || '/',
      detail: 'a customer link cannot delete records',
    });
  return { kind: 'delete', index, before };
}

/** The stored record an update or delete is about, if the caller may see it at the version it expects. */
function visibleRecord(w: WritePlanning, op: UpdateOp | DeleteOp): StoredRecord {
  const before = w.existing.get(op.id);
  if (!before) throw captureErrors.recordNotFound(op.id);
  // A customer link cannot even see records of entities the customer provides nothing for.
  if (!canReadEntity(w.ctx.catalog, w.caller, before.entity))
    throw captureErrors.recordNotFound(op.id);
  if (op.ifVersion !== undefined && op.ifVersion !== before.version)
    throw captureErrors.versionConflict(op.id, before.version);
  return before;
}

/** Plans a create or an update: the values merged, checked and normalised, the record placed. */
async function planValues(
  w: WritePlanning,
  index: number,
  op: CreateOp | UpdateOp,
  before: StoredRecord | undefined,
): Promise<Planned | undefined> {
  const at0 = w.many ? pointerOf('records', index) : '';
  const valuesAt = w.origin.valuesPointer?.(index) ?? (op.op === 'create' ? `${at0}/values` : at0);
  const entity = entityOf(w, op, before, at0);
  if (!entity) return undefined;
  const incoming = op.op === 'create' ? op.values : op.patch;
  if (!acceptIncoming(w, entity, incoming, valuesAt)) return undefined;
  const placed = before
    ? { slot: before.slot, site: before.site, base: { ...before.values } }
    : await placeCreate(w, entity, op as CreateOp);
  const merged = mergePatch(placed.base, incoming);
  const country = countryOf(entity, merged, placed.site, {
    siteCountry: (s) => siteCountry(w.ctx, w.siteRecords, s),
    fallback: w.ctx.fallbackCountry,
  });
  const { values, problems } = normalizeRecordValues(entity, merged, country);
  const record: CapturedRecord = {
    id: before?.id ?? (op.op === 'create' && op.id ? op.id : randomUUID()),
    entity: entity.id,
    slot: placed.slot,
    site: siteOfValues(w, entity, values, problems, placed.site),
    values,
  };
  return plannedRecord(w, index, before, entity, record, problems);
}

/** The catalogue entity an operation writes; undefined (noted as invalid) when there is none. */
function entityOf(
  w: WritePlanning,
  op: CreateOp | UpdateOp,
  before: StoredRecord | undefined,
  at0: string,
): EntitySpec | undefined {
  const entityId = before?.entity ?? (op.op === 'create' ? op.entity : op.id);
  const entity = w.ctx.catalog.entities.get(entityId);
  // Nor create them: it could never see them again.
  if (entity && op.op === 'create' && !canReadEntity(w.ctx.catalog, w.caller, entity.id))
    throw scopeErrors.entityNotYours(entity.id, w.many ? `${at0}/entity` : '/entity');
  if (!entity)
    w.refusals.invalid.push({
      pointer: `${at0}/entity`,
      detail: `"${entityId}" is not an entity of the catalogue`,
    });
  return entity;
}

/**
 * Notes the fields the entity does not have, the values that are too long and the fields the
 * caller may not write. False when a value is too long: such a value is not even normalised.
 */
function acceptIncoming(
  w: WritePlanning,
  entity: EntitySpec,
  incoming: Record<string, unknown>,
  valuesAt: string,
): boolean {
  for (const field of unknownFields(entity, incoming)) {
    w.refusals.invalid.push({
      pointer: `${valuesAt}/${field}`,
      detail: `is not a field of ${entity.name.toLowerCase()}`,
    });
  }
  const oversize = oversizeFields(entity, incoming);
  for (const o of oversize)
    w.refusals.tooLong.push({
      pointer: `${valuesAt}/${o.field}`,
      detail: describeOversize(o.oversize),
    });
  if (oversize.length > 0) return false;
  const writable = readableFields(w.ctx.catalog, w.caller, entity.id);
  if (!writable) return true;
  for (const key of Object.keys(incoming)) {
    const field = entity.fields.find((f) => f.id === key);
    if (field && !writable.has(key))
      w.refusals.forbidden.push({
        pointer: `${valuesAt}/${key}`,
        detail: `is provided by ${field.owner}, not by the customer`,
      });
  }
  return true;
}

/** Where a new record goes: its site, a free slot of the plan, and the values the slot pre-fills. */
async function placeCreate(
  w: WritePlanning,
  entity: EntitySpec,
  op: CreateOp,
): Promise<{ slot: string | null; site: string | null; base: Record<string, unknown> }> {
  const site =
    op.site ??
    (entity.siteField && typeof op.values[entity.siteField] === 'string'
      ? (op.values[entity.siteField] as string)
      : null);
  // A record written at a site takes that site's seat, never another site's.
  const placed = site === null ? undefined : proposalSiteOf(w.ctx, w.siteRecords, site);
  const slot = await freeSlot(w.ctx, w.repo, entity, placed ?? null, w.taken, placed !== undefined);
  const group = groupOf(w.ctx, { entity: entity.id, slot, site });
  return { slot, site, base: { ...(group?.prefillPlain ?? {}) } };
}

/** The values with a JSON merge patch applied: null removes a value. */
function mergePatch(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The record's proposal site: the one its valid site field names, else the one it had. */
function siteOfValues(
  w: WritePlanning,
  entity: EntitySpec,
  values: Record<string, unknown>,
  problems: ReadonlyMap<string, unknown>,
  site: string | null,
): string | null {
  const named = entity.siteField ? values[entity.siteField] : undefined;
  if (typeof named !== 'string' || problems.has(entity.siteField!)) return site;
  return proposalSiteOf(w.ctx, w.siteRecords, named) ?? site;
}

/** The planned create or update of a record as normalised, or an unchanged one left as it was. */
function plannedRecord(
  w: WritePlanning,
  index: number,
  before: StoredRecord | undefined,
  entity: EntitySpec,
  record: CapturedRecord,
  problems: PreparedRecord['problems'],
): Planned {
  const changed = entity.fields
    .filter((f) => !sameValue(before?.values[f.id], record.values[f.id]))
    .map((f) => f.id);
  if (w.origin.skipUnchanged && before && changed.length === 0)
    return { kind: 'unchanged', index, before };
  const nextProvenance = { ...(before?.provenance ?? {}) };
  if (changed.length > 0) {
    const provenance = provenanceOf(w.origin, index, w.at);
    for (const field of changed) nextProvenance[field] = provenance;
  }
  const counts = recordCounts(w.ctx, entity, record, problems);
  // One literal shape, not a spread of `record`: this runs once per row of an import.
  const after: StoredRecord = {
    id: record.id,
    entity: record.entity,
    slot: record.slot,
    site: record.site,
    values: record.values,
    acquisitionId: w.ctx.acquisition.id,
    provenance: nextProvenance,
    status: problems.size > 0 ? 'draft' : 'valid',
    requiredCount: counts.required,
    satisfiedCount: counts.satisfied,
    version: (before?.version ?? 0) + 1,
    digest: '',
    createdAt: before?.createdAt ?? w.at,
    updatedAt: w.at,
  };
  const referenced = w.ctx.referenced.has(entity.id);
  const keys = recordKeys(entity, record, problems, w.ctx.acquisition.id, referenced);
  const prepared = { record, problems, keys };
  return before
    ? { kind: 'update', index, before, after, prepared }
    : { kind: 'create', index, after, prepared };
}

/** Who wrote a field, through which channel and when. */
function provenanceOf(origin: Origin, index: number, at: string): Provenance {
  const detail = origin.detailOf?.(index) ?? origin.detail;
  return { source: origin.source, actor: origin.actor, at, ...(detail ? { detail } : {}) };
}

/** Throws with every problem of one kind noted, in this order: invalid, forbidden, too long. */
function refuseProblems(refusals: Refusals): void {
  if (refusals.invalid.length > 0) throw captureErrors.invalidChanges(refusals.invalid);
  if (refusals.forbidden.length > 0) throw captureErrors.fieldNotYours(refusals.forbidden);
  if (refusals.tooLong.length > 0) throw captureErrors.valuesTooLong(refusals.tooLong);
}

/** The proposal site a site reference value names (a proposal site id, a site record id or name). */
export function proposalSiteOf(
  ctx: AcquisitionContext,
  siteRecords: readonly CapturedRecord[],
  value: string,
): string | undefined {
  const wanted = value.trim().toLowerCase();
  const proposalSite = ctx.acquisition.proposal.sites.find(
    (s) => s.id.toLowerCase() === wanted || s.name.toLowerCase() === wanted,
  );
  if (proposalSite) return proposalSite.id;
  return (
    siteRecords.find(
      (r) =>
        r.id.toLowerCase() === wanted ||
        (typeof r.values.name === 'string' ? r.values.name : '').toLowerCase() === wanted,
    )?.site ?? undefined
  );
}

/**
 * The first free plan slot of the entity (same site first), as the plan would place the record.
 * With `siteOnly` (the record names a proposal site), only that site's slots and those the customer
 * places; none left makes the record one above the plan at its site.
 */
async function freeSlot(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  entity: EntitySpec,
  site: string | null,
  taken: Map<string, Set<string>>,
  siteOnly: boolean,
): Promise<string | null> {
  // Once an entity's slots are all taken at a site, later creates of this write need not look again.
  const full = `full\u0000${entity.id}\u0000${site ?? ''}\u0000${siteOnly}`;
  if (taken.has(full)) return null;
  let used = taken.get(entity.id);
  if (!used) {
    used = await repo.takenSlots(ctx.acquisition.id, entity.id);
    taken.set(entity.id, used);
  }
  const groups = (ctx.groupsByEntity.get(entity.id) ?? []).filter(
    (f) => !siteOnly || f.group.site === site || f.group.site === null,
  );
  const rank = (site0: string | null) => (site0 === site ? 0 : site0 === null ? 1 : 2);
  groups.sort((a, b) => rank(a.group.site) - rank(b.group.site));
  for (const limit of ['count', 'max'] as const) {
    for (const f of groups) {
      const capacity = limit === 'count' ? f.group.count : (f.group.max ?? 10000);
      for (let i = 1; i <= capacity; i++) {
        const slot = `${f.group.key}#${i}`;
        if (!used.has(slot)) {
          used.add(slot);
          return slot;
        }
      }
    }
  }
  taken.set(full, new Set());
  return null;
}
