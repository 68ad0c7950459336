import type { AcquisitionContext } from './acquisition-context.js';
import type { CaptureRepository, StoredKey } from './capture-repository.js';
import { findingsOf, lookupsFrom, numberRuleInputs, prepareRecord } from './evaluate-records.js';
import { handleKind, referenceKind } from './record-keys.js';
import type { PreparedRecord } from './prepared-record.js';
import type { CapturedRecord, Finding, RecordKey } from './record.js';
import { isWrite, subjectOf, type PlannedChange } from './write-types.js';

/**
 * The holders of index keys looked up during one write, so that a key the neighbourhood already
 * looked up is not looked up again by the evaluation (an edit's probes are usually the same: one
 * round trip less per write).
 */
export class KeyHolders {
  private readonly byProbe = new Map<string, StoredKey[]>();

  constructor(private readonly repo: CaptureRepository) {}

  /** Every stored key matching one of `probes`, each holder once. */
  async of(probes: readonly RecordKey[]): Promise<StoredKey[]> {
    const missing = probes.filter((p) => !this.byProbe.has(probeId(p)));
    if (missing.length > 0) {
      for (const p of missing) this.byProbe.set(probeId(p), []);
      for (const holder of await this.repo.holdersOf(missing))
        this.byProbe.get(probeId(holder))?.push(holder);
    }
    const ids = new Set(probes.map(probeId));
    return [...ids].flatMap((id) => this.byProbe.get(id)!);
  }
}

/** A key as the index compares it (values are looked up by their first 400 characters). */
const probeId = (k: RecordKey) => `${k.value.slice(0, 400)}\u0000${k.kind}\u0000${k.scope}`;

/** Digest and status of a record as stored before this write's re-validation. */
export type StoredValidation = Map<string, { digest: string; status: string }>;

/** The records whose findings this write can change: the written ones and their neighbours in the indexes. */
export async function neighbourhood(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  holders: KeyHolders,
  planned: readonly PlannedChange[],
  keys: readonly StoredKey[],
  siteRecords: readonly CapturedRecord[],
): Promise<{ prepared: PreparedRecord[]; stored: StoredValidation }> {
  const prepared = new Map<string, PreparedRecord>();
  // What is stored now: written records keep their old digest until it is set below.
  const stored: StoredValidation = new Map();
  for (const p of planned) {
    if (!isWrite(p)) continue;
    prepared.set(p.after.id, p.prepared);
    const digest = p.kind === 'update' ? p.before.digest : '';
    stored.set(p.after.id, { digest, status: p.after.status });
  }
  const deleted = new Set(planned.filter((p) => p.kind === 'delete').map((p) => p.before.id));
  const skip = (id: string) => prepared.has(id) || deleted.has(id);
  const ids = await neighbourIds(ctx, holders, keys, skip);
  for (const record of await neighbourRecords(ctx, repo, planned, ids, skip)) {
    prepared.set(record.id, prepareRecord(ctx, record, siteRecords));
    stored.set(record.id, { digest: record.digest, status: record.status });
  }
  return { prepared: [...prepared.values()], stored };
}

/** Ids of the acquisition's records that share a unique or member key, or hold a reference, with the written keys. */
async function neighbourIds(
  ctx: AcquisitionContext,
  holders: KeyHolders,
  keys: readonly StoredKey[],
  skip: (id: string) => boolean,
): Promise<Set<string>> {
  const probes: RecordKey[] = [];
  for (const key of keys) {
    if (key.kind.startsWith('unique:') || key.kind.startsWith('member:')) probes.push(key);
    else if (key.kind.startsWith('handle:'))
      probes.push({
        kind: referenceKind(key.kind.slice('handle:'.length)),
        scope: key.scope,
        value: key.value,
      });
  }
  const ids = new Set<string>();
  for (const holder of probes.length > 0 ? await holders.of(probes) : []) {
    if (holder.acquisitionId === ctx.acquisition.id && !skip(holder.recordId))
      ids.add(holder.recordId);
  }
  return ids;
}

/** The neighbours' records, and those of number rules' dependents when the write touches their inputs. */
async function neighbourRecords(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  planned: readonly PlannedChange[],
  ids: Set<string>,
  skip: (id: string) => boolean,
) {
  const acquisitionId = ctx.acquisition.id;
  const { inputs, dependents } = numberRuleInputs(ctx);
  const touchesNumbers = planned.some((p) => inputs.has(subjectOf(p).entity));
  return [
    ...(await repo.getRecords(acquisitionId, [...ids])),
    ...(touchesNumbers
      ? (await repo.recordsOfEntities(acquisitionId, dependents)).filter(
          (r) => !skip(r.id) && !ids.has(r.id),
        )
      : []),
  ];
}

/** Evaluates the prepared records with the keys and records their rules need, loaded from the database. */
export async function evaluateNeighbourhood(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  holders: KeyHolders,
  evaluated: readonly PreparedRecord[],
  planned: readonly PlannedChange[],
  siteRecords: readonly CapturedRecord[],
): Promise<Finding[]> {
  const probes: RecordKey[] = [];
  for (const { keys } of evaluated) {
    for (const key of keys) {
      if (key.kind.startsWith('ref:'))
        probes.push({ kind: handleKind(key.kind.slice(4)), scope: key.scope, value: key.value });
      else if (!key.kind.startsWith('handle:')) probes.push(key);
    }
  }
  const keys = probes.length > 0 ? await holders.of(probes) : [];
  const byEntity = await blockRecords(ctx, repo, evaluated);
  // The write's records are evaluated before they are stored: blocks and sites as it leaves them.
  for (const [entity, records] of byEntity)
    byEntity.set(entity, recordsAfter(entity, records, planned, 'by id'));
  byEntity.set('site', recordsAfter('site', siteRecords, planned, 'as written'));
  return findingsOf(ctx, evaluated, lookupsFrom(ctx, keys, byEntity));
}

/** The records of the number blocks the evaluated records' numbers must fall in, by entity. */
async function blockRecords(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  evaluated: readonly PreparedRecord[],
): Promise<Map<string, CapturedRecord[]>> {
  const blockEntities = new Set<string>();
  for (const { record, problems } of evaluated) {
    for (const rule of ctx.catalog.entities.get(record.entity)?.rules ?? []) {
      // Blocks are read only when a number is there to check.
      if (
        rule.kind === 'numberInBlock' &&
        record.values[rule.field] !== undefined &&
        !problems.has(rule.field)
      ) {
        blockEntities.add(rule.block.entity);
        if (rule.ports) blockEntities.add(rule.ports.entity);
      }
    }
  }
  // Every block entity is listed, even with no record stored yet (this write may add the first).
  const byEntity = new Map<string, CapturedRecord[]>([...blockEntities].map((e) => [e, []]));
  for (const record of await repo.recordsOfEntities(ctx.acquisition.id, [...blockEntities], {
    withProvenance: false,
  })) {
    const list = byEntity.get(record.entity) ?? [];
    list.push(record);
    byEntity.set(record.entity, list);
  }
  return byEntity;
}

/**
 * Records of one entity as this write leaves them (read before it is stored): in id order, as the
 * database lists blocks, or with new ones last, as sites were always listed.
 */
function recordsAfter(
  entity: string,
  records: readonly CapturedRecord[],
  planned: readonly PlannedChange[],
  order: 'by id' | 'as written',
): CapturedRecord[] {
  if (!planned.some((p) => subjectOf(p).entity === entity)) return [...records];
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const p of planned) {
    if (isWrite(p) && p.after.entity === entity) byId.set(p.after.id, p.after);
    else if (p.kind === 'delete' && p.before.entity === entity) byId.delete(p.before.id);
  }
  const after = [...byId.values()];
  return order === 'by id' ? after.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : after;
}
