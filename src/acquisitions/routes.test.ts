import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearAcquisitions, dialects } from '../test/database.js';
import { buildItem, buildProposal, buildQuote, buildSite } from '../test/factories.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface PlanBody {
  acquisitionId: string;
  completeness: number;
  entities: {
    entity: string;
    expected: number;
    present: number;
    missing: { field: string; owner: string; count: number }[];
  }[];
}

describe.each(dialects)('acquisitions on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(dialect, () => new Date('2026-11-27T09:00:00Z'));
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    await clearAcquisitions(server.database);
  });

  const post = (payload: unknown, role: 'sales' | 'admin' = 'sales') =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth(role),
      payload: payload as object,
    });
  const count = async () =>
    (await server.database.db.selectFrom('acquisitions').select('id').execute()).length;

  it('opens an acquisition from an accepted TMF648 quote: 201, Location, and a plan of 3 sites, 120 users, 120 handsets', async () => {
    const response = await post(buildQuote());
    expect(response.statusCode).toBe(201);
    const body = response.json<{
      id: string;
      state: string;
      proposalReference: string;
      proposalFormat: string;
      createdBy: string;
      completeness: number;
    }>();
    expect(response.headers.location).toBe(`/api/v1/acquisitions/${body.id}`);
    expect(body).toMatchObject({
      state: 'collecting',
      proposalReference: 'Q-2026-7731',
      proposalFormat: 'tmf648',
      createdBy: 'sales-test',
    });

    const plan = await server.app.inject({
      method: 'GET',
      url: `${response.headers.location}/plan`,
      headers: server.auth('viewer'),
    });
    expect(plan.statusCode).toBe(200);
    const p = plan.json<PlanBody>();
    const expected = Object.fromEntries(p.entities.map((e) => [e.entity, e.expected]));
    expect(expected).toMatchObject({ site: 3, user: 120, handset: 120 });
    expect(p.completeness).toBeGreaterThan(0);
    expect(p.completeness).toBeLessThan(1);
    expect(p.completeness).toBeCloseTo(body.completeness, 10);
    expect(p.entities.find((e) => e.entity === 'handset')!.missing).toContainEqual(
      expect.objectContaining({ field: 'mac', owner: 'customer', count: 120 }),
    );
  });

  it('opens one from a native agreed proposal', async () => {
    const response = await post(
      buildProposal({
        reference: 'N-42',
        sites: [buildSite('a'), buildSite('b')],
        items: [buildItem({ quantity: 7, sites: ['a'] })],
      }),
    );
    expect(response.statusCode).toBe(201);
    const plan = (
      await server.app.inject({
        method: 'GET',
        url: `${response.headers.location}/plan`,
        headers: server.auth('engineer'),
      })
    ).json<PlanBody>();
    expect(plan.entities.map((e) => [e.entity, e.expected])).toEqual([
      ['user', 7],
      ['handset', 7],
      ['site', 1],
    ]);
  });

  it('refuses a quote that is not accepted with 422 and stores nothing', async () => {
    const response = await post(buildQuote({ state: 'inProgress' }));
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: 'urn:intake:problem:proposal.not-agreed',
      code: 'proposal.not-agreed',
      status: 422,
      errors: [{ pointer: '/state' }],
    });
    expect(await count()).toBe(0);
  });

  it('refuses unknown product specifications with 422 naming each, and stores nothing', async () => {
    const response = await post(
      buildProposal({
        items: [
          buildItem({ id: 'a', productSpecification: 'fax-line' }),
          buildItem({ id: 'b' }),
          buildItem({ id: 'c', productSpecification: 'telex' }),
        ],
      }),
    );
    expect(response.statusCode).toBe(422);
    const problem = response.json<{
      code: string;
      detail: string;
      errors: { pointer: string; detail: string }[];
    }>();
    expect(problem.code).toBe('proposal.unknown-product');
    expect(problem.errors.map((e) => e.pointer)).toEqual([
      '/items/0/productSpecification',
      '/items/2/productSpecification',
    ]);
    expect(problem.errors[0]!.detail).toContain('fax-line');
    expect(problem.errors[1]!.detail).toContain('telex');
    expect(await count()).toBe(0);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: { ...server.auth('sales'), 'content-type': 'application/json' },
      payload: '{"reference": "x", ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'request.malformed', status: 400 });
    expect(await count()).toBe(0);
  });

  it('refuses schema violations with 400 listing every finding with a JSON pointer', async () => {
    const response = await post({
      reference: '',
      status: 'agreed',
      customer: {},
      sites: [],
      items: [],
    });
    expect(response.statusCode).toBe(400);
    const pointers = response
      .json<{ errors: { pointer: string }[] }>()
      .errors.map((e) => e.pointer)
      .sort();
    expect(pointers).toEqual(['/customer/name', '/items', '/reference']);
    expect(await count()).toBe(0);
  });

  it('refuses a second acquisition for the same proposal with 409', async () => {
    const first = await post(buildProposal({ reference: 'DUP-1' }));
    const second = await post(buildProposal({ reference: 'DUP-1' }));
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      code: 'acquisition.exists',
      acquisitionId: first.json<{ id: string }>().id,
    });
    expect(await count()).toBe(1);
  });

  it('lists acquisitions with their completeness, newest first, filtered and paged', async () => {
    await post(buildProposal({ reference: 'L-1', customer: { name: 'Alder Dental Group' } }));
    await post(buildProposal({ reference: 'L-2', customer: { name: 'Birch 100% Ltd' } }));
    const list = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions?limit=1',
      headers: server.auth('viewer'),
    });
    expect(list.headers['x-total-count']).toBe('2');
    expect(list.headers['x-result-count']).toBe('1');
    const body = list.json<{
      total: number;
      items: { customerName: string; completeness: number; href: string }[];
    }>();
    expect(body.total).toBe(2);
    expect(body.items[0]!.completeness).toBeGreaterThan(0);
    const search = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions?search=100%25',
      headers: server.auth('viewer'),
    });
    expect(
      search.json<{ items: { customerName: string }[] }>().items.map((i) => i.customerName),
    ).toEqual(['Birch 100% Ltd']);
    const state = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions?state=approved',
      headers: server.auth('viewer'),
    });
    expect(state.json<{ total: number }>().total).toBe(0);
    const bad = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions?state=lost&limit=0',
      headers: server.auth('viewer'),
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ errors: { pointer: string }[] }>()
        .errors.map((e) => e.pointer)
        .sort(),
    ).toEqual(['/querystring/limit', '/querystring/state']);
  });

  it('answers 404 as problem+json for an unknown acquisition and an unknown route', async () => {
    const unknown = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions/nope/plan',
      headers: server.auth('viewer'),
    });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'acquisition.not-found' });
    const route = await server.app.inject({
      method: 'GET',
      url: '/api/v1/nothing-here',
      headers: server.auth('viewer'),
    });
    expect(route.json()).toMatchObject({ status: 404, code: 'route.not-found' });
  });

  it('pins the catalogue version and lists the plan slot by slot', async () => {
    const created = await post(buildQuote({ id: 'Q-SLOTS' }));
    const { id, catalogVersion } = created.json<{ id: string; catalogVersion: string }>();
    expect(catalogVersion).toBe(server.catalog.versionId);
    const stored = await server.database.db.selectFrom('catalog_versions').select('id').execute();
    expect(stored.map((r) => r.id)).toContain(catalogVersion);
    const slots = await server.app.inject({
      method: 'GET',
      url: `/api/v1/acquisitions/${id}/plan/slots?entity=user&site=site-bri&limit=2&offset=1`,
      headers: server.auth('viewer'),
    });
    expect(slots.headers['x-total-count']).toBe('40');
    expect(slots.json<{ items: { id: string }[] }>().items.map((s) => s.id)).toEqual([
      'user/12#2',
      'user/12#3',
    ]);
  });
});
