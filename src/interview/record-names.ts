import type { EntitySpec } from '../catalog/model.js';

/** What names a record in a question, besides its entity. */
export interface NamedRecord {
  values: Record<string, unknown>;
}

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';

/**
 * How a question names a record to a person on the phone: a site by its name, a user by first and
 * last name and extension ("Priya Raman (ext. 2001)"), another record by its name or natural key;
 * without any of these, by its entity and its number at its site ("User 12"). Never an internal id.
 *
 * @example recordName(user, { values: { firstName: 'Ann', lastName: 'Lee', extension: '201' } }, null, 3)
 * // 'Ann Lee (ext. 201)'
 */
export function recordName(
  entity: EntitySpec,
  record: NamedRecord,
  siteName: string | null,
  ordinal: number,
): string {
  const v = record.values;
  if (entity.id === 'site') return siteName ?? (text(v.name) || `${entity.name} ${ordinal}`);
  const person = [text(v.firstName), text(v.lastName)].filter(Boolean).join(' ');
  const name = person || text(v.name);
  const extension = text(v.extension);
  const key = (entity.naturalKey ?? []).map((f) => text(v[f])).filter(Boolean);
  const detail = extension ? `ext. ${extension}` : key.join(' ');
  const base = name || `${entity.name} ${ordinal}`;
  return detail ? `${base} (${detail})` : base;
}

/** An entity's name in the plural, lower case, for "these 50 users". */
export function pluralName(entity: Pick<EntitySpec, 'name'>, count: number): string {
  const name = entity.name.toLowerCase();
  if (count === 1) return name;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}
