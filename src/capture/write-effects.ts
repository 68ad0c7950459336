import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import { groupOf, recordCounts, type AcquisitionContext } from './acquisition-context.js';
import { adjustAcquisitionTotals, type Origin } from './capture-engine.js';
import type { HistoryEntry } from './capture-repository.js';
import type { Planned } from './plan-writes.js';
import { sameValue } from './record-values.js';

/** The fields an operation changed, in name order. */
function changedFields(p: Planned): string[] {
  if (!p.after) return [];
  const names = new Set([...Object.keys(p.before?.values ?? {}), ...Object.keys(p.after.values)]);
  return [...names].filter((f) => !sameValue(p.before?.values[f], p.after!.values[f])).sort();
}

/** The history rows of one operation: one per changed field. */
export function historyOf(p: Planned, origin: Origin, at: string): HistoryEntry[] {
  const detail = origin.detailOf?.(p.index) ?? origin.detail;
  const record = p.after ?? p.before!;
  // One literal shape for every entry: spreading a shared base here is slow on large imports.
  const entry = (
    recordVersion: number,
    seq: number,
    field: string,
    oldValue: unknown,
    newValue: unknown,
  ): HistoryEntry => ({
    acquisitionId: record.acquisitionId,
    recordId: record.id,
    recordVersion,
    seq,
    entity: record.entity,
    field,
    oldValue,
    newValue,
    source: origin.source,
    sourceDetail: detail,
    actor: origin.actor,
    note: origin.note,
    at,
  });
  if (p.op.op === 'delete') return [entry(p.before!.version + 1, 0, '', p.before!.values, null)];
  const a = p.after!;
  const fields = changedFields(p);
  if (fields.length === 0 && !p.before) return [entry(a.version, 0, '', null, {})];
  return fields.map((field, seq) =>
    entry(a.version, seq, field, p.before?.values[field] ?? null, a.values[field] ?? null),
  );
}

export function eventOf(acquisitionId: string, p: Planned, origin: Origin): OutboxEvent {
  const record = p.after ?? p.before!;
  const type =
    p.op.op === 'create'
      ? 'recordCreateEvent'
      : p.op.op === 'delete'
        ? 'recordDeleteEvent'
        : 'recordAttributeValueChangeEvent';
  const fields = changedFields(p);
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
export async function adjustTotals(
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
