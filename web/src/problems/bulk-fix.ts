/**
 * Bulk fixes for a problem group, worked out before anything is written: what each record's value
 * becomes, so the page can say how many change and send them in one all-or-nothing bulk write.
 */
import { distance } from 'fastest-levenshtein';

/** One record's change in a bulk fix. */
export interface BulkChange {
  id: string;
  version: number;
  from: unknown;
  to: unknown;
}

interface RecordValues {
  id: string;
  version: number;
  values: Record<string, unknown>;
}

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The option a mistyped value most likely meant: the same letters and digits ignoring case and
 * punctuation ("en_gb" → "en-GB"), an option the value starts with or is the start of ("Standard
 * user" → "standard"), or one at most two edits away ("Yealink T45W" → "Yealink T54W"). Undefined
 * when none is clear: two options equally near, or nothing near.
 */
export function suggestOption(value: unknown, options: readonly string[]): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = squash(value);
  if (!text) return undefined;
  const exact = options.filter((o) => squash(o) === text);
  if (exact.length === 1) return exact[0];
  const prefix = options.filter((o) => {
    const option = squash(o);
    return option.length >= 3 && (text.startsWith(option) || option.startsWith(text));
  });
  if (prefix.length === 1) return prefix[0];
  const scored = options
    .map((o) => ({ o, d: distance(text, squash(o)) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d);
  if (scored.length === 0 || (scored.length > 1 && scored[0]!.d === scored[1]!.d)) return undefined;
  return scored[0]!.o;
}

/** Each record's suggested option for the field, for the records that have one. */
export function suggestedChanges(
  records: readonly RecordValues[],
  field: string,
  options: readonly string[],
): BulkChange[] {
  return records.flatMap((r) => {
    const from = r.values[field];
    const to = suggestOption(from, options);
    return to === undefined || to === from ? [] : [{ id: r.id, version: r.version, from, to }];
  });
}

/** The same value for every record; records that already hold it are left alone. */
export function setForAll(
  records: readonly RecordValues[],
  field: string,
  to: unknown,
): BulkChange[] {
  return records
    .filter((r) => r.values[field] !== to)
    .map((r) => ({ id: r.id, version: r.version, from: r.values[field], to }));
}

/**
 * Find and replace in one field, case-insensitive, every occurrence: "@fenwick.co.uk" →
 * "@fenwick.example". Only text values change; a replacement that leaves the value as it was is
 * no change.
 */
export function findAndReplace(
  records: readonly RecordValues[],
  field: string,
  find: string,
  replace: string,
): BulkChange[] {
  if (!find) return [];
  const pattern = new RegExp(find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return records.flatMap((r) => {
    const from = r.values[field];
    if (typeof from !== 'string') return [];
    const to = from.replace(pattern, replace);
    return to === from ? [] : [{ id: r.id, version: r.version, from, to }];
  });
}

/** Down the records in order, each empty value takes the last value above it. */
export function fillDown(records: readonly RecordValues[], field: string): BulkChange[] {
  let last: unknown;
  const changes: BulkChange[] = [];
  for (const r of records) {
    const value = r.values[field];
    const empty = value === null || value === undefined || value === '';
    if (!empty) last = value;
    else if (last !== undefined)
      changes.push({ id: r.id, version: r.version, from: value, to: last });
  }
  return changes;
}

/** The body of `POST …/records/bulk` for these changes, each held to the version it was worked out on. */
export function bulkBody(changes: readonly BulkChange[], field: string) {
  return {
    records: changes.map((c) => ({ id: c.id, version: c.version, values: { [field]: c.to } })),
  };
}
