import type { AcquisitionContext } from './acquisition-context.js';
import type { CaptureRepository, StoredKey } from './capture-repository.js';
import { crossRecordFindings, fieldFindings, type RecordLookups } from './cross-record.js';
import { recordKeys, targetKindsOf } from './record-keys.js';
import { sitesOf } from './reference-lookup.js';
import { describeUnresolved } from './reference-resolution.js';
import { countryOf, normalizeStoredValues } from './record-values.js';
import type { FieldProblem } from './normalize-field.js';
import type { PreparedRecord } from './prepared-record.js';
import type { CapturedRecord, Finding, RecordKey } from './record.js';

/** Builds lookups over a set of stored keys and records (the whole acquisition, or a neighbourhood). */
export function lookupsFrom(
  ctx: AcquisitionContext,
  keys: readonly StoredKey[],
  recordsByEntity: ReadonlyMap<string, readonly CapturedRecord[]>,
  own: readonly PreparedRecord[] = [],
): RecordLookups {
  // kind → scope → value → holders: nested maps, so that no key text is built per key.
  const holders = new Map<string, Map<string, Map<string, string[]>>>();
  const foreign = new Set<string>();
  const hold = (key: RecordKey, recordId: string) => {
    let byScope = holders.get(key.kind);
    if (!byScope) holders.set(key.kind, (byScope = new Map<string, Map<string, string[]>>()));
    let byValue = byScope.get(key.scope);
    if (!byValue) byScope.set(key.scope, (byValue = new Map<string, string[]>()));
    const list = byValue.get(key.value);
    if (list) list.push(recordId);
    else byValue.set(key.value, [recordId]);
  };
  for (const p of own) for (const key of p.keys) hold(key, p.record.id);
  for (const key of keys) {
    hold(key, key.recordId);
    if (key.acquisitionId !== ctx.acquisition.id) foreign.add(key.recordId);
  }
  return {
    ...recordLookupsOf(ctx, recordsByEntity),
    holders: (kind, scope, value) => holders.get(kind)?.get(scope)?.get(value) ?? [],
    resolves: (target, value) =>
      (holders.get(targetKindsOf(target).handle)?.get(ctx.acquisition.id)?.get(value)?.length ??
        0) > 0,
    isForeign: (id) => foreign.has(id),
  };
}

/** The lookups that read records rather than keys: number blocks, sites, entity names. */
export function recordLookupsOf(
  ctx: AcquisitionContext,
  recordsByEntity: ReadonlyMap<string, readonly CapturedRecord[]>,
): Omit<RecordLookups, 'holders' | 'resolves' | 'isForeign'> {
  const siteRecords = recordsByEntity.get('site') ?? [];
  return {
    acquisitionId: ctx.acquisition.id,
    recordsOf: (entity) => recordsByEntity.get(entity) ?? [],
    siteCountry: (site) => siteCountry(ctx, siteRecords, site),
    entityName: (entity) => ctx.catalog.entities.get(entity)?.name ?? entity,
    unresolved: (target, value) =>
      target === 'site'
        ? describeUnresolved(
            sitesOf(ctx, siteRecords),
            value,
            ctx.catalog.entities.get('site')?.name ?? 'site',
          )
        : undefined,
  };
}

const siteIndexes = new WeakMap<readonly CapturedRecord[], Map<string, CapturedRecord>>();

/** Site records by id, proposal site id and name (lower case), built once per list of site records. */
function siteIndex(siteRecords: readonly CapturedRecord[]): Map<string, CapturedRecord> {
  let index = siteIndexes.get(siteRecords);
  if (!index) {
    index = new Map();
    for (const r of siteRecords) {
      const name = r.values.name;
      if (typeof name === 'string') index.set(name.toLowerCase(), r);
      if (r.site) index.set(r.site.toLowerCase(), r);
      index.set(r.id.toLowerCase(), r);
    }
    siteIndexes.set(siteRecords, index);
  }
  return index;
}

/** The country of a site named by id, proposal site id or name: its record's country, else the proposal's. */
export function siteCountry(
  ctx: AcquisitionContext,
  siteRecords: readonly CapturedRecord[],
  site: string,
): string | undefined {
  const record = siteIndex(siteRecords).get(site.trim().toLowerCase());
  const country = record?.values.country;
  if (typeof country === 'string' && /^[A-Z]{2}$/.test(country)) return country;
  return ctx.proposalCountries.get(record?.site ?? site);
}

/** All findings of the prepared records: field-level first, then cross-record. */
export function findingsOf(
  ctx: AcquisitionContext,
  prepared: readonly PreparedRecord[],
  lookups: RecordLookups,
): Finding[] {
  const findings: Finding[] = [];
  for (const { record, problems } of prepared) {
    const entity = ctx.catalog.entities.get(record.entity);
    if (!entity) continue;
    findings.push(
      ...fieldFindings(entity, record, problems),
      ...crossRecordFindings(entity, record, problems, lookups),
    );
  }
  return findings;
}

/**
 * Entities whose changes can alter number-block findings elsewhere: the blocks, the port requests
 * whose numbers count too, and sites (their country).
 */
export function numberRuleInputs(ctx: AcquisitionContext): {
  inputs: Set<string>;
  dependents: string[];
} {
  const inputs = new Set<string>();
  const dependents: string[] = [];
  for (const entity of ctx.catalog.entities.values()) {
    for (const rule of entity.rules ?? []) {
      if (rule.kind !== 'numberInBlock') continue;
      inputs.add(rule.block.entity);
      if (rule.ports) inputs.add(rule.ports.entity);
      if (rule.matchSiteCountry) inputs.add('site');
      dependents.push(entity.id);
    }
  }
  return { inputs, dependents };
}

/** Loads from the database the keys needed to evaluate records with these keys. */
export async function neighbourKeys(
  repo: CaptureRepository,
  keys: readonly RecordKey[],
  referenceTargets: readonly RecordKey[],
): Promise<StoredKey[]> {
  return repo.holdersOf([...keys, ...referenceTargets]);
}

/**
 * Normalises a stored record again (idempotent) to know its problems. Valid values are taken in
 * their normalised form (a pre-filled national number becomes E.164); invalid ones stay as given.
 * The record itself comes back when nothing changed.
 */
export function normalisedRecord<R extends CapturedRecord>(
  ctx: AcquisitionContext,
  record: R,
  siteRecords: readonly CapturedRecord[],
): { record: R; problems: ReadonlyMap<string, FieldProblem> } {
  const entity = ctx.catalog.entities.get(record.entity)!;
  const country = countryOf(entity, record.values, record.site, {
    siteCountry: (s) => siteCountry(ctx, siteRecords, s),
    fallback: ctx.fallbackCountry,
  });
  const { values, problems } = normalizeStoredValues(entity, record.values, country);
  return { record: values === record.values ? record : { ...record, values }, problems };
}

/** A stored record normalised again (`normalisedRecord`), with its index keys. */
export function prepareRecord(
  ctx: AcquisitionContext,
  record: CapturedRecord,
  siteRecords: readonly CapturedRecord[],
): PreparedRecord {
  const { record: normalised, problems } = normalisedRecord(ctx, record, siteRecords);
  const entity = ctx.catalog.entities.get(record.entity)!;
  return {
    record: normalised,
    problems,
    keys: recordKeys(
      entity,
      normalised,
      problems,
      ctx.acquisition.id,
      ctx.referenced.has(entity.id),
    ),
  };
}
