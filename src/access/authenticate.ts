import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { isAllowed, type Principal, type Role } from './roles.js';
import type { TokenRepository } from './token-repository.js';
import { hashToken } from './tokens.js';

/** Customer link tokens start with this; staff tokens with `itk_`. */
export const LINK_PREFIX = 'ilk_';
import { errors } from '../errors.js';
import type { Throttle } from '../http/throttle.js';

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
 * no or unknown token → 401, known token of another role → 403; with a throttle, too many unknown
 * tokens or link requests from one address → 429.
 */
/**
 * What the bearer check needs of the customer links' store (links/link-repository.ts has it):
 * declared here so that access, below every other folder, imports none of them.
 */
export interface UsableLinks {
  findUsable(
    tokenHash: string,
    now: Date,
  ): Promise<
    | { id: string; acquisitionId: string; contactName: string; firstUsedAt: string | null }
    | undefined
  >;
  markUsed(id: string, at: Date): Promise<void>;
}

export function makeRequireRole(
  tokens: TokenRepository,
  links: UsableLinks,
  now: () => Date,
  throttle?: Throttle,
) {
  return (
      allowed: readonly Role[],
      options: { customerLinks?: boolean } = {},
    ): onRequestAsyncHookHandler =>
    async (request) => {
      const header = request.headers.authorization;
      if (!header) throw errors.missingToken();
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw errors.missingToken();
      const isLink = match[1]!.startsWith(LINK_PREFIX);
      if (isLink) {
        await throttle?.beforeCheck(request, true);
        const link = await links.findUsable(hashToken(match[1]!), now());
        if (!link) {
          await throttle?.failed(request);
          throw errors.invalidToken();
        }
        // The first use is kept: a link never opened is reminded (src/mail/reminder-sweep.ts).
        if (link.firstUsedAt === null) await links.markUsed(link.id, now());
        if (!options.customerLinks) throw errors.linkForbidden();
        const id = (request.params as { id?: string } | undefined)?.id;
        // Another acquisition does not exist, as far as a link can tell.
        if (id !== undefined && id !== link.acquisitionId) throw errors.acquisitionNotFound(id);
        request.principal = {
          tokenId: link.id,
          name: `${link.contactName} (customer link)`,
          role: 'viewer',
          link: { acquisitionId: link.acquisitionId },
        };
        return;
      }
      // The staff token is looked up while the throttle checks the address (two round trips at
      // once on PostgreSQL); a refused address is refused whatever the token turns out to be.
      const [, token] = await Promise.all([
        throttle?.beforeCheck(request, false),
        tokens.findActiveByHash(hashToken(match[1]!)),
      ]);
      if (!token) {
        await throttle?.failed(request);
        throw errors.invalidToken();
      }
      if (!isAllowed(token.role, allowed))
        throw errors.forbidden(token.role, ['admin', ...allowed.filter((r) => r !== 'admin')]);
      request.principal = { tokenId: token.id, name: token.name, role: token.role };
    };
}

export type RequireRole = ReturnType<typeof makeRequireRole>;
