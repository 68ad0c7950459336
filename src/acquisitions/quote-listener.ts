import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OPENERS } from '../access/roles.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors } from '../http/schemas.js';
import type { QuoteIntake } from './quote-intake.js';

/** A TMF648 QuoteStateChangeEvent, as far as Intake reads it. */
const QuoteStateChangeEvent = Type.Object(
  {
    eventId: Type.Optional(Type.String()),
    eventType: Type.Optional(Type.String()),
    event: Type.Object(
      {
        quote: Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 200 }),
            href: Type.Optional(Type.String()),
            state: Type.Optional(Type.String()),
          },
          { additionalProperties: true },
        ),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);

/**
 * The listener for the quote system's `quoteStateChangeEvent` (TMF648). When a quote becomes
 * `accepted`, Intake fetches the whole quote from INTAKE_QUOTE_API_URL and opens its acquisition.
 * Exactly once: a quote already opened (an event delivered twice, or two at once) answers with the
 * acquisition it has, and opens nothing.
 */
export const quoteListenerRoutes: FastifyPluginAsyncTypebox<{
  quotes: QuoteIntake;
  requireRole: RequireRole;
}> = async (app, { quotes, requireRole }) => {
  app.post(
    '/listener/quoteStateChangeEvent',
    {
      onRequest: requireRole(OPENERS),
      schema: {
        tags: ['proposals'],
        summary: 'TMF648 listener: open the acquisition of a quote that became accepted',
        security: [{ bearerAuth: [] }],
        body: QuoteStateChangeEvent,
        response: {
          201: Type.Object({
            quoteId: Type.String(),
            acquisitionId: Type.Union([Type.String(), Type.Null()]),
            opened: Type.Boolean(),
          }),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const outcome = await quotes.quoteChanged(request.body.event.quote, principalOf(request));
      return reply.status(201).send(outcome);
    },
  );
};
