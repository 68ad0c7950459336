import { randomUUID } from 'node:crypto';
import {
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
import type { Origin, WriteOp } from './capture-engine.js';
import { captureErrors } from './capture-errors.js';
import type { CaptureRepository, StoredRecord } from './capture-repository.js';
import { siteCountry, type PreparedRecord } from './evaluate-records.js';
import { recordKeys } from './record-keys.js';
import { referenceDirectories, resolveOps } from './reference-lookup.js';
import { countryOf, normalizeRecordValues, sameValue, unknownFields } from './record-values.js';
import { describeOversize, oversizeFields } from './value-limits.js';
import type { CapturedRecord, Provenance } from './record.js';

/** One operation of a write, with the record before and after it. */
export interface Planned {
  index: number;
  op: WriteOp;
  before?: StoredRecord;
  after?: StoredRecord;
  prepared?: PreparedRecord;
  /** An update that changes nothing, left unwritten (see `Origin.skipUnchanged`). */
  unchanged?: boolean;
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
  const invalid: ProblemDetail[] = [];
  const forbidden: ProblemDetail[] = [];
  const tooLong: ProblemDetail[] = [];
  const taken = new Map<string, Set<string>>();
  const planned: Planned[] = [];
  const caller = callerOf(ctx.acquisition.id, origin.customerOnly ?? false);
  const provenanceOf = (index: number): Provenance => {
    const detail = origin.detailOf?.(index) ?? origin.detail;
    return { source: origin.source, actor: origin.actor, at, ...(detail ? { detail } : {}) };
  };

  for (const [index, op] of ops.entries()) {
    const at0 = ops.length > 1 ? pointerOf('records', index) : '';
    const valuesAt = origin.valuesPointer?.(index) ?? (op.op === 'create' ? `${at0}/values` : at0);
    if (op.op !== 'create') {
      const before = existing.get(op.id);
      if (!before) throw captureErrors.recordNotFound(op.id);
      // A customer link cannot even see records of entities the customer provides nothing for.
      if (!canReadEntity(ctx.catalog, caller, before.entity))
        throw captureErrors.recordNotFound(op.id);
      if (op.ifVersion !== undefined && op.ifVersion !== before.version)
        throw captureErrors.versionConflict(op.id, before.version);
      if (op.op === 'delete') {
        if (!mayDelete(caller))
          forbidden.push({
            pointer: at0 || '/',
            detail: 'a customer link cannot delete records',
          });
        planned.push({ index, op, before });
        continue;
      }
    }
    const entityId = op.op === 'create' ? op.entity : existing.get(op.id)!.entity;
    const entity = ctx.catalog.entities.get(entityId);
    // Nor create them: it could never see them again.
    if (entity && op.op === 'create' && !canReadEntity(ctx.catalog, caller, entity.id))
      throw scopeErrors.entityNotYours(entity.id, ops.length > 1 ? `${at0}/entity` : '/entity');
    if (!entity) {
      invalid.push({
        pointer: `${at0}/entity`,
        detail: `"${entityId}" is not an entity of the catalogue`,
      });
      continue;
    }
    const incoming = op.op === 'create' ? op.values : op.patch;
    for (const field of unknownFields(entity, incoming)) {
      invalid.push({
        pointer: `${valuesAt}/${field}`,
        detail: `is not a field of ${entity.name.toLowerCase()}`,
      });
    }
    const oversize = oversizeFields(entity, incoming);
    for (const o of oversize)
      tooLong.push({ pointer: `${valuesAt}/${o.field}`, detail: describeOversize(o.oversize) });
    // Refused below: an oversized value is not even normalised.
    if (oversize.length > 0) continue;
    const writable = readableFields(ctx.catalog, caller, entity.id);
    if (writable) {
      for (const key of Object.keys(incoming)) {
        const field = entity.fields.find((f) => f.id === key);
        if (field && !writable.has(key))
          forbidden.push({
            pointer: `${valuesAt}/${key}`,
            detail: `is provided by ${field.owner}, not by the customer`,
          });
      }
    }
    const before = op.op === 'update' ? existing.get(op.id) : undefined;
    let slot = before?.slot ?? null;
    let site = before?.site ?? null;
    let base: Record<string, unknown> = before ? { ...before.values } : {};
    if (op.op === 'create') {
      site =
        op.site ??
        (entity.siteField && typeof op.values[entity.siteField] === 'string'
          ? (op.values[entity.siteField] as string)
          : null);
      // A record written at a site takes that site's seat, never another site's.
      const placed = site === null ? undefined : proposalSiteOf(ctx, siteRecords, site);
      slot = await freeSlot(ctx, repo, entity, placed ?? null, taken, placed !== undefined);
      const group = groupOf(ctx, { entity: entity.id, slot, site });
      base = { ...(group?.prefillPlain ?? {}) };
    }
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(incoming)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const country = countryOf(entity, merged, site, {
      siteCountry: (s) => siteCountry(ctx, siteRecords, s),
      fallback: ctx.fallbackCountry,
    });
    const { values, problems } = normalizeRecordValues(entity, merged, country);
    if (
      entity.siteField &&
      typeof values[entity.siteField] === 'string' &&
      !problems.has(entity.siteField)
    ) {
      site = proposalSiteOf(ctx, siteRecords, values[entity.siteField] as string) ?? site;
    }
    const record: CapturedRecord = {
      id: before?.id ?? (op.op === 'create' && op.id ? op.id : randomUUID()),
      entity: entity.id,
      slot,
      site,
      values,
    };
    const counts = recordCounts(ctx, entity, record, problems);
    const changed = entity.fields
      .filter(
        (f) =>
          !sameValue(before?.values[f.id], values[f.id]) ||
          (op.op === 'update' && f.id in op.patch && !before),
      )
      .map((f) => f.id);
    if (origin.skipUnchanged && before && changed.length === 0) {
      planned.push({ index, op, before, unchanged: true });
      continue;
    }
    const nextProvenance = { ...(before?.provenance ?? {}) };
    const provenance = changed.length > 0 ? provenanceOf(index) : undefined;
    for (const field of changed) nextProvenance[field] = provenance!;
    const after: StoredRecord = {
      ...record,
      acquisitionId: ctx.acquisition.id,
      provenance: nextProvenance,
      status: problems.size > 0 ? 'draft' : 'valid',
      requiredCount: counts.required,
      satisfiedCount: counts.satisfied,
      version: (before?.version ?? 0) + 1,
      digest: '',
      createdAt: before?.createdAt ?? at,
      updatedAt: at,
    };
    const keys = recordKeys(
      entity,
      record,
      problems,
      ctx.acquisition.id,
      ctx.referenced.has(entity.id),
    );
    planned.push({ index, op, before, after, prepared: { record, problems, keys } });
  }
  if (invalid.length > 0) throw captureErrors.invalidChanges(invalid);
  if (forbidden.length > 0) throw captureErrors.fieldNotYours(forbidden);
  if (tooLong.length > 0) throw captureErrors.valuesTooLong(tooLong);
  return planned;
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
