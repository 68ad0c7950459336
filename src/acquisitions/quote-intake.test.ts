import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../access/roles.js';
import { dialects } from '../test/database.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { QuoteIntake, type Fetch } from './quote-intake.js';

const quote = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/tmf648-quote-3-sites-120-seats.json', import.meta.url),
    'utf8',
  ),
) as { id: string };
const QUOTES = 'http://quotes.test/tmf-api/quoteManagement/v4';
const sales: Principal = { tokenId: 'tok_sales', name: 'sales test', role: 'sales' };

describe.each(dialects)('the quote intake with an injected fetch, on %s', (dialect) => {
  let server: TestServer;
  const calls: string[] = [];
  /** A quote system that has the fixture quote and nothing else. */
  const quoteSystem: Fetch = (url) => {
    calls.push(url);
    return Promise.resolve(
      url === `${QUOTES}/quote/${quote.id}`
        ? Response.json(quote)
        : new Response('no such quote', { status: 404 }),
    );
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
  });
  afterAll(() => server.close());

  it('fetches nothing for a state other than accepted', async () => {
    const intake = new QuoteIntake(server.services.acquisitions, QUOTES, quoteSystem);
    const outcome = await intake.quoteChanged({ id: quote.id, state: 'inProgress' }, sales);
    expect(outcome).toEqual({ quoteId: quote.id, acquisitionId: null, opened: false });
    expect(calls).toEqual([]);
  });

  it('opens an accepted quote once, and answers with the same acquisition after', async () => {
    const intake = new QuoteIntake(server.services.acquisitions, QUOTES, quoteSystem);
    const first = await intake.quoteChanged({ id: quote.id, state: 'accepted' }, sales);
    const again = await intake.quoteChanged({ id: quote.id }, sales);
    expect(first).toMatchObject({ quoteId: quote.id, opened: true });
    expect(again).toEqual({ quoteId: quote.id, acquisitionId: first.acquisitionId, opened: false });
    expect(calls).toEqual([`${QUOTES}/quote/${quote.id}`, `${QUOTES}/quote/${quote.id}`]);
  });

  it('tells why a quote could not be fetched: an answer that is not OK, or no answer', async () => {
    const refused = new QuoteIntake(server.services.acquisitions, QUOTES, quoteSystem);
    await expect(refused.quoteChanged({ id: 'Q-UNKNOWN' }, sales)).rejects.toMatchObject({
      code: 'quote.unreachable',
      status: 502,
      message: expect.stringContaining('it answered 404') as unknown,
    });
    const down: Fetch = () => Promise.reject(new Error('connection refused'));
    const unreachable = new QuoteIntake(server.services.acquisitions, QUOTES, down);
    await expect(unreachable.quoteChanged({ id: 'Q-1' }, sales)).rejects.toMatchObject({
      code: 'quote.unreachable',
      message: expect.stringContaining('connection refused') as unknown,
    });
  });

  it('refuses an accepted quote when no quote system is configured, before fetching', async () => {
    const intake = new QuoteIntake(server.services.acquisitions, undefined, quoteSystem);
    const before = calls.length;
    await expect(
      intake.quoteChanged({ id: 'Q-2', state: 'accepted' }, sales),
    ).rejects.toMatchObject({ code: 'quote.not-configured', status: 503 });
    expect(calls.length).toBe(before);
  });
});
