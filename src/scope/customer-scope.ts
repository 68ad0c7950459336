import type { Catalog, EntitySpec } from '../catalog/model.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../access/roles.js';

/**
 * The one place that decides what a customer link reaches. Pure: it takes the pinned catalogue, the
 * caller and the acquisition's state, and answers; every channel asks it instead of re-deciding.
 *
 * A link reads and writes only the customer's part: entities with at least one field the customer
 * provides, and of those only the customer's fields, findings and imports it made itself. It
 * writes only while the acquisition is collecting. A staff token is not narrowed here (its role is
 * checked per route), so for staff every answer is "everything".
 *
 * The channels that ask: records and bulk (capture-service, plan-writes), interview answers and
 * follow-ups (interview-service), imports, their findings and reports (spreadsheets routes,
 * run-import), templates (sheet-columns), forms (form-context), findings shown with records, and
 * the portal's "submit my part" (customer-part).
 */

/** As much of the caller as the scope needs: whether it is a customer link. */
export type Caller = Pick<Principal, 'link'>;

/** The only state in which a customer link may write, on any channel. */
export const LINK_WRITABLE_STATE = 'collecting';

/** A finding as far as the scope needs it: where it is and what it says. */
export interface Located {
  recordId: string;
  entity: string;
  field: string;
  message: string;
}

/** What a staff value is replaced with in a message shown to a customer link. */
export const HIDDEN = '[hidden]';

/** Errors of the customer scope (codes listed in errors.ts and docs/errors.md). */
export const scopeErrors = {
  entityNotYours: (entity: string, pointer = '/entity') =>
    new AppError(
      'record.entity-forbidden',
      403,
      `A customer link may not create ${entity} records: the customer provides none of their fields.`,
      [{ pointer, detail: `"${entity}" has no field the customer provides` }],
    ),
  fieldUnknown: (entity: string, field: string) =>
    new AppError(
      'follow-up.field-unknown',
      422,
      `"${field}" is not a field of ${entity}; a follow-up names one of its fields.`,
      [{ pointer: '/field', detail: `is not a field of ${entity}` }],
    ),
  fieldNotYours: (field: string, owner: string) =>
    new AppError(
      'record.field-forbidden',
      403,
      'This link may change only the fields the customer provides.',
      [{ pointer: '/field', detail: `"${field}" is provided by ${owner}, not by the customer` }],
    ),
  /** The same refusal as the capture engine's, for the channels that do not write through it. */
  locked: errors.acquisitionLocked,
};

/**
 * The caller as the scope sees it, for code that knows only whether it writes for a link (the
 * capture engine's origin, an import run, the customer's part).
 */
export function callerOf(acquisitionId: string, customerOnly: boolean): Caller {
  return customerOnly ? { link: { acquisitionId } } : {};
}

/** Whether the caller may delete records: staff may, a customer link never. */
export function mayDelete(principal: Caller): boolean {
  return !isCustomer(principal);
}

/** True when the caller is a customer link (and so narrowed by this module). */
export function isCustomer(principal: Caller | undefined): boolean {
  return Boolean(principal?.link);
}

/** The ids of an entity's fields the customer provides. */
export function customerFields(entity: EntitySpec): Set<string> {
  return new Set(entity.fields.filter((f) => f.owner === 'customer').map((f) => f.id));
}

/** The entities a link works on: those with at least one customer field, in catalogue order. */
export function customerEntities(catalog: Catalog): string[] {
  return [...catalog.entities.values()]
    .filter((e) => e.fields.some((f) => f.owner === 'customer'))
    .map((e) => e.id);
}

/** Whether the caller may see records of this entity (staff: any entity of the catalogue). */
export function canReadEntity(catalog: Catalog, principal: Caller, entityId: string): boolean {
  const entity = catalog.entities.get(entityId);
  if (!entity) return false;
  return !isCustomer(principal) || entity.fields.some((f) => f.owner === 'customer');
}

/** The fields of an entity the caller may read and write; null means all of them (staff). */
export function readableFields(
  catalog: Catalog,
  principal: Caller,
  entityId: string,
): Set<string> | null {
  if (!isCustomer(principal)) return null;
  const entity = catalog.entities.get(entityId);
  return entity ? customerFields(entity) : new Set();
}

/** Keeps only the keys of `values` the caller may read. */
export function pickReadable<T>(
  catalog: Catalog,
  principal: Caller,
  entityId: string,
  values: Record<string, T>,
): Record<string, T> {
  const fields = readableFields(catalog, principal, entityId);
  if (!fields) return values;
  return Object.fromEntries(Object.entries(values).filter(([k]) => fields.has(k)));
}

/**
 * Whether the caller may see a finding. A link sees only findings on customer fields of customer
 * entities: a finding on a staff field (or on a whole record or the plan) may quote staff values.
 */
export function canSeeFinding(catalog: Catalog, principal: Caller, finding: Located): boolean {
  if (!isCustomer(principal)) return true;
  return readableFields(catalog, principal, finding.entity)?.has(finding.field) ?? false;
}

/**
 * A message with every staff value of the record replaced by `[hidden]`: rules over several fields
 * quote them all, a unique pair of a customer and a staff field for one.
 */
export function redactMessage(
  catalog: Catalog,
  entityId: string,
  message: string,
  values: Readonly<Record<string, unknown>>,
): string {
  const entity = catalog.entities.get(entityId);
  if (!entity) return message;
  const mine = customerFields(entity);
  const quoted = new Set<string>();
  for (const [field, value] of Object.entries(values)) {
    if (mine.has(field) || value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'string' || typeof v === 'number') quoted.add(String(v));
  }
  // Longest first, so that a value containing another is hidden whole; one-character values
  // (a flag, a digit) would hide parts of words and quote nothing worth hiding.
  let out = message;
  for (const v of [...quoted].filter((q) => q.length > 1).sort((a, b) => b.length - a.length))
    out = out.split(v).join(HIDDEN);
  return out;
}

/**
 * The findings a caller may see, as it may see them: for a link, only those on customer fields of
 * customer entities, with staff values of their record hidden (`valuesOf` gives a record's stored
 * values; a finding whose record is unknown is dropped). Staff get the findings unchanged.
 */
export function scopeFindings<F extends Located>(
  catalog: Catalog,
  principal: Caller,
  findings: readonly F[],
  valuesOf: (recordId: string) => Readonly<Record<string, unknown>> | undefined,
): F[] {
  if (!isCustomer(principal)) return [...findings];
  const out: F[] = [];
  for (const f of findings) {
    if (!canSeeFinding(catalog, principal, f)) continue;
    const values = valuesOf(f.recordId);
    if (!values) continue;
    out.push({ ...f, message: redactMessage(catalog, f.entity, f.message, values) });
  }
  return out;
}

/** Refuses a link's write on any channel unless the acquisition is collecting (409). */
export function assertMayWrite(principal: Caller, state: string): void {
  if (isCustomer(principal) && state !== LINK_WRITABLE_STATE) throw scopeErrors.locked(state);
}

/**
 * Refuses a link's follow-up on a field that does not exist (422) or that the customer does not
 * provide (403). Staff follow-ups are not narrowed.
 */
export function assertMayFollowUp(
  catalog: Catalog,
  principal: Caller,
  entityId: string,
  fieldId: string,
): void {
  const entity = catalog.entities.get(entityId);
  const field = entity?.fields.find((f) => f.id === fieldId);
  if (!isCustomer(principal)) return;
  if (!entity || !field) throw scopeErrors.fieldUnknown(entityId, fieldId);
  if (field.owner !== 'customer') throw scopeErrors.fieldNotYours(fieldId, field.owner);
}

/**
 * Whether the caller may see an import: staff see every import of the acquisition, a link only
 * the ones it made itself (`createdBy` is the link's id, recorded when the import started).
 */
export function canSeeImport(
  principal: Pick<Principal, 'link' | 'tokenId'>,
  createdBy: string | null,
): boolean {
  return !isCustomer(principal) || createdBy === principal.tokenId;
}

/** The audience of templates, imports and forms: the customer's part or everything. */
export function audienceOf(principal: Caller): 'customer' | 'staff' {
  return isCustomer(principal) ? 'customer' : 'staff';
}
