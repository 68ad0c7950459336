import { isPresent } from '../../../src/plan/conditions.js';

/**
 * The fields a record must have and has left empty, by id: required ones (conditions applied by
 * `isRequired`, the form model's rule) without a value.
 */
export function missingRequired<F extends { id: string }>(
  fields: readonly F[],
  values: Record<string, unknown>,
  isRequired: (field: F) => boolean,
): string[] {
  return fields.filter((f) => !isPresent(values[f.id]) && isRequired(f)).map((f) => f.id);
}
