import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SessionSchema } from './schemas.js';
import { errors } from '../errors.js';
import { principalOf, type RequireRole } from './authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import { ADMINS, READERS, ROLES } from './roles.js';
import type { TokenRepository } from './token-repository.js';
import { generateToken, hashToken } from './tokens.js';

const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.Enum([...ROLES]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export interface AccessRoutesOptions {
  tokens: TokenRepository;
  requireRole: RequireRole;
  now: () => Date;
}

/** API tokens: issue (the token is shown once), list and revoke. Admins only. */
export const accessRoutes: FastifyPluginAsyncTypebox<AccessRoutesOptions> = async (
  app,
  { tokens, requireRole, now },
) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/session',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['access'],
        summary:
          'Who the bearer token belongs to: name and role, or the acquisition of a customer link',
        security,
        response: {
          200: SessionSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { name, role, link } = principalOf(request);
      return link ? { name, role, link } : { name, role };
    },
  );
  app.post(
    '/tokens',
    {
      onRequest: requireRole(ADMINS),
      schema: {
        tags: ['access'],
        summary: 'Issue a named API token for a role',
        security,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\s].*$' }),
            role: Type.Enum([...ROLES]),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([
            TokenSchema,
            Type.Object({ token: Type.String({ description: 'Shown only once.' }) }),
          ]),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const token = generateToken();
      const saved = await tokens.insert({
        name: request.body.name,
        role: request.body.role,
        tokenHash: hashToken(token),
        createdBy: principalOf(request).name,
        now: now(),
      });
      return reply
        .status(201)
        .header('location', `/api/v1/tokens/${saved.id}`)
        .send({ ...saved, token });
    },
  );
  app.get(
    '/tokens',
    {
      onRequest: requireRole(ADMINS),
      schema: {
        tags: ['access'],
        summary: 'List API tokens (never the tokens themselves)',
        security,
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }), ...authErrors },
      },
    },
    async () => ({ items: await tokens.list() }),
  );
  app.delete(
    '/tokens/:id',
    {
      onRequest: requireRole(ADMINS),
      schema: {
        tags: ['access'],
        summary: 'Revoke an API token',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      if (!(await tokens.revoke(request.params.id, now())))
        throw errors.tokenNotFound(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
