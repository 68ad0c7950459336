import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import type { Database } from '../db/schema.js';
import type { AcquisitionContext } from './acquisition-context.js';
import { recordCounts } from './acquisition-context.js';
import {
  CaptureRepository,
  type StoredKey,
  type StoredRecord,
  type ValidationRow,
} from './capture-repository.js';
import { runValidationPass, type PassOutcome } from './validation-pass.js';

/** What a full re-validation reports: records, findings, records left draft, records repaired. */
export interface Revalidation {
  records: number;
  findings: number;
  blocking: number;
  repaired: number;
}

/** How a full validation runs: on how many worker threads (0: this one; default: by size). */
export interface ValidationOptions {
  workers?: number;
}

/** The keys of the records `ordinals` name, as stored. */
function keysOf(
  outcome: PassOutcome,
  ordinals: Iterable<number>,
  idOf: (ordinal: number) => string,
  acquisitionId: string,
): StoredKey[] {
  const keys: StoredKey[] = [];
  for (const ordinal of ordinals) {
    const recordId = idOf(ordinal);
    outcome.keysOf(ordinal, (kind, scope, value) =>
      keys.push({ kind, value, scope, recordId, acquisitionId }),
    );
  }
  return keys;
}

/**
 * Re-validates every record of an acquisition from scratch and rewrites its findings, keys,
 * statuses, counts and totals in one transaction. Incremental writes keep all of this current;
 * this is the repair path, and what runs after an import or a catalogue-wide change. Only the
 * records whose conclusions changed are written.
 */
export async function revalidateAcquisition(
  db: Kysely<Database>,
  ctx: AcquisitionContext,
  now: Date,
  options: ValidationOptions = {},
): Promise<Revalidation> {
  const acquisitionId = ctx.acquisition.id;
  return db.transaction().execute(async (trx) => {
    const repo = new CaptureRepository(trx);
    const rows = await repo.validationRows(acquisitionId);
    const outcome = await runValidationPass(ctx, {
      rows,
      opening: false,
      workers: options.workers,
      foreignHolders: (kind, scope, values) =>
        repo.holdersOfValues(kind, scope, values, acquisitionId),
    });
    const idOf = (ordinal: number) => rows[ordinal]!.id;
    const changed = outcome.changed.map(idOf);
    if (changed.length > 0) {
      await repo.replaceKeys(
        acquisitionId,
        changed,
        keysOf(outcome, outcome.changed, idOf, acquisitionId),
      );
      await repo.replaceFindings(acquisitionId, changed, outcome.findings);
    }
    await repo.setValidation(
      outcome.updates.map(({ ordinal, ...u }) => ({ id: idOf(ordinal), ...u })),
    );
    const empty = emptySlotTotals(ctx, rows);
    await new AcquisitionRepository(trx).setTotals(
      acquisitionId,
      {
        required: outcome.required + empty.required,
        satisfied: outcome.satisfied + empty.satisfied,
      },
      now.toISOString(),
    );
    return {
      records: rows.length,
      findings: outcome.findingCount,
      blocking: outcome.blocking,
      repaired: changed.length,
    };
  });
}

/** How many of each slot group's slots (`<group key>#<n>`, n from 1 to its count) have a record. */
function slotsTaken(
  ctx: AcquisitionContext,
  rows: readonly Pick<ValidationRow, 'slot'>[],
): Map<string, number> {
  const taken = new Map<string, number>();
  for (const { slot } of rows) {
    if (!slot) continue;
    const at = slot.lastIndexOf('#');
    const key = slot.slice(0, at);
    const count = ctx.groups.get(key)?.group.count ?? 0;
    const n = slot.slice(at + 1);
    // A slot is taken once at most (the index on slots is unique per acquisition).
    if (Number(n) >= 1 && Number(n) <= count && String(Number(n)) === n)
      taken.set(key, (taken.get(key) ?? 0) + 1);
  }
  return taken;
}

/** Required and satisfied fields of the expected records that have no record (deleted ones). */
function emptySlotTotals(
  ctx: AcquisitionContext,
  rows: readonly Pick<ValidationRow, 'slot'>[],
): { required: number; satisfied: number } {
  const taken = slotsTaken(ctx, rows);
  let required = 0;
  let satisfied = 0;
  for (const f of ctx.groups.values()) {
    const entity = f.group.entity;
    const empty = f.group.count - (taken.get(f.group.key) ?? 0);
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
  return { required, satisfied };
}

/**
 * The records of a new acquisition, one per expected slot with what the proposal pre-fills (source
 * `proposal`), not yet validated; with the rows the validation reads (a group's share its text).
 */
export function plannedRecords(
  ctx: AcquisitionContext,
  actor: string,
  at: string,
): { records: StoredRecord[]; rows: ValidationRow[] } {
  const records: StoredRecord[] = [];
  const rows: ValidationRow[] = [];
  for (const f of ctx.groups.values()) {
    const provenance = Object.fromEntries(
      Object.entries(f.prefill).map(([field, p]) => [
        field,
        { source: 'proposal' as const, detail: p.source, actor, at },
      ]),
    );
    const text = JSON.stringify(f.prefillPlain);
    for (let i = 1; i <= f.group.count; i++) {
      const record: StoredRecord = {
        id: randomUUID(),
        acquisitionId: ctx.acquisition.id,
        entity: f.group.entity.id,
        slot: `${f.group.key}#${i}`,
        site: f.group.site,
        // Shared by the group's records until normalisation gives one its own (nothing mutates it).
        values: f.prefillPlain,
        provenance,
        status: 'valid',
        requiredCount: 0,
        satisfiedCount: 0,
        version: 1,
        digest: '',
        createdAt: at,
        updatedAt: at,
      };
      records.push(record);
      const { id, entity, slot, site } = record;
      rows.push({
        id,
        entity,
        slot,
        site,
        values: text,
        status: 'valid',
        required_count: 0,
        satisfied_count: 0,
        digest: '',
      });
    }
  }
  return { records, rows };
}

/**
 * Creates a record for every expected slot of a new acquisition (`plannedRecords`), then
 * validates them all with the same pass as a re-validation. Runs inside the opening transaction.
 */
export async function materializeRecords(
  db: Kysely<Database>,
  ctx: AcquisitionContext,
  actor: string,
  now: Date,
  options: ValidationOptions = {},
): Promise<StoredRecord[]> {
  const repo = new CaptureRepository(db);
  const { records, rows } = plannedRecords(ctx, actor, now.toISOString());
  const outcome = await runValidationPass(ctx, {
    rows,
    opening: true,
    workers: options.workers,
    foreignHolders: (kind, scope, values) =>
      repo.holdersOfValues(kind, scope, values, ctx.acquisition.id),
  });
  // Pre-filled values are stored in their normalised form (a national number becomes E.164).
  for (const [ordinal, values] of outcome.values) records[ordinal]!.values = values;
  for (const u of outcome.updates) {
    const record = records[u.ordinal]!;
    record.status = u.status;
    record.digest = u.digest;
    record.requiredCount = u.requiredCount;
    record.satisfiedCount = u.satisfiedCount;
  }
  await repo.insertRecords(records);
  await repo.replaceKeys(
    ctx.acquisition.id,
    [],
    keysOf(outcome, records.keys(), (o) => records[o]!.id, ctx.acquisition.id),
  );
  await repo.insertFindings(ctx.acquisition.id, outcome.findings);
  return records;
}
