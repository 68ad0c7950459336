import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/roles.js';
import type { CatalogRepository } from '../catalog/catalog-repository.js';
import type { Catalog } from '../catalog/model.js';
import { isUniqueViolation } from '../db/connect.js';
import { errors } from '../errors.js';
import { determinePlan } from '../plan/determine-plan.js';
import { listPlanSlots, type SlotQuery } from '../plan/list-plan-slots.js';
import type { Plan, PlanRecord, PlanSlot } from '../plan/plan.js';
import { readProposal } from '../proposals/read-proposal.js';
import type { AcquisitionWithProposal } from './acquisition.js';
import {
  AcquisitionRepository,
  type AcquisitionQuery,
  type DataVersion,
} from './acquisition-repository.js';
import { DataVersionCache } from './data-version-cache.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { appendEvents } from '../outbox/outbox.js';
import { ratio } from '../plan/completeness.js';

/**
 * The records side of an acquisition, which capture/ provides (capture depends on acquisitions,
 * not the reverse; the composition root, server.ts, joins them).
 */
export interface AcquisitionRecords {
  /**
   * Creates a new acquisition's records, one per plan slot with what the proposal pre-fills, in
   * its opening transaction; each with its required and satisfied field counts.
   */
  materialize(
    trx: Kysely<Database>,
    acquisition: AcquisitionWithProposal,
    catalog: Catalog,
    actor: string,
    now: Date,
  ): Promise<readonly { requiredCount: number; satisfiedCount: number }[]>;
  /** The acquisition's records as the plan reads them. */
  forPlan(catalog: Catalog, acquisitionId: string): Promise<PlanRecord[]>;
}

export interface AcquisitionServiceDeps {
  db: Kysely<Database>;
  records: AcquisitionRecords;
  acquisitions: AcquisitionRepository;
  catalogs: CatalogRepository;
  /** The catalogue new acquisitions pin. */
  catalog: () => Catalog;
  now: () => Date;
  /** Runs in the transaction that opens an acquisition (the customer record starts there). */
  onOpen?: (trx: Kysely<Database>, acquisition: AcquisitionWithProposal) => Promise<void>;
}

/** Opens acquisitions from agreed proposals and answers what each still needs. */
export class AcquisitionService {
  private readonly plans = new DataVersionCache<Plan>();

  constructor(private readonly deps: AcquisitionServiceDeps) {}

  /**
   * Opens an acquisition for an agreed proposal (TMF648 Quote or native JSON). Nothing is stored
   * unless the proposal is valid, agreed, fits the catalogue and has no acquisition yet.
   */
  async open(document: unknown, by: Principal): Promise<AcquisitionWithProposal> {
    const catalog = this.deps.catalog();
    const proposal = readProposal(document, catalog);
    const existing = await this.deps.acquisitions.findIdByReference(proposal.reference);
    if (existing) throw errors.acquisitionExists(proposal.reference, existing);
    const now = this.deps.now();
    await this.deps.catalogs.save(catalog, now);
    const plan = determinePlan(proposal, catalog, []);
    const acquisition: AcquisitionWithProposal = {
      id: randomUUID(),
      proposalReference: proposal.reference,
      proposalFormat: proposal.format,
      customerName: proposal.customer.name,
      state: 'collecting',
      catalogVersion: catalog.versionId,
      completeness: plan.completeness,
      requiredFields: plan.requiredFields,
      satisfiedFields: plan.satisfiedFields,
      createdBy: by.name,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      submittedAt: null,
      approvedAt: null,
      approvedBy: null,
      customerConfirmation: null,
      cancelledAt: null,
      orderId: null,
      handoverError: null,
      version: 1,
      proposal,
    };
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await new AcquisitionRepository(trx).insert(acquisition);
        const records = await this.deps.records.materialize(
          trx,
          acquisition,
          catalog,
          by.name,
          now,
        );
        const totals = {
          required: records.reduce((n, r) => n + r.requiredCount, 0),
          satisfied: records.reduce((n, r) => n + r.satisfiedCount, 0),
        };
        await new AcquisitionRepository(trx).setTotals(acquisition.id, totals);
        acquisition.requiredFields = totals.required;
        acquisition.satisfiedFields = totals.satisfied;
        acquisition.completeness = ratio(totals.satisfied, totals.required);
        // The creation is event 1 of the acquisition's sequence, where a new row starts.
        await appendEvents(
          trx,
          [
            {
              aggregateType: 'acquisition',
              aggregateId: acquisition.id,
              sequence: 1,
              eventType: 'acquisitionCreateEvent',
              payload: {
                acquisitionId: acquisition.id,
                proposalReference: acquisition.proposalReference,
                state: acquisition.state,
              },
            },
          ],
          now,
        );
        await this.deps.onOpen?.(trx, acquisition);
      });
    } catch (error) {
      // Two requests for the same proposal at once: the unique reference lets one win.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.deps.acquisitions.findIdByReference(proposal.reference);
      throw errors.acquisitionExists(proposal.reference, winner ?? 'unknown');
    }
    return acquisition;
  }

  /** The acquisition's state and data version (see `DataVersion`), in one small read. */
  async dataVersion(id: string): Promise<DataVersion> {
    const version = await this.deps.acquisitions.dataVersion(id);
    if (!version) throw errors.acquisitionNotFound(id);
    return version;
  }

  async get(id: string): Promise<AcquisitionWithProposal> {
    const acquisition = await this.deps.acquisitions.findById(id);
    if (!acquisition) throw errors.acquisitionNotFound(id);
    return acquisition;
  }

  /** A page of acquisitions, each with what needs attention: blocking findings and open follow-ups. */
  async list(query: AcquisitionQuery) {
    const page = await this.deps.acquisitions.list(query);
    const attention = await this.deps.acquisitions.attention(page.items.map((a) => a.id));
    return {
      total: page.total,
      items: page.items.map((a) => ({ ...a, ...attention.get(a.id)! })),
    };
  }

  /**
   * The plan of an acquisition, against the catalogue version it pinned: worked out again only
   * when the acquisition's data version has moved (the plan is shared: do not change it).
   */
  async plan(id: string): Promise<Plan> {
    const { key } = await this.dataVersion(id);
    return this.plans.get(id, key, async () => {
      const { acquisition, catalog, records } = await this.planInputs(id);
      return determinePlan(acquisition.proposal, catalog, records);
    });
  }

  /**
   * The plan with what it was worked out from: the pinned catalogue and the records as it sees them.
   * The plan is the one kept under the data version when there is one (the overview asks for the
   * plan and the work list after each change: it is worked out once).
   */
  async planWithRecords(id: string): Promise<{
    acquisition: AcquisitionWithProposal;
    catalog: Catalog;
    records: PlanRecord[];
    plan: Plan;
  }> {
    const { key } = await this.dataVersion(id);
    const { acquisition, catalog, records } = await this.planInputs(id);
    const plan = await this.plans.get(id, key, () =>
      Promise.resolve(determinePlan(acquisition.proposal, catalog, records)),
    );
    return { acquisition, catalog, records, plan };
  }

  /** What a plan is worked out from, read after its data version. */
  private async planInputs(id: string) {
    const acquisition = await this.get(id);
    const catalog = await this.deps.catalogs.get(acquisition.catalogVersion);
    return { acquisition, catalog, records: await this.deps.records.forPlan(catalog, id) };
  }

  /** The plan's expected records one by one, filtered and paged. */
  async planSlots(id: string, query: SlotQuery): Promise<{ total: number; slots: PlanSlot[] }> {
    const { acquisition, catalog, records } = await this.planInputs(id);
    return listPlanSlots(acquisition.proposal, catalog, records, query);
  }
}
