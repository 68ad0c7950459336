import { openValues } from '../secrets/sealing.js';
import { recordCounts, type AcquisitionContext } from './acquisition-context.js';
import type { ValidationRow } from './capture-repository.js';
import { crossRecordFindings, fieldFindings, type RecordLookups } from './cross-record.js';
import { digestOf } from './digest.js';
import { normalisedRecord, recordLookupsOf } from './evaluate-records.js';
import type { KeyAnswers } from './key-index.js';
import { firstKey, KeyTableBuilder, keyTextsOf, type KeyTable } from './key-table.js';
import type { FieldProblem } from './normalize-field.js';
import { eachRecordKey, targetKindsOf } from './record-keys.js';
import type { CapturedRecord, Finding } from './record.js';

/**
 * One share of a full validation's records, as a worker thread (or this thread) prepares and then
 * evaluates it. Preparing reads the stored values, normalises them where they are not in their
 * normal form and tells their index keys; evaluating applies the field and cross-record rules
 * with what the index of the whole acquisition answered about those keys, and compares the
 * conclusions with what is stored.
 */
export interface PreparedShare {
  rows: readonly ValidationRow[];
  /** The stored records, values opened. */
  stored: CapturedRecord[];
  /** The same, values normalised (the stored record itself where nothing changed). */
  records: CapturedRecord[];
  problems: ReadonlyMap<string, FieldProblem>[];
  keys: KeyTable;
}

/** What preparing a share hands back: its keys, and its records other records' rules read. */
export interface SharePreparation {
  keys: KeyTable;
  /** Normalised records of the entities rules read as a whole: sites, number blocks, ports. */
  inputs: CapturedRecord[];
}

/** What evaluating a share concludes; indexes are into the share's rows. */
export interface ShareVerdict {
  /** Records whose digest changed: their keys and findings are rewritten. */
  changed: number[];
  /** Records whose status, digest or counts changed, with what they are now (in columns). */
  updates: {
    index: number[];
    status: ('valid' | 'draft')[];
    digest: string[];
    required: number[];
    satisfied: number[];
  };
  /** The findings of the changed records. */
  findings: Finding[];
  /** At opening: the records whose values normalisation changed, with their values. */
  values: { index: number; values: Record<string, unknown> }[];
  required: number;
  satisfied: number;
  findingCount: number;
  blocking: number;
}

/** The entities whose records every record's rules may read: sites, number blocks, ports. */
export function inputEntitiesOf(ctx: AcquisitionContext): Set<string> {
  const inputs = new Set(['site']);
  for (const entity of ctx.catalog.entities.values())
    for (const rule of entity.rules ?? []) {
      if (rule.kind !== 'numberInBlock') continue;
      inputs.add(rule.block.entity);
      if (rule.ports) inputs.add(rule.ports.entity);
    }
  return inputs;
}

/** A stored row as a record, its values opened. */
export function storedRecordOf(row: ValidationRow): CapturedRecord {
  const values = openValues(row.entity, JSON.parse(row.values) as Record<string, unknown>);
  return { id: row.id, entity: row.entity, slot: row.slot, site: row.site, values };
}

/**
 * Prepares a share: each row's values opened and normalised, its problems and its keys.
 * `sites` are the acquisition's site records as stored, in id order (their countries).
 */
export function prepareShare(
  ctx: AcquisitionContext,
  rows: readonly ValidationRow[],
  sites: readonly CapturedRecord[],
): { share: PreparedShare; preparation: SharePreparation } {
  const builder = new KeyTableBuilder();
  const inputEntities = inputEntitiesOf(ctx);
  const stored: CapturedRecord[] = [];
  const records: CapturedRecord[] = [];
  const problems: ReadonlyMap<string, FieldProblem>[] = [];
  const inputs: CapturedRecord[] = [];
  for (const row of rows) {
    const record = storedRecordOf(row);
    const prepared = normalisedRecord(ctx, record, sites);
    const entity = ctx.catalog.entities.get(row.entity)!;
    eachRecordKey(
      entity,
      prepared.record,
      prepared.problems,
      ctx.acquisition.id,
      ctx.referenced.has(entity.id),
      builder.add,
    );
    builder.endRecord();
    stored.push(record);
    records.push(prepared.record);
    problems.push(prepared.problems);
    if (inputEntities.has(row.entity)) inputs.push(prepared.record);
  }
  const keys = builder.build();
  return { share: { rows, stored, records, problems, keys }, preparation: { keys, inputs } };
}

const NONE: readonly string[] = [];

/**
 * The lookups of a share's evaluation, answered from what the index said of its keys. The rules
 * ask only about the keys of the record they evaluate (`at` names it), so each question is one
 * of the record's keys; one that is not is a fault, and says so.
 */
function answeredLookups(
  ctx: AcquisitionContext,
  keys: KeyTable,
  answers: KeyAnswers,
  inputs: ReadonlyMap<string, readonly CapturedRecord[]>,
): RecordLookups & { at: (r: number) => void } {
  let start = 0;
  let end = 0;
  const keyOf = (kind: string, scope: string, value: string): number => {
    for (let j = start; j < end; j++) {
      const slot = keys.slots[keys.keySlot[j]!]!;
      if (slot[0] === kind && slot[1] === scope && keys.values[keys.keyValue[j]!] === value)
        return j;
    }
    throw new Error(`The record evaluated holds no key ${kind} ${scope} ${value}.`);
  };
  const foreign = new Set(answers.foreign);
  return {
    ...recordLookupsOf(ctx, inputs),
    at: (r) => {
      start = firstKey(keys, r);
      end = keys.ends[r]!;
    },
    holders: (kind, scope, value) => {
      const answer = answers.answers[keyOf(kind, scope, value)]!;
      return answer < 0 ? NONE : answers.lists[answer]!;
    },
    resolves: (target, value) =>
      answers.answers[keyOf(targetKindsOf(target).reference, ctx.acquisition.id, value)] === 1,
    isForeign: (id) => foreign.has(id),
  };
}

/**
 * Evaluates a prepared share with the index's answers about its keys and the acquisition's
 * `inputs` (normalised sites, blocks and ports, in id order), and compares each record's
 * conclusions with those stored. At `opening`, the records are new: counts are of their
 * normalised values, which come back where normalisation changed them.
 */
export function evaluateShare(
  ctx: AcquisitionContext,
  share: PreparedShare,
  answers: KeyAnswers,
  inputs: readonly CapturedRecord[],
  opening: boolean,
): ShareVerdict {
  const byEntity = new Map<string, CapturedRecord[]>();
  for (const record of inputs) {
    const list = byEntity.get(record.entity);
    if (list) list.push(record);
    else byEntity.set(record.entity, [record]);
  }
  const lookups = answeredLookups(ctx, share.keys, answers, byEntity);
  const verdict: ShareVerdict = {
    changed: [],
    updates: { index: [], status: [], digest: [], required: [], satisfied: [] },
    findings: [],
    values: [],
    required: 0,
    satisfied: 0,
    findingCount: 0,
    blocking: 0,
  };
  for (const [r, record] of share.records.entries()) {
    const entity = ctx.catalog.entities.get(record.entity)!;
    const problems = share.problems[r]!;
    lookups.at(r);
    const findings = [
      ...fieldFindings(entity, record, problems),
      ...crossRecordFindings(entity, record, problems, lookups),
    ];
    const status = findings.some((f) => f.severity === 'blocking') ? 'draft' : 'valid';
    const digest = digestOf(keyTextsOf(share.keys, r), findings);
    const counted = opening ? record : share.stored[r]!;
    const counts = recordCounts(ctx, entity, counted, problems);
    const row = share.rows[r]!;
    verdict.required += counts.required;
    verdict.satisfied += counts.satisfied;
    verdict.findingCount += findings.length;
    if (status === 'draft') verdict.blocking++;
    if (digest !== row.digest) {
      verdict.changed.push(r);
      for (const f of findings) verdict.findings.push(f);
    }
    if (
      digest !== row.digest ||
      status !== row.status ||
      counts.required !== Number(row.required_count) ||
      counts.satisfied !== Number(row.satisfied_count)
    ) {
      const { updates } = verdict;
      updates.index.push(r);
      updates.status.push(status);
      updates.digest.push(digest);
      updates.required.push(counts.required);
      updates.satisfied.push(counts.satisfied);
    }
    if (opening && record !== share.stored[r])
      verdict.values.push({ index: r, values: record.values });
  }
  return verdict;
}
