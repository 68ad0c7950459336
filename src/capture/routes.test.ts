import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal, buildSite } from '../test/factories.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface RecordBody {
  id: string;
  entity: string;
  slot: string | null;
  site: string | null;
  version: number;
  status: string;
  values: Record<string, unknown>;
  provenance: Record<string, { source: string; actor: string }>;
  findings: {
    rule: string;
    field: string;
    severity: string;
    message: string;
    pointer: string;
    related?: string[];
  }[];
}

describe.each(dialects)('capturing records on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  const url = (path = '') => `/api/v1/acquisitions/${acquisitionId}${path}`;
  const sales = () => server.auth('sales');

  beforeAll(async () => {
    server = await createTestServer(dialect);
    const proposal = buildProposal({
      sites: [
        buildSite('leeds', {
          address: { streetName: 'Park Row', city: 'Leeds', postcode: 'LS1 5HD', country: 'GB' },
        }),
        buildSite('dublin', { name: 'Dublin', address: { city: 'Dublin', country: 'IE' } }),
      ],
      items: [
        {
          id: 'group',
          productSpecification: 'hosted-voice',
          quantity: 1,
          characteristics: { numberBlocks: 1, pickupGroups: 2, extensionLength: 4 },
        },
        buildItem({
          id: 'seats',
          quantity: 3,
          sites: ['leeds'],
          characteristics: { features: ['voicemail'], handsetModel: 'Yealink T54W' },
        }),
      ],
    });
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: proposal,
    });
    expect(created.statusCode).toBe(201);
    acquisitionId = created.json<{ id: string }>().id;
  });
  afterAll(() => server.close());

  const list = async (entity: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: url(`/records?entity=${entity}&limit=100`),
        headers: sales(),
      })
    ).json<{ total: number; items: RecordBody[] }>().items;
  const patch = (id: string, version: number | string, payload: object, headers = sales()) =>
    server.app.inject({
      method: 'PATCH',
      url: url(`/records/${id}`),
      headers: { ...headers, 'if-match': typeof version === 'number' ? `"${version}"` : version },
      payload,
    });
  const plan = async () =>
    (await server.app.inject({ method: 'GET', url: url('/plan'), headers: sales() })).json<{
      completeness: number;
      requiredFields: number;
      satisfiedFields: number;
    }>();
  const acquisition = async () =>
    (await server.app.inject({ method: 'GET', url: url(), headers: sales() })).json<{
      completeness: number;
      requiredFields: number;
      satisfiedFields: number;
    }>();

  it('creates a record for every expected slot at open, pre-filled from the proposal', async () => {
    const handsets = await list('handset');
    expect(handsets).toHaveLength(3);
    expect(handsets[0]).toMatchObject({
      slot: 'handset/seats#1',
      site: 'leeds',
      version: 1,
      values: { model: 'Yealink T54W', site: 'leeds' },
    });
    expect(handsets[0]!.provenance.model).toMatchObject({ source: 'proposal' });
    const sites = await list('site');
    expect(sites.map((s) => s.values.postcode)).toContain('LS1 5HD');
  });

  it('stores values pre-filled from the proposal in normalised form', async () => {
    const proposal = buildProposal({
      reference: 'NORMALISE-1',
      contacts: [
        {
          role: 'primary',
          name: 'Sam Example',
          phone: '0113 496 0999',
          email: 'sam@fenwick.example',
        },
      ],
      items: [
        {
          id: 'group',
          productSpecification: 'hosted-voice',
          quantity: 1,
          characteristics: { extensionLength: 4 },
        },
      ],
    });
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: proposal,
    });
    const contacts = (
      await server.app.inject({
        method: 'GET',
        url: `${created.headers.location}/records?entity=contact`,
        headers: sales(),
      })
    ).json<{ items: RecordBody[] }>().items;
    expect(contacts.find((c) => c.values.role === 'primary')!.values.phone).toBe('+441134960999');
  });

  it('normalises values before validation and records where each came from', async () => {
    const [handset] = await list('handset');
    const response = await patch(handset!.id, handset!.version, { mac: '80-5e-c0-aa-bb-01' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe(`"${handset!.version + 1}"`);
    const body = response.json<RecordBody>();
    expect(body.values.mac).toBe('80:5E:C0:AA:BB:01');
    expect(body.provenance.mac).toMatchObject({ source: 'api', actor: 'sales-test' });
    const [user] = await list('user');
    const updated = await patch(user!.id, user!.version, {
      extension: 42,
      firstName: '  Ada ',
      directNumber: '0113 496 0001',
      userType: 'STANDARD',
    });
    expect(updated.json<RecordBody>().values).toMatchObject({
      extension: '42',
      firstName: 'Ada',
      directNumber: '+441134960001',
      userType: 'standard',
    });
  });

  it('keeps an invalid value as a draft with a finding the customer understands, until it is fixed', async () => {
    const [, handset] = await list('handset');
    const bad = await patch(handset!.id, handset!.version, { mac: '8.05E+11' });
    const body = bad.json<RecordBody>();
    expect(body).toMatchObject({ status: 'draft', values: { mac: '8.05E+11' } });
    expect(body.findings).toEqual([
      expect.objectContaining({
        rule: 'format',
        field: 'mac',
        severity: 'blocking',
        pointer: `/records/${handset!.id}/values/mac`,
      }),
    ]);
    expect(body.findings[0]!.message).toMatch(/^MAC address is not a MAC address/);
    const fixed = await patch(handset!.id, body.version, { mac: '805EC0AABB02' });
    expect(fixed.json<RecordBody>()).toMatchObject({ status: 'valid', findings: [] });
  });

  it('answers 428 without If-Match and 412 for a stale ETag, so that no update is lost', async () => {
    const [, , handset] = await list('handset');
    const none = await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${handset!.id}`),
      headers: sales(),
      payload: { mac: '805EC0AABB03' },
    });
    expect(none.statusCode).toBe(428);
    const [first, second] = await Promise.all([
      patch(handset!.id, handset!.version, { mac: '805EC0AABB03' }),
      patch(handset!.id, handset!.version, { mac: '805EC0AABB04' }, server.auth('engineer')),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 412]);
    const loser = first.statusCode === 412 ? first : second;
    expect(loser.json()).toMatchObject({
      code: 'record.version-conflict',
      currentVersion: handset!.version + 1,
    });
    const stored = (await list('handset')).find((h) => h.id === handset!.id)!;
    expect(stored.version).toBe(handset!.version + 1);
    expect(['80:5E:C0:AA:BB:03', '80:5E:C0:AA:BB:04']).toContain(stored.values.mac);
  });

  it('finds a duplicate MAC on both records, and clears both when one is fixed', async () => {
    const [a, b] = await list('handset');
    const dup = await patch(b!.id, b!.version, { mac: String(a!.values.mac).toLowerCase() });
    expect(dup.json<RecordBody>().findings).toEqual([
      expect.objectContaining({ rule: 'unique', field: 'mac', related: [a!.id] }),
    ]);
    const other = (
      await server.app.inject({ method: 'GET', url: url(`/records/${a!.id}`), headers: sales() })
    ).json<RecordBody>();
    expect(other.findings).toEqual([expect.objectContaining({ rule: 'unique', related: [b!.id] })]);
    expect(other.status).toBe('draft');
    await patch(b!.id, dup.json<RecordBody>().version, { mac: '805EC0AABB09' });
    const again = (
      await server.app.inject({ method: 'GET', url: url(`/records/${a!.id}`), headers: sales() })
    ).json<RecordBody>();
    expect(again).toMatchObject({ status: 'valid', findings: [] });
  });

  it('checks references, numbers inside the blocks of the site country, and one pickup group per extension', async () => {
    const [user1, user2] = await list('user');
    await patch(user2!.id, user2!.version, { extension: '2002' });
    const [handset] = await list('handset');
    const ref = await patch(handset!.id, handset!.version, { assignedUser: '9999' });
    expect(ref.json<RecordBody>().findings).toEqual([
      expect.objectContaining({
        rule: 'reference',
        field: 'assignedUser',
        message: '"9999" does not match any user in this order.',
      }),
    ]);
    const ok = await patch(handset!.id, ref.json<RecordBody>().version, { assignedUser: '2002' });
    expect(ok.json<RecordBody>().findings).toEqual([]);

    // User 1 has +441134960001 but no block or ported number exists yet: a warning, not a dead end.
    const u1 = (await list('user')).find((u) => u.id === user1!.id)!;
    expect(u1.findings).toContainEqual(
      expect.objectContaining({
        rule: 'number-plan-pending',
        severity: 'warning',
        message:
          'Waiting for the number plan: no number block or ported numbers have been captured yet, so +441134960001 cannot be checked.',
      }),
    );
    const [block] = await list('numberBlock');
    await patch(block!.id, block!.version, {
      firstNumber: '+441134960000',
      lastNumber: '+441134960099',
      site: 'leeds',
      source: 'new',
    });
    expect(
      (await list('user')).find((u) => u.id === user1!.id)!.findings.map((f) => f.rule),
    ).not.toContain('number-in-block');
    // An Irish number at a Leeds site is refused even inside a block.
    const irish = await patch(user1!.id, u1.version, { directNumber: '+35312345678' });
    expect(
      irish
        .json<RecordBody>()
        .findings.map((f) => f.rule)
        .sort(),
    ).toEqual(['number-country', 'number-in-block']);

    const [g1, g2] = await list('pickupGroup');
    await patch(g1!.id, g1!.version, { name: 'Front desk', members: '42, 2002' });
    const clash = await patch(g2!.id, g2!.version, { name: 'Warehouse', members: ['2002', '42'] });
    expect(clash.json<RecordBody>().findings).toEqual([
      expect.objectContaining({
        rule: 'one-membership',
        message: expect.stringMatching(
          /^2002, 42 are already in another call pickup group/,
        ) as string,
      }),
    ]);
  });

  it('keeps the acquisition completeness equal to the plan after every write', async () => {
    const [before, fromPlan] = await Promise.all([acquisition(), plan()]);
    expect(before.requiredFields).toBe(fromPlan.requiredFields);
    expect(before.satisfiedFields).toBe(fromPlan.satisfiedFields);
    const [user] = await list('user');
    await patch(user!.id, user!.version, {
      lastName: 'Lovelace',
      email: 'ada@fenwick.example',
      voicemail: true,
    });
    const [after, planAfter] = await Promise.all([acquisition(), plan()]);
    expect(after.satisfiedFields).toBe(planAfter.satisfiedFields);
    expect(after.requiredFields).toBe(planAfter.requiredFields); // voicemail: true made voicemailEmail required
    expect(after.completeness).toBeGreaterThan(before.completeness);
  });

  it('applies a bulk change all or nothing', async () => {
    const users = await list('user');
    const refused = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: {
        records: [
          { id: users[0]!.id, values: { department: 'Ops' } },
          { id: users[1]!.id, values: { favouriteColour: 'teal' } },
        ],
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'record.invalid-change',
      errors: [{ pointer: '/records/1/values/favouriteColour' }],
    });
    expect((await list('user'))[0]!.values.department).toBeUndefined();
    const stale = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: {
        records: [
          { id: users[0]!.id, values: { department: 'Ops' } },
          { id: users[1]!.id, version: 1, values: { department: 'Ops' } },
        ],
      },
    });
    expect(stale.statusCode).toBe(412);
    expect((await list('user'))[0]!.values.department).toBeUndefined();
    const ok = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: {
        records: [
          { id: users[0]!.id, values: { department: 'Ops' } },
          { id: users[1]!.id, values: { department: 'Ops' } },
        ],
      },
    });
    expect(ok.statusCode).toBe(200);
    expect((await list('user'))[0]!.values.department).toBe('Ops');
  });

  it('points into the bulk request even for a batch of one', async () => {
    const [user] = await list('user');
    const refused = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: { records: [{ id: user!.id, values: { favouriteColour: 'teal' } }] },
    });
    expect(refused.json()).toMatchObject({
      code: 'record.invalid-change',
      errors: [{ pointer: '/records/0/values/favouriteColour' }],
    });
  });

  it('lists the history of every change, append-only, with channel and actor', async () => {
    const [user] = await list('user');
    const history = (
      await server.app.inject({
        method: 'GET',
        url: url(`/records/${user!.id}/history`),
        headers: sales(),
      })
    ).json<{
      items: {
        field: string;
        oldValue: unknown;
        newValue: unknown;
        source: string;
        actor: string;
        recordVersion: number;
      }[];
    }>().items;
    const changed = history.map((h) => h.field);
    for (const field of ['extension', 'firstName', 'lastName', 'email', 'department'])
      expect(changed).toContain(field);
    expect(history.find((h) => h.field === 'extension')).toMatchObject({
      oldValue: null,
      newValue: '42',
      source: 'api',
      actor: 'sales-test',
    });
    const versions = history.map((h) => h.recordVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    // Every change also left an event in the outbox, written in the same transaction.
    const events = await server.database.db
      .selectFrom('outbox_events')
      .select(['event_type', 'sequence'])
      .where('aggregate_id', '=', user!.id)
      .orderBy('sequence')
      .execute();
    expect(events.map((e) => e.sequence)).toEqual([
      ...new Set(history.map((h) => h.recordVersion)),
    ]);
    expect(events.every((e) => e.event_type === 'recordAttributeValueChangeEvent')).toBe(true);
  });

  it('has no path in the application that updates or deletes history', () => {
    const source = readdirSync(new URL('..', import.meta.url).pathname, {
      recursive: true,
      encoding: 'utf8',
    })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      // Key rotation seals the same values again under a new key: what history says is unchanged.
      .filter((f) => f !== join('secrets', 'rotate-key.ts'))
      .map((f) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8'))
      .join('\n');
    // History is written by bulkInsert only; nothing updates, deletes or bulk-updates it.
    expect(source).toMatch(/bulkInsert\(\s*this\.db,\s*'record_history'/);
    expect(source).not.toMatch(/(updateTable|deleteFrom)\('record_history'\)/);
    expect(source).not.toMatch(/bulkUpdate\(\s*[\w.]+,\s*'record_history'/);
    expect(source).not.toMatch(/(update|delete from)\s+"?record_history/i);
  });

  it('filters records by entity, site, owner and severity, and lists findings with counts', async () => {
    const drafts = (
      await server.app.inject({
        method: 'GET',
        url: url('/records?severity=blocking&limit=500'),
        headers: sales(),
      })
    ).json<{ total: number; items: RecordBody[] }>();
    expect(drafts.total).toBeGreaterThan(0);
    expect(drafts.items.every((r) => r.findings.some((f) => f.severity === 'blocking'))).toBe(true);
    const leeds = (
      await server.app.inject({
        method: 'GET',
        url: url('/records?site=leeds&entity=user'),
        headers: sales(),
      })
    ).json<{ total: number }>();
    expect(leeds.total).toBe(3);
    const findings = (
      await server.app.inject({ method: 'GET', url: url('/findings'), headers: sales() })
    ).json<{ items: { rule: string }[] }>();
    expect(findings.items.map((f) => f.rule)).toContain('one-membership');
  });

  it('counts records against the proposal: keeps one above the maximum with a blocking finding, warns below', async () => {
    const extra = await server.app.inject({
      method: 'POST',
      url: url('/records'),
      headers: sales(),
      payload: { entity: 'handset', values: { mac: '80:5E:C0:AA:BB:77', site: 'leeds' } },
    });
    // 3 seats were agreed: a fourth handset is kept, above the plan, and blocks submission.
    expect(extra.statusCode).toBe(201);
    const above = (
      await server.app.inject({
        method: 'GET',
        url: url('/findings?entity=handset&severity=blocking'),
        headers: sales(),
      })
    ).json<{ items: { rule: string; message: string }[] }>();
    expect(above.items).toContainEqual(
      expect.objectContaining({
        rule: 'count.above',
        message: expect.stringContaining(
          'There are 4 handset records but the proposal allows at most 3',
        ) as string,
      }),
    );
    const removeExtra = await server.app.inject({
      method: 'DELETE',
      url: url(`/records/${extra.json<{ id: string }>().id}`),
      headers: { ...sales(), 'if-match': '"1"' },
    });
    expect(removeExtra.statusCode).toBe(204);
    const [first] = await list('handset');
    await server.app.inject({
      method: 'DELETE',
      url: url(`/records/${first!.id}`),
      headers: { ...sales(), 'if-match': `"${first!.version}"` },
    });
    const below = (
      await server.app.inject({
        method: 'GET',
        url: url('/findings?entity=handset'),
        headers: sales(),
      })
    ).json<{ items: { rule: string; severity: string }[] }>();
    expect(below.items).toContainEqual(
      expect.objectContaining({ rule: 'count.below', severity: 'warning' }),
    );
    // The deleted handset's fields are owed again, so completeness still matches the plan.
    const [a, p] = await Promise.all([acquisition(), plan()]);
    expect(a.requiredFields).toBe(p.requiredFields);
    expect(a.satisfiedFields).toBe(p.satisfiedFields);
  });

  it('re-validates from scratch to the same findings as the incremental writes', async () => {
    const before = (
      await server.app.inject({ method: 'GET', url: url('/findings'), headers: sales() })
    ).json<{ items: unknown[] }>().items;
    const result = await server.app.inject({
      method: 'POST',
      url: url('/revalidate'),
      headers: server.auth('engineer'),
    });
    expect(result.statusCode).toBe(200);
    const after = (
      await server.app.inject({ method: 'GET', url: url('/findings'), headers: sales() })
    ).json<{ items: unknown[] }>().items;
    expect(after).toEqual(before);
    const [a, p] = await Promise.all([acquisition(), plan()]);
    expect(a.satisfiedFields).toBe(p.satisfiedFields);
  });
});
