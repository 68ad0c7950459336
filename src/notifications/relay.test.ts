import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { startListener, waitFor } from '../test/listener.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { HUB_EVENT_TYPES, verifySignature, type Notification } from './envelope.js';

describe.each(dialects)('event delivery on %s', (dialect) => {
  let server: TestServer;
  const admin = () => server.auth('admin');
  const listeners: { close: () => Promise<void> }[] = [];

  beforeAll(async () => {
    server = await createTestServer(dialect, undefined, {}, { maxAttempts: 4, backoffBaseMs: 10 });
  });
  afterEach(async () => {
    await server.services.relay.stop();
    for (const l of listeners.splice(0)) await l.close();
    await server.database.db.deleteFrom('deliveries').execute();
    await server.database.db.deleteFrom('subscriptions').execute();
  });
  afterAll(() => server.close());

  const subscribe = async (callback: string, query?: string, path = '/api/v1/hub') => {
    const response = await server.app.inject({
      method: 'POST',
      url: path,
      headers: admin(),
      payload: { callback, ...(query ? { query } : {}) },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; secret: string }>();
  };

  /** Every event in the outbox that a subscriber of the intake hub is offered. */
  const outboxIds = async () =>
    (
      await server.database.db
        .selectFrom('outbox_events')
        .select('id')
        .where('event_type', 'in', HUB_EVENT_TYPES.intake)
        .execute()
    ).map((e) => e.id);

  /** Opens an acquisition and changes one handset `edits` times: 1 + edits events. */
  const makeEvents = async (edits: number) => {
    const before = new Set(await outboxIds());
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth('sales'),
      payload: buildProposal({ items: [buildItem({ quantity: 1 })] }),
    });
    const acquisitionId = created.json<{ id: string }>().id;
    const handset = (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${acquisitionId}/records?entity=handset`,
        headers: admin(),
      })
    ).json<{ items: { id: string }[] }>().items[0]!;
    for (let i = 1; i <= edits; i++) {
      await server.services.capture.engine.write(
        acquisitionId,
        [{ op: 'update', id: handset.id, patch: { lineKeys: i } }],
        { source: 'api', actor: 'test' },
      );
    }
    const events = (await outboxIds()).filter((id) => !before.has(id));
    return { acquisitionId, handsetId: handset.id, events };
  };

  const accepted = (received: { body: string; status: number }[]) =>
    received.filter((r) => r.status < 300).map((r) => JSON.parse(r.body) as Notification);

  it('posts signed notifications to {callback}/listener/{eventType}, in order per resource', async () => {
    const listener = await startListener();
    listeners.push(listener);
    const { secret } = await subscribe(listener.url);
    const { handsetId, events: expected } = await makeEvents(5);
    server.services.relay.start();
    await waitFor(() => accepted(listener.received).length >= expected.length);

    for (const r of listener.received) {
      const n = JSON.parse(r.body) as Notification;
      expect(r.path).toBe(`/callback/listener/${n.eventType}`);
      expect(verifySignature(secret, r.body, String(r.headers['x-intake-signature']))).toBe(true);
      expect(
        verifySignature('another secret', r.body, String(r.headers['x-intake-signature'])),
      ).toBe(false);
      expect(typeof n.eventId).toBe('string');
      expect(Number.isNaN(Date.parse(n.eventTime))).toBe(false);
    }
    expect(new Set(accepted(listener.received).map((n) => n.eventId))).toEqual(new Set(expected));
    const versions = accepted(listener.received)
      .filter((n) => n.event.recordId === handsetId)
      .map((n) => n.event.version);
    expect(versions).toEqual([2, 3, 4, 5, 6]);
  });

  it('retries a listener that fails three times, and it receives each event exactly once', async () => {
    const listener = await startListener((i) => (i < 3 ? 503 : 201));
    listeners.push(listener);
    await subscribe(listener.url);
    const { events: expected } = await makeEvents(3);
    server.services.relay.start();
    await waitFor(() => accepted(listener.received).length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ids = accepted(listener.received).map((n) => n.eventId);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(listener.received.filter((r) => r.status === 503)).toHaveLength(3);
    const deliveries = await server.services.subscriptions.deliveries({ limit: 1000 });
    expect(deliveries.every((d) => d.status === 'delivered')).toBe(true);
  });

  it('marks a delivery dead after the last attempt, lists it, and replays it', async () => {
    let healthy = false;
    const listener = await startListener(() => (healthy ? 201 : 500));
    listeners.push(listener);
    await subscribe(listener.url, 'eventType=acquisitionCreateEvent');
    await makeEvents(0);
    server.services.relay.start();
    let dead: { id: string; attempts: number; lastError: string }[] = [];
    await waitFor(async () => {
      const response = await server.app.inject({
        method: 'GET',
        url: '/api/v1/deliveries?status=dead',
        headers: admin(),
      });
      dead = response.json<{ items: typeof dead }>().items;
      return dead.length === 1;
    });
    expect(dead[0]).toMatchObject({ attempts: 4, lastError: 'delivery failed: HTTP 500' });
    expect(listener.received).toHaveLength(4);
    healthy = true;
    const replay = await server.app.inject({
      method: 'POST',
      url: `/api/v1/deliveries/${dead[0]!.id}/replay`,
      headers: admin(),
    });
    expect(replay.statusCode).toBe(202);
    await waitFor(() => accepted(listener.received).length === 1);
    expect(accepted(listener.received)[0]!.eventType).toBe('acquisitionCreateEvent');
  });

  it("offers a TMF hub only its own API's events, filtered by the query", async () => {
    const listener = await startListener();
    const own = await startListener();
    listeners.push(listener, own);
    const hub = await server.app.inject({
      method: 'POST',
      url: '/tmf-api/customerManagement/v4/hub',
      headers: admin(),
      payload: {
        callback: listener.url,
        query: 'eventType=customerCreateEvent,acquisitionStateChangeEvent',
      },
    });
    expect(hub.statusCode).toBe(201);
    const body = hub.json<{ id: string }>();
    expect(tmfValidator('customer', 'EventSubscription')(body)).toBe(true);
    await subscribe(own.url, 'eventType=acquisitionStateChangeEvent');
    const { acquisitionId } = await makeEvents(2);
    await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${acquisitionId}/cancel`,
      headers: server.auth('sales'),
      payload: { reason: 'customer withdrew' },
    });
    server.services.relay.start();
    await waitFor(
      () => accepted(listener.received).length >= 1 && accepted(own.received).length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The acquisition's state change is Intake's event: its hub has it, the TMF629 hub does not.
    expect(accepted(listener.received).map((n) => n.eventType)).toEqual(['customerCreateEvent']);
    expect(accepted(own.received).map((n) => n.eventType)).toEqual(['acquisitionStateChangeEvent']);

    const gone = await server.app.inject({
      method: 'DELETE',
      url: `/tmf-api/customerManagement/v4/hub/${body.id}`,
      headers: admin(),
    });
    expect(gone.statusCode).toBe(204);
    const again = await server.app.inject({
      method: 'DELETE',
      url: `/tmf-api/customerManagement/v4/hub/${body.id}`,
      headers: admin(),
    });
    expect(again.statusCode).toBe(404);
    expect(tmfValidator('customer', 'Error')(again.json())).toBe(true);
    const party = await server.app.inject({
      method: 'POST',
      url: '/tmf-api/party/v4/hub',
      headers: admin(),
      payload: { callback: 'ftp://example.invalid/x' },
    });
    expect(party.statusCode).toBe(400);
    expect(party.json()).toMatchObject({ code: 'hub.callback-invalid' });
    expect(tmfValidator('party', 'Error')(party.json())).toBe(true);
  });
});
