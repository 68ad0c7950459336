import { maskedValue } from '../secrets/secret-fields.js';
import { OWNERS, type FieldSpec, type Owner } from '../catalog/model.js';
import {
  completeValues,
  groupOf,
  type AcquisitionContext,
} from '../capture/acquisition-context.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { layeredValues } from '../plan/conditions.js';
import { FieldState, fieldState } from '../plan/field-state.js';
import { recordName } from './record-names.js';

/** One question of the interview: a required field of a record that is missing or invalid. */
export interface Question {
  recordId: string;
  recordVersion: number;
  entity: string;
  entityName: string;
  site: string | null;
  siteName: string | null;
  /** How the question names its record: "Priya Raman (ext. 2001)", "Leeds HQ", "User 12". */
  recordName: string;
  field: string;
  label: string;
  question: string;
  help?: string;
  owner: Owner;
  type: FieldSpec['type'];
  format?: string;
  enum?: (string | number)[];
  reason: 'missing' | 'invalid';
  /** The invalid value as given, and why it is invalid. */
  currentValue?: unknown;
  problem?: string;
}

/** Filters of the interview. */
export interface InterviewQuery {
  owner?: Owner;
  site?: string;
  entity?: string;
}

/**
 * The interview script: every required field of every record that is missing or invalid, ordered
 * so that a conversation flows — by site (as the proposal lists them, records without a site last),
 * then entity (as the plan lists them), then owner, then record and field. Fields the customer will
 * follow up are left out; they are on the follow-up list.
 */
export function nextQuestions(
  ctx: AcquisitionContext,
  records: readonly StoredRecord[],
  invalid: ReadonlyMap<string, ReadonlyMap<string, string>>,
  followedUp: ReadonlySet<string>,
  query: InterviewQuery = {},
): Question[] {
  const siteOrder = new Map(ctx.acquisition.proposal.sites.map((s, i) => [s.id, i]));
  const siteNames = new Map(ctx.acquisition.proposal.sites.map((s) => [s.id, s.name]));
  const entityOrder = new Map<string, number>();
  for (const f of ctx.groups.values())
    if (!entityOrder.has(f.group.entity.id)) entityOrder.set(f.group.entity.id, entityOrder.size);
  const ownerOrder = new Map(OWNERS.map((o, i) => [o, i]));
  const ordinals = ordinalsAtSite(records);

  const questions: { question: Question; order: [number, number, number, string] }[] = [];
  for (const record of records) {
    if (query.entity && record.entity !== query.entity) continue;
    if (query.site && record.site !== query.site) continue;
    const entity = ctx.catalog.entities.get(record.entity);
    if (!entity) continue;
    const group = groupOf(ctx, record);
    const problems = invalid.get(record.id) ?? new Map<string, string>();
    const values = layeredValues(completeValues(entity, record.values, problems), {});
    entity.fields.forEach((field, fieldIndex) => {
      if (query.owner && field.owner !== query.owner) return;
      if (followedUp.has(`${record.id}\u0000${field.id}`)) return;
      const state = fieldState(field, values, group?.prefillPlain ?? {}, group?.group.items ?? []);
      if (state !== FieldState.Missing) return;
      const problem = problems.get(field.id);
      questions.push({
        question: {
          recordId: record.id,
          recordVersion: record.version,
          entity: entity.id,
          entityName: entity.name,
          site: record.site,
          siteName: record.site ? (siteNames.get(record.site) ?? null) : null,
          recordName: recordName(
            entity,
            record,
            record.site ? (siteNames.get(record.site) ?? null) : null,
            ordinals.get(record.id) ?? 1,
          ),
          field: field.id,
          label: field.label,
          question: field.question,
          ...(field.help ? { help: field.help } : {}),
          owner: field.owner,
          type: field.type,
          ...(field.format ? { format: field.format } : {}),
          ...(field.enum ? { enum: field.enum } : {}),
          reason: problem ? 'invalid' : 'missing',
          ...(problem
            ? {
                currentValue: maskedValue(field, record.values[field.id]),
                problem,
              }
            : {}),
        },
        order: [
          record.site === null
            ? Number.MAX_SAFE_INTEGER
            : (siteOrder.get(record.site) ?? Number.MAX_SAFE_INTEGER - 1),
          entityOrder.get(entity.id) ?? Number.MAX_SAFE_INTEGER,
          ownerOrder.get(field.owner) ?? 9,
          // Then record (slot numbers compare naturally) and field order.
          `${slotKey(record)}\u0000${String(fieldIndex).padStart(3, '0')}`,
        ],
      });
    });
  }
  questions.sort(
    (a, b) =>
      a.order[0] - b.order[0] ||
      a.order[1] - b.order[1] ||
      a.order[2] - b.order[2] ||
      a.order[3].localeCompare(b.order[3]),
  );
  return questions.map((q) => q.question);
}

/** A record's slot (or id) with its number padded, so that slot numbers compare naturally. */
function slotKey(record: Pick<StoredRecord, 'slot' | 'id'>): string {
  return (record.slot ?? record.id).replace(/\d+$/, (n) => n.padStart(8, '0'));
}

/** Each record's number among the records of its entity at its site (1, 2, …), in slot order. */
function ordinalsAtSite(records: readonly StoredRecord[]): Map<string, number> {
  const byPlace = new Map<string, StoredRecord[]>();
  for (const r of records) {
    const key = `${r.site ?? ''}\u0000${r.entity}`;
    const list = byPlace.get(key) ?? [];
    list.push(r);
    byPlace.set(key, list);
  }
  const ordinals = new Map<string, number>();
  for (const list of byPlace.values()) {
    const keyed = list.map((r) => ({ id: r.id, key: slotKey(r) }));
    keyed.sort((a, b) => a.key.localeCompare(b.key));
    keyed.forEach((r, i) => ordinals.set(r.id, i + 1));
  }
  return ordinals;
}
