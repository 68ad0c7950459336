import type { Owner } from '../catalog/model.js';

/** A record captured so far, as the plan sees it. */
export interface PlanRecord {
  id: string;
  entity: string;
  /** The plan slot the record fills (`user/item-1#7`), when it was created for one. */
  slot?: string | null;
  /** The proposal site the record is at, if known. */
  site?: string | null;
  values: Readonly<Record<string, unknown>>;
}

/** A required field still missing, aggregated over the records (and empty slots) lacking it. */
export interface MissingField {
  field: string;
  label: string;
  owner: Owner;
  question: string;
  /** How many expected records lack it. */
  count: number;
}

export interface EntitySitePlan {
  /** Proposal site id, or null for records whose site the customer still has to say. */
  site: string | null;
  expected: number;
  present: number;
  complete: number;
  /**
   * The most records the quote allows at the site, when every group of the entity is bound to a
   * site (seats per site); absent otherwise.
   */
  max?: number;
}

export interface EntityPlan {
  entity: string;
  name: string;
  /** Records the proposal requires (the minimum). */
  expected: number;
  /** Records allowed at most; null when unbounded. */
  max: number | null;
  /** Records captured. */
  present: number;
  /** Records (captured or still expected) whose required fields are all satisfied. */
  complete: number;
  requiredFields: number;
  satisfiedFields: number;
  completeness: number;
  sites: EntitySitePlan[];
  missing: MissingField[];
  /** Fields satisfied from the proposal itself, with how many records they fill. */
  prefilled: { field: string; count: number }[];
}

export interface OwnerPlan {
  owner: Owner;
  requiredFields: number;
  satisfiedFields: number;
  missingFields: number;
  completeness: number;
}

export interface SitePlan {
  site: string;
  name: string;
  requiredFields: number;
  satisfiedFields: number;
  completeness: number;
}

/** What the agreed proposal requires, and how much of it is satisfied. Deterministic. */
export interface Plan {
  catalogVersion: string;
  /** Share of required fields satisfied, 0–1. */
  completeness: number;
  requiredFields: number;
  satisfiedFields: number;
  expectedRecords: number;
  presentRecords: number;
  entities: EntityPlan[];
  owners: OwnerPlan[];
  sites: SitePlan[];
}

/** One expected record of the plan, with its stable id. */
export interface PlanSlot {
  id: string;
  entity: string;
  site: string | null;
  recordId: string | null;
  required: string[];
  missing: string[];
  prefilled: Record<string, unknown>;
}
