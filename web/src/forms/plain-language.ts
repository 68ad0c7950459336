import { isPresent } from '../../../src/plan/conditions.js';
import type { ApiRecord } from '../api.js';
import type { FormEntity, FormModel } from './form-model.js';

/**
 * A message as a person reads it: a sentence that starts with a capital letter, with site ids
 * replaced by site names. The server's field messages continue the field's label ("is not a
 * date"); under the field they read as "This is not a date".
 *
 * @example plainMessage('is not a date', new Map()) // 'This is not a date'
 * @example plainMessage('site-man has two subnets', new Map([['site-man', 'Manchester']])) // 'Manchester has two subnets'
 */
export function plainMessage(
  message: string,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  let text = message.trim();
  for (const [id, name] of names)
    if (id !== name && text.includes(id))
      text = text.replace(new RegExp(`(?<![\\w-])${escape(id)}(?![\\w-])`, 'g'), name);
  if (/^(is|are|has|have|must|should|needs?|cannot|does|do)\b/.test(text)) text = `This ${text}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ROLE_NAMES: Record<string, string> = {
  primary: 'Main',
  technical: 'Technical',
  implementation: 'Implementation',
  billing: 'Billing',
  fault: 'Fault reporting',
};

/** The value a slot group of the catalogue's `perValue` cardinality gives (`contact:technical#1` → technical). */
function slotValue(record: Pick<ApiRecord, 'slot'>): string | undefined {
  const key = record.slot?.slice(0, record.slot.lastIndexOf('#'));
  const colon = key?.indexOf(':') ?? -1;
  return key && colon > 0 ? key.slice(colon + 1) : undefined;
}

const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';

/**
 * A role contact's title ("Technical contact", "Billing contact") from its role, which a customer
 * link does not read (it is sales' field) but the record's slot carries; undefined for any other.
 */
export function roleTitle(entity: FormEntity, record: ApiRecord): string | undefined {
  const role = text(record.values.role) || slotValue(record);
  if (!role || !/contact/i.test(entity.id)) return undefined;
  return `${ROLE_NAMES[role] ?? capitalise(role)} ${entity.name.toLowerCase()}`;
}

/**
 * What a card or form calls a record, in plain words and never by an internal id: a contact by its
 * role ("Technical contact"), a user by name and extension, otherwise the record's name, its key
 * or its site's name, then the entity's name and its place in the list (of `count`).
 */
export function recordTitle(
  entity: FormEntity,
  record: ApiRecord,
  model: FormModel,
  index: number,
  count = 1,
): string {
  const v = record.values;
  const site = record.site ? model.siteName(record.site) : '';
  const byRole = roleTitle(entity, record);
  if (byRole) return byRole;
  const person = [text(v.firstName), text(v.lastName)].filter(Boolean).join(' ');
  const named = person || text(v.name) || text(v.userName) || text(v.groupName);
  const extension = text(v.extension);
  if (named) return extension ? `${named}, extension ${extension}` : named;
  if (extension) return `Extension ${extension}`;
  const key = (entity.naturalKey ?? [])
    .filter((f) => f !== 'site')
    .map((f) => text(v[f]))
    .filter(Boolean)
    .join(', ');
  if (key) return site ? `${key} (${site})` : key;
  const siteRef = entity.fields.find((f) => f.reference === 'site' && text(v[f.id]));
  const place = site || (siteRef ? model.siteName(text(v[siteRef.id])) : '');
  const numbered = count > 1 ? `${entity.name} ${index + 1}` : entity.name;
  return place ? `${numbered} at ${place}` : numbered;
}

/** Answers still owed on a record: required fields without a value, and blocking problems. */
export function missingOf(entity: FormEntity, record: ApiRecord, model: FormModel): number {
  const empty = model
    .visibleFields(entity, record, record.values)
    .filter(
      (f) => model.isRequired(f, record, record.values) && !isPresent(record.values[f.id]),
    ).length;
  const problems = new Set(
    record.findings.filter((f) => f.severity === 'blocking' && f.field).map((f) => f.field),
  );
  for (const f of entity.fields) if (!isPresent(record.values[f.id])) problems.delete(f.id);
  return empty + problems.size;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
