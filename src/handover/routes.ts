import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { APPROVERS, READERS } from '../access/roles.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { sendDownload } from '../http/download.js';
import { authErrors, RevealQuery, revealList } from '../http/schemas.js';
import { HandoverExports } from './export-files.js';
import type { HandoverService } from './handover-service.js';

const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** The handover package of an approved acquisition, and the step to handed over. */
export const handoverRoutes: FastifyPluginAsyncTypebox<{
  handover: HandoverService;
  requireRole: RequireRole;
}> = async (app, { handover, requireRole }) => {
  const security = [{ bearerAuth: [] }];
  const base = '/acquisitions/:id/handover';
  const exportFiles = new HandoverExports(handover);

  app.get(
    `${base}/product-order`,
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['handover'],
        summary: 'The TMF622 v4 ProductOrder of an approved acquisition',
        security,
        params: Params,
        response: { 409: Type.Ref('Problem'), ...authErrors },
      },
    },
    async (request) => handover.productOrder(request.params.id),
  );

  app.get(
    `${base}/summary`,
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['handover'],
        summary:
          "What the handover sends (products and their records) and the order system's answer",
        security,
        params: Params,
        response: {
          200: Type.Object({
            state: Type.String(),
            orderId: Type.Union([Type.String(), Type.Null()]),
            error: Type.Union([Type.String(), Type.Null()]),
            orderSystem: Type.Boolean(),
            items: Type.Integer(),
            products: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                quantity: Type.Number(),
                records: Type.Integer(),
              }),
            ),
            delivery: Type.Union([
              Type.Object({
                status: Type.String(),
                attempts: Type.Integer(),
                lastError: Type.Union([Type.String(), Type.Null()]),
                nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
                deliveredAt: Type.Union([Type.String(), Type.Null()]),
                sentAt: Type.String(),
              }),
              Type.Null(),
            ]),
          }),
          409: Type.Ref('Problem'),
          ...authErrors,
        },
      },
    },
    async (request) => handover.summary(request.params.id),
  );

  app.get(
    `${base}/package`,
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['handover'],
        summary: 'The whole handover package as JSON: the ProductOrder and every export',
        security,
        params: Params,
        response: { 409: Type.Ref('Problem'), ...authErrors },
      },
    },
    async (request) => handover.package(request.params.id),
  );

  app.get(
    `${base}/exports`,
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['handover'],
        summary: 'Provisioning exports: every entity as a sheet of one XLSX, or one entity as CSV',
        description:
          'Columns: `record_id`, `site`, then one per field named by its downstream mapping, in catalogue order. Cells that would run as formulas are neutralised.',
        security,
        params: Params,
        querystring: Type.Object({
          format: Type.Optional(Type.Enum(['xlsx', 'csv'])),
          entity: Type.Optional(Type.String({ maxLength: 64 })),
          reveal: RevealQuery,
        }),
        response: { 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), ...authErrors },
      },
    },
    async (request, reply) => {
      const { format, entity, reveal } = request.query;
      const asked = { format, entity, reveal: revealList(reveal) };
      const file = await exportFiles.file(request.params.id, principalOf(request), asked);
      return sendDownload(reply, file);
    },
  );

  app.post(
    base,
    {
      onRequest: requireRole(APPROVERS),
      schema: {
        tags: ['handover'],
        summary: 'Hand over an approved acquisition',
        description:
          'Without an order system (INTAKE_ORDER_API_URL) the acquisition is handed over at once (200). With one, the ProductOrder is sent through the outbox with retries (202): the acquisition becomes handed_over when the order system answers 201, and a failure shows as `handoverError` on the acquisition.',
        security,
        params: Params,
        response: {
          200: Type.Object({ status: Type.String() }),
          202: Type.Object({ status: Type.String() }),
          409: Type.Ref('Problem'),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const result = await handover.handOver(request.params.id, principalOf(request));
      return reply.status(result.status === 'pending' ? 202 : 200).send(result);
    },
  );
};
