import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import { afterStagedImport } from '../db/staged-import-gates.js';
import type { Database } from '../db/schema.js';
import { errors } from '../errors.js';
import { appendEvents } from '../outbox/outbox.js';
import type { AcquisitionContext } from './acquisition-context.js';
import { captureErrors } from './capture-errors.js';
import { CaptureRepository, type StoredKey, type StoredRecord } from './capture-repository.js';
import type { ContextCache } from './context-cache.js';
import { prepareRecord } from './evaluate-records.js';
import { planWrites } from './plan-writes.js';
import { countExcesses } from './record-limits.js';
import { validationOf } from './record-validation.js';
import { forgetUsers } from './reference-lookup.js';
import type { CapturedRecord, Finding } from './record.js';
import { evaluateNeighbourhood, KeyHolders, neighbourhood } from './write-neighbourhood.js';
import { eventOf, historyOf, totalsDelta } from './write-effects.js';
import {
  hasBefore,
  isWrite,
  subjectOf,
  type Origin,
  type Planned,
  type PlannedChange,
  type PlannedWrite,
  type WriteOp,
  type WriteResult,
} from './write-types.js';

/** One write in progress: its transaction, the acquisition's context, and when it happens. */
interface WriteStep {
  trx: Kysely<Database>;
  repo: CaptureRepository;
  ctx: AcquisitionContext;
  origin: Origin;
  at: string;
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
    // On SQLite, an import of the acquisition being staged would overwrite this write: it waits.
    await afterStagedImport(acquisitionId);
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
    const step: WriteStep = {
      ...{ trx, ctx, origin },
      repo: new CaptureRepository(trx),
      at: this.now().toISOString(),
    };
    await refuseUnlessCollecting(trx, ctx.acquisition.id);
    const siteRecords = await step.repo.recordsOfEntities(ctx.acquisition.id, ['site'], {
      withProvenance: false,
    });
    const allPlanned = await planAll(step, ops, siteRecords);
    const planned = allPlanned.filter((p): p is PlannedChange => p.kind !== 'unchanged');
    forgetUsers(
      step.repo,
      ctx.acquisition.id,
      planned.map((p) => subjectOf(p).entity),
    );
    await refuseAboveMaximum(step, planned);
    const keys = await storeKeys(step, planned, siteRecords);
    // Validated before the records are stored, so that each is written once with its status.
    const findings = await revalidate(step, planned, keys, siteRecords);
    await storeRecords(step.repo, planned);
    await recordEffects(step, planned, this.now());
    return resultOf(allPlanned, findings);
  }
}

/** Throws unless the acquisition is still collecting data, as stored now. */
async function refuseUnlessCollecting(trx: Kysely<Database>, acquisitionId: string) {
  const state = await new AcquisitionRepository(trx).stateOf(acquisitionId);
  if (!state) throw errors.acquisitionNotFound(acquisitionId);
  if (state !== 'collecting') throw captureErrors.locked(state);
}

/** Plans every operation against the records they name, as stored now. */
async function planAll(
  { ctx, repo, origin, at }: WriteStep,
  ops: readonly WriteOp[],
  siteRecords: readonly CapturedRecord[],
): Promise<Planned[]> {
  const named = ops.flatMap((o) => (o.op === 'create' ? [] : [o.id]));
  const existing = new Map(
    (await repo.getRecords(ctx.acquisition.id, named)).map((r) => [r.id, r]),
  );
  return planWrites(ctx, repo, ops, existing, siteRecords, origin, at);
}

/**
 * Replaces the index keys of the records written, first, so that the evaluation sees this write.
 * Returns the keys removed and added: the neighbours to re-validate share them.
 */
async function storeKeys(
  { ctx, repo }: WriteStep,
  planned: readonly PlannedChange[],
  siteRecords: readonly CapturedRecord[],
): Promise<StoredKey[]> {
  const acquisitionId = ctx.acquisition.id;
  // The old keys follow from the old values; no need to read them back.
  const oldKeys: StoredKey[] = [];
  for (const [i, p] of planned.entries()) {
    // A batch of an import holds hundreds of records: other requests get their turn every 100.
    if (i % 100 === 99) await setImmediate();
    if (!hasBefore(p)) continue;
    for (const k of prepareRecord(ctx, p.before, siteRecords).keys)
      oldKeys.push({ ...k, recordId: p.before.id, acquisitionId });
  }
  const newKeys = planned
    .filter(isWrite)
    .flatMap((p) => p.prepared.keys.map((k) => ({ ...k, recordId: p.after.id, acquisitionId })));
  // A record created here has no keys yet: only the others' old keys need removing.
  const replaced = planned.flatMap((p) => (hasBefore(p) ? [p.before.id] : []));
  await repo.replaceKeys(acquisitionId, replaced, newKeys);
  return [...oldKeys, ...newKeys];
}

/**
 * Deletes, updates (each at the version it was read at, hundreds per statement) and inserts the
 * records.
 */
async function storeRecords(repo: CaptureRepository, planned: readonly PlannedChange[]) {
  for (const p of planned) {
    if (p.kind === 'delete' && !(await repo.deleteRecord(p.before.id, p.before.version)))
      throw captureErrors.versionConflict(p.before.id, p.before.version + 1);
  }
  const updates = planned.flatMap((p) =>
    p.kind === 'update' ? [{ record: p.after, expectedVersion: p.before.version }] : [],
  );
  const [conflict] = await repo.updateRecords(updates);
  if (conflict !== undefined) {
    const before = updates.find((u) => u.record.id === conflict)!.expectedVersion;
    throw captureErrors.versionConflict(conflict, before + 1);
  }
  await repo.insertRecords(planned.flatMap((p) => (p.kind === 'create' ? [p.after] : [])));
}

/**
 * Re-validates the written records and their neighbours, and stores the findings of those whose
 * validation digest changed. The written records take their status and digest with them (they are
 * stored after this); the neighbours' are updated here when they changed. Returns every finding
 * evaluated.
 */
async function revalidate(
  { ctx, repo }: WriteStep,
  planned: readonly PlannedChange[],
  keys: readonly StoredKey[],
  siteRecords: readonly CapturedRecord[],
): Promise<Finding[]> {
  const holders = new KeyHolders(repo);
  const evaluated = await neighbourhood(ctx, repo, holders, planned, keys, siteRecords);
  const findings = await evaluateNeighbourhood(
    ctx,
    repo,
    holders,
    evaluated.prepared,
    planned,
    siteRecords,
  );
  const conclusions = validationOf(evaluated.prepared, findings);
  const changedDigest = conclusions
    .filter((c) => c.digest !== evaluated.stored.get(c.id)?.digest)
    .map((c) => c.id);
  const deletedIds = planned.flatMap((p) => (p.kind === 'delete' ? [p.before.id] : []));
  const rewrite = new Set([...changedDigest, ...deletedIds]);
  if (rewrite.size > 0) {
    const rewritten = findings.filter((f) => rewrite.has(f.recordId));
    await repo.replaceFindings(ctx.acquisition.id, [...rewrite], rewritten);
  }
  const written = new Map(planned.filter(isWrite).map((p) => [p.after.id, p.after]));
  const neighbours = [];
  for (const c of conclusions) {
    const record = written.get(c.id);
    if (record) {
      record.status = c.status;
      record.digest = c.digest;
      continue;
    }
    const stored = evaluated.stored.get(c.id);
    if (c.digest !== stored?.digest || c.status !== stored?.status) neighbours.push(c);
  }
  await repo.setValidation(neighbours);
  return findings;
}

/** Appends the history and the outbox events of the write, and moves the acquisition's totals. */
async function recordEffects(
  { trx, repo, ctx, origin, at }: WriteStep,
  planned: readonly PlannedChange[],
  now: Date,
) {
  await repo.appendHistory(planned.flatMap((p) => historyOf(p, origin, at)));
  // An import appends one event for all its records instead (`recordsImportedEvent`).
  if (!origin.skipRecordEvents)
    await appendEvents(
      trx,
      planned.map((p) => eventOf(ctx.acquisition.id, p, origin)),
      now,
    );
  await new AcquisitionRepository(trx).adjustTotals(
    ctx.acquisition.id,
    totalsDelta(ctx, planned),
    at,
  );
}

/** The caller's answer: the records written with their status, what was deleted or left unchanged. */
function resultOf(planned: readonly Planned[], findings: readonly Finding[]): WriteResult {
  const written = planned.filter(isWrite);
  const writtenIds = new Set(written.map((p) => p.after.id));
  const draft = new Set(findings.filter((f) => f.severity === 'blocking').map((f) => f.recordId));
  const idsOf = (kind: 'delete' | 'unchanged') =>
    planned.flatMap((p) => (p.kind === kind ? [p.before.id] : []));
  return {
    records: written.map((p: PlannedWrite): StoredRecord => ({
      ...p.after,
      status: draft.has(p.after.id) ? 'draft' : 'valid',
    })),
    deleted: idsOf('delete'),
    unchanged: idsOf('unchanged'),
    findings: findings.filter((f) => writtenIds.has(f.recordId)),
  };
}

/** Throws before anything is written when the write would take an entity past the plan's maximum. */
async function refuseAboveMaximum(
  { trx, ctx, repo }: WriteStep,
  planned: readonly PlannedChange[],
): Promise<void> {
  const added = new Map<string, number>();
  const removed = new Map<string, number>();
  for (const p of planned) {
    const tally = p.kind === 'create' ? added : p.kind === 'delete' ? removed : undefined;
    const entity = subjectOf(p).entity;
    if (tally) tally.set(entity, (tally.get(entity) ?? 0) + 1);
  }
  if (added.size === 0) return;
  await new AcquisitionRepository(trx).lock(ctx.acquisition.id);
  const current = await repo.countByEntity(ctx.acquisition.id, [...added.keys()]);
  const excesses = countExcesses(ctx, current, added, removed);
  if (excesses.length > 0)
    throw captureErrors.tooManyRecords(
      excesses.map((e) => ({ ...e, name: ctx.catalog.entities.get(e.entity)?.name ?? e.entity })),
    );
}
