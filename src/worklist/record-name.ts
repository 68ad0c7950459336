import type { EntitySpec } from '../catalog/model.js';

/** Fields that name a person, in order. */
const PERSON = ['firstName', 'lastName'];
/** Fields that name a record on their own, the first present wins. */
const NAMES = ['name', 'userName', 'displayName', 'groupName', 'callingLineName', 'building'];
/** Fields that tell records apart when a name is shared or absent, the first present wins. */
const KEYS = ['extension', 'number', 'firstNumber', 'mac', 'iccid', 'email'];

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';

/**
 * What people call a record: a user by their name and extension ("Alice Smith (2001)"), a handset
 * by its MAC, a hunt group by its name. Never an internal id; a record with nothing to go by is
 * "User 7" by its place in the list. Secret fields are never part of a name.
 */
export function recordName(
  entity: EntitySpec,
  values: Readonly<Record<string, unknown>>,
  ordinal: number,
): string {
  const secret = new Set(entity.fields.filter((f) => f.sensitivity === 'secret').map((f) => f.id));
  const known = new Set(entity.fields.map((f) => f.id));
  const pick = (ids: readonly string[]) =>
    ids.filter((id) => known.has(id) && !secret.has(id)).map((id) => text(values[id]));
  const name = pick(PERSON).filter(Boolean).join(' ') || pick(NAMES).find(Boolean) || '';
  const key = pick(KEYS).find((k) => k && k !== name) ?? '';
  if (name && key) return `${name} (${key})`;
  return name || key || `${entity.name} ${ordinal}`;
}
