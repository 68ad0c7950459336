import type { EntitySpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { siteCountry } from '../capture/evaluate-records.js';
import { normalizeField } from '../capture/normalize-field.js';
import { proposalSiteOf } from '../capture/plan-writes.js';
import { keyText } from '../capture/record-keys.js';
import { countryOf } from '../capture/record-values.js';
import type { CapturedRecord } from '../capture/record.js';

const SLOT_ORDER = new Intl.Collator('en', { numeric: true });
/** The collator's letters alone: equal when slots differ only by case or accents. */
const SAME_LETTERS = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The records in slot order (numbers in slots compared as numbers, records without a slot last).
 * A plan's slots are `<group>#<n>` over a few groups: the groups are ordered once with the
 * collator and the records by group rank and number, so a sort of 100,000 records compares
 * integers; any other slot form falls back to the collator for every comparison.
 */
export function inSlotOrder<T extends { slot: string | null }>(records: readonly T[]): T[] {
  const parts = records.map((r) => (r.slot === null ? null : /^(.*)#(\d+)$/.exec(r.slot)));
  if (parts.some((p, i) => p === null && records[i]!.slot !== null))
    return [...records].sort((a, b) => SLOT_ORDER.compare(a.slot ?? '\uffff', b.slot ?? '\uffff'));
  const groups = [...new Set(parts.flatMap((p) => (p ? [p[1]!] : [])))].sort((a, b) =>
    SLOT_ORDER.compare(`${a}#`, `${b}#`),
  );
  // Groups the collator tells apart only by case or accents (`k`, `K`) interleave by number in
  // its order: there, every comparison is the collator's.
  if (groups.some((g, i) => i > 0 && SAME_LETTERS.compare(groups[i - 1]!, g) === 0))
    return [...records].sort((a, b) => SLOT_ORDER.compare(a.slot ?? '\uffff', b.slot ?? '\uffff'));
  const rank = new Map(groups.map((g, i) => [g, i]));
  const keyed = records.map((record, i) => {
    const p = parts[i];
    return { record, group: p ? rank.get(p[1]!)! : groups.length, n: p ? Number(p[2]) : 0 };
  });
  keyed.sort((a, b) => a.group - b.group || a.n - b.n);
  return keyed.map((k) => k.record);
}

/**
 * What the matcher needs of a record that existed before the import: its place, its natural
 * key's values, and whether anyone but the proposal filled it in. Kept for every record of the
 * entity for the whole import (a million at the most), so no more than that.
 */
export interface MatchCandidate {
  id: string;
  slot: string | null;
  site: string | null;
  /** The values of the entity's natural key fields. */
  values: Record<string, unknown>;
  filled: boolean;
}

/** A stored record as a match candidate. */
export function matchCandidate(entity: EntitySpec, record: StoredRecord): MatchCandidate {
  const values: Record<string, unknown> = {};
  for (const field of entity.naturalKey ?? [])
    if (record.values[field] !== undefined) values[field] = record.values[field];
  return {
    id: record.id,
    slot: record.slot,
    site: record.site,
    values,
    filled: Object.values(record.provenance).some((p) => p.source !== 'proposal'),
  };
}

/** Where a row's values go: an existing record, or a new one. */
export type RowTarget =
  | { kind: 'update'; id: string }
  /** A new record, at the proposal site the row names (null for none). */
  | { kind: 'create'; site: string | null }
  | { kind: 'problem'; message: string };

/**
 * Decides which record each imported row updates, from the records that existed before the import:
 * 1. the record named in the row's Intake ID column;
 * 2. when merging, the record with the same natural key (the MAC of a handset, a user's email);
 * 3. a record the plan placed that nobody has filled in yet, at the row's site (never another site's);
 * 4. otherwise a new record.
 * Each record takes one row; a second row for the same record is reported, not merged.
 */
export class RecordMatcher {
  /** Ids only: the records themselves need not stay in memory for the whole import. */
  private readonly known = new Set<string>();
  /** Records by natural key; several when a key is duplicated (each row takes the next). */
  private readonly byKey = new Map<string, string[]>();
  /** Unfilled plan records by proposal site ('' for none), in slot order, with the next to hand out. */
  private readonly unfilled = new Map<string, { ids: string[]; next: number }>();
  private readonly claimedBy = new Map<string, number>();

  constructor(
    private readonly ctx: AcquisitionContext,
    private readonly entity: EntitySpec,
    records: readonly MatchCandidate[],
    private readonly siteRecords: readonly CapturedRecord[],
    private readonly merge: boolean,
  ) {
    for (const record of inSlotOrder(records)) {
      this.known.add(record.id);
      const key = this.naturalKey(record.values, record.site, false);
      if (key !== undefined) {
        const list = this.byKey.get(key);
        if (list) list.push(record.id);
        else this.byKey.set(key, [record.id]);
      }
      if (record.slot && !record.filled) {
        const list = this.unfilled.get(record.site ?? '');
        if (list) list.ids.push(record.id);
        else this.unfilled.set(record.site ?? '', { ids: [record.id], next: 0 });
      }
    }
  }

  /** The record a row goes to. `recordId` is the row's Intake ID cell, if any. */
  target(rowNumber: number, values: Record<string, unknown>, recordId: string): RowTarget {
    const site = this.siteOf(values);
    let id: string | undefined;
    if (recordId !== '') {
      if (!this.known.has(recordId))
        return {
          kind: 'problem',
          message: `Intake ID "${recordId}" is not a ${this.entity.name.toLowerCase()} of this acquisition; clear the cell to add the row as a new record`,
        };
      id = recordId;
    } else if (this.merge) {
      const key = this.naturalKey(values, site, true);
      const candidates = key === undefined ? undefined : this.byKey.get(key);
      id = candidates?.find((c) => !this.claimedBy.has(c));
    }
    if (id === undefined) id = this.nextUnfilled(site);
    if (id === undefined) return { kind: 'create', site };
    const earlier = this.claimedBy.get(id);
    if (earlier !== undefined)
      return {
        kind: 'problem',
        message: `row ${earlier} already updates the same ${this.entity.name.toLowerCase()}; keep one of the two rows`,
      };
    this.claimedBy.set(id, rowNumber);
    return { kind: 'update', id };
  }

  /**
   * The next unfilled plan record for a row: at the row's site, or one the customer places (no
   * site). Never another site's: the quote gave each site its own seats. A row that names no site
   * (or a site not in the order) takes any.
   */
  private nextUnfilled(site: string | null): string | undefined {
    const keys = site === null ? ['', ...this.unfilled.keys()] : [site, ''];
    for (const key of keys) {
      // A cursor, not `shift()`: shifting a list of 100,000 records costs a copy each time.
      const list = this.unfilled.get(key);
      while (list && list.next < list.ids.length) {
        const id = list.ids[list.next++]!;
        if (!this.claimedBy.has(id)) return id;
      }
    }
    return undefined;
  }

  /** The proposal site a row names through the entity's site field. */
  private siteOf(values: Record<string, unknown>): string | null {
    const field = this.entity.siteField;
    const value = field ? values[field] : undefined;
    if (typeof value !== 'string' || value.trim() === '') return null;
    return proposalSiteOf(this.ctx, this.siteRecords, value) ?? null;
  }

  /** The natural key as the index compares it, with each part normalised as the engine would store it. */
  private naturalKey(
    values: Record<string, unknown>,
    site: string | null,
    raw: boolean,
  ): string | undefined {
    const fields = this.entity.naturalKey;
    if (!fields || fields.length === 0) return undefined;
    const country = raw
      ? countryOf(this.entity, values, site, {
          siteCountry: (s) => siteCountry(this.ctx, this.siteRecords, s),
          fallback: this.ctx.fallbackCountry,
        })
      : undefined;
    const parts: string[] = [];
    for (const id of fields) {
      const spec = this.entity.fields.find((f) => f.id === id);
      let value = values[id];
      // A value that does not normalise is compared as given: a draft keeps it that way.
      if (spec && raw) {
        const normalized = normalizeField(spec, value, { country });
        if (!normalized.problem) value = normalized.value;
      }
      if (value === undefined || value === null || value === '') return undefined;
      parts.push(keyText(value));
    }
    return parts.join('\u001f');
  }
}
