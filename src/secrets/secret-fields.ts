import type { Catalog, FieldSpec } from '../catalog/model.js';
import type { Role } from '../access/roles.js';

/** What a masked secret reads as, everywhere outside the store. */
export const MASK = '••••••';

/** True when a value was given (a secret without a value stays visibly empty). */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A field's value as it may be shown: the mask for a given secret, else the value. */
export function maskedValue(field: Pick<FieldSpec, 'sensitivity'>, value: unknown): unknown {
  return field.sensitivity === 'secret' && isGiven(value) ? MASK : value;
}

/** The secret fields of each entity, and the roles that may ask to see each in clear. */
export type SecretFields = Map<string, Map<string, readonly Role[]>>;

/** The roles that may reveal a secret field when the catalogue does not say. */
export const DEFAULT_REVEALERS: readonly Role[] = ['admin', 'engineer'];

/** Collects the fields marked `sensitivity: secret` in a catalogue. */
export function secretFieldsOf(
  catalog: Pick<Catalog, 'entities'>,
  into: SecretFields = new Map(),
): SecretFields {
  for (const entity of catalog.entities.values()) {
    for (const field of entity.fields) {
      if (field.sensitivity !== 'secret') continue;
      let fields = into.get(entity.id);
      if (!fields) into.set(entity.id, (fields = new Map<string, readonly Role[]>()));
      fields.set(field.id, field.reveal ?? DEFAULT_REVEALERS);
    }
  }
  return into;
}

/**
 * The values with every secret field masked, except those in `reveal`. A field without a value
 * stays empty, so a reader still sees whether the secret was given.
 */
export function maskValues(
  secrets: SecretFields,
  entity: string,
  values: Record<string, unknown>,
  reveal: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const fields = secrets.get(entity);
  if (!fields) return values;
  let out: Record<string, unknown> | undefined;
  for (const field of fields.keys()) {
    const v = values[field];
    if (!isGiven(v) || reveal.has(field)) continue;
    out ??= { ...values };
    out[field] = MASK;
  }
  return out ?? values;
}
