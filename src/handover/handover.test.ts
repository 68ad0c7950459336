import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import { approvedAcquisition } from '../test/approved-acquisition.js';
import { dialects } from '../test/database.js';
import { buildTwoSeatProposal } from '../test/factories.js';
import { startListener, waitFor } from '../test/listener.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { DEFAULT_RELAY_OPTIONS, Relay } from '../notifications/relay.js';
import { SubscriptionRepository } from '../notifications/subscriptions.js';

interface Order {
  externalId: string;
  quote: { id: string }[];
  relatedParty: { role: string; '@referredType': string }[];
  productOrderItem: {
    id: string;
    product: {
      name: string;
      productCharacteristic: { name: string; value: unknown }[];
      place?: { id: string }[];
    };
    productOrderItemRelationship?: { id: string }[];
  }[];
}

const proposal = buildTwoSeatProposal;

describe.each(dialects)('handover on %s', (dialect) => {
  let server: TestServer;
  const get = (url: string) =>
    server.app.inject({ method: 'GET', url, headers: server.auth('engineer') });

  beforeAll(async () => {
    server = await createTestServer(dialect);
  });
  afterAll(() => server.close());

  it('builds a TMF622 ProductOrder of an approved acquisition, valid against the v4 schema', async () => {
    const id = await approvedAcquisition(server, proposal());
    const response = await get(`/api/v1/acquisitions/${id}/handover/product-order`);
    expect(response.statusCode).toBe(200);
    const order = response.json<Order>();
    const validate = tmfValidator('productOrder', 'ProductOrder');
    expect(validate(order), JSON.stringify(validate.errors)).toBe(true);
    expect(order.externalId).toBe(id);
    expect(order.quote[0]!.id).toMatch(/^PRO-TEST-/);
    expect(order.relatedParty[0]).toMatchObject({
      role: 'Customer',
      '@referredType': 'Organization',
    });
    const items = order.productOrderItem;
    expect(items[0]).toMatchObject({ id: 'seats', product: { name: 'Hosted voice seat' } });
    const handsets = items.filter((i) => i.product.name === 'Handset');
    expect(handsets).toHaveLength(2);
    expect(handsets[0]!.productOrderItemRelationship).toEqual([
      { id: 'seats', relationshipType: 'bundled' },
    ]);
    const names = handsets[0]!.product.productCharacteristic.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['macAddress', 'deviceModel', 'siteName']));
    expect(items.filter((i) => i.product.name === 'User')).toHaveLength(2);
    expect(handsets[0]!.product.place).toEqual([
      {
        id: 'york',
        name: 'York Office',
        role: 'installationAddress',
        '@referredType': 'GeographicAddress',
      },
    ]);
  });

  it('exports each entity as CSV in its documented columns, the workbook, and the package', async () => {
    const id = await approvedAcquisition(server, proposal());
    const csv = await get(`/api/v1/acquisitions/${id}/handover/exports?entity=handset&format=csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(/^record_id,site,macAddress,deviceModel,siteName,assignedExtension/);
    expect(lines).toHaveLength(3);
    const xlsx = await get(`/api/v1/acquisitions/${id}/handover/exports`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const pkg = await get(`/api/v1/acquisitions/${id}/handover/package`);
    expect(pkg.json<{ exports: { entity: string }[] }>().exports.map((e) => e.entity)).toEqual(
      expect.arrayContaining(['user', 'handset', 'site']),
    );
    const notApproved = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth('sales'),
      payload: proposal(),
    });
    const early = await get(
      `/api/v1/acquisitions/${notApproved.json<{ id: string }>().id}/handover/product-order`,
    );
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'handover.not-approved' });
  });

  it('hands over at once when no order system is configured', async () => {
    // Hosted voice needs the customer's contacts by role; they reach the customer record.
    const withContacts = proposal();
    withContacts.items.push({
      id: 'group',
      productSpecification: 'hosted-voice',
      quantity: 1,
      characteristics: { numberBlocks: 1, extensionLength: 4 },
    });
    const id = await approvedAcquisition(server, withContacts);
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/handover`,
      headers: server.auth('engineer'),
    });
    expect(response.statusCode).toBe(200);
    expect((await get(`/api/v1/acquisitions/${id}`)).json()).toMatchObject({
      state: 'handed_over',
    });

    // The customer record now holds the captured contacts, and the customer is approved.
    const contacts = (await get(`/api/v1/acquisitions/${id}/records?entity=contact`)).json<{
      items: { values: { name: string } }[];
    }>().items;
    const customers = (await get('/tmf-api/customerManagement/v4/customer')).json<
      {
        status: string;
        relatedParty: { id: string; name: string }[];
        characteristic: { value: string }[];
      }[]
    >();
    const customer = customers.find((c) => c.characteristic.some((ch) => ch.value === id))!;
    expect(customer.status).toBe('Approved');
    expect(contacts.length).toBeGreaterThan(1);
    expect(customer.relatedParty.map((p) => p.name).sort()).toEqual(
      contacts.map((c) => c.values.name).sort(),
    );
    for (const party of customer.relatedParty) {
      const individual = await get(`/tmf-api/party/v4/individual/${party.id}`);
      expect(individual.statusCode).toBe(200);
      expect(tmfValidator('party', 'Individual')(individual.json())).toBe(true);
    }
  });
});

describe.each(dialects)('handover to an order system on %s', (dialect) => {
  it('POSTs the ProductOrder through the outbox, retries, shows the failure, and hands over on 201', async () => {
    const orders = await startListener((i) => (i < 2 ? 503 : 201));
    const server = await createTestServer(dialect, undefined, {}, {}, orders.url);
    try {
      const id = await approvedAcquisition(server, proposal());
      const response = await server.app.inject({
        method: 'POST',
        url: `/api/v1/acquisitions/${id}/handover`,
        headers: server.auth('engineer'),
      });
      expect(response.statusCode).toBe(202);
      const acquisition = () =>
        server.app
          .inject({
            method: 'GET',
            url: `/api/v1/acquisitions/${id}`,
            headers: server.auth('viewer'),
          })
          .then((r) => r.json<{ state: string; handoverError: string | null }>());
      expect(await acquisition()).toMatchObject({ state: 'approved' });
      const summary = () =>
        server.app
          .inject({
            method: 'GET',
            url: `/api/v1/acquisitions/${id}/handover/summary`,
            headers: server.auth('sales'),
          })
          .then((r) => r.json<Record<string, unknown>>());
      // Before the relay has tried: what is sent, per product (the site, 2 users, 2 handsets),
      // and its delivery queued with the handover itself.
      expect(await summary()).toMatchObject({
        state: 'approved',
        orderSystem: true,
        items: 6,
        products: [{ id: 'seats', name: 'Hosted voice seat', quantity: 2, records: 5 }],
        delivery: { status: 'pending', attempts: 0, lastError: null, deliveredAt: null },
      });
      await server.services.relay.runOnce();
      expect((await acquisition()).handoverError).toMatch(
        /Attempt 1: the order system answered 503/,
      );
      // The summary shows the retry: one attempt, the order system's answer, the next try.
      expect(await summary()).toMatchObject({
        delivery: {
          status: 'pending',
          attempts: 1,
          lastError: expect.stringMatching(/503/) as string,
          nextAttemptAt: expect.any(String) as string,
        },
      });
      server.services.relay.start();
      await waitFor(async () => (await acquisition()).state === 'handed_over');
      expect((await acquisition()).handoverError).toBeNull();
      expect(await summary()).toMatchObject({
        state: 'handed_over',
        delivery: { status: 'delivered', attempts: 3, nextAttemptAt: null },
      });
      const posted = orders.received.filter((r) => r.path === '/callback/productOrder');
      expect(posted).toHaveLength(3);
      expect(new Set(posted.map((r) => r.headers['idempotency-key'])).size).toBe(1);
      const validate = tmfValidator('productOrder', 'ProductOrder');
      expect(validate(JSON.parse(posted[2]!.body))).toBe(true);
    } finally {
      await server.close();
      await orders.close();
    }
  });
});

describe.each(dialects)('a handover on %s with a node that has no order system', (dialect) => {
  it('is sent to the order system even when that node fans the event out first', async () => {
    const orders = await startListener(() => 201);
    const server = await createTestServer(dialect, undefined, {}, {}, orders.url);
    try {
      const id = await approvedAcquisition(server, proposal());
      const handedOver = await server.app.inject({
        method: 'POST',
        url: `/api/v1/acquisitions/${id}/handover`,
        headers: server.auth('engineer'),
      });
      expect(handedOver.statusCode).toBe(202);
      // Another node on the same database, configured without the order system: its relay fans
      // out the event first, and must neither drop the order system's delivery nor send it.
      const { db } = server.database;
      const other = new Relay(db, new SubscriptionRepository(db), DEFAULT_RELAY_OPTIONS);
      await other.runOnce();
      expect(orders.received).toHaveLength(0);
      await server.services.relay.runOnce();
      await waitFor(async () => orders.received.length === 1);
      const acquisition = await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}`,
        headers: server.auth('viewer'),
      });
      expect(acquisition.json()).toMatchObject({ state: 'handed_over' });
    } finally {
      await server.close();
      await orders.close();
    }
  });
});
