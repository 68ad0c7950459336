import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READERS } from '../access/roles.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import type { WorkListService } from './work-list-service.js';

const Owner = Type.Union([
  Type.Literal('customer'),
  Type.Literal('sales'),
  Type.Literal('engineering'),
]);
const RecordRef = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  site: Type.Union([Type.String(), Type.Null()]),
  message: Type.Optional(Type.String()),
});
const Group = {
  key: Type.String(),
  kind: Type.Union([Type.Literal('missing'), Type.Literal('problem')]),
  rule: Type.String(),
  severity: Type.Union([Type.Literal('blocking'), Type.Literal('warning')]),
  entity: Type.String(),
  entityName: Type.String(),
  field: Type.String(),
  fieldLabel: Type.String(),
  owner: Owner,
  site: Type.Union([Type.String(), Type.Null()]),
  siteName: Type.String(),
  message: Type.String(),
  count: Type.Integer(),
  sample: Type.Array(RecordRef),
};
const Count = Type.Integer({ minimum: 0 });
const WorkSchema = Type.Object({
  state: Type.String(),
  next: Type.Object({
    action: Type.String(),
    title: Type.String(),
    detail: Type.String(),
    target: Type.String(),
  }),
  totals: Type.Object({
    missing: Count,
    blocking: Count,
    warnings: Count,
    followUps: Count,
    overdueFollowUps: Count,
  }),
  owners: Type.Array(
    Type.Object({
      owner: Owner,
      missing: Count,
      problems: Count,
      followUps: Count,
      overdueFollowUps: Count,
      sites: Type.Array(
        Type.Object({
          site: Type.Union([Type.String(), Type.Null()]),
          siteName: Type.String(),
          missing: Count,
          problems: Count,
          followUps: Count,
        }),
      ),
    }),
  ),
  groups: Type.Array(Type.Object(Group)),
});

/** What is left to do on an acquisition: per owner and site, problems grouped, the next action. */
export const workListRoutes: FastifyPluginAsyncTypebox<{
  work: WorkListService;
  requireRole: RequireRole;
}> = async (app, { work, requireRole }) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/acquisitions/:id/work',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['acquisitions'],
        summary: 'What is left to do: answers missing and problems per owner and site, grouped',
        description:
          "Problems are grouped by kind (`missing` required answers, or a finding `problem`), rule, entity, field and site, blocking first and largest first, each with its first records by name. `next` is what the caller's role should do next.",
        security,
        params: IdParams,
        response: { 200: WorkSchema, ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request) => work.work(request.params.id, principalOf(request)),
  );

  app.get(
    '/acquisitions/:id/work/group',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['acquisitions'],
        summary: 'One problem group with every record in it, by name',
        security,
        params: IdParams,
        querystring: Type.Object({ key: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: {
          200: Type.Object({ ...Group, records: Type.Array(RecordRef) }),
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => work.group(request.params.id, request.query.key),
  );
};
