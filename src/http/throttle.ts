import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ThrottleSettings } from '../config.js';
import { AppError } from '../errors.js';
import type { RateCounters } from './rate-counters.js';

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

/** Where an address's refusal ends, if it is refused: kept in memory, or read from shared counters. */
interface Refusals {
  until(ip: string): Promise<number | undefined>;
  refuse(ip: string, until: number): void;
}

/** One process's refusals (SQLite: one node). */
function refusalsInMemory(): Refusals {
  const blocked = new Map<string, number>();
  return {
    until: (ip) => {
      const until = blocked.get(ip);
      if (until !== undefined && until <= Date.now()) blocked.delete(ip);
      return Promise.resolve(until !== undefined && until > Date.now() ? until : undefined);
    },
    refuse: (ip, until) => {
      blocked.delete(ip);
      if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
      blocked.set(ip, until);
    },
  };
}

/**
 * Throttles by client address with `@fastify/rate-limit`: failed bearer checks (a wrong staff
 * token or link, not a missing one) and every request made with a customer link. An address past
 * the failure limit is refused before its token is even looked up, until the window ends, so that
 * guessing cannot go on with a correct guess let through.
 *
 * With `shared` counters (PostgreSQL: several nodes) the counts and refusals live in the database,
 * and every node sees the same; without, in this process (its in-process store).
 */
export async function registerThrottle(
  app: FastifyInstance,
  settings: ThrottleSettings,
  shared?: RateCounters,
): Promise<Throttle> {
  await app.register(rateLimit, {
    global: false,
    timeWindow: settings.windowMs,
    ...(shared ? { store: shared.storeClass(settings.windowMs) } : {}),
  });
  const failureKey = (ip: string) => `auth-failure:${ip}`;
  const failures = app.createRateLimit({
    max: settings.authFailures,
    keyGenerator: (request) => failureKey(request.ip),
  });
  const linkUse = app.createRateLimit({
    max: settings.linkRequests,
    keyGenerator: (request) => `link:${request.ip}`,
  });
  // Shared: an address is refused while its failure count is above the limit in its window.
  const refusals: Refusals = shared
    ? {
        until: (ip) => shared.exceededUntil(failureKey(ip), settings.authFailures),
        refuse: () => undefined,
      }
    : refusalsInMemory();
  const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - Date.now()) / 1000));

  return {
    async beforeCheck(request, isLink) {
      const until = await refusals.until(request.ip);
      if (until !== undefined) throw throttleErrors.tooManyFailures(secondsUntil(until));
      if (!isLink) return;
      const use = await linkUse(request);
      if (!use.isAllowed && use.isExceeded)
        throw throttleErrors.tooManyLinkRequests(use.ttlInSeconds || 1);
    },
    async failed(request) {
      const count = await failures(request);
      if (count.isAllowed || !count.isExceeded) return;
      const until = Date.now() + count.ttl;
      refusals.refuse(request.ip, until);
      throw throttleErrors.tooManyFailures(secondsUntil(until));
    },
  };
}
