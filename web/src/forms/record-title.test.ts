import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProposal } from '../../../src/demo/seed-demo.js';
import { dialects } from '../../../src/test/database.js';
import { openAcquisition } from '../../../src/test/open-acquisition.js';
import { createTestServer, type TestServer } from '../../../src/test/server.js';
import type { ApiRecord } from '../api.js';
import { FormModel, type PortalContext } from './form-model.js';
import { recordTitle } from './plain-language.js';

/**
 * What the portal calls records, as a customer link sees them (only the customer's fields): never
 * an internal id, a contact by its role, with the contact the proposal names pre-filled.
 */
describe.each(dialects.slice(0, 1))('record titles in the portal on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let link: Record<string, string>;
  const get = async <T>(path: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}${path}`,
        headers: link,
      })
    ).json<T>();

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, demoProposal() as object);
    const issued = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/links`,
      headers: server.auth('sales'),
      payload: { contactName: 'Priya Example' },
    });
    link = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
  });
  afterAll(() => server.close());

  const titles = async (entity: string) => {
    const model = new FormModel(await get<PortalContext>('/forms'));
    const records = (await get<{ items: ApiRecord[] }>(`/records?entity=${entity}&limit=500`))
      .items;
    const spec = model.entities.get(entity)!;
    return {
      records,
      titles: records.map((r, i) => recordTitle(spec, r, model, i, records.length)),
    };
  };

  it('calls contacts by their role and pre-fills the one the proposal names', async () => {
    const { records, titles: names } = await titles('contact');
    expect(names).toEqual(expect.arrayContaining(['Main contact', 'Technical contact']));
    const technical = records[names.indexOf('Technical contact')]!;
    expect(technical.values).toMatchObject({
      name: 'Tomasz Sample',
      email: 'tomasz.sample@harbourvale.example',
    });
    expect(technical.values.role).toBeUndefined(); // sales' field: the link never sees it
  });

  it('calls a LAN subnet by its site name, never by a site id', async () => {
    const { titles: names } = await titles('lanSubnet');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name).not.toMatch(/leeds-hq|manchester-depot|hull-port/);
      expect(name).toMatch(/^[A-Z]/);
    }
  });
});
