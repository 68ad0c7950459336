import type { Proposal } from '../proposals/proposal.js';

/** The lifecycle of DESIGN.md; the capture engine adds the transitions. */
export const ACQUISITION_STATES = [
  'collecting',
  'in_review',
  'approved',
  'handed_over',
  'cancelled',
] as const;
export type AcquisitionState = (typeof ACQUISITION_STATES)[number];

/** The case for one agreed proposal. */
export interface Acquisition {
  id: string;
  proposalReference: string;
  proposalFormat: Proposal['format'];
  customerName: string;
  state: AcquisitionState;
  catalogVersion: string;
  completeness: number;
  requiredFields: number;
  satisfiedFields: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  /** Who approved, when, and the customer's confirmation they recorded. */
  approvedAt: string | null;
  approvedBy: string | null;
  customerConfirmation: string | null;
  cancelledAt: string | null;
  /** The order system's id of the ProductOrder it accepted at handover. */
  orderId: string | null;
  /** Why the last handover attempt failed (cleared when one succeeds). */
  handoverError: string | null;
  /** The version of the acquisition's state: each lifecycle transition adds one. */
  version: number;
}

/** An acquisition with the proposal it was opened from. */
export interface AcquisitionWithProposal extends Acquisition {
  proposal: Proposal;
}
