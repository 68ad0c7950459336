import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

describe.each(dialects)('HTTP hardening on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    acquisitionId = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 2 })] }),
    );
  });
  afterAll(() => server.close());

  it('sends the security headers on pages, the API, the docs and errors alike', async () => {
    for (const url of ['/docs/', '/docs/static/swagger-ui.css', '/app', '/portal', '/healthz']) {
      const response = await server.app.inject({ url });
      expect(response.statusCode, url).toBeLessThan(500);
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toMatch(/script-src[^;]*unsafe-inline/);
      // Inline styles only for the Swagger UI page, which draws one style element.
      expect(csp.includes('unsafe-inline'), url).toBe(url.startsWith('/docs/'));
      expect(csp, url).not.toContain('upgrade-insecure-requests');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
    }
    const refused = await server.app.inject({ url: '/api/v1/acquisitions' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('loads the Swagger UI page only from its own origin, with no inline script', async () => {
    const page = await server.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    // Every script is a file of this origin: nothing the policy would block.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/<style|\sstyle=/);
  });

  it('answers 400 request.nul-character for a NUL in a body, a query or a path, storing nothing', async () => {
    const records = await server.app.inject({
      url: `/api/v1/acquisitions/${acquisitionId}/records?entity=user`,
      headers: server.auth('sales'),
    });
    const user = records.json<{ items: { id: string; version: number }[] }>().items[0]!;
    const cases = [
      {
        method: 'PATCH' as const,
        url: `/api/v1/acquisitions/${acquisitionId}/records/${user.id}`,
        headers: { ...server.auth('sales'), 'if-match': `"${user.version}"` },
        payload: { firstName: 'An\u0000n' },
        pointer: '/firstName',
      },
      {
        method: 'POST' as const,
        url: '/api/v1/acquisitions',
        headers: server.auth('sales'),
        payload: { ...buildProposal(), reference: 'PRO-\u0000' },
        pointer: '/reference',
      },
      {
        method: 'GET' as const,
        url: '/api/v1/acquisitions?search=a%00b',
        headers: server.auth('viewer'),
        pointer: '/query/search',
      },
      {
        method: 'GET' as const,
        url: `/api/v1/acquisitions/${acquisitionId}/records/x%00y`,
        headers: server.auth('viewer'),
        pointer: '/params/recordId',
      },
    ];
    for (const { pointer, ...request } of cases) {
      const response = await server.app.inject(request);
      expect(response.statusCode, request.url).toBe(400);
      expect(response.json(), request.url).toMatchObject({
        code: 'request.nul-character',
        errors: [{ pointer }],
      });
    }
    const after = await server.app.inject({
      url: `/api/v1/acquisitions/${acquisitionId}/records/${user.id}`,
      headers: server.auth('sales'),
    });
    expect(after.json<{ version: number }>().version).toBe(user.version);
  });
});
