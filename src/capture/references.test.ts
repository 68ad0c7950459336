import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerInterview } from '../test/answer-interview.js';
import { submitAndApprove } from '../test/approved-acquisition.js';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal, buildSite } from '../test/factories.js';
import { DemoAnswers } from '../test/fill-values.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface RecordBody {
  id: string;
  entity: string;
  site: string | null;
  version: number;
  status: string;
  values: Record<string, unknown>;
  findings: { rule: string; field: string; message: string }[];
}

const gb = (streetName: string, city: string, postcode: string) => ({
  streetNr: '1',
  streetName,
  city,
  postcode,
  country: 'GB',
});

const proposal = () =>
  buildProposal({
    sites: [
      buildSite('leeds-hq', {
        name: 'Leeds HQ',
        address: gb('Wellington Street', 'Leeds', 'LS1 4DL'),
      }),
      buildSite('manchester-depot', {
        name: 'Manchester Depot',
        address: gb('Trafford Park Road', 'Manchester', 'M17 1HH'),
      }),
      buildSite('man-air', {
        name: 'Manchester Airport',
        address: gb('Ringway', 'Manchester', 'M90 1QX'),
      }),
    ],
    items: [
      buildItem({
        id: 'seats',
        quantity: 3,
        sites: ['leeds-hq'],
        characteristics: {
          features: ['voicemail'],
          handsetModel: 'Yealink T54W',
          userType: 'standard',
        },
      }),
    ],
  });

describe.each(dialects)('references by what people write on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let base: string;
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  const get = (path: string, role: 'sales' | 'engineer' = 'sales') =>
    server.app.inject({ method: 'GET', url: url(path), headers: server.auth(role) });
  const list = async (entity: string) =>
    (await get(`/records?entity=${entity}&limit=100`)).json<{ items: RecordBody[] }>().items;
  const bulk = async (records: { id: string; values: Record<string, unknown> }[]) => {
    const response = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: server.auth('sales'),
      payload: { records },
    });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    return response.json<{ items: RecordBody[] }>().items;
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    const p = proposal();
    id = await openAcquisition(server, p);
    await answerInterview(
      server,
      id,
      server.auth('sales'),
      new DemoAnswers(
        p.sites.map((s) => s.id),
        7000,
      ),
    );
  });
  afterAll(() => server.close());

  it('resolves names across the batches of one transaction, seeing the users a batch changes', async () => {
    const p = proposal();
    const other = await openAcquisition(server, p);
    await answerInterview(
      server,
      other,
      server.auth('sales'),
      new DemoAnswers(
        p.sites.map((s) => s.id),
        8000,
      ),
    );
    const read = async (entity: string) =>
      (
        await server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${other}/records?entity=${entity}&limit=100`,
          headers: server.auth('sales'),
        })
      ).json<{ items: RecordBody[] }>().items;
    const [u1, u2] = await read('user');
    const handsets = await read('handset');
    const { engine } = server.services.capture;
    const ctx = await engine.context(other);
    const origin = { source: 'import' as const, actor: 'test' };
    const assign = (handset: number, name: string) =>
      ({ op: 'update', id: handsets[handset]!.id, patch: { assignedUser: name } }) as const;
    const stored = await server.database.db.transaction().execute(async (trx) => {
      const first = await engine.writeWith(
        trx,
        ctx,
        [assign(0, `${String(u1!.values.firstName)} ${String(u1!.values.lastName)}`)],
        origin,
      );
      await engine.writeWith(
        trx,
        ctx,
        [{ op: 'update', id: u2!.id, patch: { firstName: 'Zed', lastName: 'Zulu' } }],
        origin,
      );
      const second = await engine.writeWith(trx, ctx, [assign(1, 'zed zulu')], origin);
      const third = await engine.writeWith(trx, ctx, [assign(2, 'Zed  Zulu')], origin);
      return [first, second, third].map((r) => r.records[0]!.values.assignedUser);
    });
    expect(stored).toEqual([u1!.values.extension, u2!.values.extension, u2!.values.extension]);
  });

  it('imports a sheet whose Location column names sites as people write them', async () => {
    const other = await openAcquisition(server, proposal());
    const sheet = [
      'First Name,Last Name,Email,Extension,Location',
      'Ada,Lovelace,ada@example.com,2101,Leeds HQ',
      'Alan,Turing,alan@example.com,2102,leeds',
      'Grace,Hopper,grace@example.com,2103,ls1 4dl',
    ].join('\n');
    const response = await upload(
      `${base}/api/v1/acquisitions/${other}/imports`,
      { bytes: new TextEncoder().encode(sheet), name: 'users.csv' },
      server.auth('sales'),
    );
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await response.json()).toMatchObject({ status: 'completed', applied: true });
    const users = (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${other}/records?entity=user&limit=100`,
        headers: server.auth('sales'),
      })
    ).json<{ items: RecordBody[] }>().items;
    expect(users.map((u) => [u.values.lastName, u.values.site, u.site]).sort()).toEqual([
      ['Hopper', 'leeds-hq', 'leeds-hq'],
      ['Lovelace', 'leeds-hq', 'leeds-hq'],
      ['Turing', 'leeds-hq', 'leeds-hq'],
    ]);
  });

  it('reports a site name it cannot resolve with the candidates, keeping what was written', async () => {
    const [user] = await list('user');
    const [unknown] = await bulk([{ id: user!.id, values: { site: 'Londn HQ' } }]);
    expect(unknown!.values.site).toBe('Londn HQ');
    expect(unknown!.status).toBe('draft');
    expect(unknown!.findings).toEqual([
      expect.objectContaining({
        field: 'site',
        rule: 'reference',
        message:
          '"Londn HQ" does not match any site in this order; sites are: Leeds HQ, Manchester Depot, Manchester Airport.',
      }),
    ]);
    const [ambiguous] = await bulk([{ id: user!.id, values: { site: 'man' } }]);
    expect(ambiguous!.values.site).toBe('man');
    expect(ambiguous!.findings).toEqual([
      expect.objectContaining({
        field: 'site',
        message:
          '"man" matches 2 sites: Manchester Depot (manchester-depot), Manchester Airport (man-air); write the full name.',
      }),
    ]);
    const [fixed] = await bulk([{ id: user!.id, values: { site: 'Leeds HQ' } }]);
    expect(fixed!.values.site).toBe('leeds-hq');
    expect(fixed!.findings).toEqual([]);
  });

  it('resolves users by email and by the full name, also of a user renamed in the same write', async () => {
    const users = await list('user');
    const handsets = await list('handset');
    const [u1, u2, u3] = users;
    const written = await bulk([
      // Renamed here: only this write knows the new name.
      { id: u3!.id, values: { firstName: 'New', lastName: 'Starter' } },
      { id: handsets[0]!.id, values: { assignedUser: String(u1!.values.email).toUpperCase() } },
      {
        id: handsets[1]!.id,
        values: {
          assignedUser: ` ${String(u2!.values.firstName)}  ${String(u2!.values.lastName)}`,
        },
      },
      { id: handsets[2]!.id, values: { assignedUser: 'new starter' } },
    ]);
    const byId = new Map(written.map((r) => [r.id, r]));
    expect(byId.get(handsets[0]!.id)!.values.assignedUser).toBe(u1!.values.extension);
    expect(byId.get(handsets[1]!.id)!.values.assignedUser).toBe(u2!.values.extension);
    expect(byId.get(handsets[2]!.id)!.values.assignedUser).toBe(u3!.values.extension);
    for (const r of written) expect(r.findings).toEqual([]);
  });

  it('stores "Leeds HQ", "leeds" and "LS1 4DL" as leeds-hq, in the records, the export and the ProductOrder', async () => {
    const [u1, u2, u3] = await list('user');
    const [h1] = await list('handset');
    const written = await bulk([
      { id: u1!.id, values: { site: 'Leeds HQ' } },
      { id: u2!.id, values: { site: 'leeds' } },
      { id: u3!.id, values: { site: 'ls1 4dl' } },
      { id: h1!.id, values: { site: 'LS1 4DL' } },
    ]);
    for (const r of written) {
      expect(r.values.site).toBe('leeds-hq');
      expect(r.site).toBe('leeds-hq');
      expect(r.findings).toEqual([]);
    }

    await submitAndApprove(server, id);

    const csv = await get('/handover/exports?entity=user&format=csv', 'engineer');
    const [header, ...rows] = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(','));
    const siteAt = header!.indexOf('site');
    const nameAt = header!.indexOf('siteName');
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row[siteAt]).toBe('leeds-hq');
      expect(row[nameAt]).toBe('Leeds HQ');
    }

    const order = (await get('/handover/product-order', 'engineer')).json<{
      productOrderItem: {
        id: string;
        product: {
          name: string;
          productCharacteristic: { name: string; value: unknown }[];
          place?: { id: string; name?: string }[];
        };
      }[];
    }>();
    const ordered = order.productOrderItem.filter((i) =>
      [u1!.id, u2!.id, u3!.id, h1!.id].includes(i.id),
    );
    expect(ordered).toHaveLength(4);
    for (const item of ordered) {
      expect(item.product.place).toEqual([
        expect.objectContaining({ id: 'leeds-hq', name: 'Leeds HQ' }),
      ]);
      expect(item.product.productCharacteristic).toContainEqual({
        name: 'siteName',
        value: 'Leeds HQ',
        valueType: 'string',
      });
    }
  });
});
