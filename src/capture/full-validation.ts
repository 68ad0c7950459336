import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import type { Database } from '../db/schema.js';
import type { AcquisitionContext } from './acquisition-context.js';
import { recordCounts } from './acquisition-context.js';
import { CaptureRepository, type StoredKey, type StoredRecord } from './capture-repository.js';
import { validationOf } from './record-validation.js';
import { findingsOf, lookupsFrom, prepareRecord } from './evaluate-records.js';
import type { PreparedRecord } from './prepared-record.js';
import type { CapturedRecord, Finding } from './record.js';

/** Prepares every record of an acquisition in memory: problems, keys and counts. */
function prepareAll(ctx: AcquisitionContext, records: readonly StoredRecord[]): PreparedRecord[] {
  const sites = records.filter((r) => r.entity === 'site');
  return records.map((record) => prepareRecord(ctx, record, sites));
}

/** Findings of all records, with index lookups built in memory (and global keys of other acquisitions from the database). */
async function evaluateAll(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  prepared: readonly PreparedRecord[],
): Promise<{ findings: Finding[]; keys: (only?: ReadonlySet<string>) => StoredKey[] }> {
  const keys = (only?: ReadonlySet<string>): StoredKey[] =>
    prepared.flatMap((p) =>
      only && !only.has(p.record.id)
        ? []
        : p.keys.map((k) => ({ ...k, recordId: p.record.id, acquisitionId: ctx.acquisition.id })),
    );
  const global = prepared.flatMap((p) => p.keys.filter((k) => k.scope === 'global'));
  const foreign = global.length > 0 ? await repo.holdersOf(global, ctx.acquisition.id) : [];
  const byEntity = new Map<string, CapturedRecord[]>();
  for (const { record } of prepared) {
    const list = byEntity.get(record.entity) ?? [];
    list.push(record);
    byEntity.set(record.entity, list);
  }
  return {
    findings: findingsOf(ctx, prepared, lookupsFrom(ctx, foreign, byEntity, prepared)),
    keys,
  };
}

/** What a full re-validation reports: records, findings, records left draft, records repaired. */
export interface Revalidation {
  records: number;
  findings: number;
  blocking: number;
  repaired: number;
}

/**
 * Re-validates every record of an acquisition from scratch and rewrites its findings, keys,
 * statuses, counts and totals in one transaction. Incremental writes keep all of this current;
 * this is the repair path, and what runs after an import or a catalogue-wide change.
 */
export async function revalidateAcquisition(
  db: Kysely<Database>,
  ctx: AcquisitionContext,
  now: Date,
): Promise<Revalidation> {
  return db.transaction().execute(async (trx) => {
    const repo = new CaptureRepository(trx);
    const records = await repo.recordsForValidation(ctx.acquisition.id);
    const prepared = prepareAll(ctx, records);
    const { findings, keys } = await evaluateAll(ctx, repo, prepared);
    const conclusions = validationOf(prepared, findings);

    // Rewrite keys and findings only of the records whose conclusions changed.
    const changed = new Set<string>();
    let required = 0;
    let satisfied = 0;
    const updates: Parameters<CaptureRepository['setValidation']>[0][number][] = [];
    for (const [i, record] of records.entries()) {
      const entity = ctx.catalog.entities.get(record.entity)!;
      const counts = recordCounts(ctx, entity, record, prepared[i]!.problems);
      required += counts.required;
      satisfied += counts.satisfied;
      const conclusion = conclusions[i]!;
      const countsChanged =
        counts.required !== record.requiredCount || counts.satisfied !== record.satisfiedCount;
      if (conclusion.digest !== record.digest) changed.add(record.id);
      if (
        conclusion.digest !== record.digest ||
        conclusion.status !== record.status ||
        countsChanged
      ) {
        updates.push({
          ...conclusion,
          requiredCount: counts.required,
          satisfiedCount: counts.satisfied,
        });
      }
    }
    if (changed.size > 0) {
      await repo.replaceKeys(ctx.acquisition.id, [...changed], keys(changed));
      await repo.replaceFindings(
        ctx.acquisition.id,
        [...changed],
        findings.filter((f) => changed.has(f.recordId)),
      );
    }
    await repo.setValidation(updates);
    const plan = await emptySlotTotals(ctx, records);
    required += plan.required;
    satisfied += plan.satisfied;
    await new AcquisitionRepository(trx).setTotals(
      ctx.acquisition.id,
      { required, satisfied },
      now.toISOString(),
    );
    return {
      records: records.length,
      findings: findings.length,
      blocking: conclusions.filter((c) => c.status === 'draft').length,
      repaired: changed.size,
    };
  });
}

/** Required and satisfied fields of the expected records that have no record (deleted ones). */
async function emptySlotTotals(
  ctx: AcquisitionContext,
  records: readonly StoredRecord[],
): Promise<{ required: number; satisfied: number }> {
  const taken = new Set(records.map((r) => r.slot).filter(Boolean));
  let required = 0;
  let satisfied = 0;
  for (const f of ctx.groups.values()) {
    const entity = f.group.entity;
    let empty = 0;
    for (let i = 1; i <= f.group.count; i++) if (!taken.has(`${f.group.key}#${i}`)) empty++;
    if (empty === 0) continue;
    const counts = recordCounts(
      ctx,
      entity,
      {
        id: '',
        entity: entity.id,
        slot: `${f.group.key}#1`,
        site: f.group.site,
        values: f.prefillPlain,
      },
      new Map(),
    );
    required += counts.required * empty;
    satisfied += counts.satisfied * empty;
  }
  return Promise.resolve({ required, satisfied });
}

/**
 * Creates a record for every expected slot of a new acquisition, carrying what the proposal
 * pre-fills (source `proposal`), then validates them all. Runs inside the opening transaction.
 */
export async function materializeRecords(
  db: Kysely<Database>,
  ctx: AcquisitionContext,
  actor: string,
  now: Date,
): Promise<StoredRecord[]> {
  const at = now.toISOString();
  const repo = new CaptureRepository(db);
  const records: StoredRecord[] = [];
  for (const f of ctx.groups.values()) {
    const provenance = Object.fromEntries(
      Object.entries(f.prefill).map(([field, p]) => [
        field,
        { source: 'proposal' as const, detail: p.source, actor, at },
      ]),
    );
    for (let i = 1; i <= f.group.count; i++) {
      records.push({
        id: randomUUID(),
        acquisitionId: ctx.acquisition.id,
        entity: f.group.entity.id,
        slot: `${f.group.key}#${i}`,
        site: f.group.site,
        values: { ...f.prefillPlain },
        provenance,
        status: 'valid',
        requiredCount: 0,
        satisfiedCount: 0,
        version: 1,
        digest: '',
        createdAt: at,
        updatedAt: at,
      });
    }
  }
  // Pre-filled values are stored in their normalised form (a national number becomes E.164).
  const prepared = prepareAll(ctx, records);
  prepared.forEach((p, i) => (records[i]!.values = p.record.values));
  for (const [i, record] of records.entries()) {
    const entity = ctx.catalog.entities.get(record.entity)!;
    const counts = recordCounts(ctx, entity, record, prepared[i]!.problems);
    record.requiredCount = counts.required;
    record.satisfiedCount = counts.satisfied;
  }
  const { findings, keys } = await evaluateAll(ctx, repo, prepared);
  validationOf(prepared, findings).forEach((c, i) => {
    records[i]!.status = c.status;
    records[i]!.digest = c.digest;
  });
  await repo.insertRecords(records);
  await repo.replaceKeys(ctx.acquisition.id, [], keys());
  await repo.insertFindings(ctx.acquisition.id, findings);
  return records;
}
