import type { EntitySpec } from '../catalog/model.js';
import { normalizeField, type FieldProblem } from './normalize-field.js';

/** The country a record's national numbers and postcodes are read in, from the best source available. */
export interface CountryHints {
  /** Country of a proposal or site record, by site reference value. */
  siteCountry: (site: string) => string | undefined;
  /** The proposal's first site country, the last resort. */
  fallback?: string;
}

/** The country for a record: its own country field, else its site's, else the proposal's. */
export function countryOf(
  entity: EntitySpec,
  raw: Readonly<Record<string, unknown>>,
  site: string | null,
  hints: CountryHints,
): string | undefined {
  const own = entity.fields.find((f) => f.format === 'country');
  const ownValue = own ? raw[own.id] : undefined;
  if (typeof ownValue === 'string' && /^[a-z]{2}$/i.test(ownValue.trim()))
    return ownValue.trim().toUpperCase();
  const siteValue = entity.siteField ? raw[entity.siteField] : undefined;
  const bySite =
    (typeof siteValue === 'string' ? hints.siteCountry(siteValue) : undefined) ??
    (site ? hints.siteCountry(site) : undefined);
  return bySite ?? hints.fallback;
}

/**
 * Normalises every value of a record against its entity. Values that cannot be accepted are kept as
 * given and reported in `problems`, keyed by field.
 */
export function normalizeRecordValues(
  entity: EntitySpec,
  raw: Readonly<Record<string, unknown>>,
  country: string | undefined,
): { values: Record<string, unknown>; problems: Map<string, FieldProblem> } {
  const values: Record<string, unknown> = {};
  const problems = new Map<string, FieldProblem>();
  for (const field of entity.fields) {
    if (!(field.id in raw)) continue;
    const postcodeCountry = field.countryField ? raw[field.countryField] : undefined;
    const result = normalizeField(field, raw[field.id], {
      country:
        typeof postcodeCountry === 'string' && field.format === 'postcode'
          ? postcodeCountry.trim().toUpperCase()
          : country,
    });
    if (result.value !== null) values[field.id] = result.value;
    if (result.problem) problems.set(field.id, result.problem);
  }
  return { values, problems };
}

/** Fields a record carries that its entity does not define. */
export function unknownFields(
  entity: EntitySpec,
  raw: Readonly<Record<string, unknown>>,
): string[] {
  return Object.keys(raw).filter((key) => !entity.fields.some((f) => f.id === key));
}

/** True when two field values are the same (lists compared by content; absent and null alike). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null)
    return (a ?? null) === (b ?? null);
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}
