import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import { isNormalForm, normalizeField, type FieldProblem } from './normalize-field.js';

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
    const result = normalizeField(field, raw[field.id], {
      country: fieldCountry(field, raw, country),
    });
    if (result.value !== null) values[field.id] = result.value;
    if (result.problem) problems.set(field.id, result.problem);
  }
  return { values, problems };
}

/** The country a field is read in: a postcode's own country field, else the record's. */
function fieldCountry(
  field: FieldSpec,
  raw: Readonly<Record<string, unknown>>,
  country: string | undefined,
): string | undefined {
  const postcodeCountry = field.countryField ? raw[field.countryField] : undefined;
  return typeof postcodeCountry === 'string' && field.format === 'postcode'
    ? postcodeCountry.trim().toUpperCase()
    : country;
}

const NO_PROBLEMS: ReadonlyMap<string, FieldProblem> = new Map();

/**
 * A stored record's values as validation reads them: each valid value in its normal form, each
 * invalid one as given and reported in `problems`; fields the entity does not define stay as they
 * are. A value already in its normal form (`isNormalForm`) is taken without normalising it again,
 * and when nothing changes `raw` itself is returned, so a re-validation of values the engine
 * stored allocates next to nothing. The same outcome as taking `normalizeRecordValues`'s valid
 * values over `raw`.
 */
export function normalizeStoredValues(
  entity: EntitySpec,
  raw: Record<string, unknown>,
  country: string | undefined,
): { values: Record<string, unknown>; problems: ReadonlyMap<string, FieldProblem> } {
  let values: Record<string, unknown> | undefined;
  let problems: Map<string, FieldProblem> | undefined;
  for (const field of entity.fields) {
    const value = raw[field.id];
    if (value === undefined || isNormalForm(field, value)) continue;
    const result = normalizeField(field, value, { country: fieldCountry(field, raw, country) });
    if (result.problem) (problems ??= new Map()).set(field.id, result.problem);
    else if (result.value !== null && !sameValue(result.value, value))
      (values ??= { ...raw })[field.id] = result.value;
  }
  return { values: values ?? raw, problems: problems ?? NO_PROBLEMS };
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
