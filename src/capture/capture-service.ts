import type { Kysely } from 'kysely';
import { afterStagedImport } from '../db/staged-import-gates.js';
import {
  canReadEntity,
  customerEntities,
  isCustomer,
  pickReadable,
  readableFields,
  scopeFindings,
  type Caller,
} from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { Catalog } from '../catalog/model.js';
import type { Database } from '../db/schema.js';
import type { Plan } from '../plan/plan.js';
import { captureErrors } from './capture-errors.js';
import { CaptureEngine } from './capture-engine.js';
import type { Origin, WriteOp, WriteResult } from './write-types.js';
import {
  CaptureRepository,
  toStoredRecord,
  type HistoryEntry,
  type StoredRecord,
} from './capture-repository.js';
import type { ContextCache } from './context-cache.js';
import { revalidateAcquisition, type Revalidation } from './full-validation.js';
import { isSecretField } from '../secrets/sealing.js';
import {
  isGiven,
  MASK,
  maskValues,
  secretFieldsOf,
  type SecretFields,
} from '../secrets/secret-fields.js';
import { SecretReveals } from '../secrets/secret-reveals.js';
import type { Finding, Severity, Source } from './record.js';

/** Filters of the record list. */
export interface RecordQuery {
  entity?: string;
  site?: string;
  /** Records of entities with fields this owner provides. */
  owner?: string;
  /** Records with at least one finding of this severity. */
  severity?: Severity;
  offset: number;
  limit: number;
}

/**
 * Findings the plan implies: more records than the proposal allows, in all or at one site
 * (blocking), fewer than it expects (warning).
 */
export function countFindings(plan: Plan): Finding[] {
  const findings: Finding[] = [];
  const siteNames = new Map(plan.sites.map((s) => [s.site, s.name]));
  for (const e of plan.entities) {
    if (e.max !== null && e.present > e.max) {
      findings.push({
        recordId: '',
        entity: e.entity,
        field: '',
        rule: 'count.above',
        severity: 'blocking',
        message: `There are ${e.present} ${e.name.toLowerCase()} records but the proposal allows at most ${e.max}. Remove the extra ones or amend the proposal.`,
      });
    }
    for (const site of e.sites) {
      if (site.max === undefined || site.site === null || site.present <= site.max) continue;
      findings.push({
        recordId: '',
        entity: e.entity,
        field: '',
        rule: 'count.above-site',
        severity: 'blocking',
        message: `${siteNames.get(site.site) ?? site.site} has ${site.present} ${e.name.toLowerCase()} records but the quote has ${site.max} there. Move the extra ones to a site with free seats, remove them, or amend the quote.`,
      });
    }
    if (e.max !== null && e.present > e.max) continue;
    if (e.present < e.expected) {
      findings.push({
        recordId: '',
        entity: e.entity,
        field: '',
        rule: 'count.below',
        severity: 'warning',
        message: `The proposal expects ${e.expected} ${e.name.toLowerCase()} records; ${e.present} are captured.`,
      });
    }
  }
  return findings;
}

/** The secret fields of a pinned catalogue, worked out once per catalogue. */
const secretsByCatalog = new WeakMap<Catalog, SecretFields>();
function secretsOf(catalog: Catalog): SecretFields {
  let secrets = secretsByCatalog.get(catalog);
  if (!secrets) secretsByCatalog.set(catalog, (secrets = secretFieldsOf(catalog)));
  return secrets;
}

/** A history entry with any secret value masked (history never reveals). */
function maskHistory(secrets: SecretFields, e: HistoryEntry): HistoryEntry {
  const mask = (v: unknown) =>
    e.field !== ''
      ? maskValues(secrets, e.entity, { [e.field]: v })[e.field]
      : v && typeof v === 'object'
        ? maskValues(secrets, e.entity, v as Record<string, unknown>)
        : v;
  return { ...e, oldValue: mask(e.oldValue), newValue: mask(e.newValue) };
}

/**
 * What a caller may see of a record: a customer link sees only the customer's fields; secret
 * fields are masked for everyone but those in `reveal` (authorised and audited by the caller).
 */
function presentRecord(
  catalog: Catalog,
  stored: StoredRecord,
  principal: Principal,
  reveal: ReadonlySet<string> = new Set(),
): StoredRecord {
  const masked = maskValues(secretsOf(catalog), stored.entity, stored.values, reveal);
  const record = masked === stored.values ? stored : { ...stored, values: masked };
  if (!isCustomer(principal)) return record;
  return {
    ...record,
    values: pickReadable(catalog, principal, record.entity, record.values),
    provenance: pickReadable(catalog, principal, record.entity, record.provenance),
  };
}

/** A write without the masked secrets a client sent back unchanged: the stored secret stays. */
function withoutMasks(op: WriteOp): WriteOp {
  const strip = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).filter(([, v]) => v !== MASK));
  if (op.op === 'update') return { ...op, patch: strip(op.patch) };
  if (op.op === 'create') return { ...op, values: strip(op.values) };
  return op;
}

/** How a write came in, besides who made it: all optional. */
export interface WriteOptions {
  /** The channel (default: `portal` for a customer link, else `api`). */
  source?: Source;
  /** A note for the history (interview answers). */
  note?: string;
  /** Where the values of operation `i` sit in the request, for error pointers. */
  valuesPointer?: (index: number) => string;
  /** The token name, the proposal part (default for staff: the token's name). */
  detail?: string;
}

/** Reads and writes records on behalf of a caller; decides the channel and what a customer link may see. */
export class CaptureService {
  readonly engine: CaptureEngine;

  constructor(
    private readonly db: Kysely<Database>,
    readonly contexts: ContextCache,
    private readonly now: () => Date,
    /**
     * Runs a full re-validation elsewhere (on PostgreSQL, the import worker thread: seconds of CPU
     * at 100,000 records that would hold this thread); in-process without it.
     */
    private readonly revalidator?: (acquisitionId: string) => Promise<Revalidation>,
  ) {
    this.engine = new CaptureEngine(db, contexts, now);
  }

  /**
   * The channel and actor of a caller: a customer link writes through the portal, a token through
   * the API; `detail` replaces the token's name (an interview call).
   */
  originOf(principal: Principal, { source, note, detail }: WriteOptions = {}): Origin {
    if (isCustomer(principal))
      return {
        source: source ?? 'portal',
        actor: principal.name,
        customerOnly: true,
        ...(detail ? { detail } : {}),
        ...(note ? { note } : {}),
      };
    return {
      source: source ?? 'api',
      actor: principal.name,
      detail: detail ?? `token ${principal.name}`,
      ...(note ? { note } : {}),
    };
  }

  /**
   * The findings a caller may see of these records (see `scopeFindings`): a link sees those on
   * its fields, with staff values hidden from their messages.
   */
  async visibleFindings(
    acquisitionId: string,
    findings: readonly Finding[],
    principal: Caller,
  ): Promise<Finding[]> {
    if (!isCustomer(principal)) return [...findings];
    const { catalog } = await this.contexts.get(acquisitionId);
    const ids = [...new Set(findings.map((f) => f.recordId).filter((id) => id !== ''))];
    const records = await new CaptureRepository(this.db).getRecords(acquisitionId, ids);
    const values = new Map(records.map((r) => [r.id, r.values]));
    return scopeFindings(catalog, principal, findings, (id) => values.get(id));
  }

  /** How many records each entity has. */
  async countByEntity(acquisitionId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('records')
      .select(['entity', (eb) => eb.fn.countAll<number>().as('n')])
      .where('acquisition_id', '=', acquisitionId)
      .groupBy('entity')
      .execute();
    return new Map(rows.map((r) => [r.entity, Number(r.n)]));
  }

  async list(
    acquisitionId: string,
    query: RecordQuery,
    principal: Principal,
    revealFields: readonly string[] = [],
  ): Promise<{ total: number; records: StoredRecord[] }> {
    const ctx = await this.contexts.get(acquisitionId);
    const reveal = this.authorizeReveal(ctx.catalog, principal, acquisitionId, revealFields);
    let base = this.db.selectFrom('records').where('acquisition_id', '=', acquisitionId);
    if (query.entity) base = base.where('entity', '=', query.entity);
    if (query.site) base = base.where('site', '=', query.site);
    if (isCustomer(principal)) {
      const entities = customerEntities(ctx.catalog);
      base = base.where('entity', 'in', entities.length > 0 ? entities : ['']);
    } else if (query.owner) {
      const owner = query.owner;
      const entities = [...ctx.catalog.entities.values()]
        .filter((e) => e.fields.some((f) => f.owner === owner))
        .map((e) => e.id);
      base = base.where('entity', 'in', entities.length > 0 ? entities : ['']);
    }
    if (query.severity) {
      const severity = query.severity;
      base = base.where('id', 'in', (eb) =>
        eb
          .selectFrom('findings')
          .select('record_id')
          .where('acquisition_id', '=', acquisitionId)
          .where('severity', '=', severity),
      );
    }
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base
        .selectAll()
        .orderBy('entity')
        .orderBy('slot')
        .orderBy('id')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
    ]);
    const stored = rows.map(toStoredRecord);
    await this.auditReveal(principal, acquisitionId, revealFields, reveal, stored);
    const records = stored.map((r) => presentRecord(ctx.catalog, r, principal, reveal));
    return { total: Number(count.n), records };
  }

  async get(
    acquisitionId: string,
    id: string,
    principal: Principal,
    revealFields: readonly string[] = [],
  ): Promise<StoredRecord> {
    const record = await new CaptureRepository(this.db).getRecord(acquisitionId, id);
    if (!record) throw captureErrors.recordNotFound(id);
    const { catalog } = await this.contexts.get(acquisitionId);
    if (!canReadEntity(catalog, principal, record.entity)) throw captureErrors.recordNotFound(id);
    const reveal = this.authorizeReveal(catalog, principal, acquisitionId, revealFields);
    await this.auditReveal(principal, acquisitionId, revealFields, reveal, [record]);
    return presentRecord(catalog, record, principal, reveal);
  }

  private authorizeReveal(
    catalog: Catalog,
    principal: Principal,
    acquisitionId: string,
    fields: readonly string[],
  ): Set<string> {
    return new SecretReveals(this.db).authorize(catalog, principal, {
      acquisitionId,
      fields,
      channel: 'records',
    });
  }

  /** One audit row per record and revealed field that holds a value. */
  private async auditReveal(
    principal: Principal,
    acquisitionId: string,
    fields: readonly string[],
    reveal: ReadonlySet<string>,
    records: readonly StoredRecord[],
  ): Promise<void> {
    if (reveal.size === 0) return;
    const shown = records
      .map((r) => ({
        entity: r.entity,
        recordId: r.id,
        fields: [...reveal].filter((f) => isSecretField(r.entity, f) && isGiven(r.values[f])),
      }))
      .filter((s) => s.fields.length > 0);
    await new SecretReveals(this.db).record(
      principal,
      { acquisitionId, fields, channel: 'records' },
      shown,
      this.now().toISOString(),
    );
  }

  async write(
    acquisitionId: string,
    ops: readonly WriteOp[],
    principal: Principal,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const origin = this.originOf(principal, options);
    const { valuesPointer } = options;
    const { catalog } = await this.contexts.get(acquisitionId);
    const result = await this.engine.write(
      acquisitionId,
      ops.map(withoutMasks),
      valuesPointer ? { ...origin, valuesPointer } : origin,
    );
    return {
      ...result,
      records: result.records.map((r) => presentRecord(catalog, r, principal)),
      findings: await this.visibleFindings(acquisitionId, result.findings, principal),
    };
  }

  /** Every record of an acquisition, without provenance (for the handover). */
  async allRecords(acquisitionId: string): Promise<StoredRecord[]> {
    return new CaptureRepository(this.db).recordsForValidation(acquisitionId);
  }

  /** Every record of one entity (for templates and exports). */
  async recordsOfEntity(acquisitionId: string, entity: string): Promise<StoredRecord[]> {
    return new CaptureRepository(this.db).recordsOfEntities(acquisitionId, [entity]);
  }

  /** The findings of these records the caller may see. */
  /** A page of records with the findings on them the caller may see (the records list). */
  async pageWithFindings(
    acquisitionId: string,
    query: RecordQuery,
    principal: Principal,
    { reveal = [] }: { reveal?: readonly string[] } = {},
  ): Promise<{ total: number; records: StoredRecord[]; findings: Finding[] }> {
    const page = await this.list(acquisitionId, query, principal, reveal);
    const ids = page.records.map((r) => r.id);
    return { ...page, findings: await this.findingsOfRecords(acquisitionId, ids, principal) };
  }

  async findingsOfRecords(
    acquisitionId: string,
    ids: readonly string[],
    principal: Principal,
  ): Promise<Finding[]> {
    const findings = await new CaptureRepository(this.db).findings(acquisitionId, {
      recordIds: ids,
    });
    return this.visibleFindings(acquisitionId, findings, principal);
  }

  async findings(
    acquisitionId: string,
    filter: { entity?: string; severity?: Severity },
    plan: Plan,
  ): Promise<Finding[]> {
    const stored = await new CaptureRepository(this.db).findings(acquisitionId, filter);
    const counted = countFindings(plan).filter(
      (f) =>
        (!filter.entity || f.entity === filter.entity) &&
        (!filter.severity || f.severity === filter.severity),
    );
    return [...counted, ...stored];
  }

  async history(acquisitionId: string, id: string, principal: Principal): Promise<HistoryEntry[]> {
    const record = await this.get(acquisitionId, id, principal);
    const { catalog } = await this.contexts.get(acquisitionId);
    const secrets = secretsOf(catalog);
    const entries = (await new CaptureRepository(this.db).history(acquisitionId, id)).map((e) =>
      maskHistory(secrets, e),
    );
    const fields = readableFields(catalog, principal, record.entity);
    return fields ? entries.filter((e) => fields.has(e.field)) : entries;
  }

  async revalidate(acquisitionId: string): Promise<Revalidation> {
    if (this.revalidator) return this.revalidator(acquisitionId);
    // On SQLite, an import of the acquisition being staged would be refused at its end: it waits.
    await afterStagedImport(acquisitionId);
    return revalidateAcquisition(this.db, await this.contexts.get(acquisitionId), this.now());
  }

  catalogOf(acquisitionId: string): Promise<Catalog> {
    return this.contexts.get(acquisitionId).then((c) => c.catalog);
  }
}
