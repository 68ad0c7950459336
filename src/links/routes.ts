import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerLinkListSchema, IssuedLinkSchema } from './schemas.js';
import { OPENERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { AppError } from '../errors.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import type { Mailer } from '../mail/mailer.js';
import { LinkIssuer } from './link-issuer.js';
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

/** Customer links: issue (the token is shown once, and may be sent by email), list and revoke. */
export const linkRoutes: FastifyPluginAsyncTypebox<LinkRoutesOptions> = async (
  app,
  { links, acquisitions, requireRole, publicUrl, now, mailer },
) => {
  const security = [{ bearerAuth: [] }];
  const issuer = new LinkIssuer(links, acquisitions, publicUrl, now, mailer);
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
      const link = await issuer.issue(
        request.params.id,
        request.body,
        principalOf(request).name,
        request.log,
      );
      return reply.status(201).send(link);
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
