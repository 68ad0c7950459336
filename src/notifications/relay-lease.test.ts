import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { waitFor } from '../test/listener.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, LOOPBACK_ALLOWED, type TestServer } from '../test/server.js';
import { HUB_EVENT_TYPES, type Notification } from './envelope.js';
import { DEFAULT_RELAY_OPTIONS, Relay } from './relay.js';

/**
 * A listener that notes, per event, how many of its notifications are being answered at once:
 * each answer waits 40 ms, so two relays sending the same event at the same time would overlap.
 */
async function overlapListener() {
  const inFlight = new Map<string, number>();
  const deliveries: string[] = [];
  const overlaps: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const { eventId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification;
      const now = (inFlight.get(eventId) ?? 0) + 1;
      inFlight.set(eventId, now);
      if (now > 1) overlaps.push(eventId);
      deliveries.push(eventId);
      setTimeout(() => {
        inFlight.set(eventId, inFlight.get(eventId)! - 1);
        response.statusCode = 201;
        response.end();
      }, 40);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    deliveries,
    overlaps,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(dialects)('two relays on one database (%s)', (dialect) => {
  let server: TestServer;
  let listener: Awaited<ReturnType<typeof overlapListener>>;
  let second: Relay;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    listener = await overlapListener();
    // A second node's relay: same database and settings, its own process state.
    second = new Relay(server.database.db, server.services.subscriptions, {
      ...DEFAULT_RELAY_OPTIONS,
      pollMs: 20,
      backoffBaseMs: 20,
      timeoutMs: 2000,
      leaseMs: 4000,
      callbackAllow: LOOPBACK_ALLOWED,
    });
  });
  afterAll(async () => {
    await server.services.relay.stop();
    await second.stop();
    await listener.close();
    await server.close();
  });

  it('never send one event twice at once, and deliver each event exactly once', async () => {
    const hub = await server.app.inject({
      method: 'POST',
      url: '/api/v1/hub',
      headers: server.auth('admin'),
      payload: { callback: listener.url },
    });
    expect(hub.statusCode).toBe(201);
    const id = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 40 })] }),
    );
    const users = (
      await server.app.inject({
        url: `/api/v1/acquisitions/${id}/records?entity=user&limit=100`,
        headers: server.auth('admin'),
      })
    ).json<{ items: { id: string }[] }>().items;
    server.services.relay.start();
    second.start();
    for (const department of ['Surveying', 'Accounts']) {
      const bulk = await server.app.inject({
        method: 'POST',
        url: `/api/v1/acquisitions/${id}/records/bulk`,
        headers: server.auth('admin'),
        payload: { records: users.map((u) => ({ id: u.id, values: { department } })) },
      });
      expect(bulk.statusCode).toBe(200);
    }
    const expected = (
      await server.database.db
        .selectFrom('outbox_events')
        .select('id')
        .where('event_type', 'in', HUB_EVENT_TYPES.intake)
        .execute()
    ).map((e) => e.id);
    expect(expected.length).toBe(1 + 2 * users.length);
    await waitFor(() => new Set(listener.deliveries).size === expected.length, 30_000);
    expect(listener.overlaps).toEqual([]);
    expect(listener.deliveries.length).toBe(expected.length);
    expect(new Set(listener.deliveries)).toEqual(new Set(expected));
  });
});
