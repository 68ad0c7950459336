import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OPENERS } from '../access/roles.js';
import type { AcquisitionService } from './acquisition-service.js';
import { AppError } from '../errors.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors } from '../http/schemas.js';

export const quoteErrors = {
  notConfigured: () =>
    new AppError(
      'quote.not-configured',
      503,
      'Intake has no quote system to fetch quotes from: set INTAKE_QUOTE_API_URL.',
    ),
  invalidId: (id: string) =>
    new AppError(
      'quote.id-invalid',
      422,
      `The quote id "${id.slice(0, 200)}" cannot name a quote: "." and ".." are path segments, not ids.`,
      [{ pointer: '/event/quote/id', detail: 'must not be "." or ".."' }],
    ),
  unreachable: (id: string, reason: string) =>
    new AppError(
      'quote.unreachable',
      502,
      `Quote "${id}" could not be fetched from the quote system (${reason}); send the event again later.`,
    ),
};

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
 * Where a quote is fetched: `{quoteApiUrl}/quote/{id}` with the id as one encoded path segment, so
 * `/`, `?`, `#` or `%2f` in an id cannot reach another path; `.` and `..` (which a URL parser
 * would resolve against the path) are refused.
 */
export function quoteUrl(quoteApiUrl: string, id: string): string {
  if (id === '.' || id === '..') throw quoteErrors.invalidId(id);
  return `${quoteApiUrl.replace(/\/$/, '')}/quote/${encodeURIComponent(id)}`;
}

/**
 * The listener for the quote system's `quoteStateChangeEvent` (TMF648). When a quote becomes
 * `accepted`, Intake fetches the whole quote from INTAKE_QUOTE_API_URL and opens its acquisition.
 * Exactly once: a quote already opened (an event delivered twice, or two at once) answers with the
 * acquisition it has, and opens nothing.
 */
export const quoteListenerRoutes: FastifyPluginAsyncTypebox<{
  acquisitions: AcquisitionService;
  quoteApiUrl: string | undefined;
  requireRole: RequireRole;
}> = async (app, { acquisitions, quoteApiUrl, requireRole }) => {
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
      const { quote } = request.body.event;
      if (quote.state !== undefined && quote.state !== 'accepted')
        return reply.status(201).send({ quoteId: quote.id, acquisitionId: null, opened: false });
      if (!quoteApiUrl) throw quoteErrors.notConfigured();
      const url = quoteUrl(quoteApiUrl, quote.id);
      let document: unknown;
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`it answered ${response.status}`);
        document = await response.json();
      } catch (error) {
        throw quoteErrors.unreachable(
          quote.id,
          error instanceof Error ? error.message : 'no answer',
        );
      }
      try {
        const opened = await acquisitions.open(document, principalOf(request));
        return reply
          .status(201)
          .send({ quoteId: quote.id, acquisitionId: opened.id, opened: true });
      } catch (error) {
        if (error instanceof AppError && error.code === 'acquisition.exists') {
          const existing = error.extra.acquisitionId;
          return reply.status(201).send({
            quoteId: quote.id,
            acquisitionId: typeof existing === 'string' ? existing : null,
            opened: false,
          });
        }
        throw error;
      }
    },
  );
};
