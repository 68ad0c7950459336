import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { startListener, waitFor } from '../test/listener.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { registerProblemHandlers } from '../http/problem.js';
import { HealthRepository } from './health-repository.js';
import { createMetrics } from './metrics.js';
import { registerHealthRoutes } from './routes.js';

const fixture = (name: string) =>
  join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'imports', name);

/** The value of one sample of the Prometheus text, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe.each(dialects)('health and metrics on %s', (dialect) => {
  let server: TestServer;
  let clock = new Date('2026-11-28T10:00:00Z');
  let listener: Awaited<ReturnType<typeof startListener>>;

  beforeAll(async () => {
    listener = await startListener(() => 500);
    server = await createTestServer(dialect, () => clock, {}, { maxAttempts: 2 });
  });
  afterAll(async () => {
    await server.close();
    await listener.close();
  });

  const get = (url: string) => server.app.inject({ method: 'GET', url });

  it('is live at once, and ready only when the database, its migrations and the relay are', async () => {
    expect((await get('/health/live')).json()).toEqual({ status: 'live' });
    const before = await get('/health/ready');
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({
      status: 'not-ready',
      checks: { database: 'ok', migrations: 'ok', relay: 'stopped' },
    });
    server.services.relay.start();
    const after = await get('/health/ready');
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ status: 'ready' });
    await server.services.relay.stop();
  });

  it('reports request latency by route, outbox lag, dead deliveries and imported rows', async () => {
    const subscribed = await server.app.inject({
      method: 'POST',
      url: '/api/v1/hub',
      headers: server.auth('engineer'),
      payload: { callback: listener.url },
    });
    expect(subscribed.statusCode).toBe(201);
    const id = await openAcquisition(server, buildProposal({ reference: `PRO-HEALTH-${dialect}` }));
    clock = new Date(clock.getTime() + 30_000);
    const waiting = (await get('/metrics')).body;
    expect(sample(waiting, 'intake_outbox_undispatched_events')).toBeGreaterThan(0);
    expect(sample(waiting, 'intake_outbox_lag_seconds')).toBe(30);
    expect(waiting).toMatch(
      /intake_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/acquisitions",status="201"\} 1/,
    );

    const base = await listen(server);
    const imported = await upload(
      `${base}/api/v1/acquisitions/${id}/imports?mode=valid-rows`,
      { path: fixture('users-header-row-3.csv') },
      server.auth('sales'),
    );
    expect(imported.status).toBe(201);
    const rowsRead = ((await imported.json()) as { rowsRead: number }).rowsRead;
    expect(rowsRead).toBeGreaterThan(0);

    // The listener answers 500: with two attempts each delivery dies, and the outbox drains.
    server.services.relay.start();
    await waitFor(async () => {
      clock = new Date(clock.getTime() + 1000); // past each retry's backoff
      const text = (await get('/metrics')).body;
      return (
        sample(text, 'intake_outbox_undispatched_events') === 0 &&
        (sample(text, 'intake_deliveries{status="dead"}') ?? 0) > 0 &&
        sample(text, 'intake_deliveries{status="pending"}') === 0
      );
    });
    await server.services.relay.stop();
    const drained = (await get('/metrics')).body;
    expect(sample(drained, 'intake_outbox_lag_seconds')).toBe(0);
    expect(sample(drained, 'intake_import_rows_total')).toBe(rowsRead);
    expect(sample(drained, 'intake_imports_running')).toBe(0);
    expect(listener.received.length).toBeGreaterThan(0);
  });

  it('asks for the metrics token when one is set, and compares it in constant time', async () => {
    const app = Fastify();
    registerProblemHandlers(app, 1024);
    const health = new HealthRepository(server.database.db);
    await registerHealthRoutes(app, {
      probes: {
        ping: () => health.ping(),
        pendingMigrations: async () => [],
        relayRunning: () => true,
      },
      metrics: createMetrics(health, () => clock),
      metricsToken: 'metrics-token-0123456789abcdef',
    });
    const scrape = (authorization?: string) =>
      app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape('Bearer metrics-token-0123456789abcdeX')).json()).toMatchObject({
      code: 'auth.token-invalid',
    });
    expect((await scrape('Bearer metrics-token-0123456789abcdef')).statusCode).toBe(200);
    await app.close();
  });
});
