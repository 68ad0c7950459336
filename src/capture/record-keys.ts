import type { Catalog, EntitySpec, FieldSpec } from '../catalog/model.js';
import type { FieldProblem } from './normalize-field.js';
import type { CapturedRecord, RecordKey } from './record.js';

/** A field value as a list: a list as it is, a single value as a list of one, nothing as empty. */
export const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
/** A value as it is compared in the indexes: trimmed, lower case. */
export const keyText = (value: unknown) => String(value).trim().toLowerCase();

const referenceCache = new WeakMap<EntitySpec, { field: FieldSpec; target: string }[]>();

/** The field ids whose values name a record of another entity, with that entity (computed once per entity). */
export function referenceFields(entity: EntitySpec): { field: FieldSpec; target: string }[] {
  const cached = referenceCache.get(entity);
  if (cached) return cached;
  const out: { field: FieldSpec; target: string }[] = [];
  for (const field of entity.fields) {
    const target = field.reference ?? field.items?.reference;
    if (target) out.push({ field, target });
  }
  for (const rule of entity.rules ?? []) {
    if (rule.kind !== 'reference' || out.some((r) => r.field.id === rule.field)) continue;
    const field = entity.fields.find((f) => f.id === rule.field);
    if (field) out.push({ field, target: rule.entity });
  }
  referenceCache.set(entity, out);
  return out;
}

/** Entities that some field in the catalogue refers to: their records need handles in the index. */
export function referencedEntities(catalog: Catalog): Set<string> {
  const targets = new Set<string>();
  for (const entity of catalog.entities.values())
    for (const { target } of referenceFields(entity)) targets.add(target);
  return targets;
}

/** The values by which other records may refer to this one: its id, proposal site, natural key and extensions. */
export function handlesOf(entity: EntitySpec, record: CapturedRecord): string[] {
  const handles = new Set<string>([keyText(record.id)]);
  if (entity.id === 'site' && record.site) handles.add(keyText(record.site));
  for (const field of entity.fields) {
    const value = record.values[field.id];
    if (value === undefined || value === null || Array.isArray(value)) continue;
    if (entity.naturalKey?.includes(field.id) || field.format === 'extension')
      handles.add(keyText(value));
  }
  return [...handles];
}

/** The kind of key a unique rule writes; stable across catalogue versions. */
export const uniqueKind = (entity: string, fields: string[]) =>
  `unique:${entity}:${fields.join('+')}`;
export const memberKind = (entity: string, field: string) => `member:${entity}:${field}`;
export const referenceKind = (target: string) => `ref:${target}`;
export const handleKind = (target: string) => `handle:${target}`;

/** The scope a unique rule applies in, for a record. */
export function uniqueScope(
  scope: 'acquisition' | 'site' | 'global',
  acquisitionId: string,
  site: string | null,
): string {
  if (scope === 'global') return 'global';
  if (scope === 'site') return `${acquisitionId}@${site ?? ''}`;
  return acquisitionId;
}

type KeyRule = Extract<
  NonNullable<EntitySpec['rules']>[number],
  { kind: 'unique' } | { kind: 'oneMembership' }
>;

const ruleKinds = new WeakMap<KeyRule, string>();

/** The kind of key a unique or membership rule writes, built once per rule. */
export function ruleKind(entity: EntitySpec, rule: KeyRule): string {
  let kind = ruleKinds.get(rule);
  if (kind === undefined) {
    kind =
      rule.kind === 'unique'
        ? uniqueKind(entity.id, rule.fields)
        : memberKind(entity.id, rule.field);
    ruleKinds.set(rule, kind);
  }
  return kind;
}

const targetKinds = new Map<string, { reference: string; handle: string }>();

/** The kinds of the keys that refer to a target entity and that it is referred to by, built once. */
export function targetKindsOf(target: string): { reference: string; handle: string } {
  let kinds = targetKinds.get(target);
  if (!kinds)
    targetKinds.set(
      target,
      (kinds = { reference: referenceKind(target), handle: handleKind(target) }),
    );
  return kinds;
}

/** The site a record's site-scoped rules apply at: its site field's value, else its proposal site. */
export function siteOf(entity: EntitySpec, record: CapturedRecord): string | null {
  return entity.siteField
    ? ((record.values[entity.siteField] as string | undefined) ?? record.site)
    : record.site;
}

/**
 * Tells `emit` the index keys of a record: one per unique rule whose fields all hold valid
 * values, one per membership, one per reference it makes, and its handles when others may refer
 * to it. Nothing is built but the key values: a full re-validation emits half a million keys.
 */
export function eachRecordKey(
  entity: EntitySpec,
  record: CapturedRecord,
  problems: ReadonlyMap<string, FieldProblem>,
  acquisitionId: string,
  referenced: boolean,
  emit: (kind: string, scope: string, value: string) => void,
): void {
  const valid = (field: string) => record.values[field] !== undefined && !problems.has(field);
  for (const rule of entity.rules ?? []) {
    if (rule.kind === 'unique' && rule.fields.every(valid)) {
      const value =
        rule.fields.length === 1
          ? keyText(record.values[rule.fields[0]!])
          : rule.fields.map((f) => keyText(record.values[f])).join('\u001f');
      const scope = uniqueScope(
        rule.scope,
        acquisitionId,
        rule.scope === 'site' ? siteOf(entity, record) : null,
      );
      emit(ruleKind(entity, rule), scope, value);
    } else if (rule.kind === 'oneMembership' && valid(rule.field)) {
      const kind = ruleKind(entity, rule);
      for (const member of new Set(asList(record.values[rule.field]).map(keyText)))
        emit(kind, acquisitionId, member);
    }
  }
  for (const { field, target } of referenceFields(entity)) {
    if (!valid(field.id)) continue;
    const value = record.values[field.id];
    const kind = targetKindsOf(target).reference;
    if (Array.isArray(value))
      for (const v of new Set(value.map(keyText))) emit(kind, acquisitionId, v);
    else if (value !== null) emit(kind, acquisitionId, keyText(value));
  }
  if (referenced) {
    const kind = targetKindsOf(entity.id).handle;
    for (const value of handlesOf(entity, record)) emit(kind, acquisitionId, value);
  }
}

/** The index keys of a record, as `eachRecordKey` tells them. */
export function recordKeys(
  entity: EntitySpec,
  record: CapturedRecord,
  problems: ReadonlyMap<string, FieldProblem>,
  acquisitionId: string,
  referenced: boolean,
): RecordKey[] {
  const keys: RecordKey[] = [];
  eachRecordKey(entity, record, problems, acquisitionId, referenced, (kind, scope, value) =>
    keys.push({ kind, value, scope }),
  );
  return keys;
}

/** A stable text form of a key, for sets and maps. */
export const keyId = (key: RecordKey) => `${key.kind}\u0000${key.scope}\u0000${key.value}`;
