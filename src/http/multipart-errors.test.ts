import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

const filesIn = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile())
    .map((f) => `${f.parentPath}/${f.name}`)
    .sort();

const BOUNDARY = 'intake-test-boundary';
/** A form whose file part is cut off before its closing boundary. */
const CUT_SHORT = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="users.csv"\r\n\r\nExtension,First name\n2001,Aisha\n`;

// Found by test/fuzz: busboy's "Unexpected end of form" and friends reached the error handler as
// unknown errors, a 500 on both upload routes.
describe.each(dialects)('a multipart body that cannot be read on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let portRequest: string;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(
      server,
      buildProposal({
        items: [
          buildItem({ quantity: 1 }),
          {
            id: 'port',
            productSpecification: 'number-port',
            quantity: 1,
            characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
          },
        ],
      }),
    );
    const records = await server.app.inject({
      url: `/api/v1/acquisitions/${id}/records?entity=portRequest`,
      headers: server.auth('sales'),
    });
    portRequest = records.json<{ items: { id: string }[] }>().items[0]!.id;
  });
  afterAll(() => server.close());

  it('is refused with 400 request.multipart-malformed, leaving no file behind', async () => {
    const filesBefore = await filesIn(server.dataDir);
    const cases = [
      [`/api/v1/acquisitions/${id}/imports`, 'multipart/form-data; boundary=', '{"a":1}'],
      [
        `/api/v1/acquisitions/${id}/imports`,
        `multipart/form-data; boundary=${BOUNDARY}`,
        CUT_SHORT,
      ],
      [
        `/api/v1/acquisitions/${id}/records/${portRequest}/files/loa`,
        `multipart/form-data; boundary=${BOUNDARY}`,
        CUT_SHORT.replace('users.csv', 'loa.pdf').replace(/Extension[^]*/, '%PDF-1.4\n'),
      ],
    ];
    for (const [url, type, payload] of cases) {
      const response = await server.app.inject({
        method: 'POST',
        url: url!,
        headers: { ...server.auth('sales'), 'content-type': type! },
        payload,
      });
      expect(response.statusCode, `${url} ${type}`).toBe(400);
      expect(response.json<{ code: string }>().code).toBe('request.multipart-malformed');
    }
    expect(await filesIn(server.dataDir)).toEqual(filesBefore);
    const imports = await server.app.inject({
      url: `/api/v1/acquisitions/${id}/imports`,
      headers: server.auth('sales'),
    });
    expect(imports.json<{ items: unknown[] }>().items).toEqual([]);
  });
});
