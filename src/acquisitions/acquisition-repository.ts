import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { AcquisitionTable, Database } from '../db/schema.js';
import { ratio } from '../plan/completeness.js';
import type { Proposal } from '../proposals/proposal.js';
import type { Acquisition, AcquisitionState, AcquisitionWithProposal } from './acquisition.js';

const summaryColumns = [
  'id',
  'proposal_reference',
  'proposal_format',
  'customer_name',
  'state',
  'catalog_version_id',
  'required_fields',
  'satisfied_fields',
  'created_by',
  'created_at',
  'updated_at',
  'submitted_at',
  'approved_at',
  'approved_by',
  'customer_confirmation',
  'cancelled_at',
  'order_id',
  'handover_error',
  'row_version',
] as const;

type SummaryRow = Pick<Selectable<AcquisitionTable>, (typeof summaryColumns)[number]>;

const toAcquisition = (row: SummaryRow): Acquisition => ({
  id: row.id,
  proposalReference: row.proposal_reference,
  proposalFormat: row.proposal_format as Proposal['format'],
  customerName: row.customer_name,
  state: row.state as AcquisitionState,
  catalogVersion: row.catalog_version_id,
  completeness: ratio(Number(row.satisfied_fields), Number(row.required_fields)),
  requiredFields: Number(row.required_fields),
  satisfiedFields: Number(row.satisfied_fields),
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  submittedAt: row.submitted_at,
  approvedAt: row.approved_at,
  approvedBy: row.approved_by,
  customerConfirmation: row.customer_confirmation,
  cancelledAt: row.cancelled_at,
  orderId: row.order_id,
  handoverError: row.handover_error,
  version: Number(row.row_version),
});

/** An acquisition's state, and a key that changes whenever its records, findings or follow-ups do. */
export interface DataVersion {
  state: AcquisitionState;
  handoverError: string | null;
  key: string;
}

/** Filter and page of the acquisitions list. */
export interface AcquisitionQuery {
  state?: AcquisitionState;
  /** Matches the customer name or the proposal reference, case-insensitively. */
  search?: string;
  offset: number;
  limit: number;
}

/** Required and satisfied field counts of an acquisition (its completeness follows from them). */
export interface FieldTotals {
  required: number;
  satisfied: number;
}

/** What a lifecycle transition writes besides the new state. */
export type TransitionChanges = Pick<
  Updateable<AcquisitionTable>,
  'submitted_at' | 'approved_at' | 'approved_by' | 'customer_confirmation' | 'cancelled_at'
>;

/**
 * The one owner of the `acquisitions` table: no other code writes its rows. Every method works in
 * the handle it is given, so callers pass their transaction (`new AcquisitionRepository(trx)`).
 */
export class AcquisitionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(acquisition: AcquisitionWithProposal): Promise<void> {
    await this.db
      .insertInto('acquisitions')
      .values({
        id: acquisition.id,
        proposal_reference: acquisition.proposalReference,
        proposal_format: acquisition.proposalFormat,
        customer_name: acquisition.customerName,
        state: acquisition.state,
        catalog_version_id: acquisition.catalogVersion,
        proposal: JSON.stringify(acquisition.proposal),
        required_fields: acquisition.requiredFields,
        satisfied_fields: acquisition.satisfiedFields,
        created_by: acquisition.createdBy,
        created_at: acquisition.createdAt,
        updated_at: acquisition.updatedAt,
        submitted_at: null,
        approved_at: null,
        approved_by: null,
        customer_confirmation: null,
        cancelled_at: null,
        order_id: null,
        handover_error: null,
      })
      .execute();
  }

  /** Sets an acquisition's field counts (an acquisition just opened, a full re-validation). */
  async setTotals(id: string, totals: FieldTotals, at?: string): Promise<void> {
    await this.db
      .updateTable('acquisitions')
      .set({
        required_fields: totals.required,
        satisfied_fields: totals.satisfied,
        data_version: sql`data_version + 1`,
        ...(at === undefined ? {} : { updated_at: at }),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Adds to an acquisition's field counts what a capture write changed, in one statement, so that
   * writes running side by side (PostgreSQL) each add their own.
   */
  async adjustTotals(id: string, delta: FieldTotals, at: string): Promise<void> {
    const required = sql<number>`cast(${delta.required} as integer)`;
    const satisfied = sql<number>`cast(${delta.satisfied} as integer)`;
    await this.db
      .updateTable('acquisitions')
      .set({
        required_fields: sql`required_fields + ${required}`,
        satisfied_fields: sql`satisfied_fields + ${satisfied}`,
        data_version: sql`data_version + 1`,
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Moves an acquisition to `state` if its version is still `expectedVersion`; returns the new
   * version, or undefined when someone else changed it meanwhile.
   */
  async transition(
    id: string,
    expectedVersion: number,
    state: AcquisitionState,
    changes: TransitionChanges,
    at: string,
  ): Promise<number | undefined> {
    const result = await this.db
      .updateTable('acquisitions')
      .set({ ...changes, state, updated_at: at, row_version: expectedVersion + 1 })
      .where('id', '=', id)
      .where('row_version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? expectedVersion + 1 : undefined;
  }

  /**
   * Takes the next number of the acquisition's event sequence (the outbox orders its events by
   * it). The first event, the acquisition's creation, is number 1, which a new row starts at.
   */
  async nextEventSequence(id: string): Promise<number> {
    const row = await this.db
      .updateTable('acquisitions')
      .set({ event_seq: sql`event_seq + 1` })
      .where('id', '=', id)
      .returning('event_seq')
      .executeTakeFirstOrThrow();
    return Number(row.event_seq);
  }

  /**
   * Takes the acquisition's row lock for the rest of the transaction (a no-op update), so that two
   * writes that count its records (PostgreSQL runs them side by side) see each other's.
   */
  async lock(id: string): Promise<void> {
    await this.db
      .updateTable('acquisitions')
      .set({ row_version: sql`row_version` })
      .where('id', '=', id)
      .execute();
  }

  /** Records the order system's id of the accepted order, and clears the last handover error. */
  async recordOrder(id: string, orderId: string | null): Promise<void> {
    await this.db
      .updateTable('acquisitions')
      .set({ order_id: orderId, handover_error: null })
      .where('id', '=', id)
      .execute();
  }

  /** Why the last handover attempt failed; null clears it. */
  async recordHandoverError(id: string, reason: string | null): Promise<void> {
    await this.db
      .updateTable('acquisitions')
      .set({ handover_error: reason })
      .where('id', '=', id)
      .execute();
  }

  /** The acquisition's state as stored now (for a write that must see it inside its transaction). */
  async stateOf(id: string): Promise<AcquisitionState | undefined> {
    const row = await this.db
      .selectFrom('acquisitions')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.state as AcquisitionState | undefined;
  }

  /**
   * What views worked out from all of an acquisition's data are kept under: its state, handover
   * error, data version, and how many follow-ups it has and how many are resolved (follow-ups are
   * only ever added or resolved, so the two counts move with every change to them).
   */
  async dataVersion(id: string): Promise<DataVersion | undefined> {
    const row = await this.db
      .selectFrom('acquisitions as a')
      .select((eb) => [
        'a.state',
        'a.handover_error',
        'a.data_version',
        eb
          .selectFrom('follow_ups as f')
          .select((f) => f.fn.countAll<number>().as('n'))
          .whereRef('f.acquisition_id', '=', 'a.id')
          .as('follow_ups'),
        eb
          .selectFrom('follow_ups as f')
          .select((f) => f.fn.count<number>('f.resolved_at').as('n'))
          .whereRef('f.acquisition_id', '=', 'a.id')
          .as('resolved'),
      ])
      .where('a.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      state: row.state as AcquisitionState,
      handoverError: row.handover_error,
      key: `${Number(row.data_version)}/${Number(row.follow_ups)}/${Number(row.resolved)}`,
    };
  }

  async findById(id: string): Promise<AcquisitionWithProposal | undefined> {
    const row = await this.db
      .selectFrom('acquisitions')
      .select([...summaryColumns, 'proposal'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toAcquisition(row), proposal: JSON.parse(row.proposal) as Proposal };
  }

  async findIdByReference(reference: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('acquisitions')
      .select('id')
      .where('proposal_reference', '=', reference)
      .executeTakeFirst();
    return row?.id;
  }

  async list(query: AcquisitionQuery): Promise<{ total: number; items: Acquisition[] }> {
    let base = this.db.selectFrom('acquisitions');
    if (query.state) base = base.where('state', '=', query.state);
    if (query.search) {
      const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where(
        sql<boolean>`(lower(customer_name) like ${pattern} escape '\\' or lower(proposal_reference) like ${pattern} escape '\\')`,
      );
    }
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base
        .select(summaryColumns)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
    ]);
    return { total: Number(count.n), items: rows.map(toAcquisition) };
  }

  /** For the list: blocking findings, and open follow-ups with the earliest due date, per acquisition. */
  async attention(
    ids: readonly string[],
  ): Promise<
    Map<string, { blockingFindings: number; openFollowUps: number; nextFollowUp: string | null }>
  > {
    const out = new Map(
      ids.map((id) => [
        id,
        { blockingFindings: 0, openFollowUps: 0, nextFollowUp: null as string | null },
      ]),
    );
    if (ids.length === 0) return out;
    const [findings, followUps] = await Promise.all([
      this.db
        .selectFrom('findings')
        .select(['acquisition_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('acquisition_id', 'in', ids)
        .where('severity', '=', 'blocking')
        .groupBy('acquisition_id')
        .execute(),
      this.db
        .selectFrom('follow_ups')
        .select([
          'acquisition_id',
          (eb) => eb.fn.countAll<number>().as('n'),
          (eb) => eb.fn.min('due_date').as('next'),
        ])
        .where('acquisition_id', 'in', ids)
        .where('resolved_at', 'is', null)
        .groupBy('acquisition_id')
        .execute(),
    ]);
    for (const f of findings) out.get(f.acquisition_id)!.blockingFindings = Number(f.n);
    for (const f of followUps) {
      const entry = out.get(f.acquisition_id)!;
      entry.openFollowUps = Number(f.n);
      entry.nextFollowUp = f.next;
    }
    return out;
  }
}
