import { isCustomer } from '../scope/customer-scope.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AnsweredSchema,
  FollowUpListSchema,
  FollowUpMadeSchema,
  MatrixAnsweredSchema,
  QuestionPageSchema,
  ScriptSchema,
} from './schemas.js';
import { READERS, WRITERS, type Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { presentFinding } from '../capture/present-finding.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams, PageQuery } from '../http/schemas.js';
import type { InterviewService } from './interview-service.js';

const QuestionQuery = Type.Object({
  owner: Type.Optional(Type.Enum(['customer', 'sales', 'engineering'])),
  site: Type.Optional(Type.String()),
  entity: Type.Optional(Type.String()),
  ...PageQuery,
});

/** The questions a caller asked for; a customer link is asked only the customer's. */
function questionFilter(
  query: { owner?: 'customer' | 'sales' | 'engineering'; site?: string; entity?: string },
  principal: Principal,
) {
  const owner = isCustomer(principal) ? 'customer' : query.owner;
  return {
    ...(owner ? { owner } : {}),
    ...(query.site ? { site: query.site } : {}),
    ...(query.entity ? { entity: query.entity } : {}),
  };
}

export interface InterviewRoutesOptions {
  interview: InterviewService;
  acquisitions: AcquisitionService;
  requireRole: RequireRole;
}

/** The interview: the next questions, answers, and the follow-up list. */
export const interviewRoutes: FastifyPluginAsyncTypebox<InterviewRoutesOptions> = async (
  app,
  { interview, acquisitions, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/acquisitions/:id/interview',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['interview'],
        summary:
          'The next questions: missing and invalid required fields, by site, entity and owner',
        security,
        params: IdParams,
        querystring: QuestionQuery,
        response: {
          200: QuestionPageSchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      await acquisitions.get(request.params.id);
      const { offset = 0, limit = 10 } = request.query;
      return interview.questions(
        request.params.id,
        questionFilter(request.query, principalOf(request)),
        offset,
        limit,
      );
    },
  );

  app.post(
    '/acquisitions/:id/interview/answers',
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['interview'],
        summary: 'Answer a question (source: interview), or mark it to follow up',
        security,
        params: IdParams,
        body: Type.Object(
          {
            recordId: Type.String(),
            field: Type.String(),
            value: Type.Optional(Type.Unknown()),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            callId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            followUp: Type.Optional(
              Type.Object(
                {
                  dueDate: Type.String({ format: 'date' }),
                  contact: Type.String({ minLength: 1, maxLength: 200 }),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: AnsweredSchema,
          201: FollowUpMadeSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          404: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const result = await interview.answer(request.params.id, request.body, principalOf(request));
      if (result.followUp) return reply.status(201).send({ followUp: result.followUp });
      return { record: result.record, findings: result.findings.map(presentFinding) };
    },
  );

  app.get(
    '/acquisitions/:id/interview/script',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['interview'],
        summary:
          'The interview as a call script: steps by site and entity, a field many records miss asked once',
        security,
        params: IdParams,
        querystring: QuestionQuery,
        response: {
          200: ScriptSchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      await acquisitions.get(request.params.id);
      const { offset = 0, limit = 10 } = request.query;
      return interview.script(
        request.params.id,
        questionFilter(request.query, principalOf(request)),
        offset,
        limit,
      );
    },
  );

  app.post(
    '/acquisitions/:id/interview/matrix-answers',
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['interview'],
        summary: 'Answer one field for many records at once: a value for all, and exceptions',
        description:
          "Every listed record gets `value` unless it carries its own (an exception). One transaction through the capture engine: a stale `version`, an unknown record or a refused value refuses the whole answer. With `callId` each record's history names the call.",
        security,
        params: IdParams,
        body: Type.Object(
          {
            field: Type.String({ minLength: 1, maxLength: 100 }),
            value: Type.Optional(Type.Unknown()),
            records: Type.Array(
              Type.Object(
                {
                  recordId: Type.String({ minLength: 1, maxLength: 100 }),
                  version: Type.Optional(Type.Integer({ minimum: 1 })),
                  value: Type.Optional(Type.Unknown()),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 5000 },
            ),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            callId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: MatrixAnsweredSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
          412: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const result = await interview.answerMatrix(
        request.params.id,
        request.body,
        principalOf(request),
      );
      return {
        records: result.records.map((r) => ({ id: r.id, version: r.version })),
        findings: result.findings.map(presentFinding),
      };
    },
  );

  app.get(
    '/acquisitions/:id/follow-ups',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['interview'],
        summary: 'Fields the customer will follow up, by due date',
        security,
        params: IdParams,
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
        response: {
          200: FollowUpListSchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      await acquisitions.get(request.params.id);
      return { items: await interview.followUps(request.params.id, request.query.all ?? false) };
    },
  );
};
