import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedAcquisition } from '../test/approved-acquisition.js';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { startListener, waitFor, type Received } from '../test/listener.js';
import { subscribeListener } from '../test/hub-listener.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { HUB_APIS, HUB_EVENT_TYPES, type Notification } from './envelope.js';

type Listener = Awaited<ReturnType<typeof startListener>>;
const typesOf = (received: Received[]) =>
  received.map((r) => (JSON.parse(r.body) as Notification).eventType);

describe.each(dialects)('which hub receives which events on %s', (dialect) => {
  let server: TestServer;
  let orders: Listener;
  const listeners: Listener[] = [];

  beforeAll(async () => {
    orders = await startListener();
    server = await createTestServer(dialect, undefined, {}, {}, orders.url);
  });
  afterAll(async () => {
    await server.close();
    for (const l of [orders, ...listeners]) await l.close();
  });

  const subscribe = async (path: string) => {
    const subscribed = await subscribeListener(server, path);
    listeners.push(subscribed.listener);
    return subscribed;
  };

  it('sends the handover (the whole ProductOrder) to the order system and the Intake hub only, never to the TMF629 or TMF632 hubs', async () => {
    const customers = await subscribe('/tmf-api/customerManagement/v4/hub');
    const parties = await subscribe('/tmf-api/party/v4/hub');
    const intake = await subscribe('/api/v1/hub');
    const id = await approvedAcquisition(server, buildProposal());
    const handover = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/handover`,
      headers: server.auth('engineer'),
    });
    expect(handover.statusCode).toBe(202);
    server.services.relay.start();
    await waitFor(async () => {
      const deliveries = await server.services.subscriptions.deliveries({ limit: 100_000 });
      return (
        typesOf(intake.listener.received).includes('acquisitionStateChangeEvent') &&
        orders.received.length > 0 &&
        deliveries.every((d) => d.status === 'delivered')
      );
    }, 30_000);
    await server.services.relay.stop();

    // The order system got the ProductOrder; the Intake hub's subscriber got the event with it.
    expect(orders.received.map((r) => r.path)).toEqual(['/callback/productOrder']);
    const ready = intake.listener.received
      .map((r) => JSON.parse(r.body) as Notification)
      .filter((n) => n.eventType === 'customerDataReadyEvent');
    expect(ready).toHaveLength(1);
    expect(ready[0]!.event).toMatchObject({ acquisitionId: id, productOrder: { externalId: id } });

    // The TMF hubs got their own API's events (the customer record changed at handover), and only those.
    const customerTypes = typesOf(customers.listener.received);
    const partyTypes = typesOf(parties.listener.received);
    expect(customerTypes).toContain('customerCreateEvent');
    expect(customerTypes).toContain('customerStateChangeEvent');
    expect(partyTypes).toContain('organizationCreateEvent');
    expect(partyTypes).toContain('individualCreateEvent');
    for (const type of customerTypes) expect(HUB_EVENT_TYPES.customerManagement).toContain(type);
    for (const type of partyTypes) expect(HUB_EVENT_TYPES.party).toContain(type);
    for (const type of typesOf(intake.listener.received))
      expect(HUB_EVENT_TYPES.intake).toContain(type);
    for (const received of [customers.listener.received, parties.listener.received]) {
      expect(typesOf(received)).not.toContain('customerDataReadyEvent');
      expect(received.map((r) => r.body).join('\n')).not.toContain('productOrderItem');
    }
    const deliveries = await server.services.subscriptions.deliveries({ limit: 100_000 });
    expect(
      deliveries.filter(
        (d) =>
          d.eventType === 'customerDataReadyEvent' &&
          d.subscriptionId !== intake.id &&
          d.subscriptionId !== 'order-system',
      ),
    ).toEqual([]);

    // Every event Intake wrote is offered by exactly one hub: none is left out, none goes to two.
    const written = await server.database.db
      .selectFrom('outbox_events')
      .select('event_type')
      .distinct()
      .execute();
    expect(written.length).toBeGreaterThan(6);
    for (const { event_type: type } of written)
      expect(
        HUB_APIS.filter((api) => HUB_EVENT_TYPES[api].includes(type)),
        type,
      ).toHaveLength(1);
  });
});
