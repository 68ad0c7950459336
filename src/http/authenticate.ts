import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { isAllowed, type Principal, type Role } from '../access/roles.js';
import type { TokenRepository } from '../access/token-repository.js';
import { hashToken } from '../access/tokens.js';
import { errors } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route used principalOf without requireRole');
  return request.principal;
}

/**
 * An onRequest hook (before the body is read or validated) that admits a bearer token of one of the roles (admin is always admitted):
 * no or unknown token → 401, known token of another role → 403.
 */
export function makeRequireRole(tokens: TokenRepository) {
  return (allowed: readonly Role[]): onRequestAsyncHookHandler =>
    async (request) => {
      const header = request.headers.authorization;
      if (!header) throw errors.missingToken();
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw errors.missingToken();
      const token = await tokens.findActiveByHash(hashToken(match[1]!));
      if (!token) throw errors.invalidToken();
      if (!isAllowed(token.role, allowed))
        throw errors.forbidden(token.role, ['admin', ...allowed.filter((r) => r !== 'admin')]);
      request.principal = { tokenId: token.id, name: token.name, role: token.role };
    };
}

export type RequireRole = ReturnType<typeof makeRequireRole>;
