import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InterviewCallListSchema, InterviewCallSchema } from './schemas.js';
import { READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import type { InterviewService } from './interview-service.js';

export interface CallRoutesOptions {
  interview: InterviewService;
  acquisitions: AcquisitionService;
  requireRole: RequireRole;
}

const Notes = Type.String({ maxLength: 20000 });

/** Interview calls (staff only): start one with a customer contact, keep its notes, end it, list them. */
export const callRoutes: FastifyPluginAsyncTypebox<CallRoutesOptions> = async (
  app,
  { interview, acquisitions, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  const base = '/acquisitions/:id/interview/calls';

  app.get(
    base,
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['interview'],
        summary: 'The interview calls, the latest first: who called whom, when, and the notes',
        security,
        params: IdParams,
        response: {
          200: InterviewCallListSchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      await acquisitions.get(request.params.id);
      return { items: await interview.calls(request.params.id) };
    },
  );

  app.post(
    base,
    {
      onRequest: requireRole(WRITERS),
      schema: {
        tags: ['interview'],
        summary: 'Start a call with a contact at the customer; answers that name it keep it',
        security,
        params: IdParams,
        body: Type.Object(
          {
            contact: Type.String({ minLength: 1, maxLength: 200 }),
            notes: Type.Optional(Notes),
          },
          { additionalProperties: false },
        ),
        response: { 201: InterviewCallSchema, 400: Type.Ref('Problem'), ...authErrors },
      },
    },
    async (request, reply) => {
      await acquisitions.get(request.params.id);
      const call = await interview.startCall(
        request.params.id,
        request.body.contact.trim(),
        principalOf(request),
        request.body.notes,
      );
      return reply.status(201).send(call);
    },
  );

  app.patch(
    `${base}/:callId`,
    {
      onRequest: requireRole(WRITERS),
      schema: {
        tags: ['interview'],
        summary: "Save a call's notes, or end it",
        security,
        params: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 100 }),
          callId: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        body: Type.Object(
          { notes: Type.Optional(Notes), end: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: {
          200: InterviewCallSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => interview.updateCall(request.params.id, request.params.callId, request.body),
  );
};
