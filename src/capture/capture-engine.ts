import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { errors } from '../errors.js';
import { appendEvents } from '../outbox/outbox.js';
import type { AcquisitionContext } from './acquisition-context.js';
import { captureErrors } from './capture-errors.js';
import { CaptureRepository, type StoredKey, type StoredRecord } from './capture-repository.js';
import type { ContextCache } from './context-cache.js';
import { validationDigest } from './digest.js';
import {
  findingsOf,
  lookupsFrom,
  numberRuleInputs,
  prepareRecord,
  type PreparedRecord,
} from './evaluate-records.js';
import { planWrites, type Planned } from './plan-writes.js';
import { countExcesses } from './record-limits.js';
import { handleKind, referenceKind } from './record-keys.js';
import { forgetUsers } from './reference-lookup.js';
import type { CapturedRecord, Finding, RecordKey, Source } from './record.js';
import { adjustTotals, eventOf, historyOf } from './write-effects.js';

/** Who writes, through which channel. */
export interface Origin {
  source: Source;
  actor: string;
  /** The token name, the file and row, the proposal part. */
  detail?: string;
  /** The detail of operation `i`, when it differs per operation (an import's file and row). */
  detailOf?: (index: number) => string;
  /** A note for the history (interview answers). */
  note?: string;
  /** A customer link: only customer-owned fields may be written. */
  customerOnly?: boolean;
  /** Leave an update that changes nothing unwritten (no new version, history or event). */
  skipUnchanged?: boolean;
  /** Where the values of operation `i` sit in the request, for error pointers (default: the body itself). */
  valuesPointer?: (index: number) => string;
}

export type WriteOp =
  | {
      op: 'create';
      entity: string;
      values: Record<string, unknown>;
      site?: string | null;
      /** The new record's id, when the caller must know it before the write (imports); else random. */
      id?: string;
    }
  | { op: 'update'; id: string; patch: Record<string, unknown>; ifVersion?: number }
  | { op: 'delete'; id: string; ifVersion?: number };

export interface WriteResult {
  records: StoredRecord[];
  deleted: string[];
  /** Records an update left as they were (with `skipUnchanged`). */
  unchanged: string[];
  /** Findings of the records written. */
  findings: Finding[];
}

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
    return this.db.transaction().execute((trx) => this.writeWith(trx, ctx, ops, origin));
  }

  /** The capture context of an acquisition (cached); read it before opening a transaction. */
  context(acquisitionId: string): Promise<AcquisitionContext> {
    return this.contexts.get(acquisitionId);
  }

  /**
   * `write` inside a transaction the caller holds, so that a spreadsheet import can write many
   * batches and still commit or roll back as one.
   */
  async writeWith(
    trx: Kysely<Database>,
    ctx: AcquisitionContext,
    ops: readonly WriteOp[],
    origin: Origin,
  ): Promise<WriteResult> {
    const acquisitionId = ctx.acquisition.id;
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
    const allPlanned = await planWrites(ctx, repo, ops, existing, siteRecords, origin, at);
    const planned = allPlanned.filter((p) => !p.unchanged);
    forgetUsers(
      repo,
      acquisitionId,
      planned.map((p) => (p.after ?? p.before)!.entity),
    );
    await refuseAboveMaximum(ctx, repo, planned);

    // Index keys first, so that the evaluation below sees this write.
    const written = planned.filter((p) => p.after);
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
    // A record created here has no keys yet: only the others' old keys need removing.
    await repo.replaceKeys(
      acquisitionId,
      planned.filter((p) => p.before).map((p) => p.before!.id),
      newKeys,
    );

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

    await repo.appendHistory(planned.flatMap((p) => historyOf(p, origin, at)));
    await appendEvents(
      trx,
      planned.map((p) => eventOf(acquisitionId, p, origin)),
      this.now(),
    );
    await adjustTotals(trx, ctx, planned, at);

    const writtenIds = new Set(written.map((p) => p.after!.id));
    const statusOf = new Map<string, 'valid' | 'draft'>();
    for (const f of findings) if (f.severity === 'blocking') statusOf.set(f.recordId, 'draft');
    return {
      records: written.map((p) => ({
        ...p.after!,
        status: statusOf.get(p.after!.id) ?? 'valid',
      })),
      deleted: planned.filter((p) => p.op.op === 'delete').map((p) => p.before!.id),
      unchanged: allPlanned.filter((p) => p.unchanged).map((p) => p.before!.id),
      findings: findings.filter((f) => writtenIds.has(f.recordId)),
    };
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
          if (rule.ports) blockEntities.add(rule.ports.entity);
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
}

/** Throws before anything is written when the write would take an entity past the plan's maximum. */
async function refuseAboveMaximum(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  planned: readonly Planned[],
): Promise<void> {
  const added = new Map<string, number>();
  const removed = new Map<string, number>();
  for (const p of planned) {
    const tally = p.op.op === 'create' ? added : p.op.op === 'delete' ? removed : undefined;
    const entity = (p.after ?? p.before)!.entity;
    if (tally) tally.set(entity, (tally.get(entity) ?? 0) + 1);
  }
  if (added.size === 0) return;
  await repo.lockAcquisition(ctx.acquisition.id);
  const current = await repo.countByEntity(ctx.acquisition.id, [...added.keys()]);
  const excesses = countExcesses(ctx, current, added, removed);
  if (excesses.length > 0)
    throw captureErrors.tooManyRecords(
      excesses.map((e) => ({ ...e, name: ctx.catalog.entities.get(e.entity)?.name ?? e.entity })),
    );
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
