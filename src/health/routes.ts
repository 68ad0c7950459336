import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import type { Metrics } from './metrics.js';
import { checkReadiness, type ReadinessProbes } from './readiness.js';

export interface HealthRoutesOptions {
  probes: ReadinessProbes;
  metrics: Metrics;
  /** When set, `/metrics` needs `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `/health/live`, `/health/ready` and `/metrics` (Prometheus text format); none is in the API document. */
export async function registerHealthRoutes(
  app: FastifyInstance,
  { probes, metrics, metricsToken }: HealthRoutesOptions,
): Promise<void> {
  // Live: the process answers. A load balancer restarts it when this fails.
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'live' }));
  // Ready: it may take traffic. A load balancer stops sending requests while this is 503.
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await checkReadiness(probes);
    return reply.code(readiness.ready ? 200 : 503).send({
      status: readiness.ready ? 'ready' : 'not-ready',
      checks: readiness.checks,
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (metricsToken !== undefined) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!given) throw errors.missingToken();
      if (!timingSafeEqual(digest(given), digest(metricsToken))) throw errors.invalidToken();
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
