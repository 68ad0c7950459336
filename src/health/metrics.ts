import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthRepository } from './health-repository.js';

/** The Prometheus registry of one process: its own request latencies, and figures read from the database. */
export interface Metrics {
  registry: Registry;
  /** Records each answer's latency by method, route pattern and status. */
  observeRequests(app: FastifyInstance): void;
}

const STATUSES = ['pending', 'delivered', 'dead'] as const;

/**
 * Builds the registry. Request latency is per process (Prometheus sums the nodes); the outbox,
 * delivery and import figures are read from the database at each scrape, so every node reports the
 * same shared truth and a dead node loses nothing.
 */
export function createMetrics(health: HealthRepository, now: () => Date): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'intake_process_' });
  const latency = new Histogram({
    name: 'intake_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // One database read per scrape (the collectors run together), kept for a second.
  let cached: { at: number; figures: ReturnType<HealthRepository['figures']> } | undefined;
  const read = () => {
    const at = Date.now();
    if (!cached || at - cached.at > 1000) cached = { at, figures: health.figures() };
    return cached.figures;
  };
  new Gauge({
    name: 'intake_outbox_undispatched_events',
    help: 'Outbox events not yet fanned out to subscriptions',
    registers: [registry],
    async collect() {
      this.set((await read()).undispatchedEvents);
    },
  });
  new Gauge({
    name: 'intake_outbox_lag_seconds',
    help: 'Age of the oldest outbox event not yet fanned out (0 when none waits)',
    registers: [registry],
    async collect() {
      const oldest = (await read()).oldestUndispatchedAt;
      this.set(oldest ? Math.max(0, (now().getTime() - Date.parse(oldest)) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'intake_deliveries',
    help: 'Notification deliveries by status; dead ones were given up after the last attempt',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { deliveries } = await read();
      for (const status of STATUSES) this.set({ status }, deliveries[status] ?? 0);
    },
  });
  new Counter({
    name: 'intake_import_rows_total',
    help: 'Rows read by finished imports (rate() gives import rows per second)',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await read()).importedRows);
    },
  });
  new Gauge({
    name: 'intake_imports_running',
    help: 'Imports running now, on every node',
    registers: [registry],
    async collect() {
      this.set((await read()).runningImports);
    },
  });
  return {
    registry,
    observeRequests(app) {
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        latency.observe(
          { method: request.method, route, status: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
      });
    },
  };
}
