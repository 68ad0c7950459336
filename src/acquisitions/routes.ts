import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { APPROVERS, OPENERS, READERS, WRITERS, type Role } from '../access/roles.js';
import type { LifecycleService } from './lifecycle-service.js';
import type { Transition } from './lifecycle.js';
import { errors } from '../errors.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams, PageQuery } from '../http/schemas.js';
import { PlanSlotSchema } from '../plan/plan-schema.js';
import { NativeProposalSchema } from '../proposals/native-schema.js';
import { ACQUISITION_STATES, type Acquisition } from './acquisition.js';
import { AcquisitionDetailSchema, AcquisitionPageSchema, AcquisitionSchema } from './schemas.js';
import type { AcquisitionService } from './acquisition-service.js';

const withHref = (a: Acquisition) => ({
  id: a.id,
  proposalReference: a.proposalReference,
  proposalFormat: a.proposalFormat,
  customerName: a.customerName,
  state: a.state,
  catalogVersion: a.catalogVersion,
  completeness: a.completeness,
  requiredFields: a.requiredFields,
  satisfiedFields: a.satisfiedFields,
  createdBy: a.createdBy,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
  submittedAt: a.submittedAt,
  approvedAt: a.approvedAt,
  approvedBy: a.approvedBy,
  customerConfirmation: a.customerConfirmation,
  cancelledAt: a.cancelledAt,
  orderId: a.orderId,
  handoverError: a.handoverError,
  href: `/api/v1/acquisitions/${a.id}`,
});

/** The optional body of a lifecycle step: text fields only. */
function transitionInput(body: unknown): { customerConfirmation?: string; reason?: string } {
  if (body === undefined || body === null) return {};
  const problems: { pointer: string; detail: string }[] = [];
  if (typeof body !== 'object' || Array.isArray(body))
    throw errors.invalidRequest('The body must be a JSON object.', [
      { pointer: '', detail: 'must be an object' },
    ]);
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key !== 'customerConfirmation' && key !== 'reason')
      problems.push({ pointer: `/${key}`, detail: 'is not a known property' });
    else if (typeof input[key] !== 'string' || input[key].length > 2000)
      problems.push({ pointer: `/${key}`, detail: 'must be text of at most 2000 characters' });
  }
  if (problems.length > 0) throw errors.invalidRequest('The request body is invalid.', problems);
  return input;
}

export interface AcquisitionRoutesOptions {
  service: AcquisitionService;
  lifecycle: LifecycleService;
  requireRole: RequireRole;
}

/** Acquisitions: open one from an agreed proposal, list them, read one and its plan. */
export const acquisitionRoutes: FastifyPluginAsyncTypebox<AcquisitionRoutesOptions> = async (
  app,
  { service, lifecycle, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  app.post(
    '/acquisitions',
    {
      onRequest: requireRole(OPENERS),
      schema: {
        tags: ['acquisitions'],
        summary: 'Open an acquisition from an agreed proposal',
        description:
          'The body is a TMF648 v4 Quote in state "accepted" or a native proposal with status "agreed". ' +
          'Nothing is stored when the proposal is refused: 400 lists every schema finding with a JSON pointer, ' +
          '422 names a quote that is not accepted or each unknown product specification, 409 a proposal that already has an acquisition.',
        security,
        body: Type.Union([
          Type.Object(
            {
              '@type': Type.Optional(Type.Literal('Quote')),
              state: Type.String(),
              quoteItem: Type.Array(Type.Unknown()),
            },
            { additionalProperties: true, title: 'TMF648 Quote' },
          ),
          Type.Object(NativeProposalSchema.properties, { title: 'Native proposal' }),
        ]),
        response: {
          201: AcquisitionSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          409: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
        },
      },
      // The proposal reader validates either form itself, to report every finding precisely.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const acquisition = await service.open(request.body, principalOf(request));
      return reply
        .status(201)
        .header('location', `/api/v1/acquisitions/${acquisition.id}`)
        .send(withHref(acquisition));
    },
  );

  app.get(
    '/acquisitions',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['acquisitions'],
        summary: 'List acquisitions with their completeness',
        security,
        querystring: Type.Object({
          state: Type.Optional(Type.Enum([...ACQUISITION_STATES])),
          search: Type.Optional(
            Type.String({
              maxLength: 100,
              description: 'Part of the customer name or proposal reference.',
            }),
          ),
          ...PageQuery,
        }),
        response: {
          200: AcquisitionPageSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { state, search, offset = 0, limit = 50 } = request.query;
      const page = await service.list({ state, search, offset, limit });
      void reply.header('x-total-count', page.total).header('x-result-count', page.items.length);
      return {
        total: page.total,
        offset,
        limit,
        items: page.items.map((a) => ({
          ...withHref(a),
          blockingFindings: a.blockingFindings,
          openFollowUps: a.openFollowUps,
          nextFollowUp: a.nextFollowUp,
        })),
      };
    },
  );

  app.get(
    '/acquisitions/:id',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['acquisitions'],
        summary: 'Read an acquisition and the proposal it was opened from',
        security,
        params: IdParams,
        response: {
          200: AcquisitionDetailSchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const acquisition = await service.get(request.params.id);
      return { ...withHref(acquisition), proposal: acquisition.proposal };
    },
  );

  app.get(
    '/acquisitions/:id/plan',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['plan'],
        summary: 'What the proposal requires and what is still missing',
        description:
          'Per entity: the records expected and captured, the required fields and which are missing, by owner and by site.',
        security,
        params: IdParams,
        response: {
          200: Type.Intersect([Type.Object({ acquisitionId: Type.String() }), Type.Ref('Plan')]),
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const plan = await service.plan(request.params.id);
      return { acquisitionId: request.params.id, ...plan };
    },
  );

  app.get(
    '/acquisitions/:id/plan/slots',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['plan'],
        summary: 'The expected records one by one, with stable ids',
        security,
        params: IdParams,
        querystring: Type.Object({
          entity: Type.Optional(Type.String()),
          site: Type.Optional(Type.String()),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({ total: Type.Integer(), items: Type.Array(PlanSlotSchema) }),
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const { entity, site, offset = 0, limit = 50 } = request.query;
      const page = await service.planSlots(request.params.id, { entity, site, offset, limit });
      void reply.header('x-total-count', page.total).header('x-result-count', page.slots.length);
      return { total: page.total, items: page.slots };
    },
  );

  const transitions: {
    path: string;
    transition: Transition;
    roles: readonly Role[];
    summary: string;
  }[] = [
    {
      path: 'submit',
      transition: 'submit',
      roles: WRITERS,
      summary:
        'Submit for review (refused, with every reason, while blocking findings or missing required fields remain)',
    },
    {
      path: 'approve',
      transition: 'approve',
      roles: APPROVERS,
      summary: "Approve, recording the approver and the customer's confirmation",
    },
    { path: 'reopen', transition: 'reopen', roles: WRITERS, summary: 'Reopen for changes' },
    {
      path: 'cancel',
      transition: 'cancel',
      roles: OPENERS,
      summary: 'Cancel (any state before handed over)',
    },
  ];
  for (const t of transitions) {
    app.post(
      `/acquisitions/:id/${t.path}`,
      {
        onRequest: requireRole(t.roles),
        schema: {
          tags: ['lifecycle'],
          summary: t.summary,
          security,
          params: IdParams,
          description:
            'Optional JSON body: `customerConfirmation` (required to approve) and `reason`.',
          response: {
            200: AcquisitionSchema,
            ...authErrors,
            404: Type.Ref('Problem'),
            409: Type.Ref('Problem'),
          },
        },
      },
      async (request) =>
        withHref(
          await lifecycle.transition(
            request.params.id,
            t.transition,
            principalOf(request),
            transitionInput(request.body),
          ),
        ),
    );
  }
};
