import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { issueLink, openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

describe.each(dialects)('throttling by address on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  let linkToken: string;
  const get = (url: string, remoteAddress: string, authorization?: string) =>
    server.app.inject({
      url,
      remoteAddress,
      ...(authorization ? { headers: { authorization } } : {}),
    });

  beforeAll(async () => {
    server = await createTestServer(dialect, undefined, {}, {}, undefined, undefined, {
      authFailures: 3,
      linkRequests: 5,
    });
    acquisitionId = await openAcquisition(server, buildProposal());
    linkToken = await issueLink(server, acquisitionId);
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After after too many wrong tokens, even to a right one', async () => {
    const guesser = '198.51.100.7';
    for (let i = 0; i < 3; i++) {
      const wrong = await get('/api/v1/acquisitions', guesser, `Bearer itk_wrong${i}`);
      expect(wrong.statusCode).toBe(401);
    }
    const fourth = await get('/api/v1/acquisitions', guesser, 'Bearer ilk_wrong');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json()).toMatchObject({ code: 'auth.too-many-failures', status: 429 });
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The address is refused before its token is looked up: a right guess gains nothing.
    const right = await get('/api/v1/acquisitions', guesser, server.auth('viewer').authorization);
    expect(right.statusCode).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    const other = await get(
      '/api/v1/acquisitions',
      '198.51.100.8',
      server.auth('viewer').authorization,
    );
    expect(other.statusCode).toBe(200);
  });

  it('does not count requests without a token, nor good ones', async () => {
    const visitor = '198.51.100.20';
    for (let i = 0; i < 6; i++) {
      expect((await get('/api/v1/acquisitions', visitor)).statusCode).toBe(401);
      const good = await get('/api/v1/acquisitions', visitor, server.auth('viewer').authorization);
      expect(good.statusCode).toBe(200);
    }
  });

  it('limits requests with a customer link per address, and only those', async () => {
    const customer = '203.0.113.5';
    const url = `/api/v1/acquisitions/${acquisitionId}/forms`;
    for (let i = 0; i < 5; i++) {
      expect((await get(url, customer, `Bearer ${linkToken}`)).statusCode).toBe(200);
    }
    const sixth = await get(url, customer, `Bearer ${linkToken}`);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json()).toMatchObject({ code: 'link.too-many-requests' });
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const staff = await get(url, customer, server.auth('sales').authorization);
    expect(staff.statusCode).toBe(200);
    expect((await get(url, '203.0.113.6', `Bearer ${linkToken}`)).statusCode).toBe(200);
  });
});

describe.skipIf(!dialects.includes('postgres'))(
  'throttling shared by two nodes on one PostgreSQL',
  () => {
    let server: TestServer;
    let other: FastifyInstance;
    let acquisitionId: string;
    let linkToken: string;
    const get = (
      node: FastifyInstance,
      url: string,
      remoteAddress: string,
      authorization: string,
    ) => node.inject({ url, remoteAddress, headers: { authorization } });

    beforeAll(async () => {
      server = await createTestServer('postgres', undefined, {}, {}, undefined, undefined, {
        authFailures: 3,
        linkRequests: 4,
      });
      other = await server.anotherNode();
      acquisitionId = await openAcquisition(server, buildProposal());
      linkToken = await issueLink(server, acquisitionId);
    });
    afterAll(async () => {
      await other.close();
      await server.close();
    });

    it('counts wrong tokens sent to either node together, and both refuse the address', async () => {
      const guesser = '198.51.100.70';
      const nodes = [server.app, other, server.app];
      for (const [i, node] of nodes.entries()) {
        const wrong = await get(node, '/api/v1/acquisitions', guesser, `Bearer itk_wrong${i}`);
        expect(wrong.statusCode).toBe(401);
      }
      const fourth = await get(other, '/api/v1/acquisitions', guesser, 'Bearer itk_wrong4');
      expect(fourth.statusCode).toBe(429);
      for (const node of [server.app, other]) {
        const right = await get(
          node,
          '/api/v1/acquisitions',
          guesser,
          server.auth('viewer').authorization,
        );
        expect(right.statusCode).toBe(429);
        expect(right.json()).toMatchObject({ code: 'auth.too-many-failures' });
      }
      const elsewhere = server.auth('viewer').authorization;
      expect(
        (await get(other, '/api/v1/acquisitions', '198.51.100.71', elsewhere)).statusCode,
      ).toBe(200);
    });

    it("counts a customer link's requests to either node together", async () => {
      const customer = '203.0.113.50';
      const url = `/api/v1/acquisitions/${acquisitionId}/forms`;
      for (const node of [server.app, other, server.app, other]) {
        expect((await get(node, url, customer, `Bearer ${linkToken}`)).statusCode).toBe(200);
      }
      const fifth = await get(server.app, url, customer, `Bearer ${linkToken}`);
      expect(fifth.statusCode).toBe(429);
      expect(fifth.json()).toMatchObject({ code: 'link.too-many-requests' });
    });
  },
);
