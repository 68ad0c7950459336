import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../../src/test/database.js';
import { buildQuote } from '../../../src/test/factories.js';
import { openAcquisition } from '../../../src/test/open-acquisition.js';
import { createTestServer, type TestServer } from '../../../src/test/server.js';
import type { ApiRecord } from '../api.js';
import { FormModel, type FormContext } from './form-model.js';
import * as checks from './value-checks.js';

interface Slot {
  recordId: string | null;
  entity: string;
  required: string[];
}

/**
 * The browser's forms decide which fields a record requires with the server's own modules; here
 * that is checked against the server's answer for every record of a quote whose sites chose
 * different features (shared lines in Bristol, hot desks in Edinburgh).
 */
describe.each(dialects.slice(0, 1))('the form model in the browser on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  const get = async <T>(path: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}${path}`,
        headers: server.auth('viewer'),
      })
    ).json<T>();

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildQuote());
  });
  afterAll(() => server.close());

  it("requires of every record exactly the fields the server's plan requires", async () => {
    const model = new FormModel(await get<FormContext>('/forms'));
    const slots = (await get<{ items: Slot[] }>('/plan/slots?limit=500')).items;
    expect(slots.length).toBeGreaterThan(240);
    const records = new Map<string, ApiRecord>();
    for (const entity of model.entities.keys())
      for (const r of (await get<{ items: ApiRecord[] }>(`/records?entity=${entity}&limit=500`))
        .items)
        records.set(r.id, r);
    let compared = 0;
    for (const slot of slots) {
      const record = slot.recordId ? records.get(slot.recordId) : undefined;
      const entity = model.entities.get(slot.entity);
      if (!record || !entity) continue;
      const required = entity.fields
        .filter((f) => model.isRequired(f, record, record.values))
        .map((f) => f.id);
      expect(required.sort(), `${record.id}`).toEqual([...slot.required].sort());
      compared++;
    }
    expect(compared).toBeGreaterThan(240);

    const handsets = [...records.values()].filter((r) => r.entity === 'handset');
    const handset = model.entities.get('handset')!;
    const visible = (r: ApiRecord) => model.visibleFields(handset, r, r.values).map((f) => f.id);
    expect(handsets.filter((r) => visible(r).includes('hotDeskHost'))).toHaveLength(40);
    expect(handsets.filter((r) => visible(r).includes('sharedLinePortId'))).toHaveLength(40);
  });

  it('finds the problems the server finds, in the words it uses', async () => {
    const model = new FormModel(await get<FormContext>('/forms'));
    const handset = model.entities.get('handset')!;
    const record = { entity: 'handset', site: null };
    expect(model.check(checks, handset, record, { mac: '00:15:65:ZZ:10:03' }).get('mac')).toMatch(
      /MAC/,
    );
    expect(model.check(checks, handset, record, { mac: '0015.65a1.1004' }).size).toBe(0);
    const site = model.entities.get('site')!;
    expect(
      model.check(checks, site, { entity: 'site', site: null }, { contactPhone: '0113 496 0123' })
        .size,
    ).toBe(0);
    expect(
      model
        .check(checks, site, { entity: 'site', site: null }, { timeZone: 'Europe/Lndon' })
        .get('timeZone'),
    ).toBeDefined();
    // A reference written by name is left to the server, which stores the canonical reference.
    expect(model.check(checks, handset, record, { site: 'Leeds HQ' }).size).toBe(0);
    expect(model.check(checks, handset, record, { assignedUser: 'Ada Lovelace' }).size).toBe(0);
    expect(model.check(checks, handset, record, { assignedUser: '1' }).get('assignedUser')).toMatch(
      /extension/,
    );
  });
});
