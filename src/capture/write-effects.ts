import type { FieldTotals } from '../acquisitions/acquisition-repository.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import { groupOf, recordCounts, type AcquisitionContext } from './acquisition-context.js';
import type { HistoryEntry, StoredRecord } from './capture-repository.js';
import { sameValue } from './record-values.js';
import { subjectOf, type Origin, type PlannedChange } from './write-types.js';

/** The fields an operation changed, in name order. */
function changedFields(p: PlannedChange): string[] {
  if (p.kind === 'delete') return [];
  const before = p.kind === 'update' ? p.before.values : {};
  const names = new Set([...Object.keys(before), ...Object.keys(p.after.values)]);
  return [...names].filter((f) => !sameValue(before[f], p.after.values[f])).sort();
}

/** The history rows of one operation: one per changed field. */
export function historyOf(p: PlannedChange, origin: Origin, at: string): HistoryEntry[] {
  const detail = origin.detailOf?.(p.index) ?? origin.detail;
  const record = subjectOf(p);
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
  if (p.kind === 'delete') return [entry(p.before.version + 1, 0, '', p.before.values, null)];
  const fields = changedFields(p);
  if (fields.length === 0 && p.kind === 'create') return [entry(p.after.version, 0, '', null, {})];
  const before: Record<string, unknown> = p.kind === 'update' ? p.before.values : {};
  return fields.map((field, seq) =>
    entry(p.after.version, seq, field, before[field] ?? null, p.after.values[field] ?? null),
  );
}

const EVENT_TYPES = {
  create: 'recordCreateEvent',
  update: 'recordAttributeValueChangeEvent',
  delete: 'recordDeleteEvent',
} as const;

/** The outbox event of one operation, numbered by the record's version. */
export function eventOf(acquisitionId: string, p: PlannedChange, origin: Origin): OutboxEvent {
  const record = subjectOf(p);
  const version = p.kind === 'delete' ? null : p.after.version;
  return {
    aggregateType: 'record',
    aggregateId: record.id,
    sequence: version ?? record.version + 1,
    eventType: EVENT_TYPES[p.kind],
    payload: {
      acquisitionId,
      recordId: record.id,
      entity: record.entity,
      version,
      fields: changedFields(p),
      source: origin.source,
    },
  };
}

/** What a write changed in the acquisition's field counts (a deleted expected record is owed again). */
export function totalsDelta(
  ctx: AcquisitionContext,
  planned: readonly PlannedChange[],
): FieldTotals {
  const delta = { required: 0, satisfied: 0 };
  for (const p of planned) {
    if (p.kind !== 'create') {
      delta.required -= p.before.requiredCount;
      delta.satisfied -= p.before.satisfiedCount;
    }
    const added = p.kind === 'delete' ? emptySlotCounts(ctx, p.before) : p.after;
    delta.required += added.requiredCount;
    delta.satisfied += added.satisfiedCount;
  }
  return delta;
}

/** The counts of the expected record a deleted one leaves owed: none when it was above the plan. */
function emptySlotCounts(
  ctx: AcquisitionContext,
  deleted: StoredRecord,
): { requiredCount: number; satisfiedCount: number } {
  const none = { requiredCount: 0, satisfiedCount: 0 };
  if (!deleted.slot) return none;
  const group = groupOf(ctx, deleted);
  const index = Number(deleted.slot.slice(deleted.slot.lastIndexOf('#') + 1));
  const entity = ctx.catalog.entities.get(deleted.entity);
  if (!group || !entity || index > group.group.count) return none;
  const empty = recordCounts(ctx, entity, { ...deleted, values: group.prefillPlain }, new Map());
  return { requiredCount: empty.required, satisfiedCount: empty.satisfied };
}
