import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/roles.js';
import type { CatalogRepository } from '../catalog/catalog-repository.js';
import type { Catalog } from '../catalog/model.js';
import { isUniqueViolation } from '../db/connect.js';
import { errors } from '../errors.js';
import { determinePlan } from '../plan/determine-plan.js';
import { listPlanSlots, type SlotQuery } from '../plan/list-plan-slots.js';
import type { Plan, PlanSlot } from '../plan/plan.js';
import { readProposal } from '../proposals/read-proposal.js';
import type { AcquisitionWithProposal } from './acquisition.js';
import type { AcquisitionQuery, AcquisitionRepository } from './acquisition-repository.js';

export interface AcquisitionServiceDeps {
  acquisitions: AcquisitionRepository;
  catalogs: CatalogRepository;
  /** The catalogue new acquisitions pin. */
  catalog: () => Catalog;
  now: () => Date;
}

/** Opens acquisitions from agreed proposals and answers what each still needs. */
export class AcquisitionService {
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
      proposal,
    };
    try {
      await this.deps.acquisitions.insert(acquisition);
    } catch (error) {
      // Two requests for the same proposal at once: the unique reference lets one win.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.deps.acquisitions.findIdByReference(proposal.reference);
      throw errors.acquisitionExists(proposal.reference, winner ?? 'unknown');
    }
    return acquisition;
  }

  async get(id: string): Promise<AcquisitionWithProposal> {
    const acquisition = await this.deps.acquisitions.findById(id);
    if (!acquisition) throw errors.acquisitionNotFound(id);
    return acquisition;
  }

  list(query: AcquisitionQuery) {
    return this.deps.acquisitions.list(query);
  }

  /** The plan of an acquisition, against the catalogue version it pinned. */
  async plan(id: string): Promise<{ acquisition: AcquisitionWithProposal; plan: Plan }> {
    const acquisition = await this.get(id);
    const catalog = await this.deps.catalogs.get(acquisition.catalogVersion);
    return { acquisition, plan: determinePlan(acquisition.proposal, catalog, []) };
  }

  /** The plan's expected records one by one, filtered and paged. */
  async planSlots(id: string, query: SlotQuery): Promise<{ total: number; slots: PlanSlot[] }> {
    const acquisition = await this.get(id);
    const catalog = await this.deps.catalogs.get(acquisition.catalogVersion);
    return listPlanSlots(acquisition.proposal, catalog, [], query);
  }
}
