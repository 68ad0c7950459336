import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { quoteUrl } from './quote-intake.js';

const quote = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/tmf648-quote-3-sites-120-seats.json', import.meta.url),
    'utf8',
  ),
) as { id: string; state: string };

describe.each(dialects)('opening acquisitions from quote events on %s', (dialect) => {
  let server: TestServer;
  let quoteSystem: ReturnType<typeof createServer>;
  let fetched = 0;
  const paths: string[] = [];

  beforeAll(async () => {
    // A fake TMF648 quote system: GET /quote/{id} answers the fixture quote.
    quoteSystem = createServer((request, response) => {
      fetched++;
      paths.push(request.url ?? '');
      if (request.url === `/tmf-api/quoteManagement/v4/quote/${quote.id}`) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(quote));
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => quoteSystem.listen(0, '127.0.0.1', resolve));
    const { port } = quoteSystem.address() as AddressInfo;
    server = await createTestServer(
      dialect,
      undefined,
      {},
      {},
      undefined,
      `http://127.0.0.1:${port}/tmf-api/quoteManagement/v4`,
    );
  });
  afterAll(async () => {
    await server.close();
    quoteSystem.closeAllConnections();
    await new Promise((resolve) => quoteSystem.close(resolve));
  });

  const event = (state: string, id = quote.id) => ({
    eventId: `evt-${state}-${id}`,
    eventType: 'QuoteStateChangeEvent',
    event: { quote: { id, state } },
  });
  const notify = (payload: object) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/listener/quoteStateChangeEvent',
      headers: server.auth('sales'),
      payload,
    });

  it('opens exactly one acquisition for an accepted quote, even when the event comes twice at once and again later', async () => {
    const ignored = await notify(event('inProgress'));
    expect(ignored.json()).toMatchObject({ opened: false, acquisitionId: null });
    expect(fetched).toBe(0);

    const [a, b] = await Promise.all([notify(event('accepted')), notify(event('accepted'))]);
    const later = await notify(event('accepted'));
    const answers = [a, b, later].map((r) => r.json<{ acquisitionId: string; opened: boolean }>());
    expect([a, b, later].map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(answers.filter((x) => x.opened)).toHaveLength(1);
    expect(new Set(answers.map((x) => x.acquisitionId)).size).toBe(1);
    const rows = await server.database.db
      .selectFrom('acquisitions')
      .select(['id', 'proposal_reference'])
      .where('proposal_reference', '=', quote.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(fetched).toBe(3);
  });

  it('answers 502 when the quote system does not have the quote, so the sender retries', async () => {
    const response = await notify(event('accepted', 'Q-UNKNOWN'));
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'quote.unreachable' });
  });

  it('fetches a quote id only as one path segment under /quote/, and refuses ".", ".." and a lone surrogate', async () => {
    for (const id of ['..', '.', 'Q-\ud800']) {
      const response = await notify(event('accepted', id));
      expect(response.statusCode, id).toBe(422);
      expect(response.json()).toMatchObject({ code: 'quote.id-invalid' });
    }
    const before = paths.length;
    const ids = ['../../admin', 'a/b', '?x=1', '#top', '%2f..%2fadmin', '..%2f', '..\\x', '%2e%2e'];
    for (const id of ids) {
      const response = await notify(event('accepted', id));
      expect(response.statusCode, id).toBe(502);
    }
    expect(paths.slice(before)).toEqual(
      ids.map((id) => `/tmf-api/quoteManagement/v4/quote/${encodeURIComponent(id)}`),
    );
  });
});

describe('the URL a quote is fetched from', () => {
  it('keeps any id but "." and ".." inside /quote/, as one segment that decodes back to the id', () => {
    const base = 'http://quotes.test/tmf-api/quoteManagement/v4/';
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[./%2fFeE?#\\]{1,8}$/)), (id) => {
        fc.pre(id !== '.' && id !== '..');
        const url = new URL(quoteUrl(base, id));
        expect(url.origin).toBe('http://quotes.test');
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
        const [prefix, segment, ...rest] = url.pathname.split('/quote/');
        expect(prefix).toBe('/tmf-api/quoteManagement/v4');
        expect(rest).toEqual([]);
        expect(decodeURIComponent(segment!)).toBe(id);
      }),
    );
    expect(() => quoteUrl(base, '..')).toThrow(/cannot name a quote/);
  });

  it('refuses an id with half of a surrogate pair, which has no UTF-8 form', () => {
    const base = 'http://quotes.test/tmf-api/quoteManagement/v4/';
    for (const id of ['\ud800', 'Q-\udc00-1', '\udbff'])
      expect(() => quoteUrl(base, id), JSON.stringify(id)).toThrow(/cannot name a quote/);
    expect(quoteUrl(base, 'Q-😀')).toBe(`${base}quote/${encodeURIComponent('Q-😀')}`);
  });
});
