import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { ROLES, type Role } from './roles.js';
import { openAcquisition } from '../test/open-acquisition.js';

describe.each(dialects)('access control on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  beforeAll(async () => {
    server = await createTestServer(dialect);
    acquisitionId = await openAcquisition(server, buildProposal());
  });
  afterAll(() => server.close());

  const routes = () =>
    [
      { method: 'GET', url: '/api/v1/acquisitions', allowed: ROLES },
      { method: 'GET', url: `/api/v1/acquisitions/${acquisitionId}`, allowed: ROLES },
      { method: 'GET', url: `/api/v1/acquisitions/${acquisitionId}/plan`, allowed: ROLES },
      { method: 'GET', url: `/api/v1/acquisitions/${acquisitionId}/plan/slots`, allowed: ROLES },
      { method: 'GET', url: '/api/v1/catalog', allowed: ROLES },
      { method: 'GET', url: '/api/v1/catalog/entities/user', allowed: ROLES },
      {
        method: 'POST',
        url: '/api/v1/acquisitions',
        allowed: ['admin', 'sales'],
        payload: () => buildProposal(),
      },
      {
        method: 'POST',
        url: '/api/v1/tokens',
        allowed: ['admin'],
        payload: () => ({ name: 'ci', role: 'viewer' }),
      },
      { method: 'GET', url: '/api/v1/tokens', allowed: ['admin'] },
    ] as const;

  it('answers 401 without a token, with a malformed header and with an unknown token, on every route', async () => {
    for (const route of routes()) {
      for (const headers of [
        {},
        { authorization: 'Basic abc' },
        { authorization: 'Bearer itk_not-a-real-token' },
      ]) {
        const response = await server.app.inject({ method: route.method, url: route.url, headers });
        expect(response.statusCode, `${route.method} ${route.url} ${JSON.stringify(headers)}`).toBe(
          401,
        );
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    }
  });

  it('checks the role per route: 403 for the wrong role, through for the right one', async () => {
    for (const route of routes()) {
      for (const role of ROLES) {
        const payload = 'payload' in route ? route.payload() : undefined;
        const response = await server.app.inject({
          method: route.method,
          url: route.url,
          headers: server.auth(role),
          payload,
        });
        const label = `${role} ${route.method} ${route.url}`;
        if ((route.allowed as readonly Role[]).includes(role)) {
          expect(response.statusCode, label).toBeLessThan(300);
        } else {
          expect(response.statusCode, label).toBe(403);
          expect(response.json(), label).toMatchObject({ code: 'auth.forbidden', status: 403 });
        }
      }
    }
  });

  it('issues a named token that works at once, stores only its hash, and revokes it', async () => {
    const issued = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.auth('admin'),
      payload: { name: 'crm-integration', role: 'sales' },
    });
    expect(issued.statusCode).toBe(201);
    const body = issued.json<{ id: string; token: string; role: string; createdBy: string }>();
    expect(body).toMatchObject({ role: 'sales', createdBy: 'admin-test' });
    expect(body.token).toMatch(/^itk_[A-Za-z0-9_-]{43}$/);

    const stored = await server.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(body.token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const asIssued = { authorization: `Bearer ${body.token}` };
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/v1/acquisitions', headers: asIssued }))
        .statusCode,
    ).toBe(200);
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: asIssued }))
        .statusCode,
    ).toBe(403);

    const list = await server.app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: server.auth('admin'),
    });
    expect(list.body).not.toContain(body.token);

    const revoked = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${body.id}`,
      headers: server.auth('admin'),
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/v1/acquisitions', headers: asIssued }))
        .statusCode,
    ).toBe(401);
    const again = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${body.id}`,
      headers: server.auth('admin'),
    });
    expect(again.json()).toMatchObject({ status: 404, code: 'token.not-found' });
  });

  it('refuses a token request with an unknown role, listing the finding', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.auth('admin'),
      payload: { name: 'x', role: 'superuser' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'request.invalid',
      errors: [expect.objectContaining({ pointer: '/role' })],
    });
  });
});
