import { sql, type Kysely, type Selectable } from 'kysely';
import type { AcquisitionTable, Database } from '../db/schema.js';
import type { Proposal } from '../proposals/proposal.js';
import type { Acquisition, AcquisitionState, AcquisitionWithProposal } from './acquisition.js';

const summaryColumns = [
  'id',
  'proposal_reference',
  'proposal_format',
  'customer_name',
  'state',
  'catalog_version_id',
  'completeness',
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
] as const;

type SummaryRow = Pick<Selectable<AcquisitionTable>, (typeof summaryColumns)[number]>;

const toAcquisition = (row: SummaryRow): Acquisition => ({
  id: row.id,
  proposalReference: row.proposal_reference,
  proposalFormat: row.proposal_format as Proposal['format'],
  customerName: row.customer_name,
  state: row.state as AcquisitionState,
  catalogVersion: row.catalog_version_id,
  completeness: Number(row.completeness),
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
});

/** Filter and page of the acquisitions list. */
export interface AcquisitionQuery {
  state?: AcquisitionState;
  /** Matches the customer name or the proposal reference, case-insensitively. */
  search?: string;
  offset: number;
  limit: number;
}

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
        completeness: acquisition.completeness,
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
