import type { FastifyInstance } from 'fastify';
import { afterStagedApply } from '../db/staged-import-gates.js';

const ACQUISITION_ROUTES = '/api/v1/acquisitions/:id';
/** An import's own job, events and report are read while it runs: they never wait. */
const IMPORT_ROUTES = `${ACQUISITION_ROUTES}/imports`;

/**
 * Requests about an acquisition wait while an import of it staged on SQLite is applied, a chunk
 * at a time (src/db/staged-apply.ts), so that none sees it half applied; on PostgreSQL nothing is
 * ever applied that way and nothing waits. Requests about other acquisitions go on between chunks.
 */
export function registerStagedApplyWait(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const route = request.routeOptions.url ?? '';
    if (!route.startsWith(ACQUISITION_ROUTES) || route.startsWith(IMPORT_ROUTES)) return;
    const { id } = (request.params ?? {}) as { id?: unknown };
    if (typeof id === 'string') await afterStagedApply(id);
  });
}
