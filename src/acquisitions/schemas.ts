import { Type, type Static } from 'typebox';
import type { Proposal } from '../proposals/proposal.js';
import { ACQUISITION_STATES } from './acquisition.js';

/**
 * The acquisitions API's answers, in TypeBox: the server serialises and documents them with these,
 * and the web application takes their types. Nothing here may import the server's runtime.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** An acquisition as lists and lifecycle steps answer it. */
export const AcquisitionSchema = Type.Object({
  id: Type.String(),
  proposalReference: Type.String(),
  proposalFormat: Type.Union([Type.Literal('tmf648'), Type.Literal('native')]),
  customerName: Type.String(),
  state: Type.Enum([...ACQUISITION_STATES]),
  catalogVersion: Type.String({ description: 'The catalogue snapshot this acquisition pinned.' }),
  completeness: Type.Number(),
  requiredFields: Type.Integer(),
  satisfiedFields: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  approvedBy: Nullable(Type.String()),
  customerConfirmation: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  handoverError: Nullable(Type.String()),
  href: Type.String(),
});
export type AcquisitionSummary = Static<typeof AcquisitionSchema>;

/** An acquisition in the list: with its blocking findings and its customer's follow-ups. */
export const AcquisitionListItemSchema = Type.Intersect([
  AcquisitionSchema,
  Type.Object({
    blockingFindings: Type.Integer(),
    openFollowUps: Type.Integer(),
    nextFollowUp: Nullable(Type.String()),
  }),
]);
export type AcquisitionListItem = Static<typeof AcquisitionListItemSchema>;

/** One page of the acquisition list. */
export const AcquisitionPageSchema = Type.Object({
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
  items: Type.Array(AcquisitionListItemSchema),
});
export type AcquisitionPage = Static<typeof AcquisitionPageSchema>;

/**
 * The proposal an acquisition was opened from, normalised (`Proposal` in proposals/proposal.ts):
 * its quote items carry the quote's own characteristics, an open map, so the whole is kept open.
 */
export const ProposalSchema = Type.Unsafe<Proposal>(
  Type.Object(
    {
      reference: Type.String(),
      format: Type.String(),
      customer: Type.Object({ name: Type.String() }, { additionalProperties: true }),
      contacts: Type.Array(Type.Object({}, { additionalProperties: true })),
      sites: Type.Array(Type.Object({}, { additionalProperties: true })),
      items: Type.Array(Type.Object({}, { additionalProperties: true })),
    },
    { additionalProperties: true },
  ),
);

/** An acquisition with the proposal it was opened from. */
export const AcquisitionDetailSchema = Type.Intersect([
  AcquisitionSchema,
  Type.Object({ proposal: ProposalSchema }),
]);
export type AcquisitionDetail = Static<typeof AcquisitionDetailSchema>;
