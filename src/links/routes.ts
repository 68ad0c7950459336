import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerLinkListSchema, IssuedLinkSchema } from './schemas.js';
import { OPENERS } from '../access/roles.js';
import { generateToken, hashToken } from '../access/tokens.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { AppError, errors } from '../errors.js';
import { LINK_PREFIX, principalOf, type RequireRole } from '../http/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import { buildLinkMessage } from '../mail/link-message.js';
import { mailFailure, type Mailer } from '../mail/mailer.js';
import type { LinkRepository } from './link-repository.js';

export interface LinkRoutesOptions {
  links: LinkRepository;
  acquisitions: AcquisitionService;
  requireRole: RequireRole;
  publicUrl: string;
  now: () => Date;
  /** Sends a link by email at issue; without one (no INTAKE_SMTP_URL) links are passed on by hand. */
  mailer?: Mailer | undefined;
}

const DAY = 24 * 60 * 60 * 1000;

/** Customer links: issue (the token is shown once, and may be sent by email), list and revoke. */
export const linkRoutes: FastifyPluginAsyncTypebox<LinkRoutesOptions> = async (
  app,
  { links, acquisitions, requireRole, publicUrl, now, mailer },
) => {
  const security = [{ bearerAuth: [] }];
  app.post(
    '/acquisitions/:id/links',
    {
      onRequest: requireRole(OPENERS),
      schema: {
        tags: ['links'],
        summary: "Issue a link for a customer contact to fill in the customer's part",
        security,
        params: IdParams,
        body: Type.Object(
          {
            contactName: Type.String({ minLength: 1, maxLength: 200 }),
            contactEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 14 })),
            sendEmail: Type.Optional(
              Type.Boolean({
                description:
                  'Also send the link to contactEmail (needs INTAKE_SMTP_URL); when sending fails the link is revoked and the answer is 502.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: IssuedLinkSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
          502: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const { contactEmail, sendEmail } = request.body;
      if (sendEmail && !mailer) throw errors.mailNotConfigured();
      if (sendEmail && !contactEmail)
        throw errors.invalidRequest('A link is sent by email only to a contactEmail.', [
          { pointer: '/contactEmail', detail: 'is required when sendEmail is true' },
        ]);
      const acquisition = await acquisitions.get(request.params.id);
      if (acquisition.state === 'cancelled' || acquisition.state === 'handed_over') {
        throw new AppError(
          'acquisition.locked',
          409,
          `The acquisition is ${acquisition.state.replace('_', ' ')}; no customer link can be issued.`,
        );
      }
      const token = `${LINK_PREFIX}${generateToken().slice(4)}`;
      const issued = now();
      const link = await links.insert({
        acquisitionId: acquisition.id,
        contactName: request.body.contactName,
        contactEmail: request.body.contactEmail ?? null,
        tokenHash: hashToken(token),
        createdBy: principalOf(request).name,
        createdAt: issued.toISOString(),
        expiresAt: new Date(
          issued.getTime() + (request.body.expiresInDays ?? 14) * DAY,
        ).toISOString(),
      });
      const url = `${publicUrl}/portal#${token}`;
      if (sendEmail && mailer && contactEmail) {
        const message = buildLinkMessage({
          to: contactEmail,
          contactName: link.contactName,
          customerName: acquisition.customerName,
          proposalReference: acquisition.proposalReference,
          operator: link.createdBy,
          url,
          expiresAt: link.expiresAt,
        });
        try {
          await mailer.send(message);
        } catch (error) {
          // Nobody received the link: it goes at once rather than wait unused for its expiry.
          await links.revoke(acquisition.id, link.id, now());
          request.log.warn({ err: mailFailure(error) }, 'a customer link could not be emailed');
          throw errors.mailSendFailed();
        }
        const emailedAt = now();
        await links.markEmailed(link.id, emailedAt);
        link.emailedAt = emailedAt.toISOString();
      }
      return reply.status(201).send({ ...link, token, url });
    },
  );
  app.get(
    '/acquisitions/:id/links',
    {
      onRequest: requireRole(OPENERS),
      schema: {
        tags: ['links'],
        summary: 'List the customer links of an acquisition',
        security,
        params: IdParams,
        response: {
          200: CustomerLinkListSchema,
          ...authErrors,
        },
      },
    },
    async (request) => ({
      items: await links.list(request.params.id),
      emailAvailable: mailer !== undefined,
    }),
  );
  app.delete(
    '/acquisitions/:id/links/:linkId',
    {
      onRequest: requireRole(OPENERS),
      schema: {
        tags: ['links'],
        summary: 'Revoke a customer link',
        security,
        params: Type.Object({ id: Type.String(), linkId: Type.String() }),
        response: { 204: Type.Null(), ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      if (!(await links.revoke(request.params.id, request.params.linkId, now())))
        throw new AppError(
          'link.not-found',
          404,
          `There is no active link "${request.params.linkId}" on this acquisition.`,
        );
      return reply.status(204).send(null);
    },
  );
};
