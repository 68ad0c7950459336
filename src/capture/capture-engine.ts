import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EntitySpec } from '../catalog/model.js';
import { errors, type ProblemDetail } from '../errors.js';
import { appendEvents, type OutboxEvent } from '../outbox/outbox.js';
import { pointerOf } from '../schema/ajv.js';
import { groupOf, recordCounts, type AcquisitionContext } from './acquisition-context.js';
import { captureErrors } from './capture-errors.js';
import {
  CaptureRepository,
  type HistoryEntry,
  type StoredKey,
  type StoredRecord,
} from './capture-repository.js';
import type { ContextCache } from './context-cache.js';
import { validationDigest } from './digest.js';
import {
  prepareRecord,
  findingsOf,
  lookupsFrom,
  numberRuleInputs,
  siteCountry,
  type PreparedRecord,
} from './evaluate-records.js';
import { handleKind, recordKeys, referenceKind } from './record-keys.js';
import { countryOf, normalizeRecordValues, unknownFields } from './record-values.js';
import type { CapturedRecord, Finding, Provenance, RecordKey, Source } from './record.js';

/** Who writes, through which channel. */
export interface Origin {
  source: Source;
  actor: string;
  /** The token name, the file and row, the proposal part. */
  detail?: string;
  /** A note for the history (interview answers). */
  note?: string;
  /** A customer link: only customer-owned fields may be written. */
  customerOnly?: boolean;
  /** Where the values of operation `i` sit in the request, for error pointers (default: the body itself). */
  valuesPointer?: (index: number) => string;
}

export type WriteOp =
  | { op: 'create'; entity: string; values: Record<string, unknown>; site?: string | null }
  | { op: 'update'; id: string; patch: Record<string, unknown>; ifVersion?: number }
  | { op: 'delete'; id: string; ifVersion?: number };

export interface WriteResult {
  records: StoredRecord[];
  deleted: string[];
  /** Findings of the records written. */
  findings: Finding[];
}

interface Planned {
  index: number;
  op: WriteOp;
  before?: StoredRecord;
  after?: StoredRecord;
  prepared?: PreparedRecord;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The one path every capture channel writes through: normalise, validate (field, record,
 * cross-record), store with provenance and history, re-validate what the write can affect,
 * keep completeness current and append outbox events — all in one transaction.
 */
export class CaptureEngine {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly contexts: ContextCache,
    private readonly now: () => Date,
  ) {}

  async write(
    acquisitionId: string,
    ops: readonly WriteOp[],
    origin: Origin,
  ): Promise<WriteResult> {
    const ctx = await this.contexts.get(acquisitionId);
    return this.db.transaction().execute(async (trx) => {
      const repo = new CaptureRepository(trx);
      const state = await trx
        .selectFrom('acquisitions')
        .select('state')
        .where('id', '=', acquisitionId)
        .executeTakeFirst();
      if (!state) throw errors.acquisitionNotFound(acquisitionId);
      if (state.state !== 'collecting') throw captureErrors.locked(state.state);
      const at = this.now().toISOString();

      const existing = new Map(
        (
          await repo.getRecords(
            acquisitionId,
            ops.flatMap((o) => (o.op === 'create' ? [] : [o.id])),
          )
        ).map((r) => [r.id, r]),
      );
      const siteRecords = await repo.recordsOfEntities(acquisitionId, ['site'], {
        withProvenance: false,
      });
      const planned = await this.plan(ctx, repo, ops, existing, siteRecords, origin, at);

      // Index keys first, so that the evaluation below sees this write.
      const written = planned.filter((p) => p.after);
      const touchedIds = planned.map((p) => p.before?.id ?? p.after!.id);
      // The old keys follow from the old values; no need to read them back.
      const oldKeys: StoredKey[] = planned.flatMap((p) =>
        p.before
          ? prepareRecord(ctx, p.before, siteRecords).keys.map((k) => ({
              ...k,
              recordId: p.before!.id,
              acquisitionId,
            }))
          : [],
      );
      const newKeys: StoredKey[] = written.flatMap((p) =>
        p.prepared!.keys.map((k) => ({ ...k, recordId: p.after!.id, acquisitionId })),
      );
      await repo.replaceKeys(acquisitionId, touchedIds, newKeys);

      for (const p of planned) {
        if (p.op.op === 'delete') {
          if (!(await repo.deleteRecord(p.before!.id, p.before!.version)))
            throw captureErrors.versionConflict(p.before!.id, p.before!.version + 1);
        } else if (p.before) {
          if (!(await repo.updateRecord(p.after!, p.before.version)))
            throw captureErrors.versionConflict(p.before.id, p.before.version + 1);
        }
      }
      await repo.insertRecords(planned.filter((p) => p.op.op === 'create').map((p) => p.after!));

      const evaluated = await this.neighbourhood(ctx, repo, planned, oldKeys, newKeys, siteRecords);
      const findings = await this.evaluate(ctx, repo, evaluated.prepared, planned, siteRecords);
      // Findings and status change only where the record's validation digest or status changed.
      const conclusions = validationOf(evaluated.prepared, findings);
      const changedDigest = conclusions
        .filter((c) => c.digest !== evaluated.stored.get(c.id)?.digest)
        .map((c) => c.id);
      const deletedIds = planned.filter((p) => p.op.op === 'delete').map((p) => p.before!.id);
      const rewrite = new Set([...changedDigest, ...deletedIds]);
      if (rewrite.size > 0) {
        await repo.replaceFindings(
          acquisitionId,
          [...rewrite],
          findings.filter((f) => rewrite.has(f.recordId)),
        );
      }
      await repo.setValidation(
        conclusions.filter((c) => {
          const stored = evaluated.stored.get(c.id);
          return c.digest !== stored?.digest || c.status !== stored?.status;
        }),
      );

      await repo.appendHistory(planned.flatMap((p, i) => this.historyOf(p, origin, at, i)));
      await appendEvents(
        trx,
        planned.map((p) => this.eventOf(acquisitionId, p, origin)),
        this.now(),
      );
      await this.adjustTotals(trx, ctx, planned, at);

      const writtenIds = new Set(written.map((p) => p.after!.id));
      const statusOf = new Map<string, 'valid' | 'draft'>();
      for (const f of findings) if (f.severity === 'blocking') statusOf.set(f.recordId, 'draft');
      return {
        records: written.map((p) => ({
          ...p.after!,
          status: statusOf.get(p.after!.id) ?? 'valid',
        })),
        deleted: planned.filter((p) => p.op.op === 'delete').map((p) => p.before!.id),
        findings: findings.filter((f) => writtenIds.has(f.recordId)),
      };
    });
  }

  /** Checks every operation and works out the records as they will be; throws before anything is written. */
  private async plan(
    ctx: AcquisitionContext,
    repo: CaptureRepository,
    ops: readonly WriteOp[],
    existing: Map<string, StoredRecord>,
    siteRecords: readonly CapturedRecord[],
    origin: Origin,
    at: string,
  ): Promise<Planned[]> {
    const invalid: ProblemDetail[] = [];
    const forbidden: ProblemDetail[] = [];
    const taken = new Map<string, Set<string>>();
    const planned: Planned[] = [];
    const provenance: Provenance = {
      source: origin.source,
      actor: origin.actor,
      at,
      ...(origin.detail ? { detail: origin.detail } : {}),
    };

    for (const [index, op] of ops.entries()) {
      const at0 = ops.length > 1 ? pointerOf('records', index) : '';
      const valuesAt =
        origin.valuesPointer?.(index) ?? (op.op === 'create' ? `${at0}/values` : at0);
      if (op.op !== 'create') {
        const before = existing.get(op.id);
        if (!before) throw captureErrors.recordNotFound(op.id);
        if (op.ifVersion !== undefined && op.ifVersion !== before.version)
          throw captureErrors.versionConflict(op.id, before.version);
        if (op.op === 'delete') {
          if (origin.customerOnly)
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
      if (origin.customerOnly) {
        for (const key of Object.keys(incoming)) {
          const field = entity.fields.find((f) => f.id === key);
          if (field && field.owner !== 'customer')
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
        slot = await this.freeSlot(ctx, repo, entity, site, taken);
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
        site = this.proposalSiteOf(ctx, siteRecords, values[entity.siteField] as string) ?? site;
      }
      const record: CapturedRecord = {
        id: before?.id ?? randomUUID(),
        entity: entity.id,
        slot,
        site,
        values,
      };
      const counts = recordCounts(ctx, entity, record, problems);
      const changed = entity.fields
        .filter(
          (f) =>
            !same(before?.values[f.id], values[f.id]) ||
            (op.op === 'update' && f.id in op.patch && !before),
        )
        .map((f) => f.id);
      const nextProvenance = { ...(before?.provenance ?? {}) };
      for (const field of changed) nextProvenance[field] = provenance;
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
    return planned;
  }

  /** The proposal site a site reference value names (a proposal site id, a site record id or name). */
  private proposalSiteOf(
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

  /** The first free plan slot of the entity (same site first), as the plan would place the record. */
  private async freeSlot(
    ctx: AcquisitionContext,
    repo: CaptureRepository,
    entity: EntitySpec,
    site: string | null,
    taken: Map<string, Set<string>>,
  ): Promise<string | null> {
    let used = taken.get(entity.id);
    if (!used) {
      used = await repo.takenSlots(ctx.acquisition.id, entity.id);
      taken.set(entity.id, used);
    }
    const groups = [...(ctx.groupsByEntity.get(entity.id) ?? [])];
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
    return null;
  }

  /** The records whose findings this write can change: the written ones and their neighbours in the indexes. */
  private async neighbourhood(
    ctx: AcquisitionContext,
    repo: CaptureRepository,
    planned: readonly Planned[],
    oldKeys: readonly StoredKey[],
    newKeys: readonly StoredKey[],
    siteRecords: readonly CapturedRecord[],
  ): Promise<{
    prepared: PreparedRecord[];
    stored: Map<string, { digest: string; status: string }>;
  }> {
    const acquisitionId = ctx.acquisition.id;
    const prepared = new Map<string, PreparedRecord>();
    // What is stored now: written records keep their old digest until it is set below.
    const stored = new Map<string, { digest: string; status: string }>();
    for (const p of planned) {
      if (!p.prepared) continue;
      prepared.set(p.after!.id, p.prepared);
      stored.set(p.after!.id, { digest: p.before?.digest ?? '', status: p.after!.status });
    }
    const deleted = new Set(planned.filter((p) => p.op.op === 'delete').map((p) => p.before!.id));

    const probes: RecordKey[] = [];
    for (const key of [...oldKeys, ...newKeys]) {
      if (key.kind.startsWith('unique:') || key.kind.startsWith('member:')) probes.push(key);
      else if (key.kind.startsWith('handle:'))
        probes.push({
          kind: referenceKind(key.kind.slice('handle:'.length)),
          scope: key.scope,
          value: key.value,
        });
    }
    const ids = new Set<string>();
    for (const holder of probes.length > 0 ? await repo.holdersOf(probes) : []) {
      if (
        holder.acquisitionId === acquisitionId &&
        !prepared.has(holder.recordId) &&
        !deleted.has(holder.recordId)
      )
        ids.add(holder.recordId);
    }
    const { inputs, dependents } = numberRuleInputs(ctx);
    const touchesNumbers = planned.some((p) => inputs.has((p.after ?? p.before)!.entity));
    const extra = [
      ...(await repo.getRecords(acquisitionId, [...ids])),
      ...(touchesNumbers
        ? (await repo.recordsOfEntities(acquisitionId, dependents)).filter(
            (r) => !prepared.has(r.id) && !ids.has(r.id),
          )
        : []),
    ];
    for (const record of extra) {
      prepared.set(record.id, prepareRecord(ctx, record, siteRecords));
      stored.set(record.id, { digest: record.digest, status: record.status });
    }
    return { prepared: [...prepared.values()], stored };
  }

  /** Evaluates the prepared records with the keys and records their rules need, loaded from the database. */
  private async evaluate(
    ctx: AcquisitionContext,
    repo: CaptureRepository,
    evaluated: readonly PreparedRecord[],
    planned: readonly Planned[],
    siteRecords: readonly CapturedRecord[],
  ): Promise<Finding[]> {
    const probes: RecordKey[] = [];
    for (const { keys } of evaluated) {
      for (const key of keys) {
        if (key.kind.startsWith('ref:'))
          probes.push({ kind: handleKind(key.kind.slice(4)), scope: key.scope, value: key.value });
        else if (!key.kind.startsWith('handle:')) probes.push(key);
      }
    }
    const keys = probes.length > 0 ? await repo.holdersOf(probes) : [];
    const blockEntities = new Set<string>();
    for (const { record, problems } of evaluated) {
      for (const rule of ctx.catalog.entities.get(record.entity)?.rules ?? []) {
        // Blocks are read only when a number is there to check.
        if (
          rule.kind === 'numberInBlock' &&
          record.values[rule.field] !== undefined &&
          !problems.has(rule.field)
        ) {
          blockEntities.add(rule.block.entity);
        }
      }
    }
    const byEntity = new Map<string, CapturedRecord[]>();
    for (const record of await repo.recordsOfEntities(ctx.acquisition.id, [...blockEntities], {
      withProvenance: false,
    })) {
      const list = byEntity.get(record.entity) ?? [];
      list.push(record);
      byEntity.set(record.entity, list);
    }
    // Sites as this write leaves them (loaded once at its start).
    const sites = new Map(siteRecords.map((r) => [r.id, r]));
    for (const p of planned) {
      if (p.after?.entity === 'site') sites.set(p.after.id, p.after);
      else if (p.op.op === 'delete' && p.before?.entity === 'site') sites.delete(p.before.id);
    }
    byEntity.set('site', [...sites.values()]);
    return findingsOf(ctx, evaluated, lookupsFrom(ctx, keys, byEntity));
  }

  private historyOf(p: Planned, origin: Origin, at: string, _i: number): HistoryEntry[] {
    const base = {
      acquisitionId: p.after?.acquisitionId ?? p.before!.acquisitionId,
      source: origin.source,
      actor: origin.actor,
      at,
      ...(origin.detail ? { sourceDetail: origin.detail } : {}),
      ...(origin.note ? { note: origin.note } : {}),
    };
    if (p.op.op === 'delete') {
      const b = p.before!;
      return [
        {
          ...base,
          recordId: b.id,
          recordVersion: b.version + 1,
          seq: 0,
          entity: b.entity,
          field: '',
          oldValue: b.values,
          newValue: null,
        },
      ];
    }
    const a = p.after!;
    const entity = Object.keys({ ...(p.before?.values ?? {}), ...a.values });
    const fields = [...new Set(entity)].filter((f) => !same(p.before?.values[f], a.values[f]));
    if (fields.length === 0 && !p.before)
      return [
        {
          ...base,
          recordId: a.id,
          recordVersion: a.version,
          seq: 0,
          entity: a.entity,
          field: '',
          oldValue: null,
          newValue: {},
        },
      ];
    return fields.sort().map((field, seq) => ({
      ...base,
      recordId: a.id,
      recordVersion: a.version,
      seq,
      entity: a.entity,
      field,
      oldValue: p.before?.values[field] ?? null,
      newValue: a.values[field] ?? null,
    }));
  }

  private eventOf(acquisitionId: string, p: Planned, origin: Origin): OutboxEvent {
    const record = p.after ?? p.before!;
    const type =
      p.op.op === 'create'
        ? 'recordCreateEvent'
        : p.op.op === 'delete'
          ? 'recordDeleteEvent'
          : 'recordAttributeValueChangeEvent';
    const fields = p.after
      ? Object.keys({ ...(p.before?.values ?? {}), ...p.after.values }).filter(
          (f) => !same(p.before?.values[f], p.after!.values[f]),
        )
      : [];
    return {
      aggregateType: 'record',
      aggregateId: record.id,
      sequence: p.after?.version ?? p.before!.version + 1,
      eventType: type,
      payload: {
        acquisitionId,
        recordId: record.id,
        entity: record.entity,
        version: p.after?.version ?? null,
        fields,
        source: origin.source,
      },
    };
  }

  /** Moves the acquisition's completeness by what this write changed (a deleted expected record is owed again). */
  private async adjustTotals(
    db: Kysely<Database>,
    ctx: AcquisitionContext,
    planned: readonly Planned[],
    at: string,
  ): Promise<void> {
    let required = 0;
    let satisfied = 0;
    for (const p of planned) {
      if (p.before) {
        required -= p.before.requiredCount;
        satisfied -= p.before.satisfiedCount;
      }
      if (p.after) {
        required += p.after.requiredCount;
        satisfied += p.after.satisfiedCount;
      } else if (p.before?.slot) {
        const group = groupOf(ctx, p.before);
        const index = Number(p.before.slot.slice(p.before.slot.lastIndexOf('#') + 1));
        if (group && index <= group.group.count) {
          const entity = ctx.catalog.entities.get(p.before.entity)!;
          const empty = recordCounts(
            ctx,
            entity,
            { ...p.before, values: group.prefillPlain },
            new Map(),
          );
          required += empty.required;
          satisfied += empty.satisfied;
        }
      }
    }
    await adjustAcquisitionTotals(db, ctx.acquisition.id, required, satisfied, at);
  }
}

/** Status and digest of each evaluated record, from its keys and findings. */
export function validationOf(evaluated: readonly PreparedRecord[], findings: readonly Finding[]) {
  const byRecord = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byRecord.get(f.recordId);
    if (list) list.push(f);
    else byRecord.set(f.recordId, [f]);
  }
  return evaluated.map(({ record, keys }) => {
    const own = byRecord.get(record.id) ?? [];
    return {
      id: record.id,
      status: own.some((f) => f.severity === 'blocking') ? ('draft' as const) : ('valid' as const),
      digest: validationDigest(keys, own),
    };
  });
}

/** Adds to an acquisition's required and satisfied field counts and recomputes its completeness, in one statement. */
export async function adjustAcquisitionTotals(
  db: Kysely<Database>,
  acquisitionId: string,
  required: number,
  satisfied: number,
  at: string,
): Promise<void> {
  const r = sql`cast(${required} as integer)`;
  const s = sql`cast(${satisfied} as integer)`;
  await db
    .updateTable('acquisitions')
    .set({
      required_fields: sql`required_fields + ${r}`,
      satisfied_fields: sql`satisfied_fields + ${s}`,
      completeness: sql`case when required_fields + ${r} = 0 then 1.0 else cast(satisfied_fields + ${s} as double precision) / (required_fields + ${r}) end`,
      updated_at: at,
      row_version: sql`row_version + 1`,
    })
    .where('id', '=', acquisitionId)
    .execute();
}
