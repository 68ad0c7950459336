import type { EntitySpec, FieldSpec } from '../catalog/model.js';

/** The longest text a field without a catalogue `maxLength` may hold (numbers, dates, formats too). */
export const DEFAULT_TEXT_LIMIT = 1000;
/** The most items an array field without a catalogue `maxItems` may list. */
export const DEFAULT_ITEM_LIMIT = 10_000;

/** Why a value cannot be stored: longer (or with more items) than its field allows. */
export interface OversizeValue {
  /** `characters` of the value or one item, or `items` of an array. */
  unit: 'characters' | 'items';
  length: number;
  limit: number;
  /** 1-based item number, when one item of an array is too long. */
  item?: number;
}

/** The most characters a value of the field (or one item of an array field) may have. */
export function textLimitOf(field: FieldSpec): number {
  const spec = field.type === 'array' ? field.items : field;
  return spec?.type === 'string' && spec.maxLength !== undefined
    ? spec.maxLength
    : DEFAULT_TEXT_LIMIT;
}

/** Length of a value as normalisation reads text: trimmed, runs of white space as one. */
function textLength(value: unknown, limit: number): number {
  if (typeof value === 'string') {
    // Cheap first: most values are well inside the limit.
    if (value.length <= limit) return value.length;
    return value.trim().replace(/\s+/g, ' ').length;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  return JSON.stringify(value)?.length ?? 0;
}

/**
 * Whether a raw value is too large to be stored in the field: text longer than the catalogue's
 * `maxLength` (or `DEFAULT_TEXT_LIMIT`), an array with more items than `maxItems` (or
 * `DEFAULT_ITEM_LIMIT`). Such a value is refused rather than kept as a draft, so that an oversized
 * value never reaches a record or its history. Undefined when the value fits.
 *
 * @example
 * oversizeValue({ type: 'string', maxLength: 80, … }, 'x'.repeat(81)) // { unit: 'characters', length: 81, limit: 80 }
 */
export function oversizeValue(field: FieldSpec, raw: unknown): OversizeValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  const limit = textLimitOf(field);
  if (field.type !== 'array' || (!Array.isArray(raw) && typeof raw !== 'string')) {
    const length = textLength(raw, limit);
    return length > limit ? { unit: 'characters', length, limit } : undefined;
  }
  const items = Array.isArray(raw) ? (raw as unknown[]) : raw.split(/[,;\n]/);
  const itemLimit = field.maxItems ?? DEFAULT_ITEM_LIMIT;
  if (items.length > itemLimit) return { unit: 'items', length: items.length, limit: itemLimit };
  for (const [i, item] of items.entries()) {
    const length = textLength(item, limit);
    if (length > limit) return { unit: 'characters', length, limit, item: i + 1 };
  }
  return undefined;
}

/** A person's sentence for an oversize value, e.g. "has 4,000,000 characters; at most 80 are allowed". */
export function describeOversize(o: OversizeValue): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  const what = o.item === undefined ? 'has' : `item ${o.item} has`;
  return `${what} ${n(o.length)} ${o.unit}; at most ${n(o.limit)} are allowed`;
}

/** The fields of one write whose values are too large to store, with why. */
export function oversizeFields(
  entity: EntitySpec,
  incoming: Readonly<Record<string, unknown>>,
): { field: string; oversize: OversizeValue }[] {
  const out: { field: string; oversize: OversizeValue }[] = [];
  for (const [key, value] of Object.entries(incoming)) {
    const field = entity.fields.find((f) => f.id === key);
    if (!field) continue;
    const oversize = oversizeValue(field, value);
    if (oversize) out.push({ field: key, oversize });
  }
  return out;
}
