import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgresDb, tupleLookupText, valuesLookups } from '../db/bulk.js';
import type { Database } from '../db/schema.js';
import { stagingAreaOf, tableOn } from '../db/sqlite-staging.js';
import type { RecordKey } from './record.js';

/** A key as stored, with its record and acquisition. */
export interface StoredKey extends RecordKey {
  recordId: string;
  acquisitionId: string;
}

/** The columns of a stored key. */
const KEY_COLUMNS = ['record_id', 'acquisition_id', 'kind', 'key_value', 'scope'];

/**
 * Look-ups of the stored index keys (`record_keys`): who holds a key, in this acquisition or in
 * others (global scope), and in the staging area of an import being staged on SQLite.
 */
export class StoredKeys {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every stored key matching one of the given keys (any record, any acquisition for global scope). */
  async holdersOf(keys: readonly RecordKey[], exceptAcquisition?: string): Promise<StoredKey[]> {
    const unique = [
      ...new Map(keys.map((k) => [`${k.value}\u0000${k.kind}\u0000${k.scope}`, k])).values(),
    ];
    return this.holdersOfProbes(
      unique.length,
      (i, parameters) => {
        const k = unique[i]!;
        parameters.push(k.value.slice(0, 400), k.kind, k.scope);
      },
      exceptAcquisition,
    );
  }

  /**
   * The stored holders of distinct values of one kind and scope, but for those of
   * `exceptAcquisition`: a full re-validation's global keys, without a key object each and with
   * one parameter per value.
   */
  async holdersOfValues(
    kind: string,
    scope: string,
    values: readonly string[],
    exceptAcquisition?: string,
  ): Promise<StoredKey[]> {
    const cut = values.map((v) => v.slice(0, 400));
    return this.holdersIn(
      (table, except) =>
        valuesLookups(
          this.db,
          table,
          KEY_COLUMNS,
          'key_value',
          cut,
          [
            ['kind', kind],
            ['scope', scope],
          ],
          except === undefined ? undefined : ['acquisition_id', except],
        ),
      exceptAcquisition,
    );
  }

  /** Holders of `count` probes, each pushing its value, kind and scope onto the parameters. */
  private holdersOfProbes(
    count: number,
    probe: (i: number, parameters: unknown[]) => void,
    exceptAcquisition?: string,
  ): Promise<StoredKey[]> {
    return this.holdersIn(
      (table, except) => this.probeQueries(table, count, probe, except),
      exceptAcquisition,
    );
  }

  /** The keys the queries find, but for those of `exceptAcquisition`, in the staging area too. */
  private async holdersIn(
    queries: (table: string, exceptAcquisition?: string) => CompiledQuery[],
    exceptAcquisition?: string,
  ): Promise<StoredKey[]> {
    const area = stagingAreaOf(this.db);
    if (!area) return this.keysFrom(queries('record_keys', exceptAcquisition));
    // An import being staged: its acquisition's keys are in the staging copy, the others' here.
    const own =
      exceptAcquisition === area.acquisitionId
        ? []
        : await this.keysFrom(queries(tableOn(this.db, 'record_keys')));
    return [...own, ...(await this.keysFrom(queries('record_keys', area.acquisitionId)))];
  }

  /** The keys the statements select, as stored keys. */
  private async keysFrom(queries: readonly CompiledQuery[]): Promise<StoredKey[]> {
    const out: StoredKey[] = [];
    for (const query of queries) {
      const { rows } = await this.db.executeQuery<{
        record_id: string;
        acquisition_id: string;
        kind: string;
        key_value: string;
        scope: string;
      }>(query);
      for (const r of rows)
        out.push({
          recordId: r.record_id,
          acquisitionId: r.acquisition_id,
          kind: r.kind,
          value: r.key_value,
          scope: r.scope,
        });
    }
    return out;
  }

  /** The statements that look the probes up in `table`, but for keys of `exceptAcquisition`. */
  private probeQueries(
    table: string,
    count: number,
    probe: (i: number, parameters: unknown[]) => void,
    exceptAcquisition?: string,
  ): CompiledQuery[] {
    const queries: CompiledQuery[] = [];
    // One round trip per thousand keys: (key_value, kind, scope) tuples walk the index that leads
    // with key_value. The statement text is built directly (the query builder costs more than the
    // look-up for the 100,000 keys of a full re-validation).
    for (let from = 0; from < count; from += 1000) {
      const to = Math.min(count, from + 1000);
      const parameters: unknown[] = [];
      for (let i = from; i < to; i++) probe(i, parameters);
      let condition: string | undefined;
      if (exceptAcquisition !== undefined) {
        parameters.push(exceptAcquisition);
        condition = `acquisition_id <> ${isPostgresDb(this.db) ? `$${parameters.length}` : '?'}`;
      }
      const text = tupleLookupText(
        this.db,
        table,
        KEY_COLUMNS,
        ['key_value', 'kind', 'scope'],
        to - from,
        condition,
      );
      queries.push(CompiledQuery.raw(text, parameters));
    }
    return queries;
  }
}
