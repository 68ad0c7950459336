import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ThrottleSettings } from '../config.js';
import { AppError } from '../errors.js';

/** What the bearer check asks of the throttle, per client address. */
export interface Throttle {
  /** Before a token is looked up: refuses an address that failed too often, or used links too often. */
  beforeCheck(request: FastifyRequest, isLink: boolean): Promise<void>;
  /** After a token or link was not valid: counts it, and refuses once there were too many. */
  failed(request: FastifyRequest): Promise<void>;
}

/** Errors of the throttle (codes listed in errors.ts and docs/errors.md); `retryAfter` becomes the header. */
export const throttleErrors = {
  tooManyFailures: (retryAfter: number) =>
    new AppError(
      'auth.too-many-failures',
      429,
      `Too many requests with a token that is not valid came from your address. Try again in ${retryAfter} seconds.`,
      [],
      { retryAfter },
    ),
  tooManyLinkRequests: (retryAfter: number) =>
    new AppError(
      'link.too-many-requests',
      429,
      `Too many requests through customer links came from your address. Try again in ${retryAfter} seconds.`,
      [],
      { retryAfter },
    ),
};

/** Addresses refused for failed checks, with when that ends; the oldest are dropped past this many. */
const MAX_BLOCKED = 10_000;

/**
 * Throttles by client address with `@fastify/rate-limit` (its in-process store): failed bearer
 * checks (a wrong staff token or link, not a missing one) and every request made with a customer
 * link. An address past the failure limit is refused before its token is even looked up, until
 * the window ends, so that guessing cannot go on with a correct guess let through.
 */
export async function registerThrottle(
  app: FastifyInstance,
  settings: ThrottleSettings,
): Promise<Throttle> {
  await app.register(rateLimit, { global: false, timeWindow: settings.windowMs });
  const failures = app.createRateLimit({
    max: settings.authFailures,
    keyGenerator: (request) => `auth-failure:${request.ip}`,
  });
  const linkUse = app.createRateLimit({
    max: settings.linkRequests,
    keyGenerator: (request) => `link:${request.ip}`,
  });
  const blocked = new Map<string, number>();
  const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - Date.now()) / 1000));

  return {
    async beforeCheck(request, isLink) {
      const until = blocked.get(request.ip);
      if (until !== undefined) {
        if (until > Date.now()) throw throttleErrors.tooManyFailures(secondsUntil(until));
        blocked.delete(request.ip);
      }
      if (!isLink) return;
      const use = await linkUse(request);
      if (!use.isAllowed && use.isExceeded)
        throw throttleErrors.tooManyLinkRequests(use.ttlInSeconds || 1);
    },
    async failed(request) {
      const count = await failures(request);
      if (count.isAllowed || !count.isExceeded) return;
      blocked.delete(request.ip);
      if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
      const until = Date.now() + count.ttl;
      blocked.set(request.ip, until);
      throw throttleErrors.tooManyFailures(secondsUntil(until));
    },
  };
}
