import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { exceedsDepth, MAX_BODY_DEPTH } from './reject-deep.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('exceedsDepth', () => {
  it('measures arrays and objects, and any depth without exhausting the stack', () => {
    expect(exceedsDepth('text', 0)).toBe(false);
    expect(exceedsDepth({ a: { b: [1] } }, 3)).toBe(false);
    expect(exceedsDepth({ a: { b: [1] } }, 2)).toBe(true);
    expect(exceedsDepth(JSON.parse(nested(100_000)), MAX_BODY_DEPTH)).toBe(true);
  });
});

// Found by test/fuzz: a body nested some thousands of levels overflowed the stack in the NUL
// guard, a 500 on every route that takes a body.
describe.each(dialects)('a body nested too deep on %s', (dialect) => {
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildProposal());
  });
  afterAll(() => server.close());

  it('is refused with 400 request.too-deep, and changes nothing', async () => {
    for (const [method, url, type] of [
      ['POST', `/api/v1/acquisitions/${id}/cancel`, 'application/json'],
      ['POST', `/api/v1/acquisitions/${id}/records/bulk`, 'application/json'],
      ['PATCH', '/tmf-api/party/v4/organization/x', 'application/merge-patch+json'],
    ] as const) {
      const response = await server.app.inject({
        method,
        url,
        headers: { ...server.auth('admin'), 'content-type': type },
        payload: `{"records":${nested(20_000)}}`,
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json<{ code: string }>().code, url).toBe('request.too-deep');
    }
    const acquisition = await server.app.inject({
      url: `/api/v1/acquisitions/${id}`,
      headers: server.auth('viewer'),
    });
    expect(acquisition.json<{ state: string }>().state).toBe('collecting');
  });

  it('takes a body nested as deep as the limit', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/records/bulk`,
      headers: { ...server.auth('admin'), 'content-type': 'application/json' },
      payload: `{"records":[{"entity":"user","values":{"firstName":${nested(MAX_BODY_DEPTH - 4)}}}]}`,
    });
    expect(response.json<{ code?: string }>().code).not.toBe('request.too-deep');
    expect(response.statusCode).toBeLessThan(500);
  });
});
