import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { startListener, waitFor } from '../test/listener.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { verifySignature, type Notification } from '../notifications/envelope.js';

type Doc = Record<string, unknown> & { id: string; href: string };

describe.each(dialects)('TMF629 customers and TMF632 parties on %s', (dialect) => {
  let server: TestServer;
  const engineer = () => server.auth('engineer');
  const customerValid = tmfValidator('customer', 'Customer');
  const organizationValid = tmfValidator('party', 'Organization');
  const individualValid = tmfValidator('party', 'Individual');

  beforeAll(async () => {
    server = await createTestServer(dialect);
    const opened = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth('sales'),
      payload: buildProposal({
        customer: { id: 'CUST-88214', name: 'Harbour & Vale Logistics Ltd' },
        contacts: [
          {
            role: 'technical',
            name: 'Priya Nair',
            email: 'priya.nair@harbourvale.example',
            phone: '+441134960321',
          },
          { role: 'billing', name: 'Tom Ellison', email: 'accounts@harbourvale.example' },
        ],
      }),
    });
    expect(opened.statusCode).toBe(201);
  });
  afterAll(() => server.close());

  const list = async (path: string) => {
    const response = await server.app.inject({
      method: 'GET',
      url: path,
      headers: server.auth('viewer'),
    });
    expect(response.statusCode).toBe(200);
    return { response, items: response.json<Doc[]>() };
  };

  it('starts the customer record when an acquisition opens: customer, organization and individuals, valid TMF v4', async () => {
    const customers = await list('/tmf-api/customerManagement/v4/customer');
    expect(customers.response.headers['x-total-count']).toBe('1');
    expect(customers.response.headers['x-result-count']).toBe('1');
    const customer = customers.items[0]!;
    expect(customerValid(customer), JSON.stringify(customerValid.errors)).toBe(true);
    expect(customer).toMatchObject({
      name: 'Harbour & Vale Logistics Ltd',
      '@type': 'Customer',
      '@baseType': 'PartyRole',
      href: `/tmf-api/customerManagement/v4/customer/${customer.id}`,
      engagedParty: { '@referredType': 'Organization' },
      contactMedium: [
        { mediumType: 'email', characteristic: { emailAddress: 'priya.nair@harbourvale.example' } },
        expect.anything(),
      ],
    });
    expect(String(customer['@schemaLocation'])).toContain('TMF629');
    const organizations = await list('/tmf-api/party/v4/organization');
    expect(organizations.items.every((o) => organizationValid(o))).toBe(true);
    const people = await list('/tmf-api/party/v4/individual');
    expect(people.items.map((p) => [p.givenName, p.familyName])).toEqual([
      ['Priya', 'Nair'],
      ['Tom', 'Ellison'],
    ]);
    expect(people.items.every((p) => individualValid(p))).toBe(true);
  });

  it('lists with fields, offset, limit and attribute filters', async () => {
    const filtered = await list('/tmf-api/party/v4/individual?familyName=Ellison&fields=givenName');
    expect(filtered.items).toEqual([
      { id: expect.any(String) as string, href: expect.any(String) as string, givenName: 'Tom' },
    ]);
    const page = await list('/tmf-api/party/v4/individual?offset=1&limit=1');
    expect(page.response.headers['x-total-count']).toBe('2');
    expect(page.items.map((p) => p.givenName)).toEqual(['Tom']);
    const byName = await list(
      `/tmf-api/customerManagement/v4/customer?name=${encodeURIComponent('Nobody Ltd')}`,
    );
    expect(byName.items).toEqual([]);
  });

  it('creates, merge-patches and deletes, and tells subscribers of each change', async () => {
    const listener = await startListener();
    try {
      const hub = await server.app.inject({
        method: 'POST',
        url: '/tmf-api/customerManagement/v4/hub',
        headers: engineer(),
        payload: { callback: listener.url },
      });
      const { secret } = hub.json<{ secret: string }>();
      const organization = (await list('/tmf-api/party/v4/organization')).items[0]!;
      const created = await server.app.inject({
        method: 'POST',
        url: '/tmf-api/customerManagement/v4/customer',
        headers: engineer(),
        payload: {
          name: 'Harbour & Vale (Ireland)',
          engagedParty: { id: organization.id, '@referredType': 'Organization' },
        },
      });
      expect(created.statusCode).toBe(201);
      const customer = created.json<Doc>();
      expect(customerValid(customer)).toBe(true);
      expect(created.headers.location).toBe(customer.href);

      const patched = await server.app.inject({
        method: 'PATCH',
        url: customer.href,
        headers: { ...engineer(), 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ status: 'Approved', statusReason: 'credit check passed' }),
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        status: 'Approved',
        name: 'Harbour & Vale (Ireland)',
      });
      expect(customerValid(patched.json())).toBe(true);
      const one = await server.app.inject({
        method: 'GET',
        url: organization.href,
        headers: engineer(),
      });
      expect(organizationValid(one.json())).toBe(true);
      const partyHub = await server.app.inject({
        method: 'POST',
        url: '/tmf-api/party/v4/hub',
        headers: engineer(),
        payload: { callback: listener.url, query: 'eventType=individualCreateEvent' },
      });
      expect(tmfValidator('party', 'EventSubscription')(partyHub.json())).toBe(true);
      const plain = await server.app.inject({
        method: 'PATCH',
        url: customer.href,
        headers: engineer(),
        payload: { name: 'Harbour & Vale Ireland' },
      });
      expect(plain.statusCode).toBe(200);
      const invalid = await server.app.inject({
        method: 'PATCH',
        url: customer.href,
        headers: engineer(),
        payload: { engagedParty: null },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toMatchObject({ code: 'tmf.invalid' });
      expect(tmfValidator('customer', 'Error')(invalid.json())).toBe(true);

      const gone = await server.app.inject({
        method: 'DELETE',
        url: customer.href,
        headers: engineer(),
      });
      expect(gone.statusCode).toBe(204);
      const missing = await server.app.inject({
        method: 'GET',
        url: customer.href,
        headers: engineer(),
      });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'tmf.not-found', status: '404' });
      expect(tmfValidator('customer', 'Error')(missing.json())).toBe(true);

      server.services.relay.start();
      const expected = [
        'customerCreateEvent',
        'customerAttributeValueChangeEvent',
        'customerStateChangeEvent',
        'customerAttributeValueChangeEvent',
        'customerDeleteEvent',
      ];
      const mine = () =>
        listener.received
          .map((r) => JSON.parse(r.body) as Notification)
          .filter((n) => (n.event.customer as { id?: string } | undefined)?.id === customer.id);
      await waitFor(() => mine().length >= expected.length);
      expect(mine().map((n) => n.eventType)).toEqual(expected);
      // Each hub's notifications are signed with its own subscription's secret.
      const partySecret = partyHub.json<{ secret: string }>().secret;
      for (const r of listener.received) {
        const type = (JSON.parse(r.body) as Notification).eventType;
        const key = type === 'individualCreateEvent' ? partySecret : secret;
        expect(verifySignature(key, r.body, String(r.headers['x-intake-signature']))).toBe(true);
      }
      for (const n of mine()) expect(customerValid(n.event.customer)).toBe(true);
    } finally {
      await server.services.relay.stop();
      await listener.close();
    }
  });
});
