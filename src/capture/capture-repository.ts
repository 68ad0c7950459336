import { bulkInsert, bulkUpdate, isPostgresDb, replaceOwnedRows } from '../db/bulk.js';
import { rowPages } from '../db/row-pages.js';
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { Database, RecordTable } from '../db/schema.js';
import { openHistoryValue, openValues, sealHistoryValue, sealValues } from '../secrets/sealing.js';
import type { CapturedRecord, Finding, Provenance, RecordKey, Severity } from './record.js';
import { StoredKeys, type StoredKey } from './stored-keys.js';

/** A stored record with its bookkeeping. */
export interface StoredRecord extends CapturedRecord {
  acquisitionId: string;
  provenance: Record<string, Provenance>;
  status: 'valid' | 'draft';
  requiredCount: number;
  satisfiedCount: number;
  version: number;
  /** See `validationDigest`. */
  digest: string;
  createdAt: string;
  updatedAt: string;
}

/** A record read without its provenance (for validation, the plan and the interview). */
const toLightRecord = (row: Omit<Selectable<RecordTable>, 'provenance'>): StoredRecord => ({
  id: row.id,
  acquisitionId: row.acquisition_id,
  entity: row.entity,
  slot: row.slot,
  site: row.site,
  values: openValues(row.entity, JSON.parse(row.values) as Record<string, unknown>),
  provenance: {},
  status: row.status as StoredRecord['status'],
  requiredCount: Number(row.required_count),
  satisfiedCount: Number(row.satisfied_count),
  version: Number(row.version),
  digest: row.digest,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toStoredRecord = (row: Selectable<RecordTable>): StoredRecord => ({
  ...toLightRecord(row),
  provenance: JSON.parse(row.provenance) as Record<string, Provenance>,
});

/** JSON text of a value (`JSON.stringify`), kept per object when `texts` is given. */
function jsonOf(value: object, texts?: Map<object, string>): string {
  let text = texts?.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts?.set(value, text);
  }
  return text;
}

/**
 * A record as its row. With `texts`, the JSON of values and provenance objects records share (an
 * opening's records of a slot group share their pre-filled values) is built once.
 */
const toRow = (
  r: StoredRecord,
  texts?: Map<object, string>,
): Omit<RecordTable, 'digest'> & { digest: string } => ({
  id: r.id,
  acquisition_id: r.acquisitionId,
  entity: r.entity,
  slot: r.slot,
  site: r.site,
  values: jsonOf(sealValues(r.entity, r.values), texts),
  provenance: jsonOf(r.provenance, texts),
  status: r.status,
  required_count: r.requiredCount,
  satisfied_count: r.satisfiedCount,
  version: r.version,
  digest: r.digest,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** The field of a history row that holds a change to several fields. */
const MANY_FIELDS = '*';

const RECORD_COLUMNS = [
  'id',
  'acquisition_id',
  'entity',
  'slot',
  'site',
  'values',
  'provenance',
  'status',
  'required_count',
  'satisfied_count',
  'version',
  'digest',
  'created_at',
  'updated_at',
] as const;

/** The columns an update of a record sets. */
const UPDATED_COLUMNS = [
  'values',
  'provenance',
  'status',
  'required_count',
  'satisfied_count',
  'version',
  'digest',
  'updated_at',
  'site',
] as const;

/** Every record column but the provenance, for validation work that does not need it. */
const LIGHT_COLUMNS = RECORD_COLUMNS.filter(
  (c): c is Exclude<(typeof RECORD_COLUMNS)[number], 'provenance'> => c !== 'provenance',
);

/**
 * A record's row as a full validation reads it: its values as stored (secret fields sealed, JSON
 * text), what validation concluded last, and nothing it does not compare.
 */
export interface ValidationRow {
  id: string;
  entity: string;
  slot: string | null;
  site: string | null;
  values: string;
  status: string;
  required_count: number;
  satisfied_count: number;
  digest: string;
}

export type { StoredKey };

/** One change of one field, for the append-only history. */
export interface HistoryEntry {
  recordId: string;
  recordVersion: number;
  seq: number;
  acquisitionId: string;
  entity: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  source: string;
  sourceDetail?: string;
  actor: string;
  note?: string;
  at: string;
}

/** Records, their keys, findings and history. Every method runs on the executor it was built on (a transaction or not). */
export class CaptureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The executor (transaction) this repository runs on, as a key for what may be cached within it. */
  get executor(): object {
    return this.db;
  }

  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    const texts = new Map<object, string>();
    await bulkInsert(
      this.db,
      'records',
      RECORD_COLUMNS,
      records.map((r) => {
        const row = toRow(r, texts);
        return RECORD_COLUMNS.map((c) => row[c]);
      }),
    );
  }

  /**
   * Updates many records in multi-row statements, each only if it still has its expected version.
   * Returns the ids of those another writer changed first (the others are updated: the caller
   * throws, and the transaction rolls back).
   */
  async updateRecords(
    updates: readonly { record: StoredRecord; expectedVersion: number }[],
  ): Promise<string[]> {
    const updated = await bulkUpdate(
      this.db,
      'records',
      UPDATED_COLUMNS,
      updates.map(({ record }) => {
        const row = toRow(record);
        return { id: record.id, values: UPDATED_COLUMNS.map((c) => row[c]) };
      }),
      { onlyIf: { column: 'version', values: updates.map((u) => u.expectedVersion) } },
    );
    if (updated.length === updates.length) return [];
    const done = new Set(updated);
    return updates.filter((u) => !done.has(u.record.id)).map((u) => u.record.id);
  }

  /** Records what validation concluded for each record: its status and digest (and counts, when given). */
  async setValidation(
    updates: readonly {
      id: string;
      status: 'valid' | 'draft';
      digest: string;
      requiredCount?: number;
      satisfiedCount?: number;
    }[],
  ): Promise<void> {
    const plain = updates.filter((u) => u.requiredCount === undefined);
    const counted = updates.filter((u) => u.requiredCount !== undefined);
    await bulkUpdate(
      this.db,
      'records',
      ['status', 'digest'],
      plain.map((u) => ({ id: u.id, values: [u.status, u.digest] })),
    );
    await bulkUpdate(
      this.db,
      'records',
      ['status', 'digest', 'required_count', 'satisfied_count'],
      counted.map((u) => ({
        id: u.id,
        values: [u.status, u.digest, u.requiredCount, u.satisfiedCount],
      })),
    );
  }

  /** Every record of an acquisition without its provenance: for validation, the plan and the interview. */
  async recordsForValidation(acquisitionId: string): Promise<StoredRecord[]> {
    const rows = await this.db
      .selectFrom('records')
      .select(LIGHT_COLUMNS)
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('id')
      .execute();
    return rows.map(toLightRecord);
  }

  /**
   * Every record of an acquisition as a full validation reads it, in no particular order: the
   * statement text is built directly (the rows are the cost, not the query).
   */
  async validationRows(acquisitionId: string): Promise<ValidationRow[]> {
    const mark = isPostgresDb(this.db) ? '$1' : '?';
    const { rows } = await this.db.executeQuery<ValidationRow>(
      CompiledQuery.raw(
        `select "id", "entity", "slot", "site", "values", "status", "required_count", "satisfied_count", "digest" from "records" where "acquisition_id" = ${mark}`,
        [acquisitionId],
      ),
    );
    return rows;
  }

  /** The id and version of every record of an acquisition, by id: what changed since a read. */
  async recordVersions(acquisitionId: string): Promise<{ id: string; version: number }[]> {
    const rows = await this.db
      .selectFrom('records')
      .select(['id', 'version'])
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, version: Number(r.version) }));
  }

  async deleteRecord(id: string, expectedVersion: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('records')
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async getRecord(acquisitionId: string, id: string): Promise<StoredRecord | undefined> {
    const row = await this.db
      .selectFrom('records')
      .selectAll()
      .where('id', '=', id)
      .where('acquisition_id', '=', acquisitionId)
      .executeTakeFirst();
    return row && toStoredRecord(row);
  }

  async getRecords(acquisitionId: string, ids: readonly string[]): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    // By id alone, then the acquisition checked here: with `acquisition_id = ?` in the statement,
    // SQLite walks the acquisition's index (every record of it) instead of the primary key.
    for (const part of chunks(ids, 500)) {
      const rows = await this.db
        .selectFrom('records')
        .selectAll()
        .where('id', 'in', part)
        .execute();
      for (const row of rows)
        if (row.acquisition_id === acquisitionId) out.push(toStoredRecord(row));
    }
    return out;
  }

  /**
   * Every record of an entity, handed to `visit` a page at a time in id order, so that no
   * more than a page of whole records is in memory at once.
   */
  async eachRecordPage(
    acquisitionId: string,
    entity: string,
    pageSize: number,
    visit: (records: StoredRecord[]) => void,
  ): Promise<void> {
    const query = this.db
      .selectFrom('records')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', '=', entity)
      .orderBy('id')
      .compile();
    for await (const rows of rowPages<Selectable<RecordTable>>(this.db, query, pageSize))
      visit(rows.map(toStoredRecord));
  }

  async recordsOfEntities(
    acquisitionId: string,
    entities: readonly string[],
    options: { withProvenance?: boolean } = {},
  ): Promise<StoredRecord[]> {
    if (entities.length === 0) return [];
    if (options.withProvenance === false) {
      const rows = await this.db
        .selectFrom('records')
        .select(LIGHT_COLUMNS)
        .where('acquisition_id', '=', acquisitionId)
        .where('entity', 'in', entities)
        .orderBy('id')
        .execute();
      return rows.map(toLightRecord);
    }
    const rows = await this.db
      .selectFrom('records')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', 'in', entities)
      .orderBy('id')
      .execute();
    return rows.map(toStoredRecord);
  }

  /** How many records each of the entities has in the acquisition. */
  async countByEntity(
    acquisitionId: string,
    entities: readonly string[],
  ): Promise<Map<string, number>> {
    if (entities.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('records')
      .select(['entity', (eb) => eb.fn.countAll<number>().as('n')])
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', 'in', entities)
      .groupBy('entity')
      .execute();
    return new Map(rows.map((r) => [r.entity, Number(r.n)]));
  }

  /** Slots already taken in an acquisition, for an entity. */
  async takenSlots(acquisitionId: string, entity: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('records')
      .select('slot')
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', '=', entity)
      .where('slot', 'is not', null)
      .execute();
    return new Set(rows.map((r) => r.slot!));
  }

  /** Every stored key matching one of the given keys (any record, any acquisition for global scope). */
  holdersOf(keys: readonly RecordKey[], exceptAcquisition?: string): Promise<StoredKey[]> {
    return new StoredKeys(this.db).holdersOf(keys, exceptAcquisition);
  }

  /** The stored holders of distinct values of one kind and scope (`StoredKeys.holdersOfValues`). */
  holdersOfValues(
    kind: string,
    scope: string,
    values: readonly string[],
    exceptAcquisition?: string,
  ): Promise<StoredKey[]> {
    return new StoredKeys(this.db).holdersOfValues(kind, scope, values, exceptAcquisition);
  }

  async replaceKeys(
    acquisitionId: string,
    recordIds: readonly string[],
    keys: readonly StoredKey[],
  ): Promise<void> {
    // A key the record keeps is left in place (an import that fills a planned record keeps its
    // site reference): only the keys not among the new ones are deleted. Which keys are stored is
    // not assumed from the old values; the new ones are inserted unless already there.
    await replaceOwnedRows(this.db, 'record_keys', {
      owners: recordIds,
      identity: ['record_id', 'kind', 'key_value'],
      columns: ['record_id', 'kind', 'key_value', 'scope', 'acquisition_id'],
      rows: keys.map((k) => [k.recordId, k.kind, k.value.slice(0, 400), k.scope, acquisitionId]),
    });
  }

  async replaceFindings(
    acquisitionId: string,
    recordIds: readonly string[],
    findings: readonly Finding[],
  ): Promise<void> {
    for (const part of chunks(recordIds, 500))
      await this.db.deleteFrom('findings').where('record_id', 'in', part).execute();
    await this.insertFindings(acquisitionId, findings);
  }

  async insertFindings(acquisitionId: string, findings: readonly Finding[]): Promise<void> {
    await bulkInsert(
      this.db,
      'findings',
      ['record_id', 'rule', 'field', 'acquisition_id', 'entity', 'severity', 'message', 'related'],
      findings.map((f) => [
        f.recordId,
        f.rule,
        f.field,
        acquisitionId,
        f.entity,
        f.severity,
        f.message,
        f.related ? JSON.stringify(f.related) : null,
      ]),
      { ignoreConflicts: true },
    );
  }

  /** The findings of an acquisition, optionally of some records, an entity or a severity. */
  async findings(
    acquisitionId: string,
    filter: {
      recordIds?: readonly string[];
      entity?: string;
      severity?: Severity;
      limit?: number;
    } = {},
  ): Promise<Finding[]> {
    let query = this.db
      .selectFrom('findings')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId);
    if (filter.recordIds) {
      if (filter.recordIds.length === 0) return [];
      query = query.where('record_id', 'in', filter.recordIds);
    }
    if (filter.entity) query = query.where('entity', '=', filter.entity);
    if (filter.severity) query = query.where('severity', '=', filter.severity);
    const rows = await query
      .orderBy('entity')
      .orderBy('record_id')
      .orderBy('field')
      .orderBy('rule')
      .limit(filter.limit ?? 100000)
      .execute();
    return rows.map((r) => ({
      recordId: r.record_id,
      entity: r.entity,
      field: r.field,
      rule: r.rule,
      severity: r.severity as Severity,
      message: r.message,
      ...(r.related ? { related: JSON.parse(r.related) as string[] } : {}),
    }));
  }

  /**
   * Appends history. The entries of one change to several fields of a record are stored as one
   * row (field `*`, old and new values as objects by field) and read back as one entry per field:
   * a spreadsheet row that fills four fields writes one history row, not four.
   */
  async appendHistory(entries: readonly HistoryEntry[]): Promise<void> {
    const groups = new Map<string, HistoryEntry[]>();
    for (const e of entries) {
      const key = `${e.recordId}\u0000${e.recordVersion}`;
      const group = groups.get(key);
      if (group) group.push(e);
      else groups.set(key, [e]);
    }
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    const stored = (e: HistoryEntry, value: unknown) => sealHistoryValue(e.entity, e.field, value);
    const rows: unknown[][] = [];
    for (const group of groups.values()) {
      const e = group[0]!;
      const several = group.length > 1;
      rows.push([
        e.recordId,
        e.recordVersion,
        several ? 0 : e.seq,
        e.acquisitionId,
        e.entity,
        several ? MANY_FIELDS : e.field,
        several
          ? json(Object.fromEntries(group.map((g) => [g.field, stored(g, g.oldValue ?? null)])))
          : json(stored(e, e.oldValue)),
        several
          ? json(Object.fromEntries(group.map((g) => [g.field, stored(g, g.newValue ?? null)])))
          : json(stored(e, e.newValue)),
        e.source,
        e.sourceDetail ?? null,
        e.actor,
        e.note ?? null,
        e.at,
      ]);
    }
    await bulkInsert(
      this.db,
      'record_history',
      [
        'record_id',
        'record_version',
        'seq',
        'acquisition_id',
        'entity',
        'field',
        'old_value',
        'new_value',
        'source',
        'source_detail',
        'actor',
        'note',
        'at',
      ],
      rows,
    );
  }

  async history(acquisitionId: string, recordId: string): Promise<HistoryEntry[]> {
    const rows = await this.db
      .selectFrom('record_history')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('record_id', '=', recordId)
      .orderBy('record_version')
      .orderBy('seq')
      .execute();
    const parse = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));
    return rows.flatMap((r) => {
      const base = {
        recordId: r.record_id,
        recordVersion: Number(r.record_version),
        acquisitionId: r.acquisition_id,
        entity: r.entity,
        source: r.source,
        ...(r.source_detail ? { sourceDetail: r.source_detail } : {}),
        actor: r.actor,
        ...(r.note ? { note: r.note } : {}),
        at: r.at,
      };
      if (r.field !== MANY_FIELDS) {
        return [
          {
            ...base,
            seq: Number(r.seq),
            field: r.field,
            oldValue: openHistoryValue(r.entity, r.field, parse(r.old_value)),
            newValue: openHistoryValue(r.entity, r.field, parse(r.new_value)),
          },
        ];
      }
      const before = (parse(r.old_value) ?? {}) as Record<string, unknown>;
      const after = (parse(r.new_value) ?? {}) as Record<string, unknown>;
      return Object.keys(after).map((field, seq) => ({
        ...base,
        seq,
        field,
        oldValue: openHistoryValue(r.entity, field, before[field] ?? null),
        newValue: openHistoryValue(r.entity, field, after[field] ?? null),
      }));
    });
  }
}
