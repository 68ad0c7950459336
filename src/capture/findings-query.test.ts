import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

// Found by test/fuzz: the findings route handed its whole query to the repository, whose own
// `limit` option then took `?limit=1&limit=2` (an array) into SQL, a 500.
describe.each(dialects)('the findings of an acquisition on %s', (dialect) => {
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildProposal());
  });
  afterAll(() => server.close());

  it('ignore query parameters that are not its filters', async () => {
    const url = `/api/v1/acquisitions/${id}/findings`;
    const all = await server.app.inject({ url, headers: server.auth('viewer') });
    expect(all.statusCode).toBe(200);
    for (const extra of ['limit=1&limit=2', 'limit=0', 'recordIds=x']) {
      const response = await server.app.inject({
        url: `${url}?${extra}`,
        headers: server.auth('viewer'),
      });
      expect(response.statusCode, extra).toBe(200);
      expect(response.json<{ total: number }>().total, extra).toBe(
        all.json<{ total: number }>().total,
      );
    }
  });
});
