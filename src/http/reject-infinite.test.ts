import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { findNonFinite } from './reject-infinite.js';

describe('findNonFinite', () => {
  it('points at every number that is not finite', () => {
    expect(findNonFinite({ limit: -Infinity, a: [1, NaN], b: 'Infinity' }, '/query')).toEqual([
      '/query/a/1',
      '/query/limit',
    ]);
    expect(findNonFinite({ offset: 0, limit: 50 })).toEqual([]);
  });
});

// Found by test/fuzz: Ajv coerces "-Infinity" and "1e309" to numbers that pass `type: integer`
// and skip `minimum`/`maximum`; `?limit=-Infinity` reached the database, a 500.
describe.each(dialects)('a paging parameter that is not a finite number on %s', (dialect) => {
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildProposal());
  });
  afterAll(() => server.close());

  it('is refused with 400 request.invalid, pointing at the parameter', async () => {
    for (const [url, pointer] of [
      ['/api/v1/deliveries?limit=-Infinity', '/querystring/limit'],
      ['/api/v1/acquisitions?offset=Infinity', '/querystring/offset'],
      [`/api/v1/acquisitions/${id}/records?limit=1e309`, '/querystring/limit'],
      [`/api/v1/acquisitions/${id}/interview?offset=-1e309`, '/querystring/offset'],
    ]) {
      const response = await server.app.inject({ url, headers: server.auth('admin') });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({
        code: 'request.invalid',
        errors: [{ pointer }],
      });
    }
  });

  it('refuses an offset too large for SQL, and pages from a large one that is not', async () => {
    const huge = await server.app.inject({
      url: `/api/v1/acquisitions/${id}/records?offset=99999999999999999999999999`,
      headers: server.auth('admin'),
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json()).toMatchObject({
      code: 'request.invalid',
      errors: [{ pointer: '/querystring/offset' }],
    });
    const large = await server.app.inject({
      url: `/api/v1/acquisitions/${id}/records?offset=2147483647`,
      headers: server.auth('admin'),
    });
    expect(large.statusCode).toBe(200);
    expect(large.json<{ items: unknown[] }>().items).toEqual([]);
  });
});
